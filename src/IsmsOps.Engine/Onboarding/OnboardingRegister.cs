using System.Globalization;
using System.Security.Cryptography;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Screening;
using IsmsOps.Engine.Storage;

namespace IsmsOps.Engine.Onboarding;

/// <summary>
/// The register of onboarding cases. As with offboarding, every change is stored with its audit event in one
/// transaction, and a step recorded again unchanged writes nothing, so a re-run is safe. Events name ids only.
/// </summary>
public sealed class OnboardingRegister
{
    private readonly IIsmsStore _store;
    private readonly AuditTrail _audit;
    private readonly Func<DateTime> _clock;

    public OnboardingRegister(IIsmsStore store, AuditTrail audit, Func<DateTime>? clock = null)
    {
        _store = store;
        _audit = audit;
        _clock = clock ?? (() => DateTime.UtcNow);
    }

    /// <summary>The audit target for a case.</summary>
    public static string Target(string caseId) => "onboarding:" + caseId;

    /// <summary>The case, or IsmsOps.Onboarding.NotFound.</summary>
    public async Task<OnboardingCase> GetAsync(string caseId, CancellationToken cancellationToken) =>
        await _store.GetOnboardingCaseAsync(caseId, cancellationToken).ConfigureAwait(false)
        ?? throw new IsmsException("IsmsOps.Onboarding.NotFound", IsmsErrorKind.NotFound, $"No onboarding case with id '{caseId}' is registered.",
            "Check the id with Get-IsmsOnboarding.", caseId);

    /// <summary>Cases matching the query, newest first.</summary>
    public Task<IReadOnlyList<OnboardingCase>> FindAsync(OnboardingCaseQuery query, CancellationToken cancellationToken) =>
        _store.FindOnboardingCasesAsync(query, cancellationToken);

    /// <summary>
    /// Stores a new case for <paramref name="personId"/> with <paramref name="steps"/> and audits Onboarding.CaseOpened.
    /// A person has one case: <c>IsmsOps.Onboarding.AlreadyOpen</c> when they already have one.
    /// </summary>
    public async Task<OnboardingCase> CreateAsync(string personId, string roleId, string? userId, string? userPrincipalName, IReadOnlyList<OnboardingStep> steps,
        OperationContext context, CancellationToken cancellationToken)
    {
        DateTimeOffset now = Now();
        await using IStoreWriteTransaction transaction = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        if (await transaction.FindOnboardingCaseOfAsync(personId, cancellationToken).ConfigureAwait(false) is OnboardingCase existing)
        {
            throw new IsmsException("IsmsOps.Onboarding.AlreadyOpen", IsmsErrorKind.AlreadyExists,
                $"Person '{personId}' already has onboarding case {existing.CaseId} ({existing.Status}). Nothing was changed.",
                $"Run Start-IsmsOnboarding -PersonId {personId} again to carry that case on.", existing.CaseId);
        }

        string caseId;
        do
        {
            caseId = "ONB-" + now.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "-" + RandomNumberGenerator.GetHexString(6);
        }
        while (await transaction.GetOnboardingCaseAsync(caseId, cancellationToken).ConfigureAwait(false) is not null);

        var created = new OnboardingCase
        {
            CaseId = caseId,
            PersonId = personId,
            RoleId = roleId,
            UserId = userId,
            UserPrincipalName = userPrincipalName,
            CreatedAt = now,
            UpdatedAt = now,
            Version = 1,
            Steps = steps,
        };
        await transaction.InsertOnboardingCaseAsync(created, cancellationToken).ConfigureAwait(false);
        var plan = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach (OnboardingStep step in steps)
        {
            plan[step.Sequence.ToString("D3", CultureInfo.InvariantCulture)] = $"{step.Kind} {step.ResourceId} {step.Detail}".TrimEnd() + (step.Baseline ? " [baseline]" : "");
        }

        AuditDetails details = new AuditDetails().Add("CaseId", caseId).Add("PersonId", personId).Add("RoleId", roleId).Add("UserId", userId).Add("Steps", plan);
        await _audit.AppendAsync(transaction, [new AuditEventDraft(OnboardingAuditActions.CaseOpened, Target(caseId), details.ToJson())], context, cancellationToken)
            .ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return created;
    }

