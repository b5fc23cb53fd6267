using IsmsOps.Engine.Access;

namespace IsmsOps.Engine.Offboarding;

/// <summary>
/// What one offboarding step does. The order of the members is the order a plan runs them in: sign-in goes first, so
/// nothing new is granted or used while the rest is removed; the default authentication method goes after the others,
/// because Graph refuses to delete it while others remain.
/// </summary>
public enum OffboardingStepKind
{
    DisableAccount,
    RevokeSessions,
    RemoveGroupMembership,
    RemoveGroupOwnership,
    RemoveDirectoryRole,
    RemoveEligibleDirectoryRole,
    RemoveAppRoleAssignment,
    RemoveDelegatedGrant,
    RemoveLicense,
    RemoveAuthenticationMethod,
    DisableDevice,
    ReassignDirectReports,

    /// <summary>Work outside Graph: a dynamic rule, on-premises AD, Exchange Online, returning a laptop.</summary>
    ManualTask,
}

/// <summary>Where a step stands. Done and Skipped and ManualTask-confirmed steps are never run again.</summary>
public enum OffboardingStepStatus
{
    Pending,
    Done,
    Failed,
    Skipped,
    ManualTask,
}

/// <summary>
/// One step of an offboarding case: what to remove (or do), from which resource, and what happened when it ran.
/// Identified within its case by <see cref="Sequence"/>; every field needed to run it again is here, so a resumed case
/// needs nothing but the store.
/// </summary>
public sealed record OffboardingStep
{
    /// <summary>Position in the plan, from 1; the order steps run in.</summary>
    public required int Sequence { get; init; }

    public required OffboardingStepKind Kind { get; init; }

    /// <summary>The leaver's directory object id.</summary>
    public required string UserId { get; init; }

    /// <summary>The group, role definition, service principal, SKU, method or device the step acts on; null for account steps.</summary>
    public string? ResourceId { get; init; }

    public string? ResourceDisplayName { get; init; }

    /// <summary>
    /// The id Graph removes by, where it differs from the resource: a role assignment or schedule id, an app role
    /// assignment id, a delegated grant id, an authentication method id (with its type in <see cref="Detail"/>).
    /// </summary>
    public string? AssignmentId { get; init; }

    /// <summary>Kind-specific facts the step needs or reports: the method type, the new owner, the manager taking reports.</summary>
    public string? Detail { get; init; }

    public OffboardingStepStatus Status { get; init; } = OffboardingStepStatus.Pending;

    /// <summary>Why a step was skipped, failed or left as a manual task, in words an administrator can act on.</summary>
    public string? Reason { get; init; }

    /// <summary>For a ManualTask the runner made of Graph's refusal: which system owns the change. Not stored; read by
    /// AccessRemovalService so it need not parse <see cref="Reason"/>.</summary>
    internal NotRemovableReason? ManualBecause { get; init; }

    public int Attempts { get; init; }

    /// <summary>Graph's request-id for the call that settled the step, for a support case and for the evidence record.</summary>
    public string? GraphRequestId { get; init; }

    /// <summary>What the directory held before the step ran (JSON), and after.</summary>
    public string? BeforeState { get; init; }

    public string? AfterState { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>True once the step needs no more work: done, skipped, or handed to a person.</summary>
    public bool IsSettled => Status is OffboardingStepStatus.Done or OffboardingStepStatus.Skipped or OffboardingStepStatus.ManualTask;
}
