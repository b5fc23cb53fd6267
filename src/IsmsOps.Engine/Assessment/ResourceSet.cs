using IsmsOps.Engine.Assessment.Resources;

namespace IsmsOps.Engine.Assessment;

/// <summary>
/// The resources of one run, by type, and which evidence the run lacks (and why), so a control that needs missing
/// evidence is Skipped instead of being passed or failed on a guess.
/// </summary>
public sealed class ResourceSet
{
    private readonly Dictionary<string, IReadOnlyList<PolicyResource>> _byType;
    private readonly Dictionary<string, AssessmentSkipReason> _missing;

    /// <param name="byType">Resources by type name.</param>
    /// <param name="missingEvidence">Evidence kinds the run lacks, with the reason.</param>
    public ResourceSet(IReadOnlyDictionary<string, IReadOnlyList<PolicyResource>> byType, IReadOnlyDictionary<string, AssessmentSkipReason> missingEvidence)
    {
        ArgumentNullException.ThrowIfNull(byType);
        ArgumentNullException.ThrowIfNull(missingEvidence);
        _byType = new Dictionary<string, IReadOnlyList<PolicyResource>>(byType, StringComparer.Ordinal);
        _missing = new Dictionary<string, AssessmentSkipReason>(missingEvidence, StringComparer.Ordinal);
    }

    /// <summary>The resources of <paramref name="type"/> (empty when none).</summary>
    public IReadOnlyList<PolicyResource> Of(string type) => _byType.TryGetValue(type, out IReadOnlyList<PolicyResource>? list) ? list : [];

    /// <summary>Why <paramref name="evidenceKind"/> is missing, or null when the run has it.</summary>
    public AssessmentSkipReason? Missing(string evidenceKind) => _missing.TryGetValue(evidenceKind, out AssessmentSkipReason reason) ? reason : null;

    /// <summary>Evidence kinds the run lacks.</summary>
    public IReadOnlyDictionary<string, AssessmentSkipReason> MissingEvidence => _missing;

    /// <summary>How many resources of every type.</summary>
    public int Count => _byType.Values.Sum(l => l.Count);
}
