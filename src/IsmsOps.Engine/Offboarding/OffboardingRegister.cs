using System.Globalization;
using System.Security.Cryptography;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Storage;

namespace IsmsOps.Engine.Offboarding;

/// <summary>
/// The register of offboarding cases. Every change (a case opened, a step recorded, a status set) is stored together
/// with its audit event in one transaction, so a crash never leaves a step recorded without its evidence, nor evidence
/// of a step that was not recorded. Recording what is already recorded changes nothing, so a resumed run can repeat
/// itself safely.
/// </summary>
/// <remarks>
/// Audit events name ids only (case, person, directory object, resource), not names or addresses: the trail outlives
/// the crypto-shredding of a leaver's personal data.
/// </remarks>
public sealed class OffboardingRegister
{
    // A confirmed manual task's Reason starts with this; it is how a second confirmation is recognised as a repeat.
    private const string ConfirmedBy = "Confirmed by ";

    private readonly IIsmsStore _store;
    private readonly AuditTrail _audit;
    private readonly Func<DateTime> _clock;

    private readonly Func<OffboardingDeadlinePolicy> _deadlines;

    public OffboardingRegister(IIsmsStore store, AuditTrail audit, Func<DateTime>? clock = null, OffboardingDeadlinePolicy? deadlines = null)
        : this(store, audit, clock, () => deadlines ?? OffboardingDeadlinePolicy.Default)
    {
    }

    /// <param name="store">The store.</param>
    /// <param name="audit">The store's audit trail.</param>
    /// <param name="clock">UTC now.</param>
    /// <param name="deadlines">Asked for the policy each time a case opens, so an edited policy file applies to the next case.</param>
    public OffboardingRegister(IIsmsStore store, AuditTrail audit, Func<DateTime>? clock, Func<OffboardingDeadlinePolicy> deadlines)
    {
        _store = store;
        _audit = audit;
        _clock = clock ?? (() => DateTime.UtcNow);
        _deadlines = deadlines;
    }

    /// <summary>The policy that sets each new case's deadline (read anew each time: it may come from a policy file).</summary>
    public OffboardingDeadlinePolicy Deadlines => _deadlines();

