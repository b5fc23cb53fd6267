using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;

namespace IsmsOps.Host;

/// <summary>
/// One runspace on <see cref="IsmsHost"/>, and the three ways of running code in it: script text, a script file with
/// arguments, and lines read from stdin. Every command's output goes through Out-Default, so the module's format views
/// render; errors are written as they happen. Each method returns the process exit code.
/// </summary>
internal sealed class ScriptRunner : IDisposable
{
    private const int Failure = 1;

    /// <summary>The function a -File script runs as.</summary>
    private const string FileEntryFunction = "Invoke-IsmsScriptFile";

    private readonly IsmsHost _host;
    private readonly Runspace _runspace;
    private readonly object _gate = new();
    private PowerShell? _running;

    public ScriptRunner(IsmsHost host)
    {
        _host = host;
        _runspace = RunspaceFactory.CreateRunspace(host, InitialSessionState.CreateDefault2());
        _runspace.ThreadOptions = PSThreadOptions.ReuseThread;
        _runspace.Open();
        Console.CancelKeyPress += OnCancelKeyPress;
    }

    /// <summary>
    /// Puts <paramref name="folder"/> first on PSModulePath, so <c>Import-Module IsmsOps</c> finds this copy before any
    /// installed one. Done after the runspace opens: opening it rewrites the variable with the user's and the
    /// system's module folders first.
    /// </summary>
    public void PrependModulePath(string folder)
    {
        string current = Environment.GetEnvironmentVariable("PSModulePath") ?? string.Empty;
        Environment.SetEnvironmentVariable("PSModulePath", current.Length == 0 ? folder : folder + Path.PathSeparator + current);
    }

    /// <summary>Imports the module from its manifest; false (with the error written) when that fails.</summary>
    public bool ImportModule(string manifestPath) =>
        Invoke(ps => ps.AddCommand("Import-Module").AddParameter("Name", manifestPath).AddParameter("ErrorAction", ActionPreference.Stop))
        && !_host.ShouldExit;

    /// <summary>Runs script text, as -Command does.</summary>
    public int RunCommand(string script)
    {
        bool completed = Invoke(ps => ps.AddScript(script));
        return ExitCode(completed);
    }

    /// <summary>Runs a script file with pwsh-style arguments (<c>-Name value</c>, <c>-Switch</c>, positional values).</summary>
    /// <remarks>
    /// The file's script block is run rather than the file as a command. Run as a command, a script file catches its own
    /// <c>exit N</c>: the engine only sets $LASTEXITCODE (as a native program would) and never tells the host. Run as a
    /// script block, <c>exit</c> reaches <see cref="IsmsHost.SetShouldExit"/> as it does for -Command, while
    /// $PSScriptRoot and $PSCommandPath still come from the file. ($MyInvocation.MyCommand.Path does not.)
    /// </remarks>
    public int RunFile(string path, IReadOnlyList<string> words)
    {
        string fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            Console.Error.WriteLine($"ERROR: The script '{fullPath}' does not exist.");
            return Failure;
        }

        ScriptBlock script;
        IReadOnlyDictionary<string, ParameterMetadata> parameters;
        try
        {
            // Parses the file: a syntax error is reported here, with its position, before anything runs.
            var info = _runspace.SessionStateProxy.InvokeCommand.GetCommand(fullPath, CommandTypes.ExternalScript) as ExternalScriptInfo
                ?? throw new InvalidOperationException($"'{fullPath}' is not a PowerShell script (.ps1).");
            script = info.ScriptBlock;
            parameters = info.Parameters;
        }
        catch (RuntimeException ex)
        {
            _host.UI.WriteErrorRecord(ex.ErrorRecord);
            return Failure;
        }
        catch (InvalidOperationException ex)
        {
            Console.Error.WriteLine("ERROR: " + ex.Message);
            return Failure;
        }

        // The script block becomes a function for the length of the run, so the script's parameters bind as the first
        // command of the pipeline: a binding error (an unknown name, a value outside a ValidateSet) then fails the run.
        _runspace.SessionStateProxy.InvokeProvider.Item.Set("function:" + FileEntryFunction, script);
        bool completed;
        try
        {
            completed = Invoke(ps => ScriptArguments.Bind(ps.AddCommand(FileEntryFunction), words, parameters));
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine("ERROR: " + ex.Message);
            return Failure;
        }

