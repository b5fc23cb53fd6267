using System.Globalization;
using System.Text;
using IsmsOps.Engine.Access;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Storage;

namespace IsmsOps.Engine.AccessReviews;

/// <summary>What completing a campaign did to one denied item.</summary>
public sealed record AccessReviewApplyResult
{
    public required string CampaignId { get; init; }

    public required long ItemId { get; init; }

    public required AccessRemovalOutcome Outcome { get; init; }

    /// <summary>Why it failed, or who can remove what Graph cannot.</summary>
    public string? Reason { get; init; }

    /// <summary>Graph's request-id of the removal, when a call was made.</summary>
    public string? GraphRequestId { get; init; }

    public required DateTimeOffset AppliedAt { get; init; }

    /// <summary>True for every outcome but Failed: the item is not sent to Graph again.</summary>
    public bool IsSettled => Outcome != AccessRemovalOutcome.Failed;
}

/// <summary>What <see cref="AccessReviewCompletion.CompleteAsync"/> did, or what a completed campaign holds.</summary>
public sealed record AccessReviewCompletionResult
{
    public required AccessReviewCampaign Campaign { get; init; }

    public string CampaignId => Campaign.CampaignId;

    public AccessReviewCampaignStatus Status => Campaign.Status;

    /// <summary>True when the campaign was already completed and nothing was done.</summary>
    public bool AlreadyCompleted { get; init; }

    /// <summary>Items whose effective decision keeps the access (Approve, or a None default).</summary>
    public required long Kept { get; init; }

    /// <summary>Items whose effective decision is Deny.</summary>
    public required long Denied { get; init; }

    /// <summary>Every denied item's stored result, in item order.</summary>
    public required IReadOnlyList<AccessReviewApplyResult> Results { get; init; }

    /// <summary>HTTP requests sent to Graph by this call.</summary>
    public long GraphRequests { get; init; }

    public int AppliedSuccessfully => Results.Count(r => r.Outcome == AccessRemovalOutcome.AppliedSuccessfully);

    public int AlreadyRemoved => Results.Count(r => r.Outcome == AccessRemovalOutcome.AlreadyRemoved);

    public int Failed => Results.Count(r => r.Outcome == AccessRemovalOutcome.Failed);

    public int NotRemovableByGraph => Results.Count(r => r.Outcome == AccessRemovalOutcome.NotRemovableByGraph);
}

/// <summary>
/// Completes an access review campaign: works out each item's effective decision (the reviewer's, else the campaign
/// default), removes the denied access through <see cref="AccessRemovalService"/>, stores each item's result as its
/// $batch settles (so a crash loses at most the batch in flight, and a re-run sends only what is not settled), and
/// marks the campaign Completed once every denied item is settled. docs/access-reviews.md.
/// </summary>
public sealed class AccessReviewCompletion
{
    /// <summary>The audit action of a completion: counts per outcome and a digest of ids and outcomes.</summary>
    public const string CompletedAction = "AccessReview.Completed";

    /// <summary>The audit action of a completion run that left denied items Failed (the campaign stays Active).</summary>
    public const string IncompleteAction = "AccessReview.CompletionIncomplete";

    private readonly IIsmsStore _store;
    private readonly AuditTrail _audit;
    private readonly Func<DateTime> _clock;

    public AccessReviewCompletion(IIsmsStore store, AuditTrail audit, Func<DateTime>? clock = null)
    {
        _store = store;
        _audit = audit;
        _clock = clock ?? (() => DateTime.UtcNow);
    }

    private DateTimeOffset Now() => new(DateTime.SpecifyKind(_clock(), DateTimeKind.Utc));

    /// <summary>
    /// The decision that applies to <paramref name="item"/> at completion: the reviewer's Approve or Deny; for an item
    /// NotReviewed or DontKnow, the campaign default (Recommendation follows the item's recommendation). Null keeps the
    /// access without approving it (a None default, or a recommendation of None).
    /// </summary>
    public static AccessReviewDecision? EffectiveDecision(AccessReviewItem item, AccessReviewDefaultDecision defaultDecision)
    {
        ArgumentNullException.ThrowIfNull(item);
        if (item.Decision is AccessReviewDecision.Approve or AccessReviewDecision.Deny)
        {
            return item.Decision;
        }

        return defaultDecision switch
        {
            AccessReviewDefaultDecision.Approve => AccessReviewDecision.Approve,
            AccessReviewDefaultDecision.Deny => AccessReviewDecision.Deny,
            AccessReviewDefaultDecision.Recommendation => item.Recommendation switch
            {
                AccessReviewRecommendation.Approve => AccessReviewDecision.Approve,
                AccessReviewRecommendation.Deny => AccessReviewDecision.Deny,
                _ => null,
            },
            _ => null,
        };
    }

