using System.Globalization;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Storage;

namespace IsmsOps.Engine.Protection;

/// <summary>What a personal-data removal destroys, or destroyed, and on what grounds.</summary>
public sealed record PersonalDataRemovalResult
{
    public required string PersonId { get; init; }

    /// <summary>The data key destroyed (or to be destroyed); null when the person never had protected data.</summary>
    public string? KeyId { get; init; }

    /// <summary>The protected values destroyed with it, by name.</summary>
    public IReadOnlyList<string> Fields { get; init; } = [];

    /// <summary>Why removal is allowed: the date the retention counts from and the period, e.g. "EndDate 2026-12-31 + P1Y (Employee)".</summary>
    public required string RetentionBasis { get; init; }

    /// <summary>The first moment the retention period allows removal.</summary>
    public DateTimeOffset RetainUntil { get; init; }

    /// <summary>True when -Force removed the data before <see cref="RetainUntil"/> (an erasure request).</summary>
    public bool Forced { get; init; }

    /// <summary>When the data was removed; null for a preview.</summary>
    public DateTime? RemovedAt { get; init; }

    /// <summary>True when an earlier removal had already destroyed everything, so this one changed nothing.</summary>
    public bool AlreadyRemoved { get; init; }
}

/// <summary>
/// Crypto-shreds a leaver's sensitive personal data once the retention period has passed: destroys their data key and
/// every value encrypted under it (<see cref="PersonalDataVault.ShredAsync"/>), marks the person, and audits
/// <c>Person.PersonalDataRemoved</c> (ids, field names, the retention basis; no values), all in one transaction. The
/// audit trail keeps every earlier event, which hold ids and field names only, and still verifies.
/// </summary>
public sealed class PersonalDataRemoval
{
    private readonly IIsmsStore _store;
    private readonly AuditTrail _audit;
    private readonly PersonalDataVault _vault;
    private readonly Func<PersonalDataRetentionPolicy> _retention;
    private readonly Func<DateTime> _clock;

    /// <param name="store">The store.</param>
    /// <param name="audit">The store's audit trail.</param>
    /// <param name="vault">The vault holding the data.</param>
    /// <param name="retention">Read on every removal, so an edited policy file takes effect at once (see <see cref="WithPolicyReadOnce"/>).</param>
    /// <param name="clock">UTC now.</param>
    public PersonalDataRemoval(IIsmsStore store, AuditTrail audit, PersonalDataVault vault, Func<PersonalDataRetentionPolicy> retention, Func<DateTime>? clock = null)
    {
        _store = store;
        _audit = audit;
        _vault = vault;
        _retention = retention;
        _clock = clock ?? (() => DateTime.UtcNow);
    }

    /// <summary>
    /// This removal with the retention policy read once, now, and that reading used by every later call: a command takes
    /// one for its whole pipeline, so each person's preview and removal are held to the same periods and the policy file
    /// is read once, not twice per person. An edited file applies from the next command.
    /// </summary>
    public PersonalDataRemoval WithPolicyReadOnce()
    {
        PersonalDataRetentionPolicy retention = _retention();
        return new PersonalDataRemoval(_store, _audit, _vault, () => retention, _clock);
    }

    /// <summary>
    /// What <see cref="RemoveAsync"/> would destroy, changing nothing (for -WhatIf). Refused exactly as the removal
    /// would be.
    /// </summary>
    public async Task<PersonalDataRemovalResult> PreviewAsync(string personId, bool force, CancellationToken cancellationToken)
    {
        Person person = await _store.GetPersonAsync(personId, cancellationToken).ConfigureAwait(false) ?? throw PeopleRegister.NotFound(personId);
        PersonalDataRemovalResult grounds = await GroundsAsync(person, force, _retention, cancellationToken).ConfigureAwait(false);
        if (grounds.AlreadyRemoved)
        {
            return grounds;
        }

        PersonalDataHoldings holdings = await _vault.DescribeAsync(person.PersonId, cancellationToken).ConfigureAwait(false);
        return grounds with { KeyId = holdings.KeyId, Fields = holdings.Names };
    }

