using System.Diagnostics;
using System.Text.RegularExpressions;

namespace IsmsOps.Host.Tests;

/// <summary>What a run of the host left behind.</summary>
public sealed record IsmsResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit code {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
}

/// <summary>
/// Runs the built host, <c>dotnet out/isms/isms.dll</c>, as a child process with its own empty ISMSOPS_HOME.
/// </summary>
public sealed class IsmsProcess : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    public IsmsProcess()
    {
        Home = Directory.CreateTempSubdirectory("ismsops-hosttest-").FullName;
    }

    /// <summary>The store folder this host's runs use.</summary>
    public string Home { get; }

    /// <summary>Extra environment for the child; a null value removes the variable.</summary>
    public Dictionary<string, string?> Environment { get; } = [];

    public static string RepoRoot { get; } = FindRepoRoot();

    public static string HostPath => Path.Combine(RepoRoot, "out", "isms", "isms.dll");

    /// <summary>The ModuleVersion in module/IsmsOps.psd1, the one version everything takes.</summary>
    public static string ModuleVersion { get; } = Regex.Match(
        File.ReadAllText(Path.Combine(RepoRoot, "module", "IsmsOps.psd1")), @"ModuleVersion\s*=\s*'([0-9.]+)'").Groups[1].Value;

    /// <summary>A folder that is deleted with this object.</summary>
    public string NewTempFolder()
    {
        string folder = Path.Combine(Home, "work-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        return folder;
    }

    /// <summary>Runs <c>isms</c> with <paramref name="arguments"/>; <paramref name="stdin"/> is written and then closed.</summary>
    public IsmsResult RunWithInput(string? stdin, params string[] arguments)
    {
        Assert.True(File.Exists(HostPath), $"The host is not built at {HostPath}. Build the solution first (dotnet build IsmsOps.sln).");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Home,
        };
        start.ArgumentList.Add(HostPath);
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["ISMSOPS_HOME"] = Home;
        start.Environment.Remove("ISMSOPS_AUDIT_KEY");
        start.Environment.Remove("ISMSOPS_MODULE_PATH");
        start.Environment.Remove("NO_COLOR");
        foreach ((string name, string? value) in Environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            process.StandardInput.Write(stdin);
        }

        process.StandardInput.Close();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"isms {string.Join(' ', arguments)} did not finish within {Timeout}.");
        }

        return new IsmsResult(process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
    }

    /// <summary>Runs <c>isms</c> with <paramref name="arguments"/> and stdin closed.</summary>
    public IsmsResult Run(params string[] arguments) => RunWithInput(null, arguments);

    /// <summary>Writes a script into this host's folder and returns its path.</summary>
    public string WriteScript(string name, string text)
    {
        string path = Path.Combine(NewTempFolder(), name);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private static string FindRepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IsmsOps.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("IsmsOps.sln not found above " + AppContext.BaseDirectory);
    }
}