    /// <summary>The items whose effective decision is Deny, in item order: what completing would remove (for -WhatIf).</summary>
    public async Task<(AccessReviewCampaign Campaign, IReadOnlyList<AccessReviewItem> Denied)> PlanAsync(string campaignId, CancellationToken cancellationToken)
    {
        AccessReviewCampaign campaign = await _store.GetAccessReviewCampaignAsync(campaignId, cancellationToken).ConfigureAwait(false)
            ?? throw AccessReviewRegister.NotFound(campaignId);
        return (campaign, Denied(campaign, cancellationToken));
    }

    // Streams the items and keeps only the denied ones: a campaign's items are frozen at creation, so campaign.ItemCount
    // already counts them and the whole set need not be held in memory.
    private List<AccessReviewItem> Denied(AccessReviewCampaign campaign, CancellationToken cancellationToken) =>
        _store.ReadAccessReviewItems(new AccessReviewItemQuery { CampaignId = campaign.CampaignId }, cancellationToken)
            .Where(i => EffectiveDecision(i, campaign.DefaultDecision) == AccessReviewDecision.Deny).ToList();

    /// <summary>
    /// Completes the campaign. Refused before the due date without <paramref name="force"/>, and without a Graph
    /// connection when anything is left to remove; a completed campaign comes back with its stored results and nothing
    /// is done. Items already settled by an earlier run are not sent again.
    /// </summary>
    public async Task<AccessReviewCompletionResult> CompleteAsync(string campaignId, GraphConnection? connection, bool force, OperationContext context,
        CancellationToken cancellationToken, GraphReaderOptions? options = null)
    {
        AccessReviewCampaign campaign = await _store.GetAccessReviewCampaignAsync(campaignId, cancellationToken).ConfigureAwait(false)
            ?? throw AccessReviewRegister.NotFound(campaignId);
        List<AccessReviewItem> denied = Denied(campaign, cancellationToken);
        IReadOnlyList<AccessReviewApplyResult> stored = await _store.GetAccessReviewResultsAsync(campaign.CampaignId, cancellationToken).ConfigureAwait(false);
        if (campaign.Status == AccessReviewCampaignStatus.Completed)
        {
            return new AccessReviewCompletionResult
            {
                Campaign = campaign, AlreadyCompleted = true, Kept = campaign.ItemCount - denied.Count, Denied = denied.Count, Results = stored,
            };
        }

        DateTimeOffset now = Now();
        if (now < campaign.DueDate && !force)
        {
            throw new IsmsException("IsmsOps.AccessReview.NotDue", IsmsErrorKind.Conflict,
                $"Campaign {campaign.CampaignId} is due {campaign.DueDate.UtcDateTime:yyyy-MM-dd HH:mm} UTC; completing it now would apply the default decision to items reviewers may still decide. Nothing was changed.",
                "Wait for the due date, or add -Force to complete it now.", campaign.CampaignId);
        }

        var settledIds = new HashSet<long>(stored.Where(r => r.IsSettled).Select(r => r.ItemId));
        List<AccessReviewItem> toApply = denied.Where(i => !settledIds.Contains(i.ItemId)).ToList();
        if (toApply.Count > 0 && connection is null)
        {
            throw new IsmsException("IsmsOps.AccessReview.NotConnected", IsmsErrorKind.Conflict,
                $"Campaign {campaign.CampaignId} has {toApply.Count} denied item(s) to remove, and removing them needs a Graph connection. Nothing was changed.",
                "Run Connect-IsmsGraph with a connection that may remove group members, directory roles and app role assignments, then run again.",
                campaign.CampaignId);
        }

        long graphRequests = 0;
        if (toApply.Count > 0)
        {
            // A guest's item is the account itself: the removal service disables it (DisableAccount), never deletes it.
            var service = new AccessRemovalService(connection!, options);
            AccessRemovalSummary summary = await service.RemoveAsync(
                toApply.Select(ToRequest),
                (results, token) => SaveAsync(results.Select(r => FromRemoval(campaign.CampaignId, r)).ToList(), token),
                cancellationToken).ConfigureAwait(false);
            graphRequests = summary.GraphRequests;
            stored = await _store.GetAccessReviewResultsAsync(campaign.CampaignId, cancellationToken).ConfigureAwait(false);
        }

        var deniedIds = new HashSet<long>(denied.Select(i => i.ItemId));
        List<AccessReviewApplyResult> results = stored.Where(r => deniedIds.Contains(r.ItemId)).ToList();
        bool complete = results.Count == denied.Count && results.All(r => r.IsSettled);

        await using IStoreWriteTransaction transaction = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        AccessReviewCampaign current = await transaction.GetAccessReviewCampaignAsync(campaign.CampaignId, cancellationToken).ConfigureAwait(false) ?? campaign;
        if (complete)
        {
            current = current with { Status = AccessReviewCampaignStatus.Completed, Version = current.Version + 1 };
            if (!await transaction.UpdateAccessReviewCampaignAsync(current, current.Version - 1, cancellationToken).ConfigureAwait(false))
            {
                throw new IsmsException("IsmsOps.AccessReview.Conflict", IsmsErrorKind.Conflict,
                    $"Campaign {campaign.CampaignId} changed while it was being completed; the removals' results are stored.",
                    "Run Complete-IsmsAccessReview again: settled items are not sent again.", campaign.CampaignId);
            }
        }

        AuditDetails details = new AuditDetails().Add("CampaignId", campaign.CampaignId).Add("Items", campaign.ItemCount).Add("Kept", campaign.ItemCount - denied.Count)
            .Add("Denied", denied.Count).Add("Forced", force && now < campaign.DueDate).Add("DefaultDecision", campaign.DefaultDecision)
            .Add("AppliedSuccessfully", Count(results, AccessRemovalOutcome.AppliedSuccessfully))
            .Add("AlreadyRemoved", Count(results, AccessRemovalOutcome.AlreadyRemoved))
            .Add("Failed", denied.Count - results.Count(r => r.IsSettled))
            .Add("NotRemovableByGraph", Count(results, AccessRemovalOutcome.NotRemovableByGraph))
            .Add("GraphRequests", graphRequests).Add("ResultsSha256", Digest(results));
        await _audit.AppendAsync(transaction, [new AuditEventDraft(complete ? CompletedAction : IncompleteAction, AccessReviewRegister.Target(campaign.CampaignId), details.ToJson())],
            context, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

        return new AccessReviewCompletionResult
        {
            Campaign = current, Kept = campaign.ItemCount - denied.Count, Denied = denied.Count, Results = results, GraphRequests = graphRequests,
        };
    }

    /// <summary>SHA-256 over "itemId|outcome" lines in item order: ids and codes only, no names.</summary>
    public static string Digest(IEnumerable<AccessReviewApplyResult> results)
    {
        var text = new StringBuilder();
        foreach (AccessReviewApplyResult r in results.OrderBy(r => r.ItemId))
        {
            text.Append(r.ItemId.ToString(CultureInfo.InvariantCulture)).Append('|').Append(r.Outcome).Append('\n');
        }

        return OffboardingEvidenceFile.Sha256(Encoding.UTF8.GetBytes(text.ToString()));
    }

    private static int Count(IEnumerable<AccessReviewApplyResult> results, AccessRemovalOutcome outcome) => results.Count(r => r.Outcome == outcome);

    // Each batch is stored in its own transaction as it settles: a crash later loses nothing already removed.
    private async Task SaveAsync(IReadOnlyList<AccessReviewApplyResult> results, CancellationToken cancellationToken)
    {
        if (results.Count == 0)
        {
            return;
        }

        await using IStoreWriteTransaction transaction = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        await transaction.SaveAccessReviewResultsAsync(results, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private AccessReviewApplyResult FromRemoval(string campaignId, AccessRemovalResult result) => new()
    {
        CampaignId = campaignId,
        ItemId = long.Parse(result.Request.Key, CultureInfo.InvariantCulture),
        Outcome = result.Outcome,
        Reason = result.Reason,
        GraphRequestId = result.GraphRequestId,
        AppliedAt = result.CompletedAt ?? Now(),
    };

    /// <summary>The removal request for a denied item, keyed by its item id.</summary>
    public static AccessRemovalRequest ToRequest(AccessReviewItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return new AccessRemovalRequest
        {
            Key = item.ItemId.ToString(CultureInfo.InvariantCulture),
            UserId = item.PrincipalId,
            Kind = item.AccessKind switch
            {
                AccessReviewAccessKind.GroupMembership => AccessKind.GroupMembership,
                AccessReviewAccessKind.DirectoryRole => AccessKind.DirectoryRole,
                AccessReviewAccessKind.AppRole => AccessKind.AppRole,
                AccessReviewAccessKind.GuestAccount => AccessKind.Account,
                _ => throw new ArgumentOutOfRangeException(nameof(item), item.AccessKind, "Unknown access kind."),
            },
            ResourceId = item.ResourceId,
            ResourceDisplayName = item.ResourceDisplayName,
            Assignment = item.Assignment,
            AssignmentId = item.AssignmentId,
            InheritedFromGroupId = item.InheritedFromGroupId,
            InheritedFromGroupName = item.InheritedFromGroupName,
            Removal = item.Removal,
            Detail = item.AccessKind == AccessReviewAccessKind.DirectoryRole ? item.RemovalDetail : null,
        };
    }
}