    /// <summary>
    /// Opens a case for <paramref name="plan"/>: stores it with its steps and audits Offboarding.CaseOpened. The
    /// deadline comes from <see cref="Deadlines"/>, by the person's employment type (Standard's window for a
    /// directory-only leaver) and <paramref name="urgency"/>, counted from <paramref name="effectiveDate"/> (now when
    /// null). Fails with <c>IsmsOps.Offboarding.AlreadyOpen</c> when the account already has an open case, and
    /// <c>IsmsOps.Offboarding.PersonMismatch</c> when the person is linked to another account.
    /// </summary>
    public async Task<OffboardingCase> CreateAsync(OffboardingPlan plan, Person? person, OffboardingUrgency urgency, DateTimeOffset? effectiveDate,
        OperationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        if (person?.DirectoryObjectId is string linked && !string.Equals(linked, plan.UserId, StringComparison.OrdinalIgnoreCase))
        {
            throw new IsmsException("IsmsOps.Offboarding.PersonMismatch", IsmsErrorKind.InvalidArgument,
                $"Person '{person.PersonId}' is linked to account {linked}, but the plan is for {plan.UserId} ({plan.UserPrincipalName}). Nothing was changed.",
                "Plan the offboarding of the person's own account, or correct the link with Set-IsmsPerson -DirectoryObjectId.", person.PersonId);
        }

        if (plan.Steps.Select(s => s.Sequence).Distinct().Count() != plan.Steps.Count
            || plan.Steps.Any(s => s.Sequence < 1 || !string.Equals(s.UserId, plan.UserId, StringComparison.OrdinalIgnoreCase)))
        {
            throw new IsmsException("IsmsOps.Offboarding.InvalidPlan", IsmsErrorKind.InvalidArgument,
                $"The plan for {plan.UserId} has duplicate or missing step numbers, or steps for another user. Nothing was changed.",
                "Make the plan with OffboardingPlanner.Plan and do not edit its steps.", plan.UserId);
        }

        // Read before anything is written: a broken policy file stops here with nothing changed.
        OffboardingDeadlinePolicy deadlines = Deadlines;
        DateTimeOffset now = Now();
        DateTimeOffset effective = effectiveDate ?? now;
        await using IStoreWriteTransaction transaction = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<OffboardingCase> open = await transaction.FindOpenOffboardingCasesAsync(plan.UserId, cancellationToken).ConfigureAwait(false);
        if (open.Count > 0)
        {
            throw new IsmsException("IsmsOps.Offboarding.AlreadyOpen", IsmsErrorKind.AlreadyExists,
                $"Account {plan.UserId} ({plan.UserPrincipalName}) already has an open offboarding case, {open[0].CaseId} ({open[0].Status}). Nothing was changed.",
                $"Resume that case (Resume-IsmsOffboarding {open[0].CaseId}) rather than open a second one.", open[0].CaseId);
        }

        string caseId = await NewCaseIdAsync(transaction, now, cancellationToken).ConfigureAwait(false);
        var created = new OffboardingCase
        {
            CaseId = caseId,
            PersonId = person?.PersonId,
            UserId = plan.UserId,
            UserPrincipalName = plan.UserPrincipalName,
            Status = OffboardingCaseStatus.Planned,
            Urgency = urgency,
            EffectiveDate = effective,
            CreatedAt = now,
            DueAt = deadlines.DueAt(person?.EmploymentType, urgency, effective),
            UpdatedAt = now,
            Version = 1,
            Steps = plan.Steps.OrderBy(s => s.Sequence).ToList(),
        };
        await transaction.InsertOffboardingCaseAsync(created, cancellationToken).ConfigureAwait(false);

        var steps = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (OffboardingStep step in created.Steps)
        {
            steps[step.Sequence.ToString("D3", CultureInfo.InvariantCulture)] = $"{step.Kind} {step.ResourceId} {step.AssignmentId}".TrimEnd() + $" [{step.Status}]";
        }

        AuditDetails details = new AuditDetails()
            .Add("CaseId", caseId)
            .Add("PersonId", created.PersonId)
            .Add("UserId", created.UserId)
            .Add("Urgency", urgency)
            .Add("EmploymentType", person?.EmploymentType)
            .Add("EffectiveDate", Iso(effective))
            .Add("DueAt", Iso(created.DueAt))
            .Add("SnapshotCollectedAt", Iso(plan.SnapshotCollectedAt))
            .Add("Steps", steps);
        await _audit.AppendAsync(transaction, [new AuditEventDraft(OffboardingAuditActions.CaseOpened, Target(caseId), details.ToJson())], context, cancellationToken)
            .ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return created;
    }

    /// <summary>The case with its steps. Fails with <c>IsmsOps.Offboarding.NotFound</c>.</summary>
    public async Task<OffboardingCase> GetAsync(string caseId, CancellationToken cancellationToken) =>
        await _store.GetOffboardingCaseAsync(caseId, cancellationToken).ConfigureAwait(false) ?? throw NotFound(caseId);

    /// <summary>Cases matching the query, newest first.</summary>
    public Task<IReadOnlyList<OffboardingCase>> FindAsync(OffboardingCaseQuery query, CancellationToken cancellationToken) =>
        _store.FindOffboardingCasesAsync(query, cancellationToken);

    /// <summary>
    /// Stores what happened to one step (matched by <see cref="OffboardingStep.Sequence"/>) and audits it with its
    /// before and after state, Graph request-id and times, in one transaction: Offboarding.StepSettled when the step is
    /// settled, Offboarding.StepFailed when it failed, Offboarding.StepUpdated otherwise (started, another attempt).
    /// A step identical to the stored one, or one already settled with the same status (the first settlement is the
    /// evidence), writes and audits nothing. The step must act on what was planned: <c>IsmsOps.Offboarding.StepMismatch</c>
    /// otherwise. With <paramref name="expectedVersion"/> and another version stored: <c>IsmsOps.Offboarding.Conflict</c>.
    /// </summary>
    public Task<OffboardingCase> RecordStepAsync(string caseId, OffboardingStep step, long? expectedVersion, OperationContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        return RecordStepsAsync(caseId, [step], expectedVersion, context, cancellationToken);
    }

