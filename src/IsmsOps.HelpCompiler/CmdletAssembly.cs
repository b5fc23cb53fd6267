using System.Management.Automation;
using System.Reflection;
using System.Runtime.Loader;

namespace IsmsOps.HelpCompiler;

/// <summary>Loads the cmdlet assembly for reflection and finds its cmdlets.</summary>
internal static class CmdletAssembly
{
    /// <summary>
    /// Loads the assembly into this process's default context. Its own dependencies (the engine, whose enums are
    /// parameter types) are found beside it or in deps/, as the module lays them out. System.Management.Automation
    /// is deliberately never probed there: it must bind to this tool's copy so that the attributes on the cmdlets are
    /// the very types this tool asks for.
    /// </summary>
    public static Assembly Load(string path)
    {
        string folder = Path.GetDirectoryName(path)!;
        string[] probeFolders = [folder, Path.Combine(folder, "deps")];
        AssemblyLoadContext.Default.Resolving += (context, name) =>
        {
            // Resolving runs only after the default probe (this tool's own dependencies) has failed.
            string? file = probeFolders.Select(dir => Path.Combine(dir, name.Name + ".dll")).FirstOrDefault(File.Exists);
            return file is null ? null : context.LoadFromAssemblyPath(file);
        };

        return AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
    }

    /// <summary>Every public, concrete cmdlet class that has a [Cmdlet] attribute, ordered by command name.</summary>
    public static IReadOnlyList<CmdletType> FindCmdlets(Assembly assembly) =>
        assembly.GetExportedTypes()
            .Where(type => type is { IsClass: true, IsAbstract: false } && typeof(Cmdlet).IsAssignableFrom(type))
            .Select(type => (Type: type, Attribute: type.GetCustomAttribute<CmdletAttribute>()))
            .Where(found => found.Attribute is not null)
            .Select(found => new CmdletType(found.Type, found.Attribute!))
            .OrderBy(cmdlet => cmdlet.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();
}

/// <summary>A cmdlet class and its [Cmdlet] attribute.</summary>
internal sealed record CmdletType(Type Type, CmdletAttribute Attribute)
{
    public string Name => $"{Attribute.VerbName}-{Attribute.NounName}";
}
