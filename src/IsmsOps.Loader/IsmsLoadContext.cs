using System.Reflection;
using System.Runtime.Loader;

namespace IsmsOps.Loader;

/// <summary>
/// The private load context that holds IsmsOps.Engine and every third-party assembly it needs, all from the module's
/// own <c>bin/deps</c> folder. Another module in the session may have loaded different versions of the same
/// libraries (Microsoft.Graph, Az, YamlDotNet, SQLite); neither side sees the other's copies.
/// </summary>
/// <remarks>
/// Shared with the default context, by construction: System.Management.Automation and the framework (they are not in
/// bin/deps, so <see cref="Load"/> returns null and the default context answers), framework assemblies that bin/deps
/// also carries when the running framework's copy is as new (<see cref="DependencyProbe.PreferFramework"/>), and
/// IsmsOps.PowerShell itself (it lives in bin/, not bin/deps). Nothing else is shared.
/// </remarks>
internal sealed class IsmsLoadContext : AssemblyLoadContext
{
    private readonly IReadOnlyList<string> _runtimeIdentifiers = DependencyProbe.RuntimeIdentifiersForThisProcess();
    private readonly IReadOnlyDictionary<string, string> _framework = DependencyProbe.FrameworkAssemblies(
        AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string, System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory());

    public IsmsLoadContext(string dependencyDirectory)
        : base("IsmsOps", isCollectible: false)
    {
        DependencyDirectory = dependencyDirectory;
    }

    public string DependencyDirectory { get; }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        string? path = DependencyProbe.FindManagedAssembly(DependencyDirectory, assemblyName);
        if (path is null)
        {
            return null;
        }

        if (_framework.TryGetValue(assemblyName.Name!, out string? frameworkPath)
            && DependencyProbe.PreferFramework(VersionOf(path), VersionOf(frameworkPath)))
        {
            return null; // the default context loads the framework's copy
        }

        return LoadFromAssemblyPath(path);
    }

    private static Version? VersionOf(string path)
    {
        try
        {
            return AssemblyName.GetAssemblyName(path).Version;
        }
        catch (Exception e) when (e is IOException or BadImageFormatException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        string? path = DependencyProbe.FindNativeLibrary(DependencyDirectory, unmanagedDllName, _runtimeIdentifiers);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
