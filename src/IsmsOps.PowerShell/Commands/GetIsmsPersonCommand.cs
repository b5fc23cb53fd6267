using System.Management.Automation;
using IsmsOps.Engine;
using IsmsOps.Engine.People;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Gets people from the ISMS people register.</summary>
/// <remarks>
/// Returns the people that match every filter given; with no filter, everyone, ordered by PersonId. PersonId,
/// DisplayName and Department take wildcards (* ? [a-z]) and are case-insensitive. A PersonId without wildcards
/// that matches nobody is reported as a non-terminating error, as Get-Item does for a missing path. PersonId binds
/// from the pipeline by property name, so any object with a PersonId property can be piped in. The sensitive fields
/// (PersonalEmail, PersonalPhone, HomeAddress) are stored encrypted and are empty in the output unless -IncludeSensitive
/// is given; that read is audited per person (PersonalData.Read, naming the fields, never the values). For a person
/// whose personal data was removed, PersonalDataRemovedAt says when, and the fields stay empty.
/// Graph permissions: none (this cmdlet reads only the IsmsOps store).
/// </remarks>
/// <example>
/// <code>Get-IsmsPerson</code>
/// <para>Lists everyone in the register as a table.</para>
/// </example>
/// <example>
/// <code>Get-IsmsPerson -Status Leaving, Left -Department 'Fin*'</code>
/// <para>Lists leavers in departments whose name starts with Fin.</para>
/// </example>
/// <example>
/// <code>Get-IsmsPerson E1001 -IncludeSensitive</code>
/// <para>Shows E1001's private contact details; the read is recorded in the audit trail.</para>
/// </example>
/// <example>
/// <code>Get-IsmsPerson -DisplayName '*lovelace*' | Set-IsmsPerson -Department Research</code>
/// <para>Finds people by part of their name and moves them to another department.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "IsmsPerson")]
[OutputType(typeof(Person))]
public sealed class GetIsmsPersonCommand : IsmsCmdlet
{
    private const string SensitiveViewTypeName = "IsmsOps.Engine.People.Person#Sensitive";

    /// <summary>PersonIds to return; wildcards allowed.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(PersonIdCompleter))]
    [Alias("EmployeeId")]
    public string[]? PersonId { get; set; }

    /// <summary>Names to match; wildcards allowed.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [Alias("Name")]
    public string[]? DisplayName { get; set; }

    /// <summary>Only people in one of these lifecycle states.</summary>
    [Parameter]
    public PersonStatus[]? Status { get; set; }

    /// <summary>Only people in one of these departments; wildcards allowed.</summary>
    [Parameter]
    [SupportsWildcards]
    public string[]? Department { get; set; }

    /// <summary>Only people engaged in one of these ways.</summary>
    [Parameter]
    public EmploymentType[]? EmploymentType { get; set; }

    /// <summary>
    /// Also decrypts and shows the sensitive fields (PersonalEmail, PersonalPhone, HomeAddress). Each person whose
    /// sensitive data is shown is audited as a PersonalData.Read event naming the person and the fields, never the values.
    /// </summary>
    [Parameter]
    public SwitchParameter IncludeSensitive { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        var query = new PersonQuery
        {
            PersonIdPatterns = PersonId ?? [],
            DisplayNamePatterns = DisplayName ?? [],
            Statuses = Status ?? [],
            DepartmentPatterns = Department ?? [],
            EmploymentTypes = EmploymentType ?? [],
        };

        ForEachItem(() =>
        {
            IReadOnlyList<Person> people = Run((w, ct) => w.People.FindAsync(query, ct));
            if (IncludeSensitive)
            {
                IReadOnlyList<Person> full = Run((w, ct) => w.People.ReadSensitiveAsync(people, Operation, ct));
                foreach (Person person in full)
                {
                    // A view of its own, so the fields asked for are the ones shown.
                    WriteObjectAs(person, SensitiveViewTypeName);
                }
            }
            else
            {
                WriteObject(people, enumerateCollection: true);
            }

            foreach (string id in PersonId ?? [])
            {
                if (!NamePatternSet.ContainsWildcard(id) && !people.Any(p => string.Equals(p.PersonId, id, StringComparison.OrdinalIgnoreCase)))
                {
                    WriteIsmsError(PeopleRegister.NotFound(id));
                }
            }
        });
    }
}
