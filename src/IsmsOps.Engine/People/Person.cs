namespace IsmsOps.Engine.People;

/// <summary>How a person is engaged. Drives screening levels, offboarding deadlines and review cadence later on.</summary>
public enum EmploymentType
{
    Employee,
    Contractor,
    Vendor,
    Guest,
}

/// <summary>Where a person is in their lifecycle with the organisation.</summary>
public enum PersonStatus
{
    Candidate,
    Onboarding,
    Active,
    Leaving,
    Left,
}

/// <summary>
/// A person in the scope of the ISMS, keyed by the HR employee id. Dates are calendar dates (no time of day).
/// </summary>
/// <remarks>
/// The sensitive fields (<see cref="SensitiveFields"/>) are never stored in the person row: the register keeps them in
/// the <see cref="Protection.PersonalDataVault"/> and fills them in only for an audited read.
/// </remarks>
public sealed record Person
{
    /// <summary>The HR employee id; unique and never reused.</summary>
    public required string PersonId { get; init; }

    public required string DisplayName { get; init; }

    public string? UserPrincipalName { get; init; }

    public string? Mail { get; init; }

    public string? Department { get; init; }

    public string? JobRole { get; init; }

    /// <summary>The PersonId of this person's manager.</summary>
    public string? ManagerId { get; init; }

    public EmploymentType EmploymentType { get; init; } = EmploymentType.Employee;

    public PersonStatus Status { get; init; } = PersonStatus.Candidate;

    public DateTime? StartDate { get; init; }

    public DateTime? EndDate { get; init; }

    /// <summary>Country of work, ISO 3166-1 alpha-2 (GB, DE, US).</summary>
    public string? Location { get; init; }

    /// <summary>The Entra ID object id of this person's account, once linked.</summary>
    public string? DirectoryObjectId { get; init; }

    /// <summary>
    /// A private e-mail address (for contact after leaving). Sensitive: encrypted at rest under the person's own key,
    /// and null unless read with <c>-IncludeSensitive</c> (an audited read).
    /// </summary>
    public string? PersonalEmail { get; init; }

    /// <summary>A private phone number. Sensitive, like <see cref="PersonalEmail"/>.</summary>
    public string? PersonalPhone { get; init; }

    /// <summary>The home postal address. Sensitive, like <see cref="PersonalEmail"/>.</summary>
    public string? HomeAddress { get; init; }

    /// <summary>When the person's sensitive data was crypto-shredded (Remove-IsmsPersonalData); null while it is kept.</summary>
    public DateTime? PersonalDataRemovedAt { get; init; }

    /// <summary>Increments on every change; pass it back to detect a concurrent edit.</summary>
    public long Version { get; init; }

    public DateTime CreatedAt { get; init; }

    public DateTime UpdatedAt { get; init; }

    /// <summary>The names of the sensitive fields, as the vault and the audit trail name them.</summary>
    public static IReadOnlyList<string> SensitiveFields { get; } = [nameof(PersonalEmail), nameof(PersonalPhone), nameof(HomeAddress)];

    /// <summary>The sensitive fields' values, in <see cref="SensitiveFields"/> order.</summary>
    public IEnumerable<(string Field, string? Value)> SensitiveValues()
    {
        yield return (nameof(PersonalEmail), PersonalEmail);
        yield return (nameof(PersonalPhone), PersonalPhone);
        yield return (nameof(HomeAddress), HomeAddress);
    }

    /// <summary>This person with the sensitive fields taken from <paramref name="values"/> (by field name; missing means none).</summary>
    public Person WithSensitive(IReadOnlyDictionary<string, string> values) => this with
    {
        PersonalEmail = values.GetValueOrDefault(nameof(PersonalEmail)),
        PersonalPhone = values.GetValueOrDefault(nameof(PersonalPhone)),
        HomeAddress = values.GetValueOrDefault(nameof(HomeAddress)),
    };

    /// <summary>This person with the sensitive fields cleared, as everything but an audited read returns it.</summary>
    public Person WithoutSensitive() => this with { PersonalEmail = null, PersonalPhone = null, HomeAddress = null };
}

/// <summary>Which people to return. Name patterns take * and ? wildcards, case-insensitive.</summary>
public sealed record PersonQuery
{
    public IReadOnlyList<string> PersonIdPatterns { get; init; } = [];

    public IReadOnlyList<string> DisplayNamePatterns { get; init; } = [];

    public IReadOnlyList<PersonStatus> Statuses { get; init; } = [];

    public IReadOnlyList<string> DepartmentPatterns { get; init; } = [];

    public IReadOnlyList<EmploymentType> EmploymentTypes { get; init; } = [];
}
