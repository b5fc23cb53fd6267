using System.Management.Automation;
using IsmsOps.Engine.AccessReviews;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Changes how often a recurring access review campaign recurs, or ends its series.</summary>
/// <remarks>
/// Invoke-IsmsAccessReviewCycle starts the next period of a series from its newest campaign when that campaign's next
/// start (start + recurrence) comes. -Recurrence changes the interval (an ISO 8601 duration: P3M, P6M, P1Y), counted
/// from the campaign's start; -NoRecurrence ends the series: no further campaign is started. Only the newest campaign
/// of a series may change; one that already has a successor is refused with IsmsOps.AccessReview.NotNewestInSeries,
/// naming the successor. The change is audited as AccessReview.RecurrenceChanged (from and to); setting the value the
/// campaign already has stores nothing.
/// </remarks>
/// <example>
/// <code>Set-IsmsAccessReview -CampaignId AR-20270224-5c1e0b -NoRecurrence</code>
/// <para>Ends the series: the cycle starts no campaign after this one.</para>
/// </example>
/// <example>
/// <code>Get-IsmsAccessReview 'Application and guest access*' -Status Active | Set-IsmsAccessReview -Recurrence P1Y</code>
/// <para>Reviews application and guest access yearly from now on (pipe the newest campaign of the series).</para>
/// </example>
[Cmdlet(VerbsCommon.Set, "IsmsAccessReview", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium, DefaultParameterSetName = ChangeSet)]
[OutputType(typeof(AccessReviewCampaign))]
public sealed class SetIsmsAccessReviewCommand : IsmsCmdlet
{
    private const string ChangeSet = "Recurrence";
    private const string EndSet = "NoRecurrence";

    /// <summary>The campaign to change: the newest of its series.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string CampaignId { get; set; } = string.Empty;

    /// <summary>How often the campaign recurs from now on, as an ISO 8601 duration: P3M (quarterly), P6M (half-yearly), P1Y.</summary>
    [Parameter(Mandatory = true, ParameterSetName = ChangeSet)]
    [ValidateNotNullOrEmpty]
    public string Recurrence { get; set; } = string.Empty;

    /// <summary>Ends the series: the unattended cycle starts no campaign after this one.</summary>
    [Parameter(Mandatory = true, ParameterSetName = EndSet)]
    public SwitchParameter NoRecurrence { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        ForEachItem(() =>
        {
            string? recurrence = NoRecurrence ? null : Recurrence;
            if (!ShouldProcess(CampaignId, recurrence is null ? "End the recurring series" : $"Set the recurrence to {recurrence}"))
            {
                return;
            }

            WriteObject(Run((w, ct) => w.AccessReviews.SetRecurrenceAsync(CampaignId, recurrence, Operation, ct)));
        });
    }
}
