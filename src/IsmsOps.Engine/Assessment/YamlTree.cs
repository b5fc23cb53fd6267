using System.Globalization;
using IsmsOps.Engine.Policies;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace IsmsOps.Engine.Assessment;

/// <summary>
/// Limits that keep reading a control, waiver or fixture file bounded in time and memory, whatever the file holds:
/// a size cap read before parsing, a nesting cap checked as the parser streams, and caps on aliases and on the number
/// of nodes the document would have with every alias expanded (the alias "billion laughs" bomb).
/// </summary>
public sealed record YamlLimits
{
    /// <summary>The limits the shipped readers use.</summary>
    public static YamlLimits Default { get; } = new();

    /// <summary>Largest file, in bytes (1 MiB; the whole shipped baseline is a fraction of that).</summary>
    public long MaxBytes { get; init; } = 1024 * 1024;

    /// <summary>Deepest nesting of mappings and lists.</summary>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Most aliases (<c>*name</c>) in one file.</summary>
    public int MaxAliases { get; init; } = 100;

    /// <summary>Most nodes, counting each alias as the whole node it stands for.</summary>
    public long MaxNodes { get; init; } = 200_000;
}

/// <summary>What a YAML node is.</summary>
public enum YamlTreeKind
{
    Scalar,
    Sequence,
    Mapping,
}

/// <summary>
/// One node of a YAML document read by <see cref="YamlTree"/>: its kind, its text (scalars), its items or entries,
/// and the line and column it starts at, so every error names <c>file:line:column</c>.
/// </summary>
public sealed class YamlTreeNode
{
    internal YamlTreeNode(YamlTreeKind kind, string file, long line, long column)
    {
        Kind = kind;
        File = file;
        Line = line;
        Column = column;
    }

    public YamlTreeKind Kind { get; }

    /// <summary>The file the node is in, as given.</summary>
    public string File { get; }

    public long Line { get; }

    public long Column { get; }

    /// <summary>A scalar's text; null for an empty plain value (<c>key:</c>, <c>~</c>, <c>null</c>).</summary>
    public string? Value { get; internal set; }

    /// <summary>True for a quoted or block scalar, which is always text (never a number, boolean or null).</summary>
    public bool Quoted { get; internal set; }

    /// <summary>A list's items.</summary>
    public IReadOnlyList<YamlTreeNode> Items => _items;

    /// <summary>A mapping's entries, in file order.</summary>
    public IReadOnlyList<KeyValuePair<YamlTreeNode, YamlTreeNode>> Entries => _entries;

    internal readonly List<YamlTreeNode> _items = [];
    internal readonly List<KeyValuePair<YamlTreeNode, YamlTreeNode>> _entries = [];

    internal long ExpandedSize { get; set; } = 1;

    /// <summary><c>file:line:column</c>.</summary>
    public string Location => $"{File}:{Line}:{Column}";

    /// <summary>True for an empty plain scalar (<c>key:</c>, <c>~</c>, <c>null</c>).</summary>
    public bool IsNull => Kind == YamlTreeKind.Scalar && Value is null;

    /// <summary>A problem at this node.</summary>
    public PolicyError Problem(string what, string fix) => new(File, Line, Column, what, fix);

    /// <summary>A problem at this node, as the exception policy readers throw.</summary>
    public IsmsException Error(string what, string fix) => Problem(what, fix).ToException();

    /// <summary>What the node is, for messages: "a mapping", "a list", "the number 3", "the text 'x'".</summary>
    public string Describe() => Kind switch
    {
        YamlTreeKind.Mapping => "a mapping",
        YamlTreeKind.Sequence => "a list",
        _ when Value is null => "an empty value",
        _ => $"'{(Value.Length > 40 ? Value[..40] + "…" : Value)}'",
    };

    /// <summary>The value for a key of a mapping, or null.</summary>
    public YamlTreeNode? Get(string key)
    {
        foreach (KeyValuePair<YamlTreeNode, YamlTreeNode> entry in _entries)
        {
            if (string.Equals(entry.Key.Value, key, StringComparison.Ordinal))
            {
                return entry.Value;
            }
        }

        return null;
    }

