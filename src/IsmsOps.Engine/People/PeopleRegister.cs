using System.Globalization;
using System.Text.RegularExpressions;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Protection;
using IsmsOps.Engine.Storage;

namespace IsmsOps.Engine.People;

/// <summary>One field's change: its old and new value.</summary>
public sealed record FieldChange(string Field, object? From, object? To)
{
    public override string ToString() => $"{Field}: '{Show(From)}' -> '{Show(To)}'";

    private static string Show(object? value) => value switch
    {
        null => string.Empty,
        DateTime date => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
    };
}

/// <summary>
/// The register of people in scope of the ISMS. Every change is validated, stored and audited in one transaction.
/// </summary>
/// <remarks>
/// The sensitive fields (<see cref="Person.SensitiveFields"/>) go to the <see cref="PersonalDataVault"/> in the same
/// transaction, encrypted under the person's own key. The audit events name a sensitive field that was set, changed or
/// cleared (under "SensitiveFields"), never its value, and every person this register returns has them cleared, except
/// from <see cref="ReadSensitiveAsync"/>, which audits the read.
/// </remarks>
public sealed partial class PeopleRegister
{
    /// <summary>What -WhatIf shows in place of a sensitive value.</summary>
    public const string ProtectedValueText = "(protected value)";

    private readonly IIsmsStore _store;
    private readonly AuditTrail _audit;
    private readonly Func<DateTime> _clock;
    private readonly PersonalDataVault? _vault;

    public PeopleRegister(IIsmsStore store, AuditTrail audit, Func<DateTime>? clock = null, PersonalDataVault? vault = null)
    {
        _store = store;
        _audit = audit;
        _clock = clock ?? (() => DateTime.UtcNow);
        _vault = vault;
    }

