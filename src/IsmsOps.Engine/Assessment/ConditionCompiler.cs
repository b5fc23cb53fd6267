using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using IsmsOps.Engine.Assessment.Resources;
using IsmsOps.Engine.Policies;

namespace IsmsOps.Engine.Assessment;

/// <summary>
/// A condition compiled to delegates: <see cref="Test"/> decides, <see cref="Explain"/> says which fields and values
/// decided (only called for a finding's message). Neither reads YAML: everything was resolved at compile time.
/// </summary>
public sealed class CompiledCondition
{
    internal CompiledCondition(Func<PolicyResource, bool> test, Func<PolicyResource, string> explain)
    {
        Test = test;
        Explain = explain;
    }

    /// <summary>True when the resource meets the condition.</summary>
    public Func<PolicyResource, bool> Test { get; }

    /// <summary>The fields and values that decided, in words.</summary>
    public Func<PolicyResource, string> Explain { get; }

    /// <summary>A condition every resource meets (a control without a selector).</summary>
    public static CompiledCondition Always { get; } = new(_ => true, _ => "every resource");
}

/// <summary>
/// Compiles the condition vocabulary (allOf, anyOf, not, condition, field + operator, count + comparison) for one
/// resource type into <see cref="CompiledCondition"/>s. Unknown keys, operators and fields, values of the wrong type,
/// invalid regular expressions, unknown parameters and cyclic named conditions are errors that name file:line:column
/// and list what is allowed.
/// </summary>
public sealed class ConditionCompiler
{
    /// <summary>Keys that combine conditions.</summary>
    public static IReadOnlyList<string> LogicKeys { get; } = ["allOf", "anyOf", "not", "condition"];

    /// <summary>Comparison operators used with <c>field</c>.</summary>
    public static IReadOnlyList<string> FieldOperators { get; } =
    [
        "equals", "notEquals", "in", "notIn", "contains", "notContains", "like", "notLike", "match", "notMatch", "exists",
        "greater", "greaterOrEquals", "less", "lessOrEquals", "olderThan", "newerThan", "withinDays", "dueWithin",
    ];

    /// <summary>Comparison operators allowed with <c>count</c>.</summary>
    public static IReadOnlyList<string> CountOperators { get; } = ["equals", "notEquals", "in", "notIn", "greater", "greaterOrEquals", "less", "lessOrEquals"];

    /// <summary>Keys of a <c>count</c> mapping.</summary>
    public static IReadOnlyList<string> CountKeys { get; } = ["field", "where"];

    /// <summary>Every key a condition mapping may hold.</summary>
    public static IReadOnlyList<string> AllConditionKeys { get; } = [.. LogicKeys, "field", "count", .. FieldOperators];

    /// <summary>The timeout a <c>match</c> regex runs under (it also runs without backtracking).</summary>
    public static TimeSpan RegexTimeout { get; } = TimeSpan.FromMilliseconds(200);

    private readonly IReadOnlyDictionary<string, object?> _parameters;
    private readonly IReadOnlyDictionary<string, YamlTreeNode> _namedConditions;
    private readonly DateTimeOffset _now;
    private readonly List<string> _expanding = [];

    /// <param name="parameters">The control's parameter values for this run (defaults with overrides applied).</param>
    /// <param name="namedConditions">Named conditions of the control's file.</param>
    /// <param name="evaluatedAt">The evaluation time every date operator is relative to.</param>
    public ConditionCompiler(IReadOnlyDictionary<string, object?> parameters, IReadOnlyDictionary<string, YamlTreeNode> namedConditions, DateTimeOffset evaluatedAt)
    {
        _parameters = parameters;
        _namedConditions = namedConditions;
        _now = evaluatedAt;
    }

