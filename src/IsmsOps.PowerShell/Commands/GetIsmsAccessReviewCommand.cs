using System.Management.Automation;
using IsmsOps.Engine.AccessReviews;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Gets access review campaigns with their progress: items decided and pending, each reviewer's progress, and the overdue reviewers.</summary>
/// <remarks>
/// Returns one AccessReviewOverview per campaign, newest first: the campaign (scope, dates, default decision,
/// evidence gaps), how many items are decided and pending, whether it is overdue (due date passed with items
/// pending), each reviewer's assigned, decided and pending counts (Reviewers), the reviewers past the due date with
/// items of theirs pending (OverdueReviewers), and reviewers with no mail address (ReviewersWithoutMail).
/// -CampaignId takes campaign ids or names, with wildcards. An id that matches nothing is reported as
/// IsmsOps.AccessReview.NotFound.
/// Graph permissions: none (this cmdlet reads only the IsmsOps store).
/// </remarks>
/// <example>
/// <code>Get-IsmsAccessReview</code>
/// <para>Lists every campaign with its progress.</para>
/// </example>
/// <example>
/// <code>(Get-IsmsAccessReview 'Privileged*').OverdueReviewers</code>
/// <para>Shows who has not finished their part of the privileged access reviews after the due date.</para>
/// </example>
/// <example>
/// <code>(Get-IsmsAccessReview AR-20261124-3f9a1c).Reviewers</code>
/// <para>Shows each reviewer's progress in one campaign.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "IsmsAccessReview")]
[OutputType(typeof(AccessReviewOverview))]
public sealed class GetIsmsAccessReviewCommand : IsmsCmdlet
{
    /// <summary>Campaign ids or names, with wildcards; all campaigns when left out.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("Name")]
    [ValidateNotNullOrEmpty]
    public string[] CampaignId { get; set; } = [];

    /// <summary>Only campaigns in these states (Active, Completed).</summary>
    [Parameter]
    public AccessReviewCampaignStatus[] Status { get; set; } = [];

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        ForEachItem(() =>
        {
            IReadOnlyList<AccessReviewCampaign> campaigns = Run((w, ct) => w.AccessReviews.FindAsync(
                new AccessReviewCampaignQuery { IdOrNamePatterns = CampaignId, Statuses = Status }, ct));
            foreach (string id in CampaignId.Where(c => !Engine.NamePatternSet.ContainsWildcard(c)
                && !campaigns.Any(k => string.Equals(k.CampaignId, c, StringComparison.OrdinalIgnoreCase) || string.Equals(k.Name, c, StringComparison.OrdinalIgnoreCase))))
            {
                WriteIsmsError(AccessReviewRegister.NotFound(id));
            }

            foreach (AccessReviewCampaign campaign in campaigns)
            {
                WriteObject(Run((w, ct) => w.AccessReviews.OverviewAsync(campaign, ct)));
            }
        });
    }
}
