using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Movers;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Storage;

namespace IsmsOps.Engine.HrEvents;

/// <summary>
/// Applies HR events to the people register, each exactly once: the event's record, its effect on the person and the
/// audit events are written in one transaction (or, for a batch, in one savepoint of the batch's transaction), so a
/// crash leaves either all of them or none, and a re-delivery finds the record and does nothing.
/// </summary>
/// <remarks>
/// Effects: a Joiner creates the person (Status Onboarding, or Candidate when the start date is more than
/// <see cref="CandidateLeadDays"/> days ahead); a Mover changes job role, department and manager (fields it leaves
/// null stay as they are); a Leaver sets Status Leaving and the end date. A job role must resolve in the role catalog
/// (by id or title) and is stored as the role's id. Refusals change nothing and record nothing, so the same event can be
/// delivered again once the cause is fixed; each refusal is audited (ids and the error id only).
/// A Mover that changes a linked person's role from one catalog role to another opens a mover case in the same
/// transaction (<see cref="MoverRegister.OpenOnRoleChangeAsync"/>); granting and removing access is Start-IsmsMove's.
/// Starting onboarding or offboarding is not done here: <see cref="Lifecycle.LifecycleRunner"/> finds that work in the
/// register's state, so it survives a crash between the event and the work.
/// </remarks>
public sealed class HrEventProcessor
{
    /// <summary>A joiner who starts more than this many days from now is registered as a Candidate, not Onboarding.</summary>
    public const int CandidateLeadDays = 30;

    /// <summary>The audit action of an applied event; its details name the key, kind and person.</summary>
    public const string AppliedAction = "HrEvent.Applied";

    /// <summary>The audit action of a refused event.</summary>
    public const string RefusedAction = "HrEvent.Refused";

    private readonly IIsmsStore _store;
    private readonly PeopleRegister _people;
    private readonly AuditTrail _audit;
    private readonly Func<DateTime> _clock;
    private readonly MoverRegister? _movers;

    /// <param name="store">The store events and people are written to.</param>
    /// <param name="people">The people register.</param>
    /// <param name="audit">The audit trail.</param>
    /// <param name="clock">Now, for processing times.</param>
    /// <param name="movers">Where a Mover event that changes a linked person's catalog role opens its case, in the event's transaction.</param>
    public HrEventProcessor(IIsmsStore store, PeopleRegister people, AuditTrail audit, Func<DateTime>? clock = null, MoverRegister? movers = null)
    {
        _movers = movers;
        _store = store;
        _people = people;
        _audit = audit;
        _clock = clock ?? (() => DateTime.UtcNow);
    }

    /// <summary>Processes one event against <paramref name="roles"/>; never throws for a refusal, it returns one.</summary>
    public async Task<HrEventOutcome> ProcessAsync(HrEvent hrEvent, RoleCatalog roles, OperationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(hrEvent);
        return (await ProcessAsync([hrEvent], roles, context, cancellationToken).ConfigureAwait(false))[0];
    }

    /// <summary>
    /// Processes <paramref name="events"/> in order, in one store transaction: what a feed import does with a batch of
    /// rows. Each event is still whole or nothing: it runs inside its own savepoint, and a refusal rolls back to it (the
    /// refusal is audited, the other events go on). Each event is recorded and audited exactly as
    /// <see cref="ProcessAsync(HrEvent, RoleCatalog, OperationContext, CancellationToken)"/> records it; an event whose
    /// key an earlier event of the same batch used is AlreadyProcessed (or refused as KeyReused). An error that is not
    /// a refusal (the store failing) rolls the whole batch back and is thrown. One transaction (one durable commit, one
    /// copy of the newest checkpoint out of the store) per batch instead of one per event is what makes a first import
    /// of tens of thousands of people take seconds rather than minutes.
    /// </summary>
    /// <returns>One outcome per event, in the same order.</returns>
    public async Task<IReadOnlyList<HrEventOutcome>> ProcessAsync(IReadOnlyList<HrEvent> events, RoleCatalog roles, OperationContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(roles);
        var outcomes = new HrEventOutcome[events.Count];
        if (events.Count == 0)
        {
            return outcomes;
        }

        await using (IStoreWriteTransaction transaction = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false))
        {
            for (int i = 0; i < events.Count; i++)
            {
                HrEvent hrEvent = events[i] ?? throw new ArgumentException("The list of HR events holds a null.", nameof(events));
                await transaction.SavepointAsync(EventSavepoint, cancellationToken).ConfigureAwait(false);
                try
                {
                    outcomes[i] = await ApplyAsync(transaction, hrEvent, roles, context, cancellationToken).ConfigureAwait(false);
                }
                catch (IsmsException ex) when (ex.Kind is IsmsErrorKind.InvalidArgument or IsmsErrorKind.InvalidData or IsmsErrorKind.NotFound or IsmsErrorKind.AlreadyExists or IsmsErrorKind.Conflict)
                {
                    // Undo whatever the event wrote before it was refused; the events before it in the batch stay.
                    await transaction.RollbackToSavepointAsync(EventSavepoint, cancellationToken).ConfigureAwait(false);
                    outcomes[i] = Outcome(hrEvent, HrEventStatus.Refused) with { ErrorId = ex.ErrorId, Reason = ex.Message, RecommendedAction = ex.RecommendedAction };
                    await _audit.AppendAsync(transaction, [new AuditEventDraft(RefusedAction, PeopleRegister.Target(SafeId(hrEvent.PersonId)),
                        new AuditDetails().Add("IdempotencyKey", hrEvent.IdempotencyKey).Add("Kind", hrEvent.Kind.ToString()).Add("ErrorId", ex.ErrorId).ToJson())],
                        context, cancellationToken).ConfigureAwait(false);
                }

                await transaction.ReleaseSavepointAsync(EventSavepoint, cancellationToken).ConfigureAwait(false);
            }

            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return outcomes;
    }