    /// <summary>Compiles <paramref name="node"/> for resources of <paramref name="type"/>.</summary>
    public CompiledCondition Compile(YamlTreeNode node, PolicyResourceType type)
    {
        ArgumentNullException.ThrowIfNull(node);
        ArgumentNullException.ThrowIfNull(type);
        if (node.Kind != YamlTreeKind.Mapping)
        {
            throw node.Error($"a condition must be a mapping, not {node.Describe()}.",
                "Write it as 'field: <name>' with one operator (equals: ...), or as allOf/anyOf/not.");
        }

        foreach ((YamlTreeNode key, _) in node.Entries)
        {
            if (!AllConditionKeys.Contains(key.Value!, StringComparer.Ordinal))
            {
                string? near = AllConditionKeys.FirstOrDefault(k => string.Equals(k, key.Value, StringComparison.OrdinalIgnoreCase));
                throw key.Error($"unknown operator or key '{key.Value}' in a condition.",
                    near is not null ? $"Write it as '{near}' (names are case-sensitive)." : $"Use one of {List(AllConditionKeys)}.");
            }
        }

        string[] heads = node.Entries.Select(e => e.Key.Value!).Where(k => LogicKeys.Contains(k) || k is "field" or "count").ToArray();
        if (heads.Length != 1)
        {
            throw node.Error(heads.Length == 0
                    ? "a condition needs one of 'field', 'count', 'allOf', 'anyOf', 'not' or 'condition'."
                    : $"a condition holds {List(heads)} together; each condition is exactly one of them.",
                "Split it: put several conditions in an allOf (all must hold) or anyOf (one must hold) list.");
        }

        string head = heads[0];
        YamlTreeNode value = node.Get(head)!;
        if (LogicKeys.Contains(head) && node.Entries.Count > 1)
        {
            YamlTreeNode extra = node.Entries.First(e => e.Key.Value != head).Key;
            throw extra.Error($"'{extra.Value}' cannot sit beside '{head}'.", $"Move it into its own condition inside the {head}.");
        }

        return head switch
        {
            "allOf" => AllOf(value, type),
            "anyOf" => AnyOf(value, type),
            "not" => Not(value, type),
            "condition" => Named(value, type),
            "field" => Field(node, value, type),
            _ => Count(node, value, type),
        };
    }

    private CompiledCondition AllOf(YamlTreeNode list, PolicyResourceType type)
    {
        CompiledCondition[] parts = Children(list, type, "allOf");
        Func<PolicyResource, bool>[] tests = parts.Select(p => p.Test).ToArray();
        Func<PolicyResource, bool> test = tests.Length switch
        {
            1 => tests[0],
            2 => CombineAll2(tests[0], tests[1]),
            _ => r =>
            {
                foreach (Func<PolicyResource, bool> t in tests)
                {
                    if (!t(r))
                    {
                        return false;
                    }
                }

                return true;
            },
        };
        return new CompiledCondition(test, r =>
        {
            bool passed = test(r);
            return string.Join("; ", parts.Where(p => passed || !p.Test(r)).Select(p => p.Explain(r)));
        });
    }

    private static Func<PolicyResource, bool> CombineAll2(Func<PolicyResource, bool> a, Func<PolicyResource, bool> b) => r => a(r) && b(r);

    private static Func<PolicyResource, bool> CombineAny2(Func<PolicyResource, bool> a, Func<PolicyResource, bool> b) => r => a(r) || b(r);

    private CompiledCondition AnyOf(YamlTreeNode list, PolicyResourceType type)
    {
        CompiledCondition[] parts = Children(list, type, "anyOf");
        Func<PolicyResource, bool>[] tests = parts.Select(p => p.Test).ToArray();
        Func<PolicyResource, bool> test = tests.Length switch
        {
            1 => tests[0],
            2 => CombineAny2(tests[0], tests[1]),
            _ => r =>
            {
                foreach (Func<PolicyResource, bool> t in tests)
                {
                    if (t(r))
                    {
                        return true;
                    }
                }

                return false;
            },
        };
        return new CompiledCondition(test, r =>
        {
            CompiledCondition? first = parts.FirstOrDefault(p => p.Test(r));
            return first is not null ? first.Explain(r) : "none of: " + string.Join("; ", parts.Select(p => p.Explain(r)));
        });
    }

    private CompiledCondition Not(YamlTreeNode inner, PolicyResourceType type)
    {
        CompiledCondition part = Compile(inner, type);
        Func<PolicyResource, bool> t = part.Test;
        return new CompiledCondition(r => !t(r), r => $"not ({part.Explain(r)})");
    }

