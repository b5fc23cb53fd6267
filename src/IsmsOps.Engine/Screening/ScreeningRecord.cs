namespace IsmsOps.Engine.Screening;

/// <summary>
/// How thorough a screening is. A role asks for one (the role catalog); the order matters: a higher level satisfies a
/// lower one, so a mover to a role with a higher level needs new screening and one to a lower level does not.
/// </summary>
public enum ScreeningLevel
{
    /// <summary>Identity and right to work.</summary>
    Basic = 1,

    /// <summary>Basic plus employment references and, where the law allows, a basic criminal-record check.</summary>
    Standard = 2,

    /// <summary>Standard plus the deeper checks a privileged or finance role warrants (credit, enhanced criminal record).</summary>
    Enhanced = 3,
}

/// <summary>Where a screening is. Only Cleared (before its re-screen date) and an approved, unexpired Waived let access follow.</summary>
public enum ScreeningStatus
{
    NotStarted,
    Requested,
    InProgress,
    Cleared,
    Adverse,
    Expired,
    Waived,
}

/// <summary>The background checks a screening can include.</summary>
public enum ScreeningCheck
{
    Identity,
    RightToWork,
    CriminalRecord,
    Credit,
    References,
    Education,
}

/// <summary>The outcome of one check. NotRequired means the policy does not ask for it at this level and country.</summary>
public enum ScreeningCheckResult
{
    NotRequired,
    Pending,
    Clear,
    Adverse,
}

/// <summary>
/// One person's background screening at one level: the status, the provider's reference, one result per check and
/// the dates. The provider's report is never stored; the free-text <see cref="Notes"/> and
/// <see cref="AdverseFindings"/> live encrypted in the person's vault and are filled in only for an audited read.
/// </summary>
public sealed record ScreeningRecord
{
    /// <summary>The screening's id, <c>scr-</c> and 12 hex digits, made when it is created.</summary>
    public string ScreeningId { get; init; } = string.Empty;

    /// <summary>The PersonId of the person screened.</summary>
    public required string PersonId { get; init; }

    public ScreeningLevel Level { get; init; } = ScreeningLevel.Standard;

    public ScreeningStatus Status { get; init; } = ScreeningStatus.NotStarted;

    /// <summary>The country whose requirements apply (ISO 3166-1 alpha-2); the person's Location when not given.</summary>
    public string? Country { get; init; }

    /// <summary>Who carries out the checks (a screening company, or "HR").</summary>
    public string? Provider { get; init; }

    /// <summary>The provider's case or order number, to find the report there.</summary>
    public string? ProviderReference { get; init; }

    public ScreeningCheckResult Identity { get; init; }

    public ScreeningCheckResult RightToWork { get; init; }

    public ScreeningCheckResult CriminalRecord { get; init; }

    public ScreeningCheckResult Credit { get; init; }

    public ScreeningCheckResult References { get; init; }

    public ScreeningCheckResult Education { get; init; }

    /// <summary>When the checks were requested from the provider (a calendar date).</summary>
    public DateTime? RequestedOn { get; init; }

    /// <summary>When the screening reached Cleared or Adverse (a calendar date).</summary>
    public DateTime? CompletedOn { get; init; }

    /// <summary>When a Cleared screening stops counting and must be repeated: CompletedOn plus the level's interval.</summary>
    public DateTime? RescreenDueOn { get; init; }

    /// <summary>Who set the status to Waived: the one person who may not approve the waiver.</summary>
    public string? WaiverRequestedBy { get; init; }

    /// <summary>Why the requester asks to waive screening (a business reason; no findings about the person).</summary>
    public string? WaiverReason { get; init; }

    /// <summary>Who approved the waiver; null while it waits for approval (and then it does not count).</summary>
    public string? WaiverApprovedBy { get; init; }

    /// <summary>When the waiver was approved (UTC).</summary>
    public DateTime? WaiverApprovedAt { get; init; }

    /// <summary>The approver's reason for accepting the risk.</summary>
    public string? WaiverApprovalReason { get; init; }

    /// <summary>The last day the waiver counts (a calendar date); from the next day it no longer does.</summary>
    public DateTime? WaiverExpiresOn { get; init; }

    /// <summary>Free-text notes. Sensitive: encrypted at rest, empty unless read with an audited sensitive read.</summary>
    public string? Notes { get; init; }

    /// <summary>What the provider found against the person. Sensitive, like <see cref="Notes"/>.</summary>
    public string? AdverseFindings { get; init; }