    /// <summary>
    /// The node as a JSON-compatible value: a plain scalar becomes a boolean, number or null where YAML 1.2's core
    /// schema says so, else a string. Used to validate files against the JSON Schema and by fixtures.
    /// </summary>
    public object? ToPlainValue()
    {
        switch (Kind)
        {
            case YamlTreeKind.Mapping:
                var map = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (KeyValuePair<YamlTreeNode, YamlTreeNode> e in _entries)
                {
                    map[e.Key.Value ?? string.Empty] = e.Value.ToPlainValue();
                }

                return map;
            case YamlTreeKind.Sequence:
                return _items.Select(i => i.ToPlainValue()).ToList();
            default:
                return ScalarValue();
        }
    }

    /// <summary>A scalar's typed value: bool, long, double, null or string (quoted scalars are always strings).</summary>
    public object? ScalarValue()
    {
        if (Value is null)
        {
            return null;
        }

        if (Quoted)
        {
            return Value;
        }

        switch (Value)
        {
            case "true" or "True" or "TRUE":
                return true;
            case "false" or "False" or "FALSE":
                return false;
        }

        if (long.TryParse(Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long whole))
        {
            return whole;
        }

        if (double.TryParse(Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double real) && !double.IsInfinity(real) && char.IsDigit(Value[^1]))
        {
            return real;
        }

        return Value;
    }
}

/// <summary>
/// Reads one YAML document into <see cref="YamlTreeNode"/>s from YamlDotNet's event parser, enforcing
/// <see cref="YamlLimits"/> as it streams, so a huge, deeply nested or alias-bomb file fails fast with its position.
/// Duplicate keys are errors (YAML forbids them, and a reader that kept the last one would hide a mistake).
/// </summary>
public static class YamlTree
{
    /// <summary>Reads <paramref name="path"/>. Throws IsmsOps.Policy.Invalid naming file:line:column for any problem.</summary>
    public static YamlTreeNode Load(string path, YamlLimits? limits = null)
    {
        limits ??= YamlLimits.Default;
        FileInfo info;
        try
        {
            info = new FileInfo(path);
            if (!info.Exists)
            {
                throw new FileNotFoundException($"The file '{path}' does not exist.");
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new IsmsException("IsmsOps.Policy.Unreadable", IsmsErrorKind.ReadError, $"The policy file '{path}' cannot be read: {ex.Message}",
                "Check that the file exists and this account can read it.", path, ex);
        }

        if (info.Length > limits.MaxBytes)
        {
            throw new PolicyError(path, 1, 1, $"the file is {info.Length:N0} bytes, more than the {limits.MaxBytes:N0} a policy file may hold.",
                "Split it into several files (one per domain), or remove what is not a control.").ToException();
        }

        string text;
        try
        {
            text = System.IO.File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IsmsException("IsmsOps.Policy.Unreadable", IsmsErrorKind.ReadError, $"The policy file '{path}' cannot be read: {ex.Message}",
                "Check that the file exists and this account can read it.", path, ex);
        }

        return Parse(text, path, limits);
    }

    /// <summary>Parses <paramref name="text"/> as the file <paramref name="path"/>.</summary>
    public static YamlTreeNode Parse(string text, string path, YamlLimits? limits = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        limits ??= YamlLimits.Default;
        if (text.Length > limits.MaxBytes)
        {
            throw new PolicyError(path, 1, 1, $"the file holds {text.Length:N0} characters, more than the {limits.MaxBytes:N0} a policy file may hold.",
                "Split it into several files, or remove what is not a control.").ToException();
        }

        var reader = new Reader(path, limits);
        try
        {
            return reader.Read(new Parser(new StringReader(text)));
        }
        catch (YamlException ex)
        {
            string reason = ex.InnerException is YamlException inner ? inner.Message : ex.Message;
            reason = System.Text.RegularExpressions.Regex.Replace(reason, @"^\(Line: \d+, Col: \d+, Idx: \d+\) - \(Line: \d+, Col: \d+, Idx: \d+\): ", string.Empty);
            throw new PolicyError(path, ex.Start.Line, ex.Start.Column, $"this is not valid YAML: {reason.TrimEnd('.')}.",
                "Fix the syntax at that position (indentation with spaces, a colon and a space after each key, quotes around values that contain ': ' or '#').").ToException();
        }
    }

    private sealed class Reader(string path, YamlLimits limits)
    {
        private readonly Dictionary<string, YamlTreeNode> _anchors = new(StringComparer.Ordinal);
        private int _aliases;
        private long _nodes;

        public YamlTreeNode Read(IParser parser)
        {
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _))
            {
                throw Fail(1, 1, "the file is empty.", "Write its content, or delete the file.");
            }

            parser.Consume<DocumentStart>();
            YamlTreeNode root = ReadNode(parser, 1);
            parser.Consume<DocumentEnd>();
            if (parser.Current is DocumentStart second)
            {
                throw Fail(second.Start.Line, second.Start.Column, "the file holds more than one YAML document ('---').", "Keep one document per file.");
            }

            return root;
        }

