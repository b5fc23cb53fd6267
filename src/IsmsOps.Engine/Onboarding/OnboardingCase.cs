namespace IsmsOps.Engine.Onboarding;

/// <summary>What one onboarding step does, in the order a plan runs them: the account first, grants after.</summary>
public enum OnboardingStepKind
{
    /// <summary>Link the person to an account the directory already holds (by DirectoryObjectId or UserPrincipalName).</summary>
    LinkAccount,

    /// <summary>Create the Entra account (POST /users), disabled for password sign-in until a pass or reset is issued.</summary>
    CreateAccount,

    /// <summary>Set employeeId and employeeHireDate (PATCH /users/{id}).</summary>
    SetAttributes,

    /// <summary>Set the manager (PUT /users/{id}/manager/$ref).</summary>
    SetManager,

    AddGroupMember,
    AssignLicense,
    AssignAppRole,

    /// <summary>Issue a Temporary Access Pass; the pass is returned once to the caller and never stored.</summary>
    IssueTemporaryAccessPass,
}

/// <summary>Where a step stands. A step the screening gate holds back stays Pending with the gate's reason.</summary>
public enum OnboardingStepStatus
{
    Pending,
    Done,
    Failed,
    Skipped,
}

/// <summary>Where a case stands as a whole.</summary>
public enum OnboardingCaseStatus
{
    /// <summary>Stored; steps remain that can run now.</summary>
    Open,

    /// <summary>Every step the gate allows is done; the rest wait for screening to clear.</summary>
    Blocked,

    /// <summary>Some step failed; run Start-IsmsOnboarding again to retry it.</summary>
    Failed,

    /// <summary>Every step Done or Skipped.</summary>
    Completed,
}

/// <summary>
/// One onboarding step: what to grant or set, on what, whether it belongs to the minimal baseline (allowed before
/// screening when the role says so), and what happened when it ran.
/// </summary>
public sealed record OnboardingStep
{
    /// <summary>Position in the plan, from 1.</summary>
    public required int Sequence { get; init; }

    public required OnboardingStepKind Kind { get; init; }

    /// <summary>The group, SKU or service principal the step acts on; the manager's object id for SetManager; null for account steps.</summary>
    public string? ResourceId { get; init; }

    public string? ResourceDisplayName { get; init; }

    /// <summary>Kind-specific: the app role id for AssignAppRole.</summary>
    public string? Detail { get; init; }

    /// <summary>
    /// True for the minimal baseline: the account, its manager and attributes. Everything else is birthright access,
    /// which waits for the screening gate.
    /// </summary>
    public bool Baseline { get; init; }

    public OnboardingStepStatus Status { get; init; } = OnboardingStepStatus.Pending;

    /// <summary>Why the step is pending (what blocks it), failed or skipped.</summary>
    public string? Reason { get; init; }

    public int Attempts { get; init; }

    /// <summary>Graph's request-id for the call that settled the step.</summary>
    public string? GraphRequestId { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>True once the step needs no more work.</summary>
    public bool IsSettled => Status is OnboardingStepStatus.Done or OnboardingStepStatus.Skipped;
}

/// <summary>One joiner's onboarding: who, which role, which account, and every step with what happened to it.</summary>
public sealed record OnboardingCase
{
    /// <summary>"ONB-" + the creation date + a short random part.</summary>
    public required string CaseId { get; init; }

    public required string PersonId { get; init; }

    /// <summary>The catalog role the plan was made from.</summary>
    public required string RoleId { get; init; }

    /// <summary>The account's object id, once linked or created.</summary>
    public string? UserId { get; init; }

    public string? UserPrincipalName { get; init; }

    public OnboardingCaseStatus Status { get; init; } = OnboardingCaseStatus.Open;

    /// <summary>The screening the gate last relied on, or null when it was closed.</summary>
    public string? ScreeningId { get; init; }

    /// <summary>Why the gate is closed (null when open): what blocks the pending steps.</summary>
    public string? BlockedBecause { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public long Version { get; init; }

    public IReadOnlyList<OnboardingStep> Steps { get; init; } = [];

    /// <summary>Steps still to run (pending or failed).</summary>
    public int PendingSteps => Steps.Count(s => !s.IsSettled);
}

/// <summary>Which cases to return; filters combine with AND.</summary>
public sealed record OnboardingCaseQuery
{
    public string? PersonId { get; init; }

    public IReadOnlyList<OnboardingCaseStatus> Statuses { get; init; } = [];
}

/// <summary>What a run returns: the stored case, and the Temporary Access Pass when one was issued in this run (never stored).</summary>
public sealed record OnboardingOutcome(OnboardingCase Case, string? TemporaryAccessPass, DateTimeOffset? PassStartsAt, int? PassLifetimeMinutes);

/// <summary>The audit actions of onboarding, all with the target <see cref="OnboardingRegister.Target"/>.</summary>
public static class OnboardingAuditActions
{
    public const string CaseOpened = "Onboarding.CaseOpened";

    /// <summary>The screening gate's decision: role, level required, screening relied on or why none counts, and what it allows.</summary>
    public const string GateDecided = "Onboarding.GateDecided";

    /// <summary>A step added to an existing case by a later run (a Temporary Access Pass asked for after the first plan).</summary>
    public const string StepAdded = "Onboarding.StepAdded";

    public const string StepSettled = "Onboarding.StepSettled";

    public const string StepFailed = "Onboarding.StepFailed";

    public const string CaseStatusChanged = "Onboarding.CaseStatusChanged";
}