    /// <summary>Incremented by each change; a change made against an older version is refused.</summary>
    public long Version { get; init; }

    public DateTime CreatedAt { get; init; }

    public DateTime UpdatedAt { get; init; }

    /// <summary>The names of the sensitive fields.</summary>
    public static IReadOnlyList<string> SensitiveFields { get; } = [nameof(Notes), nameof(AdverseFindings)];

    /// <summary>The vault name of a sensitive field of screening <paramref name="screeningId"/>: <c>Screening/&lt;id&gt;/Notes</c>.</summary>
    public static string VaultName(string screeningId, string field) => $"Screening/{screeningId}/{field}";

    /// <summary>The result of each check, in <see cref="ScreeningCheck"/> order.</summary>
    public IEnumerable<(ScreeningCheck Check, ScreeningCheckResult Result)> Checks()
    {
        yield return (ScreeningCheck.Identity, Identity);
        yield return (ScreeningCheck.RightToWork, RightToWork);
        yield return (ScreeningCheck.CriminalRecord, CriminalRecord);
        yield return (ScreeningCheck.Credit, Credit);
        yield return (ScreeningCheck.References, References);
        yield return (ScreeningCheck.Education, Education);
    }

    /// <summary>The result of one check.</summary>
    public ScreeningCheckResult ResultOf(ScreeningCheck check) => Checks().First(c => c.Check == check).Result;

    /// <summary>This record with one check's result replaced.</summary>
    public ScreeningRecord WithCheck(ScreeningCheck check, ScreeningCheckResult result) => check switch
    {
        ScreeningCheck.Identity => this with { Identity = result },
        ScreeningCheck.RightToWork => this with { RightToWork = result },
        ScreeningCheck.CriminalRecord => this with { CriminalRecord = result },
        ScreeningCheck.Credit => this with { Credit = result },
        ScreeningCheck.References => this with { References = result },
        _ => this with { Education = result },
    };

    /// <summary>The sensitive fields' values, in <see cref="SensitiveFields"/> order.</summary>
    public IEnumerable<(string Field, string? Value)> SensitiveValues()
    {
        yield return (nameof(Notes), Notes);
        yield return (nameof(AdverseFindings), AdverseFindings);
    }

    /// <summary>This record with the sensitive fields taken from the person's vault values (by vault name).</summary>
    public ScreeningRecord WithSensitive(IReadOnlyDictionary<string, string> vaultValues) => this with
    {
        Notes = vaultValues.GetValueOrDefault(VaultName(ScreeningId, nameof(Notes))),
        AdverseFindings = vaultValues.GetValueOrDefault(VaultName(ScreeningId, nameof(AdverseFindings))),
    };

    /// <summary>This record with the sensitive fields cleared, as everything but an audited read returns it.</summary>
    public ScreeningRecord WithoutSensitive() => this with { Notes = null, AdverseFindings = null };

    /// <summary>True when the waiver is approved and <paramref name="at"/> is on or before its last day.</summary>
    public bool HasValidWaiverAt(DateTimeOffset at) =>
        Status == ScreeningStatus.Waived && WaiverApprovedBy is not null && WaiverExpiresOn is DateTime last && at.UtcDateTime < last.Date.AddDays(1);

    /// <summary>True when the screening is Cleared and <paramref name="at"/> is before its re-screen date.</summary>
    public bool IsClearedAt(DateTimeOffset at) =>
        Status == ScreeningStatus.Cleared && (RescreenDueOn is not DateTime due || at.UtcDateTime < due.Date);
}

/// <summary>Which screenings to return. Filters combine with AND.</summary>
public sealed record ScreeningQuery
{
    /// <summary>Exact PersonIds, case-insensitive.</summary>
    public IReadOnlyList<string> PersonIds { get; init; } = [];

    public IReadOnlyList<ScreeningStatus> Statuses { get; init; } = [];

    /// <summary>Only Cleared screenings whose re-screen date is on or before this date (overdue ones included).</summary>
    public DateTime? RescreenDueBy { get; init; }
}

/// <summary>
/// The answer to "may access that needs <see cref="Level"/> be granted to <see cref="PersonId"/> at <see cref="At"/>":
/// which screening allows it (Cleared or validly Waived), or why none does.
/// </summary>
public sealed record ScreeningClearance(string PersonId, ScreeningLevel Level, DateTimeOffset At, bool Allowed, string? ScreeningId,
    ScreeningStatus? Basis, string Reason);
