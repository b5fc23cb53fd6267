using IsmsOps.Engine.Assessment.Resources;

namespace IsmsOps.Engine.Assessment;

/// <summary>A control's parameter: its name, default value (a boolean, number, text or list of text) and meaning.</summary>
/// <param name="Name">The name conditions use in <c>{ parameter: name }</c>.</param>
/// <param name="Default">The default value.</param>
/// <param name="Description">What it sets.</param>
/// <param name="Node">Where it is declared.</param>
public sealed record ControlParameter(string Name, object? Default, string? Description, YamlTreeNode Node);

/// <summary>
/// A control as read from its YAML file, before compiling: identity, mapping, evidence, parameters and the selector
/// and condition nodes (with their positions). <see cref="ControlCompiler"/> turns it into delegates for one run.
/// </summary>
public sealed class ControlDefinition
{
    public required string Id { get; init; }

    public required string Title { get; init; }

    public string? Objective { get; init; }

    public ControlSeverity Severity { get; init; } = ControlSeverity.Medium;

    public required PolicyResourceType ResourceType { get; init; }

    public IReadOnlyList<ControlReference> References { get; init; } = [];

    /// <summary>Evidence the control declares, on top of what its resource type implies.</summary>
    public IReadOnlyList<string> Evidence { get; init; } = [];

    public IReadOnlyList<ControlParameter> Parameters { get; init; } = [];

    /// <summary>Which resources the control applies to; null for all of its type.</summary>
    public YamlTreeNode? Selector { get; init; }

    public required YamlTreeNode Condition { get; init; }

    public string? Remediation { get; init; }

    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The file, relative to the policies folder when under it.</summary>
    public required string SourcePath { get; init; }

    /// <summary>Where the control starts in its file.</summary>
    public required YamlTreeNode Node { get; init; }

    /// <summary>The named conditions of the control's file.</summary>
    public IReadOnlyDictionary<string, YamlTreeNode> NamedConditions { get; init; } = new Dictionary<string, YamlTreeNode>();

    /// <summary>Every evidence kind the control needs: its resource type's and its own.</summary>
    public IEnumerable<string> RequiredEvidence => ResourceType.Evidence.Concat(Evidence).Distinct(StringComparer.Ordinal);

    /// <summary>The summary reports show, with the parameter values of a run.</summary>
    public ControlSummary Summary(IReadOnlyDictionary<string, object?>? parameters = null) => new()
    {
        Id = Id,
        Title = Title,
        Objective = Objective,
        Severity = Severity,
        ResourceType = ResourceType.Name,
        References = References,
        Remediation = Remediation,
        Tags = Tags,
        Parameters = (parameters ?? Parameters.ToDictionary(p => p.Name, p => p.Default)).ToDictionary(p => p.Key, p => ControlCompiler.FormatValue(p.Value)),
        SourcePath = SourcePath,
    };
}

/// <summary>A control file, or one control of it, that could not be read: the location and what is wrong.</summary>
/// <param name="ControlId">The control's id when it could be read, else null (the whole file, or an entry without an id).</param>
/// <param name="SourcePath">The file.</param>
/// <param name="Error">What is wrong, where.</param>
public sealed record ControlLoadError(string? ControlId, string SourcePath, Policies.PolicyError Error);
