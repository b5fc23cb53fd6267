using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Policies;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Snapshots;
using IsmsOps.Engine.Storage;

namespace IsmsOps.Engine.AccessReviews;

/// <summary>The audit actions of access reviews, all with the target <see cref="AccessReviewRegister.Target"/>.</summary>
public static class AccessReviewAuditActions
{
    /// <summary>A campaign was created: its settings, item and reviewer counts, and the SHA-256 of its frozen items (never one event per item).</summary>
    public const string CampaignCreated = "AccessReview.CampaignCreated";

    /// <summary>A reviewer's decision on one item was stored.</summary>
    public const string ItemDecided = "AccessReview.ItemDecided";

    /// <summary>A decision was refused (not the reviewer's item, past due, already decided by another, stale version, no justification).</summary>
    public const string DecisionRefused = "AccessReview.DecisionRefused";

    /// <summary>A campaign's recurrence was changed or ended (from and to).</summary>
    public const string RecurrenceChanged = "AccessReview.RecurrenceChanged";
}

/// <summary>What became of one decision request: the decided item, or the error that refused it.</summary>
public sealed record AccessReviewDecisionOutcome(AccessReviewDecisionRequest Request, AccessReviewItem? Item, IsmsException? Error);

/// <summary>One decision a reviewer asks to record.</summary>
public sealed record AccessReviewDecisionRequest
{
    public required string CampaignId { get; init; }

    public required long ItemId { get; init; }

    public required AccessReviewDecision Decision { get; init; }

    /// <summary>The deciding reviewer's object id or user principal name; must be one of the item's reviewers.</summary>
    public required string Reviewer { get; init; }

    /// <summary>Why; required to approve privileged access.</summary>
    public string? Justification { get; init; }

    /// <summary>The item version the reviewer saw; a decision on an older version is refused (optimistic concurrency).</summary>
    public long? ExpectedVersion { get; init; }

    /// <summary>Accept the decision after the due date.</summary>
    public bool Force { get; init; }
}

/// <summary>
/// Access review campaigns: creates them from a directory snapshot (items frozen and stored in bulk, one audit event
/// for the lot), reads them and their items, and records reviewers' decisions under explicit rules: only the item's
/// reviewers decide; privileged access needs a justification to approve; nothing after the due date without Force;
/// the first decision wins (another reviewer's later attempt, or one made on a stale version, is refused); every
/// refused attempt is audited as well as every accepted one. docs/access-reviews.md.
/// </summary>
public sealed class AccessReviewRegister
{
    private static readonly TimeSpan DefaultDuration = TimeSpan.FromDays(14);

    private readonly IIsmsStore _store;
    private readonly AuditTrail _audit;
    private readonly Func<DateTime> _clock;

    public AccessReviewRegister(IIsmsStore store, AuditTrail audit, Func<DateTime>? clock = null)
    {
        _store = store;
        _audit = audit;
        _clock = clock ?? (() => DateTime.UtcNow);
    }

    /// <summary>The audit target of a campaign: <c>accessreview:AR-…</c>.</summary>
    public static string Target(string campaignId) => "accessreview:" + campaignId;

    private DateTimeOffset Now() => new(DateTime.SpecifyKind(_clock(), DateTimeKind.Utc));

    /// <summary>
    /// Reads the whole directory a campaign is built from: the snapshot behind <paramref name="source"/>, or for a live
    /// source a full collection of the tenant first. A snapshot scoped to one user is refused: a review of it would miss
    /// everyone else.
    /// </summary>
    public static async Task<(DirectoryIndex Index, string? SnapshotSha256)> ReadTenantAsync(IDirectorySource source, IProgress<SnapshotProgress>? progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        switch (source)
        {
            case SnapshotDirectorySource snapshot when snapshot.Loaded.Header.ScopedToUserId is string user:
                throw new IsmsException("IsmsOps.AccessReview.ScopedSnapshot", IsmsErrorKind.InvalidArgument,
                    $"{source.Description} holds one user ({user}), not the tenant; a campaign over it would miss everyone else. Nothing was created.",
                    "Export a whole-tenant snapshot (Export-IsmsDirectorySnapshot without -UserId), or connect to Graph and run the command without a snapshot.", user);
            case SnapshotDirectorySource snapshot:
                return (snapshot.Index, snapshot.SnapshotSha256);
            case LiveDirectorySource live:
                return (DirectoryIndex.Build(await live.CollectTenantAsync(progress, cancellationToken).ConfigureAwait(false)), null);
            default:
                throw new ArgumentException($"Unknown directory source {source.GetType().Name}.", nameof(source));
        }
    }

