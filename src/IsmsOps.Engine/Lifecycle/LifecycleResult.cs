using IsmsOps.Engine.People;

namespace IsmsOps.Engine.Lifecycle;

/// <summary>What a lifecycle run does for one person.</summary>
public enum LifecycleWork
{
    /// <summary>Nothing is due: not yet, already done, or not a joiner or leaver. <see cref="LifecycleResult.Reason"/> says which.</summary>
    Nothing,

    /// <summary>Start or carry on the person's onboarding case.</summary>
    Onboarding,

    /// <summary>Start or resume the person's offboarding case.</summary>
    Offboarding,

    /// <summary>Carry on the person's open mover case: grant the new role's access once screening allows, remove the old role's once the overlap has passed.</summary>
    Mover,
}

/// <summary>
/// What a lifecycle run decided for one person, before anything ran: the work, the case it carries on (if any), and
/// why. Decisions are made from the store's state alone, never from the events that changed it.
/// </summary>
public sealed record LifecycleDecision
{
    public required string PersonId { get; init; }

    /// <summary>The person as the register held them when the decision was made (null when not registered).</summary>
    public Person? Person { get; init; }

    public required LifecycleWork Work { get; init; }

    /// <summary>The existing case the work carries on or that shows it is done; null when a new case is to be opened.</summary>
    public string? CaseId { get; init; }

    /// <summary>
    /// For <see cref="LifecycleWork.Nothing"/>: NotDue, Done, NotApplicable, Blocked or NotFound. For work: Start or
    /// Resume.
    /// </summary>
    public required string Status { get; init; }

    /// <summary>Why, in words (may name the person's dates; never written to the audit trail).</summary>
    public required string Reason { get; init; }

    /// <summary>When the work falls (or fell) due, by <see cref="LifecycleOptions"/>.</summary>
    public DateTimeOffset? DueAt { get; init; }

    /// <summary>The stable error id when the decision is a refusal (IsmsOps.Person.NotFound).</summary>
    public string? ErrorId { get; init; }

    /// <summary>The register status to set after the work (Left after offboarding, Active after onboarding), when the person's case is already closed.</summary>
    internal PersonStatus? Advance { get; init; }
}

/// <summary>What a lifecycle run did for one person.</summary>
public sealed record LifecycleResult
{
    public required string PersonId { get; init; }

    public required LifecycleWork Work { get; init; }

    /// <summary>The onboarding (ONB-), offboarding (OFB-) or mover case worked on, or the closed one that made the work unnecessary.</summary>
    public string? CaseId { get; init; }

    /// <summary>
    /// The case's status after the run (Open, Blocked, Failed, Completed, Running, CompletedWithManualTasks), or for
    /// <see cref="LifecycleWork.Nothing"/>: NotDue, Done, NotApplicable, Blocked, NotFound; Error when the work could not start.
    /// </summary>
    public required string Status { get; init; }

    /// <summary>Why, in words, including what to do about an error.</summary>
    public string? Reason { get; init; }

    /// <summary>The stable error id of an error (IsmsOps.Onboarding.NoUserPrincipalName, IsmsOps.Offboarding.StepsFailed ...); null otherwise.</summary>
    public string? ErrorId { get; init; }

    /// <summary>When the work fell due (or falls due, for NotDue).</summary>
    public DateTimeOffset? DueAt { get; init; }

    /// <summary>The person's register status after the run.</summary>
    public PersonStatus? PersonStatus { get; init; }

    /// <summary>The error behind <see cref="ErrorId"/>, for a caller that reports it (not shown by default).</summary>
    public IsmsException? Error { get; init; }
}
