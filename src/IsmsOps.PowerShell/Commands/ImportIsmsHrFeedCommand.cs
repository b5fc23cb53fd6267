using System.Management.Automation;
using IsmsOps.Engine;
using IsmsOps.Engine.HrEvents;
using IsmsOps.Engine.Roles;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Imports an HR export (CSV or JSON): compares it with the register and raises joiner, mover and leaver events.</summary>
/// <remarks>
/// The mapping file (YAML) names the export's column for each register field under 'columns' (PersonId and DisplayName
/// are required; UserPrincipalName, Mail, Department, JobRole, ManagerId, StartDate, EndDate, EmploymentType and
/// Location may be mapped) and may set 'dateFormat' (yyyy-MM-dd by default). A CSV has a header row; a JSON file is an
/// array of objects. A file ending in .json is read as JSON, anything else as CSV.
/// A PersonId not in the register raises a Joiner. A person whose end date is at or before today and who is not
/// already Leaving with that date raises a Leaver, whenever the import runs: leavers are found by that window, never
/// by an exact date. Otherwise a changed JobRole, Department or ManagerId raises a Mover. Each row raises at most one
/// event, applied as Invoke-IsmsHrEvent applies it: whole or not at all, once per idempotency key (derived from the
/// row's content), so importing the same file twice changes nothing the second time.
/// Rows with a missing PersonId, a PersonId on more than one row, an invalid date, an unknown role, the wrong number
/// of fields or invalid UTF-8 are listed in the summary's Errors with their line numbers (item numbers for JSON) and
/// skipped; the other rows are applied. A mapped column missing from the header stops the import before anything is
/// applied (IsmsOps.HrFeed.MissingColumn).
/// The output is one summary: Rows, Joiners, Movers, Leavers, Unchanged, Errors and every event's Outcome.
/// With -WhatIf the events are planned and listed but not applied.
/// Graph permissions: none (this cmdlet changes only the IsmsOps store).
/// </remarks>
/// <example>
/// <code>Import-IsmsHrFeed -Path ./hr/export.csv -MappingPath ./hr/mapping.yaml</code>
/// <para>Applies the day's joiners, movers and leavers; run it again and it reports them Unchanged.</para>
/// </example>
/// <example>
/// <code>(Import-IsmsHrFeed ./hr/export.csv -MappingPath ./hr/mapping.yaml -WhatIf).Outcomes</code>
/// <para>Lists the events an import would raise, without applying them.</para>
/// </example>
[Cmdlet(VerbsData.Import, "IsmsHrFeed", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(HrFeedImportSummary))]
public sealed class ImportIsmsHrFeedCommand : IsmsCmdlet
{
    /// <summary>The HR export: a CSV file with a header row, or a JSON array of objects (.json).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>The YAML file that maps the export's columns to register fields (see examples/hr-feed-mapping.yaml).</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string MappingPath { get; set; } = string.Empty;

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        string file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        string mappingFile = SessionState.Path.GetUnresolvedProviderPathFromPSPath(MappingPath);
        StopOnError(() =>
        {
            HrFeedMapping mapping = HrFeedMapping.Load(mappingFile);
            RoleCatalog roles = ModuleSession.LoadRoleCatalog();
            bool apply = ShouldProcess(file, "Import HR feed (raise joiner, mover and leaver events)");
            HrFeedImportSummary summary = Run((w, ct) => w.HrFeed.ImportAsync(file, mapping, roles, whatIf: !apply, Operation, ct));
            foreach (HrFeedRowError error in summary.Errors)
            {
                WriteWarning(error.Message);
            }

            WriteObject(summary);
        });
    }
}
