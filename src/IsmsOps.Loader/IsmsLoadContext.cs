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
/// bin/deps, so <see cref="Load"/> returns null and the default context answers) and IsmsOps.PowerShell itself (it
/// lives in bin/, not bin/deps). Nothing else is shared.
/// </remarks>
internal sealed class IsmsLoadContext : AssemblyLoadContext
{
    private readonly IReadOnlyList<string> _runtimeIdentifiers = DependencyProbe.RuntimeIdentifiersForThisProcess();

    public IsmsLoadContext(string dependencyDirectory)
        : base("IsmsOps", isCollectible: false)
    {
        DependencyDirectory = dependencyDirectory;
    }

    public string DependencyDirectory { get; }

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        string? path = DependencyProbe.FindManagedAssembly(DependencyDirectory, assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        string? path = DependencyProbe.FindNativeLibrary(DependencyDirectory, unmanagedDllName, _runtimeIdentifiers);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }
}