    /// <summary>
    /// Checks a definition before anything is read: the name, the dates (the due date after the start), the recurrence
    /// (an ISO 8601 duration), the inactivity window, and that auto-apply with a Deny or Recommendation default has Force.
    /// Returns the definition with its dates filled in.
    /// </summary>
    public static AccessReviewDefinition Validate(AccessReviewDefinition definition, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(definition);
        if (string.IsNullOrWhiteSpace(definition.Name) || definition.Name.Length > 200)
        {
            throw new IsmsException("IsmsOps.AccessReview.InvalidName", IsmsErrorKind.InvalidArgument,
                "A campaign needs a name of 1 to 200 characters (-Name).", "Give -Name, e.g. 'Privileged access 2026-Q4'.", definition.Name);
        }

        if (!string.IsNullOrWhiteSpace(definition.Scope.GroupFilter))
        {
            // A syntax error is reported before the directory is read.
            GroupFilter.Parse(definition.Scope.GroupFilter);
        }

        if (definition.AutoApply && definition.DefaultDecision is AccessReviewDefaultDecision.Deny or AccessReviewDefaultDecision.Recommendation && !definition.Force)
        {
            throw new IsmsException("IsmsOps.AccessReview.AutoApplyNeedsForce", IsmsErrorKind.InvalidArgument,
                $"-AutoApply with -DefaultDecision {definition.DefaultDecision} removes the access of every item nobody decides by the due date: "
                + "if reviewers do not respond, it can revoke everyone's access, including the administrators'. Nothing was created.",
                "Add -Force if that is what you want; otherwise use -DefaultDecision None (undecided items stay as they are) or leave out -AutoApply.",
                definition.Name);
        }

        if (definition.InactiveDays is < 1 or > 3650)
        {
            throw new IsmsException("IsmsOps.AccessReview.InvalidInactiveDays", IsmsErrorKind.InvalidArgument,
                $"-InactiveDays {definition.InactiveDays} is outside 1 to 3650.", "Give the number of days without sign-in after which removal is recommended (90 by default).",
                definition.InactiveDays);
        }

        RequireRecurrence(definition.Recurrence, now, "Give a duration such as P3M (quarterly), P6M (half-yearly) or P1Y.");

        DateTimeOffset start = definition.StartDate ?? now;
        DateTimeOffset due = definition.DueDate ?? start + DefaultDuration;
        if (due <= start)
        {
            throw new IsmsException("IsmsOps.AccessReview.InvalidDates", IsmsErrorKind.InvalidArgument,
                $"The due date {due.UtcDateTime:yyyy-MM-dd HH:mm} UTC is not after the start date {start.UtcDateTime:yyyy-MM-dd HH:mm} UTC.",
                "Give a -DueDate after -StartDate (14 days after the start when left out).", due);
        }

        if (due <= now)
        {
            throw new IsmsException("IsmsOps.AccessReview.InvalidDates", IsmsErrorKind.InvalidArgument,
                $"The due date {due.UtcDateTime:yyyy-MM-dd HH:mm} UTC has already passed; nobody could decide in time.",
                "Give a -DueDate in the future.", due);
        }

        return definition with { StartDate = start, DueDate = due };
    }

    /// <summary>
    /// Creates a campaign: validates the definition, builds its items from <paramref name="index"/> (see
    /// <see cref="AccessReviewCampaignBuilder"/>), and stores the campaign, reviewers and items in one transaction with
    /// one audit event that carries the counts and the SHA-256 of the items. Nothing is stored when anything fails.
    /// </summary>
    public Task<AccessReviewCampaign> CreateAsync(AccessReviewDefinition definition, DirectoryIndex index, string? snapshotSha256, RoleCatalog catalog,
        OperationContext context, CancellationToken cancellationToken) =>
        CreateAsync(definition, index, snapshotSha256, catalog, GroupTagPolicy.Default, context, cancellationToken);

    /// <summary>As the other overload, with the group tags (policies/group-tags.yaml) that -GroupTag selects by.</summary>
    public async Task<AccessReviewCampaign> CreateAsync(AccessReviewDefinition definition, DirectoryIndex index, string? snapshotSha256, RoleCatalog catalog,
        GroupTagPolicy groupTags, OperationContext context, CancellationToken cancellationToken) =>
        (await CreateAsync(definition, index, snapshotSha256, catalog, groupTags, null, context, cancellationToken).ConfigureAwait(false))!;

    /// <summary>
    /// Creates the next period of the recurring campaign <paramref name="predecessor"/>, as <see cref="CreateAsync(AccessReviewDefinition, DirectoryIndex, string?, RoleCatalog, GroupTagPolicy, OperationContext, CancellationToken)"/>
    /// does, linked to it (<see cref="AccessReviewCampaign.PredecessorId"/>, <see cref="AccessReviewCampaign.SeriesId"/>).
    /// Returns null, storing nothing, when the predecessor already has a successor: the check runs inside the write
    /// transaction, which the store serialises, and the store's unique index backs it.
    /// </summary>
    public Task<AccessReviewCampaign?> CreateSuccessorAsync(AccessReviewCampaign predecessor, AccessReviewDefinition definition, DirectoryIndex index,
        string? snapshotSha256, RoleCatalog catalog, GroupTagPolicy groupTags, OperationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(predecessor);
        return CreateAsync(definition, index, snapshotSha256, catalog, groupTags, predecessor, context, cancellationToken);
    }

