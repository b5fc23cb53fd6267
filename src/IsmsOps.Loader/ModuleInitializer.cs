using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace IsmsOps.Loader;

/// <summary>
/// Runs when PowerShell imports the module: sends every request for IsmsOps.Engine to the private load context.
/// Kept tiny on purpose; import time is a budget (bench/, at most 0.5 s), and no engine type is touched here.
/// </summary>
/// <remarks>
/// This lives in its own nested module because PowerShell enumerates a binary module's exported types before it calls
/// that module's initializer, and the cmdlets' types need the engine to load. The manifest lists this assembly in
/// NestedModules, which PowerShell imports (and initialises) before the root module.
/// </remarks>
public sealed class ModuleInitializer : IModuleAssemblyInitializer
{
    private const string EngineAssemblyName = "IsmsOps.Engine";
    private static readonly object Gate = new();
    private static IsmsLoadContext? s_context;

    /// <summary>Called by PowerShell when the module is imported.</summary>
    public void OnImport()
    {
        lock (Gate)
        {
            if (s_context is not null)
            {
                return;
            }

            string binDirectory = Path.GetDirectoryName(typeof(ModuleInitializer).Assembly.Location)!;
            // Once hooked, the handler stays for the life of the process: PowerShell cannot unload assemblies, so a
            // re-import reuses the engine already loaded in the private context.
            s_context = new IsmsLoadContext(Path.Combine(binDirectory, "deps"));
            AssemblyLoadContext.Default.Resolving += ResolveEngine;
        }
    }

    private static Assembly? ResolveEngine(AssemblyLoadContext defaultContext, AssemblyName name)
    {
        // Only the engine crosses over; its own dependencies then resolve inside the private context.
        if (!string.Equals(name.Name, EngineAssemblyName, StringComparison.Ordinal) || s_context is null)
        {
            return null;
        }

        return s_context.LoadFromAssemblyName(name);
    }
}