    private CompiledCondition[] Children(YamlTreeNode list, PolicyResourceType type, string name)
    {
        if (list.Kind != YamlTreeKind.Sequence || list.Items.Count == 0)
        {
            throw list.Error($"{name} must be a non-empty list of conditions, not {list.Describe()}.", $"Write each condition of {name} on its own line starting with '- '.");
        }

        return list.Items.Select(item => Compile(item, type)).ToArray();
    }

    private CompiledCondition Named(YamlTreeNode reference, PolicyResourceType type)
    {
        if (reference.Kind != YamlTreeKind.Scalar || reference.Value is null)
        {
            throw reference.Error($"'condition' names a named condition, not {reference.Describe()}.", "Write 'condition: <name>' with a name defined under 'conditions:' in the same file.");
        }

        string name = reference.Value;
        if (!_namedConditions.TryGetValue(name, out YamlTreeNode? body))
        {
            throw reference.Error($"there is no named condition '{name}'.",
                _namedConditions.Count == 0 ? "Define it under 'conditions:' at the top of the same file." : $"Use one of {List(_namedConditions.Keys)}, or define it under 'conditions:'.");
        }

        if (_expanding.Contains(name, StringComparer.Ordinal))
        {
            string chain = string.Join(" -> ", _expanding.SkipWhile(n => n != name).Append(name));
            throw reference.Error($"the named conditions refer to each other in a cycle: {chain}.", "Break the cycle: a named condition must not use itself, directly or through others.");
        }

        _expanding.Add(name);
        try
        {
            return Compile(body, type);
        }
        finally
        {
            _expanding.RemoveAt(_expanding.Count - 1);
        }
    }

    // ---- field paths -------------------------------------------------------------------------------------------------

    /// <summary>A field path resolved against a type: navigations first, then the last field.</summary>
    private sealed record FieldPath(string Text, Func<PolicyResource, PolicyResource?>? Navigate, PolicyFieldInfo Leaf);

    private static FieldPath ResolvePath(YamlTreeNode node, PolicyResourceType type)
    {
        if (node.Kind != YamlTreeKind.Scalar || node.Value is null)
        {
            throw node.Error($"'field' names a field, not {node.Describe()}.", $"Write a field of {type.Name}: {List(type.FieldsByName.Keys)}.");
        }

        string[] parts = node.Value.Split('.');
        Func<PolicyResource, PolicyResource?>? navigate = null;
        PolicyResourceType current = type;
        for (int i = 0; i < parts.Length; i++)
        {
            if (!current.FieldsByName.TryGetValue(parts[i], out PolicyFieldInfo? field))
            {
                string? near = current.FieldsByName.Keys.FirstOrDefault(k => string.Equals(k, parts[i], StringComparison.OrdinalIgnoreCase));
                throw node.Error($"'{parts[i]}' is not a field of {current.Name}{(i == 0 ? "" : $" (in '{node.Value}')")}.",
                    near is not null ? $"Write it as '{near}' (names are case-sensitive)." : $"Use one of {List(current.FieldsByName.Keys)}.");
            }

            if (i == parts.Length - 1)
            {
                return new FieldPath(node.Value, navigate, field);
            }

            if (field.Kind == PolicyFieldKind.ReferenceList)
            {
                throw node.Error($"'{parts[i]}' of {current.Name} is a list of {field.TargetType}, so '{node.Value}' has no single value.",
                    $"Use count: {{ field: {string.Join('.', parts.Take(i + 1))}, where: {{ field: {string.Join('.', parts.Skip(i + 1))}, ... }} }} with a comparison on the count.");
            }

            if (field.Kind != PolicyFieldKind.Reference)
            {
                throw node.Error($"'{parts[i]}' of {current.Name} is a {field.KindName}, not a reference, so nothing follows it in '{node.Value}'.",
                    $"Navigate only through references ({List(current.Fields.Where(f => f.Kind == PolicyFieldKind.Reference).Select(f => f.Name))}).");
            }

            Func<PolicyResource, PolicyResource?> step = field.GetReference!;
            Func<PolicyResource, PolicyResource?>? before = navigate;
            navigate = before is null ? step : r => before(r) is PolicyResource x ? step(x) : null;
            current = PolicyResourceCatalog.Find(field.TargetType)!;
        }

        throw new InvalidOperationException("unreachable");
    }

