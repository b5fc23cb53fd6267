using System.Collections;
using System.Globalization;
using IsmsOps.Engine.Assessment.Resources;
using IsmsOps.Engine.Policies;

namespace IsmsOps.Engine.Assessment;

/// <summary>A control compiled for one run: its parameter values bound, its selector and condition as delegates.</summary>
public sealed class CompiledControl
{
    public required ControlDefinition Definition { get; init; }

    /// <summary>Which resources the control applies to.</summary>
    public required CompiledCondition Selector { get; init; }

    public required CompiledCondition Condition { get; init; }

    /// <summary>The parameter values used (defaults with the run's overrides).</summary>
    public required IReadOnlyDictionary<string, object?> Parameters { get; init; }

    public required ControlSummary Summary { get; init; }
}

/// <summary>
/// Binds a control's parameters (defaults overridden by the run's -Parameter values) and compiles its selector and
/// condition once. Overrides are keyed <c>name</c> (every control declaring that parameter) or <c>CONTROL-ID.name</c>
/// (one control; wins over the plain name). An override is converted to the default's type; one that does not convert
/// is a compile error naming the parameter.
/// </summary>
public static class ControlCompiler
{
    /// <summary>Compiles <paramref name="control"/> for a run at <paramref name="evaluatedAt"/>.</summary>
    public static CompiledControl Compile(ControlDefinition control, IReadOnlyDictionary<string, object?>? overrides, DateTimeOffset evaluatedAt)
    {
        ArgumentNullException.ThrowIfNull(control);
        IReadOnlyDictionary<string, object?> parameters = Bind(control, overrides ?? new Dictionary<string, object?>());
        var compiler = new ConditionCompiler(parameters, control.NamedConditions, evaluatedAt);
        CompiledCondition selector = control.Selector is null ? CompiledCondition.Always : compiler.Compile(control.Selector, control.ResourceType);
        CompiledCondition condition = compiler.Compile(control.Condition, control.ResourceType);
        return new CompiledControl
        {
            Definition = control,
            Selector = selector,
            Condition = condition,
            Parameters = parameters,
            Summary = control.Summary(parameters),
        };
    }

    /// <summary>The control's parameter values with the overrides applied.</summary>
    public static IReadOnlyDictionary<string, object?> Bind(ControlDefinition control, IReadOnlyDictionary<string, object?> overrides)
    {
        ArgumentNullException.ThrowIfNull(control);
        ArgumentNullException.ThrowIfNull(overrides);
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (ControlParameter parameter in control.Parameters)
        {
            string scoped = $"{control.Id}.{parameter.Name}";
            KeyValuePair<string, object?>? given = overrides.FirstOrDefault(o => string.Equals(o.Key, scoped, StringComparison.OrdinalIgnoreCase)) is { Key: not null } s
                ? s
                : overrides.FirstOrDefault(o => string.Equals(o.Key, parameter.Name, StringComparison.OrdinalIgnoreCase)) is { Key: not null } p ? p : null;
            values[parameter.Name] = given is { } g ? Convert(parameter, g.Value, g.Key) : parameter.Default;
        }

        return values;
    }

    /// <summary>True when some control of <paramref name="controls"/> declares the parameter an override key names.</summary>
    public static bool IsKnownOverride(string key, IEnumerable<ControlDefinition> controls) =>
        controls.Any(c => c.Parameters.Any(p => string.Equals(key, p.Name, StringComparison.OrdinalIgnoreCase)
            || string.Equals(key, $"{c.Id}.{p.Name}", StringComparison.OrdinalIgnoreCase)));

    private static object? Convert(ControlParameter parameter, object? value, string key)
    {
        try
        {
            return parameter.Default switch
            {
                long => System.Convert.ToInt64(value, CultureInfo.InvariantCulture),
                double => System.Convert.ToDouble(value, CultureInfo.InvariantCulture),
                bool => value is string s ? bool.Parse(s) : System.Convert.ToBoolean(value, CultureInfo.InvariantCulture),
                IReadOnlyList<string> => value is string one ? new List<string> { one } : ((IEnumerable)value!).Cast<object?>().Select(v => System.Convert.ToString(v, CultureInfo.InvariantCulture) ?? "").ToList(),
                string when value is TimeSpan span => $"P{(int)span.TotalDays}D",
                _ => System.Convert.ToString(value, CultureInfo.InvariantCulture),
            };
        }
        catch (Exception ex) when (ex is FormatException or InvalidCastException or OverflowException or NullReferenceException)
        {
            throw parameter.Node.Error($"the run sets parameter '{parameter.Name}' ({key}) to '{value}', which is not a {TypeName(parameter.Default)} like its default {FormatValue(parameter.Default)}.",
                $"Give -Parameter @{{ {key} = {FormatValue(parameter.Default)} }} with a value of that type.");
        }
    }

    private static string TypeName(object? value) => value switch
    {
        long or double => "number",
        bool => "boolean",
        IReadOnlyList<string> => "list",
        _ => "text",
    };

    /// <summary>A parameter value as invariant text: numbers, true/false, text, lists as "a, b".</summary>
    public static string FormatValue(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        string s => s,
        IEnumerable list => string.Join(", ", list.Cast<object?>().Select(FormatValue)),
        _ => System.Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
    };
}
