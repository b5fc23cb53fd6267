using System.Globalization;
using System.Management.Automation;
using System.Reflection;
using System.Xml.Linq;

namespace IsmsOps.HelpCompiler;

/// <summary>
/// Builds each cmdlet's help from its attributes (the facts: parameter sets, binding, aliases, types) and its XML doc
/// comment (the prose). It records every documentation gap in <see cref="Problems"/> rather than stopping at the first,
/// so one build lists all of them.
/// </summary>
internal sealed class CommandHelpReader
{
    private const string AllSets = ParameterAttribute.AllParameterSets;

    private readonly IReadOnlyList<CmdletType> _cmdlets;
    private readonly XmlDocs _docs;
    private readonly DocMarkup _markup;
    private readonly Dictionary<string, string> _cmdletNamesByDocId;
    private readonly List<HelpProblem> _problems = [];

    public CommandHelpReader(IReadOnlyList<CmdletType> cmdlets, XmlDocs docs)
    {
        _cmdlets = cmdlets;
        _docs = docs;
        _cmdletNamesByDocId = cmdlets.ToDictionary(cmdlet => cmdlet.Type.FullName!.Replace('+', '.'), cmdlet => cmdlet.Name, StringComparer.Ordinal);
        _markup = new DocMarkup(CrefText);
    }

    public IReadOnlyList<HelpProblem> Problems => _problems;

    public IReadOnlyList<CommandHelp> ReadAll() => _cmdlets.Select(Read).ToList();

    private CommandHelp Read(CmdletType cmdlet)
    {
        XElement? doc = _docs.Of(cmdlet.Type);
        IReadOnlyList<string> synopsis = Prose(doc?.Element("summary"));
        IReadOnlyList<string> description = Prose(doc?.Element("remarks"));
        List<XElement> examples = doc?.Elements("example").ToList() ?? [];
        string where = $"the XML doc comment of class {cmdlet.Type.Name}";
        if (synopsis.Count == 0)
        {
            Problem(cmdlet.Type, $"{cmdlet.Name} has no <summary> (its synopsis) in {where}.");
        }

        if (description.Count == 0)
        {
            Problem(cmdlet.Type, $"{cmdlet.Name} has no <remarks> (its description) in {where}.");
        }

        if (examples.Count == 0)
        {
            Problem(cmdlet.Type, $"{cmdlet.Name} has no <example> in {where}; add at least one, with <code> and a <para> saying what it does.");
        }

        for (int i = 0; i < examples.Count; i++)
        {
            if (!examples[i].Elements("code").Any(code => code.Value.Trim().Length > 0))
            {
                Problem(cmdlet.Type, $"{cmdlet.Name} example {i + 1} has no <code> in {where}.");
            }
        }

        List<string> sets = ParameterSets(cmdlet);
        List<ParameterHelp> parameters = ReadParameters(cmdlet, sets);
        return new CommandHelp
        {
            Name = cmdlet.Name,
            Verb = cmdlet.Attribute.VerbName,
            Noun = cmdlet.Attribute.NounName,
            Synopsis = string.Join(" ", synopsis),
            Description = description,
            Syntax = sets.Select(set => SyntaxOf(set, parameters)).ToList(),
            Parameters = parameters,
            Inputs = Inputs(parameters),
            Outputs = Outputs(cmdlet),
            Examples = examples.Select((example, i) => Example(example, i + 1)).ToList(),
            RelatedLinks = RelatedLinks(cmdlet, doc),
        };
    }

    /// <summary>
    /// The parameter sets, the default first. A DefaultParameterSetName that no parameter names is still a set
    /// (PowerShell binds it with the parameters common to all sets), so it gets its own syntax line.
    /// </summary>
    private static List<string> ParameterSets(CmdletType cmdlet)
    {
        List<string> sets = cmdlet.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .SelectMany(property => property.GetCustomAttributes<ParameterAttribute>())
            .Select(attribute => attribute.ParameterSetName)
            .Where(set => set != AllSets)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        if (sets.Count == 0)
        {
            return [AllSets];
        }

        if (cmdlet.Attribute.DefaultParameterSetName is { Length: > 0 } defaultSet)
        {
            sets.RemoveAll(set => string.Equals(set, defaultSet, StringComparison.OrdinalIgnoreCase));
            sets.Insert(0, defaultSet);
        }

        return sets;
    }

