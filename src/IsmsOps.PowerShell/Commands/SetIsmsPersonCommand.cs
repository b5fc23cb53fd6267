using System.Management.Automation;
using IsmsOps.Engine;
using IsmsOps.Engine.Movers;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Roles;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Changes a person in the ISMS people register.</summary>
/// <remarks>
/// Changes only the fields you name; an empty string typed on the command line clears a text field (an empty value
/// in piped data leaves the field as it is). The change and an audit event holding each
/// changed field's old and new value are stored in one transaction, and a change that alters nothing is not stored or
/// audited. When the person was read with Get-IsmsPerson and piped in, its Version binds to ExpectedVersion: if someone
/// else changed the person in between, the update is refused instead of overwriting their change. A sensitive field
/// (PersonalEmail, PersonalPhone, HomeAddress) is stored encrypted; -WhatIf and the audit event name it when it changes,
/// never its value. After Remove-IsmsPersonalData no sensitive field can be set again for that person.
/// -JobRole takes a role id or title from the role catalog (policies/roles, or $ISMSOPS_POLICIES/roles; Get-IsmsRole
/// lists them) and stores the role's id; a role the catalog lacks is refused (IsmsOps.Person.UnknownRole) and nothing is
/// changed. When the role changes from one catalog role to another and the person has a linked account
/// (DirectoryObjectId), a mover case is opened in the same transaction as the change: Get-IsmsMove shows it and
/// Start-IsmsMove grants the new role's access and, after the overlap in policies/movers.yaml, removes the old role's.
/// Graph permissions: none (this cmdlet changes only the IsmsOps store).
/// </remarks>
/// <example>
/// <code>Set-IsmsPerson -PersonId E1001 -Status Active</code>
/// <para>Marks a joiner as active.</para>
/// </example>
/// <example>
/// <code>Set-IsmsPerson -PersonId E1001 -JobRole engineering-manager -Verbose</code>
/// <para>Moves E1001 to the Engineering Manager role and opens their mover case (the verbose output names it).</para>
/// </example>
/// <example>
/// <code>Get-IsmsPerson E1001 | Set-IsmsPerson -Status Leaving -EndDate 2026-12-31 -PassThru</code>
/// <para>Records a resignation, refusing if the record changed since it was read, and shows the result.</para>
/// </example>
[Cmdlet(VerbsCommon.Set, "IsmsPerson", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(Person))]
public sealed class SetIsmsPersonCommand : IsmsCmdlet
{
    /// <summary>The PersonId of the person to change.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("EmployeeId")]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PersonIdCompleter))]
    public string PersonId { get; set; } = string.Empty;

    /// <summary>The new display name.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    public string? DisplayName { get; set; }

    /// <summary>The new sign-in name of the person's Entra ID account; an empty string (typed) clears it.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("UPN")]
    public string? UserPrincipalName { get; set; }

    /// <summary>The new e-mail address; an empty string clears it.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Mail { get; set; }

    /// <summary>The new department; an empty string clears it.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? Department { get; set; }

    /// <summary>The new job role: a role id or title from the role catalog (Get-IsmsRole lists them), stored as the role's id; an empty string clears it.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? JobRole { get; set; }

    /// <summary>The PersonId of the new manager; an empty string clears it.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(PersonIdCompleter))]
    public string? ManagerId { get; set; }

    /// <summary>The new employment type: Employee, Contractor, Vendor or Guest.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public EmploymentType? EmploymentType { get; set; }

    /// <summary>The new lifecycle state: Candidate, Onboarding, Active, Leaving or Left (Left needs an EndDate).</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public PersonStatus? Status { get; set; }

    /// <summary>The new first working day.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public DateTime? StartDate { get; set; }

    /// <summary>The new last working day.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public DateTime? EndDate { get; set; }

    /// <summary>The new country of work, as an ISO 3166-1 two-letter code; an empty string clears it.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Country")]
    public string? Location { get; set; }

    /// <summary>The Entra ID object id (a GUID) of the person's account; an empty string clears it.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? DirectoryObjectId { get; set; }