    private async Task<AccessReviewCampaign?> CreateAsync(AccessReviewDefinition definition, DirectoryIndex index, string? snapshotSha256, RoleCatalog catalog,
        GroupTagPolicy groupTags, AccessReviewCampaign? predecessor, OperationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(index);
        DateTimeOffset now = Now();
        definition = Validate(definition, now);
        IReadOnlyList<Person> people = await _store.FindPeopleAsync(new PersonQuery(), cancellationToken).ConfigureAwait(false);
        await using IStoreWriteTransaction transaction = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        if (predecessor is not null && await transaction.GetAccessReviewSuccessorAsync(predecessor.CampaignId, cancellationToken).ConfigureAwait(false) is not null)
        {
            return null;
        }

        string campaignId;
        do
        {
            campaignId = "AR-" + now.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + "-" + RandomNumberGenerator.GetHexString(6);
        }
        while (await transaction.GetAccessReviewCampaignAsync(campaignId, cancellationToken).ConfigureAwait(false) is not null);

        AccessReviewContent content = AccessReviewCampaignBuilder.Build(campaignId, definition, index, catalog, people, now, groupTags);

        // The items stream from the builder into the store; the tally hashes and counts them on the way, and the
        // campaign row, which carries the count and the digest, goes in last, in the same transaction.
        var tally = new ItemTally();
        await transaction.InsertAccessReviewItemsAsync(campaignId, content.Reviewers, ReadAhead.Enumerate(tally.Observe(content.Items), cancellationToken), cancellationToken)
            .ConfigureAwait(false);
        var campaign = new AccessReviewCampaign
        {
            CampaignId = campaignId,
            Name = definition.Name.Trim(),
            Scope = definition.Scope,
            Reviewers = definition.Reviewers,
            StartDate = definition.StartDate!.Value,
            DueDate = definition.DueDate!.Value,
            Recurrence = definition.Recurrence,
            DefaultDecision = definition.DefaultDecision,
            AutoApply = definition.AutoApply,
            InactiveDays = definition.InactiveDays,
            TenantId = index.Snapshot.Tenant.TenantId,
            SnapshotCollectedAt = index.Snapshot.CollectedAt,
            SnapshotSha256 = snapshotSha256,
            ItemCount = tally.Count,
            ItemsSha256 = tally.Sha256(),
            EvidenceGaps = content.EvidenceGaps,
            CreatedAt = now,
            PredecessorId = predecessor?.CampaignId,
            SeriesId = predecessor is null ? (definition.Recurrence is null ? null : campaignId) : predecessor.SeriesId ?? predecessor.CampaignId,
            ScheduleStartDate = predecessor is null ? null : predecessor.ScheduleStartDate ?? predecessor.StartDate,
        };
        await transaction.InsertAccessReviewCampaignAsync(campaign, cancellationToken).ConfigureAwait(false);
        AuditDetails details = new AuditDetails()
            .Add("CampaignId", campaign.CampaignId).Add("TenantId", campaign.TenantId).Add("SnapshotSha256", snapshotSha256)
            .Add("SnapshotCollectedAt", AuditEvent.FormatTime(campaign.SnapshotCollectedAt.UtcDateTime))
            .Add("Scope", campaign.Scope.Describe()).Add("ReviewerRule", campaign.Reviewers.Rule)
            .Add("StartDate", AuditEvent.FormatTime(campaign.StartDate.UtcDateTime)).Add("DueDate", AuditEvent.FormatTime(campaign.DueDate.UtcDateTime))
            .Add("Recurrence", campaign.Recurrence).Add("DefaultDecision", campaign.DefaultDecision).Add("AutoApply", campaign.AutoApply)
            .Add("Forced", definition.Force && campaign.AutoApply && campaign.DefaultDecision is AccessReviewDefaultDecision.Deny or AccessReviewDefaultDecision.Recommendation)
            .Add("ItemCount", campaign.ItemCount).Add("ItemsSha256", campaign.ItemsSha256).Add("ReviewerCount", content.Reviewers.Count)
            .Add("ReviewersWithoutMail", content.Reviewers.Count(r => r.HasNoMail))
            .Add("PrivilegedItems", tally.Privileged).Add("FallbackItems", tally.ByFallback)
            .Add("RecommendedDeny", tally.RecommendedDeny).Add("RecommendedApprove", tally.RecommendedApprove)
            .Add("PredecessorId", campaign.PredecessorId).Add("SeriesId", campaign.SeriesId);
        await _audit.AppendAsync(transaction, [new AuditEventDraft(AccessReviewAuditActions.CampaignCreated, Target(campaignId), details.ToJson())], context,
            cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return campaign;
    }

    /// <summary>SHA-256 (lower-case hex) over the items' canonical lines in item order: what the creation event commits to.</summary>
    public static string Digest(IEnumerable<AccessReviewItem> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        var tally = new ItemTally();
        foreach (AccessReviewItem _ in tally.Observe(items))
        {
        }

        return tally.Sha256();
    }

    // Counts and hashes items as they pass on their way to the store.
    private sealed class ItemTally
    {
        // Lines are hashed a few dozen at a time: the digest of the concatenation is the same. The text is encoded chunk
        // by chunk into one reused buffer, so hashing two million items allocates nothing per flush (a 64 K-character
        // batch made three large-object allocations per flush and kept the background GC busy).
        private const int FlushAt = 6 * 1024;

        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly StringBuilder _line = new(FlushAt + 1024);
        // One encoder for every chunk: a surrogate pair that a long line splits across two chunks stays one character.
        private readonly Encoder _encoder = Encoding.UTF8.GetEncoder();
        private byte[] _utf8 = new byte[Encoding.UTF8.GetMaxByteCount(FlushAt + 1024)];

        public int Count { get; private set; }

        public int Privileged { get; private set; }

        public int ByFallback { get; private set; }

        public int RecommendedDeny { get; private set; }

        public int RecommendedApprove { get; private set; }

        public IEnumerable<AccessReviewItem> Observe(IEnumerable<AccessReviewItem> items)
        {
            foreach (AccessReviewItem item in items)
            {
                item.AppendCanonical(_line);
                if (_line.Length >= FlushAt)
                {
                    Flush();
                }

                Count++;
                Privileged += item.Privileged ? 1 : 0;
                ByFallback += item.ReviewedByFallback ? 1 : 0;
                RecommendedDeny += item.Recommendation == AccessReviewRecommendation.Deny ? 1 : 0;
                RecommendedApprove += item.Recommendation == AccessReviewRecommendation.Approve ? 1 : 0;
                yield return item;
            }
        }

        public string Sha256()
        {
            Flush();
            // A lone high surrogate at the very end is written as the replacement character, as encoding the whole text would.
            _hash.AppendData(_utf8, 0, _encoder.GetBytes(ReadOnlySpan<char>.Empty, _utf8, flush: true));
            using (_hash)
            {
                return Convert.ToHexString(_hash.GetHashAndReset()).ToLowerInvariant();
            }
        }

        private void Flush()
        {
            foreach (ReadOnlyMemory<char> chunk in _line.GetChunks())
            {
                int needed = Encoding.UTF8.GetMaxByteCount(chunk.Length);
                if (needed > _utf8.Length)
                {
                    _utf8 = new byte[needed];
                }

                // Not flushed: a high surrogate ending this chunk waits for its low half, in this flush's next chunk or
                // the next flush's first (a line is appended whole, so the pair never spans the end of the hashed text).
                int written = _encoder.GetBytes(chunk.Span, _utf8, flush: false);
                _hash.AppendData(_utf8, 0, written);
            }

            _line.Clear();
        }
    }

    /// <summary>
    /// Changes how often a campaign recurs, or ends its series (<paramref name="recurrence"/> null): the unattended cycle
    /// starts the next period from the newest campaign of a series, so only that one may change (a campaign that
    /// already has a successor is refused with IsmsOps.AccessReview.NotNewestInSeries, naming it). Audited as
    /// <see cref="AccessReviewAuditActions.RecurrenceChanged"/>; a change to the value already held stores nothing.
    /// </summary>
    public async Task<AccessReviewCampaign> SetRecurrenceAsync(string campaignId, string? recurrence, OperationContext context, CancellationToken cancellationToken)
    {
        DateTimeOffset now = Now();
        RequireRecurrence(recurrence, now, "Give a duration such as P3M (quarterly), P6M (half-yearly) or P1Y, or -NoRecurrence to end the series.");

        await using IStoreWriteTransaction transaction = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        AccessReviewCampaign campaign = await transaction.GetAccessReviewCampaignAsync(campaignId, cancellationToken).ConfigureAwait(false) ?? throw NotFound(campaignId);
        if (await transaction.GetAccessReviewSuccessorAsync(campaign.CampaignId, cancellationToken).ConfigureAwait(false) is AccessReviewCampaign successor)
        {
            throw new IsmsException("IsmsOps.AccessReview.NotNewestInSeries", IsmsErrorKind.Conflict,
                $"Campaign {campaign.CampaignId} already has its successor {successor.CampaignId}; its recurrence no longer decides anything. Nothing was changed.",
                $"Change the newest campaign of the series instead (Get-IsmsAccessReview lists them; start with {successor.CampaignId}).", campaign.CampaignId);
        }

        // The same duration however it is spelled (P1M, P0Y1M) is no change, and must not restart the schedule.
        if (string.Equals(campaign.Recurrence, recurrence, StringComparison.Ordinal)
            || (IsoDuration.TryParse(campaign.Recurrence, out IsoDuration held) && IsoDuration.TryParse(recurrence, out IsoDuration given) && held == given))
        {
            return campaign;
        }

        // A new recurrence is a new schedule, counted from this campaign's start.
        AccessReviewCampaign changed = campaign with
        {
            Recurrence = recurrence,
            ScheduleStartDate = null,
            SeriesId = campaign.SeriesId ?? (recurrence is null ? null : campaign.CampaignId),
            Version = campaign.Version + 1,
        };
        if (!await transaction.UpdateAccessReviewCampaignAsync(changed, campaign.Version, cancellationToken).ConfigureAwait(false))
        {
            throw new IsmsException("IsmsOps.AccessReview.Conflict", IsmsErrorKind.Conflict,
                $"Campaign {campaign.CampaignId} changed while its recurrence was being set. Nothing was changed.", "Run the command again.", campaign.CampaignId);
        }

        AuditDetails details = new AuditDetails().Add("CampaignId", campaign.CampaignId).Add("SeriesId", changed.SeriesId)
            .AddChange("Recurrence", campaign.Recurrence, recurrence);
        await _audit.AppendAsync(transaction, [new AuditEventDraft(AccessReviewAuditActions.RecurrenceChanged, Target(campaign.CampaignId), details.ToJson())], context,
            cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return changed;
    }

    // A recurrence is absent or a positive ISO 8601 duration; IsmsOps.AccessReview.InvalidRecurrence otherwise.
    private static void RequireRecurrence(string? recurrence, DateTimeOffset now, string suggestion)
    {
        if (recurrence is not null && (!IsoDuration.TryParse(recurrence, out IsoDuration every) || every.AddTo(now) <= now))
        {
            throw new IsmsException("IsmsOps.AccessReview.InvalidRecurrence", IsmsErrorKind.InvalidArgument,
                $"-Recurrence '{recurrence}' is not a positive ISO 8601 duration.", suggestion, recurrence);
        }
    }

    /// <summary>The campaign; IsmsOps.AccessReview.NotFound when there is none.</summary>
    public async Task<AccessReviewCampaign> GetAsync(string campaignId, CancellationToken cancellationToken) =>
        await _store.GetAccessReviewCampaignAsync(campaignId, cancellationToken).ConfigureAwait(false) ?? throw NotFound(campaignId);

    public Task<IReadOnlyList<AccessReviewCampaign>> FindAsync(AccessReviewCampaignQuery query, CancellationToken cancellationToken) =>
        _store.FindAccessReviewCampaignsAsync(query, cancellationToken);

    public Task<IReadOnlyList<AccessReviewer>> ReviewersAsync(string campaignId, CancellationToken cancellationToken) =>
        _store.GetAccessReviewersAsync(campaignId, cancellationToken);

    /// <summary>Streams a campaign's items matching the query, in item order.</summary>
    public IEnumerable<AccessReviewItem> ReadItems(AccessReviewItemQuery query, CancellationToken cancellationToken) =>
        _store.ReadAccessReviewItems(query, cancellationToken);

    /// <summary>The reviewer of the campaign with this object id or user principal name; IsmsOps.AccessReview.NotAReviewer when none.</summary>
    public async Task<AccessReviewer> ResolveReviewerAsync(string campaignId, string reviewer, CancellationToken cancellationToken)
    {
        IReadOnlyList<AccessReviewer> reviewers = await _store.GetAccessReviewersAsync(campaignId, cancellationToken).ConfigureAwait(false);
        return ResolveReviewer(campaignId, reviewers, reviewer);
    }

    /// <summary>As <see cref="ResolveReviewerAsync"/>, over the campaign's reviewers already read.</summary>
    public static AccessReviewer ResolveReviewer(string campaignId, IReadOnlyList<AccessReviewer> reviewers, string reviewer)
    {
        ArgumentNullException.ThrowIfNull(reviewers);
        return FindReviewer(reviewers, reviewer) ?? throw NotAReviewer(campaignId, reviewer, reviewers);
    }

    /// <summary>How far each reviewer is, and who is overdue (due date passed with items of theirs undecided).</summary>
    public async Task<IReadOnlyList<AccessReviewerProgress>> ProgressAsync(string campaignId, CancellationToken cancellationToken) =>
        await ProgressAsync(await GetAsync(campaignId, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    private async Task<IReadOnlyList<AccessReviewerProgress>> ProgressAsync(AccessReviewCampaign campaign, CancellationToken cancellationToken)
    {
        IReadOnlyList<AccessReviewer> reviewers = await _store.GetAccessReviewersAsync(campaign.CampaignId, cancellationToken).ConfigureAwait(false);
        Dictionary<string, (long Assigned, long Decided)> counts = (await _store.GetAccessReviewProgressAsync(campaign.CampaignId, cancellationToken).ConfigureAwait(false))
            .ToDictionary(p => p.ReviewerId, p => (p.Assigned, p.Decided), StringComparer.OrdinalIgnoreCase);
        bool overdue = campaign.IsOverdueAt(Now());
        return reviewers.Select(r =>
        {
            (long assigned, long decided) = counts.GetValueOrDefault(r.ReviewerId);
            return new AccessReviewerProgress { Reviewer = r, Assigned = assigned, Decided = decided, IsOverdue = overdue && decided < assigned };
        }).ToArray();
    }

    /// <summary>The campaign with its overall and per-reviewer progress.</summary>
    public async Task<AccessReviewOverview> OverviewAsync(string campaignId, CancellationToken cancellationToken) =>
        await OverviewAsync(await GetAsync(campaignId, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>The overall and per-reviewer progress of a campaign already read (as <see cref="FindAsync"/> returns it).</summary>
    public async Task<AccessReviewOverview> OverviewAsync(AccessReviewCampaign campaign, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(campaign);
        IReadOnlyList<AccessReviewerProgress> reviewers = await ProgressAsync(campaign, cancellationToken).ConfigureAwait(false);
        long decided = await _store.CountDecidedAccessReviewItemsAsync(campaign.CampaignId, cancellationToken).ConfigureAwait(false);
        return new AccessReviewOverview
        {
            Campaign = campaign,
            Decided = decided,
            IsOverdue = campaign.IsOverdueAt(Now()) && decided < campaign.ItemCount,
            Reviewers = reviewers,
        };
    }

    /// <summary>
    /// Records one decision under the rules of the class summary. A refused decision is audited
    /// (<see cref="AccessReviewAuditActions.DecisionRefused"/> with the ErrorId) and then thrown; nothing else changes.
    /// </summary>
    public async Task<AccessReviewItem> DecideAsync(AccessReviewDecisionRequest request, OperationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        AccessReviewDecisionOutcome outcome = (await DecideAllAsync([request], context, cancellationToken).ConfigureAwait(false))[0];
        return outcome.Item ?? throw outcome.Error!;
    }

    /// <summary>
    /// Records several decisions in one transaction (a reviewer deciding a filtered set), each under the same rules as
    /// <see cref="DecideAsync"/> and in order, so a later request sees what an earlier one stored. Returns one outcome per
    /// request: the decided item, or the error that refused it (refusals are audited). Only a store fault fails the lot.
    /// </summary>
    public async Task<IReadOnlyList<AccessReviewDecisionOutcome>> DecideAllAsync(IReadOnlyList<AccessReviewDecisionRequest> requests, OperationContext context,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        DateTimeOffset now = Now();
        var outcomes = new List<AccessReviewDecisionOutcome>(requests.Count);
        var drafts = new List<AuditEventDraft>();
        var campaigns = new Dictionary<string, (AccessReviewCampaign Campaign, IReadOnlyList<AccessReviewer> Reviewers)>(StringComparer.OrdinalIgnoreCase);
        await using IStoreWriteTransaction transaction = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        foreach (AccessReviewDecisionRequest request in requests)
        {
            try
            {
                outcomes.Add(new AccessReviewDecisionOutcome(request, await DecideOneAsync(transaction, request, now, campaigns, drafts, cancellationToken).ConfigureAwait(false), null));
            }
            catch (IsmsException refused) when (!refused.ErrorId.StartsWith("IsmsOps.Store.", StringComparison.Ordinal))
            {
                outcomes.Add(new AccessReviewDecisionOutcome(request, null, refused));
            }
        }

        if (drafts.Count > 0)
        {
            await _audit.AppendAsync(transaction, drafts, context, cancellationToken).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }

        return outcomes;
    }

    private static async Task<AccessReviewItem> DecideOneAsync(IStoreWriteTransaction transaction, AccessReviewDecisionRequest request, DateTimeOffset now,
        Dictionary<string, (AccessReviewCampaign Campaign, IReadOnlyList<AccessReviewer> Reviewers)> campaigns, List<AuditEventDraft> drafts,
        CancellationToken cancellationToken)
    {
        if (request.Decision == AccessReviewDecision.NotReviewed)
        {
            throw new IsmsException("IsmsOps.AccessReview.InvalidDecision", IsmsErrorKind.InvalidArgument,
                "A decision is Approve, Deny or DontKnow; NotReviewed cannot be recorded.", "Give -Decision Approve, Deny or DontKnow.", request.Decision);
        }

        if (!campaigns.TryGetValue(request.CampaignId, out (AccessReviewCampaign Campaign, IReadOnlyList<AccessReviewer> Reviewers) known))
        {
            AccessReviewCampaign found = await transaction.GetAccessReviewCampaignAsync(request.CampaignId, cancellationToken).ConfigureAwait(false)
                ?? throw NotFound(request.CampaignId);
            known = (found, await transaction.GetAccessReviewersAsync(found.CampaignId, cancellationToken).ConfigureAwait(false));
            campaigns[request.CampaignId] = known;
        }

        (AccessReviewCampaign campaign, IReadOnlyList<AccessReviewer> reviewers) = known;
        if (FindReviewer(reviewers, request.Reviewer) is not AccessReviewer reviewer)
        {
            // Audited like every refusal; the name given is no reviewer's id, so the trail keeps only its digest.
            IsmsException outsider = NotAReviewer(campaign.CampaignId, request.Reviewer, reviewers);
            AuditDetails refused = new AuditDetails().Add("CampaignId", campaign.CampaignId).Add("ItemId", request.ItemId).Add("Decision", request.Decision)
                .Add("ReviewerSha256", Sha256Hex(request.Reviewer.Trim().ToLowerInvariant())).Add("ExpectedVersion", request.ExpectedVersion)
                .Add("Forced", request.Force).Add("ErrorId", outsider.ErrorId);
            drafts.Add(new AuditEventDraft(AccessReviewAuditActions.DecisionRefused, Target(campaign.CampaignId), refused.ToJson()));
            throw outsider;
        }

        AccessReviewItem item = await transaction.GetAccessReviewItemAsync(campaign.CampaignId, request.ItemId, cancellationToken).ConfigureAwait(false)
            ?? throw new IsmsException("IsmsOps.AccessReview.ItemNotFound", IsmsErrorKind.NotFound,
                $"Campaign {campaign.CampaignId} has no item {request.ItemId}.", "Get-IsmsAccessReviewItem -CampaignId lists the items.", request.ItemId);

        IsmsException? refusal = Refusal(campaign, item, reviewer, request, now);
        if (refusal is not null)
        {
            AuditDetails refused = Details(campaign, item, reviewer, request).Add("ErrorId", refusal.ErrorId).Add("StoredVersion", item.Version)
                .Add("DecidedBy", item.DecidedBy).Add("StoredDecision", item.Decision);
            drafts.Add(new AuditEventDraft(AccessReviewAuditActions.DecisionRefused, Target(campaign.CampaignId), refused.ToJson()));
            throw refusal;
        }

        AccessReviewItem decided = item with
        {
            Decision = request.Decision,
            Justification = string.IsNullOrWhiteSpace(request.Justification) ? null : request.Justification.Trim(),
            DecidedBy = reviewer.ReviewerId,
            DecidedAt = now,
            Version = item.Version + 1,
        };
        if (!await transaction.UpdateAccessReviewDecisionAsync(decided, item.Version, cancellationToken).ConfigureAwait(false))
        {
            // Writers are serialised, so this means the row changed under a lock we hold: treat it as the conflict it is.
            throw Conflict(campaign, item, "changed while the decision was being stored");
        }

        AuditDetails details = Details(campaign, decided, reviewer, request).Add("Version", decided.Version).Add("PreviousDecision", item.Decision)
            .Add("Late", now > campaign.DueDate)
            .Add("JustificationSha256", decided.Justification is null ? null : Sha256Hex(decided.Justification));
        drafts.Add(new AuditEventDraft(AccessReviewAuditActions.ItemDecided, Target(campaign.CampaignId), details.ToJson()));
        return decided;
    }

    // The rules in the order a reviewer meets them; the first that applies refuses the decision.
    private static IsmsException? Refusal(AccessReviewCampaign campaign, AccessReviewItem item, AccessReviewer reviewer, AccessReviewDecisionRequest request, DateTimeOffset now)
    {
        string where = $"item {item.ItemId} of campaign {campaign.CampaignId}";
        if (campaign.Status != AccessReviewCampaignStatus.Active)
        {
            return new IsmsException("IsmsOps.AccessReview.Closed", IsmsErrorKind.Conflict,
                $"Campaign {campaign.CampaignId} is {campaign.Status}; it takes no more decisions. Nothing was changed.",
                "Decide in the campaign's next recurrence, or start a new campaign.", campaign.CampaignId);
        }

        if (now < campaign.StartDate)
        {
            return new IsmsException("IsmsOps.AccessReview.NotStarted", IsmsErrorKind.Conflict,
                $"Campaign {campaign.CampaignId} starts {campaign.StartDate.UtcDateTime:yyyy-MM-dd HH:mm} UTC; {where} cannot be decided before then. Nothing was changed.",
                "Decide once the campaign has started.", campaign.CampaignId);
        }

        if (!item.ReviewerIds.Contains(reviewer.ReviewerId, StringComparer.OrdinalIgnoreCase))
        {
            return new IsmsException("IsmsOps.AccessReview.NotYourItem", IsmsErrorKind.PermissionDenied,
                $"{reviewer.UserPrincipalName} is not a reviewer of {where} ({item.PrincipalName} on {item.ResourceDisplayName}). Nothing was changed.",
                $"Only the item's reviewers decide it: Get-IsmsAccessReviewItem -CampaignId {campaign.CampaignId} -Reviewer {reviewer.UserPrincipalName} lists theirs.",
                item.ItemId);
        }

        if (now > campaign.DueDate && !request.Force)
        {
            return new IsmsException("IsmsOps.AccessReview.PastDue", IsmsErrorKind.Conflict,
                $"Campaign {campaign.CampaignId} was due {campaign.DueDate.UtcDateTime:yyyy-MM-dd HH:mm} UTC; the decision on {where} is late and was not recorded.",
                "Add -Force to record it anyway (the audit trail marks it Late), or leave the item to the campaign's default decision.", item.ItemId);
        }

        if (request.Decision == AccessReviewDecision.Approve && item.Privileged && string.IsNullOrWhiteSpace(request.Justification))
        {
            return new IsmsException("IsmsOps.AccessReview.JustificationRequired", IsmsErrorKind.InvalidArgument,
                $"{where} is privileged access ({item.PrincipalName} on {item.ResourceDisplayName}); approving it needs a justification. Nothing was changed.",
                "Add -Justification saying why the access is still needed.", item.ItemId);
        }

        if (request.ExpectedVersion is long expected && expected != item.Version)
        {
            return Conflict(campaign, item, $"is at version {item.Version}, not {expected} as read"
                + (item.IsPending ? string.Empty : $": {item.DecidedBy} decided {item.Decision} at {item.DecidedAt:u}"));
        }

        if (!item.IsPending && !string.Equals(item.DecidedBy, reviewer.ReviewerId, StringComparison.OrdinalIgnoreCase))
        {
            return Conflict(campaign, item, $"was already decided {item.Decision} by reviewer {item.DecidedBy} at {item.DecidedAt:u}; the first decision wins");
        }

        return null;
    }

    private static AuditDetails Details(AccessReviewCampaign campaign, AccessReviewItem item, AccessReviewer reviewer, AccessReviewDecisionRequest request) =>
        new AuditDetails().Add("CampaignId", campaign.CampaignId).Add("ItemId", item.ItemId).Add("Decision", request.Decision)
            .Add("ReviewerId", reviewer.ReviewerId).Add("PrincipalId", item.PrincipalId).Add("ResourceId", item.ResourceId)
            .Add("ExpectedVersion", request.ExpectedVersion).Add("Forced", request.Force);

    private static string Sha256Hex(string text) => OffboardingEvidenceFile.Sha256(Encoding.UTF8.GetBytes(text));

    /// <summary>The reviewer with this object id or user principal name (case-insensitive), or null.</summary>
    public static AccessReviewer? FindReviewer(IReadOnlyList<AccessReviewer> reviewers, string idOrUpn) =>
        reviewers.FirstOrDefault(r => string.Equals(r.ReviewerId, idOrUpn, StringComparison.OrdinalIgnoreCase)
            || string.Equals(r.UserPrincipalName, idOrUpn, StringComparison.OrdinalIgnoreCase));

    private static IsmsException Conflict(AccessReviewCampaign campaign, AccessReviewItem item, string what) =>
        new("IsmsOps.AccessReview.Conflict", IsmsErrorKind.Conflict,
            $"Item {item.ItemId} of campaign {campaign.CampaignId} {what}. Your decision was not recorded (the attempt is in the audit trail).",
            $"Read the item again (Get-IsmsAccessReviewItem -CampaignId {campaign.CampaignId}) and see who decided what; agree with them before changing it.",
            item.ItemId);

    private static IsmsException NotAReviewer(string campaignId, string reviewer, IReadOnlyList<AccessReviewer> reviewers) =>
        new("IsmsOps.AccessReview.NotAReviewer", IsmsErrorKind.PermissionDenied,
            $"'{reviewer}' is not a reviewer of campaign {campaignId} ({reviewers.Count} reviewer(s)). Nothing was changed.",
            $"Give the user principal name or object id of one of the campaign's reviewers: Get-IsmsAccessReview {campaignId} lists them.", reviewer);

    /// <summary>The error for a campaign id the store does not hold.</summary>
    public static IsmsException NotFound(string campaignId) => new("IsmsOps.AccessReview.NotFound", IsmsErrorKind.NotFound,
        $"There is no access review campaign '{campaignId}'.", "Get-IsmsAccessReview lists the campaigns.", campaignId);
}