        return ExitCode(completed);
    }

    /// <summary>Reads statements from stdin until <c>exit</c> or end of input.</summary>
    public int RunInteractive()
    {
        bool lastCompleted = true;
        while (true)
        {
            string? statement = ReadStatement();
            if (statement is null)
            {
                return lastCompleted ? 0 : Failure;
            }

            if (statement.Trim().Length == 0)
            {
                continue;
            }

            lastCompleted = Invoke(ps => ps.AddScript(statement));
            if (_host.ShouldExit)
            {
                return _host.ExitCode;
            }
        }
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancelKeyPress;
        _runspace.Dispose();
    }

    private int ExitCode(bool completed) => _host.ShouldExit ? _host.ExitCode : completed ? 0 : Failure;

    /// <summary>
    /// Runs one pipeline ending in Out-Default. Returns false when a terminating error ended it, or ended one of its
    /// statements without the script catching it (all already written).
    /// </summary>
    /// <remarks>
    /// Stricter than pwsh on purpose, which exits with $? of the last statement only: a scheduled job whose third
    /// statement could not read the store has failed, whatever its last statement did.
    /// </remarks>
    private bool Invoke(Action<PowerShell> build)
    {
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = _runspace;
        build(ps);
        ps.AddCommand("Out-Default");
        // $Error is one list for the life of the session; the engine adds to it on the pipeline thread only.
        var dollarError = _runspace.SessionStateProxy.GetVariable("Error") as System.Collections.IList;
        bool statementTerminated = false;
        // Errors are written as they happen, so a long job's log keeps them in order with progress. DataAdded is raised
        // on the pipeline thread while the engine writes the record, so $Error is read as it stood at that moment.
        ps.Streams.Error.DataAdded += (_, e) =>
        {
            ErrorRecord record = ps.Streams.Error[e.Index];
            statementTerminated |= dollarError is not null && IsStatementTerminating(record, dollarError);
            _host.UI.WriteErrorRecord(record);
        };

        lock (_gate)
        {
            _running = ps;
        }

        try
        {
            ps.Invoke();
            if (ps.InvocationStateInfo.State == PSInvocationState.Stopped)
            {
                // Invoke returns quietly when stopped; a job log must still say the work did not finish.
                Console.Error.WriteLine("ERROR: The command was stopped (Ctrl+C) before it finished.");
                return false;
            }

            return !statementTerminated;
        }
        catch (RuntimeException ex)
        {
            _host.UI.WriteErrorRecord(ex.ErrorRecord);
            return false;
        }
        finally
        {
            lock (_gate)
            {
                _running = null;
            }
        }
    }

    /// <summary>
    /// True when the engine wrote <paramref name="record"/> because a terminating error ended a statement (a parameter
    /// binding error, a cmdlet's ThrowTerminatingError, a .NET exception in an expression) and nothing caught it.
    /// </summary>
    /// <remarks>
    /// The engine gives such a record no flag, but writes it differently from a non-terminating one (checked against
    /// the hosted 7.6 engine; see ExitCodeTests). WriteError adds the very record it writes to $Error. A statement's
    /// terminating error is added to $Error as one copy of the error and written to the error stream as another: both
    /// carry the same Exception object and the same failing command. So a record that is not itself in $Error but has
    /// such a twin there is statement-terminating. Errors a script handles never reach the stream (try/catch, trap with
    /// continue, SilentlyContinue); a native program's stderr is in the stream but not in $Error, and has no twin. The
    /// command is compared too because WriteError skips adding a record whose Exception is already $Error[0]'s: a
    /// function that catches an error and writes it again ($PSCmdlet.WriteError($_)) writes a record not in $Error
    /// with the caught exception, but stamped with the function as its command. A trap, unlike this check, would
    /// change how scripts run: a trap in an outer scope makes a function end at its first error.
    /// </remarks>
    internal static bool IsStatementTerminating(ErrorRecord record, System.Collections.IList dollarError)
    {
        if (record.Exception is null)
        {
            return false;
        }

        foreach (object? entry in dollarError)
        {
            if (ReferenceEquals(entry, record))
            {
                return false;
            }
        }

        foreach (object? entry in dollarError)
        {
            if (entry is ErrorRecord twin
                && ReferenceEquals(twin.Exception, record.Exception)
                && ReferenceEquals(twin.InvocationInfo?.MyCommand, record.InvocationInfo?.MyCommand))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>One line, or as many as it takes to complete a statement (an open brace, a here-string).</summary>
    private static string? ReadStatement()
    {
        Console.Out.Write("isms> ");
        string? text = Console.In.ReadLine();
        while (text is not null && IsIncomplete(text))
        {
            Console.Out.Write(">> ");
            string? more = Console.In.ReadLine();
            if (more is null)
            {
                break;
            }

            text += "\n" + more;
        }

        if (text is null)
        {
            Console.Out.WriteLine();
        }

        return text;
    }

    private static bool IsIncomplete(string text)
    {
        Parser.ParseInput(text, out _, out ParseError[] errors);
        return errors.Length > 0 && errors.All(e => e.IncompleteInput);
    }

    private void OnCancelKeyPress(object? sender, ConsoleCancelEventArgs e)
    {
        lock (_gate)
        {
            // At the prompt Ctrl+C ends isms as usual; while a command runs it stops that command only.
            if (_running is null)
            {
                return;
            }

            e.Cancel = true;
            _running.BeginStop(null, null);
        }
    }
}