        private YamlTreeNode ReadNode(IParser parser, int depth)
        {
            if (depth > limits.MaxDepth)
            {
                ParsingEvent at = parser.Current!;
                throw Fail(at.Start.Line, at.Start.Column, $"the file nests deeper than {limits.MaxDepth} levels.",
                    "Flatten the condition: use allOf/anyOf lists instead of nesting, or a named condition.");
            }

            ParsingEvent current = parser.Current ?? throw new YamlException("unexpected end of the file");
            if (current is AnchorAlias alias)
            {
                parser.MoveNext();
                if (++_aliases > limits.MaxAliases)
                {
                    throw Fail(alias.Start.Line, alias.Start.Column, $"the file uses more than {limits.MaxAliases} aliases ('*name').",
                        "Write the values out, or use a named condition under 'conditions:' instead of YAML aliases.");
                }

                if (!_anchors.TryGetValue(alias.Value.Value, out YamlTreeNode? target))
                {
                    throw Fail(alias.Start.Line, alias.Start.Column, $"the alias '*{alias.Value.Value}' names no anchor defined before it.",
                        $"Define '&{alias.Value.Value}' earlier in the file, or remove the alias.");
                }

                Count(target.ExpandedSize, alias);
                return target;
            }

            YamlTreeNode node;
            NodeEvent start;
            if (current is Scalar scalar)
            {
                parser.MoveNext();
                start = scalar;
                bool plain = scalar.Style is ScalarStyle.Plain or ScalarStyle.Any;
                bool isNull = plain && scalar.Value is "" or "~" or "null" or "Null" or "NULL";
                node = new YamlTreeNode(YamlTreeKind.Scalar, path, scalar.Start.Line, scalar.Start.Column)
                {
                    Value = isNull ? null : scalar.Value,
                    Quoted = !plain,
                };
                Count(1, scalar);
            }
            else if (current is SequenceStart sequence)
            {
                parser.MoveNext();
                start = sequence;
                node = new YamlTreeNode(YamlTreeKind.Sequence, path, sequence.Start.Line, sequence.Start.Column);
                Count(1, sequence);
                long before = _nodes;
                while (!parser.TryConsume<SequenceEnd>(out _))
                {
                    node._items.Add(ReadNode(parser, depth + 1));
                }

                node.ExpandedSize = 1 + _nodes - before;
            }
            else if (current is MappingStart mapping)
            {
                parser.MoveNext();
                start = mapping;
                node = new YamlTreeNode(YamlTreeKind.Mapping, path, mapping.Start.Line, mapping.Start.Column);
                Count(1, mapping);
                long before = _nodes;
                var seen = new HashSet<string>(StringComparer.Ordinal);
                while (!parser.TryConsume<MappingEnd>(out _))
                {
                    YamlTreeNode key = ReadNode(parser, depth + 1);
                    if (key.Kind != YamlTreeKind.Scalar || key.Value is null)
                    {
                        throw Fail(key.Line, key.Column, "a key must be plain text.", "Write each key as a word followed by a colon.");
                    }

                    if (!seen.Add(key.Value))
                    {
                        throw Fail(key.Line, key.Column, $"the key '{key.Value}' appears twice in the same mapping.", "Keep one of them.");
                    }

                    YamlTreeNode value = ReadNode(parser, depth + 1);
                    node._entries.Add(new KeyValuePair<YamlTreeNode, YamlTreeNode>(key, value));
                }

                node.ExpandedSize = 1 + _nodes - before;
            }
            else
            {
                throw Fail(current.Start.Line, current.Start.Column, $"unexpected YAML ({current.GetType().Name}).", "Check the file's syntax at that position.");
            }

            if (!start.Anchor.IsEmpty)
            {
                _anchors[start.Anchor.Value] = node;
            }

            return node;
        }

        private void Count(long size, ParsingEvent at)
        {
            _nodes += size;
            if (_nodes > limits.MaxNodes)
            {
                throw Fail(at.Start.Line, at.Start.Column, $"the file expands to more than {limits.MaxNodes:N0} values (aliases count as what they stand for).",
                    "Remove repeated aliases, or split the file.");
            }
        }

        private IsmsException Fail(long line, long column, string what, string fix) => new PolicyError(path, line, column, what, fix).ToException();
    }
}