    private const string EventSavepoint = "hr_event";

    private async Task<HrEventOutcome> ApplyAsync(IStoreWriteTransaction transaction, HrEvent e, RoleCatalog roles, OperationContext context,
        CancellationToken cancellationToken)
    {
        Validate(e);
        string digest = e.BodySha256();
        if (await transaction.GetProcessedHrEventAsync(e.IdempotencyKey, cancellationToken).ConfigureAwait(false) is ProcessedHrEvent earlier)
        {
            if (earlier.BodySha256 == digest)
            {
                return Outcome(e, HrEventStatus.AlreadyProcessed) with
                {
                    ProcessedAt = earlier.ProcessedAt,
                    Reason = $"Idempotency key '{e.IdempotencyKey}' was processed at {AuditEvent.FormatTime(earlier.ProcessedAt)}; this re-delivery changed nothing.",
                };
            }

            throw new IsmsException("IsmsOps.HrEvent.KeyReused", IsmsErrorKind.Conflict,
                $"Idempotency key '{e.IdempotencyKey}' was already used, at {AuditEvent.FormatTime(earlier.ProcessedAt)}, for a different {earlier.Kind} event about '{earlier.PersonId}'. Nothing was changed.",
                "Give each distinct event its own idempotency key; re-send an event only with exactly the body it was first sent with.", e.IdempotencyKey);
        }

        string? roleId = e.JobRole is null ? null : roles.ResolveJobRole(e.JobRole).Id;
        IReadOnlyList<FieldChange> changes = e.Kind switch
        {
            HrEventKind.Joiner => await JoinAsync(transaction, e, roleId, context, cancellationToken).ConfigureAwait(false),
            HrEventKind.Mover => await MoveAsync(transaction, e, roleId, roles, context, cancellationToken).ConfigureAwait(false),
            _ => await LeaveAsync(transaction, e, context, cancellationToken).ConfigureAwait(false),
        };

        DateTime now = PeopleRegister.Truncate(_clock());
        await transaction.InsertProcessedHrEventAsync(new ProcessedHrEvent(e.IdempotencyKey, e.Kind, e.PersonId.Trim(), digest, now, context.Actor), cancellationToken)
            .ConfigureAwait(false);
        await _audit.AppendAsync(transaction, [new AuditEventDraft(AppliedAction, PeopleRegister.Target(e.PersonId.Trim()),
            new AuditDetails().Add("IdempotencyKey", e.IdempotencyKey).Add("Kind", e.Kind.ToString()).Add("ChangedFields", changes.Select(c => c.Field).ToArray()).ToJson())],
            context, cancellationToken).ConfigureAwait(false);
        return Outcome(e, HrEventStatus.Applied) with { Changes = changes, ProcessedAt = now };
    }

