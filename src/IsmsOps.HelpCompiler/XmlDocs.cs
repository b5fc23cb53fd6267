using System.Reflection;
using System.Xml.Linq;

namespace IsmsOps.HelpCompiler;

/// <summary>
/// The compiler-written XML doc files: the cmdlet assembly's (given explicitly), and for types from other assemblies
/// (the engine's output types) the file of that assembly's name beside it, when the build put one there.
/// </summary>
internal sealed class XmlDocs(Assembly cmdletAssembly, string cmdletDocPath)
{
    private readonly string _folder = Path.GetDirectoryName(cmdletDocPath)!;
    private readonly Dictionary<string, Dictionary<string, XElement>?> _byAssembly = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The &lt;member&gt; element of a type, or null when it has none.</summary>
    public XElement? Of(Type type) => Member(type.Assembly, "T:" + DocId(type));

    /// <summary>The &lt;member&gt; element of a property, or null when it has none.</summary>
    public XElement? Of(PropertyInfo property) => Member(property.DeclaringType!.Assembly, $"P:{DocId(property.DeclaringType)}.{property.Name}");

    // Doc ids write nested types with '.', where reflection writes '+'.
    private static string DocId(Type type) => type.FullName!.Replace('+', '.');

    private XElement? Member(Assembly assembly, string id)
    {
        string name = assembly.GetName().Name!;
        if (!_byAssembly.TryGetValue(name, out Dictionary<string, XElement>? members))
        {
            string file = assembly == cmdletAssembly ? cmdletDocPath : Path.Combine(_folder, name + ".xml");
            members = File.Exists(file) ? Load(file) : null;
            _byAssembly[name] = members;
        }

        return members?.GetValueOrDefault(id);
    }

    // Whitespace is kept: the space in "<c>a</c> <c>b</c>" and the indentation before <code> both matter.
    private static Dictionary<string, XElement> Load(string file) =>
        XDocument.Load(file, LoadOptions.PreserveWhitespace).Root!.Element("members")!.Elements("member")
            .GroupBy(member => (string)member.Attribute("name")!, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.First(), StringComparer.Ordinal);
}