    // ---- field + operator --------------------------------------------------------------------------------------------

    private CompiledCondition Field(YamlTreeNode condition, YamlTreeNode fieldNode, PolicyResourceType type)
    {
        FieldPath path = ResolvePath(fieldNode, type);
        KeyValuePair<YamlTreeNode, YamlTreeNode>[] operators = condition.Entries.Where(e => e.Key.Value != "field").ToArray();
        if (operators.Length != 1)
        {
            throw condition.Error(operators.Length == 0 ? $"the condition on '{path.Text}' has no operator." : $"the condition on '{path.Text}' has {operators.Length} operators; it takes one.",
                $"Give one of {List(OperatorsFor(path.Leaf.Kind))}; combine several with allOf.");
        }

        (YamlTreeNode opNode, YamlTreeNode argument) = (operators[0].Key, operators[0].Value);
        string op = opNode.Value!;
        if (!OperatorsFor(path.Leaf.Kind).Contains(op))
        {
            throw opNode.Error($"'{op}' does not apply to '{path.Text}', a {path.Leaf.KindName}.", $"Use one of {List(OperatorsFor(path.Leaf.Kind))}.");
        }

        (Func<PolicyResource, bool> test, Func<PolicyResource, string> show) = path.Leaf.Kind switch
        {
            PolicyFieldKind.String => StringTest(Lift(path, path.Leaf.GetString!), op, argument),
            PolicyFieldKind.Boolean => BooleanTest(Lift(path, path.Leaf.GetBoolean!), op, argument),
            PolicyFieldKind.Number => NumberTest(Lift(path, path.Leaf.GetNumber!), op, argument),
            PolicyFieldKind.DateTime => DateTest(LiftNullable(path, path.Leaf.GetDate!), op, argument),
            PolicyFieldKind.StringList => StringListTest(LiftRef(path, path.Leaf.GetStrings!), op, argument),
            PolicyFieldKind.Reference => ExistsTest(LiftRef(path, path.Leaf.GetReference!), argument, r => r is null ? "(none)" : $"'{r.Name ?? r.Id}'"),
            _ => ExistsTest(LiftRef(path, path.Leaf.GetReferences!), argument, l => l is null ? "(none)" : $"{l.Count} item(s)"),
        };
        string describe = $"{op} {ShowArgument(argument)}";
        return new CompiledCondition(test, r => $"{path.Text} = {show(r)}; {describe}: {(test(r) ? "yes" : "no")}");
    }

    private static IReadOnlyList<string> OperatorsFor(PolicyFieldKind kind) => kind switch
    {
        PolicyFieldKind.String => ["equals", "notEquals", "in", "notIn", "contains", "notContains", "like", "notLike", "match", "notMatch", "exists",
            "greater", "greaterOrEquals", "less", "lessOrEquals"],
        PolicyFieldKind.Boolean => ["equals", "notEquals", "exists"],
        PolicyFieldKind.Number => ["equals", "notEquals", "in", "notIn", "greater", "greaterOrEquals", "less", "lessOrEquals", "exists"],
        PolicyFieldKind.DateTime => ["exists", "greater", "greaterOrEquals", "less", "lessOrEquals", "olderThan", "newerThan", "withinDays", "dueWithin"],
        PolicyFieldKind.StringList => ["contains", "notContains", "exists"],
        _ => ["exists"],
    };

    // A value read through a navigation is missing (null) when any step is null; a bool or number then counts as missing too.
    private static Func<PolicyResource, string?> Lift(FieldPath path, Func<PolicyResource, string?> leaf) =>
        path.Navigate is null ? leaf : r => path.Navigate(r) is PolicyResource x ? leaf(x) : null;

    private static Func<PolicyResource, bool?> Lift(FieldPath path, Func<PolicyResource, bool> leaf) =>
        path.Navigate is null ? r => leaf(r) : r => path.Navigate(r) is PolicyResource x ? leaf(x) : null;

    private static Func<PolicyResource, double?> Lift(FieldPath path, Func<PolicyResource, double> leaf) =>
        path.Navigate is null ? r => leaf(r) : r => path.Navigate(r) is PolicyResource x ? leaf(x) : null;

