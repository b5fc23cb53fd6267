using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Management.Automation.Runspaces;

namespace IsmsOps.PowerShell.Tests;

/// <summary>
/// A fresh PowerShell 7.6 runspace with the assembled module from out/ imported, and its own ISMSOPS_HOME.
/// Conflicting copies of YamlDotNet, Microsoft.Data.Sqlite and Azure.Core are loaded and used in this process first
/// (<see cref="ConflictingAssemblies"/>), as another module in an admin's session would.
/// </summary>
public sealed class PowerShellSession : IDisposable
{
    private readonly System.Management.Automation.PowerShell _shell;

    private readonly Runspace? _hostedRunspace;

    /// <param name="import">Imports the built module.</param>
    /// <param name="host">A host to run under (such as <see cref="RecordingHost"/>, to see "What if:" lines); none by default.</param>
    public PowerShellSession(bool import = true, PSHost? host = null)
    {
        ConflictingAssemblies.LoadAndUse();
        Home = Directory.CreateTempSubdirectory("ismsops-pstest-").FullName;
        if (host is null)
        {
            _shell = System.Management.Automation.PowerShell.Create(InitialSessionState.CreateDefault2());
        }
        else
        {
            _hostedRunspace = RunspaceFactory.CreateRunspace(host, InitialSessionState.CreateDefault2());
            _hostedRunspace.Open();
            _shell = System.Management.Automation.PowerShell.Create(_hostedRunspace);
        }

        // The store follows ISMSOPS_HOME, which is process-wide: these tests run one at a time (see the collection).
        Environment.SetEnvironmentVariable("ISMSOPS_HOME", Home);
        Environment.SetEnvironmentVariable("ISMSOPS_AUDIT_KEY", null);
        Environment.SetEnvironmentVariable("ISMSOPS_MASTER_KEY", null);
        Environment.SetEnvironmentVariable("ISMSOPS_MASTER_KEY_NEXT", null);
        Environment.SetEnvironmentVariable("ISMSOPS_POLICIES", null);
        Environment.SetEnvironmentVariable("ISMSOPS_STORE", null);
        if (import)
        {
            Run($"Import-Module '{ModuleLayout.ManifestPath}' -ErrorAction Stop");
        }
    }

    public string Home { get; }

    public Collection<ErrorRecord> Errors { get; } = [];

    /// <summary>Runs a script; non-terminating errors are collected in <see cref="Errors"/>.</summary>
    public Collection<PSObject> Run(string script)
    {
        _shell.Commands.Clear();
        _shell.Streams.ClearStreams();
        _shell.AddScript(script);
        Collection<PSObject> output = _shell.Invoke();
        foreach (ErrorRecord error in _shell.Streams.Error)
        {
            Errors.Add(error);
        }

        return output;
    }

    public PSDataStreams Streams => _shell.Streams;

    /// <summary>
    /// Runs a script and stops it, as Ctrl+C would, once it has written <paramref name="outputs"/> objects; returns what
    /// it wrote until it stopped. Errors are collected in <see cref="Errors"/>.
    /// </summary>
    public List<PSObject> RunAndStopAfter(string script, int outputs)
    {
        _shell.Commands.Clear();
        _shell.Streams.ClearStreams();
        _shell.AddScript(script);
        var written = new PSDataCollection<PSObject>();
        written.DataAdded += (_, _) =>
        {
            if (written.Count == outputs)
            {
                _shell.BeginStop(null, null);
            }
        };
        try
        {
            _shell.Invoke(null, written);
        }
        catch (PipelineStoppedException)
        {
        }

        foreach (ErrorRecord error in _shell.Streams.Error)
        {
            Errors.Add(error);
        }

        return [.. written];
    }

    public void Dispose()
    {
        _shell.Dispose();
        _hostedRunspace?.Dispose();
        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Finds the module that the build assembled under out/.</summary>
public static class ModuleLayout
{
    public static string RepoRoot { get; } = FindRepoRoot();

    public static string ModuleFolder { get; } = FindModuleFolder();

    public static string ManifestPath => Path.Combine(ModuleFolder, "IsmsOps.psd1");

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

    private static string FindModuleFolder()
    {
        string manifest = File.ReadAllText(Path.Combine(RepoRoot, "module", "IsmsOps.psd1"));
        string version = System.Text.RegularExpressions.Regex.Match(manifest, @"ModuleVersion\s*=\s*'([0-9.]+)'").Groups[1].Value;
        string folder = Path.Combine(RepoRoot, "out", "IsmsOps", version);
        if (!File.Exists(Path.Combine(folder, "IsmsOps.psd1")))
        {
            throw new InvalidOperationException($"The module is not assembled at {folder}. Build the solution first (dotnet build IsmsOps.sln).");
        }

        return folder;
    }
}

/// <summary>Other modules' copies of libraries IsmsOps also uses, loaded into the default context and exercised.</summary>
public static class ConflictingAssemblies
{
    private static readonly Lazy<bool> Loaded = new(() =>
    {
        // YamlDotNet 16 (the engine carries its own 18) and Microsoft.Data.Sqlite 8 (the engine uses 10).
        var yaml = new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<Dictionary<string, string>>("a: b");
        if (yaml["a"] != "b")
        {
            throw new InvalidOperationException("YamlDotNet 16 did not work in the default context.");
        }

        UseSqlite8();
        UseAzureCore150();
        return true;
    });

    public static void LoadAndUse() => _ = Loaded.Value;

    /// <summary>Proves the default context's Azure.Core 1.50 (another module's) works, before and after IsmsOps connects.</summary>
    public static void UseAzureCore150()
    {
        var error = new Azure.ResponseError("code-1", "message");
        var tag = new Azure.ETag("\"v1\"");
        if (error.Code != "code-1" || tag.ToString("H") != "\"v1\"" || typeof(Azure.ETag).Assembly.GetName().Version!.Minor != 50)
        {
            throw new InvalidOperationException("Azure.Core 1.50 did not work in the default context.");
        }
    }

    /// <summary>Proves the default context's SQLite 8 still works (we must not break other modules).</summary>
    public static void UseSqlite8()
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT 41 + 1;";
        if (Convert.ToInt32(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 42)
        {
            throw new InvalidOperationException("Microsoft.Data.Sqlite 8 did not work in the default context.");
        }
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class PowerShellCollection
{
    public const string Name = "PowerShell engine (one ISMSOPS_HOME at a time)";
}
