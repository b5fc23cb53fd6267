using IsmsOps.Engine.Access;
using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Snapshots;
using IsmsOps.Engine.Storage;
using static IsmsOps.Engine.Tests.Snapshots.Tenant;

namespace IsmsOps.Engine.Tests.Storage;

/// <summary>A small access review campaign created through the register (so in the compact item layout of migration 12), for the store tests.</summary>
internal static class StoreCampaigns
{
    public static readonly DateTime Start = new(2026, 11, 24, 9, 0, 0, DateTimeKind.Utc);

    public static AccessReviewRegister Register(IsmsWorkspace workspace) => new(workspace.Store, workspace.Audit, () => Start);

    // Two owners review the team's members, one owner the role-assignable group (privileged): two reviewer lists; one
    // member has no sign-in activity on record, so the items differ in recommendation too.
    private static DirectorySnapshot Team()
    {
        SnapshotUser Member(string id) => User(id) with { Mail = id[2..] + "@contoso.com", SignInActivity = new SnapshotSignInActivity { LastSignInDateTime = new DateTimeOffset(Start).AddDays(-3) } };
        SnapshotGroup team = Group("g-team", "u-ada", "u-bob", "u-cy") with
        {
            Owners = [new DirectoryObjectRef("u-olga", DirectoryObjectKind.User), new DirectoryObjectRef("u-oscar", DirectoryObjectKind.User)],
        };
        SnapshotGroup admins = Group("g-admins", "u-ada") with
        {
            IsAssignableToRole = true,
            Owners = [new DirectoryObjectRef("u-olga", DirectoryObjectKind.User)],
        };
        return With([Member("u-ada"), Member("u-bob"), User("u-cy"), Member("u-olga"), Member("u-oscar")], [team, admins]);
    }

    public static Task<AccessReviewCampaign> CreateAsync(IsmsWorkspace workspace, string name = "Team review") => Register(workspace).CreateAsync(new AccessReviewDefinition
    {
        Name = name,
        Scope = new AccessReviewScope { GroupNames = ["g-*"] },
        Reviewers = new AccessReviewReviewers { Rule = AccessReviewerRule.ResourceOwner },
        DueDate = new DateTimeOffset(Start).AddDays(7),
    }, DirectoryIndex.Build(Team()), "sha-of-snapshot", RoleCatalog.Empty, TempWorkspace.Context, CancellationToken.None);

    public static List<AccessReviewItem> Items(IIsmsStore store, string campaignId, string? reviewerId = null, bool pendingOnly = false) =>
        store.ReadAccessReviewItems(new AccessReviewItemQuery { CampaignId = campaignId, ReviewerId = reviewerId, PendingOnly = pendingOnly }, CancellationToken.None).ToList();

    /// <summary>Every field of an item as text, lists spelled out (records compare lists by reference), the campaign id left out.</summary>
    public static string Canonical(AccessReviewItem i) => CanonicalWithCampaign(i with { CampaignId = "-" });

    /// <summary>Every field of an item as text, lists spelled out (records compare lists by reference), the campaign id included.</summary>
    public static string CanonicalWithCampaign(AccessReviewItem i) =>
        (i with { Reasons = [], ReviewerIds = [] }).ToString() + "|" + string.Join(",", i.Reasons) + "|" + string.Join(",", i.ReviewerIds);

    /// <summary>Stores <paramref name="decision"/> on the item if it is still at the version read; false if another write got there first.</summary>
    public static async Task<bool> DecideAsync(IIsmsStore store, AccessReviewItem item, AccessReviewDecision decision, string reviewer)
    {
        await using IStoreWriteTransaction transaction = await store.BeginWriteAsync(CancellationToken.None);
        bool stored = await transaction.UpdateAccessReviewDecisionAsync(
            item with { Decision = decision, DecidedBy = reviewer, DecidedAt = new DateTimeOffset(Start).AddHours(1), Justification = "checked", Version = item.Version + 1 },
            item.Version, CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
        return stored;
    }
}
