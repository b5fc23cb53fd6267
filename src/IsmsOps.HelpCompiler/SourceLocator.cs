using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;

namespace IsmsOps.HelpCompiler;

/// <summary>
/// Finds where a cmdlet or parameter is declared, from the portable PDB beside the assembly, so that MSBuild (and an
/// editor) points a documentation error at the source line to fix. Null when there is no PDB or no sequence point.
/// </summary>
internal sealed class SourceLocator(string assemblyPath)
{
    private readonly Lazy<MetadataReader?> _pdb = new(() => OpenPdb(Path.ChangeExtension(assemblyPath, ".pdb")));

    /// <summary>"file(line)" for a property (its getter's line) or a type (the file of its first method with code).</summary>
    public string? Find(MemberInfo member)
    {
        if (_pdb.Value is not { } pdb)
        {
            return null;
        }

        IEnumerable<MethodBase> methods = member switch
        {
            PropertyInfo property => property.GetMethod is { } getter ? [getter] : [],
            Type type => type.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Concat<MethodBase>(type.GetConstructors(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance)),
            _ => [],
        };
        foreach (MethodBase method in methods)
        {
            var handle = MetadataTokens.MethodDebugInformationHandle(MetadataTokens.GetRowNumber(MetadataTokens.EntityHandle(method.MetadataToken)));
            SequencePoint? point = pdb.GetMethodDebugInformation(handle).GetSequencePoints().Cast<SequencePoint?>().FirstOrDefault(p => !p!.Value.IsHidden);
            if (point is { } found)
            {
                string file = pdb.GetString(pdb.GetDocument(found.Document).Name);
                return member is Type ? file : $"{file}({found.StartLine})";
            }
        }

        return null;
    }

    private static MetadataReader? OpenPdb(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            // The provider owns the bytes the reader points into; this process is short-lived, so it is never disposed.
            return MetadataReaderProvider.FromPortablePdbStream(File.OpenRead(path)).GetMetadataReader();
        }
        catch (BadImageFormatException)
        {
            return null;
        }
    }
}