    private List<ParameterHelp> ReadParameters(CmdletType cmdlet, List<string> sets)
    {
        object? fresh = NewInstance(cmdlet.Type);
        var parameters = new List<ParameterHelp>();
        foreach (PropertyInfo property in cmdlet.Type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            List<ParameterAttribute> attributes = property.GetCustomAttributes<ParameterAttribute>().ToList();
            if (attributes.Count == 0)
            {
                continue;
            }

            IReadOnlyList<string> description = Prose(_docs.Of(property)?.Element("summary"));
            if (description.Count == 0)
            {
                Problem(property, $"{cmdlet.Name} parameter -{property.Name} has no <summary> in the XML doc comment of {property.DeclaringType!.Name}.{property.Name}.");
            }

            List<ParameterUse> uses = sets
                .Select(set => (Set: set, Attribute: attributes.FirstOrDefault(a => string.Equals(a.ParameterSetName, set, StringComparison.OrdinalIgnoreCase))
                    ?? attributes.FirstOrDefault(a => a.ParameterSetName == AllSets)))
                .Where(found => found.Attribute is not null)
                .Select(found => new ParameterUse(found.Set, found.Attribute!.Mandatory, found.Attribute.Position >= 0 ? found.Attribute.Position : null,
                    found.Attribute.ValueFromPipeline, found.Attribute.ValueFromPipelineByPropertyName))
                .ToList();
            Type type = property.PropertyType;
            parameters.Add(new ParameterHelp
            {
                Name = property.Name,
                TypeName = TypeName(type, qualified: false),
                FullTypeName = TypeName(type, qualified: true),
                IsSwitch = type == typeof(SwitchParameter),
                Description = description,
                Aliases = property.GetCustomAttributes<AliasAttribute>().SelectMany(alias => alias.AliasNames).ToList(),
                SupportsWildcards = property.IsDefined(typeof(SupportsWildcardsAttribute)),
                DefaultValue = fresh is null || uses.All(use => use.Mandatory) ? null : DefaultValue(property.GetValue(fresh)),
                PossibleValues = PossibleValues(property),
                Uses = uses,
            });
        }

        if (cmdlet.Attribute.SupportsShouldProcess)
        {
            // PowerShell adds these two; they are not common parameters, so help must describe them.
            parameters.Add(ShouldProcessSwitch("WhatIf", "wi", "Shows what the cmdlet would change, without changing anything.", sets));
            parameters.Add(ShouldProcessSwitch("Confirm", "cf", "Asks you to confirm before the cmdlet changes anything.", sets));
        }

        (fresh as IDisposable)?.Dispose();
        return parameters;
    }

    /// <summary>
    /// A fresh cmdlet shows the defaults its property initialisers set (EmploymentType = Employee). Cmdlet
    /// constructors do no work, so creating one is safe, and it keeps "default value" true without reading source.
    /// </summary>
    private static object? NewInstance(Type type)
    {
        try
        {
            return Activator.CreateInstance(type);
        }
        catch (TargetInvocationException)
        {
            return null;
        }
    }

