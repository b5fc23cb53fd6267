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
