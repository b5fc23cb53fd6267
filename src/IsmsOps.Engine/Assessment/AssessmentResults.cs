namespace IsmsOps.Engine.Assessment;

/// <summary>How much a failing control matters.</summary>
public enum ControlSeverity
{
    /// <summary>Exploitable now or an audit nonconformity on its own; fix today.</summary>
    Critical,

    /// <summary>A material weakness; fix this week.</summary>
    High,

    /// <summary>A weakness with a mitigating factor; fix in the next cycle.</summary>
    Medium,

    /// <summary>Hygiene; fix when convenient.</summary>
    Low,

    /// <summary>Reported for awareness; never a failure that gates anything.</summary>
    Info,
}

/// <summary>The outcome of one control for one resource, or for the control as a whole.</summary>
public enum AssessmentOutcome
{
    /// <summary>The resource meets the control's condition.</summary>
    Pass,

    /// <summary>The resource does not meet the control's condition.</summary>
    Fail,

    /// <summary>The control's selector matched no resource, or the control does not apply to this resource.</summary>
    NotApplicable,

    /// <summary>The resource failed, and a waiver in force at evaluation time covers it. The original outcome stays on the finding.</summary>
    Waived,

    /// <summary>Evaluating the control (or a resource) threw; the exception's message is on the result.</summary>
    Error,

    /// <summary>The control could not be evaluated; <see cref="AssessmentSkipReason"/> says why.</summary>
    Skipped,
}

/// <summary>Why a control was skipped rather than evaluated.</summary>
public enum AssessmentSkipReason
{
    /// <summary>Not skipped.</summary>
    None,

    /// <summary>The control needs the live directory and the run had neither a connection nor a snapshot.</summary>
    NotConnected,

    /// <summary>The tenant lacks the licence the evidence needs (for example sign-in activity without Entra ID P1).</summary>
    NotLicensed,

    /// <summary>The collector lacked a Graph permission the evidence needs.</summary>
    MissingPermission,

    /// <summary>The snapshot or the register holds no evidence of the kind the control reads.</summary>
    NoEvidence,
}

/// <summary>One reference from a control to a clause of a standard, such as iso27001:2022 A.5.18 or iso27017 CLD.9.5.1.</summary>
/// <param name="Framework">The framework key: <c>iso27001:2022</c>, <c>iso27002:2013</c> or <c>iso27017</c>.</param>
/// <param name="Id">The control id within that framework, such as <c>A.5.18</c>, <c>9.2.5</c> or <c>CLD.9.5.1</c>.</param>
public sealed record ControlReference(string Framework, string Id)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Framework} {Id}";
}

/// <summary>What a report needs to know about a control: its identity, mapping and remediation, without its condition.</summary>
public sealed record ControlSummary
{
    /// <summary>The control's stable id, such as <c>ISMS-PEO-001</c>.</summary>
    public required string Id { get; init; }

    /// <summary>A one-line title.</summary>
    public required string Title { get; init; }

    /// <summary>What the control is for, in our own words.</summary>
    public string? Objective { get; init; }

    /// <summary>How much a failure matters.</summary>
    public ControlSeverity Severity { get; init; } = ControlSeverity.Medium;

    /// <summary>The resource type the control evaluates (person, account, group, roleAssignment, ...).</summary>
    public required string ResourceType { get; init; }

    /// <summary>The clauses of the standards the control gives evidence for.</summary>
    public IReadOnlyList<ControlReference> References { get; init; } = [];

    /// <summary>What to do about a failure, naming the IsmsOps cmdlet that fixes it.</summary>
    public string? Remediation { get; init; }

    /// <summary>Free tags for selecting controls (-Control tag:privileged).</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The parameter values the run used (defaults, overridden by -Parameter), as invariant strings.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; init; } = new Dictionary<string, string>();

    /// <summary>The file the control came from, relative to the policies folder when under it.</summary>
    public string? SourcePath { get; init; }
}

/// <summary>The outcome of one control for one resource.</summary>
public sealed record AssessmentFinding
{
    /// <summary>The control's id.</summary>
    public required string ControlId { get; init; }

    /// <summary>The resource type, as the control names it.</summary>
    public required string ResourceType { get; init; }

    /// <summary>The resource's stable id (directory object id, person id, case id; <c>tenant</c> for tenant settings).</summary>
    public required string ResourceId { get; init; }

    /// <summary>A readable name for the resource (user principal name, group name, person id). Reports must encode it.</summary>
    public string? ResourceName { get; init; }

    /// <summary>The outcome after waivers.</summary>
    public AssessmentOutcome Outcome { get; init; }

    /// <summary>The outcome before a waiver replaced it; null when no waiver applied.</summary>
    public AssessmentOutcome? OriginalOutcome { get; init; }

    /// <summary>The id of the waiver that applied, when <see cref="Outcome"/> is Waived.</summary>
    public string? WaiverId { get; init; }

    /// <summary>Why the resource passed or failed, in words (the fields and values that decided it).</summary>
    public string? Message { get; init; }

    /// <summary>The exception's type and message when <see cref="Outcome"/> is Error.</summary>
    public string? Error { get; init; }
}

