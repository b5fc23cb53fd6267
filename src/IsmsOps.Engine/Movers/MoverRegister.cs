using System.Globalization;
using System.Security.Cryptography;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Onboarding;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Screening;
using IsmsOps.Engine.Storage;

namespace IsmsOps.Engine.Movers;

/// <summary>A person update and the mover case it opened, if any.</summary>
public sealed record PersonUpdateOutcome(Person Person, MoverCase? Case);

/// <summary>
/// The register of mover cases. A role change and its case are stored in one transaction with the person's update
/// (<see cref="UpdatePersonAsync"/>, <see cref="OpenOnRoleChangeAsync"/>), so a crash never leaves a role change without
/// its case. Every later change is stored with its audit events in one transaction; events name ids only.
/// </summary>
public sealed class MoverRegister
{
    private readonly IIsmsStore _store;
    private readonly AuditTrail _audit;
    private readonly PeopleRegister _people;
    private readonly Func<MoverPolicy> _policy;
    private readonly Func<DateTime> _clock;

    public MoverRegister(IIsmsStore store, AuditTrail audit, PeopleRegister people, Func<MoverPolicy>? policy = null, Func<DateTime>? clock = null)
    {
        _store = store;
        _audit = audit;
        _people = people;
        _policy = policy ?? (() => MoverPolicy.Default);
        _clock = clock ?? (() => DateTime.UtcNow);
    }

    /// <summary>The movers policy in force (policies/movers.yaml, read anew each time).</summary>
    public MoverPolicy Policy => _policy();

    /// <summary>The audit target for a case.</summary>
    public static string Target(string caseId) => "mover:" + caseId;

    /// <summary>Cases matching the query, newest first. <see cref="MoverCaseQuery.DueAt"/> gives the open cases a scheduler should run.</summary>
    public Task<IReadOnlyList<MoverCase>> FindAsync(MoverCaseQuery query, CancellationToken cancellationToken) =>
        _store.FindMoverCasesAsync(query, cancellationToken);

    /// <summary>The person's open case, or null.</summary>
    public async Task<MoverCase?> FindOpenAsync(string personId, CancellationToken cancellationToken) =>
        (await _store.FindMoverCasesAsync(new MoverCaseQuery { PersonId = personId }, cancellationToken).ConfigureAwait(false)).FirstOrDefault(c => c.IsOpen);

