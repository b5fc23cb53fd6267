using System.Globalization;
using System.Text;
using System.Xml;

namespace IsmsOps.HelpCompiler;

/// <summary>
/// Writes MAML in the command:command shape Get-Help reads from &lt;assembly&gt;-Help.xml: details (name, verb, noun,
/// synopsis), description, syntax (one item per parameter set), parameters, input types, return values, examples and
/// related links.
/// </summary>
internal static class MamlWriter
{
    private const string Msh = "http://msh";
    private const string Maml = "http://schemas.microsoft.com/maml/2004/10";
    private const string Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private const string Dev = "http://schemas.microsoft.com/maml/dev/2004/10";

    public static void Write(IReadOnlyList<CommandHelp> commands, string path)
    {
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false) };
        using XmlWriter xml = XmlWriter.Create(path, settings);
        xml.WriteStartDocument();
        xml.WriteStartElement("helpItems", Msh);
        xml.WriteAttributeString("schema", "maml");
        foreach (CommandHelp command in commands)
        {
            WriteCommand(xml, command);
        }

        xml.WriteEndElement();
        xml.WriteEndDocument();
    }

    private static void WriteCommand(XmlWriter xml, CommandHelp command)
    {
        xml.WriteStartElement("command", "command", Command);
        xml.WriteAttributeString("xmlns", "maml", null, Maml);
        xml.WriteAttributeString("xmlns", "dev", null, Dev);

        xml.WriteStartElement("details", Command);
        xml.WriteElementString("name", Command, command.Name);
        xml.WriteElementString("verb", Command, command.Verb);
        xml.WriteElementString("noun", Command, command.Noun);
        WriteDescription(xml, [command.Synopsis]);
        xml.WriteEndElement();

        WriteDescription(xml, command.Description);

        xml.WriteStartElement("syntax", Command);
        foreach (SyntaxItem item in command.Syntax)
        {
            xml.WriteStartElement("syntaxItem", Command);
            xml.WriteElementString("name", Maml, command.Name);
            foreach ((ParameterHelp parameter, ParameterUse use) in item.Parameters)
            {
                WriteParameter(xml, parameter, use.Mandatory, use.Position, use.ByValue, use.ByPropertyName, inSyntax: true);
            }

            xml.WriteEndElement();
        }

        xml.WriteEndElement();

        xml.WriteStartElement("parameters", Command);
        foreach (ParameterHelp parameter in command.Parameters)
        {
            WriteParameter(xml, parameter, parameter.Required, parameter.Position, parameter.ByValue, parameter.ByPropertyName, inSyntax: false);
        }

        xml.WriteEndElement();

        WriteTypes(xml, "inputTypes", "inputType", command.Inputs);
        WriteTypes(xml, "returnValues", "returnValue", command.Outputs);

        xml.WriteStartElement("examples", Command);
        foreach (ExampleHelp example in command.Examples)
        {
            xml.WriteStartElement("example", Command);
            // Dashes set each example apart in Get-Help's plain-text output, as in PowerShell's own help.
            xml.WriteElementString("title", Maml, $"-------------------------- {example.Title} --------------------------");
            xml.WriteElementString("code", Dev, example.Code);
            xml.WriteStartElement("remarks", Dev);
            WriteParagraphs(xml, example.Remarks);
            xml.WriteEndElement();
            xml.WriteEndElement();
        }

        xml.WriteEndElement();

        xml.WriteStartElement("relatedLinks", Command);
        foreach (RelatedLink link in command.RelatedLinks)
        {
            xml.WriteStartElement("navigationLink", Maml);
            xml.WriteElementString("linkText", Maml, link.Text);
            xml.WriteElementString("uri", Maml, link.Uri ?? "");
            xml.WriteEndElement();
        }

        xml.WriteEndElement();
        xml.WriteEndElement();
    }

    /// <summary>
    /// One command:parameter. A switch has no value in syntax (Get-Help shows [-PassThru]); enum and [ValidateSet]
    /// values form a value group, which syntax shows as {Employee | Contractor | ...}.
    /// </summary>
    private static void WriteParameter(XmlWriter xml, ParameterHelp parameter, bool required, int? position, bool byValue, bool byPropertyName, bool inSyntax)
    {
        xml.WriteStartElement("parameter", Command);
        xml.WriteAttributeString("required", required ? "true" : "false");
        xml.WriteAttributeString("variableLength", parameter.FullTypeName.EndsWith("[]", StringComparison.Ordinal) ? "true" : "false");
        xml.WriteAttributeString("globbing", parameter.SupportsWildcards ? "true" : "false");
        xml.WriteAttributeString("pipelineInput", PipelineInput(byValue, byPropertyName));
        xml.WriteAttributeString("position", position?.ToString(CultureInfo.InvariantCulture) ?? "named");
        xml.WriteAttributeString("aliases", parameter.Aliases.Count > 0 ? string.Join(", ", parameter.Aliases) : "none");
        xml.WriteElementString("name", Maml, parameter.Name);
        WriteDescription(xml, parameter.Description);
        if (!inSyntax || (!parameter.IsSwitch && parameter.PossibleValues.Count == 0))
        {
            WriteParameterValue(xml, parameter.TypeName, required: !parameter.IsSwitch);
        }

        if (parameter.PossibleValues.Count > 0)
        {
            xml.WriteStartElement("parameterValueGroup", Command);
            foreach (string value in parameter.PossibleValues)
            {
                WriteParameterValue(xml, value, required: false);
            }

            xml.WriteEndElement();
        }

        xml.WriteStartElement("type", Dev);
        xml.WriteElementString("name", Maml, parameter.FullTypeName);
        xml.WriteEndElement();
        xml.WriteElementString("defaultValue", Dev, parameter.DefaultValue ?? "None");
        xml.WriteEndElement();
    }

    private static void WriteParameterValue(XmlWriter xml, string text, bool required)
    {
        xml.WriteStartElement("parameterValue", Command);
        xml.WriteAttributeString("required", required ? "true" : "false");
        xml.WriteAttributeString("variableLength", "false");
        xml.WriteString(text);
        xml.WriteEndElement();
    }

    private static string PipelineInput(bool byValue, bool byPropertyName) => (byValue, byPropertyName) switch
    {
        (true, true) => "True (ByValue, ByPropertyName)",
        (true, false) => "True (ByValue)",
        (false, true) => "True (ByPropertyName)",
        _ => "False",
    };

    private static void WriteTypes(XmlWriter xml, string listElement, string itemElement, IReadOnlyList<TypeHelp> types)
    {
        xml.WriteStartElement(listElement, Command);
        foreach (TypeHelp type in types)
        {
            xml.WriteStartElement(itemElement, Command);
            xml.WriteStartElement("type", Dev);
            xml.WriteElementString("name", Maml, type.TypeName);
            xml.WriteEndElement();
            WriteDescription(xml, type.Description);
            xml.WriteEndElement();
        }

        xml.WriteEndElement();
    }

    private static void WriteDescription(XmlWriter xml, IReadOnlyList<string> paragraphs)
    {
        xml.WriteStartElement("description", Maml);
        WriteParagraphs(xml, paragraphs);
        xml.WriteEndElement();
    }

    private static void WriteParagraphs(XmlWriter xml, IReadOnlyList<string> paragraphs)
    {
        foreach (string paragraph in paragraphs)
        {
            xml.WriteElementString("para", Maml, paragraph);
        }
    }
}