    private static Func<PolicyResource, DateTimeOffset?> LiftNullable(FieldPath path, Func<PolicyResource, DateTimeOffset?> leaf) =>
        path.Navigate is null ? leaf : r => path.Navigate(r) is PolicyResource x ? leaf(x) : null;

    private static Func<PolicyResource, T?> LiftRef<T>(FieldPath path, Func<PolicyResource, T?> leaf) where T : class
    {
        if (path.Navigate is null)
        {
            return leaf;
        }

        Func<PolicyResource, PolicyResource?> navigate = path.Navigate;
        return r => navigate(r) is PolicyResource x ? leaf(x) : null;
    }

    private (Func<PolicyResource, bool>, Func<PolicyResource, string>) StringTest(Func<PolicyResource, string?> get, string op, YamlTreeNode argument)
    {
        Func<PolicyResource, string> show = r => get(r) is string s ? $"'{s}'" : "(none)";
        StringComparer ci = StringComparer.OrdinalIgnoreCase;
        switch (op)
        {
            case "exists":
                bool want = BoolArg(argument);
                return (r => get(r) is not null == want, show);
            case "equals" or "notEquals":
            {
                string expected = StringArg(argument, op);
                bool negate = op == "notEquals";
                return (r => string.Equals(get(r), expected, StringComparison.OrdinalIgnoreCase) != negate, show);
            }

            case "in" or "notIn":
            {
                var set = new HashSet<string>(ListArg(argument, op).Select(v => Text(v, argument, op)), ci);
                bool negate = op == "notIn";
                return (r => (get(r) is string s && set.Contains(s)) != negate, show);
            }

            case "contains" or "notContains":
            {
                string part = StringArg(argument, op);
                bool negate = op == "notContains";
                return (r => (get(r) is string s && s.Contains(part, StringComparison.OrdinalIgnoreCase)) != negate, show);
            }

            case "like" or "notLike":
            {
                Regex like = Like(StringArg(argument, op));
                bool negate = op == "notLike";
                return (r => (get(r) is string s && like.IsMatch(s)) != negate, show);
            }

            case "match" or "notMatch":
            {
                Regex regex = Pattern(argument, op);
                bool negate = op == "notMatch";
                return (r => (get(r) is string s && regex.IsMatch(s)) != negate, show);
            }

            default:
            {
                string bound = StringArg(argument, op);
                Func<int, bool> compare = Comparison(op);
                return (r => get(r) is string s && compare(string.Compare(s, bound, StringComparison.OrdinalIgnoreCase)), show);
            }
        }
    }

    private (Func<PolicyResource, bool>, Func<PolicyResource, string>) BooleanTest(Func<PolicyResource, bool?> get, string op, YamlTreeNode argument)
    {
        Func<PolicyResource, string> show = r => get(r) is bool b ? (b ? "true" : "false") : "(none)";
        bool value = BoolArg(argument);
        return op switch
        {
            "exists" => (r => get(r).HasValue == value, show),
            "equals" => (r => get(r) == value, show),
            _ => (r => get(r) != value, show),
        };
    }

    private (Func<PolicyResource, bool>, Func<PolicyResource, string>) NumberTest(Func<PolicyResource, double?> get, string op, YamlTreeNode argument)
    {
        Func<PolicyResource, string> show = r => get(r) is double d ? d.ToString(CultureInfo.InvariantCulture) : "(none)";
        switch (op)
        {
            case "exists":
                bool want = BoolArg(argument);
                return (r => get(r).HasValue == want, show);
            case "in" or "notIn":
            {
                double[] set = ListArg(argument, op).Select(v => Number(v, argument, op)).ToArray();
                bool negate = op == "notIn";
                return (r => (get(r) is double d && Array.IndexOf(set, d) >= 0) != negate, show);
            }

            default:
                return (NumberComparison(get, op, NumberArg(argument, op)), show);
        }
    }

    private static Func<PolicyResource, bool> NumberComparison(Func<PolicyResource, double?> get, string op, double bound) => op switch
    {
        "equals" => r => get(r) == bound,
        "notEquals" => r => get(r) != bound,
        "greater" => r => get(r) > bound,
        "greaterOrEquals" => r => get(r) >= bound,
        "less" => r => get(r) < bound,
        _ => r => get(r) <= bound,
    };