    /// <summary>
    /// Updates the person as <see cref="PeopleRegister.UpdateAsync(string, Func{Person, Person}, long?, OperationContext, CancellationToken)"/>
    /// does and, when the update changes their JobRole, opens the mover case in the same transaction.
    /// </summary>
    public async Task<PersonUpdateOutcome> UpdatePersonAsync(string personId, Func<Person, Person> change, long? expectedVersion, RoleCatalog roles,
        OperationContext context, CancellationToken cancellationToken)
    {
        await using IStoreWriteTransaction transaction = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        Person before = await transaction.GetPersonAsync(personId, cancellationToken).ConfigureAwait(false) ?? throw PeopleRegister.NotFound(personId);
        (Person after, IReadOnlyList<FieldChange> changes) = await _people.UpdateAsync(transaction, personId, change, expectedVersion, context, cancellationToken)
            .ConfigureAwait(false);
        if (changes.Count == 0)
        {
            return new PersonUpdateOutcome(after, null);
        }

        MoverCase? opened = await OpenOnRoleChangeAsync(transaction, before, after, roles, context, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new PersonUpdateOutcome(after, opened);
    }

    /// <summary>
    /// Inside the caller's transaction: when <paramref name="after"/>'s JobRole differs from <paramref name="before"/>'s,
    /// opens a new case when both roles are in the catalog (or an open case carries old access) and the person has a
    /// linked account, superseding the person's open case (if any). Returns the new case, or null; with no new case an
    /// open one stays open, so the old access it is due to remove still goes.
    /// </summary>
    /// <remarks>
    /// The new case removes what the person may actually hold: the old role's access, and when an open case is
    /// superseded, the roles it had not finished removing plus its new role when it had granted any of it. Its
    /// removal time is the new overlap, but never later than the superseded case's: a second move does not lengthen
    /// the life of access already due to go.
    /// </remarks>
    public async Task<MoverCase?> OpenOnRoleChangeAsync(IStoreWriteTransaction transaction, Person before, Person after, RoleCatalog roles,
        OperationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        ArgumentNullException.ThrowIfNull(roles);
        if (string.Equals(before.JobRole, after.JobRole, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        RoleDefinition? from = roles.FindJobRole(before.JobRole);
        RoleDefinition? to = roles.FindJobRole(after.JobRole);
        MoverCase? open = await transaction.FindOpenMoverCaseAsync(after.PersonId, cancellationToken).ConfigureAwait(false);
        var held = new List<string>();
        if (open is not null)
        {
            held.AddRange(open.HeldRoleIds);
            // Its new role counts as held once any of it may have reached Graph: a grant recorded Done, or grants the
            // gate let go (stored before the batch is sent, so grants a crash left unrecorded still count).
            if (open.GrantSteps.Any(s => s.Status == OnboardingStepStatus.Done)
                || (open.Planned && open.BlockedBecause is null && open.GrantSteps.Any(s => s.Status != OnboardingStepStatus.Skipped)))
            {
                held.Add(open.ToRoleId);
            }
        }
        else if (from is not null)
        {
            held.Add(from.Id);
        }

        DateTimeOffset now = Now();
        var drafts = new List<AuditEventDraft>();
        MoverCase? created = null;
        held = held.Where(id => to is null || !string.Equals(id, to.Id, StringComparison.OrdinalIgnoreCase)).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (to is not null && after.DirectoryObjectId is string user && (from is not null || open is not null))
        {
            MoverPolicy policy = _policy();
            bool privileged = held.Any(id => roles.Find(id)?.Privileged == true);
            DateTimeOffset due = now + policy.OverlapFor(privileged);
            if (open is not null && open.RemoveOldAfter < due)
            {
                due = open.RemoveOldAfter;
            }

            string caseId;
            do
            {
                caseId = "MOV-" + now.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "-" + RandomNumberGenerator.GetHexString(6);
            }
            while (await transaction.GetMoverCaseAsync(caseId, cancellationToken).ConfigureAwait(false) is not null);

            created = new MoverCase
            {
                CaseId = caseId,
                PersonId = after.PersonId,
                UserId = user,
                FromRoleId = from?.Id ?? before.JobRole ?? string.Empty,
                ToRoleId = to.Id,
                HeldRoleIds = held,
                RequestedAt = now,
                EffectiveAt = now,
                RemoveOldAfter = due,
                CreatedAt = now,
                UpdatedAt = now,
                Version = 1,
            };
            await transaction.InsertMoverCaseAsync(created, cancellationToken).ConfigureAwait(false);
            drafts.Add(new AuditEventDraft(MoverAuditActions.CaseOpened, Target(caseId), new AuditDetails()
                .Add("CaseId", caseId).Add("PersonId", after.PersonId).Add("UserId", user).Add("FromRoleId", created.FromRoleId).Add("ToRoleId", to.Id)
                .Add("HeldRoleIds", held.ToArray()).Add("OldRolePrivileged", privileged).Add("Overlap", policy.OverlapFor(privileged).ToString("c", CultureInfo.InvariantCulture))
                .Add("PolicySource", policy.Source).Add("RemoveOldAfter", AuditEvent.FormatTime(due.UtcDateTime)).Add("Supersedes", open?.CaseId).ToJson()));
        }

        // With no new case (the role cleared or outside the catalog, or no linked account) the open case stays open: its
        // removals are still due at RemoveOldAfter, and MoverService grants nothing more for a role the person left.
        if (open is not null && created is not null)
        {
            MoverCase superseded = open with
            {
                Status = MoverCaseStatus.Superseded,
                SupersededBy = created.CaseId,
                BlockedBecause = $"Replaced by {created.CaseId}, which removes what this case had not and grants role {created.ToRoleId}.",
                Version = open.Version + 1,
                UpdatedAt = now,
            };
            await SaveAsync(transaction, superseded, open.Version, cancellationToken).ConfigureAwait(false);
            drafts.Add(new AuditEventDraft(MoverAuditActions.CaseSuperseded, Target(open.CaseId), new AuditDetails()
                .Add("CaseId", open.CaseId).Add("PersonId", open.PersonId).AddChange("Status", open.Status, MoverCaseStatus.Superseded).Add("SupersededBy", created.CaseId).ToJson()));
        }

        if (drafts.Count > 0)
        {
            await _audit.AppendAsync(transaction, drafts, context, cancellationToken).ConfigureAwait(false);
        }

        return created;
    }

    /// <summary>Stores the first run's plan (grants and removals, resolved to ids) and audits Mover.CasePlanned.</summary>
    public Task<MoverCase> RecordPlanAsync(string caseId, IReadOnlyList<OnboardingStep> grants, IReadOnlyList<OffboardingStep> removals, OperationContext context,
        CancellationToken cancellationToken) =>
        ChangeAsync(caseId, current =>
        {
            if (current.Planned)
            {
                return (current, []);
            }

            var plan = new SortedDictionary<string, object?>(StringComparer.Ordinal);
            foreach (OnboardingStep s in grants)
            {
                plan["G" + s.Sequence.ToString("D3", CultureInfo.InvariantCulture)] = $"{s.Kind} {s.ResourceId} {s.Detail}".TrimEnd();
            }

            foreach (OffboardingStep s in removals)
            {
                plan["R" + s.Sequence.ToString("D3", CultureInfo.InvariantCulture)] = $"{s.Kind} {s.ResourceId} {s.Detail}".TrimEnd();
            }

            return (current with { Planned = true, GrantSteps = grants, RemovalSteps = removals },
                [Draft(MoverAuditActions.CasePlanned, current, new AuditDetails().Add("ToRoleId", current.ToRoleId).Add("HeldRoleIds", current.HeldRoleIds.ToArray()).Add("Steps", plan))]);
        }, context, cancellationToken);

    /// <summary>
    /// Audits the screening gate's decision (Mover.GateDecided): the new role, the levels of the old and new roles for the
    /// person's location, whether a new screening was needed, and the screening relied on or why none counts.
    /// </summary>
    public Task<MoverCase> RecordGateAsync(string caseId, string? location, ScreeningLevel? oldLevel, ScreeningLevel newLevel, ScreeningClearance? clearance,
        OperationContext context, CancellationToken cancellationToken) =>
        ChangeAsync(caseId, current =>
        {
            bool allowed = clearance?.Allowed ?? true;
            AuditDetails details = new AuditDetails().Add("ToRoleId", current.ToRoleId).Add("Location", location).Add("OldLevel", oldLevel).Add("LevelRequired", newLevel)
                .Add("NewScreeningNeeded", clearance is not null).Add("Cleared", allowed).Add("ScreeningId", clearance?.ScreeningId).Add("Basis", clearance?.Basis)
                .Add("Reason", allowed ? null : clearance!.Reason);
            return (current with { ScreeningId = clearance?.ScreeningId, BlockedBecause = allowed ? null : clearance!.Reason },
                [Draft(MoverAuditActions.GateDecided, current, details)]);
        }, context, cancellationToken, alwaysAudit: true);

    /// <summary>
    /// Stores the steps given (matched by sequence) and the status, auditing each step whose status changed
    /// (Mover.StepSettled or Mover.StepFailed, with the Graph request-id) and a status change. Unchanged means unwritten.
    /// </summary>
    public Task<MoverCase> RecordAsync(string caseId, IReadOnlyList<OnboardingStep> grants, IReadOnlyList<OffboardingStep> removals, MoverCaseStatus? status,
        OperationContext context, CancellationToken cancellationToken) =>
        ChangeAsync(caseId, current =>
        {
            var drafts = new List<AuditEventDraft>();
            var grantsBySequence = current.GrantSteps.ToDictionary(s => s.Sequence);
            foreach (OnboardingStep step in grants.Where(s => grantsBySequence.TryGetValue(s.Sequence, out OnboardingStep? before) && before != s))
            {
                OnboardingStep before = grantsBySequence[step.Sequence];
                grantsBySequence[step.Sequence] = step;
                if (before.Status != step.Status)
                {
                    drafts.Add(Draft(step.Status == OnboardingStepStatus.Failed ? MoverAuditActions.StepFailed : MoverAuditActions.StepSettled, current, new AuditDetails()
                        .Add("Step", "G" + step.Sequence).Add("Kind", step.Kind).Add("UserId", current.UserId).Add("ResourceId", step.ResourceId).Add("Detail", step.Detail)
                        .Add("Reason", step.Reason).Add("Attempts", step.Attempts).Add("GraphRequestId", step.GraphRequestId).AddChange("Status", before.Status, step.Status)));
                }
            }

            var removalsBySequence = current.RemovalSteps.ToDictionary(s => s.Sequence);
            foreach (OffboardingStep step in removals.Where(s => removalsBySequence.TryGetValue(s.Sequence, out OffboardingStep? before) && before != s))
            {
                OffboardingStep before = removalsBySequence[step.Sequence];
                removalsBySequence[step.Sequence] = step;
                if (before.Status != step.Status)
                {
                    drafts.Add(Draft(step.Status == OffboardingStepStatus.Failed ? MoverAuditActions.StepFailed : MoverAuditActions.StepSettled, current, new AuditDetails()
                        .Add("Step", "R" + step.Sequence).Add("Kind", step.Kind).Add("UserId", step.UserId).Add("ResourceId", step.ResourceId)
                        .Add("AssignmentId", step.AssignmentId).Add("Reason", step.Reason).Add("Attempts", step.Attempts).Add("GraphRequestId", step.GraphRequestId)
                        .Add("BeforeState", step.BeforeState).Add("AfterState", step.AfterState).AddChange("Status", before.Status, step.Status)));
                }
            }

            MoverCaseStatus newStatus = status ?? current.Status;
            if (newStatus != current.Status)
            {
                drafts.Add(Draft(MoverAuditActions.CaseStatusChanged, current, new AuditDetails().AddChange("Status", current.Status, newStatus)
                    .Add("PendingGrants", grantsBySequence.Values.Count(s => !s.IsSettled)).Add("PendingRemovals", removalsBySequence.Values.Count(s => !s.IsSettled))));
            }

            return (current with
            {
                Status = newStatus,
                GrantSteps = current.GrantSteps.Select(s => grantsBySequence[s.Sequence]).ToList(),
                RemovalSteps = current.RemovalSteps.Select(s => removalsBySequence[s.Sequence]).ToList(),
            }, drafts);
        }, context, cancellationToken);

    private static AuditEventDraft Draft(string action, MoverCase c, AuditDetails details) =>
        new(action, Target(c.CaseId), details.Add("CaseId", c.CaseId).Add("PersonId", c.PersonId).ToJson());

    // One transaction per change: read, apply, store if anything differs, audit, commit.
    private async Task<MoverCase> ChangeAsync(string caseId, Func<MoverCase, (MoverCase Updated, List<AuditEventDraft> Drafts)> change, OperationContext context,
        CancellationToken cancellationToken, bool alwaysAudit = false)
    {
        await using IStoreWriteTransaction transaction = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        MoverCase current = await transaction.GetMoverCaseAsync(caseId, cancellationToken).ConfigureAwait(false) ?? throw NotFound(caseId);
        (MoverCase updated, List<AuditEventDraft> drafts) = change(current);
        bool changed = updated.Status != current.Status || updated.Planned != current.Planned || updated.ScreeningId != current.ScreeningId
            || updated.BlockedBecause != current.BlockedBecause || !updated.GrantSteps.SequenceEqual(current.GrantSteps) || !updated.RemovalSteps.SequenceEqual(current.RemovalSteps);
        if (!changed && !(alwaysAudit && drafts.Count > 0))
        {
            return current;
        }

        if (changed)
        {
            updated = updated with { Version = current.Version + 1, UpdatedAt = Now() };
            await SaveAsync(transaction, updated, current.Version, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            updated = current;
        }

        if (drafts.Count > 0)
        {
            await _audit.AppendAsync(transaction, drafts, context, cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return updated;
    }

    private static async Task SaveAsync(IStoreWriteTransaction transaction, MoverCase updated, long expectedVersion, CancellationToken cancellationToken)
    {
        if (!await transaction.UpdateMoverCaseAsync(updated, expectedVersion, cancellationToken).ConfigureAwait(false))
        {
            throw new IsmsException("IsmsOps.Mover.Conflict", IsmsErrorKind.Conflict,
                $"Mover case {updated.CaseId} changed while this update ran. Nothing was changed.", "Run the command again.", updated.CaseId);
        }
    }

    private static IsmsException NotFound(string caseId) => new("IsmsOps.Mover.NotFound", IsmsErrorKind.NotFound,
        $"No mover case with id '{caseId}' is registered.", "Check the id with Get-IsmsMove.", caseId);

    private DateTimeOffset Now() => new(PeopleRegister.Truncate(DateTime.SpecifyKind(_clock(), DateTimeKind.Utc)), TimeSpan.Zero);
}
