using System.Globalization;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Storage;

namespace IsmsOps.Engine.Acknowledgements;

/// <summary>What recording an acknowledgement did.</summary>
public enum AcknowledgementOutcome
{
    /// <summary>A new record was added (earlier records of other versions or dates are kept).</summary>
    Recorded,

    /// <summary>The same acceptance (person, document, version, day) was already recorded; its expiry or evidence was corrected.</summary>
    Corrected,

    /// <summary>Exactly this was already recorded; nothing was stored or audited (a re-imported LMS export).</summary>
    Unchanged,
}

/// <summary>An acknowledgement as stored, and what storing it did.</summary>
public sealed record AcknowledgementResult(Acknowledgement Acknowledgement, AcknowledgementOutcome Outcome);

/// <summary>
/// The register of acceptances (terms and conditions, NDA, policies) and security-training completions. Each is stored
/// with its audit event in one transaction; the event holds ids and facts (kind, document, version, dates, evidence
/// reference), no personal data. History is kept: a new version, or a renewal, is a new record beside the old ones.
/// </summary>
/// <remarks>
/// The questions the onboarding gate and the policy-as-code controls ask are methods here:
/// <see cref="HasAcceptedAsync"/> (has P accepted version V of X), <see cref="CurrentTrainingAsync"/> (is P's training
/// current at T) and <see cref="FindGapsAsync"/> (who is missing it, or will be within N days).
/// </remarks>
public sealed class AcknowledgementRegister
{
    private const int MaxNameLength = 128;
    private const int MaxVersionLength = 64;
    private const int MaxEvidenceLength = 256;

    private readonly IIsmsStore _store;
    private readonly AuditTrail _audit;
    private readonly Func<DateTime> _clock;
    private readonly Func<AcknowledgementPolicy> _policy;

    /// <param name="store">The store.</param>
    /// <param name="audit">The audit trail records are audited in.</param>
    /// <param name="clock">Now (UTC); the system clock by default.</param>
    /// <param name="policy">
    /// policies/acknowledgements.yaml (validity per kind, versions in force), asked for each time it is needed so an
    /// edited file applies from the next command; <see cref="AcknowledgementPolicy.Default"/> without it.
    /// </param>
    public AcknowledgementRegister(IIsmsStore store, AuditTrail audit, Func<DateTime>? clock = null, Func<AcknowledgementPolicy>? policy = null)
    {
        _store = store;
        _audit = audit;
        _clock = clock ?? (() => DateTime.UtcNow);
        _policy = policy ?? (() => AcknowledgementPolicy.Default);
    }

    /// <summary>The policy in force, read anew on each call.</summary>
    public AcknowledgementPolicy Policy => _policy();

    /// <summary>
    /// This register with the policy read once, now, and that reading used by every later call: a command takes one for
    /// its whole pipeline, so every row is held to the same versions in force and the file is read once, not several
    /// times per row. An edited policy file applies from the next command.
    /// </summary>
    public AcknowledgementRegister WithPolicyReadOnce()
    {
        AcknowledgementPolicy policy = Policy;
        return new AcknowledgementRegister(_store, _audit, _clock, () => policy);
    }

    /// <summary>
    /// <paramref name="acknowledgement"/> with its <see cref="Acknowledgement.Status"/> on <paramref name="day"/> and
    /// the <see cref="Acknowledgement.CurrentVersion"/> <paramref name="policy"/> has in force (the register's policy
    /// when null). A record of a version other than the one in force is <see cref="AcknowledgementStatus.NotCurrentVersion"/>.
    /// </summary>
    public Acknowledgement Assess(Acknowledgement acknowledgement, DateTime day, AcknowledgementPolicy? policy = null)
    {
        ArgumentNullException.ThrowIfNull(acknowledgement);
        string? current = (policy ?? _policy()).CurrentVersionOf(acknowledgement.Kind, acknowledgement.Name);
        AcknowledgementStatus status =
            acknowledgement.AcknowledgedOn > day.Date ? AcknowledgementStatus.NotYetMade
            : current is not null && !string.Equals(current, acknowledgement.DocumentVersion, StringComparison.OrdinalIgnoreCase) ? AcknowledgementStatus.NotCurrentVersion
            : !acknowledgement.IsCurrentOn(day) ? AcknowledgementStatus.Expired
            : AcknowledgementStatus.Current;
        return acknowledgement with { Status = status, CurrentVersion = current };
    }

