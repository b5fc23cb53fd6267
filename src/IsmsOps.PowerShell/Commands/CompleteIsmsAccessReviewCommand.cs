using System.Globalization;
using System.Management.Automation;
using System.Text;
using IsmsOps.Engine;
using IsmsOps.Engine.Access;
using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Audit;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Completes an access review campaign: removes the denied access from the tenant and records each item's result.</summary>
/// <remarks>
/// Each item's effective decision is the reviewer's Approve or Deny; an item NotReviewed or DontKnow takes the campaign's
/// default (None keeps the access, Recommendation follows the item's recommendation). Denied access is removed through
/// Graph $batch with the offboarding removal machinery's retries and idempotence (a denied guest's account is
/// disabled, never deleted), and each item's result
/// (AppliedSuccessfully, AlreadyRemoved, Failed with a reason, NotRemovableByGraph with who can remove it) is stored as
/// its batch settles. Running it again sends only the items not yet settled; access removed meanwhile is
/// AlreadyRemoved. The campaign becomes Completed when every denied item is settled; completing a Completed campaign
/// changes nothing and returns the stored results. Completing before the due date needs -Force
/// (IsmsOps.AccessReview.NotDue); removals need Connect-IsmsGraph first (IsmsOps.AccessReview.NotConnected). Failed
/// items are reported as IsmsOps.AccessReview.RemovalsFailed. -WhatIf lists what would be removed.
/// The audit trail gets one AccessReview.Completed event with counts per result and a SHA-256 of item ids and results.
/// Graph permissions: those listed for Complete-IsmsAccessReview in docs/graph-permissions.md.
/// </remarks>
/// <example>
/// <code>Complete-IsmsAccessReview -CampaignId AR-20261124-3f9a1c -WhatIf</code>
/// <para>Lists the access completing the campaign would remove, and changes nothing.</para>
/// </example>
/// <example>
/// <code>Complete-IsmsAccessReview -CampaignId AR-20261124-3f9a1c -Force -Confirm:$false</code>
/// <para>Completes the campaign before its due date, without asking.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Complete, "IsmsAccessReview", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(AccessReviewCompletionResult))]
public sealed class CompleteIsmsAccessReviewCommand : IsmsCmdlet
{
    private const int ListedItems = 50;

    /// <summary>The campaign to complete.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string CampaignId { get; set; } = string.Empty;

    /// <summary>Completes the campaign before its due date (undecided items then take the default decision).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        ForEachItem(() =>
        {
            (AccessReviewCampaign campaign, IReadOnlyList<AccessReviewItem> denied) = Run((w, ct) => w.AccessReviewCompletion.PlanAsync(CampaignId, ct));
            string action = campaign.Status == AccessReviewCampaignStatus.Completed
                ? "Return the stored results (the campaign is already completed)"
                : $"Remove {denied.Count} denied item(s)";
            if (!ShouldProcess(Describe(campaign, denied), $"{action}. Continue?", $"Complete access review {campaign.CampaignId}"))
            {
                return;
            }

            Engine.Graph.GraphConnection? connection = ModuleSession.GraphConnection;
            OperationContext operation = Operation;
            AccessReviewCompletionResult result = Run((w, ct) =>
                w.AccessReviewCompletion.CompleteAsync(campaign.CampaignId, connection, Force, operation, ct));
            foreach (AccessReviewApplyResult manual in result.Results.Where(r => r.Outcome == AccessRemovalOutcome.NotRemovableByGraph))
            {
                WriteWarning($"Item {manual.ItemId} of {result.CampaignId} cannot be removed through Graph: {manual.Reason}");
            }

            WriteObject(result);
            if (result.Failed > 0)
            {
                AccessReviewApplyResult first = result.Results.First(r => r.Outcome == AccessRemovalOutcome.Failed);
                WriteIsmsError(new IsmsException("IsmsOps.AccessReview.RemovalsFailed", IsmsErrorKind.WriteError,
                    $"{result.Failed} denied item(s) of {result.CampaignId} could not be removed (item {first.ItemId}: {first.Reason}); the campaign stays Active.",
                    $"Fix the cause (a missing permission, throttling) and run Complete-IsmsAccessReview {result.CampaignId} again: settled items are not sent again.",
                    result.CampaignId));
            }
        });
    }

    // The -WhatIf text: which access goes, by item; a long list is cut short with a count.
    private static string Describe(AccessReviewCampaign campaign, IReadOnlyList<AccessReviewItem> denied)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Completing access review {campaign.CampaignId} removes {denied.Count} denied item(s)");
        foreach (AccessReviewItem item in denied.Take(ListedItems))
        {
            text.AppendLine().Append(CultureInfo.InvariantCulture,
                $"  item {item.ItemId}: {item.AccessKind} '{item.ResourceDisplayName}' from {item.PrincipalName} ({item.Decision}{(item.Decision == AccessReviewDecision.Deny ? "" : ", default " + campaign.DefaultDecision)})");
        }

        if (denied.Count > ListedItems)
        {
            text.AppendLine().Append(CultureInfo.InvariantCulture, $"  and {denied.Count - ListedItems} more");
        }

        return text.ToString();
    }
}