/// <summary>A waiver as a report shows it.</summary>
public sealed record AppliedWaiver
{
    /// <summary>The waiver's id.</summary>
    public required string Id { get; init; }

    /// <summary>AcceptedRisk or CompensatingControl.</summary>
    public required string Category { get; init; }

    /// <summary>Why the risk is accepted or how it is compensated.</summary>
    public required string Justification { get; init; }

    /// <summary>Who approved it.</summary>
    public required string Approver { get; init; }

    /// <summary>When it was made.</summary>
    public DateTimeOffset CreatedOn { get; init; }

    /// <summary>When it stops counting. An expired waiver is never honoured.</summary>
    public DateTimeOffset ExpiresOn { get; init; }
}

/// <summary>Where an assessment's evidence came from and when it ran. Shared by every control result of one run.</summary>
public sealed record AssessmentRunInfo
{
    /// <summary>A new id for each run (a GUID string).</summary>
    public required string RunId { get; init; }

    /// <summary>The evaluation time: every olderThan and withinDays is relative to it.</summary>
    public required DateTimeOffset EvaluatedAt { get; init; }

    /// <summary>When the run finished.</summary>
    public DateTimeOffset CompletedAt { get; init; }

    /// <summary>The tenant the evidence describes.</summary>
    public string? TenantId { get; init; }

    /// <summary>The tenant's display name.</summary>
    public string? TenantName { get; init; }

    /// <summary>Where the directory evidence came from: the snapshot's path, <c>live</c>, or <c>none</c>.</summary>
    public required string Source { get; init; }

    /// <summary>When the directory evidence was collected.</summary>
    public DateTimeOffset? SnapshotCollectedAt { get; init; }

    /// <summary>The IsmsOps version that ran the assessment.</summary>
    public string? ToolVersion { get; init; }

    /// <summary>How long each phase took (collect, load, compile, evaluate), in order.</summary>
    public IReadOnlyList<KeyValuePair<string, TimeSpan>> PhaseTimings { get; init; } = [];
}

/// <summary>The outcome of one control in one run: the object Invoke-IsmsAssessment writes to the pipeline.</summary>
public sealed record ControlResult
{
    /// <summary>The run this result belongs to.</summary>
    public required AssessmentRunInfo Run { get; init; }

    /// <summary>The control.</summary>
    public required ControlSummary Control { get; init; }

    /// <summary>
    /// The control's outcome: Error or Skipped when the control could not run; otherwise Fail when any finding is Fail,
    /// else Error when any finding is Error (an unevaluated resource may hide a failure), else Waived when every failing
    /// finding is waived, Pass when at least one passed, else NotApplicable.
    /// </summary>
    public AssessmentOutcome Outcome { get; init; }

    /// <summary>Why the control was skipped, when <see cref="Outcome"/> is Skipped.</summary>
    public AssessmentSkipReason SkipReason { get; init; }

    /// <summary>The exception's type and message (or the skip's detail), when the control did not run.</summary>
    public string? Message { get; init; }

    /// <summary>One finding per resource the selector matched.</summary>
    public IReadOnlyList<AssessmentFinding> Findings { get; init; } = [];

    /// <summary>The waivers that changed at least one finding, so reports can show who accepted what until when.</summary>
    public IReadOnlyList<AppliedWaiver> Waivers { get; init; } = [];

    /// <summary>
    /// Waivers that name a failing resource of this control but had expired at evaluation time: never honoured (the
    /// finding stays Fail), listed so the owner renews or removes them.
    /// </summary>
    public IReadOnlyList<AppliedWaiver> ExpiredWaivers { get; init; } = [];

    /// <summary>How long compiling and evaluating the control took.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Findings that passed.</summary>
    public int PassCount => CountOf(AssessmentOutcome.Pass);

    /// <summary>Findings that failed (waived ones excluded).</summary>
    public int FailCount => CountOf(AssessmentOutcome.Fail);

    /// <summary>Findings a waiver covers.</summary>
    public int WaivedCount => CountOf(AssessmentOutcome.Waived);

    /// <summary>Findings whose evaluation threw.</summary>
    public int ErrorCount => CountOf(AssessmentOutcome.Error);

    /// <summary>
    /// The findings with one of <paramref name="outcomes"/>, in order. The evaluator's own findings are picked by their
    /// stored outcome, so a report of the failures does not build a message for every resource that passed.
    /// </summary>
    internal IEnumerable<AssessmentFinding> FindingsWith(params AssessmentOutcome[] outcomes) =>
        Findings is IFindingCounts counts ? counts.WithOutcome(outcomes) : Findings.Where(f => outcomes.Contains(f.Outcome));

    // The evaluator's findings keep their counts, so a table view does not build every finding's message to count them.
    private int CountOf(AssessmentOutcome outcome) =>
        Findings is IFindingCounts counts ? counts.CountOf(outcome) : Findings.Count(f => f.Outcome == outcome);
}

/// <summary>A findings list that knows how many findings have each outcome without enumerating them.</summary>
internal interface IFindingCounts
{
    int CountOf(AssessmentOutcome outcome);

    /// <summary>The findings with one of <paramref name="outcomes"/>, in order, building only those.</summary>
    IEnumerable<AssessmentFinding> WithOutcome(AssessmentOutcome[] outcomes);
}