    /// <summary>Today, as the register's clock sees it (UTC date).</summary>
    public DateTime Today => _clock().Date;

    /// <summary>
    /// Records <paramref name="acknowledgement"/> for a registered person. Re-recording the same person, document,
    /// version and day stores nothing when nothing differs, and corrects the expiry or evidence when they do (when
    /// <paramref name="expectedVersion"/> is given and the stored record is at another version, that is a conflict).
    /// An unknown person is refused with <c>IsmsOps.Person.NotFound</c>.
    /// </summary>
    public async Task<AcknowledgementResult> RecordAsync(Acknowledgement acknowledgement, OperationContext context, CancellationToken cancellationToken,
        long? expectedVersion = null)
    {
        ArgumentNullException.ThrowIfNull(context);
        DateTime now = PeopleRegister.Truncate(_clock());
        Acknowledgement candidate = Prepare(acknowledgement, now.Date);

        await using IStoreWriteTransaction transaction = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        Person person = await transaction.GetPersonAsync(candidate.PersonId, cancellationToken).ConfigureAwait(false)
            ?? throw PeopleRegister.NotFound(candidate.PersonId);
        candidate = candidate with { PersonId = person.PersonId };

        IReadOnlyList<Acknowledgement> existing = await transaction.FindAcknowledgementsAsync(
            new AcknowledgementQuery { PersonId = person.PersonId, Kind = candidate.Kind, Name = candidate.Name }, cancellationToken).ConfigureAwait(false);
        Acknowledgement? same = existing.FirstOrDefault(a =>
            string.Equals(a.DocumentVersion, candidate.DocumentVersion, StringComparison.OrdinalIgnoreCase) && a.AcknowledgedOn == candidate.AcknowledgedOn);

        if (same is not null)
        {
            if (expectedVersion is long expected && expected != same.Version)
            {
                throw Conflict(same, $"is at version {same.Version}, not {expected}: someone changed it since you read it");
            }

            // An expiry or evidence left out of a re-import keeps what was recorded: an export without the column is not a correction.
            Acknowledgement corrected = same with
            {
                ExpiresOn = acknowledgement.ExpiresOn is null ? same.ExpiresOn : candidate.ExpiresOn,
                Evidence = candidate.Evidence ?? same.Evidence,
            };
            if (corrected == same)
            {
                return new AcknowledgementResult(Assess(same, now.Date), AcknowledgementOutcome.Unchanged);
            }

            corrected = corrected with { Version = same.Version + 1 };
            if (!await transaction.UpdateAcknowledgementAsync(corrected, same.Version, cancellationToken).ConfigureAwait(false))
            {
                throw Conflict(same, "changed while this correction ran");
            }

            var changes = new AuditDetails().Add("AcknowledgementId", same.AcknowledgementId).Add(nameof(Acknowledgement.Kind), same.Kind)
                .Add(nameof(Acknowledgement.Name), same.Name).Add(nameof(Acknowledgement.DocumentVersion), same.DocumentVersion);
            if (same.ExpiresOn != corrected.ExpiresOn)
            {
                changes.AddChange(nameof(Acknowledgement.ExpiresOn), Day(same.ExpiresOn), Day(corrected.ExpiresOn));
            }

            if (!string.Equals(same.Evidence, corrected.Evidence, StringComparison.Ordinal))
            {
                changes.AddChange(nameof(Acknowledgement.Evidence), same.Evidence, corrected.Evidence);
            }

            await AuditAsync(transaction, "Acknowledgement.Corrected", corrected, changes, context, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return new AcknowledgementResult(Assess(corrected, now.Date), AcknowledgementOutcome.Corrected);
        }

        candidate = candidate with
        {
            AcknowledgementId = Guid.NewGuid().ToString("D"),
            RecordedBy = context.Actor,
            RecordedAt = now,
            Version = 1,
        };
        await transaction.InsertAcknowledgementAsync(candidate, cancellationToken).ConfigureAwait(false);
        var details = new AuditDetails()
            .Add("AcknowledgementId", candidate.AcknowledgementId)
            .Add(nameof(Acknowledgement.Kind), candidate.Kind)
            .Add(nameof(Acknowledgement.Name), candidate.Name)
            .Add(nameof(Acknowledgement.DocumentVersion), candidate.DocumentVersion)
            .Add(nameof(Acknowledgement.AcknowledgedOn), Day(candidate.AcknowledgedOn))
            .Add(nameof(Acknowledgement.ExpiresOn), Day(candidate.ExpiresOn))
            .Add(nameof(Acknowledgement.Evidence), candidate.Evidence);
        await AuditAsync(transaction, "Acknowledgement.Recorded", candidate, details, context, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new AcknowledgementResult(Assess(candidate, now.Date), AcknowledgementOutcome.Recorded);
    }

    /// <summary>
    /// Every acknowledgement matching the query, oldest first per person and document (the full history), each with
    /// its <see cref="Acknowledgement.Status"/> on <paramref name="asOf"/> (today when null).
    /// </summary>
    public async Task<IReadOnlyList<Acknowledgement>> FindAsync(AcknowledgementQuery query, CancellationToken cancellationToken, DateTime? asOf = null)
    {
        AcknowledgementPolicy policy = _policy();
        DateTime day = (asOf ?? Today).Date;
        return (await _store.FindAcknowledgementsAsync(query, cancellationToken).ConfigureAwait(false)).Select(a => Assess(a, day, policy)).ToList();
    }

    /// <summary>
    /// For each person and document or course matching the query, the newest acknowledgement made on or before
    /// <paramref name="day"/>, if it still counts on that day: not expired, and of the version in force when
    /// policies/acknowledgements.yaml names one.
    /// </summary>
    public async Task<IReadOnlyList<Acknowledgement>> FindCurrentAsync(AcknowledgementQuery query, DateTime day, CancellationToken cancellationToken)
    {
        IReadOnlyList<Acknowledgement> all = await FindAsync(query, cancellationToken, day).ConfigureAwait(false);
        return LatestPerDocument(all, day).Where(a => a.Status == AcknowledgementStatus.Current).ToList();
    }

    /// <summary>
    /// The acknowledgement by which person <paramref name="personId"/> has accepted version <paramref name="version"/>
    /// of <paramref name="kind"/> <paramref name="name"/> and which still counts on <paramref name="day"/>; null when
    /// there is none. Acceptance of any other version does not count: a new version must be accepted anew.
    /// </summary>
    public async Task<Acknowledgement?> HasAcceptedAsync(string personId, AcknowledgementKind kind, string? name, string version, DateTime day,
        CancellationToken cancellationToken)
    {
        string resolved = ResolveName(kind, name);
        IReadOnlyList<Acknowledgement> all = await FindAsync(new AcknowledgementQuery { PersonId = personId, Kind = kind, Name = resolved }, cancellationToken, day)
            .ConfigureAwait(false);
        return all.Where(a => string.Equals(a.DocumentVersion, version.Trim(), StringComparison.OrdinalIgnoreCase) && a.IsCurrentOn(day))
            .OrderByDescending(a => a.AcknowledgedOn).ThenByDescending(a => a.RecordedAt).FirstOrDefault();
    }

    /// <summary>
    /// The security-training completion that makes person <paramref name="personId"/>'s training current on
    /// <paramref name="day"/> (of course <paramref name="courseName"/>, or of any course when null); null when their
    /// training has lapsed or was never done.
    /// </summary>
    public async Task<Acknowledgement?> CurrentTrainingAsync(string personId, DateTime day, CancellationToken cancellationToken, string? courseName = null)
    {
        IReadOnlyList<Acknowledgement> current = await FindCurrentAsync(
            new AcknowledgementQuery { PersonId = personId, Kind = AcknowledgementKind.SecurityTraining, Name = Blank(courseName) }, day, cancellationToken)
            .ConfigureAwait(false);
        return current.OrderByDescending(a => a.ExpiresOn ?? DateTime.MaxValue).FirstOrDefault();
    }

    /// <summary>
    /// The people (everyone in the register who has not left, or only <paramref name="personIds"/>) who lack a current
    /// acknowledgement of <paramref name="kind"/> <paramref name="name"/> (of <paramref name="requiredVersion"/>, when
    /// given) on <paramref name="day"/>, or whose acknowledgement lapses within <paramref name="withinDays"/> days of it.
    /// Ordered by PersonId.
    /// </summary>
    public async Task<IReadOnlyList<AcknowledgementGap>> FindGapsAsync(AcknowledgementKind kind, string? name, string? requiredVersion, DateTime day,
        int withinDays, CancellationToken cancellationToken, IReadOnlyCollection<string>? personIds = null)
    {
        if (withinDays < 0)
        {
            throw new IsmsException("IsmsOps.Acknowledgement.InvalidWindow", IsmsErrorKind.InvalidArgument,
                $"The window of {withinDays} days is negative.", "Give the number of days ahead to look, 0 or more.", withinDays);
        }

        string resolved = ResolveName(kind, name);
        // Without an explicit version, the one in force (policies/acknowledgements.yaml) is what a person must have.
        string? version = Blank(requiredVersion) ?? _policy().CurrentVersionOf(kind, resolved);
        day = day.Date;
        DateTime horizon = day.AddDays(withinDays);
        IReadOnlyList<Person> people = await _store.FindPeopleAsync(new PersonQuery
        {
            Statuses = [PersonStatus.Candidate, PersonStatus.Onboarding, PersonStatus.Active, PersonStatus.Leaving],
        }, cancellationToken).ConfigureAwait(false);
        ILookup<string, Acknowledgement> byPerson = (await FindAsync(new AcknowledgementQuery { Kind = kind, Name = resolved }, cancellationToken, day)
            .ConfigureAwait(false)).ToLookup(a => a.PersonId, StringComparer.OrdinalIgnoreCase);

        var gaps = new List<AcknowledgementGap>();
        foreach (Person person in people)
        {
            if (personIds is { Count: > 0 } && !personIds.Contains(person.PersonId, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            List<Acknowledgement> made = byPerson[person.PersonId].Where(a => a.AcknowledgedOn <= day).ToList();
            Acknowledgement? latest = made.OrderByDescending(a => a.AcknowledgedOn).ThenByDescending(a => a.RecordedAt).FirstOrDefault();
            List<Acknowledgement> matching = made.Where(a => version is null || string.Equals(a.DocumentVersion, version, StringComparison.OrdinalIgnoreCase)).ToList();
            Acknowledgement? best = matching.Where(a => a.IsCurrentOn(day)).OrderByDescending(a => a.ExpiresOn ?? DateTime.MaxValue).FirstOrDefault();

            AcknowledgementGapReason? reason =
                latest is null ? AcknowledgementGapReason.Missing
                : matching.Count == 0 ? AcknowledgementGapReason.OtherVersion
                : best is null ? AcknowledgementGapReason.Expired
                : best.ExpiresOn is DateTime expires && expires <= horizon ? AcknowledgementGapReason.Expiring
                : null;
            if (reason is AcknowledgementGapReason r)
            {
                gaps.Add(new AcknowledgementGap
                {
                    PersonId = person.PersonId,
                    Kind = kind,
                    Name = resolved,
                    RequiredVersion = version,
                    Reason = r,
                    Latest = r is AcknowledgementGapReason.Expiring ? best : latest,
                });
            }
        }

        return gaps;
    }

    /// <summary>
    /// For each person and document or course matching the query, the newest acknowledgement, when it lapses before
    /// <paramref name="day"/> + <paramref name="withinDays"/> (already lapsed included; renewed ones are not, since the
    /// renewal is the newest). Ordered by expiry.
    /// </summary>
    public async Task<IReadOnlyList<Acknowledgement>> FindExpiringAsync(AcknowledgementQuery query, DateTime day, int withinDays, CancellationToken cancellationToken)
    {
        if (withinDays < 0)
        {
            throw new IsmsException("IsmsOps.Acknowledgement.InvalidWindow", IsmsErrorKind.InvalidArgument,
                $"The window of {withinDays} days is negative.", "Give the number of days ahead to look, 0 or more.", withinDays);
        }

        DateTime horizon = day.Date.AddDays(withinDays);
        IReadOnlyList<Acknowledgement> all = await FindAsync(query, cancellationToken, day).ConfigureAwait(false);
        return LatestPerDocument(all, day.Date).Where(a => a.ExpiresOn is DateTime expires && expires <= horizon).OrderBy(a => a.ExpiresOn).ThenBy(a => a.PersonId)
            .ToList();
    }

    /// <summary>
    /// The record as it would be stored (trimmed, dates without time, the default name and expiry filled in), or the
    /// validation error naming the field, the value and the fix. <paramref name="today"/> bounds AcknowledgedOn.
    /// </summary>
    public Acknowledgement Prepare(Acknowledgement acknowledgement, DateTime? today = null)
    {
        ArgumentNullException.ThrowIfNull(acknowledgement);
        DateTime limit = (today ?? Today).Date;
        Acknowledgement a = acknowledgement with
        {
            PersonId = acknowledgement.PersonId?.Trim() ?? string.Empty,
            Name = Blank(acknowledgement.Name) ?? Acknowledgement.DefaultName(acknowledgement.Kind) ?? string.Empty,
            DocumentVersion = acknowledgement.DocumentVersion?.Trim() ?? string.Empty,
            AcknowledgedOn = acknowledgement.AcknowledgedOn.Date,
            ExpiresOn = acknowledgement.ExpiresOn?.Date,
            Evidence = Blank(acknowledgement.Evidence),
        };

        if (a.PersonId.Length == 0)
        {
            throw Invalid(nameof(Acknowledgement.PersonId), a.PersonId, "PersonId is required.", "Give the PersonId of a person in the register (Get-IsmsPerson).");
        }

        if (!Enum.IsDefined(a.Kind))
        {
            throw Invalid(nameof(Acknowledgement.Kind), a.Kind, $"Kind '{a.Kind}' is not defined.",
                "Use TermsAndConditions, NonDisclosureAgreement, Policy or SecurityTraining.");
        }

        if (a.Name.Length == 0)
        {
            throw Invalid(nameof(Acknowledgement.Name), a.Name, $"A {a.Kind} acknowledgement needs the Name of the policy or course.",
                "Give the name as its owner publishes it, for example -Name 'Acceptable Use Policy' or -Name 'Security Awareness 2026'.");
        }

        CheckText(nameof(Acknowledgement.Name), a.Name, MaxNameLength, "Give the document's or course's title as plain text.");
        if (a.DocumentVersion.Length == 0)
        {
            throw Invalid("Version", a.DocumentVersion, $"The version of '{a.Name}' is required: an acceptance only counts for the version accepted.",
                "Give the version as the document's owner numbers it, for example -Version 3.1.");
        }

        CheckText("Version", a.DocumentVersion, MaxVersionLength, "Give the version as plain text, for example 3.1 or 2026-01.");
        if (a.Evidence is not null)
        {
            CheckText(nameof(Acknowledgement.Evidence), a.Evidence, MaxEvidenceLength,
                "Give a reference to the proof (an LMS certificate id, an e-signature envelope id), not the document.");
        }

        if (a.AcknowledgedOn == default)
        {
            throw Invalid("On", null, "The day of acceptance or completion is required.", "Give the date with -On, for example -On 2026-01-05.");
        }

        if (a.AcknowledgedOn > limit)
        {
            throw Invalid("On", Day(a.AcknowledgedOn), $"The day {Day(a.AcknowledgedOn)} is in the future (today is {Day(limit)}).",
                "Record an acceptance or a completion once it has happened, with the day it happened.");
        }

        a = a with { ExpiresOn = a.ExpiresOn ?? _policy().Validity.ExpiryFor(a.Kind, a.AcknowledgedOn) };
        if (a.ExpiresOn is DateTime expires && expires <= a.AcknowledgedOn)
        {
            throw Invalid(nameof(Acknowledgement.ExpiresOn), Day(expires), $"ExpiresOn {Day(expires)} is not after the day of acceptance {Day(a.AcknowledgedOn)}.",
                "Give the first day the acknowledgement no longer counts, after the day it was made.");
        }

        return a;
    }

    private static IEnumerable<Acknowledgement> LatestPerDocument(IEnumerable<Acknowledgement> all, DateTime day) =>
        all.Where(a => a.AcknowledgedOn <= day.Date)
            .GroupBy(a => (Person: a.PersonId.ToUpperInvariant(), a.Kind, Name: a.Name.ToUpperInvariant()))
            .Select(g => g.OrderByDescending(a => a.AcknowledgedOn).ThenByDescending(a => a.RecordedAt).First())
            .OrderBy(a => a.PersonId, StringComparer.OrdinalIgnoreCase).ThenBy(a => a.Kind).ThenBy(a => a.Name, StringComparer.OrdinalIgnoreCase);

    private Task AuditAsync(IStoreWriteTransaction transaction, string action, Acknowledgement a, AuditDetails details, OperationContext context,
        CancellationToken cancellationToken) =>
        _audit.AppendAsync(transaction, [new AuditEventDraft(action, PeopleRegister.Target(a.PersonId), details.ToJson())], context, cancellationToken);

    private static string ResolveName(AcknowledgementKind kind, string? name) =>
        Blank(name) ?? Acknowledgement.DefaultName(kind) ?? throw Invalid(nameof(Acknowledgement.Name), name, $"A {kind} question needs the Name of the policy or course.",
            "Give the name, for example -Name 'Acceptable Use Policy'.");

    private static void CheckText(string field, string value, int maxLength, string fix)
    {
        if (value.Length > maxLength || value.Any(char.IsControl))
        {
            throw Invalid(field, value, $"{field} '{value}' must be at most {maxLength} characters, with no control characters.", fix);
        }
    }

    private static IsmsException Conflict(Acknowledgement a, string what) => new("IsmsOps.Acknowledgement.Conflict", IsmsErrorKind.Conflict,
        $"Acknowledgement {a.AcknowledgementId} ({a.PersonId}, {a.Name} {a.DocumentVersion}) {what}. Nothing was changed.",
        "Read it again with Get-IsmsAcknowledgement and apply your change to the new version.", a.AcknowledgementId);

    private static IsmsException Invalid(string field, object? value, string message, string fix) =>
        new("IsmsOps.Acknowledgement.Invalid" + field, IsmsErrorKind.InvalidArgument, message + " Nothing was recorded.", fix,
            Convert.ToString(value, CultureInfo.InvariantCulture));

    private static string? Day(DateTime? day) => day?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
