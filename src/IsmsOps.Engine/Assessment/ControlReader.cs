using IsmsOps.Engine.Assessment.Resources;
using IsmsOps.Engine.Policies;

namespace IsmsOps.Engine.Assessment;

/// <summary>The controls read from a set of files and the files or controls that could not be read.</summary>
public sealed class ControlSet
{
    public required IReadOnlyList<ControlDefinition> Controls { get; init; }

    public required IReadOnlyList<ControlLoadError> Errors { get; init; }

    /// <summary>The files read, in order.</summary>
    public required IReadOnlyList<string> Files { get; init; }
}

/// <summary>
/// Reads control files (<c>policies/controls/**/*.yaml</c>). Each file holds <c>controls:</c>, a list of controls, and
/// optionally <c>conditions:</c>, named conditions its controls share. Unknown keys are errors; a broken file, or a
/// broken control in a file, becomes a <see cref="ControlLoadError"/> with file:line:column while every other control
/// is read.
/// </summary>
public static class ControlReader
{
    /// <summary>Keys at the top of a control file.</summary>
    public static IReadOnlyList<string> FileKeys { get; } = ["controls", "conditions"];

    /// <summary>Keys of one control.</summary>
    public static IReadOnlyList<string> ControlKeys { get; } =
        ["id", "title", "objective", "severity", "resource", "references", "evidence", "parameters", "selector", "condition", "remediation", "tags"];

    /// <summary>Keys a control must have.</summary>
    public static IReadOnlyList<string> RequiredControlKeys { get; } = ["id", "title", "objective", "severity", "resource", "references", "condition", "remediation"];

    /// <summary>Frameworks a control may reference.</summary>
    public static IReadOnlyList<string> ReferenceFrameworks { get; } = ["iso27001:2022", "iso27002:2013", "iso27017"];

    /// <summary>Keys of a parameter written as a mapping.</summary>
    public static IReadOnlyList<string> ParameterKeys { get; } = ["default", "description"];