    /// <summary>
    /// Audits the screening gate's decision for case <paramref name="caseId"/> (Onboarding.GateDecided): the role, the
    /// level required for the person's location, the screening relied on or why none counts, and whether access beyond
    /// the baseline (and the baseline itself) may be granted. The case keeps the decision's screening and reason.
    /// </summary>
    public async Task<OnboardingCase> RecordGateAsync(string caseId, string roleId, string? location, ScreeningClearance clearance, bool baselineAllowed,
        OperationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(clearance);
        await using IStoreWriteTransaction transaction = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        OnboardingCase current = await transaction.GetOnboardingCaseAsync(caseId, cancellationToken).ConfigureAwait(false)
            ?? throw new IsmsException("IsmsOps.Onboarding.NotFound", IsmsErrorKind.NotFound, $"No onboarding case with id '{caseId}' is registered.",
                "Check the id with Get-IsmsOnboarding.", caseId);
        OnboardingCase updated = current with
        {
            ScreeningId = clearance.ScreeningId,
            BlockedBecause = clearance.Allowed ? null : clearance.Reason,
            Version = current.Version + 1,
            UpdatedAt = Now(),
        };
        await SaveAsync(transaction, updated, current.Version, cancellationToken).ConfigureAwait(false);
        AuditDetails details = new AuditDetails()
            .Add("CaseId", caseId)
            .Add("PersonId", current.PersonId)
            .Add("RoleId", roleId)
            .Add("Location", location)
            .Add("LevelRequired", clearance.Level)
            .Add("Cleared", clearance.Allowed)
            .Add("ScreeningId", clearance.ScreeningId)
            .Add("Basis", clearance.Basis)
            .Add("Reason", clearance.Allowed ? null : clearance.Reason)
            .Add("BaselineAllowed", baselineAllowed);
        await _audit.AppendAsync(transaction, [new AuditEventDraft(OnboardingAuditActions.GateDecided, Target(caseId), details.ToJson())], context, cancellationToken)
            .ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return updated;
    }

    /// <summary>
    /// Appends <paramref name="step"/> to case <paramref name="caseId"/> (its sequence must follow the last step's) and
    /// audits Onboarding.StepAdded. Used when a later run asks for something the first plan left out (a Temporary
    /// Access Pass). The case's status is left for the run to settle.
    /// </summary>
    public async Task<OnboardingCase> AddStepAsync(string caseId, OnboardingStep step, OperationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(step);
        await using IStoreWriteTransaction transaction = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        OnboardingCase current = await transaction.GetOnboardingCaseAsync(caseId, cancellationToken).ConfigureAwait(false)
            ?? throw new IsmsException("IsmsOps.Onboarding.NotFound", IsmsErrorKind.NotFound, $"No onboarding case with id '{caseId}' is registered.",
                "Check the id with Get-IsmsOnboarding.", caseId);
        int next = current.Steps.Count == 0 ? 1 : current.Steps.Max(s => s.Sequence) + 1;
        if (step.Sequence != next)
        {
            // Another run added a step in between: adding this one too could plan the same thing twice.
            throw new IsmsException("IsmsOps.Onboarding.Conflict", IsmsErrorKind.Conflict,
                $"Case {caseId} changed while this run planned step {step.Sequence}. Nothing was changed.", "Run the command again.", caseId);
        }

        OnboardingCase updated = current with { Steps = [.. current.Steps, step], Version = current.Version + 1, UpdatedAt = Now() };
        await SaveAsync(transaction, updated, current.Version, cancellationToken).ConfigureAwait(false);
        AuditDetails details = new AuditDetails()
            .Add("CaseId", caseId)
            .Add("PersonId", current.PersonId)
            .Add("Sequence", step.Sequence)
            .Add("Kind", step.Kind)
            .Add("ResourceId", step.ResourceId)
            .Add("Baseline", step.Baseline);
        await _audit.AppendAsync(transaction, [new AuditEventDraft(OnboardingAuditActions.StepAdded, Target(caseId), details.ToJson())], context, cancellationToken)
            .ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return updated;
    }