    /// <summary>
    /// <see cref="RecordStepAsync"/> for steps that settled together (the answers of one $batch): one transaction, one
    /// new version of the case, one audit event per step that changed, under the same rules. A step that does not match
    /// its plan, or a closed case, refuses the whole call and nothing is written.
    /// </summary>
    public async Task<OffboardingCase> RecordStepsAsync(string caseId, IReadOnlyList<OffboardingStep> steps, long? expectedVersion, OperationContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(steps);
        await using IStoreWriteTransaction transaction = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        OffboardingCase current = await ReadForChangeAsync(transaction, caseId, expectedVersion, cancellationToken).ConfigureAwait(false);
        var stored = current.Steps.ToDictionary(s => s.Sequence);
        var changes = new List<(OffboardingStep Before, OffboardingStep After)>();
        foreach (OffboardingStep step in steps)
        {
            ArgumentNullException.ThrowIfNull(step);
            OffboardingStep before = stored.GetValueOrDefault(step.Sequence)
                ?? throw new IsmsException("IsmsOps.Offboarding.StepNotFound", IsmsErrorKind.NotFound,
                    $"Case {current.CaseId} has no step {step.Sequence} (it has {current.Steps.Count}). Nothing was changed.",
                    "Record the steps of the case as Get-IsmsOffboarding lists them.", current.CaseId);

            if (before.Kind != step.Kind || !SameId(before.UserId, step.UserId) || !SameId(before.ResourceId, step.ResourceId)
                || !SameId(before.AssignmentId, step.AssignmentId))
            {
                throw new IsmsException("IsmsOps.Offboarding.StepMismatch", IsmsErrorKind.InvalidArgument,
                    $"Step {step.Sequence} of case {current.CaseId} is {before.Kind} on '{before.ResourceId}'; the result given is for {step.Kind} on '{step.ResourceId}'. Nothing was changed.",
                    "Record results against the step that was run; a step's target is fixed when the case is planned.", current.CaseId);
            }

            if (step == before || (before.IsSettled && step.Status == before.Status))
            {
                continue;
            }

            if (!current.IsOpen && !(current.Status == OffboardingCaseStatus.CompletedWithManualTasks && before.Status == OffboardingStepStatus.ManualTask))
            {
                throw Closed(current);
            }

            changes.Add((before, step));
            stored[step.Sequence] = step;
        }

        if (changes.Count == 0)
        {
            return current;
        }

        OffboardingCase updated = current with
        {
            Version = current.Version + 1,
            UpdatedAt = Now(),
            Steps = current.Steps.Select(s => stored[s.Sequence]).ToList(),
        };
        await SaveAsync(transaction, updated, current.Version, cancellationToken).ConfigureAwait(false);
        var drafts = new List<AuditEventDraft>(changes.Count);
        foreach ((OffboardingStep before, OffboardingStep step) in changes)
        {
            if (!await transaction.UpdateOffboardingStepAsync(current.CaseId, step, cancellationToken).ConfigureAwait(false))
            {
                throw new IsmsException("IsmsOps.Offboarding.Conflict", IsmsErrorKind.Conflict,
                    $"Step {step.Sequence} of case {current.CaseId} vanished while it was recorded. Nothing was changed.", "Run the command again.", current.CaseId);
            }

            var details = new AuditDetails()
                .Add("CaseId", current.CaseId)
                .Add("Sequence", step.Sequence)
                .Add("Kind", step.Kind)
                .Add("UserId", step.UserId)
                .Add("ResourceId", step.ResourceId)
                .Add("AssignmentId", step.AssignmentId)
                .Add("Detail", ForTrail(step.Detail, current.UserPrincipalName, current.UserId))
                .Add("Reason", ForTrail(step.Reason, current.UserPrincipalName, current.UserId))
                .Add("Attempts", step.Attempts)
                .Add("GraphRequestId", step.GraphRequestId)
                .Add("BeforeState", step.BeforeState)
                .Add("AfterState", step.AfterState)
                .Add("StartedAt", step.StartedAt is DateTimeOffset started ? Iso(started) : null)
                .Add("CompletedAt", step.CompletedAt is DateTimeOffset completed ? Iso(completed) : null)
                .AddChange("Status", before.Status, step.Status);
            string action = step.IsSettled ? OffboardingAuditActions.StepSettled : step.Status == OffboardingStepStatus.Failed ? OffboardingAuditActions.StepFailed : OffboardingAuditActions.StepUpdated;
            drafts.Add(new AuditEventDraft(action, Target(current.CaseId), details.ToJson()));
        }

        await _audit.AppendAsync(transaction, drafts, context, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return updated;
    }

    /// <summary>
    /// Records that a person did manual task <paramref name="sequence"/> of case <paramref name="caseId"/> (returned
    /// the laptop, removed the on-premises group membership): the step becomes Done, its reason names who confirmed it
    /// (the operation's actor) and what they said, and the audit event carries both. When it was the case's last open
    /// manual task, a case completed with manual tasks becomes Completed. Confirming a step that is not a manual task
    /// fails with <c>IsmsOps.Offboarding.NotAManualTask</c>; confirming one twice changes nothing.
    /// </summary>
    public async Task<OffboardingCase> ConfirmManualTaskAsync(string caseId, int sequence, string? note, OperationContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        OffboardingCase current = await GetAsync(caseId, cancellationToken).ConfigureAwait(false);
        OffboardingStep step = current.Steps.FirstOrDefault(s => s.Sequence == sequence)
            ?? throw new IsmsException("IsmsOps.Offboarding.StepNotFound", IsmsErrorKind.NotFound,
                $"Case {current.CaseId} has no step {sequence} (it has {current.Steps.Count}). Nothing was changed.",
                "Use a Sequence that Get-IsmsOffboarding lists for the case.", current.CaseId);
        if (step.Status != OffboardingStepStatus.ManualTask)
        {
            if (step.Status == OffboardingStepStatus.Done && step.Reason?.StartsWith(ConfirmedBy, StringComparison.Ordinal) == true)
            {
                return current;
            }

            throw new IsmsException("IsmsOps.Offboarding.NotAManualTask", IsmsErrorKind.InvalidArgument,
                $"Step {sequence} of case {current.CaseId} ({step.Kind} '{step.ResourceDisplayName ?? step.ResourceId}') is {step.Status}, not a manual task. Nothing was changed.",
                "Confirm only steps whose Status is ManualTask; run Resume-IsmsOffboarding for Pending or Failed ones.", current.CaseId);
        }

        string said = string.IsNullOrWhiteSpace(note) ? "" : ": " + note.Trim();
        OffboardingStep confirmed = step with
        {
            Status = OffboardingStepStatus.Done,
            Reason = $"{ConfirmedBy}{context.Actor}{said}. The task: {step.Reason}",
            CompletedAt = Now(),
        };
        OffboardingCase updated = await RecordStepAsync(caseId, confirmed, current.Version, context, cancellationToken).ConfigureAwait(false);
        if (updated.Status == OffboardingCaseStatus.CompletedWithManualTasks && updated.Steps.All(s => s.Status != OffboardingStepStatus.ManualTask))
        {
            updated = await SetStatusAsync(caseId, OffboardingCaseStatus.Completed, updated.Version, context, cancellationToken).ConfigureAwait(false);
        }

        return updated;
    }

    /// <summary>
    /// Sets the case's status, audited as Offboarding.CaseClosed when it completes (with whether the deadline was
    /// missed) and Offboarding.CaseStatusChanged otherwise. Completed needs every step Done or Skipped;
    /// CompletedWithManualTasks needs every step settled (<c>IsmsOps.Offboarding.NotSettled</c>). A completed case
    /// does not reopen (<c>IsmsOps.Offboarding.Closed</c>), though one completed with manual tasks may become
    /// Completed. Setting the status it has changes nothing.
    /// </summary>
    public async Task<OffboardingCase> SetStatusAsync(string caseId, OffboardingCaseStatus status, long? expectedVersion, OperationContext context,
        CancellationToken cancellationToken)
    {
        await using IStoreWriteTransaction transaction = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        OffboardingCase current = await ReadForChangeAsync(transaction, caseId, expectedVersion, cancellationToken).ConfigureAwait(false);
        if (current.Status == status)
        {
            return current;
        }

        if (!current.IsOpen && !(current.Status == OffboardingCaseStatus.CompletedWithManualTasks && status == OffboardingCaseStatus.Completed))
        {
            throw Closed(current);
        }

        List<OffboardingStep> blocking = status switch
        {
            OffboardingCaseStatus.Completed => current.Steps.Where(s => s.Status is not (OffboardingStepStatus.Done or OffboardingStepStatus.Skipped)).ToList(),
            OffboardingCaseStatus.CompletedWithManualTasks => current.Steps.Where(s => !s.IsSettled).ToList(),
            _ => [],
        };
        if (blocking.Count > 0)
        {
            throw new IsmsException("IsmsOps.Offboarding.NotSettled", IsmsErrorKind.Conflict,
                $"Case {current.CaseId} cannot be {status}: step(s) {string.Join(", ", blocking.Select(s => $"{s.Sequence} ({s.Kind}, {s.Status})"))} are not done. Nothing was changed.",
                status == OffboardingCaseStatus.Completed
                    ? "Finish the remaining steps, confirm manual tasks, or close the case as CompletedWithManualTasks."
                    : "Resume the case until every step is Done, Skipped or a manual task.", current.CaseId);
        }

        DateTimeOffset now = Now();
        bool closing = status is OffboardingCaseStatus.Completed or OffboardingCaseStatus.CompletedWithManualTasks;
        OffboardingCase updated = current with
        {
            Status = status,
            Version = current.Version + 1,
            UpdatedAt = now,
            ClosedAt = closing ? current.ClosedAt ?? now : null,
        };
        await SaveAsync(transaction, updated, current.Version, cancellationToken).ConfigureAwait(false);

        var details = new AuditDetails()
            .Add("CaseId", current.CaseId)
            .Add("DueAt", Iso(current.DueAt))
            .AddChange("Status", current.Status, status);
        if (closing)
        {
            details.Add("ClosedAt", Iso(updated.ClosedAt!.Value))
                .Add("Overdue", updated.ClosedAt > current.DueAt)
                .Add("ManualTasks", current.Steps.Count(s => s.Status == OffboardingStepStatus.ManualTask));
        }

        await _audit.AppendAsync(transaction, [new AuditEventDraft(closing ? OffboardingAuditActions.CaseClosed : OffboardingAuditActions.CaseStatusChanged, Target(current.CaseId), details.ToJson())],
            context, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return updated;
    }

    /// <summary>
    /// Audits what a live re-read of the directory found for case <paramref name="caseId"/> as Offboarding.Verified:
    /// whether the account is enabled, whether anything Graph can remove remains, and each remaining item's kind, id,
    /// acting system and reason (ids and reasons, no names), so the evidence record's verification is backed by the trail.
    /// The case itself is not changed.
    /// </summary>
    public async Task RecordVerificationAsync(string caseId, OffboardingVerification verification, OperationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(verification);
        OffboardingCase current = await GetAsync(caseId, cancellationToken).ConfigureAwait(false);
        var remaining = verification.Remaining.Select(r => new SortedDictionary<string, object?>(StringComparer.Ordinal)
        {
            ["Kind"] = r.Kind,
            ["ResourceId"] = r.ResourceId,
            ["RemovableThroughGraph"] = r.RemovableThroughGraph,
            ["ActingSystem"] = r.ActingSystem,
            // Some reasons quote a command naming the account (Exchange's -Member 'upn'); the trail keeps the id instead.
            ["Why"] = ForTrail(r.Why, verification.UserPrincipalName, verification.UserId),
        }).ToList();
        var details = new AuditDetails()
            .Add("CaseId", current.CaseId)
            .Add("UserId", verification.UserId)
            .Add("AccountEnabled", verification.AccountEnabled)
            .Add("SignInSessionsValidFrom", verification.SignInSessionsValidFrom is DateTimeOffset from ? Iso(from) : null)
            .Add("VerifiedAt", Iso(verification.VerifiedAt))
            .Add("NothingRemovableRemains", verification.NothingRemovableRemains)
            .Add("Remaining", remaining);
        await _audit.AppendAsync([new AuditEventDraft(OffboardingAuditActions.Verified, Target(current.CaseId), details.ToJson())], context, cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>The audit target for a case.</summary>
    public static string Target(string caseId) => "offboarding:" + caseId;

    /// <summary>The error for a case id that is not registered.</summary>
    public static IsmsException NotFound(string caseId) => new("IsmsOps.Offboarding.NotFound", IsmsErrorKind.NotFound,
        $"No offboarding case with id '{caseId}' is registered.", "Check the id with Get-IsmsOffboarding.", caseId);

    private async Task<OffboardingCase> ReadForChangeAsync(IStoreWriteTransaction transaction, string caseId, long? expectedVersion, CancellationToken cancellationToken)
    {
        OffboardingCase current = await transaction.GetOffboardingCaseAsync(caseId, cancellationToken).ConfigureAwait(false) ?? throw NotFound(caseId);
        if (expectedVersion is long expected && expected != current.Version)
        {
            throw new IsmsException("IsmsOps.Offboarding.Conflict", IsmsErrorKind.Conflict,
                $"Case {current.CaseId} is at version {current.Version}, not {expected}: another run changed it since it was read. Nothing was changed.",
                "Read the case again with Get-IsmsOffboarding; if another run is under way, let it finish.", current.CaseId);
        }

        return current;
    }

    private static async Task SaveAsync(IStoreWriteTransaction transaction, OffboardingCase updated, long expectedVersion, CancellationToken cancellationToken)
    {
        if (!await transaction.UpdateOffboardingCaseAsync(updated, expectedVersion, cancellationToken).ConfigureAwait(false))
        {
            throw new IsmsException("IsmsOps.Offboarding.Conflict", IsmsErrorKind.Conflict,
                $"Case {updated.CaseId} changed while this update ran. Nothing was changed.", "Run the command again.", updated.CaseId);
        }
    }

    // The date keeps ids readable in a ticket; six random hex digits make a clash on one day rare, and the check makes it harmless.
    private static async Task<string> NewCaseIdAsync(IStoreWriteTransaction transaction, DateTimeOffset now, CancellationToken cancellationToken)
    {
        while (true)
        {
            string id = "OFB-" + now.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "-" + RandomNumberGenerator.GetHexString(6);
            if (await transaction.GetOffboardingCaseAsync(id, cancellationToken).ConfigureAwait(false) is null)
            {
                return id;
            }
        }
    }

    private static IsmsException Closed(OffboardingCase c) => new("IsmsOps.Offboarding.Closed", IsmsErrorKind.Conflict,
        $"Case {c.CaseId} is {c.Status} (closed {c.ClosedAt:u}). Nothing was changed.",
        "A completed case stays as it is; open a new case if access was granted again.", c.CaseId);

    /// <summary>
    /// A step's words as the trail keeps them: the leaver's user principal name (quoted in some manual tasks, e.g. the
    /// Exchange command to run) replaced by their object id, so the trail names ids only and outlives the removal of
    /// their personal data. The evidence check compares a record's steps through the same function.
    /// </summary>
    internal static string? ForTrail(string? text, string? userPrincipalName, string userId) =>
        text is null || string.IsNullOrEmpty(userPrincipalName) ? text : text.Replace(userPrincipalName, userId, StringComparison.OrdinalIgnoreCase);

    private static bool SameId(string? a, string? b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);

    private static string Iso(DateTimeOffset time) => AuditEvent.FormatTime(time.UtcDateTime);

    private DateTimeOffset Now() => new(DateTime.SpecifyKind(_clock(), DateTimeKind.Utc));
}
