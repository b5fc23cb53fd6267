namespace IsmsOps.Host;

/// <summary>The <c>isms</c> entry point: parse the command line, find and import the module, run the script.</summary>
internal static class Program
{
    /// <summary>Exit code when the host cannot start: bad arguments or no module to import.</summary>
    private const int CannotStart = 2;

    /// <summary>The engine's release (7.6.9); its assembly version stops at the minor release (7.6.0.0).</summary>
    private static string EngineVersion() =>
        typeof(System.Management.Automation.PSObject).Assembly
            .GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .OfType<System.Reflection.AssemblyInformationalVersionAttribute>()
            .Select(a => a.InformationalVersion.Split(' ', '+')[0])
            .FirstOrDefault() ?? "unknown";

    public static int Main(string[] args)
    {
        HostArguments arguments;
        try
        {
            arguments = HostArguments.Parse(args);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine("isms: " + ex.Message);
            return CannotStart;
        }

        if (arguments.Mode == HostMode.Help)
        {
            Console.Out.WriteLine(HostArguments.Usage);
            return 0;
        }

        ModuleLocation? module = ModuleLocation.Find(out string searched);
        if (arguments.Mode == HostMode.Version)
        {
            Console.Out.WriteLine($"isms {IsmsHost.DisplayVersion} (PowerShell {EngineVersion()})");
            Console.Out.WriteLine(module is null ? $"IsmsOps module: not found in {searched}" : $"IsmsOps {module.ModuleVersion} ({module.ManifestPath})");
            return 0;
        }

        if (module is null && !arguments.NoImport)
        {
            Console.Error.WriteLine(
                $"isms: the IsmsOps module was not found. Looked in {searched} for IsmsOps.psd1 (or <version>/IsmsOps.psd1)."
                + Environment.NewLine
                + "  Fix: build the solution (dotnet build IsmsOps.sln), which assembles out/IsmsOps/<version>/ next to out/isms/, "
                + $"or set {ModuleLocation.PathVariable} to the folder that holds IsmsOps.psd1.");
            return CannotStart;
        }

        var host = new IsmsHost();
        using var runner = new ScriptRunner(host);
        if (module?.ModulePathEntry is { } entry)
        {
            runner.PrependModulePath(entry);
        }

        if (!arguments.NoImport && !runner.ImportModule(module!.ManifestPath))
        {
            return CannotStart;
        }

        return arguments.Mode switch
        {
            HostMode.Command => runner.RunCommand(arguments.Script!),
            HostMode.File => runner.RunFile(arguments.Script!, arguments.ScriptArguments),
            _ => runner.RunInteractive(),
        };
    }
}
