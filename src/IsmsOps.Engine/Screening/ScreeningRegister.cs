using System.Security.Cryptography;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Protection;
using IsmsOps.Engine.Storage;

namespace IsmsOps.Engine.Screening;

/// <summary>
/// The register of background screenings. Every change is checked against the status rules and the screening policy,
/// then stored with its audit event in one transaction; Notes and AdverseFindings go to the person's
/// <see cref="PersonalDataVault"/> in that same transaction, so <c>Remove-IsmsPersonalData</c> shreds them with the
/// rest of the person's data.
/// </summary>
/// <remarks>
/// Audit events hold ids, statuses, check results and dates. Free text (notes, findings, waiver reasons) is named
/// when it changes, never written: the trail outlives the crypto-shredding of the person's data.
/// </remarks>
public sealed class ScreeningRegister
{
    private static readonly Dictionary<ScreeningStatus, ScreeningStatus[]> Transitions = new()
    {
        [ScreeningStatus.NotStarted] = [ScreeningStatus.Requested, ScreeningStatus.InProgress, ScreeningStatus.Cleared, ScreeningStatus.Adverse, ScreeningStatus.Waived],
        [ScreeningStatus.Requested] = [ScreeningStatus.InProgress, ScreeningStatus.Cleared, ScreeningStatus.Adverse, ScreeningStatus.Waived],
        [ScreeningStatus.InProgress] = [ScreeningStatus.Cleared, ScreeningStatus.Adverse, ScreeningStatus.Waived],
        [ScreeningStatus.Waived] = [ScreeningStatus.Requested, ScreeningStatus.InProgress, ScreeningStatus.Cleared, ScreeningStatus.Adverse],
        [ScreeningStatus.Adverse] = [ScreeningStatus.InProgress, ScreeningStatus.Waived],
        [ScreeningStatus.Cleared] = [ScreeningStatus.Expired],
        [ScreeningStatus.Expired] = [],
    };

    private static readonly string[] TextFields = [nameof(ScreeningRecord.WaiverReason), nameof(ScreeningRecord.WaiverApprovalReason)];

    private readonly IIsmsStore _store;
    private readonly AuditTrail _audit;
    private readonly PersonalDataVault _vault;
    private readonly Func<ScreeningPolicy> _policy;
    private readonly Func<DateTime> _clock;

    /// <param name="store">The store.</param>
    /// <param name="audit">The store's audit trail.</param>
    /// <param name="vault">Where Notes and AdverseFindings are kept, under the person's data key.</param>
    /// <param name="policy">Asked for the policy on each change, so an edited policy file applies from the next command.</param>
    /// <param name="clock">UTC now.</param>
    public ScreeningRegister(IIsmsStore store, AuditTrail audit, PersonalDataVault vault, Func<ScreeningPolicy>? policy = null, Func<DateTime>? clock = null)
    {
        _store = store;
        _audit = audit;
        _vault = vault;
        _policy = policy ?? (() => ScreeningPolicy.Default);
        _clock = clock ?? (() => DateTime.UtcNow);
    }

    /// <summary>The screening policy in force (read anew each time).</summary>
    public ScreeningPolicy Policy => _policy();

    /// <summary>
    /// This register with the policy read once, now, and that reading used by every later call. A command takes one
    /// for its whole pipeline: every screening it changes is held to the same policy, and the file is read once, not
    /// once or twice per item. An edited policy file applies from the next command.
    /// </summary>
    public ScreeningRegister WithPolicyReadOnce()
    {
        ScreeningPolicy policy = Policy;
        return new ScreeningRegister(_store, _audit, _vault, () => policy, _clock);
    }

