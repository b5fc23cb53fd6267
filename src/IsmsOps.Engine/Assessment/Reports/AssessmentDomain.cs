namespace IsmsOps.Engine.Assessment.Reports;

/// <summary>
/// The part of the standards a control gives evidence for, as the reports group them: the four themes of
/// ISO/IEC 27001:2022 Annex A (A.5 organisational, A.6 people, A.7 physical, A.8 technological), the cloud-specific
/// controls of ISO/IEC 27017 (CLD.x), and controls that reference neither.
/// </summary>
/// <param name="Key">A stable key: <c>A.5</c>, <c>A.6</c>, <c>A.7</c>, <c>A.8</c>, <c>CLD</c> or <c>Unmapped</c>.</param>
/// <param name="Name">How a report names it.</param>
public sealed record AssessmentDomain(string Key, string Name)
{
    /// <summary>Annex A theme 5.</summary>
    public static readonly AssessmentDomain Organisational = new("A.5", "A.5 Organisational controls");

    /// <summary>Annex A theme 6.</summary>
    public static readonly AssessmentDomain People = new("A.6", "A.6 People controls");

    /// <summary>Annex A theme 7.</summary>
    public static readonly AssessmentDomain Physical = new("A.7", "A.7 Physical controls");

    /// <summary>Annex A theme 8.</summary>
    public static readonly AssessmentDomain Technological = new("A.8", "A.8 Technological controls");

    /// <summary>The ISO/IEC 27017 cloud-specific controls.</summary>
    public static readonly AssessmentDomain Cloud = new("CLD", "ISO/IEC 27017 cloud controls (CLD)");

    /// <summary>Controls without an Annex A or CLD reference.</summary>
    public static readonly AssessmentDomain Unmapped = new("Unmapped", "Not mapped to Annex A or CLD");

    /// <summary>Every domain, in report order.</summary>
    public static IReadOnlyList<AssessmentDomain> All { get; } = [Organisational, People, Physical, Technological, Cloud, Unmapped];

    /// <summary>
    /// Every domain a control references, in report order; <see cref="Unmapped"/> when none. A control that gives
    /// evidence for A.5.18 and A.8.2 counts in both themes.
    /// </summary>
    public static IReadOnlyList<AssessmentDomain> Of(ControlSummary control)
    {
        ArgumentNullException.ThrowIfNull(control);
        var found = new HashSet<AssessmentDomain>();
        foreach (ControlReference reference in control.References)
        {
            if (Of(reference) is AssessmentDomain domain)
            {
                found.Add(domain);
            }
        }

        return found.Count == 0 ? [Unmapped] : All.Where(found.Contains).ToArray();
    }

    /// <summary>The one domain a control is filed under where it can appear once only (a JUnit test suite): the first of <see cref="Of(ControlSummary)"/>.</summary>
    public static AssessmentDomain Primary(ControlSummary control) => Of(control)[0];

    /// <summary>The domain of one reference, or null when it is neither an Annex A control nor a CLD control.</summary>
    public static AssessmentDomain? Of(ControlReference reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        string id = reference.Id.Trim();
        if (reference.Framework.StartsWith("iso27017", StringComparison.OrdinalIgnoreCase) && id.StartsWith("CLD.", StringComparison.OrdinalIgnoreCase))
        {
            return Cloud;
        }

        if (!reference.Framework.Equals("iso27001:2022", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        return id switch
        {
            _ when id.StartsWith("A.5.", StringComparison.OrdinalIgnoreCase) => Organisational,
            _ when id.StartsWith("A.6.", StringComparison.OrdinalIgnoreCase) => People,
            _ when id.StartsWith("A.7.", StringComparison.OrdinalIgnoreCase) => Physical,
            _ when id.StartsWith("A.8.", StringComparison.OrdinalIgnoreCase) => Technological,
            _ => null,
        };
    }
}
