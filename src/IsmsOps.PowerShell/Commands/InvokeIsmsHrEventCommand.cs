using System.Collections;
using System.Globalization;
using System.Management.Automation;
using IsmsOps.Engine;
using IsmsOps.Engine.HrEvents;
using IsmsOps.Engine.Roles;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Applies one HR event (joiner, mover or leaver) to the people register, exactly once per idempotency key.</summary>
/// <remarks>
/// The event carries an IdempotencyKey, a Kind (Joiner, Mover or Leaver), a PersonId, and the fields of the change:
/// DisplayName, UserPrincipalName, Mail, Department, JobRole, ManagerId, StartDate, EndDate, EmploymentType, Location.
/// A Joiner creates the person (Status Onboarding, or Candidate when the start date is more than 30 days ahead); a Mover
/// changes JobRole, Department and ManagerId; a Leaver sets Status Leaving and EndDate. A JobRole must be a role id or
/// title in the role catalog, and is stored as the role's id.
/// The event's record, the person's change and their audit events are written in one transaction. The output says how
/// it ended: Applied (with the fields that changed), AlreadyProcessed (the same key and body were processed before;
/// nothing was done), or Refused (ErrorId, Reason and RecommendedAction; nothing was changed, and the same event may be
/// sent again once the cause is fixed). The same key with a different body is refused as IsmsOps.HrEvent.KeyReused.
/// Refusals are outcomes, not errors, so a webhook job can answer every delivery.
/// Onboarding and offboarding are started by Invoke-IsmsLifecycle, from the register: pipe the outcome into it
/// (Invoke-IsmsHrEvent -Json $body | Invoke-IsmsLifecycle) to do the person's due work at once.
/// Graph permissions: none (this cmdlet changes only the IsmsOps store).
/// </remarks>
/// <example>
/// <code>Invoke-IsmsHrEvent -Json $request.Body</code>
/// <para>Applies a webhook's event body; a re-delivery returns AlreadyProcessed.</para>
/// </example>
/// <example>
/// <code>@{ IdempotencyKey = 'wd-88121'; Kind = 'Leaver'; PersonId = 'E1003'; EndDate = '2026-12-31' } | Invoke-IsmsHrEvent</code>
/// <para>Marks E1003 as leaving on 31 December 2026.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Invoke, "IsmsHrEvent", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ObjectSet)]
[OutputType(typeof(HrEventOutcome))]
public sealed class InvokeIsmsHrEventCommand : IsmsCmdlet
{
    private const string ObjectSet = "InputObject";
    private const string JsonSet = "Json";

    private RoleCatalog? _catalog;

    /// <summary>
    /// The event: an object or hashtable with the event's fields as properties (IdempotencyKey, Kind, PersonId, and the
    /// fields of the change), or a string holding the event as JSON. Dates are DateTime values or yyyy-MM-dd text.
    /// </summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ObjectSet, ValueFromPipeline = true)]
    [ValidateNotNull]
    public PSObject? InputObject { get; set; }

    /// <summary>The event as a JSON object, such as a webhook's request body.</summary>
    [Parameter(Mandatory = true, ParameterSetName = JsonSet)]
    [ValidateNotNullOrEmpty]
    public string Json { get; set; } = string.Empty;

    /// <inheritdoc />
    protected override void BeginProcessing()
    {
        StopOnError(() =>
        {
            _catalog = ModuleSession.LoadRoleCatalog();
        });
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        ForEachItem(() =>
        {
            HrEvent e = ParameterSetName == JsonSet ? HrEvent.FromJson(Json)
                : InputObject!.BaseObject is string json ? HrEvent.FromJson(json)
                : HrEvent.FromFields(FieldsOf(InputObject));
            if (ShouldProcess($"{e.Kind} {e.PersonId} (key {e.IdempotencyKey})", "Apply HR event"))
            {
                WriteObject(Run((w, ct) => w.HrEvents.ProcessAsync(e, _catalog!, Operation, ct)));
            }
        });
    }

    private static Dictionary<string, string?> FieldsOf(PSObject input)
    {
        var fields = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        if (input.BaseObject is IDictionary table)
        {
            foreach (DictionaryEntry entry in table)
            {
                fields[entry.Key.ToString() ?? string.Empty] = Text(entry.Value);
            }

            return fields;
        }

        foreach (PSPropertyInfo property in input.Properties)
        {
            if (HrEvent.FieldNames.Contains(property.Name, StringComparer.OrdinalIgnoreCase))
            {
                fields[property.Name] = Text(property.Value);
            }
        }

        return fields;
    }

    private static string? Text(object? value) => (value is PSObject ps ? ps.BaseObject : value) switch
    {
        null => null,
        DateTime d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        object o => Convert.ToString(o, CultureInfo.InvariantCulture),
    };
}
