using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace IsmsOps.Bench;

/// <summary>
/// Module import time, measured as a user meets it: in a fresh process, with a warm PowerShell runspace, Import-Module
/// of the assembled module in out/ and nothing else. Each run is a new process (this program in
/// <see cref="ChildSwitch"/> mode), because a second import in the same process costs nothing.
/// </summary>
internal static class ImportBenchmark
{
    public const string ChildSwitch = "--child-import";

    /// <summary>The budget from the issue, in milliseconds.</summary>
    private const double ImportBudgetMs = 500;

    public static string DefaultManifest() =>
        typeof(ImportBenchmark).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .First(a => a.Key == "IsmsOpsModuleManifest").Value!;

    public static void Run(BenchOptions options, ResultTable report)
    {
        if (!File.Exists(options.ModuleManifest))
        {
            throw new FileNotFoundException($"No module at {options.ModuleManifest}; build the solution first.", options.ModuleManifest);
        }

        string work = Directory.CreateTempSubdirectory("ismsops-bench-import-").FullName;
        try
        {
            // Beside our own deps.json: the host resolves the listed files relative to the list's folder.
            string depsFile = Path.Combine(AppContext.BaseDirectory, "IsmsOps.Bench.importhost.deps.json");
            ImportHostDependencies.Write(depsFile);
            string home = Path.Combine(work, "home");
            int runs = options.RunsOr(10);
            var import = new List<double>();
            var importCpu = new List<double>();
            var firstCommand = new List<double>();
            var process = new List<double>();
            // Run 0 is the warm-up: it also creates the store and signing key, so the measured runs find an existing store.
            for (int run = 0; run <= runs; run++)
            {
                ChildResult child = RunChild(depsFile, options.ModuleManifest, home);
                Console.Error.WriteLine($"import: {(run == 0 ? "warm-up" : $"run {run}/{runs}")}: import {child.ImportMs:N0} ms, first command {child.FirstCommandMs:N0} ms, process {child.ProcessMs:N0} ms");
                if (run == 0)
                {
                    Console.Error.WriteLine($"import: child loaded the engine into '{child.EngineContext}', module build {child.ModuleBuild}");
                    continue;
                }

                import.Add(child.ImportMs);
                importCpu.Add(child.ImportCpuMs);
                firstCommand.Add(child.FirstCommandMs);
                process.Add(child.ProcessMs);
            }

            report.Add("Import-Module, fresh process", new Samples(import, importCpu), Unit.Milliseconds, Target.AtMost(ImportBudgetMs));
            report.Add("Import-Module + first Get-IsmsPerson", new Samples(firstCommand), Unit.Milliseconds);
            report.Add("whole child process (runtime start, runspace, import, command)", new Samples(process), Unit.Milliseconds);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private sealed record ChildResult(double ImportMs, double ImportCpuMs, double FirstCommandMs, double ProcessMs, string EngineContext, string ModuleBuild);

    private static ChildResult RunChild(string depsFile, string manifest, string home)
    {
        string app = typeof(ImportBenchmark).Assembly.Location;
        var start = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { "exec", "--depsfile", depsFile, "--runtimeconfig", Path.ChangeExtension(app, ".runtimeconfig.json"), app, ChildSwitch, manifest })
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["ISMSOPS_HOME"] = home;
        start.Environment.Remove("ISMSOPS_AUDIT_KEY");
        start.Environment["POWERSHELL_TELEMETRY_OPTOUT"] = "1";

        var clock = Stopwatch.StartNew();
        using Process child = Process.Start(start) ?? throw new InvalidOperationException("Could not start the import host.");
        Task<string> stderr = child.StandardError.ReadToEndAsync();
        string stdout = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        clock.Stop();
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"The import host failed ({child.ExitCode}):{Environment.NewLine}{stdout}{stderr.Result}");
        }

        Dictionary<string, string> values = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => line.Split('=', 2)).Where(kv => kv.Length == 2).ToDictionary(kv => kv[0], kv => kv[1], StringComparer.Ordinal);
        return new ChildResult(Number(values["import_ms"]), Number(values["import_cpu_ms"]), Number(values["first_command_ms"]), clock.Elapsed.TotalMilliseconds,
            values["engine_context"], values["module_build"]);
    }

    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);

    // The muxer of the runtime running us (…/dotnet/shared/Microsoft.NETCore.App/<version>/ → …/dotnet/dotnet), so the
    // child runs on the same runtime; `dotnet exec` is what accepts --depsfile.
    public static string DotnetHost()
    {
        string runtime = RuntimeEnvironment.GetRuntimeDirectory();
        string root = Path.GetFullPath(Path.Combine(runtime, "..", "..", ".."));
        string host = Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
        return File.Exists(host) ? host : "dotnet";
    }

    /// <summary>
    /// The child: open a PowerShell runspace, run one trivial pipeline (an interactive shell is this warm before the
    /// user's first command), then time Import-Module alone, then one Get-IsmsPerson.
    /// </summary>
    public static int RunChild(string manifest)
    {
        using Runspace runspace = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        runspace.Open();
        using System.Management.Automation.PowerShell shell = System.Management.Automation.PowerShell.Create(runspace);
        Invoke(shell, s => s.AddScript("$null = 1"));

        Timing timing = Timing.Start();
        Invoke(shell, s => s.AddCommand("Import-Module").AddParameter("Name", manifest).AddParameter("ErrorAction", "Stop"));
        TimeSpan import = timing.Elapsed;
        TimeSpan importCpu = timing.Cpu;
        Invoke(shell, s => s.AddCommand("Get-IsmsPerson"));
        TimeSpan firstCommand = timing.Elapsed;

        // The import must have gone through the module's own isolation: the engine in its private context, never ours.
        Assembly? engine = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "IsmsOps.Engine");
        AssemblyLoadContext? engineContext = engine is null ? null : AssemblyLoadContext.GetLoadContext(engine);
        if (engineContext is null || engineContext == AssemblyLoadContext.Default)
        {
            Console.Error.WriteLine($"The engine was loaded into the wrong context: {engineContext?.Name ?? "not loaded"}.");
            return 3;
        }

        Assembly cmdlets = AppDomain.CurrentDomain.GetAssemblies().First(a => a.GetName().Name == "IsmsOps.PowerShell");
        bool optimized = cmdlets.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled != true;
        Console.WriteLine(FormattableString.Invariant($"import_ms={import.TotalMilliseconds}"));
        Console.WriteLine(FormattableString.Invariant($"import_cpu_ms={importCpu.TotalMilliseconds}"));
        Console.WriteLine(FormattableString.Invariant($"first_command_ms={firstCommand.TotalMilliseconds}"));
        Console.WriteLine($"engine_context={engineContext.Name}");
        Console.WriteLine($"module_build={(optimized ? "Release" : "Debug")}");
        return 0;
    }

    private static void Invoke(System.Management.Automation.PowerShell shell, Action<System.Management.Automation.PowerShell> build)
    {
        shell.Commands.Clear();
        shell.Streams.ClearStreams();
        build(shell);
        shell.Invoke();
        if (shell.HadErrors)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, shell.Streams.Error.Select(e => e.ToString())));
        }
    }
}