    /// <summary>Adds a person. Fails with <c>IsmsOps.Person.Duplicate</c> when the PersonId is taken.</summary>
    public async Task<Person> CreateAsync(Person person, OperationContext context, CancellationToken cancellationToken)
    {
        await using IStoreWriteTransaction transaction = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        Person created = await CreateAsync(transaction, person, context, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return created;
    }

    /// <summary>
    /// <see cref="CreateAsync(Person, OperationContext, CancellationToken)"/> inside the caller's transaction, which
    /// the caller commits: so another record (an HR event) is stored with the person or not at all.
    /// </summary>
    public async Task<Person> CreateAsync(IStoreWriteTransaction transaction, Person person, OperationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        DateTime now = Truncate(_clock());
        Person candidate = Prepare(person) with { Version = 1, CreatedAt = now, UpdatedAt = now };

        Person? existing = await transaction.GetPersonAsync(candidate.PersonId, cancellationToken).ConfigureAwait(false);
        if (existing is not null)
        {
            throw new IsmsException("IsmsOps.Person.Duplicate", IsmsErrorKind.AlreadyExists,
                $"PersonId '{candidate.PersonId}' is already registered (to '{existing.DisplayName}'). Nothing was changed.",
                "Use Set-IsmsPerson to change that person, or choose the PersonId HR assigned to this one.", candidate.PersonId);
        }

        await transaction.InsertPersonAsync(candidate, cancellationToken).ConfigureAwait(false);
        var details = new AuditDetails();
        foreach ((string field, object? value) in Fields(candidate))
        {
            if (value is not null)
            {
                details.Add(field, value);
            }
        }

        var sensitive = new List<string>();
        foreach ((string field, string? value) in candidate.SensitiveValues())
        {
            if (value is not null)
            {
                await Vault.ProtectAsync(transaction, candidate.PersonId, field, value, cancellationToken).ConfigureAwait(false);
                sensitive.Add(field);
            }
        }

        if (sensitive.Count > 0)
        {
            details.Add("SensitiveFields", sensitive.ToArray());
        }

        await _audit.AppendAsync(transaction, [new AuditEventDraft("Person.Created", Target(candidate.PersonId), details.ToJson())], context, cancellationToken)
            .ConfigureAwait(false);
        return candidate.WithoutSensitive();
    }

    /// <summary>
    /// Applies <paramref name="change"/> to the stored person. When <paramref name="expectedVersion"/> is given and the
    /// stored version differs, fails with <c>IsmsOps.Person.Conflict</c> rather than overwrite someone else's edit.
    /// A change that alters nothing stores nothing and audits nothing.
    /// </summary>
    public async Task<Person> UpdateAsync(string personId, Func<Person, Person> change, long? expectedVersion, OperationContext context,
        CancellationToken cancellationToken)
    {
        await using IStoreWriteTransaction transaction = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        (Person updated, IReadOnlyList<FieldChange> changes) = await UpdateAsync(transaction, personId, change, expectedVersion, context, cancellationToken)
            .ConfigureAwait(false);
        if (changes.Count > 0)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return updated;
    }

    /// <summary>
    /// The update inside the caller's transaction, which the caller commits; returns the person and what changed
    /// (sensitive fields named, never shown). Nothing changed means nothing written.
    /// </summary>
    public async Task<(Person Person, IReadOnlyList<FieldChange> Changes)> UpdateAsync(IStoreWriteTransaction transaction, string personId,
        Func<Person, Person> change, long? expectedVersion, OperationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        Person current = await transaction.GetPersonAsync(personId, cancellationToken).ConfigureAwait(false) ?? throw NotFound(personId);
        if (expectedVersion is long expected && expected != current.Version)
        {
            throw new IsmsException("IsmsOps.Person.Conflict", IsmsErrorKind.Conflict,
                $"Person '{current.PersonId}' is at version {current.Version}, not {expected}: someone changed it since you read it. Nothing was changed.",
                "Read the person again with Get-IsmsPerson, check the other change, and apply yours to the new version.", current.PersonId);
        }

        // Prepared as PreviewUpdateAsync prepares it, so -WhatIf shows exactly what is stored. The change sees the
        // current sensitive values (decrypted here, not shown), so leaving a field alone keeps it.
        Person full = current.WithSensitive(await UnprotectAsync(transaction, current, cancellationToken).ConfigureAwait(false));
        Person updated = Prepare(change(full) with { PersonId = current.PersonId }) with
        {
            Version = current.Version,
            CreatedAt = current.CreatedAt,
            UpdatedAt = current.UpdatedAt,
            PersonalDataRemovedAt = current.PersonalDataRemovedAt,
        };

        IReadOnlyList<FieldChange> changes = Diff(current, updated);
        IReadOnlyList<string> sensitive = SensitiveDiff(full, updated);
        if (changes.Count == 0 && sensitive.Count == 0)
        {
            return (current, []);
        }

        var details = new AuditDetails();
        foreach (FieldChange c in changes)
        {
            details.AddChange(c.Field, c.From, c.To);
        }

        if (sensitive.Count > 0)
        {
            RefuseSensitiveDataAfterRemoval(current);
            details.Add("SensitiveFields", sensitive.ToArray());
            foreach ((string field, string? value) in updated.SensitiveValues().Where(f => sensitive.Contains(f.Field)))
            {
                await Vault.ProtectAsync(transaction, current.PersonId, field, value, cancellationToken).ConfigureAwait(false);
            }
        }

        updated = updated.WithoutSensitive() with { Version = current.Version + 1, UpdatedAt = Truncate(_clock()) };
        if (!await transaction.UpdatePersonAsync(updated, current.Version, cancellationToken).ConfigureAwait(false))
        {
            throw new IsmsException("IsmsOps.Person.Conflict", IsmsErrorKind.Conflict,
                $"Person '{current.PersonId}' changed while this update ran. Nothing was changed.", "Run the command again.", current.PersonId);
        }

        await _audit.AppendAsync(transaction, [new AuditEventDraft("Person.Updated", Target(current.PersonId), details.ToJson())], context, cancellationToken)
            .ConfigureAwait(false);
        return (updated, [.. changes, .. sensitive.Select(field => new FieldChange(field, ProtectedValueText, "(new protected value)"))]);
    }

    /// <summary>
    /// What <see cref="UpdateAsync(string, Func{Person, Person}, long?, OperationContext, CancellationToken)"/> would change, without changing anything (for -WhatIf and -Confirm). A change
    /// that would be refused is refused here too.
    /// </summary>
    public async Task<IReadOnlyList<FieldChange>> PreviewUpdateAsync(string personId, Func<Person, Person> change, CancellationToken cancellationToken)
    {
        Person current = await GetAsync(personId, cancellationToken).ConfigureAwait(false);
        IReadOnlyDictionary<string, string> stored = current.PersonalDataRemovedAt is null && _vault is not null
            ? await _vault.UnprotectAsync(current.PersonId, cancellationToken).ConfigureAwait(false)
            : new Dictionary<string, string>();
        Person full = current.WithSensitive(stored);
        Person updated = Prepare(change(full) with { PersonId = current.PersonId });
        IReadOnlyList<string> sensitive = SensitiveDiff(full, updated);
        if (sensitive.Count > 0)
        {
            RefuseSensitiveDataAfterRemoval(current);
        }

        // Sensitive values are named, never shown: -WhatIf output ends up in transcripts and job logs.
        Dictionary<string, string?> after = updated.SensitiveValues().ToDictionary(f => f.Field, f => f.Value);
        return Diff(current, updated)
            .Concat(sensitive.Select(field => new FieldChange(field,
                stored.ContainsKey(field) ? ProtectedValueText : null,
                after[field] is null ? null : "(new protected value)")))
            .ToList();
    }

    /// <summary>
    /// <paramref name="people"/> with their sensitive fields filled in, for someone to see. Each person who has any is
    /// audited as a <c>PersonalData.Read</c> event naming the person and the fields, never the values; if the events
    /// cannot be written, nothing is returned. A person whose data was removed comes back with the fields empty and
    /// <see cref="Person.PersonalDataRemovedAt"/> set.
    /// </summary>
    public async Task<IReadOnlyList<Person>> ReadSensitiveAsync(IReadOnlyList<Person> people, OperationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(people);
        IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> values = await Vault.ReadAsync(
            people.Where(p => p.PersonalDataRemovedAt is null).Select(p => p.PersonId).ToList(), context, cancellationToken,
            Person.SensitiveFields.Contains).ConfigureAwait(false);
        return people.Select(p => values.TryGetValue(p.PersonId, out IReadOnlyDictionary<string, string>? v) ? p.WithSensitive(v) : p.WithoutSensitive()).ToList();
    }

    private PersonalDataVault Vault => _vault ?? throw new InvalidOperationException("This register was made without a personal-data vault.");

    private async Task<IReadOnlyDictionary<string, string>> UnprotectAsync(IStoreWriteTransaction transaction, Person person, CancellationToken cancellationToken) =>
        person.PersonalDataRemovedAt is null && _vault is not null
            ? await _vault.UnprotectAsync(transaction, person.PersonId, cancellationToken).ConfigureAwait(false)
            : new Dictionary<string, string>();

    private static IReadOnlyList<string> SensitiveDiff(Person before, Person after)
    {
        Dictionary<string, string?> old = before.SensitiveValues().ToDictionary(f => f.Field, f => f.Value);
        return after.SensitiveValues().Where(f => !string.Equals(old[f.Field], f.Value, StringComparison.Ordinal)).Select(f => f.Field).ToList();
    }

    private static void RefuseSensitiveDataAfterRemoval(Person current)
    {
        if (current.PersonalDataRemovedAt is DateTime removed)
        {
            throw new IsmsException("IsmsOps.PersonalData.Removed", IsmsErrorKind.InvalidArgument,
                $"The personal data of '{current.PersonId}' was removed on {removed:yyyy-MM-dd}; no new personal data is kept for them. Nothing was changed.",
                "Leave the sensitive fields out; a person who returns is registered again under the PersonId HR assigns.", current.PersonId);
        }
    }

    /// <summary>A person record as it would be stored (trimmed, dates without time, country upper-cased), or the validation error.</summary>
    public static Person Prepare(Person person)
    {
        Person normalised = Normalise(person);
        Validate(normalised);
        return normalised;
    }

    private static IReadOnlyList<FieldChange> Diff(Person before, Person after)
    {
        Dictionary<string, object?> old = Fields(before).ToDictionary(f => f.Field, f => f.Value);
        return Fields(after).Where(f => !Equals(old[f.Field], f.Value)).Select(f => new FieldChange(f.Field, old[f.Field], f.Value)).ToList();
    }

    public async Task<Person> GetAsync(string personId, CancellationToken cancellationToken) =>
        await _store.GetPersonAsync(personId, cancellationToken).ConfigureAwait(false) ?? throw NotFound(personId);

    /// <summary>People matching the query, ordered by PersonId.</summary>
    public async Task<IReadOnlyList<Person>> FindAsync(PersonQuery query, CancellationToken cancellationToken)
    {
        var ids = new NamePatternSet(query.PersonIdPatterns);
        var names = new NamePatternSet(query.DisplayNamePatterns);
        var departments = new NamePatternSet(query.DepartmentPatterns);
        IReadOnlyList<Person> people = await _store.FindPeopleAsync(query, cancellationToken).ConfigureAwait(false);
        return people.Where(p => ids.Matches(p.PersonId) && names.Matches(p.DisplayName) && departments.Matches(p.Department)).ToList();
    }

    /// <summary>The audit target for a person.</summary>
    public static string Target(string personId) => "person:" + personId;

    /// <summary>The error for a PersonId that is not registered.</summary>
    public static IsmsException NotFound(string personId) => new("IsmsOps.Person.NotFound", IsmsErrorKind.NotFound,
        $"No person with PersonId '{personId}' is registered.", "Check the id with Get-IsmsPerson, or register the person with New-IsmsPerson.", personId);

    // Stored times keep only the precision of the audit text format, so a record read back equals the one written.
    internal static DateTime Truncate(DateTime utc) => AuditEvent.ParseTime(AuditEvent.FormatTime(utc));

    // The fields that make up a person's record, in a fixed order; used for audit details and change detection.
    private static IEnumerable<(string Field, object? Value)> Fields(Person p)
    {
        yield return (nameof(Person.PersonId), p.PersonId);
        yield return (nameof(Person.DisplayName), p.DisplayName);
        yield return (nameof(Person.UserPrincipalName), p.UserPrincipalName);
        yield return (nameof(Person.Mail), p.Mail);
        yield return (nameof(Person.Department), p.Department);
        yield return (nameof(Person.JobRole), p.JobRole);
        yield return (nameof(Person.ManagerId), p.ManagerId);
        yield return (nameof(Person.EmploymentType), p.EmploymentType);
        yield return (nameof(Person.Status), p.Status);
        yield return (nameof(Person.StartDate), p.StartDate);
        yield return (nameof(Person.EndDate), p.EndDate);
        yield return (nameof(Person.Location), p.Location);
        yield return (nameof(Person.DirectoryObjectId), p.DirectoryObjectId);
    }

    private static Person Normalise(Person p) => p with
    {
        PersonId = p.PersonId?.Trim()!,
        DisplayName = p.DisplayName?.Trim()!,
        UserPrincipalName = Blank(p.UserPrincipalName),
        Mail = Blank(p.Mail),
        Department = Blank(p.Department),
        JobRole = Blank(p.JobRole),
        ManagerId = Blank(p.ManagerId),
        // Only a well-formed code is upper-cased, so an error message shows the value as it was given.
        Location = Blank(p.Location) is { Length: 2 } code ? code.ToUpperInvariant() : Blank(p.Location),
        DirectoryObjectId = Blank(p.DirectoryObjectId)?.ToLowerInvariant(),
        StartDate = p.StartDate?.Date,
        EndDate = p.EndDate?.Date,
        PersonalEmail = Blank(p.PersonalEmail),
        PersonalPhone = Blank(p.PersonalPhone),
        HomeAddress = Blank(p.HomeAddress),
    };

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    /// <summary>Checks a person record; the message names the field, the bad value and the fix.</summary>
    public static void Validate(Person p)
    {
        if (string.IsNullOrEmpty(p.PersonId) || !PersonIdFormat().IsMatch(p.PersonId))
        {
            throw Invalid(nameof(Person.PersonId), p.PersonId,
                $"PersonId '{p.PersonId}' is not valid: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.",
                "Use the employee id from the HR system, for example E1001.");
        }

        if (string.IsNullOrEmpty(p.DisplayName) || p.DisplayName.Length > 256)
        {
            throw Invalid(nameof(Person.DisplayName), p.DisplayName, "DisplayName is required and may be at most 256 characters.",
                "Give the person's name as it should appear in reports.");
        }

        foreach ((string field, string? value) in new[] { (nameof(Person.UserPrincipalName), p.UserPrincipalName), (nameof(Person.Mail), p.Mail) })
        {
            if (value is not null && !AddressFormat().IsMatch(value))
            {
                throw Invalid(field, value, $"{field} '{value}' is not an address of the form name@domain.", $"Give {field} as name@domain, for example ada@example.com.");
            }
        }

        if (p.ManagerId is not null && (!PersonIdFormat().IsMatch(p.ManagerId) || string.Equals(p.ManagerId, p.PersonId, StringComparison.OrdinalIgnoreCase)))
        {
            throw Invalid(nameof(Person.ManagerId), p.ManagerId, $"ManagerId '{p.ManagerId}' is not valid: it must be another person's PersonId.",
                "Give the manager's employee id, or leave ManagerId empty.");
        }

        if (p.Location is not null && !CountryFormat().IsMatch(p.Location))
        {
            throw Invalid(nameof(Person.Location), p.Location, $"Location '{p.Location}' is not a two-letter ISO 3166-1 country code.",
                "Give the country of work as two letters, for example GB, DE or US.");
        }

        if (p.DirectoryObjectId is not null && !Guid.TryParseExact(p.DirectoryObjectId, "D", out _))
        {
            throw Invalid(nameof(Person.DirectoryObjectId), p.DirectoryObjectId, $"DirectoryObjectId '{p.DirectoryObjectId}' is not a GUID.",
                "Give the Entra ID object id of the person's account, for example 0b6f4a1e-8c2d-4e7f-9a3b-1c5d7e9f2a4b.");
        }

        // The value is personal data: the messages name the field and the rule, not what was typed.
        if (p.PersonalEmail is not null && !AddressFormat().IsMatch(p.PersonalEmail))
        {
            throw InvalidSensitive(nameof(Person.PersonalEmail), "PersonalEmail is not an address of the form name@domain.",
                "Give the private address as name@domain, or leave it out.");
        }

        if (p.PersonalPhone is not null && !PhoneFormat().IsMatch(p.PersonalPhone))
        {
            throw InvalidSensitive(nameof(Person.PersonalPhone), "PersonalPhone is not a phone number: use digits, spaces and + ( ) . / -, 3 to 32 characters.",
                "Give the number in international form, for example +44 20 7946 0000.");
        }

        if (p.HomeAddress is not null && (p.HomeAddress.Length > 512 || p.HomeAddress.Any(c => char.IsControl(c) && c != '\n' && c != '\r')))
        {
            throw InvalidSensitive(nameof(Person.HomeAddress), "HomeAddress may be at most 512 characters, with no control characters other than line breaks.",
                "Give the postal address as text, lines separated by line breaks or commas.");
        }

        if (p.StartDate is DateTime start && p.EndDate is DateTime end && end < start)
        {
            throw Invalid(nameof(Person.EndDate), end, $"EndDate {end:yyyy-MM-dd} is before StartDate {start:yyyy-MM-dd}.",
                "Correct whichever date is wrong; a person cannot leave before they start.");
        }

        if (p.Status == PersonStatus.Left && p.EndDate is null)
        {
            throw Invalid(nameof(Person.EndDate), null, $"Person '{p.PersonId}' cannot be Left without an EndDate.",
                "Give the last working day with -EndDate when you set -Status Left.");
        }

        if (!Enum.IsDefined(p.Status) || !Enum.IsDefined(p.EmploymentType))
        {
            throw Invalid(nameof(Person.Status), p.Status, "Status or EmploymentType has a value that is not defined.", "Use one of the listed values.");
        }
    }

    private static IsmsException Invalid(string field, object? value, string message, string fix) =>
        new("IsmsOps.Person.Invalid" + field, IsmsErrorKind.InvalidArgument, message + " Nothing was changed.", fix,
            Convert.ToString(value, CultureInfo.InvariantCulture));

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex PersonIdFormat();

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex AddressFormat();

    private static IsmsException InvalidSensitive(string field, string message, string fix) =>
        new("IsmsOps.Person.Invalid" + field, IsmsErrorKind.InvalidArgument, message + " (The value is not repeated here: it is personal data.) Nothing was changed.", fix, field);

    [GeneratedRegex(@"^\+?[0-9 ()./-]{3,32}$")]
    private static partial Regex PhoneFormat();

    [GeneratedRegex("^[A-Z]{2}$")]
    private static partial Regex CountryFormat();
}