    private (Func<PolicyResource, bool>, Func<PolicyResource, string>) DateTest(Func<PolicyResource, DateTimeOffset?> get, string op, YamlTreeNode argument)
    {
        Func<PolicyResource, string> show = r => get(r) is DateTimeOffset d ? d.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : "(none)";
        switch (op)
        {
            case "exists":
                bool want = BoolArg(argument);
                return (r => get(r).HasValue == want, show);
            case "olderThan" or "newerThan" or "withinDays" or "dueWithin":
            {
                IsoDuration span = DurationArg(argument, op);
                DateTimeOffset past = new IsoDuration(-span.Years, -span.Months, -span.Days, -span.Time).AddTo(_now);
                DateTimeOffset future = span.AddTo(_now);
                return op switch
                {
                    "olderThan" => (r => get(r) < past, show),
                    "newerThan" => (r => get(r) >= past, show),
                    "withinDays" => (r => get(r) is DateTimeOffset d && d >= past && d <= future, show),
                    _ => (r => get(r) <= future, show),
                };
            }

            default:
            {
                DateTimeOffset bound = DateArg(argument, op);
                Func<int, bool> compare = Comparison(op);
                return (r => get(r) is DateTimeOffset d && compare(d.CompareTo(bound)), show);
            }
        }
    }

    private (Func<PolicyResource, bool>, Func<PolicyResource, string>) StringListTest(Func<PolicyResource, IReadOnlyList<string>?> get, string op, YamlTreeNode argument)
    {
        Func<PolicyResource, string> show = r => get(r) is { } l ? (l.Count == 0 ? "[]" : "[" + string.Join(", ", l.Take(5)) + (l.Count > 5 ? ", …" : "") + "]") : "(none)";
        if (op == "exists")
        {
            bool want = BoolArg(argument);
            return (r => (get(r) is { Count: > 0 }) == want, show);
        }

        string item = StringArg(argument, op);
        bool negate = op == "notContains";
        return (r => (get(r) is { } l && l.Contains(item, StringComparer.OrdinalIgnoreCase)) != negate, show);
    }

    private (Func<PolicyResource, bool>, Func<PolicyResource, string>) ExistsTest<T>(Func<PolicyResource, T?> get, YamlTreeNode argument, Func<T?, string> describe)
        where T : class
    {
        bool want = BoolArg(argument);
        return typeof(T) == typeof(IReadOnlyList<PolicyResource>)
            ? (r => (get(r) is IReadOnlyList<PolicyResource> { Count: > 0 }) == want, r => describe(get(r)))
            : (r => get(r) is not null == want, r => describe(get(r)));
    }

    private static Func<int, bool> Comparison(string op) => op switch
    {
        "greater" => c => c > 0,
        "greaterOrEquals" => c => c >= 0,
        "less" => c => c < 0,
        _ => c => c <= 0,
    };

    // ---- count -------------------------------------------------------------------------------------------------------

