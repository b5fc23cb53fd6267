using System.Management.Automation;
using IsmsOps.Engine;
using IsmsOps.Engine.Screening;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Gets background screenings from the register.</summary>
/// <remarks>
/// Returns the screenings that match every filter given, ordered by PersonId and newest first. PersonId binds from the
/// pipeline by property name, so people from Get-IsmsPerson can be piped in. -DueWithinDays lists Cleared screenings
/// whose re-screen date falls within that many days from today, overdue ones included. Notes and AdverseFindings are
/// stored encrypted and are empty unless -IncludeSensitive is given; each such read is audited per person
/// (PersonalData.Read, naming the screening fields read, never their values). A ScreeningId that does not exist is a
/// non-terminating error (IsmsOps.Screening.NotFound).
/// Graph permissions: none (this cmdlet reads only the IsmsOps store).
/// </remarks>
/// <example>
/// <code>Get-IsmsScreening -PersonId E1001</code>
/// <para>Lists E1001's screenings.</para>
/// </example>
/// <example>
/// <code>Get-IsmsScreening -DueWithinDays 60</code>
/// <para>Lists clearances that need a re-screen within 60 days.</para>
/// </example>
/// <example>
/// <code>Get-IsmsScreening -Status Adverse -IncludeSensitive</code>
/// <para>Shows adverse screenings with their findings; the read is recorded in the audit trail.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "IsmsScreening", DefaultParameterSetName = "Query")]
[OutputType(typeof(ScreeningRecord))]
public sealed class GetIsmsScreeningCommand : IsmsCmdlet
{
    private const string SensitiveViewTypeName = "IsmsOps.Engine.Screening.ScreeningRecord#Sensitive";

    /// <summary>Only the screenings of these people.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true, ParameterSetName = "Query")]
    [Alias("EmployeeId")]
    [ArgumentCompleter(typeof(PersonIdCompleter))]
    public string[]? PersonId { get; set; }

    /// <summary>The screenings with these ids.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true, ParameterSetName = "Id")]
    [ValidateNotNullOrEmpty]
    public string[] ScreeningId { get; set; } = [];

    /// <summary>Only screenings in one of these states.</summary>
    [Parameter(ParameterSetName = "Query")]
    public ScreeningStatus[]? Status { get; set; }

    /// <summary>Only Cleared screenings whose re-screen is due within this many days (overdue ones included).</summary>
    [Parameter(ParameterSetName = "Query")]
    [ValidateRange(0, 36500)]
    public int? DueWithinDays { get; set; }

    /// <summary>
    /// Also decrypts and shows Notes and AdverseFindings. Each person whose screening notes are shown is audited as a
    /// PersonalData.Read event naming the fields, never the values.
    /// </summary>
    [Parameter]
    public SwitchParameter IncludeSensitive { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        ForEachItem(() =>
        {
            var found = new List<ScreeningRecord>();
            if (ParameterSetName == "Id")
            {
                foreach (string id in ScreeningId)
                {
                    try
                    {
                        found.Add(Run((w, ct) => w.Screening.GetAsync(id, ct)));
                    }
                    catch (IsmsException ex) when (ex.ErrorId == "IsmsOps.Screening.NotFound")
                    {
                        WriteIsmsError(ex);
                    }
                }
            }
            else
            {
                var query = new ScreeningQuery
                {
                    PersonIds = PersonId ?? [],
                    Statuses = Status ?? [],
                    RescreenDueBy = DueWithinDays is int days ? DateTime.UtcNow.Date.AddDays(days) : null,
                };
                found.AddRange(Run((w, ct) => w.Screening.FindAsync(query, ct)));
            }

            if (!IncludeSensitive)
            {
                WriteObject(found, enumerateCollection: true);
                return;
            }

            foreach (ScreeningRecord record in Run((w, ct) => w.Screening.ReadSensitiveAsync(found, Operation, ct)))
            {
                WriteObjectAs(record, SensitiveViewTypeName);
            }
        });
    }
}
