namespace IsmsOps.Host;

/// <summary>What the command line asked the host to do.</summary>
internal enum HostMode
{
    /// <summary>Read commands from standard input, one line (or one complete statement) at a time.</summary>
    Interactive,

    /// <summary>Run the script text given with -Command.</summary>
    Command,

    /// <summary>Run the script file given with -File, passing the remaining arguments to it.</summary>
    File,

    /// <summary>Print usage.</summary>
    Help,

    /// <summary>Print the host and module versions.</summary>
    Version,
}

/// <summary>The host's own arguments, parsed the way pwsh reads its command line (names are case-insensitive).</summary>
internal sealed record HostArguments(HostMode Mode, string? Script, IReadOnlyList<string> ScriptArguments, bool NoImport)
{
    /// <summary>Parses <paramref name="args"/>; throws <see cref="ArgumentException"/> with a message for the user.</summary>
    public static HostArguments Parse(IReadOnlyList<string> args)
    {
        bool noImport = false;
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            switch (NameOf(arg))
            {
                case "noimport":
                    noImport = true;
                    break;
                case "help" or "h" or "?":
                    return new HostArguments(HostMode.Help, null, [], noImport);
                case "version" or "v":
                    return new HostArguments(HostMode.Version, null, [], noImport);
                case "command" or "c":
                    // Like pwsh: everything after -Command is the script, joined with spaces.
                    if (i + 1 >= args.Count)
                    {
                        throw new ArgumentException("-Command needs the script text to run, such as: isms -Command \"Get-IsmsPerson\"");
                    }

                    return new HostArguments(HostMode.Command, string.Join(' ', args.Skip(i + 1)), [], noImport);
                case "file" or "f":
                    if (i + 1 >= args.Count)
                    {
                        throw new ArgumentException("-File needs the path of a script, such as: isms -File ./job.ps1");
                    }

                    return new HostArguments(HostMode.File, args[i + 1], args.Skip(i + 2).ToArray(), noImport);
                case null:
                    // A bare path is a script file, as with pwsh.
                    return new HostArguments(HostMode.File, arg, args.Skip(i + 1).ToArray(), noImport);
                default:
                    throw new ArgumentException($"'{arg}' is not an isms option. Run 'isms -Help' for usage.");
            }
        }

        return new HostArguments(HostMode.Interactive, null, [], noImport);
    }

    /// <summary>The option name without its -, -- or / prefix, in lower case; null when the argument is not an option.</summary>
    private static string? NameOf(string arg)
    {
        if (arg == "/?")
        {
            return "?";
        }

        if (arg.Length < 2 || arg[0] != '-')
        {
            return null;
        }

        return arg.TrimStart('-').ToLowerInvariant();
    }

    /// <summary>The text -Help prints.</summary>
    public const string Usage = """
        isms - runs IsmsOps scripts on the PowerShell engine, where pwsh is not installed.

        Usage:
          isms [-NoImport] -Command "<script>"       run script text
          isms [-NoImport] -File <script.ps1> [args]  run a script file; args bind to its param block
          isms [-NoImport]                            read commands from standard input (prompt 'isms> ',
                                                      'exit' or end of input leaves)
          isms -Version                               print the host and module versions
          isms -Help | -? | /?                        print this text

        Options:
          -NoImport   do not import IsmsOps at start-up; the script can load other modules or assemblies first,
                      then run 'Import-Module IsmsOps' itself.

        The IsmsOps module is found through ISMSOPS_MODULE_PATH (a folder holding IsmsOps.psd1, or the .psd1
        itself) or else in ../IsmsOps next to this host (the out/ folder a build assembles). Its folder is put
        first on PSModulePath for the session. The store is ISMSOPS_HOME, as for the module in pwsh.

        Exit codes: the script's 'exit N', which always wins; otherwise 1 when any terminating error went
        uncaught during the run, whether it ended the script (an uncaught throw, a failure under -ErrorAction
        Stop, a parse error, an argument its param block rejects) or only the statement it occurred in (a
        parameter binding error, a cmdlet's terminating error such as a corrupt store, a .NET exception in an
        expression), or when the run was stopped with Ctrl+C; 0 otherwise, even after non-terminating errors
        (use $ErrorActionPreference = 'Stop' in jobs). Errors the script handles (try/catch, trap with
        continue, SilentlyContinue) do not count. This is stricter than pwsh, which exits with $? of the last
        statement only. At the end of piped input, 1 if the last command had such an error. 2 when the host
        cannot start (bad arguments, module not found).

        Ctrl+C stops the running command; at the prompt it ends isms. Errors go to stderr as
        'ERROR: <message> [<ErrorId>]' with the fix on the next line; a program's own stderr is passed through.

        Only the PowerShell engine's core cmdlets are present (Microsoft.PowerShell.Core): ForEach-Object,
        Where-Object, Import-Module, Get-Command, Get-Help, Get-Module, Out-Null, Out-Default and the like, plus
        the IsmsOps cmdlets. Select-Object, Sort-Object, ConvertTo-Json, Join-Path, Get-Content, Set-Content,
        Write-Host, Write-Output, Test-Path, Remove-Item and the other Utility and Management cmdlets are absent.
        Use .NET calls instead: [System.IO.File]::ReadAllText(...), [System.IO.File]::Exists(...),
        [System.IO.Path]::Combine(...), $Host.UI.WriteLine(...), or plain output (a bare value is written).
        """;
}