    /// <summary>
    /// Opens a screening for <paramref name="draft"/>.PersonId at its level. The checks the policy asks for (by level and
    /// the country, which defaults to the person's Location) start Pending, the others NotRequired; results given in the
    /// draft are then applied with the same rules as a change. Fails with <c>IsmsOps.Person.NotFound</c> for an
    /// unregistered person.
    /// </summary>
    public async Task<ScreeningRecord> CreateAsync(ScreeningRecord draft, OperationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        ArgumentNullException.ThrowIfNull(context);
        ScreeningPolicy policy = Policy;
        DateTime now = PeopleRegister.Truncate(_clock());

        await using IStoreWriteTransaction transaction = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        Person person = await transaction.GetPersonAsync(draft.PersonId?.Trim() ?? string.Empty, cancellationToken).ConfigureAwait(false)
            ?? throw PeopleRegister.NotFound(draft.PersonId ?? string.Empty);
        string? country = Clean(draft.Country)?.ToUpperInvariant() ?? person.Location;
        if (country is not null && (country.Length != 2 || !country.All(char.IsAsciiLetterUpper)))
        {
            throw new IsmsException("IsmsOps.Screening.InvalidCountry", IsmsErrorKind.InvalidArgument,
                $"Country '{country}' is not an ISO 3166-1 two-letter code. Nothing was changed.", "Give a code such as GB, DE or US.", draft.PersonId);
        }

        ScreeningRequirement requirement = policy.RequirementFor(draft.Level, country);
        var blank = new ScreeningRecord
        {
            ScreeningId = "scr-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(6)).ToLowerInvariant(),
            PersonId = person.PersonId,
            Level = draft.Level,
            Country = country,
            Status = ScreeningStatus.NotStarted,
            Version = 1,
            CreatedAt = now,
            UpdatedAt = now,
        };
        foreach (ScreeningCheck check in Enum.GetValues<ScreeningCheck>())
        {
            blank = blank.WithCheck(check, requirement.Requires(check) ? ScreeningCheckResult.Pending : ScreeningCheckResult.NotRequired);
        }

        // A result left at NotRequired in the draft (the default) means "not given": the policy's starting value stays.
        ScreeningRecord proposed = blank with
        {
            Status = draft.Status,
            Provider = draft.Provider,
            ProviderReference = draft.ProviderReference,
            RequestedOn = draft.RequestedOn,
            CompletedOn = draft.CompletedOn,
            WaiverReason = draft.WaiverReason,
            Notes = draft.Notes,
            AdverseFindings = draft.AdverseFindings,
        };
        foreach ((ScreeningCheck check, ScreeningCheckResult result) in draft.Checks().Where(c => c.Result != ScreeningCheckResult.NotRequired))
        {
            proposed = proposed.WithCheck(check, result);
        }

        ScreeningRecord record = Apply(blank, proposed, requirement, context.Actor, now);
        await transaction.InsertScreeningAsync(record.WithoutSensitive(), cancellationToken).ConfigureAwait(false);

        var details = new AuditDetails().Add("ScreeningId", record.ScreeningId).Add("PersonId", record.PersonId);
        foreach ((string field, object? value) in Fields(record))
        {
            if (value is not null && field != nameof(ScreeningRecord.PersonId))
            {
                details.Add(field, TextFields.Contains(field) ? "(text)" : value);
            }
        }

        List<string> sensitive = record.SensitiveValues().Where(f => f.Value is not null).Select(f => f.Field).ToList();
        if (sensitive.Count > 0)
        {
            RefuseSensitiveDataAfterRemoval(person);
            foreach ((string field, string? value) in record.SensitiveValues().Where(f => f.Value is not null))
            {
                await _vault.ProtectAsync(transaction, person.PersonId, ScreeningRecord.VaultName(record.ScreeningId, field), value, cancellationToken).ConfigureAwait(false);
            }

            details.Add("SensitiveFields", sensitive.ToArray());
        }

        await _audit.AppendAsync(transaction, [new AuditEventDraft("Screening.Created", Target(record.ScreeningId), details.ToJson())], context, cancellationToken)
            .ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return record.WithoutSensitive();
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the stored screening, under the status rules (see <see cref="Apply"/>).
    /// With <paramref name="expectedVersion"/> given and different from the stored version, fails with
    /// <c>IsmsOps.Screening.Conflict</c>. A change that alters nothing stores and audits nothing.
    /// </summary>
    public async Task<ScreeningRecord> UpdateAsync(string screeningId, Func<ScreeningRecord, ScreeningRecord> change, long? expectedVersion, OperationContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(context);
        ScreeningPolicy policy = Policy;
        await using IStoreWriteTransaction transaction = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        ScreeningRecord current = await transaction.GetScreeningAsync(screeningId, cancellationToken).ConfigureAwait(false) ?? throw NotFound(screeningId);
        if (expectedVersion is long expected && expected != current.Version)
        {
            throw Conflict(current, $"is at version {current.Version}, not {expected}: someone changed it since you read it");
        }

        ScreeningRecord full = current.WithSensitive(await _vault.UnprotectAsync(transaction, current.PersonId, cancellationToken).ConfigureAwait(false));
        ScreeningRecord updated = Apply(full, change(full), policy.RequirementFor(current.Level, current.Country), context.Actor, PeopleRegister.Truncate(_clock()));
        IReadOnlyList<FieldChange> changes = Diff(current, updated);
        List<string> sensitive = SensitiveDiff(full, updated);
        if (changes.Count == 0 && sensitive.Count == 0)
        {
            return current;
        }

        var details = new AuditDetails().Add("ScreeningId", current.ScreeningId).Add("PersonId", current.PersonId);
        foreach (FieldChange c in changes)
        {
            if (TextFields.Contains(c.Field))
            {
                details.AddChange(c.Field, c.From is null ? null : "(text)", c.To is null ? null : "(new text)");
            }
            else
            {
                details.AddChange(c.Field, c.From, c.To);
            }
        }

        if (sensitive.Count > 0)
        {
            Person person = await transaction.GetPersonAsync(current.PersonId, cancellationToken).ConfigureAwait(false) ?? throw PeopleRegister.NotFound(current.PersonId);
            RefuseSensitiveDataAfterRemoval(person);
            foreach ((string field, string? value) in updated.SensitiveValues().Where(f => sensitive.Contains(f.Field)))
            {
                await _vault.ProtectAsync(transaction, current.PersonId, ScreeningRecord.VaultName(current.ScreeningId, field), value, cancellationToken).ConfigureAwait(false);
            }

            details.Add("SensitiveFields", sensitive.ToArray());
        }

        updated = updated.WithoutSensitive() with { Version = current.Version + 1, UpdatedAt = PeopleRegister.Truncate(_clock()) };
        if (!await transaction.UpdateScreeningAsync(updated, current.Version, cancellationToken).ConfigureAwait(false))
        {
            throw Conflict(current, "changed while this update ran");
        }

        await _audit.AppendAsync(transaction, [new AuditEventDraft("Screening.Updated", Target(current.ScreeningId), details.ToJson())], context, cancellationToken)
            .ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return updated;
    }

    /// <summary>
    /// What <see cref="UpdateAsync"/> would change, without changing anything (for -WhatIf). A change that would be
    /// refused is refused here too. Sensitive and free-text values are named, never shown.
    /// </summary>
    public async Task<IReadOnlyList<FieldChange>> PreviewUpdateAsync(string screeningId, Func<ScreeningRecord, ScreeningRecord> change, OperationContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(change);
        ArgumentNullException.ThrowIfNull(context);
        ScreeningRecord current = await GetAsync(screeningId, cancellationToken).ConfigureAwait(false);
        ScreeningRecord full = current.WithSensitive(await _vault.UnprotectAsync(current.PersonId, cancellationToken).ConfigureAwait(false));
        ScreeningRecord updated = Apply(full, change(full), Policy.RequirementFor(current.Level, current.Country), context.Actor, PeopleRegister.Truncate(_clock()));
        return Diff(current, updated)
            .Select(c => TextFields.Contains(c.Field) ? new FieldChange(c.Field, c.From is null ? null : "(text)", c.To is null ? null : "(new text)") : c)
            .Concat(SensitiveDiff(full, updated).Select(field => new FieldChange(field,
                full.SensitiveValues().First(f => f.Field == field).Value is null ? null : PeopleRegister.ProtectedValueText,
                updated.SensitiveValues().First(f => f.Field == field).Value is null ? null : "(new protected value)")))
            .ToList();
    }

    /// <summary>
    /// Approves the waiver of a Waived screening. The approver (<paramref name="context"/>'s actor) must not be the
    /// actor who requested it (<c>IsmsOps.Screening.SelfApproval</c>); a reason is required, and the waiver's last day
    /// must be today or later and no further than the policy's maximum from today. Audited as Screening.WaiverApproved.
    /// </summary>
    public async Task<ScreeningRecord> ApproveWaiverAsync(string screeningId, string reason, DateTime expiresOn, long? expectedVersion, OperationContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ScreeningPolicy policy = Policy;
        DateTime now = PeopleRegister.Truncate(_clock());
        await using IStoreWriteTransaction transaction = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        ScreeningRecord current = await transaction.GetScreeningAsync(screeningId, cancellationToken).ConfigureAwait(false) ?? throw NotFound(screeningId);
        if (expectedVersion is long expected && expected != current.Version)
        {
            throw Conflict(current, $"is at version {current.Version}, not {expected}: someone changed it since you read it");
        }

        CheckApproval(current, reason, expiresOn, policy, context.Actor, now);
        ScreeningRecord approved = current with
        {
            WaiverApprovedBy = context.Actor,
            WaiverApprovedAt = now,
            WaiverApprovalReason = reason.Trim(),
            WaiverExpiresOn = expiresOn.Date,
            Version = current.Version + 1,
            UpdatedAt = now,
        };
        if (!await transaction.UpdateScreeningAsync(approved, current.Version, cancellationToken).ConfigureAwait(false))
        {
            throw Conflict(current, "changed while this approval ran");
        }

        AuditDetails details = new AuditDetails()
            .Add("ScreeningId", current.ScreeningId)
            .Add("PersonId", current.PersonId)
            .Add("Level", current.Level)
            .Add("RequestedBy", current.WaiverRequestedBy)
            .Add("ExpiresOn", approved.WaiverExpiresOn);
        await _audit.AppendAsync(transaction, [new AuditEventDraft("Screening.WaiverApproved", Target(current.ScreeningId), details.ToJson())], context,
            cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return approved;
    }

    /// <summary>
    /// Checks, without changing anything, that <see cref="ApproveWaiverAsync"/> with the same arguments would be accepted
    /// now (by this register's clock and policy), and returns the screening as stored, so a command can name it when it
    /// asks. Refuses exactly as the approval would: a version other than <paramref name="expectedVersion"/>, a
    /// screening that is not Waived or already approved, the requester approving, no reason, a last day out of range.
    /// </summary>
    public async Task<ScreeningRecord> PreviewApprovalAsync(string screeningId, string reason, DateTime expiresOn, long? expectedVersion, OperationContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ScreeningRecord current = await GetAsync(screeningId, cancellationToken).ConfigureAwait(false);
        if (expectedVersion is long expected && expected != current.Version)
        {
            throw Conflict(current, $"is at version {current.Version}, not {expected}: someone changed it since you read it");
        }

        CheckApproval(current, reason, expiresOn, Policy, context.Actor, PeopleRegister.Truncate(_clock()));
        return current;
    }

    // The rules an approval must pass; throws the refusal. Shared by the approval and its preview, so -WhatIf and
    // -Confirm never offer an approval the store would refuse.
    private static void CheckApproval(ScreeningRecord current, string? reason, DateTime expiresOn, ScreeningPolicy policy, string approver, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(policy);
        if (current.Status != ScreeningStatus.Waived)
        {
            throw new IsmsException("IsmsOps.Screening.NotWaived", IsmsErrorKind.InvalidArgument,
                $"Screening {current.ScreeningId} is {current.Status}, not Waived: there is no waiver to approve. Nothing was changed.",
                $"Ask for the waiver first: Set-IsmsScreening {current.ScreeningId} -Status Waived -WaiverReason '<why>'.", current.ScreeningId);
        }

        if (current.WaiverApprovedBy is not null)
        {
            throw new IsmsException("IsmsOps.Screening.WaiverAlreadyApproved", IsmsErrorKind.InvalidArgument,
                $"The waiver of screening {current.ScreeningId} was already approved by {current.WaiverApprovedBy}, until {current.WaiverExpiresOn:yyyy-MM-dd}. Nothing was changed.",
                "To extend it, request the waiver again (set another status, then Waived) and have it approved anew.", current.ScreeningId);
        }

        if (string.Equals(current.WaiverRequestedBy, approver, StringComparison.OrdinalIgnoreCase))
        {
            throw new IsmsException("IsmsOps.Screening.SelfApproval", IsmsErrorKind.PermissionDenied,
                $"{approver} requested the waiver of screening {current.ScreeningId} and cannot also approve it. Nothing was changed.",
                "Have someone else with authority to accept the risk (for example the CISO or the hiring director) run Approve-IsmsScreeningWaiver.",
                current.ScreeningId);
        }

        if (string.IsNullOrWhiteSpace(reason))
        {
            throw new IsmsException("IsmsOps.Screening.WaiverReasonMissing", IsmsErrorKind.InvalidArgument,
                $"Approving the waiver of screening {current.ScreeningId} needs a reason. Nothing was changed.",
                "Give -Reason: why the risk is accepted, without findings about the person.", current.ScreeningId);
        }

        DateTime today = now.Date;
        DateTime latest = policy.MaxWaiver.AddTo(new DateTimeOffset(today, TimeSpan.Zero)).UtcDateTime.Date;
        if (expiresOn.Date < today || expiresOn.Date > latest)
        {
            throw new IsmsException("IsmsOps.Screening.WaiverExpiryInvalid", IsmsErrorKind.InvalidArgument,
                $"A waiver of screening {current.ScreeningId} must end between today ({today:yyyy-MM-dd}) and {latest:yyyy-MM-dd} (the policy's maximum of {policy.MaxWaiver}); {expiresOn:yyyy-MM-dd} is outside that. Nothing was changed.",
                "Give -ExpiresOn within that range; a longer exception needs the screening policy (waivers.maxDuration) changed.", current.ScreeningId);
        }
    }

    /// <summary>
    /// Is <paramref name="personId"/>'s screening Cleared (before its re-screen date) or validly Waived (approved, not
    /// expired) at <paramref name="level"/> or above, at <paramref name="at"/>? The answer names the screening relied on,
    /// or says why none counts. The onboarding gate asks this before granting access beyond the baseline.
    /// </summary>
    public async Task<ScreeningClearance> CheckClearanceAsync(string personId, ScreeningLevel level, DateTimeOffset at, CancellationToken cancellationToken)
    {
        IReadOnlyList<ScreeningRecord> all = await _store.FindScreeningsAsync(new ScreeningQuery { PersonIds = [personId] }, cancellationToken).ConfigureAwait(false);
        List<ScreeningRecord> candidates = all.Where(s => s.Level >= level).ToList();
        if (candidates.FirstOrDefault(s => s.IsClearedAt(at)) is ScreeningRecord cleared)
        {
            return new ScreeningClearance(personId, level, at, true, cleared.ScreeningId, ScreeningStatus.Cleared,
                $"Screening {cleared.ScreeningId} ({cleared.Level}) is Cleared" + (cleared.RescreenDueOn is DateTime due ? $" until {due:yyyy-MM-dd}." : "."));
        }

        if (candidates.FirstOrDefault(s => s.HasValidWaiverAt(at)) is ScreeningRecord waived)
        {
            return new ScreeningClearance(personId, level, at, true, waived.ScreeningId, ScreeningStatus.Waived,
                $"Screening {waived.ScreeningId} ({waived.Level}) is Waived, approved by {waived.WaiverApprovedBy}, through {waived.WaiverExpiresOn:yyyy-MM-dd}.");
        }

        string reason = candidates.Count == 0
            ? $"There is no screening at level {level} or above" + (all.Count > 0 ? $" (only {string.Join(", ", all.Select(s => $"{s.ScreeningId} at {s.Level}"))})." : ".")
            : string.Join(" ", candidates.Select(s => Why(s, at)));
        return new ScreeningClearance(personId, level, at, false, null, null, reason);
    }

    /// <summary>
    /// <paramref name="records"/> with Notes and AdverseFindings filled in, for someone to see. Each person with any
    /// such value is audited as PersonalData.Read naming the vault names read (screening ids and field names), never
    /// the values; if that cannot be written, nothing is returned.
    /// </summary>
    public async Task<IReadOnlyList<ScreeningRecord>> ReadSensitiveAsync(IReadOnlyList<ScreeningRecord> records, OperationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var names = new HashSet<string>(records.SelectMany(r => ScreeningRecord.SensitiveFields.Select(f => ScreeningRecord.VaultName(r.ScreeningId, f))), StringComparer.Ordinal);
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> values = await _vault.ReadAsync(
            records.Select(r => r.PersonId).Distinct(StringComparer.OrdinalIgnoreCase).ToList(), context, cancellationToken, names.Contains).ConfigureAwait(false);
        return records.Select(r => values.TryGetValue(r.PersonId, out IReadOnlyDictionary<string, string>? v) ? r.WithSensitive(v) : r.WithoutSensitive()).ToList();
    }

    public async Task<ScreeningRecord> GetAsync(string screeningId, CancellationToken cancellationToken) =>
        await _store.GetScreeningAsync(screeningId, cancellationToken).ConfigureAwait(false) ?? throw NotFound(screeningId);

    /// <summary>Screenings matching the query, ordered by PersonId, then newest first.</summary>
    public Task<IReadOnlyList<ScreeningRecord>> FindAsync(ScreeningQuery query, CancellationToken cancellationToken) =>
        _store.FindScreeningsAsync(query ?? new ScreeningQuery(), cancellationToken);

    /// <summary>
    /// The record to store when <paramref name="current"/> is changed to <paramref name="proposed"/>, or the refusal.
    /// The rules: a check the policy requires cannot be NotRequired; any Adverse result turns an open screening
    /// Adverse; Cleared needs every required check Clear and none Adverse; Adverse needs an Adverse result; status moves
    /// only along the allowed transitions (Cleared only to Expired, Expired nowhere). Moving to Requested sets
    /// RequestedOn, to Cleared or Adverse sets CompletedOn (today unless given), to Cleared sets RescreenDueOn from the
    /// level's interval; moving to Waived needs a WaiverReason and records the actor as the requester, with no
    /// approval yet. Approval fields change only through <see cref="ApproveWaiverAsync"/>.
    /// </summary>
    public static ScreeningRecord Apply(ScreeningRecord current, ScreeningRecord proposed, ScreeningRequirement requirement, string actor, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(proposed);
        ArgumentNullException.ThrowIfNull(requirement);
        string id = current.ScreeningId;
        ScreeningRecord next = proposed with
        {
            ScreeningId = current.ScreeningId,
            PersonId = current.PersonId,
            Level = current.Level,
            Country = current.Country,
            Version = current.Version,
            CreatedAt = current.CreatedAt,
            UpdatedAt = current.UpdatedAt,
            Provider = Clean(proposed.Provider),
            ProviderReference = Clean(proposed.ProviderReference),
            WaiverReason = Clean(proposed.WaiverReason),
            Notes = Clean(proposed.Notes),
            AdverseFindings = Clean(proposed.AdverseFindings),
            RequestedOn = proposed.RequestedOn?.Date,
            CompletedOn = proposed.CompletedOn?.Date,
            RescreenDueOn = current.RescreenDueOn,
            WaiverRequestedBy = current.WaiverRequestedBy,
            WaiverApprovedBy = current.WaiverApprovedBy,
            WaiverApprovedAt = current.WaiverApprovedAt,
            WaiverApprovalReason = current.WaiverApprovalReason,
            WaiverExpiresOn = current.WaiverExpiresOn,
        };

        bool checksChanged = next.Checks().Zip(current.Checks()).Any(p => p.First.Result != p.Second.Result);
        if (checksChanged && current.Status is ScreeningStatus.Cleared or ScreeningStatus.Expired)
        {
            throw Refused("Closed", id, $"Screening {id} is {current.Status}; its check results are final.",
                "Open a new screening with New-IsmsScreening for a re-screen or for new information.");
        }

        List<ScreeningCheck> dropped = requirement.Checks.Where(c => next.ResultOf(c) == ScreeningCheckResult.NotRequired).ToList();
        if (dropped.Count > 0)
        {
            throw Refused("CheckRequired", id,
                $"The screening policy requires {string.Join(", ", dropped)} at level {current.Level}{(current.Country is null ? string.Empty : " in " + current.Country)}; it cannot be NotRequired.",
                "Record Pending, Clear or Adverse for it, or change policies/screening.yaml if the requirement is wrong.");
        }

        List<ScreeningCheck> adverse = next.Checks().Where(c => c.Result == ScreeningCheckResult.Adverse).Select(c => c.Check).ToList();
        if (adverse.Count > 0 && next.Status is ScreeningStatus.NotStarted or ScreeningStatus.Requested or ScreeningStatus.InProgress)
        {
            next = next with { Status = ScreeningStatus.Adverse };
        }

        if (next.Status == ScreeningStatus.Cleared && current.Status != ScreeningStatus.Cleared)
        {
            List<ScreeningCheck> open = requirement.Checks.Where(c => next.ResultOf(c) != ScreeningCheckResult.Clear).ToList();
            if (open.Count > 0 || adverse.Count > 0)
            {
                string which = string.Join(", ", open.Union(adverse).Select(c => $"{c} is {next.ResultOf(c)}"));
                throw Refused("NotClear", id, $"Screening {id} cannot be Cleared: {which}.",
                    "Record each required check as Clear first (for example -Identity Clear), or set Adverse when a check failed.");
            }
        }

        if (next.Status == ScreeningStatus.Adverse && adverse.Count == 0)
        {
            throw Refused("NoAdverseResult", id, $"Screening {id} cannot be Adverse when no check is Adverse.",
                "Record which check came back adverse (for example -CriminalRecord Adverse); the status follows.");
        }

        if (next.Status != current.Status && !Transitions[current.Status].Contains(next.Status))
        {
            throw Refused("InvalidTransition", id, $"Screening {id} cannot go from {current.Status} to {next.Status}.",
                current.Status == ScreeningStatus.Expired || current.Status == ScreeningStatus.Cleared && next.Status != ScreeningStatus.Expired
                    ? "A finished screening stays as it is; open a new one with New-IsmsScreening."
                    : $"From {current.Status} the status can go to {string.Join(", ", Transitions[current.Status])}.");
        }

        if (next.Status == current.Status)
        {
            return next with { CompletedOn = next.CompletedOn ?? current.CompletedOn };
        }

        DateTime today = now.Date;
        if (current.Status == ScreeningStatus.Waived)
        {
            next = next with { WaiverRequestedBy = null, WaiverApprovedBy = null, WaiverApprovedAt = null, WaiverApprovalReason = null, WaiverExpiresOn = null };
            next = next with { WaiverReason = next.Status == ScreeningStatus.Waived ? next.WaiverReason : null };
        }

        switch (next.Status)
        {
            case ScreeningStatus.Requested:
                next = next with { RequestedOn = next.RequestedOn ?? today };
                break;
            case ScreeningStatus.Cleared:
                DateTime completed = next.CompletedOn ?? today;
                next = next with { CompletedOn = completed, RescreenDueOn = requirement.RescreenEvery.AddTo(new DateTimeOffset(completed, TimeSpan.Zero)).UtcDateTime.Date };
                break;
            case ScreeningStatus.Adverse:
                next = next with { CompletedOn = next.CompletedOn ?? today };
                break;
            case ScreeningStatus.Waived:
                if (next.WaiverReason is null)
                {
                    throw Refused("WaiverReasonMissing", id, $"Waiving screening {id} needs a reason.",
                        "Give -WaiverReason: why access is needed before screening completes (no findings about the person).");
                }

                next = next with { WaiverRequestedBy = actor, WaiverApprovedBy = null, WaiverApprovedAt = null, WaiverApprovalReason = null, WaiverExpiresOn = null };
                break;
        }

        return next;
    }

    /// <summary>The audit target for a screening.</summary>
    public static string Target(string screeningId) => "screening:" + screeningId;

    /// <summary>The error for a ScreeningId that does not exist.</summary>
    public static IsmsException NotFound(string screeningId) => new("IsmsOps.Screening.NotFound", IsmsErrorKind.NotFound,
        $"No screening with ScreeningId '{screeningId}' exists.", "List a person's screenings with Get-IsmsScreening -PersonId <id>.", screeningId);

    private static string Why(ScreeningRecord s, DateTimeOffset at) => s.Status switch
    {
        ScreeningStatus.Cleared => $"Screening {s.ScreeningId} was Cleared, but its re-screen was due on {s.RescreenDueOn:yyyy-MM-dd}.",
        ScreeningStatus.Waived when s.WaiverApprovedBy is null => $"The waiver of screening {s.ScreeningId} is not approved yet.",
        ScreeningStatus.Waived => $"The waiver of screening {s.ScreeningId} expired after {s.WaiverExpiresOn:yyyy-MM-dd}.",
        _ => $"Screening {s.ScreeningId} is {s.Status}.",
    };

    private static IsmsException Refused(string what, string id, string message, string fix) =>
        new("IsmsOps.Screening." + what, IsmsErrorKind.InvalidArgument, message + " Nothing was changed.", fix, id);

    private static IsmsException Conflict(ScreeningRecord current, string what) => new("IsmsOps.Screening.Conflict", IsmsErrorKind.Conflict,
        $"Screening {current.ScreeningId} {what}. Nothing was changed.",
        "Read it again with Get-IsmsScreening, check the other change, and apply yours to the new version.", current.ScreeningId);

    private static void RefuseSensitiveDataAfterRemoval(Person person)
    {
        if (person.PersonalDataRemovedAt is DateTime removed)
        {
            throw new IsmsException("IsmsOps.PersonalData.Removed", IsmsErrorKind.InvalidArgument,
                $"The personal data of '{person.PersonId}' was removed on {removed:yyyy-MM-dd}; no new personal data is kept for them. Nothing was changed.",
                "Leave Notes and AdverseFindings out.", person.PersonId);
        }
    }

    private static List<string> SensitiveDiff(ScreeningRecord before, ScreeningRecord after)
    {
        Dictionary<string, string?> old = before.SensitiveValues().ToDictionary(f => f.Field, f => f.Value);
        return after.SensitiveValues().Where(f => !string.Equals(old[f.Field], f.Value, StringComparison.Ordinal)).Select(f => f.Field).ToList();
    }

    private static IReadOnlyList<FieldChange> Diff(ScreeningRecord before, ScreeningRecord after)
    {
        Dictionary<string, object?> old = Fields(before).ToDictionary(f => f.Field, f => f.Value);
        return Fields(after).Where(f => !Equals(old[f.Field], f.Value)).Select(f => new FieldChange(f.Field, old[f.Field], f.Value)).ToList();
    }

    // The stored, non-sensitive fields, in a fixed order: audit details and change detection.
    private static IEnumerable<(string Field, object? Value)> Fields(ScreeningRecord s)
    {
        yield return (nameof(ScreeningRecord.PersonId), s.PersonId);
        yield return (nameof(ScreeningRecord.Level), s.Level);
        yield return (nameof(ScreeningRecord.Country), s.Country);
        yield return (nameof(ScreeningRecord.Status), s.Status);
        yield return (nameof(ScreeningRecord.Provider), s.Provider);
        yield return (nameof(ScreeningRecord.ProviderReference), s.ProviderReference);
        foreach ((ScreeningCheck check, ScreeningCheckResult result) in s.Checks())
        {
            yield return (check.ToString(), result);
        }

        yield return (nameof(ScreeningRecord.RequestedOn), s.RequestedOn);
        yield return (nameof(ScreeningRecord.CompletedOn), s.CompletedOn);
        yield return (nameof(ScreeningRecord.RescreenDueOn), s.RescreenDueOn);
        yield return (nameof(ScreeningRecord.WaiverRequestedBy), s.WaiverRequestedBy);
        yield return (nameof(ScreeningRecord.WaiverReason), s.WaiverReason);
        yield return (nameof(ScreeningRecord.WaiverApprovedBy), s.WaiverApprovedBy);
        yield return (nameof(ScreeningRecord.WaiverApprovedAt), s.WaiverApprovedAt);
        yield return (nameof(ScreeningRecord.WaiverApprovalReason), s.WaiverApprovalReason);
        yield return (nameof(ScreeningRecord.WaiverExpiresOn), s.WaiverExpiresOn);
    }

    private static string? Clean(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

}
