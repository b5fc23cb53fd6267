using IsmsOps.Engine.Audit;

namespace IsmsOps.Engine.Offboarding;

/// <summary>
/// One leaver's offboarding evidence: the case as stored, each step with its before and after state and Graph
/// request-id, the directory verification, and the audit events that back all of it, anchored to the trail's verified
/// head and its newest signed checkpoint. Written as JSON (and a human-readable page) by
/// <see cref="OffboardingEvidenceExport"/>; <see cref="OffboardingEvidenceChecker"/> proves it against the trail.
/// The format is specified in docs/offboarding-evidence.md.
/// </summary>
public sealed record OffboardingEvidence
{
    /// <summary>The value of <see cref="Format"/> this version writes and reads.</summary>
    public const string FormatName = "IsmsOps.OffboardingEvidence.v1";

    public required string Format { get; init; }

    /// <summary>When the record was made, UTC.</summary>
    public required DateTimeOffset ExportedAt { get; init; }

    /// <summary>The case header.</summary>
    public required OffboardingEvidenceCase Case { get; init; }

    /// <summary>Every step, in plan order.</summary>
    public required IReadOnlyList<OffboardingEvidenceStep> Steps { get; init; }

    /// <summary>The newest Offboarding.Verified event's findings; null when the trail holds none for the case.</summary>
    public OffboardingEvidenceVerification? Verification { get; init; }

    /// <summary>Every audit event whose target is the case, oldest first, exactly as the trail holds them.</summary>
    public required IReadOnlyList<AuditEvent> Events { get; init; }

    /// <summary>Where the trail stood when the record was made.</summary>
    public required OffboardingEvidenceTrail Trail { get; init; }
}

/// <summary>Who left, by when access had to go, and when it went.</summary>
public sealed record OffboardingEvidenceCase
{
    public required string CaseId { get; init; }

    /// <summary>The register's person, or null for a directory-only leaver.</summary>
    public string? PersonId { get; init; }

    /// <summary>The leaver's directory object id.</summary>
    public required string UserId { get; init; }

    /// <summary>From the stored case; the trail holds ids only, so this is not checked against it.</summary>
    public required string UserPrincipalName { get; init; }

    public required OffboardingCaseStatus Status { get; init; }

    public required OffboardingUrgency Urgency { get; init; }

    public required DateTimeOffset EffectiveDate { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset DueAt { get; init; }

    /// <summary>When the case completed; null while it is open.</summary>
    public DateTimeOffset? ClosedAt { get; init; }

    /// <summary>Closed after <see cref="DueAt"/>, or still open when the record was made and past it.</summary>
    public required bool DeadlineBreached { get; init; }

    /// <summary>By how much the deadline was missed (to the close, or to the export for an open case); null when met.</summary>
    public TimeSpan? OverdueBy { get; init; }

    /// <summary>The case's version when the record was made.</summary>
    public required long Version { get; init; }
}

/// <summary>One step of the case, as stored, with who confirmed it when it was a manual task.</summary>
public sealed record OffboardingEvidenceStep
{
    public required int Sequence { get; init; }

    public required OffboardingStepKind Kind { get; init; }

    public string? ResourceId { get; init; }

    /// <summary>From the stored case; not in the trail, so not checked against it.</summary>
    public string? ResourceDisplayName { get; init; }

    public string? AssignmentId { get; init; }

    public string? Detail { get; init; }

    public required OffboardingStepStatus Status { get; init; }

    public string? Reason { get; init; }

    public required int Attempts { get; init; }

    public string? GraphRequestId { get; init; }

    /// <summary>What the directory held before the step (compact JSON, as Graph answered).</summary>
    public string? BeforeState { get; init; }

    public string? AfterState { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>For a manual task a person confirmed done: the actor of the audit event that recorded it.</summary>
    public string? ConfirmedBy { get; init; }

    public DateTimeOffset? ConfirmedAt { get; init; }

    /// <summary>The audit event that recorded the step's current state; null for a step no event has touched since the plan.</summary>
    public long? EventSequence { get; init; }
}

/// <summary>What the live re-read of the directory found, as the Offboarding.Verified event recorded it.</summary>
public sealed record OffboardingEvidenceVerification
{
    /// <summary>The Offboarding.Verified event this comes from.</summary>
    public required long EventSequence { get; init; }

    public required DateTimeOffset VerifiedAt { get; init; }

    public required bool AccountEnabled { get; init; }

    public DateTimeOffset? SignInSessionsValidFrom { get; init; }

    /// <summary>The account is disabled and nothing Graph can remove is left.</summary>
    public required bool NothingRemovableRemains { get; init; }

    public required IReadOnlyList<OffboardingEvidenceRemaining> Remaining { get; init; }
}

/// <summary>One thing the leaver still held at verification, and why.</summary>
public sealed record OffboardingEvidenceRemaining
{
    public required string Kind { get; init; }

    public required string ResourceId { get; init; }

    /// <summary>True when Graph could have removed it: the offboarding failed to.</summary>
    public required bool RemovableThroughGraph { get; init; }

    public required string ActingSystem { get; init; }

    public required string Why { get; init; }
}

/// <summary>The trail's verified state when the record was made.</summary>
public sealed record OffboardingEvidenceTrail
{
    /// <summary>The store the events came from.</summary>
    public required string Source { get; init; }

    /// <summary>The verified head: every event up to it recomputed and chained, and a signed checkpoint vouched for it.</summary>
    public required long HeadSequence { get; init; }

    public required string HeadHash { get; init; }

    public required DateTimeOffset VerifiedAt { get; init; }

    public required string VerificationMessage { get; init; }

    /// <summary>The newest signed checkpoint; its sequence is at or after the record's last event.</summary>
    public required AuditCheckpoint Checkpoint { get; init; }
}