    /// <summary>
    /// Removes the person's sensitive personal data. Allowed for a person who has Left, whose offboarding cases (if
    /// any) are all closed, once the retention period has passed since their EndDate (or, without one, since their
    /// last case closed). <paramref name="force"/> overrides the retention period only, and is recorded. A person
    /// whose data is already removed is returned as it is, with nothing changed or audited.
    /// </summary>
    public async Task<PersonalDataRemovalResult> RemoveAsync(string personId, bool force, OperationContext context, CancellationToken cancellationToken)
    {
        // The policy file is read before anything is opened: a broken file stops the removal with nothing changed.
        PersonalDataRetentionPolicy retention = _retention();
        Person known = await _store.GetPersonAsync(personId, cancellationToken).ConfigureAwait(false) ?? throw PeopleRegister.NotFound(personId);
        PersonalDataRemovalResult grounds = await GroundsAsync(known, force, () => retention, cancellationToken).ConfigureAwait(false);
        if (grounds.AlreadyRemoved)
        {
            return grounds;
        }

        await using IStoreWriteTransaction transaction = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        Person current = await transaction.GetPersonAsync(personId, cancellationToken).ConfigureAwait(false) ?? throw PeopleRegister.NotFound(personId);
        if (current.Version != known.Version)
        {
            throw new IsmsException("IsmsOps.Person.Conflict", IsmsErrorKind.Conflict,
                $"Person '{current.PersonId}' changed while the removal was being checked. Nothing was changed.", "Run the command again.", current.PersonId);
        }

        PersonalDataHoldings shredded = await _vault.ShredAsync(transaction, current.PersonId, cancellationToken).ConfigureAwait(false);
        DateTime now = PeopleRegister.Truncate(_clock());
        Person marked = current with { PersonalDataRemovedAt = now, Version = current.Version + 1, UpdatedAt = now };
        if (!await transaction.UpdatePersonAsync(marked, current.Version, cancellationToken).ConfigureAwait(false))
        {
            throw new IsmsException("IsmsOps.Person.Conflict", IsmsErrorKind.Conflict,
                $"Person '{current.PersonId}' changed while the removal ran. Nothing was changed.", "Run the command again.", current.PersonId);
        }

        AuditDetails details = new AuditDetails()
            .Add("PersonId", current.PersonId)
            .Add("KeyId", shredded.KeyId)
            .Add("Fields", shredded.Names)
            .Add("RetentionBasis", grounds.RetentionBasis)
            .Add("RetainUntil", AuditEvent.FormatTime(grounds.RetainUntil.UtcDateTime))
            .Add("Forced", grounds.Forced);
        await _audit.AppendAsync(transaction, [new AuditEventDraft("Person.PersonalDataRemoved", PeopleRegister.Target(current.PersonId), details.ToJson())],
            context, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return grounds with { KeyId = shredded.KeyId, Fields = shredded.Names, RemovedAt = now };
    }

    // The retention is asked for only once the person is known to be a Left leaver with no open case, so a preview of
    // a refused removal names the refusal rather than a broken policy file; the removal passes the policy it read first.
    private async Task<PersonalDataRemovalResult> GroundsAsync(Person person, bool force, Func<PersonalDataRetentionPolicy> retentionPolicy,
        CancellationToken cancellationToken)
    {
        if (person.PersonalDataRemovedAt is DateTime removedAt)
        {
            return new PersonalDataRemovalResult
            {
                PersonId = person.PersonId,
                RetentionBasis = $"removed on {removedAt:yyyy-MM-dd}",
                RemovedAt = removedAt,
                AlreadyRemoved = true,
            };
        }

        if (person.Status != PersonStatus.Left)
        {
            throw new IsmsException("IsmsOps.PersonalData.NotLeft", IsmsErrorKind.InvalidArgument,
                $"Person '{person.PersonId}' is {person.Status}: personal data is removed only for someone who has Left. Nothing was changed.",
                "Record the departure first (Set-IsmsPerson -Status Left -EndDate <last day>); removal is allowed once the retention period after it has passed.",
                person.PersonId);
        }

        IReadOnlyList<OffboardingCase> cases = await _store.FindOffboardingCasesAsync(new OffboardingCaseQuery { PersonId = person.PersonId }, cancellationToken)
            .ConfigureAwait(false);
        if (cases.FirstOrDefault(c => c.IsOpen) is OffboardingCase open)
        {
            throw new IsmsException("IsmsOps.PersonalData.OffboardingOpen", IsmsErrorKind.InvalidArgument,
                $"Person '{person.PersonId}' has an offboarding case that is not closed ({open.CaseId}, {open.Status}). Nothing was changed.",
                $"Finish it first (Resume-IsmsOffboarding -CaseId {open.CaseId}, Complete-IsmsOffboardingTask for its manual tasks); -Force does not skip this.",
                person.PersonId);
        }

        PersonalDataRetentionPolicy retention = retentionPolicy();
        Policies.IsoDuration period = retention.For(person.EmploymentType);
        DateTimeOffset since;
        string basis;
        if (person.EndDate is DateTime end)
        {
            since = new DateTimeOffset(DateTime.SpecifyKind(end.Date, DateTimeKind.Utc));
            basis = $"EndDate {end:yyyy-MM-dd}";
        }
        else if (cases.Where(c => c.ClosedAt is not null).MaxBy(c => c.ClosedAt) is { ClosedAt: DateTimeOffset closed } last)
        {
            since = closed;
            basis = $"offboarding case {last.CaseId} closed {closed.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}";
        }
        else
        {
            throw new IsmsException("IsmsOps.PersonalData.NoRetentionStart", IsmsErrorKind.InvalidArgument,
                $"Person '{person.PersonId}' has no EndDate and no closed offboarding case, so the retention period has no start. Nothing was changed.",
                "Set the last working day with Set-IsmsPerson -EndDate.", person.PersonId);
        }

        DateTimeOffset until = period.AddTo(since);
        basis += $" + {period} ({person.EmploymentType})";
        bool early = new DateTimeOffset(_clock(), TimeSpan.Zero) < until;
        if (early && !force)
        {
            throw new IsmsException("IsmsOps.PersonalData.RetentionNotPassed", IsmsErrorKind.InvalidArgument,
                $"The personal data of '{person.PersonId}' is kept until {until.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC ({basis}); removal is allowed from then. Nothing was changed.",
                "Run it again after that date. To honour an erasure request now, add -Force: it overrides the retention period only, and the audit trail records that it was forced.",
                person.PersonId);
        }

        return new PersonalDataRemovalResult { PersonId = person.PersonId, RetentionBasis = basis, RetainUntil = until, Forced = early };
    }
}
