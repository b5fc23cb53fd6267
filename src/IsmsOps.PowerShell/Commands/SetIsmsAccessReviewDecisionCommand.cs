using System.Management.Automation;
using IsmsOps.Engine.AccessReviews;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Records a reviewer's decision (Approve, Deny or DontKnow) on access review items, one or a piped set at once.</summary>
/// <remarks>
/// Takes CampaignId, ItemId and Version from the pipeline (Get-IsmsAccessReviewItem's output), so a reviewer can decide
/// a filtered set in one line. -Reviewer names who decides (user principal name or object id); the rules are:
/// only the item's own reviewers decide it (IsmsOps.AccessReview.NotYourItem); approving privileged access needs
/// -Justification (IsmsOps.AccessReview.JustificationRequired); after the due date a decision is refused
/// (IsmsOps.AccessReview.PastDue) unless -Force is given, and is then audited as Late; the first decision wins:
/// another reviewer's decision on an item already decided, or any decision made on a copy older than the stored
/// Version, is refused with IsmsOps.AccessReview.Conflict naming who decided what. A reviewer may revise their own
/// decision on the current version until the due date. Every attempt is audited, accepted (AccessReview.ItemDecided)
/// or refused (AccessReview.DecisionRefused); the trail holds ids and a SHA-256 of the justification, not its words.
/// A refused item is reported as an error and the pipeline goes on with the next. Piped decisions are stored 500 to a
/// transaction, in pipeline order, so the results appear once each batch is stored.
/// Deny decisions are applied when the campaign is completed, not here.
/// Graph permissions: none (this cmdlet changes only the IsmsOps store).
/// </remarks>
/// <example>
/// <code>Get-IsmsAccessReviewItem AR-20261124-3f9a1c -Reviewer grace@contoso.com -Pending | Where-Object Recommendation -eq 'Deny' | Set-IsmsAccessReviewDecision -Decision Deny -Reviewer grace@contoso.com</code>
/// <para>Grace denies every undecided item of hers the evidence recommends removing.</para>
/// </example>
/// <example>
/// <code>Set-IsmsAccessReviewDecision -CampaignId AR-20261124-3f9a1c -ItemId 17 -Decision Approve -Reviewer grace@contoso.com -Justification 'Payroll on-call administrator until March'</code>
/// <para>Approves one privileged item, with the justification privileged access needs.</para>
/// </example>
[Cmdlet(VerbsCommon.Set, "IsmsAccessReviewDecision", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(AccessReviewItem))]
public sealed class SetIsmsAccessReviewDecisionCommand : IsmsCmdlet
{
    private const int BatchSize = 500;

    private readonly List<AccessReviewDecisionRequest> _pending = [];

    /// <summary>The campaign's id.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string CampaignId { get; set; } = string.Empty;

    /// <summary>The item's id within the campaign.</summary>
    [Parameter(Mandatory = true, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1L, 4294967295L)]
    public long ItemId { get; set; }

    /// <summary>The item version the decision is made on; piped items carry it, so a decision on a stale copy is refused.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true)]
    [Alias("ExpectedVersion")]
    public long? Version { get; set; }

    /// <summary>Approve (keep the access), Deny (remove it at completion) or DontKnow (the campaign's default applies).</summary>
    [Parameter(Mandatory = true)]
    [ValidateSet("Approve", "Deny", "DontKnow")]
    public string Decision { get; set; } = string.Empty;

    /// <summary>Who decides: the reviewer's user principal name or object id; must be one of the item's reviewers.</summary>
    [Parameter(Mandatory = true)]
    [ValidateNotNullOrEmpty]
    public string Reviewer { get; set; } = string.Empty;

    /// <summary>Why; required to approve privileged access.</summary>
    [Parameter]
    public string? Justification { get; set; }

    /// <summary>Records the decision even after the campaign's due date (audited as Late).</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        ForEachItem(() =>
        {
            if (!ShouldProcess($"item {ItemId} of campaign {CampaignId}", $"Record {Decision} by {Reviewer}"))
            {
                return;
            }

            _pending.Add(new AccessReviewDecisionRequest
            {
                CampaignId = CampaignId,
                ItemId = ItemId,
                Decision = Enum.Parse<AccessReviewDecision>(Decision, ignoreCase: true),
                Reviewer = Reviewer,
                Justification = Justification,
                ExpectedVersion = Version,
                Force = Force,
            });
            if (_pending.Count >= BatchSize)
            {
                Flush();
            }
        });
    }

    /// <inheritdoc />
    protected override void EndProcessing() => ForEachItem(Flush);

    // Piped decisions are stored a batch at a time, one transaction each: a reviewer deciding thousands of items waits
    // for tens of commits, not thousands. Each item is still judged on its own, in pipeline order.
    private void Flush()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        AccessReviewDecisionRequest[] batch = [.. _pending];
        _pending.Clear();
        foreach (AccessReviewDecisionOutcome outcome in Run((w, ct) => w.AccessReviews.DecideAllAsync(batch, Operation, ct)))
        {
            if (outcome.Item is not null)
            {
                WriteObject(outcome.Item);
            }
            else
            {
                WriteIsmsError(outcome.Error!);
            }
        }
    }
}
