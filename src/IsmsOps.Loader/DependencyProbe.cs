using System.Reflection;
using System.Runtime.InteropServices;

namespace IsmsOps.Loader;

/// <summary>
/// The resolver rules for the private load context, as pure functions of a folder and a name so they can be reasoned
/// about (and tested) apart from the loader.
/// </summary>
internal static class DependencyProbe
{
    /// <summary>The managed assembly file for <paramref name="name"/> in the dependency folder, or null.</summary>
    public static string? FindManagedAssembly(string dependencyDirectory, AssemblyName name)
    {
        if (string.IsNullOrEmpty(name.Name))
        {
            return null;
        }

        string candidate = Path.Combine(dependencyDirectory, name.Name + ".dll");
        return File.Exists(candidate) ? candidate : null;
    }

    /// <summary>
    /// Whether the runtime's own copy of an assembly should be used instead of the one in bin/deps: when the framework
    /// ships it at the same or a higher version. Graph's dependency closure drops framework assemblies (System.Text.Json,
    /// System.Diagnostics.DiagnosticSource, System.Formats.Asn1, ...) into bin/deps for net8.0 hosts, where the
    /// framework's are older; on a newer runtime a private second copy would only split types (an Activity or a
    /// JsonElement from one copy is not the other's) for no gain.
    /// </summary>
    public static bool PreferFramework(Version? privateVersion, Version? frameworkVersion) =>
        frameworkVersion is not null && (privateVersion is null || frameworkVersion >= privateVersion);

    /// <summary>
    /// The framework's assemblies, by simple name: the entries of the trusted platform assembly list
    /// (<paramref name="trustedPlatformAssemblies"/>, the runtime's TRUSTED_PLATFORM_ASSEMBLIES) that sit in
    /// <paramref name="runtimeDirectory"/>. The host application's own dependencies (pwsh's, a test host's) are on the
    /// same list but elsewhere, and are not the framework: sharing them would undo isolation.
    /// </summary>
    public static IReadOnlyDictionary<string, string> FrameworkAssemblies(string? trustedPlatformAssemblies, string runtimeDirectory)
    {
        var framework = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (string.IsNullOrEmpty(trustedPlatformAssemblies))
        {
            return framework;
        }

        string runtime = Path.TrimEndingDirectorySeparator(Path.GetFullPath(runtimeDirectory));
        foreach (string path in trustedPlatformAssemblies.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string? folder = Path.GetDirectoryName(path);
            if (folder is not null && string.Equals(Path.TrimEndingDirectorySeparator(folder), runtime, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal))
            {
                framework.TryAdd(Path.GetFileNameWithoutExtension(path), path);
            }
        }

        return framework;
    }

    /// <summary>
    /// The native library file for <paramref name="libraryName"/> (as a DllImport names it, e.g. "e_sqlite3") under
    /// <c>runtimes/&lt;rid&gt;/native</c>, trying the most specific runtime identifier first.
    /// </summary>
    public static string? FindNativeLibrary(string dependencyDirectory, string libraryName, IEnumerable<string> runtimeIdentifiers)
    {
        foreach (string rid in runtimeIdentifiers)
        {
            string folder = Path.Combine(dependencyDirectory, "runtimes", rid, "native");
            foreach (string fileName in NativeFileNames(libraryName))
            {
                string candidate = Path.Combine(folder, fileName);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>Runtime identifiers to probe, most specific first (e.g. linux-musl-x64, then linux-x64).</summary>
    public static IReadOnlyList<string> RuntimeIdentifiersForThisProcess()
    {
        string arch = RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        var rids = new List<string> { RuntimeInformation.RuntimeIdentifier };
        string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
        string portable = os + "-" + arch;
        if (!rids.Contains(portable))
        {
            rids.Add(portable);
        }

        return rids;
    }

    private static IEnumerable<string> NativeFileNames(string libraryName)
    {
        if (Path.HasExtension(libraryName) && (libraryName.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)
            || libraryName.Contains(".so", StringComparison.Ordinal) || libraryName.EndsWith(".dylib", StringComparison.Ordinal)))
        {
            yield return libraryName;
            yield break;
        }

        if (OperatingSystem.IsWindows())
        {
            yield return libraryName + ".dll";
        }
        else if (OperatingSystem.IsMacOS())
        {
            yield return "lib" + libraryName + ".dylib";
            yield return libraryName + ".dylib";
        }
        else
        {
            yield return "lib" + libraryName + ".so";
            yield return libraryName + ".so";
        }
    }
}