    private async Task<IReadOnlyList<FieldChange>> JoinAsync(IStoreWriteTransaction transaction, HrEvent e, string? roleId, OperationContext context,
        CancellationToken cancellationToken)
    {
        DateTime today = _clock().Date;
        PersonStatus status = e.StartDate is DateTime start && start.Date > today.AddDays(CandidateLeadDays) ? PersonStatus.Candidate : PersonStatus.Onboarding;
        Person created = await _people.CreateAsync(transaction, new Person
        {
            PersonId = e.PersonId,
            DisplayName = e.DisplayName ?? throw Missing(e, nameof(HrEvent.DisplayName)),
            UserPrincipalName = e.UserPrincipalName,
            Mail = e.Mail,
            Department = e.Department,
            JobRole = roleId,
            ManagerId = e.ManagerId,
            EmploymentType = e.EmploymentType ?? EmploymentType.Employee,
            Status = status,
            StartDate = e.StartDate,
            EndDate = e.EndDate,
            Location = e.Location,
        }, context, cancellationToken).ConfigureAwait(false);
        return [new FieldChange(nameof(Person.Status), null, created.Status)];
    }

    private async Task<IReadOnlyList<FieldChange>> MoveAsync(IStoreWriteTransaction transaction, HrEvent e, string? roleId, RoleCatalog roles, OperationContext context,
        CancellationToken cancellationToken)
    {
        if (roleId is null && e.Department is null && e.ManagerId is null)
        {
            throw Missing(e, "JobRole, Department or ManagerId");
        }

        Person before = await transaction.GetPersonAsync(e.PersonId, cancellationToken).ConfigureAwait(false) ?? throw PeopleRegister.NotFound(e.PersonId);
        (Person after, IReadOnlyList<FieldChange> changes) = await _people.UpdateAsync(transaction, e.PersonId, p => RefuseIfLeft(p, e) with
        {
            JobRole = roleId ?? p.JobRole,
            Department = e.Department ?? p.Department,
            ManagerId = e.ManagerId ?? p.ManagerId,
        }, null, context, cancellationToken).ConfigureAwait(false);
        if (_movers is not null && changes.Count > 0)
        {
            await _movers.OpenOnRoleChangeAsync(transaction, before, after, roles, context, cancellationToken).ConfigureAwait(false);
        }

        return changes;
    }

    private async Task<IReadOnlyList<FieldChange>> LeaveAsync(IStoreWriteTransaction transaction, HrEvent e, OperationContext context, CancellationToken cancellationToken)
    {
        DateTime end = e.EndDate ?? throw Missing(e, nameof(HrEvent.EndDate));
        (_, IReadOnlyList<FieldChange> changes) = await _people.UpdateAsync(transaction, e.PersonId,
            p => RefuseIfLeft(p, e) with { Status = PersonStatus.Leaving, EndDate = end }, null, context, cancellationToken).ConfigureAwait(false);
        return changes;
    }

    private static Person RefuseIfLeft(Person p, HrEvent e) => p.Status == PersonStatus.Left
        ? throw new IsmsException("IsmsOps.HrEvent.PersonLeft", IsmsErrorKind.InvalidArgument,
            $"{e.Kind} event '{e.IdempotencyKey}' is about '{p.PersonId}', who has already Left. Nothing was changed.",
            "A returning person is a Joiner under the new PersonId HR assigns.", p.PersonId)
        : p;

    private static void Validate(HrEvent e)
    {
        if (string.IsNullOrWhiteSpace(e.IdempotencyKey) || e.IdempotencyKey.Length > 200)
        {
            throw new IsmsException("IsmsOps.HrEvent.InvalidKey", IsmsErrorKind.InvalidArgument,
                "An HR event needs an IdempotencyKey of 1 to 200 characters. Nothing was changed.",
                "Use the sender's delivery id, or any value unique to this event.");
        }

        if (string.IsNullOrWhiteSpace(e.PersonId))
        {
            throw Missing(e, nameof(HrEvent.PersonId));
        }

        if (!Enum.IsDefined(e.Kind))
        {
            throw new IsmsException("IsmsOps.HrEvent.InvalidKind", IsmsErrorKind.InvalidArgument,
                $"HR event '{e.IdempotencyKey}' has Kind {(int)e.Kind}, which is not Joiner, Mover or Leaver. Nothing was changed.", "Set Kind to Joiner, Mover or Leaver.");
        }
    }

    private static IsmsException Missing(HrEvent e, string field) => new("IsmsOps.HrEvent.MissingField", IsmsErrorKind.InvalidArgument,
        $"{e.Kind} event '{e.IdempotencyKey}' has no {field}. Nothing was changed.", $"Send the event again with {field} set.", e.IdempotencyKey);

    private static string SafeId(string? personId) => string.IsNullOrWhiteSpace(personId) ? "(none)" : personId.Trim();

    private static HrEventOutcome Outcome(HrEvent e, HrEventStatus status) => new()
    {
        IdempotencyKey = e.IdempotencyKey ?? string.Empty,
        Kind = e.Kind,
        PersonId = e.PersonId?.Trim() ?? string.Empty,
        Status = status,
    };
}
