using System.Management.Automation;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Roles;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Registers a person in the ISMS people register.</summary>
/// <remarks>
/// Adds a person in the scope of the ISMS, keyed by the employee id from the HR system. The record, and an audit event
/// that records who added it and with which values, are stored in one transaction. A PersonId that is already
/// registered is an error, and nothing is changed. JobRole must name a role of the role catalog (policies/roles, or
/// $env:ISMSOPS_POLICIES/roles) by id or title; the role's id is stored, and a role the catalog does not define is
/// refused with IsmsOps.Person.UnknownRole. Every parameter binds from pipeline properties of the same name,
/// so rows from an HR export (Import-Csv) can be piped in; one bad row is reported and the others are registered.
/// PersonalEmail, PersonalPhone and HomeAddress are sensitive: they are encrypted under a data key of the person's own
/// (wrapped by the master key kept outside the database), the audit event names them without their values, and the
/// person written to the pipeline does not show them (Get-IsmsPerson -IncludeSensitive does, and audits the read).
/// Graph permissions: none (this cmdlet changes only the IsmsOps store).
/// </remarks>
/// <example>
/// <code>New-IsmsPerson -PersonId E1001 -DisplayName 'Ada Lovelace' -Department Engineering -JobRole 'Software Engineer' -StartDate 2026-01-05</code>
/// <para>Registers a new employee as a Candidate.</para>
/// </example>
/// <example>
/// <code>New-IsmsPerson -PersonId E1002 -DisplayName 'Grace Hopper' -PersonalEmail grace@example.net -PersonalPhone '+1 555 0100'</code>
/// <para>Registers a person with private contact details, which are stored encrypted.</para>
/// </example>
/// <example>
/// <code>Import-Csv ./hr-joiners.csv | New-IsmsPerson -Status Onboarding</code>
/// <para>Registers every row of an HR export; columns named like the parameters (PersonId, DisplayName, Department, ...) bind by name.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "IsmsPerson", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Person))]
public sealed class NewIsmsPersonCommand : IsmsCmdlet
{
    /// <summary>The employee id from the HR system: unique, 1 to 64 letters, digits, '.', '_' or '-'.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("EmployeeId")]
    [ValidateNotNullOrEmpty]
    public string PersonId { get; set; } = string.Empty;

    /// <summary>The person's name as it should appear in reports.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    public string DisplayName { get; set; } = string.Empty;

    /// <summary>The sign-in name of the person's Entra ID account, as name@domain.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("UPN")]
    public string? UserPrincipalName { get; set; }

    /// <summary>The person's e-mail address.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Mail { get; set; }

    /// <summary>The department the person works in.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Department { get; set; }

    /// <summary>The person's role: the id or title of a role in the role catalog (Get-IsmsRole lists them). The role's id is stored; a role the catalog does not define is refused (IsmsOps.Person.UnknownRole) and nothing is stored.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? JobRole { get; set; }

    /// <summary>The PersonId of the person's manager.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(PersonIdCompleter))]
    public string? ManagerId { get; set; }

    /// <summary>How the person is engaged: Employee (the default), Contractor, Vendor or Guest.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public EmploymentType EmploymentType { get; set; } = EmploymentType.Employee;

    /// <summary>Where the person is in their lifecycle: Candidate (the default), Onboarding, Active, Leaving or Left.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public PersonStatus Status { get; set; } = PersonStatus.Candidate;

    /// <summary>The first working day. Only the date is kept.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public DateTime? StartDate { get; set; }

    /// <summary>The last working day, when known. Required when Status is Left.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public DateTime? EndDate { get; set; }

    /// <summary>The country of work as an ISO 3166-1 two-letter code, such as GB, DE or US.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Country")]
    public string? Location { get; set; }

    /// <summary>The Entra ID object id (a GUID) of the person's account, when it already exists.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? DirectoryObjectId { get; set; }

    /// <summary>A private e-mail address, for contact after the person leaves. Sensitive: stored encrypted under the person's own key, never shown unless asked for with Get-IsmsPerson -IncludeSensitive.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? PersonalEmail { get; set; }

    /// <summary>A private phone number. Sensitive, stored encrypted like PersonalEmail.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? PersonalPhone { get; set; }

    /// <summary>The home postal address. Sensitive, stored encrypted like PersonalEmail.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? HomeAddress { get; set; }

    // Read once per command, not once per piped row; a catalog that fails to load is not kept, so each row gets the
    // same error.
    private RoleCatalog? _catalog;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var person = new Person
        {
            PersonId = PersonId,
            DisplayName = DisplayName,
            UserPrincipalName = UserPrincipalName,
            Mail = Mail,
            Department = Department,
            JobRole = JobRole,
            ManagerId = ManagerId,
            EmploymentType = EmploymentType,
            Status = Status,
            StartDate = StartDate,
            EndDate = EndDate,
            Location = Location,
            DirectoryObjectId = DirectoryObjectId,
            PersonalEmail = PersonalEmail,
            PersonalPhone = PersonalPhone,
            HomeAddress = HomeAddress,
        };

        ForEachItem(() =>
        {
            // Validate before asking, so -WhatIf never promises what the register would refuse.
            Person prepared = PeopleRegister.Prepare(person);
            if (!string.IsNullOrWhiteSpace(prepared.JobRole))
            {
                prepared = prepared with { JobRole = (_catalog ??= ModuleSession.LoadRoleCatalog()).ResolvePersonJobRole(prepared.JobRole, prepared.PersonId).Id };
            }

            if (ShouldProcess($"{prepared.PersonId} ({prepared.DisplayName}, {prepared.EmploymentType}, {prepared.Status})", "Register person"))
            {
                WriteObject(Run((w, ct) => w.People.CreateAsync(prepared, Operation, ct)));
            }
        });
    }
}