    /// <summary>The new private e-mail address; an empty string clears it. Sensitive: stored encrypted, and -WhatIf and the audit trail name the field without its value.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? PersonalEmail { get; set; }

    /// <summary>The new private phone number; an empty string clears it. Sensitive, like PersonalEmail.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? PersonalPhone { get; set; }

    /// <summary>The new home postal address; an empty string clears it. Sensitive, like PersonalEmail.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    public string? HomeAddress { get; set; }

    /// <summary>The version you read. If the stored person has moved on, the change is refused. Binds from a piped person's Version.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("Version")]
    public long? ExpectedVersion { get; set; }

    /// <summary>Writes the changed person to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    private HashSet<string> _typedParameters = [];

    // Read once per command, and only when a role is given: an update that leaves the role alone needs no catalog.
    private RoleCatalog? _catalog;

    /// <inheritdoc />
    protected override void BeginProcessing() =>
        _typedParameters = new HashSet<string>(MyInvocation.BoundParameters.Keys, StringComparer.OrdinalIgnoreCase);

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        // PowerShell keeps BoundParameters from earlier pipeline objects, so "was it bound?" is read from the values:
        // null means not given for this object. An empty string clears a field only when typed on the command line;
        // an empty cell in piped HR data (Import-Csv) leaves the stored value alone.
        string? Text(string name, string? value, string? current) => value switch
        {
            null => current,
            "" => _typedParameters.Contains(name) ? null : current,
            _ => value,
        };

        // A role is checked against the catalog before anything is previewed or stored, and stored as its id.
        string? jobRole = JobRole;
        RoleCatalog catalog = RoleCatalog.Empty;
        if (!string.IsNullOrEmpty(JobRole))
        {
            try
            {
                catalog = _catalog ??= ModuleSession.LoadRoleCatalog();
                jobRole = catalog.ResolvePersonJobRole(JobRole, PersonId).Id;
            }
            catch (IsmsException refused)
            {
                WriteIsmsError(refused);
                return;
            }
        }

        Person Apply(Person p) => p with
        {
            DisplayName = string.IsNullOrEmpty(DisplayName) ? p.DisplayName : DisplayName,
            UserPrincipalName = Text(nameof(UserPrincipalName), UserPrincipalName, p.UserPrincipalName),
            Mail = Text(nameof(Mail), Mail, p.Mail),
            Department = Text(nameof(Department), Department, p.Department),
            JobRole = Text(nameof(JobRole), jobRole, p.JobRole),
            ManagerId = Text(nameof(ManagerId), ManagerId, p.ManagerId),
            EmploymentType = EmploymentType ?? p.EmploymentType,
            Status = Status ?? p.Status,
            StartDate = StartDate ?? p.StartDate,
            EndDate = EndDate ?? p.EndDate,
            Location = Text(nameof(Location), Location, p.Location),
            DirectoryObjectId = Text(nameof(DirectoryObjectId), DirectoryObjectId, p.DirectoryObjectId),
            PersonalEmail = Text(nameof(PersonalEmail), PersonalEmail, p.PersonalEmail),
            PersonalPhone = Text(nameof(PersonalPhone), PersonalPhone, p.PersonalPhone),
            HomeAddress = Text(nameof(HomeAddress), HomeAddress, p.HomeAddress),
        };

        ForEachItem(() =>
        {
            if (ChangeAfterPreview(PersonId, (w, ct) => w.People.PreviewUpdateAsync(PersonId, Apply, ct),
                    (w, ct) => w.Movers.UpdatePersonAsync(PersonId, Apply, ExpectedVersion, catalog, Operation, ct)) is not PersonUpdateOutcome result)
            {
                return;
            }

            Person updated = result.Person;
            WriteVerbose($"{updated.PersonId} is at version {updated.Version}.");
            if (result.Case is MoverCase opened)
            {
                WriteVerbose($"Opened mover case {opened.CaseId}: {opened.FromRoleId} -> {opened.ToRoleId}; the old access goes after {opened.RemoveOldAfter:u}. Run Start-IsmsMove -PersonId {updated.PersonId}.");
            }

            if (PassThru)
            {
                WriteObject(updated);
            }
        });
    }
}
