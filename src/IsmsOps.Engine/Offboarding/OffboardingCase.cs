namespace IsmsOps.Engine.Offboarding;

/// <summary>Where an offboarding case stands as a whole.</summary>
public enum OffboardingCaseStatus
{
    /// <summary>Planned and stored; no step has run.</summary>
    Planned,

    Running,

    /// <summary>Every step Done or Skipped.</summary>
    Completed,

    /// <summary>Every step settled, and at least one left to a person (a manual task).</summary>
    CompletedWithManualTasks,

    /// <summary>A run ended with failed steps; resuming it sets it Running again.</summary>
    Failed,
}

/// <summary>How fast access must go.</summary>
public enum OffboardingUrgency
{
    /// <summary>The policy's deadline for the person's employment type (24 hours by default).</summary>
    Standard,

    /// <summary>A hostile or otherwise risky leaver: access goes at once.</summary>
    Immediate,
}

/// <summary>
/// One leaver's offboarding: who, how urgent, by when, and every step with what happened to it. Stored with its steps
/// by <see cref="OffboardingRegister"/>; every change is audited.
/// </summary>
public sealed record OffboardingCase
{
    /// <summary>Stable id, "OFB-" + the creation date + a short random part, e.g. OFB-20261123-7F3A2C.</summary>
    public required string CaseId { get; init; }

    /// <summary>The registered person, or null for a directory-only leaver (an account no HR record names).</summary>
    public string? PersonId { get; init; }

    /// <summary>The leaver's directory object id.</summary>
    public required string UserId { get; init; }

    public required string UserPrincipalName { get; init; }

    public OffboardingCaseStatus Status { get; init; } = OffboardingCaseStatus.Planned;

    public OffboardingUrgency Urgency { get; init; } = OffboardingUrgency.Standard;

    /// <summary>When the person leaves; the deadline counts from here.</summary>
    public required DateTimeOffset EffectiveDate { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>When access must be gone (<see cref="OffboardingDeadlinePolicy"/>).</summary>
    public required DateTimeOffset DueAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When the case reached Completed or CompletedWithManualTasks; null while open.</summary>
    public DateTimeOffset? ClosedAt { get; init; }

    /// <summary>Increments on every change; pass it back to detect a concurrent run.</summary>
    public long Version { get; init; }

    /// <summary>The steps in run order.</summary>
    public IReadOnlyList<OffboardingStep> Steps { get; init; } = [];

    /// <summary>True until every access is gone or handed to a person.</summary>
    public bool IsOpen => Status is not (OffboardingCaseStatus.Completed or OffboardingCaseStatus.CompletedWithManualTasks);

    /// <summary>True when the deadline has passed and the case is not completed: an SLA breach.</summary>
    public bool IsOverdue(DateTimeOffset now) => IsOpen && now > DueAt;
}

/// <summary>Which cases to return. All filters are optional and combine with AND.</summary>
public sealed record OffboardingCaseQuery
{
    public string? PersonId { get; init; }

    /// <summary>The leaver's directory object id.</summary>
    public string? UserId { get; init; }

    public IReadOnlyList<OffboardingCaseStatus> Statuses { get; init; } = [];

    /// <summary>Only cases not yet completed.</summary>
    public bool OpenOnly { get; init; }

    /// <summary>Only cases overdue at this instant (open, and due before it).</summary>
    public DateTimeOffset? OverdueAt { get; init; }

    public static OffboardingCaseQuery All { get; } = new();
}