    private static readonly System.Text.RegularExpressions.Regex IdFormat = new("^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    private static readonly System.Text.RegularExpressions.Regex NameFormat = new("^[A-Za-z][A-Za-z0-9_]*$", System.Text.RegularExpressions.RegexOptions.CultureInvariant);

    /// <summary>
    /// Reads every <c>*.yaml</c>/<c>*.yml</c> file under the given files and folders (recursively). Two controls with one
    /// id: the second is an error naming the first's location.
    /// </summary>
    /// <param name="paths">Files and folders.</param>
    /// <param name="baseFolder">Paths under it are shown relative to it (the policies folder), others as given.</param>
    public static ControlSet Load(IEnumerable<string> paths, string? baseFolder = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var files = new List<string>();
        foreach (string path in paths)
        {
            if (Directory.Exists(path))
            {
                files.AddRange(Directory.EnumerateFiles(path, "*.*", SearchOption.AllDirectories)
                    .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                    .OrderBy(f => f, StringComparer.Ordinal));
            }
            else
            {
                files.Add(path);
            }
        }

        var controls = new List<ControlDefinition>();
        var errors = new List<ControlLoadError>();
        var seen = new Dictionary<string, ControlDefinition>(StringComparer.OrdinalIgnoreCase);
        foreach (string file in files.Distinct(StringComparer.Ordinal))
        {
            (IReadOnlyList<ControlDefinition> read, IReadOnlyList<ControlLoadError> problems) = ReadFile(file, Display(file, baseFolder));
            errors.AddRange(problems);
            foreach (ControlDefinition control in read)
            {
                if (seen.TryGetValue(control.Id, out ControlDefinition? first))
                {
                    errors.Add(new ControlLoadError(control.Id, control.SourcePath, control.Node.Problem(
                        $"the control id '{control.Id}' is already used at {first.Node.Location}.", "Give each control its own id.")));
                    continue;
                }

                seen.Add(control.Id, control);
                controls.Add(control);
            }
        }

        return new ControlSet { Controls = controls, Errors = errors, Files = files };
    }

    private static string Display(string file, string? baseFolder)
    {
        if (baseFolder is null)
        {
            return file;
        }

        string relative = Path.GetRelativePath(baseFolder, file);
        return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? file : relative.Replace('\\', '/');
    }

    /// <summary>Reads one file. Never throws for the file's content: problems come back as errors.</summary>
    public static (IReadOnlyList<ControlDefinition> Controls, IReadOnlyList<ControlLoadError> Errors) ReadFile(string path, string? displayPath = null)
    {
        displayPath ??= path;
        YamlTreeNode root;
        try
        {
            root = YamlTree.Load(path);
        }
        catch (IsmsException ex)
        {
            PolicyError error = PolicyError.From(ex) ?? new PolicyError(displayPath, 1, 1, ex.Message, ex.RecommendedAction ?? "Check the file.");
            return ([], [new ControlLoadError(null, displayPath, error)]);
        }

        return Read(root, displayPath);
    }

    /// <summary>Reads a parsed control file.</summary>
    public static (IReadOnlyList<ControlDefinition> Controls, IReadOnlyList<ControlLoadError> Errors) Read(YamlTreeNode root, string displayPath)
    {
        ArgumentNullException.ThrowIfNull(root);
        var errors = new List<ControlLoadError>();
        var controls = new List<ControlDefinition>();
        try
        {
            Keys(root, FileKeys, "the file");
            YamlTreeNode list = root.Get("controls") ?? throw root.Error("the file has no 'controls:' list.", "Start the file with 'controls:' and list each control under it with '- id: ...'.");
            if (list.Kind != YamlTreeKind.Sequence)
            {
                throw list.Error($"'controls' must be a list, not {list.Describe()}.", "Write each control under 'controls:' starting with '- id: ...'.");
            }

            IReadOnlyDictionary<string, YamlTreeNode> named = NamedConditions(root.Get("conditions"));
            foreach (YamlTreeNode item in list.Items)
            {
                string? id = item.Kind == YamlTreeKind.Mapping ? item.Get("id")?.Value : null;
                try
                {
                    controls.Add(Control(item, displayPath, named));
                }
                catch (IsmsException ex) when (PolicyError.From(ex) is PolicyError error)
                {
                    errors.Add(new ControlLoadError(id, displayPath, error));
                }
            }
        }
        catch (IsmsException ex) when (PolicyError.From(ex) is PolicyError error)
        {
            errors.Add(new ControlLoadError(null, displayPath, error));
        }

        return (controls, errors);
    }

    private static IReadOnlyDictionary<string, YamlTreeNode> NamedConditions(YamlTreeNode? node)
    {
        var named = new Dictionary<string, YamlTreeNode>(StringComparer.Ordinal);
        if (node is null)
        {
            return named;
        }

        if (node.Kind != YamlTreeKind.Mapping)
        {
            throw node.Error($"'conditions' must be a mapping of names to conditions, not {node.Describe()}.", "Write 'conditions:' then '  <name>: { <condition> }' lines.");
        }

        foreach ((YamlTreeNode key, YamlTreeNode value) in node.Entries)
        {
            if (!NameFormat.IsMatch(key.Value!))
            {
                throw key.Error($"'{key.Value}' is not a valid condition name.", "Use letters, digits and underscores, starting with a letter.");
            }

            named[key.Value!] = value;
        }

        return named;
    }

    private static ControlDefinition Control(YamlTreeNode node, string path, IReadOnlyDictionary<string, YamlTreeNode> named)
    {
        if (node.Kind != YamlTreeKind.Mapping)
        {
            throw node.Error($"each control must be a mapping of keys to values, not {node.Describe()}.", "Start each control with '- id: ...' and its keys indented under it.");
        }

        Keys(node, ControlKeys, "a control");
        foreach (string required in RequiredControlKeys)
        {
            if (node.Get(required) is null)
            {
                throw node.Error($"the control{(node.Get("id")?.Value is string i ? $" '{i}'" : "")} has no '{required}'.", $"Add '{required}:'; a control needs {string.Join(", ", RequiredControlKeys)}.");
            }
        }

        string id = Text(node.Get("id")!, "id");
        if (!IdFormat.IsMatch(id))
        {
            throw node.Get("id")!.Error($"'{id}' is not a control id.", "Use capitals, digits and dashes with at least one dash, such as ISMS-ACC-001.");
        }

        YamlTreeNode resourceNode = node.Get("resource")!;
        string resource = Text(resourceNode, "resource");
        PolicyResourceType type = PolicyResourceCatalog.Find(resource)
            ?? throw resourceNode.Error($"'{resource}' is not a resource type.", $"Use one of {string.Join(", ", PolicyResourceCatalog.Names)}.");

        YamlTreeNode severityNode = node.Get("severity")!;
        string severityText = Text(severityNode, "severity");
        if (!Enum.TryParse(severityText, ignoreCase: false, out ControlSeverity severity) || !Enum.IsDefined(severity) || int.TryParse(severityText, out _))
        {
            throw severityNode.Error($"'{severityText}' is not a severity.", "Use Critical, High, Medium, Low or Info.");
        }

        return new ControlDefinition
        {
            Id = id,
            Title = Text(node.Get("title")!, "title"),
            Objective = Text(node.Get("objective")!, "objective"),
            Severity = severity,
            ResourceType = type,
            References = References(node.Get("references")!),
            Evidence = node.Get("evidence") is YamlTreeNode evidence ? Evidence(evidence) : [],
            Parameters = node.Get("parameters") is YamlTreeNode parameters ? Parameters(parameters) : [],
            Selector = node.Get("selector"),
            Condition = node.Get("condition")!,
            Remediation = Text(node.Get("remediation")!, "remediation"),
            Tags = node.Get("tags") is YamlTreeNode tags ? TextList(tags, "tags") : [],
            SourcePath = path,
            Node = node,
            NamedConditions = named,
        };
    }

    private static IReadOnlyList<ControlReference> References(YamlTreeNode node)
    {
        Keys(node, ReferenceFrameworks, "references");
        var references = new List<ControlReference>();
        foreach ((YamlTreeNode key, YamlTreeNode value) in node.Entries)
        {
            references.AddRange(TextList(value, key.Value!).Select(id => new ControlReference(key.Value!, id)));
        }

        return references.Count > 0
            ? references
            : throw node.Error("a control needs at least one reference.", "Add e.g. 'iso27001:2022: [A.5.18]' under references.");
    }

    private static IReadOnlyList<string> Evidence(YamlTreeNode node)
    {
        IReadOnlyList<string> kinds = TextList(node, "evidence");
        for (int i = 0; i < kinds.Count; i++)
        {
            if (!EvidenceKinds.All.Contains(kinds[i], StringComparer.Ordinal))
            {
                YamlTreeNode at = node.Kind == YamlTreeKind.Sequence ? node.Items[i] : node;
                throw at.Error($"'{kinds[i]}' is not an evidence kind.", $"Use any of {string.Join(", ", EvidenceKinds.All)}.");
            }
        }

        return kinds;
    }

    private static IReadOnlyList<ControlParameter> Parameters(YamlTreeNode node)
    {
        if (node.Kind != YamlTreeKind.Mapping)
        {
            throw node.Error($"'parameters' must be a mapping of names to defaults, not {node.Describe()}.", "Write 'parameters:' then '  maxInactiveDays: { default: P90D, description: ... }'.");
        }

        var parameters = new List<ControlParameter>();
        foreach ((YamlTreeNode key, YamlTreeNode value) in node.Entries)
        {
            if (!NameFormat.IsMatch(key.Value!))
            {
                throw key.Error($"'{key.Value}' is not a valid parameter name.", "Use letters, digits and underscores, starting with a letter.");
            }

            if (value.Kind == YamlTreeKind.Mapping)
            {
                Keys(value, ParameterKeys, $"parameter '{key.Value}'");
                YamlTreeNode def = value.Get("default") ?? throw value.Error($"parameter '{key.Value}' has no default.", "Add 'default: <value>'.");
                parameters.Add(new ControlParameter(key.Value!, Default(def, key.Value!), value.Get("description") is YamlTreeNode d ? Text(d, "description") : null, key));
            }
            else
            {
                parameters.Add(new ControlParameter(key.Value!, Default(value, key.Value!), null, key));
            }
        }

        return parameters;
    }

    private static object? Default(YamlTreeNode node, string name) => node.Kind switch
    {
        YamlTreeKind.Scalar when node.Value is not null => node.ScalarValue(),
        YamlTreeKind.Sequence when node.Items.All(i => i.Kind == YamlTreeKind.Scalar && i.Value is not null) => node.Items.Select(i => i.Value!).ToList(),
        _ => throw node.Error($"the default of parameter '{name}' must be a value or a list of values, not {node.Describe()}.", "Write a number, true/false, text, an ISO 8601 duration (P90D) or a list [a, b]."),
    };

    /// <summary>Refuses keys outside <paramref name="allowed"/>, naming the nearest allowed key.</summary>
    internal static void Keys(YamlTreeNode node, IReadOnlyList<string> allowed, string what)
    {
        if (node.Kind != YamlTreeKind.Mapping)
        {
            throw node.Error($"{what} must be a mapping of keys to values, not {node.Describe()}.", $"Write 'key: value' lines using {string.Join(", ", allowed)}.");
        }

        foreach ((YamlTreeNode key, _) in node.Entries)
        {
            if (!allowed.Contains(key.Value!, StringComparer.Ordinal))
            {
                string? near = allowed.FirstOrDefault(k => string.Equals(k, key.Value, StringComparison.OrdinalIgnoreCase));
                throw key.Error($"unknown key '{key.Value}' in {what}.",
                    near is not null ? $"Write it as '{near}' (keys are case-sensitive)." : $"Use one of {string.Join(", ", allowed.Select(k => $"'{k}'"))}, or remove the line.");
            }
        }
    }

    internal static string Text(YamlTreeNode node, string what) => node is { Kind: YamlTreeKind.Scalar, Value: { Length: > 0 } value }
        ? value
        : throw node.Error($"'{what}' must be a single value, not {node.Describe()}.", $"Write {what} as one value on the same line as its key.");

    internal static IReadOnlyList<string> TextList(YamlTreeNode node, string what) => node.Kind switch
    {
        YamlTreeKind.Sequence => node.Items.Select(i => Text(i, what)).ToArray(),
        YamlTreeKind.Scalar when node.Value is not null => [node.Value],
        _ => throw node.Error($"'{what}' must be a list of values, not {node.Describe()}.", $"Write {what}: [a, b]."),
    };
}
