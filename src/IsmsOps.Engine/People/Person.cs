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

    /// <summary>Increments on every change; pass it back to detect a concurrent edit.</summary>
    public long Version { get; init; }

    public DateTime CreatedAt { get; init; }

    public DateTime UpdatedAt { get; init; }
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