    private CompiledCondition Count(YamlTreeNode condition, YamlTreeNode countNode, PolicyResourceType type)
    {
        if (countNode.Kind != YamlTreeKind.Mapping)
        {
            throw countNode.Error($"'count' must be a mapping with 'field' (and optionally 'where'), not {countNode.Describe()}.",
                "Write count: { field: <list field>, where: { <condition on each item> } }.");
        }

        foreach ((YamlTreeNode key, _) in countNode.Entries)
        {
            if (!CountKeys.Contains(key.Value!))
            {
                throw key.Error($"unknown key '{key.Value}' in count.", $"Use {List(CountKeys)}.");
            }
        }

        YamlTreeNode fieldNode = countNode.Get("field") ?? throw countNode.Error("'count' needs 'field', the list to count.", "Add field: <list field>, such as accounts.");
        FieldPath path = ResolvePath(fieldNode, type);
        YamlTreeNode? whereNode = countNode.Get("where");
        Func<PolicyResource, int> count;
        string what;
        if (path.Leaf.Kind == PolicyFieldKind.ReferenceList)
        {
            Func<PolicyResource, IReadOnlyList<PolicyResource>?> items = LiftRef(path, path.Leaf.GetReferences!);
            if (whereNode is null)
            {
                count = r => items(r)?.Count ?? 0;
                what = path.Text;
            }
            else
            {
                PolicyResourceType target = PolicyResourceCatalog.Find(path.Leaf.TargetType)!;
                Func<PolicyResource, bool> where = Compile(whereNode, target).Test;
                count = r =>
                {
                    IReadOnlyList<PolicyResource>? list = items(r);
                    if (list is null)
                    {
                        return 0;
                    }

                    int n = 0;
                    for (int i = 0; i < list.Count; i++)
                    {
                        if (where(list[i]))
                        {
                            n++;
                        }
                    }

                    return n;
                };
                what = $"{path.Text} where …";
            }
        }
        else if (path.Leaf.Kind == PolicyFieldKind.StringList)
        {
            if (whereNode is not null)
            {
                throw whereNode.Error($"'where' applies to lists of resources; '{path.Text}' is a list of text.", "Count it without 'where', or test items with contains.");
            }

            Func<PolicyResource, IReadOnlyList<string>?> items = LiftRef(path, path.Leaf.GetStrings!);
            count = r => items(r)?.Count ?? 0;
            what = path.Text;
        }
        else
        {
            throw fieldNode.Error($"'count' needs a list; '{path.Text}' is a {path.Leaf.KindName}.",
                $"Count one of {List(type.Fields.Where(f => f.Kind is PolicyFieldKind.ReferenceList or PolicyFieldKind.StringList).Select(f => f.Name))}.");
        }

        KeyValuePair<YamlTreeNode, YamlTreeNode>[] operators = condition.Entries.Where(e => e.Key.Value != "count").ToArray();
        if (operators.Length != 1 || !CountOperators.Contains(operators[0].Key.Value!))
        {
            YamlTreeNode at = operators.Length == 1 ? operators[0].Key : condition;
            throw at.Error(operators.Length == 1 ? $"'{operators[0].Key.Value}' does not apply to a count." : "a count needs exactly one comparison.",
                $"Compare the count with one of {List(CountOperators)}.");
        }

        (YamlTreeNode opNode, YamlTreeNode argument) = (operators[0].Key, operators[0].Value);
        string op = opNode.Value!;
        Func<PolicyResource, double?> asNumber = r => count(r);
        Func<PolicyResource, bool> test;
        if (op is "in" or "notIn")
        {
            double[] set = ListArg(argument, op).Select(v => Number(v, argument, op)).ToArray();
            bool negate = op == "notIn";
            test = r => Array.IndexOf(set, (double)count(r)) >= 0 != negate;
        }
        else
        {
            test = NumberComparison(asNumber, op, NumberArg(argument, op));
        }

        string describe = $"{op} {ShowArgument(argument)}";
        return new CompiledCondition(test, r => $"count of {what} = {count(r)}; {describe}: {(test(r) ? "yes" : "no")}");
    }

    // ---- arguments ---------------------------------------------------------------------------------------------------

    /// <summary>The argument's value: a literal, or a parameter's value for <c>{ parameter: name }</c>.</summary>
    private object? Argument(YamlTreeNode argument)
    {
        if (argument.Kind == YamlTreeKind.Mapping)
        {
            if (argument.Entries.Count != 1 || argument.Entries[0].Key.Value != "parameter")
            {
                throw argument.Error("an operator's value is a literal or '{ parameter: <name> }'.", "Write the value itself, or { parameter: <name> } naming one of the control's parameters.");
            }

            YamlTreeNode name = argument.Entries[0].Value;
            if (name.Value is null || !_parameters.TryGetValue(name.Value, out object? value))
            {
                throw name.Error($"the control has no parameter '{name.Value}'.",
                    _parameters.Count == 0 ? "Declare it under the control's 'parameters:' with a default." : $"Use one of {List(_parameters.Keys)}, or declare it under 'parameters:'.");
            }

            return value;
        }

        return argument.Kind == YamlTreeKind.Sequence ? argument.Items.Select(Argument).ToList() : argument.ScalarValue();
    }