    private static string? DefaultValue(object? value) => value switch
    {
        SwitchParameter switchParameter => switchParameter.IsPresent ? "True" : "False",
        null or "" => null,
        Array { Length: 0 } => null,
        Array array => string.Join(", ", array.Cast<object>().Select(item => Convert.ToString(item, CultureInfo.InvariantCulture))),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture),
    };

    private static IReadOnlyList<string> PossibleValues(PropertyInfo property)
    {
        if (property.GetCustomAttribute<ValidateSetAttribute>() is { } validateSet)
        {
            return validateSet.ValidValues.ToList();
        }

        Type type = property.PropertyType.IsArray ? property.PropertyType.GetElementType()! : property.PropertyType;
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type.IsEnum ? Enum.GetNames(type) : [];
    }

    private static ParameterHelp ShouldProcessSwitch(string name, string alias, string description, List<string> sets) => new()
    {
        Name = name,
        TypeName = nameof(SwitchParameter),
        FullTypeName = typeof(SwitchParameter).FullName!,
        IsSwitch = true,
        Description = [description],
        Aliases = [alias],
        SupportsWildcards = false,
        DefaultValue = "False",
        PossibleValues = [],
        Uses = sets.Select(set => new ParameterUse(set, Mandatory: false, Position: null, ByValue: false, ByPropertyName: false)).ToList(),
    };

    /// <summary>PowerShell's own order: positional parameters by position, then mandatory ones, then the rest as declared.</summary>
    private static SyntaxItem SyntaxOf(string set, List<ParameterHelp> parameters) => new(set,
        parameters
            .Select(parameter => (Parameter: parameter, Use: parameter.Uses.FirstOrDefault(use => use.ParameterSet == set)))
            .Where(entry => entry.Use is not null)
            .Select(entry => (entry.Parameter, Use: entry.Use!))
            .OrderBy(entry => entry.Use.Position ?? int.MaxValue)
            .ThenBy(entry => entry.Use.Mandatory ? 0 : 1)
            .ToList());

    private static List<TypeHelp> Inputs(List<ParameterHelp> parameters)
    {
        List<TypeHelp> inputs = parameters
            .Where(parameter => parameter.ByValue || parameter.ByPropertyName)
            .GroupBy(parameter => parameter.FullTypeName)
            .Select(group => new TypeHelp(group.Key, group.Select(PipelineBinding).ToList()))
            .ToList();
        return inputs.Count > 0 ? inputs : [new TypeHelp("None", ["You cannot pipe objects to this cmdlet."])];
    }

    private static string PipelineBinding(ParameterHelp parameter)
    {
        string properties = string.Join(" or ", parameter.Aliases.Prepend(parameter.Name));
        return (parameter.ByValue, parameter.ByPropertyName) switch
        {
            (true, true) => $"-{parameter.Name} takes piped values of this type, and the {properties} property of piped objects.",
            (true, false) => $"-{parameter.Name} takes piped values of this type.",
            _ => $"-{parameter.Name} takes the {properties} property of piped objects.",
        };
    }

    private List<TypeHelp> Outputs(CmdletType cmdlet) =>
        cmdlet.Type.GetCustomAttributes<OutputTypeAttribute>()
            .SelectMany(attribute => attribute.Type)
            .Select(output => output.Type is { } type ? new TypeHelp(TypeName(type, qualified: true), Prose(_docs.Of(type)?.Element("summary"))) : new TypeHelp(output.Name, []))
            .DistinctBy(output => output.TypeName)
            .ToList();

    private ExampleHelp Example(XElement example, int number)
    {
        var remarks = new XElement(example);
        remarks.Elements("code").Remove();
        string code = string.Join("\n", example.Elements("code").Select(DocMarkup.Code));
        return new ExampleHelp($"Example {number}", code, _markup.Paragraphs(remarks));
    }

    /// <summary>&lt;seealso&gt; links from the docs, then the other cmdlets with the same noun.</summary>
    private List<RelatedLink> RelatedLinks(CmdletType cmdlet, XElement? doc)
    {
        IEnumerable<RelatedLink> seeAlso = (doc?.Elements("seealso") ?? []).Select(link => link.Attribute("href") is { } href
            ? new RelatedLink(link.Value.Trim() is { Length: > 0 } text ? text : href.Value, href.Value)
            : new RelatedLink(CrefText((string?)link.Attribute("cref") ?? link.Value), null));
        IEnumerable<RelatedLink> sameNoun = _cmdlets
            .Where(other => other != cmdlet && string.Equals(other.Attribute.NounName, cmdlet.Attribute.NounName, StringComparison.OrdinalIgnoreCase))
            .Select(other => new RelatedLink(other.Name, null));
        return seeAlso.Concat(sameNoun).DistinctBy(link => link.Text, StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>A cref as a PowerShell user knows it: a cmdlet class by its command name, its parameter as -Name.</summary>
    private string CrefText(string cref)
    {
        string id = cref.Length > 2 && cref[1] == ':' ? cref[2..] : cref;
        id = id.Split('(')[0];
        if (_cmdletNamesByDocId.TryGetValue(id, out string? command))
        {
            return command;
        }

        int dot = id.LastIndexOf('.');
        string member = id[(dot + 1)..].Split('`')[0];
        return cref.StartsWith("P:", StringComparison.Ordinal) && dot > 0 && _cmdletNamesByDocId.ContainsKey(id[..dot]) ? "-" + member : member;
    }

    private IReadOnlyList<string> Prose(XElement? element) => element is null ? [] : _markup.Paragraphs(element);

    private void Problem(MemberInfo member, string message) => _problems.Add(new HelpProblem(member, message));

    /// <summary>A type as help shows it: Nullable unwrapped (DateTime, not Nullable`1), arrays as T[], generics as T[A].</summary>
    private static string TypeName(Type type, bool qualified)
    {
        if (Nullable.GetUnderlyingType(type) is { } underlying)
        {
            return TypeName(underlying, qualified);
        }

        if (type.IsArray)
        {
            return TypeName(type.GetElementType()!, qualified) + "[]";
        }

        if (!type.IsGenericType)
        {
            return qualified ? type.FullName ?? type.Name : type.Name;
        }

        string name = (qualified ? $"{type.Namespace}.{type.Name}" : type.Name).Split('`')[0];
        return $"{name}[{string.Join(", ", type.GetGenericArguments().Select(argument => TypeName(argument, qualified)))}]";
    }
}
