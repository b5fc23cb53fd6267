using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace IsmsOps.HelpCompiler;

/// <summary>
/// Turns XML doc markup into the plain paragraphs MAML holds. As in the C# source, a line break inside a paragraph is
/// only a space; &lt;para&gt; and blank lines start a new paragraph; &lt;code&gt; keeps its lines, without the
/// indentation the comment had; references become the names a PowerShell user knows (see <paramref name="crefText"/>).
/// </summary>
/// <param name="crefText">Turns a cref such as T:Ns.GetIsmsPersonCommand into the text to show (Get-IsmsPerson).</param>
internal sealed partial class DocMarkup(Func<string, string> crefText)
{
    /// <summary>The paragraphs of an element's content.</summary>
    public IReadOnlyList<string> Paragraphs(XElement element)
    {
        var paragraphs = new List<string>();
        var current = new StringBuilder();
        AppendBlocks(element.Nodes(), paragraphs, current);
        Flush(paragraphs, current);
        return paragraphs;
    }

    /// <summary>An element's content as one line (a synopsis, a parameter's short description).</summary>
    public string Line(XElement element) => string.Join(" ", Paragraphs(element));

    /// <summary>A code sample: lines kept, trailing spaces and the comment's own indentation removed.</summary>
    public static string Code(XElement code)
    {
        List<string> lines = code.Value.Replace("\r", "", StringComparison.Ordinal).Split('\n').Select(line => line.TrimEnd()).ToList();

        // The doc file indents every line of a comment alike. Code that starts on the tag's line (<code>Get-X |) has no
        // such indentation on its first line; the others lose as much as the tag's line has, keeping their own.
        bool startsOnTagLine = lines[0].Length > 0;
        int first = startsOnTagLine ? 1 : 0;
        int indent = (startsOnTagLine ? IndentOfTagLine(code) : null)
            ?? lines.Skip(first).Where(line => line.Length > 0).Select(IndentOf).DefaultIfEmpty(0).Min();
        for (int i = first; i < lines.Count; i++)
        {
            lines[i] = lines[i][Math.Min(indent, IndentOf(lines[i]))..];
        }

        return string.Join("\n", lines.SkipWhile(line => line.Length == 0).Reverse().SkipWhile(line => line.Length == 0).Reverse());
    }

    private static int IndentOf(string line) => line.Length - line.TrimStart().Length;

    /// <summary>The indentation of the line an element starts on, when only whitespace comes before it there.</summary>
    private static int? IndentOfTagLine(XElement element)
    {
        string before = element.PreviousNode is XText text ? text.Value : "";
        int lineStart = before.LastIndexOf('\n');
        return lineStart >= 0 && before[(lineStart + 1)..].Trim().Length == 0 ? before.Length - lineStart - 1 : null;
    }

    private void AppendBlocks(IEnumerable<XNode> nodes, List<string> paragraphs, StringBuilder current)
    {
        foreach (XNode node in nodes)
        {
            switch (node)
            {
                case XText text:
                    string[] pieces = BlankLine().Split(text.Value);
                    for (int i = 0; i < pieces.Length; i++)
                    {
                        if (i > 0)
                        {
                            Flush(paragraphs, current);
                        }

                        current.Append(pieces[i]);
                    }

                    break;
                case XElement { Name.LocalName: "para" } para:
                    Flush(paragraphs, current);
                    AppendBlocks(para.Nodes(), paragraphs, current);
                    Flush(paragraphs, current);
                    break;
                case XElement { Name.LocalName: "code" } code:
                    Flush(paragraphs, current);
                    paragraphs.Add(Code(code));
                    break;
                case XElement { Name.LocalName: "list" } list:
                    Flush(paragraphs, current);
                    foreach (XElement item in list.Elements("item"))
                    {
                        // <term> and <description> read as "term: description" in plain text.
                        current.Append("- ").Append(string.Join(": ", item.Elements().Select(Inline)));
                        Flush(paragraphs, current);
                    }

                    break;
                case XElement element:
                    current.Append(Inline(element));
                    break;
            }
        }
    }

    private string Inline(XElement element)
    {
        if (element.Attribute("cref") is { } cref)
        {
            return crefText(cref.Value);
        }

        if (element.Attribute("langword") is { } langword)
        {
            // The C# keywords a cmdlet's docs mention, as PowerShell spells them.
            return langword.Value switch { "null" => "$null", "true" => "$true", "false" => "$false", _ => langword.Value };
        }

        if (element.Attribute("href") is { } href)
        {
            return element.IsEmpty ? href.Value : $"{InlineContent(element)} ({href.Value})";
        }

        if (element.Name.LocalName is "paramref" or "typeparamref" && element.Attribute("name") is { } name)
        {
            return name.Value;
        }

        // <c>, <b>, <i>, <term>, <description> and anything unknown: their text.
        return InlineContent(element);
    }

    private string InlineContent(XElement element) =>
        string.Concat(element.Nodes().Select(node => node switch { XText text => text.Value, XElement child => Inline(child), _ => "" }));

    private static void Flush(List<string> paragraphs, StringBuilder current)
    {
        string paragraph = Whitespace().Replace(current.ToString(), " ").Trim();
        if (paragraph.Length > 0)
        {
            paragraphs.Add(paragraph);
        }

        current.Clear();
    }

    [GeneratedRegex(@"\r?\n[ \t]*\r?\n")]
    private static partial Regex BlankLine();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