    private string StringArg(YamlTreeNode argument, string op) => Text(Argument(argument), argument, op);

    private static string Text(object? value, YamlTreeNode at, string op) => value switch
    {
        string s => s,
        bool b => b ? "true" : "false",
        long or double => Convert.ToString(value, CultureInfo.InvariantCulture)!,
        _ => throw at.Error($"'{op}' needs a single value here, not {(value is null ? "an empty value" : "a list")}.", $"Write {op}: <value>."),
    };

    private bool BoolArg(YamlTreeNode argument) => Argument(argument) switch
    {
        bool b => b,
        string s when bool.TryParse(s, out bool parsed) => parsed,
        _ => throw argument.Error($"this operator needs true or false, not {Show(argument)}.", "Write true or false."),
    };

    private double NumberArg(YamlTreeNode argument, string op) => Number(Argument(argument), argument, op);

    private static double Number(object? value, YamlTreeNode at, string op) => value switch
    {
        long l => l,
        double d => d,
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => d,
        _ => throw at.Error($"'{op}' compares numbers here; {Show(at)} is not a number.", $"Write a number, such as {op}: 5."),
    };

    private IReadOnlyList<object?> ListArg(YamlTreeNode argument, string op) => Argument(argument) switch
    {
        IReadOnlyList<object?> list => list,
        IEnumerable<string> strings => strings.Cast<object?>().ToList(),
        _ => throw argument.Error($"'{op}' needs a list, not {argument.Describe()}.", $"Write {op}: [a, b, c]."),
    };

    private IsoDuration DurationArg(YamlTreeNode argument, string op)
    {
        object? value = Argument(argument);
        return value is string text && IsoDuration.TryParse(text, out IsoDuration duration)
            ? duration
            : throw argument.Error($"'{op}' needs an ISO 8601 duration, not {(value is null ? "an empty value" : $"'{value}'")}.",
                $"Write a duration such as {op}: P90D (90 days), P1Y, P6M or PT24H.");
    }

    private DateTimeOffset DateArg(YamlTreeNode argument, string op)
    {
        object? value = Argument(argument);
        return value is string text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset date)
            ? date
            : throw argument.Error($"'{op}' compares dates; '{value}' is not a date.", $"Write an ISO 8601 date such as {op}: 2026-01-31, or use olderThan/newerThan with a duration relative to the evaluation time.");
    }

    private static Regex Like(string pattern) =>
        new("^" + Regex.Escape(pattern).Replace(@"\*", ".*", StringComparison.Ordinal).Replace(@"\?", ".", StringComparison.Ordinal) + "$",
            RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);

    private Regex Pattern(YamlTreeNode argument, string op)
    {
        string pattern = StringArg(argument, op);
        try
        {
            // Non-backtracking: matching time is linear in the input whatever the pattern, so no pattern can hang a run.
            return new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.NonBacktracking, RegexTimeout);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            throw argument.Error($"'{pattern}' is not a regular expression this engine runs: {ex.Message}",
                "Fix the pattern. Backreferences, lookarounds and atomic groups are not supported (matching never backtracks).");
        }
    }

    // A parameter shows its value for this run and its name, so a finding says which limit decided: "newerThan P90D (maxInactivity)".
    private string ShowArgument(YamlTreeNode node) =>
        node.Kind == YamlTreeKind.Mapping && node.Get("parameter")?.Value is string name && _parameters.TryGetValue(name, out object? value)
            ? $"{ControlCompiler.FormatValue(value)} ({name})"
            : Show(node);

    private static string Show(YamlTreeNode node) => node.Kind switch
    {
        YamlTreeKind.Scalar => node.Value ?? "null",
        YamlTreeKind.Sequence => "[" + string.Join(", ", node.Items.Select(Show)) + "]",
        _ when node.Get("parameter") is YamlTreeNode p => "{ parameter: " + p.Value + " }",
        _ => "{…}",
    };

    private static string List(IEnumerable<string> names)
    {
        var text = new StringBuilder();
        foreach (string name in names)
        {
            text.Append(text.Length == 0 ? "" : ", ").Append('\'').Append(name).Append('\'');
        }

        return text.ToString();
    }
}
