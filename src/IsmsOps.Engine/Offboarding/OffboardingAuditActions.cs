namespace IsmsOps.Engine.Offboarding;

/// <summary>
/// The audit actions an offboarding case's events carry, all with the target <see cref="OffboardingRegister.Target"/>.
/// An evidence record is rebuilt from, and checked against, exactly these (docs/offboarding-evidence.md).
/// </summary>
public static class OffboardingAuditActions
{
    /// <summary>The case and its plan were stored: ids, urgency, effective date, deadline, and each step's kind and target.</summary>
    public const string CaseOpened = "Offboarding.CaseOpened";

    /// <summary>A step reached Done, Skipped or ManualTask (or a manual task was confirmed Done).</summary>
    public const string StepSettled = "Offboarding.StepSettled";

    public const string StepFailed = "Offboarding.StepFailed";

    /// <summary>A step changed without settling or failing (started, another attempt).</summary>
    public const string StepUpdated = "Offboarding.StepUpdated";

    /// <summary>The case reached Completed or CompletedWithManualTasks, with whether its deadline was missed.</summary>
    public const string CaseClosed = "Offboarding.CaseClosed";

    public const string CaseStatusChanged = "Offboarding.CaseStatusChanged";

    /// <summary>A live re-read of the directory found what remains, and whether anything Graph can remove is left.</summary>
    public const string Verified = "Offboarding.Verified";

    /// <summary>An evidence record of the case was written, with the SHA-256 of its JSON file.</summary>
    public const string EvidenceExported = "Offboarding.EvidenceExported";

    /// <summary>True for the three actions that record one step's state.</summary>
    public static bool IsStepAction(string action) => action is StepSettled or StepFailed or StepUpdated;
}
