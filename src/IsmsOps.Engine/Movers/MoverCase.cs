using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Onboarding;

namespace IsmsOps.Engine.Movers;

/// <summary>Where a mover's case stands.</summary>
public enum MoverCaseStatus
{
    /// <summary>The new role needs a higher screening level than the old one, and it has not cleared; nothing new is granted.</summary>
    WaitingForScreening,

    /// <summary>Opened or carrying on: the new role's access is still being granted (a first run plans the steps).</summary>
    Granting,

    /// <summary>The new access is in place; the old role's access goes when <see cref="MoverCase.RemoveOldAfter"/> passes.</summary>
    OverlapRunning,

    /// <summary>Every grant and every removal is done.</summary>
    Completed,

    /// <summary>A step failed; running the case again retries it.</summary>
    Failed,

    /// <summary>A newer role change replaced this case before it finished; the newer case carries on what it left.</summary>
    Superseded,
}

/// <summary>
/// One role change: who, from which role to which, the new role's grants, the removals of old access the new role
/// does not also grant, and when those removals are due.
/// </summary>
/// <remarks>
/// Grants are onboarding steps (AddGroupMember, AssignLicense, AssignAppRole) and run as onboarding runs them; removals
/// are offboarding steps (RemoveGroupMembership, RemoveLicense, RemoveAppRoleAssignment) and run through the
/// offboarding step runner. Both lists are empty until the first run plans them against the directory.
/// </remarks>
public sealed record MoverCase
{
    /// <summary>"MOV-" + the creation date + a short random part.</summary>
    public required string CaseId { get; init; }

    public required string PersonId { get; init; }

    /// <summary>The person's account (their DirectoryObjectId when the case was opened).</summary>
    public required string UserId { get; init; }

    /// <summary>The role the person held before this change.</summary>
    public required string FromRoleId { get; init; }

    /// <summary>The role the person moved to.</summary>
    public required string ToRoleId { get; init; }

    /// <summary>
    /// Every role whose birthright access the person may still hold: <see cref="FromRoleId"/>, plus, when this case
    /// superseded an unfinished one, the roles that case had not finished removing and the role it had begun granting.
    /// The removals are what these roles grant and <see cref="ToRoleId"/> does not.
    /// </summary>
    public IReadOnlyList<string> HeldRoleIds { get; init; } = [];

    /// <summary>When the role change was stored.</summary>
    public DateTimeOffset RequestedAt { get; init; }

    /// <summary>When the move takes effect (the role change itself: the register holds no future-dated roles).</summary>
    public DateTimeOffset EffectiveAt { get; init; }

    /// <summary>When the old access may go: <see cref="EffectiveAt"/> plus the overlap policies/movers.yaml sets.</summary>
    public DateTimeOffset RemoveOldAfter { get; init; }

    public MoverCaseStatus Status { get; init; } = MoverCaseStatus.Granting;

    /// <summary>True once the first run has resolved the roles in the directory and stored the steps.</summary>
    public bool Planned { get; init; }

    /// <summary>The new role's birthright grants.</summary>
    public IReadOnlyList<OnboardingStep> GrantSteps { get; init; } = [];

    /// <summary>The old access to remove once <see cref="RemoveOldAfter"/> passes.</summary>
    public IReadOnlyList<OffboardingStep> RemovalSteps { get; init; } = [];

    /// <summary>The screening the gate last relied on, or null.</summary>
    public string? ScreeningId { get; init; }

    /// <summary>Why the grants wait (the gate's reason), or why the case failed or was superseded; null otherwise.</summary>
    public string? BlockedBecause { get; init; }

    /// <summary>The case that replaced this one, for a Superseded case.</summary>
    public string? SupersededBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public long Version { get; init; }

    /// <summary>Grant steps still to run.</summary>
    public int PendingGrants => GrantSteps.Count(s => !s.IsSettled);

    /// <summary>Removal steps still to run.</summary>
    public int PendingRemovals => RemovalSteps.Count(s => !s.IsSettled);

    /// <summary>True while the case has work left (not Completed and not Superseded).</summary>
    public bool IsOpen => Status is not (MoverCaseStatus.Completed or MoverCaseStatus.Superseded);
}

/// <summary>Which mover cases to return; filters combine with AND.</summary>
public sealed record MoverCaseQuery
{
    public string? PersonId { get; init; }

    public IReadOnlyList<MoverCaseStatus> Statuses { get; init; } = [];

    /// <summary>Only open cases whose old access is due to go at or before this instant, or that still have grants to run.</summary>
    public DateTimeOffset? DueAt { get; init; }
}

/// <summary>
/// What <see cref="MoverService.RunAsync"/> returns: the case after the run (null when the person has no open move),
/// whether anything is still pending, and why, in words an administrator or a scheduler can act on.
/// </summary>
public sealed record MoverOutcome(MoverCase? Case, bool Pending, string? PendingBecause)
{
    /// <summary>IsmsOps.Mover.StepsFailed when a step failed (what <see cref="PendingBecause"/> names), for a caller to report; null otherwise.</summary>
    public IsmsException? ToError() => Case is { Status: MoverCaseStatus.Failed } failed
        ? new IsmsException("IsmsOps.Mover.StepsFailed", IsmsErrorKind.WriteError, $"Mover case {failed.CaseId} for {failed.PersonId}: {PendingBecause}",
            $"Fix what each step names, then run Start-IsmsMove -PersonId {failed.PersonId} (or the next Invoke-IsmsLifecycle) again: done steps are not run again.", failed.CaseId)
        : null;
}

/// <summary>The audit actions of movers, all with the target <see cref="MoverRegister.Target"/>.</summary>
public static class MoverAuditActions
{
    /// <summary>A role change opened a case (stored in the same transaction as the person's new role).</summary>
    public const string CaseOpened = "Mover.CaseOpened";

    /// <summary>The first run resolved the roles: the grants and removals, by id.</summary>
    public const string CasePlanned = "Mover.CasePlanned";

    /// <summary>The screening gate's decision for the new role.</summary>
    public const string GateDecided = "Mover.GateDecided";

    public const string StepSettled = "Mover.StepSettled";

    public const string StepFailed = "Mover.StepFailed";

    public const string CaseStatusChanged = "Mover.CaseStatusChanged";

    /// <summary>A newer role change replaced an open case.</summary>
    public const string CaseSuperseded = "Mover.CaseSuperseded";
}
