namespace IsmsOps.Engine.Assessment.Reports;

/// <summary>How a control or one of its resources changed between two runs.</summary>
public enum AssessmentDriftKind
{
    /// <summary>The resource fails now and did not fail in the reference run (or was not there).</summary>
    NewFailure,

    /// <summary>The resource failed in the reference run and does not fail now (it passes, is waived, or is gone).</summary>
    Fixed,

    /// <summary>The resource failed in both runs.</summary>
    StillFailing,

    /// <summary>The control is in this run and not in the reference run.</summary>
    NewControl,

    /// <summary>The control was in the reference run and is not in this run.</summary>
    RemovedControl,
}

/// <summary>One change between two assessment runs, per control and resource (or per control for new and removed controls).</summary>
public sealed record AssessmentDrift
{
    /// <summary>What changed.</summary>
    public required AssessmentDriftKind Kind { get; init; }

    /// <summary>The control's id.</summary>
    public required string ControlId { get; init; }

    /// <summary>The control's title (from the newer run when it has the control).</summary>
    public required string Title { get; init; }

    /// <summary>The control's severity.</summary>
    public ControlSeverity Severity { get; init; }

    /// <summary>The resource type; null for a control-level row.</summary>
    public string? ResourceType { get; init; }

    /// <summary>The resource id; null for a control-level row.</summary>
    public string? ResourceId { get; init; }

    /// <summary>The resource's readable name.</summary>
    public string? ResourceName { get; init; }

    /// <summary>The outcome in the reference (older) run; null when the control or resource was not there.</summary>
    public AssessmentOutcome? ReferenceOutcome { get; init; }

    /// <summary>The outcome in the difference (newer) run; null when the control or resource is not there.</summary>
    public AssessmentOutcome? DifferenceOutcome { get; init; }
}

/// <summary>
/// The drift between two runs: which resources fail now that did not (NewFailure), which no longer fail (Fixed),
/// which fail in both (StillFailing), and controls added or removed. Only a finding whose outcome is Fail counts as
/// failing: a waived finding is not a failure, so waiving one shows as Fixed with the Waived outcome beside it.
/// Resources are matched by type and id, so a renamed user is the same resource.
/// </summary>
public static class AssessmentComparison
{
    /// <summary>The drift from <paramref name="reference"/> (the older run) to <paramref name="difference"/> (the newer one), ordered by control, kind and resource.</summary>
    public static IReadOnlyList<AssessmentDrift> Compare(IEnumerable<ControlResult> reference, IEnumerable<ControlResult> difference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(difference);
        Dictionary<string, ControlResult> before = ByControl(reference);
        Dictionary<string, ControlResult> after = ByControl(difference);
        var drift = new List<AssessmentDrift>();
        foreach ((string id, ControlResult now) in after)
        {
            if (!before.TryGetValue(id, out ControlResult? then))
            {
                drift.Add(ControlRow(AssessmentDriftKind.NewControl, now, null, now.Outcome));
                drift.AddRange(now.FindingsWith(AssessmentOutcome.Fail).Select(f => ResourceRow(AssessmentDriftKind.NewFailure, now, f, null, f)));
                continue;
            }

            Dictionary<(string, string), AssessmentFinding> old = ByResource(then.Findings);
            Dictionary<(string, string), AssessmentFinding> current = ByResource(now.Findings);
            foreach ((var key, AssessmentFinding f) in current)
            {
                old.TryGetValue(key, out AssessmentFinding? was);
                bool failedBefore = was?.Outcome == AssessmentOutcome.Fail;
                if (f.Outcome == AssessmentOutcome.Fail)
                {
                    drift.Add(ResourceRow(failedBefore ? AssessmentDriftKind.StillFailing : AssessmentDriftKind.NewFailure, now, f, was, f));
                }
                else if (failedBefore)
                {
                    drift.Add(ResourceRow(AssessmentDriftKind.Fixed, now, f, was, f));
                }
            }

            // A failing resource that is gone now (deleted account, left person) no longer fails, unless the control did not run.
            if (now.Outcome is not (AssessmentOutcome.Error or AssessmentOutcome.Skipped))
            {
                foreach ((var key, AssessmentFinding was) in old)
                {
                    if (was.Outcome == AssessmentOutcome.Fail && !current.ContainsKey(key))
                    {
                        drift.Add(ResourceRow(AssessmentDriftKind.Fixed, now, was, was, null));
                    }
                }
            }
        }

        foreach ((string id, ControlResult then) in before)
        {
            if (!after.ContainsKey(id))
            {
                drift.Add(ControlRow(AssessmentDriftKind.RemovedControl, then, then.Outcome, null));
            }
        }

        return drift.OrderBy(d => d.ControlId, StringComparer.OrdinalIgnoreCase).ThenBy(d => d.Kind)
            .ThenBy(d => d.ResourceName ?? d.ResourceId, StringComparer.OrdinalIgnoreCase).ToList();
    }

    private static Dictionary<string, ControlResult> ByControl(IEnumerable<ControlResult> results)
    {
        var map = new Dictionary<string, ControlResult>(StringComparer.OrdinalIgnoreCase);
        foreach (ControlResult r in results)
        {
            // A control twice in one set (two runs piped together) keeps its newest result.
            if (!map.TryGetValue(r.Control.Id, out ControlResult? seen) || seen.Run.EvaluatedAt <= r.Run.EvaluatedAt)
            {
                map[r.Control.Id] = r;
            }
        }

        return map;
    }

    private static Dictionary<(string, string), AssessmentFinding> ByResource(IEnumerable<AssessmentFinding> findings)
    {
        var map = new Dictionary<(string, string), AssessmentFinding>();
        foreach (AssessmentFinding f in findings)
        {
            map[(f.ResourceType.ToUpperInvariant(), f.ResourceId.ToUpperInvariant())] = f;
        }

        return map;
    }

    private static AssessmentDrift ControlRow(AssessmentDriftKind kind, ControlResult r, AssessmentOutcome? then, AssessmentOutcome? now) => new()
    {
        Kind = kind,
        ControlId = r.Control.Id,
        Title = r.Control.Title,
        Severity = r.Control.Severity,
        ReferenceOutcome = then,
        DifferenceOutcome = now,
    };

    private static AssessmentDrift ResourceRow(AssessmentDriftKind kind, ControlResult r, AssessmentFinding f, AssessmentFinding? then, AssessmentFinding? now) => new()
    {
        Kind = kind,
        ControlId = r.Control.Id,
        Title = r.Control.Title,
        Severity = r.Control.Severity,
        ResourceType = f.ResourceType,
        ResourceId = f.ResourceId,
        ResourceName = f.ResourceName,
        ReferenceOutcome = then?.Outcome,
        DifferenceOutcome = now?.Outcome,
    };
}
