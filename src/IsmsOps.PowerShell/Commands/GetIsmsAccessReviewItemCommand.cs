using System.Management.Automation;
using IsmsOps.Engine.AccessReviews;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Gets the items of an access review campaign: who holds what, the recommendation and its reasons, the reviewers and the decision.</summary>
/// <remarks>
/// Streams the campaign's items in item order, so a campaign of millions of items can be filtered with Where-Object
/// without loading it. -Reviewer (a reviewer's user principal name or object id) keeps that reviewer's items; a user
/// who is not a reviewer of the campaign is refused with IsmsOps.AccessReview.NotAReviewer. -Pending keeps the items
/// nobody has decided. The items pipe into Set-IsmsAccessReviewDecision, which takes CampaignId, ItemId and Version from
/// them, so a reviewer can decide a filtered set at once and a decision made on a stale copy is refused.
/// Graph permissions: none (this cmdlet reads only the IsmsOps store).
/// </remarks>
/// <example>
/// <code>Get-IsmsAccessReviewItem AR-20261124-3f9a1c -Reviewer grace@contoso.com -Pending</code>
/// <para>Lists what Grace still has to decide.</para>
/// </example>
/// <example>
/// <code>Get-IsmsAccessReviewItem AR-20261124-3f9a1c -Pending | Where-Object Recommendation -eq 'Deny'</code>
/// <para>Lists the undecided items the evidence recommends removing, with the reasons in RecommendationNote.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "IsmsAccessReviewItem")]
[OutputType(typeof(AccessReviewItem))]
public sealed class GetIsmsAccessReviewItemCommand : IsmsCmdlet
{
    /// <summary>The campaign's id.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string CampaignId { get; set; } = string.Empty;

    /// <summary>Only the items of this reviewer (user principal name or object id).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Reviewer { get; set; }

    /// <summary>Only items nobody has decided.</summary>
    [Parameter]
    public SwitchParameter Pending { get; set; }

    /// <summary>Only these items, by ItemId.</summary>
    [Parameter]
    [ValidateRange(1L, 4294967295L)]
    public long[] ItemId { get; set; } = [];

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        ForEachItem(() =>
        {
            AccessReviewCampaign campaign = Run((w, ct) => w.AccessReviews.GetAsync(CampaignId, ct));
            string? reviewerId = Reviewer is null ? null : Run((w, ct) => w.AccessReviews.ResolveReviewerAsync(campaign.CampaignId, Reviewer, ct)).ReviewerId;
            var query = new AccessReviewItemQuery { CampaignId = campaign.CampaignId, ReviewerId = reviewerId, PendingOnly = Pending, ItemIds = ItemId };
            // Streamed on the pipeline thread: the reader holds one SQLite snapshot while each item goes downstream.
            foreach (AccessReviewItem item in Workspace.AccessReviews.ReadItems(query, Cancellation))
            {
                WriteObject(item);
            }
        });
    }
}