    /// <summary>
    /// Stores the steps given (matched by sequence), the account id when it became known, and the case status, in one
    /// transaction, auditing each step that changed (Onboarding.StepSettled or Onboarding.StepFailed, with the Graph
    /// request-id) and a status change. Nothing that is unchanged is written or audited.
    /// </summary>
    public async Task<OnboardingCase> RecordAsync(string caseId, IReadOnlyList<OnboardingStep> steps, string? userId, OnboardingCaseStatus? status,
        OperationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(steps);
        await using IStoreWriteTransaction transaction = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        OnboardingCase current = await transaction.GetOnboardingCaseAsync(caseId, cancellationToken).ConfigureAwait(false)
            ?? throw new IsmsException("IsmsOps.Onboarding.NotFound", IsmsErrorKind.NotFound, $"No onboarding case with id '{caseId}' is registered.",
                "Check the id with Get-IsmsOnboarding.", caseId);
        var stored = current.Steps.ToDictionary(s => s.Sequence);
        var drafts = new List<AuditEventDraft>();
        foreach (OnboardingStep step in steps)
        {
            OnboardingStep before = stored.GetValueOrDefault(step.Sequence)
                ?? throw new IsmsException("IsmsOps.Onboarding.StepNotFound", IsmsErrorKind.NotFound,
                    $"Case {caseId} has no step {step.Sequence}. Nothing was changed.", "Record the steps of the case as Get-IsmsOnboarding lists them.", caseId);
            if (before.Kind != step.Kind || !string.Equals(before.ResourceId, step.ResourceId, StringComparison.OrdinalIgnoreCase))
            {
                throw new IsmsException("IsmsOps.Onboarding.StepMismatch", IsmsErrorKind.InvalidArgument,
                    $"Step {step.Sequence} of case {caseId} is {before.Kind} on '{before.ResourceId}', not {step.Kind} on '{step.ResourceId}'. Nothing was changed.",
                    "Record results against the step that was run.", caseId);
            }

            if (step == before || (before.IsSettled && before.Status == step.Status))
            {
                continue;
            }

            stored[step.Sequence] = step;
            if (step.Status == before.Status && step.Status == OnboardingStepStatus.Pending)
            {
                // A new reason for waiting is kept on the step but is not evidence of anything done; the gate event says why.
                continue;
            }

            AuditDetails details = new AuditDetails()
                .Add("CaseId", caseId)
                .Add("Sequence", step.Sequence)
                .Add("Kind", step.Kind)
                .Add("UserId", userId ?? current.UserId)
                .Add("ResourceId", step.ResourceId)
                .Add("Detail", step.Detail)
                .Add("Baseline", step.Baseline)
                .Add("Reason", step.Reason)
                .Add("Attempts", step.Attempts)
                .Add("GraphRequestId", step.GraphRequestId)
                .Add("CompletedAt", step.CompletedAt is DateTimeOffset done ? AuditEvent.FormatTime(done.UtcDateTime) : null)
                .AddChange("Status", before.Status, step.Status);
            drafts.Add(new AuditEventDraft(step.Status == OnboardingStepStatus.Failed ? OnboardingAuditActions.StepFailed : OnboardingAuditActions.StepSettled,
                Target(caseId), details.ToJson()));
        }

        OnboardingCaseStatus newStatus = status ?? current.Status;
        bool changed = drafts.Count > 0 || newStatus != current.Status || (userId is not null && userId != current.UserId)
            || current.Steps.Any(s => stored[s.Sequence] != s);
        if (!changed)
        {
            return current;
        }

        if (newStatus != current.Status)
        {
            AuditDetails details = new AuditDetails().Add("CaseId", caseId).Add("PersonId", current.PersonId).AddChange("Status", current.Status, newStatus)
                .Add("PendingSteps", stored.Values.Count(s => !s.IsSettled));
            drafts.Add(new AuditEventDraft(OnboardingAuditActions.CaseStatusChanged, Target(caseId), details.ToJson()));
        }

        OnboardingCase updated = current with
        {
            UserId = userId ?? current.UserId,
            Status = newStatus,
            Steps = current.Steps.Select(s => stored[s.Sequence]).ToList(),
            Version = current.Version + 1,
            UpdatedAt = Now(),
        };
        await SaveAsync(transaction, updated, current.Version, cancellationToken).ConfigureAwait(false);
        if (drafts.Count > 0)
        {
            await _audit.AppendAsync(transaction, drafts, context, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return updated;
    }

    private static async Task SaveAsync(IStoreWriteTransaction transaction, OnboardingCase updated, long expectedVersion, CancellationToken cancellationToken)
    {
        if (!await transaction.UpdateOnboardingCaseAsync(updated, expectedVersion, cancellationToken).ConfigureAwait(false))
        {
            throw new IsmsException("IsmsOps.Onboarding.Conflict", IsmsErrorKind.Conflict,
                $"Case {updated.CaseId} changed while this update ran. Nothing was changed.", "Run the command again.", updated.CaseId);
        }
    }

    private DateTimeOffset Now() => new(DateTime.SpecifyKind(_clock(), DateTimeKind.Utc));
}
