using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace IsmsOps.Engine.Policies;

/// <summary>
/// A YAML policy file read into nodes that remember their line and column, so every error can say
/// <c>file:line:column</c>, what is wrong and how to fix it. Each policy (offboarding now; roles and controls later)
/// reads its own shape from <see cref="Root"/> with <see cref="PolicyNode.Mapping"/>, which refuses keys it does not
/// know: a misspelt key is an error, never a silently ignored setting.
/// </summary>
public sealed class PolicyFile
{
    private PolicyFile(string path) => Path = path;

    /// <summary>The file, as given.</summary>
    public string Path { get; }

    /// <summary>The document's top node.</summary>
    public PolicyNode Root { get; private set; } = null!;

    /// <summary>Reads and parses <paramref name="path"/>. A YAML syntax error, an empty file or several documents are errors.</summary>
    public static PolicyFile Load(string path)
    {
        var file = new PolicyFile(path);
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IsmsException("IsmsOps.Policy.Unreadable", IsmsErrorKind.ReadError, $"The policy file '{path}' cannot be read: {ex.Message}",
                "Check that the file exists and this account can read it.", path, ex);
        }

        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            // YamlDotNet's message repeats the position in its own form; ours leads with file:line:column.
            string reason = ex.InnerException is YamlException inner ? inner.Message : ex.Message;
            reason = System.Text.RegularExpressions.Regex.Replace(reason, @"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ", string.Empty);
            throw file.ErrorAt(ex.Start.Line, ex.Start.Column, $"this is not valid YAML: {reason.TrimEnd('.')}.",
                "Fix the syntax at that position (indentation with spaces, a colon and a space after each key, quotes around values that contain ': ' or '#').");
        }

        if (stream.Documents.Count == 0)
        {
            throw file.ErrorAt(1, 1, "the file is empty.", "Write the policy's settings, or delete the file to use the built-in defaults.");
        }

        if (stream.Documents.Count > 1)
        {
            YamlNode second = stream.Documents[1].RootNode;
            throw file.ErrorAt(second.Start.Line, second.Start.Column, "the file holds more than one YAML document ('---').",
                "Keep one document per policy file.");
        }

        file.Root = new PolicyNode(file, stream.Documents[0].RootNode, "the file");
        return file;
    }

    /// <summary>An error at a position of this file: <c>path:line:column: what</c>, with the fix as the recommended action.</summary>
    public IsmsException ErrorAt(long line, long column, string what, string fix)
    {
        string where = $"{Path}:{line}:{column}";
        return new IsmsException("IsmsOps.Policy.Invalid", IsmsErrorKind.InvalidData, $"{where}: {what} Nothing was changed.", fix, where);
    }
}

/// <summary>One node of a <see cref="PolicyFile"/>, with its position and a readable name of where it sits.</summary>
public sealed class PolicyNode
{
    private readonly YamlNode _node;

    internal PolicyNode(PolicyFile file, YamlNode node, string name)
    {
        File = file;
        _node = node;
        Name = name;
    }

    public PolicyFile File { get; }

    /// <summary>Where the node sits, for messages: "deadlines.standard".</summary>
    public string Name { get; }

    public long Line => _node.Start.Line;

    public long Column => _node.Start.Column;

    /// <summary>An error at this node.</summary>
    public IsmsException Error(string what, string fix) => File.ErrorAt(Line, Column, what, fix);

    /// <summary>The node's text. A mapping, a list or an empty value here is an error.</summary>
    public string Scalar()
    {
        if (_node is YamlScalarNode { Value: { Length: > 0 } value })
        {
            return value;
        }

        throw Error($"{Name} must be a single value, not {Describe()}.", $"Write {Name} as one value on the same line as its key.");
    }

    /// <summary>
    /// The node's entries, in file order, as key text and value node. A node that is not a mapping, a key that is not
    /// a plain value, or a key outside <paramref name="allowedKeys"/> (when given) is an error that lists the keys
    /// that are allowed.
    /// </summary>
    public IReadOnlyList<(string Key, PolicyNode KeyNode, PolicyNode Value)> Mapping(IReadOnlyCollection<string>? allowedKeys = null)
    {
        if (_node is not YamlMappingNode mapping)
        {
            throw Error($"{Name} must be a mapping of keys to values, not {Describe()}.",
                allowedKeys is null ? $"Write {Name} as 'key: value' lines, indented under it." : $"Write {Name} as 'key: value' lines using {List(allowedKeys)}.");
        }

        var entries = new List<(string, PolicyNode, PolicyNode)>();
        foreach ((YamlNode keyNode, YamlNode valueNode) in mapping.Children)
        {
            var key = new PolicyNode(File, keyNode, Name);
            if (keyNode is not YamlScalarNode { Value: { Length: > 0 } text })
            {
                throw key.Error($"a key in {Name} must be plain text.", "Write each key as a word followed by a colon.");
            }

            if (allowedKeys is not null && !allowedKeys.Contains(text, StringComparer.Ordinal))
            {
                string? near = allowedKeys.FirstOrDefault(k => string.Equals(k, text, StringComparison.OrdinalIgnoreCase));
                throw key.Error($"unknown key '{text}' in {Name}.",
                    near is not null ? $"Write it as '{near}' (keys are case-sensitive)." : $"Use one of {List(allowedKeys)}, or remove the line.");
            }

            string child = _node == File.Root._node ? text : $"{Name}.{text}";
            entries.Add((text, key, new PolicyNode(File, valueNode, child)));
        }

        return entries;
    }

    /// <summary>The items of a list node, in file order. A node that is not a list is an error.</summary>
    public IReadOnlyList<PolicyNode> Sequence()
    {
        if (_node is not YamlSequenceNode sequence)
        {
            throw Error($"{Name} must be a list, not {Describe()}.", $"Write {Name} as a list: [A, B] on one line, or one '- item' per line under it.");
        }

        return sequence.Children.Select((item, i) => new PolicyNode(File, item, $"{Name}[{i}]")).ToList();
    }

    private string Describe() => _node switch
    {
        YamlMappingNode => "a mapping",
        YamlSequenceNode => "a list",
        YamlScalarNode { Value: null or "" } => "empty",
        _ => "a single value",
    };

    private static string List(IEnumerable<string> keys) => string.Join(", ", keys.Select(k => $"'{k}'"));
}
