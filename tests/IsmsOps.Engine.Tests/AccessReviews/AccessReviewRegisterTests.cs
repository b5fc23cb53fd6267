using System.Text.Json;
using IsmsOps.Engine.Access;
using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Snapshots;
using IsmsOps.Engine.Storage;
using IsmsOps.Engine.Storage.Sql;
using IsmsOps.Engine.Storage.Sqlite;
using IsmsOps.Engine.Tests.Graph;
using IsmsOps.Engine.Tests.Storage;
using Microsoft.Data.Sqlite;
using IsmsOps.Sandbox;
using static IsmsOps.Engine.Tests.Snapshots.Tenant;

namespace IsmsOps.Engine.Tests.AccessReviews;

public sealed class AccessReviewRegisterTests : IDisposable
{
    private static readonly DateTime Start = new(2026, 11, 24, 9, 0, 0, DateTimeKind.Utc);

    private readonly TempWorkspace _store = new();
    private DateTime _now = Start;

    public void Dispose() => _store.Dispose();

    private AccessReviewRegister Register => new(_store.Workspace.Store, _store.Workspace.Audit, () => _now);

    private List<AuditEvent> Events(string action) => _store.Events().Where(e => e.Action == action).ToList();

    private static JsonElement Details(AuditEvent e) => JsonDocument.Parse(e.Details).RootElement;

    // Two owners review the team's members; the admin's membership of the role-assignable group is privileged.
    private static DirectorySnapshot Team()
    {
        SnapshotUser Member(string id) => User(id) with { Mail = id[2..] + "@contoso.com", SignInActivity = new SnapshotSignInActivity { LastSignInDateTime = new DateTimeOffset(Start).AddDays(-3) } };
        SnapshotGroup team = Group("g-team", "u-ada", "u-bob") with
        {
            Owners = [new DirectoryObjectRef("u-olga", DirectoryObjectKind.User), new DirectoryObjectRef("u-oscar", DirectoryObjectKind.User)],
        };
        SnapshotGroup admins = Group("g-admins", "u-ada") with
        {
            IsAssignableToRole = true,
            Owners = [new DirectoryObjectRef("u-olga", DirectoryObjectKind.User)],
        };
        return With([Member("u-ada"), Member("u-bob"), Member("u-olga"), Member("u-oscar")], [team, admins]);
    }

    private Task<AccessReviewCampaign> CreateTeamCampaignAsync() => Register.CreateAsync(new AccessReviewDefinition
    {
        Name = "Team review",
        Scope = new AccessReviewScope { GroupNames = ["g-*"] },
        Reviewers = new AccessReviewReviewers { Rule = AccessReviewerRule.ResourceOwner },
        DueDate = new DateTimeOffset(Start).AddDays(7),
    }, DirectoryIndex.Build(Team()), "sha-of-snapshot", RoleCatalog.Empty, TempWorkspace.Context, CancellationToken.None);

    private AccessReviewItem Item(AccessReviewCampaign campaign, string principal, string resource) =>
        Register.ReadItems(new AccessReviewItemQuery { CampaignId = campaign.CampaignId }, CancellationToken.None)
            .Single(i => i.PrincipalId == principal && i.ResourceId == resource);

    private Task<AccessReviewItem> DecideAsync(AccessReviewCampaign campaign, AccessReviewItem item, string reviewer, AccessReviewDecision decision,
        string? justification = null, long? expectedVersion = null, bool force = false) =>
        Register.DecideAsync(new AccessReviewDecisionRequest
        {
            CampaignId = campaign.CampaignId,
            ItemId = item.ItemId,
            Decision = decision,
            Reviewer = reviewer,
            Justification = justification,
            ExpectedVersion = expectedVersion,
            Force = force,
        }, TempWorkspace.Context, CancellationToken.None);

    [Fact]
    public async Task A_campaign_over_a_sandbox_snapshot_stores_every_frozen_item_and_audits_its_creation_once_with_counts_and_digest()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 150 });
        DirectorySnapshot snapshot = await new DirectorySnapshotCollector(graph.Reader).CollectAsync(null, CancellationToken.None);
        var index = DirectoryIndex.Build(snapshot);
        SnapshotUser chief = snapshot.Users.First(u => u.UserType == "Member" && u.ManagerId is null);
        SnapshotUser deputy = snapshot.Users.First(u => u.UserType == "Member" && u.ManagerId == chief.Id);
        _now = snapshot.CollectedAt.UtcDateTime;

        AccessReviewCampaign campaign = await Register.CreateAsync(new AccessReviewDefinition
        {
            Name = "Privileged and guests",
            Scope = new AccessReviewScope { PrivilegedDirectoryRoles = true, Guests = true },
            Reviewers = new AccessReviewReviewers { Rule = AccessReviewerRule.Manager, Fallback = [chief.UserPrincipalName, deputy.Id] },
            Recurrence = "P3M",
        }, index, "digest-of-file", RoleCatalog.Empty, TempWorkspace.Context, CancellationToken.None);

        List<AccessReviewItem> stored = Register.ReadItems(new AccessReviewItemQuery { CampaignId = campaign.CampaignId }, CancellationToken.None).ToList();
        // What the sandbox itself holds, not what our snapshot says: every guest account, and every role held by a user directly.
        var guests = graph.Sandbox.Tenant.Users.Where(u => u.UserType == "Guest").Select(u => u.Id).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var userIds = graph.Sandbox.Tenant.Users.Select(u => u.Id).ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.Equal(guests.Order(), stored.Where(i => i.AccessKind == AccessReviewAccessKind.GuestAccount).Select(i => i.PrincipalId).Order(StringComparer.OrdinalIgnoreCase));
        int userRoles = snapshot.RoleAssignments.Count(r => userIds.Contains(r.PrincipalId));
        Assert.Equal(userRoles, stored.Count(i => i.AccessKind == AccessReviewAccessKind.DirectoryRole && i.InheritedFromGroupId is null));
        Assert.Contains(stored, i => i.Assignment == AssignmentType.Eligible && i.RemovalStepKind == OffboardingStepKind.RemoveEligibleDirectoryRole);
        Assert.All(stored.Where(i => i.AccessKind == AccessReviewAccessKind.DirectoryRole), i => Assert.True(i.Privileged));
        Assert.All(stored, i => Assert.NotEmpty(i.ReviewerIds));
        Assert.Equal(campaign.ItemCount, stored.Count);
        Assert.Equal(campaign.ItemsSha256, AccessReviewRegister.Digest(stored));
        Assert.Equal(new DateTimeOffset(_now).AddMonths(3), campaign.NextStartDate);

        AuditEvent created = Assert.Single(_store.Events(), e => e.Target == AccessReviewRegister.Target(campaign.CampaignId));
        Assert.Equal(AccessReviewAuditActions.CampaignCreated, created.Action);
        Assert.Equal(stored.Count, Details(created).GetProperty("ItemCount").GetInt32());
        Assert.Equal(campaign.ItemsSha256, Details(created).GetProperty("ItemsSha256").GetString());
        Assert.Equal("digest-of-file", Details(created).GetProperty("SnapshotSha256").GetString());
        Assert.DoesNotContain(stored[0].PrincipalName, created.Details, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(campaign, await Register.GetAsync(campaign.CampaignId, CancellationToken.None) with { Scope = campaign.Scope, Reviewers = campaign.Reviewers, EvidenceGaps = campaign.EvidenceGaps });
    }

    [Fact]
    public async Task A_campaign_stored_before_the_compact_item_layout_still_reads_filters_by_reviewer_takes_decisions_and_reports_progress()
    {
        AccessReviewCampaign campaign = await CreateTeamCampaignAsync();
        IReadOnlyList<AccessReviewer> reviewers = await Register.ReviewersAsync(campaign.CampaignId, CancellationToken.None);
        List<AccessReviewItem> items = Register.ReadItems(new AccessReviewItemQuery { CampaignId = campaign.CampaignId }, CancellationToken.None).ToList();

        // A store as migration 11 left it, holding the campaign in the wide rows every campaign had before migration 12.
        string path = Path.Combine(_store.Home, "before-compact.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            connection.Open();
            foreach (string migration in SqliteSchema.Migrations.Take(11))
            {
                SqliteStore.Execute(connection, migration);
            }

            SqliteStore.Execute(connection, $"PRAGMA application_id={SqliteSchema.ApplicationId}; PRAGMA user_version=11;");
            using SqliteTransaction transaction = connection.BeginTransaction();
            AccessReviewRows.InsertCampaign(connection, transaction, campaign);
            foreach (AccessReviewer r in reviewers)
            {
                Insert(connection, transaction, "access_review_reviewer",
                    ("campaign_id", campaign.CampaignId), ("reviewer_id", r.ReviewerId), ("user_principal_name", r.UserPrincipalName), ("display_name", r.DisplayName),
                    ("mail", r.Mail), ("is_fallback", r.IsFallback ? 1 : 0));
            }

            foreach (AccessReviewItem i in items)
            {
                Insert(connection, transaction, "access_review_item",
                    ("campaign_id", i.CampaignId), ("item_id", i.ItemId), ("principal_id", i.PrincipalId), ("principal_name", i.PrincipalName),
                    ("principal_display_name", i.PrincipalDisplayName), ("is_guest", i.IsGuest ? 1 : 0), ("person_id", i.PersonId), ("resource_id", i.ResourceId),
                    ("resource_name", i.ResourceDisplayName), ("resource_kind", i.ResourceKind.ToString()), ("access_kind", i.AccessKind.ToString()),
                    ("assignment", i.Assignment.ToString()), ("inherited_from_id", i.InheritedFromGroupId), ("inherited_from_name", i.InheritedFromGroupName),
                    ("since", Time(i.Since)), ("last_sign_in", Time(i.LastSignIn)), ("recommendation", i.Recommendation.ToString()), ("reasons", string.Join(",", i.Reasons)),
                    ("recommendation_note", i.RecommendationNote), ("reviewer_ids", string.Join(",", i.ReviewerIds)), ("by_fallback", i.ReviewedByFallback ? 1 : 0),
                    ("privileged", i.Privileged ? 1 : 0), ("removal_step_kind", i.RemovalStepKind.ToString()), ("assignment_id", i.AssignmentId),
                    ("removal_detail", i.RemovalDetail), ("removal", i.Removal.ToString()), ("removal_note", i.RemovalNote), ("decision", "NotReviewed"),
                    ("justification", null), ("decided_by", null), ("decided_at", null), ("version", 1));
                foreach (string reviewer in i.ReviewerIds)
                {
                    Insert(connection, transaction, "access_review_assignment", ("campaign_id", i.CampaignId), ("reviewer_id", reviewer), ("item_id", i.ItemId));
                }
            }

            transaction.Commit();
        }

        using SqliteStore migrated = SqliteStore.Open(path);
        Assert.Equal(SqliteSchema.LatestVersion, migrated.SchemaVersion);
        List<AccessReviewItem> read = migrated.ReadAccessReviewItems(new AccessReviewItemQuery { CampaignId = campaign.CampaignId }, CancellationToken.None).ToList();
        Assert.Equal(items.Select(StoreCampaigns.CanonicalWithCampaign), read.Select(StoreCampaigns.CanonicalWithCampaign));
        Assert.Equal(campaign.ItemsSha256, AccessReviewRegister.Digest(read));
        AccessReviewer olga = reviewers.Single(r => r.ReviewerId == "u-olga");
        Assert.Equal(items.Where(i => i.ReviewerIds.Contains("u-olga")).Select(i => i.ItemId),
            migrated.ReadAccessReviewItems(new AccessReviewItemQuery { CampaignId = campaign.CampaignId, ReviewerId = olga.ReviewerId }, CancellationToken.None).Select(i => i.ItemId));

        AccessReviewItem admin = read.Single(i => i.ResourceId == "g-admins");
        await using (IStoreWriteTransaction transaction = await migrated.BeginWriteAsync(CancellationToken.None))
        {
            Assert.True(await transaction.UpdateAccessReviewDecisionAsync(admin with { Decision = AccessReviewDecision.Deny, DecidedBy = "u-olga", Version = 2 }, 1, CancellationToken.None));
            await transaction.CommitAsync(CancellationToken.None);
        }

        Assert.Equal(1, await migrated.CountDecidedAccessReviewItemsAsync(campaign.CampaignId, CancellationToken.None));
        Assert.Equal(AccessReviewDecision.Deny, migrated.ReadAccessReviewItems(new AccessReviewItemQuery { CampaignId = campaign.CampaignId, ItemIds = [admin.ItemId] },
            CancellationToken.None).Single().Decision);
        Assert.DoesNotContain(migrated.ReadAccessReviewItems(new AccessReviewItemQuery { CampaignId = campaign.CampaignId, PendingOnly = true }, CancellationToken.None),
            i => i.ItemId == admin.ItemId);
        var progress = (await migrated.GetAccessReviewProgressAsync(campaign.CampaignId, CancellationToken.None)).ToDictionary(p => p.ReviewerId, p => (p.Assigned, p.Decided));
        Assert.Equal((items.Count(i => i.ReviewerIds.Contains("u-olga")), 1L), progress["u-olga"]);

        static string? Time(DateTimeOffset? t) => t is DateTimeOffset v ? AuditEvent.FormatTime(v.UtcDateTime) : null;

        static void Insert(SqliteConnection connection, SqliteTransaction transaction, string table, params (string Column, object? Value)[] values)
        {
            using SqliteCommand command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"INSERT INTO {table} ({string.Join(", ", values.Select(v => v.Column))}) VALUES ({string.Join(", ", values.Select(v => "$" + v.Column))});";
            foreach ((string column, object? value) in values)
            {
                command.Parameters.AddWithValue("$" + column, value ?? DBNull.Value);
            }

            command.ExecuteNonQuery();
        }
    }

    [Fact]
    public async Task A_new_campaigns_items_read_back_field_for_field_as_they_were_built()
    {
        AccessReviewCampaign campaign = await CreateTeamCampaignAsync();
        DirectoryIndex index = DirectoryIndex.Build(Team());
        AccessReviewContent built = AccessReviewCampaignBuilder.Build(campaign.CampaignId, AccessReviewRegister.Validate(new AccessReviewDefinition
        {
            Name = "Team review",
            Scope = new AccessReviewScope { GroupNames = ["g-*"] },
            Reviewers = new AccessReviewReviewers { Rule = AccessReviewerRule.ResourceOwner },
            DueDate = new DateTimeOffset(Start).AddDays(7),
        }, new DateTimeOffset(Start)), index, RoleCatalog.Empty, [], new DateTimeOffset(Start));

        List<AccessReviewItem> stored = Register.ReadItems(new AccessReviewItemQuery { CampaignId = campaign.CampaignId }, CancellationToken.None).ToList();

        Assert.Equal(built.Items.Select(StoreCampaigns.CanonicalWithCampaign), stored.Select(StoreCampaigns.CanonicalWithCampaign));
    }

    [Fact]
    public async Task Item_ids_outside_1_to_2_to_the_32_minus_1_match_no_item_instead_of_throwing()
    {
        AccessReviewCampaign campaign = await CreateTeamCampaignAsync();
        long first = Register.ReadItems(new AccessReviewItemQuery { CampaignId = campaign.CampaignId }, CancellationToken.None).First().ItemId;

        List<AccessReviewItem> none = Register.ReadItems(new AccessReviewItemQuery { CampaignId = campaign.CampaignId, ItemIds = [0, -1, 1L << 32] }, CancellationToken.None).ToList();
        List<AccessReviewItem> one = Register.ReadItems(new AccessReviewItemQuery { CampaignId = campaign.CampaignId, ItemIds = [0, first, long.MaxValue] }, CancellationToken.None).ToList();

        Assert.Empty(none);
        Assert.Equal(first, Assert.Single(one).ItemId);
    }

    [Fact]
    public async Task A_scope_that_matches_nothing_stores_nothing_and_audits_nothing()
    {
        IsmsException error = await Assert.ThrowsAsync<IsmsException>(() => Register.CreateAsync(new AccessReviewDefinition
        {
            Name = "Nothing",
            Scope = new AccessReviewScope { GroupNames = ["Payroll*"] },
            Reviewers = new AccessReviewReviewers { Rule = AccessReviewerRule.ResourceOwner },
        }, DirectoryIndex.Build(Team()), null, RoleCatalog.Empty, TempWorkspace.Context, CancellationToken.None));

        Assert.Equal("IsmsOps.AccessReview.EmptyScope", error.ErrorId);
        Assert.Empty(await Register.FindAsync(new AccessReviewCampaignQuery(), CancellationToken.None));
        Assert.Empty(_store.Events());
    }

    [Fact]
    public async Task A_reviewer_decides_only_their_own_items_and_the_refusal_is_audited()
    {
        AccessReviewCampaign campaign = await CreateTeamCampaignAsync();
        AccessReviewItem adminMembership = Item(campaign, "u-ada", "g-admins");

        IsmsException error = await Assert.ThrowsAsync<IsmsException>(() => DecideAsync(campaign, adminMembership, "oscar@contoso.com", AccessReviewDecision.Deny));

        Assert.Equal("IsmsOps.AccessReview.NotYourItem", error.ErrorId);
        Assert.True(Item(campaign, "u-ada", "g-admins").IsPending);
        AuditEvent refused = Assert.Single(Events(AccessReviewAuditActions.DecisionRefused));
        Assert.Equal("IsmsOps.AccessReview.NotYourItem", Details(refused).GetProperty("ErrorId").GetString());
        Assert.Equal("u-oscar", Details(refused).GetProperty("ReviewerId").GetString());
        Assert.Equal("IsmsOps.AccessReview.NotAReviewer",
            (await Assert.ThrowsAsync<IsmsException>(() => DecideAsync(campaign, adminMembership, "ada@contoso.com", AccessReviewDecision.Approve))).ErrorId);
        // Someone who reviews nothing in the campaign is audited too, by a digest of the name given, never the name.
        AuditEvent outsider = Assert.Single(Events(AccessReviewAuditActions.DecisionRefused), e => e != refused);
        Assert.Equal("IsmsOps.AccessReview.NotAReviewer", Details(outsider).GetProperty("ErrorId").GetString());
        Assert.Equal(adminMembership.ItemId, Details(outsider).GetProperty("ItemId").GetInt64());
        Assert.Equal(64, Details(outsider).GetProperty("ReviewerSha256").GetString()!.Length);
        Assert.DoesNotContain("ada@", outsider.Details, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Approving_privileged_access_needs_a_justification_which_the_item_keeps_and_the_trail_holds_only_as_a_digest()
    {
        AccessReviewCampaign campaign = await CreateTeamCampaignAsync();
        AccessReviewItem admin = Item(campaign, "u-ada", "g-admins");
        Assert.True(admin.Privileged);

        IsmsException error = await Assert.ThrowsAsync<IsmsException>(() => DecideAsync(campaign, admin, "olga@contoso.com", AccessReviewDecision.Approve, "  "));
        Assert.Equal("IsmsOps.AccessReview.JustificationRequired", error.ErrorId);

        AccessReviewItem decided = await DecideAsync(campaign, admin, "olga@contoso.com", AccessReviewDecision.Approve, "On-call administrator for payroll");
        Assert.Equal((AccessReviewDecision.Approve, "u-olga", 2L), (decided.Decision, decided.DecidedBy, decided.Version));
        Assert.Equal("On-call administrator for payroll", Item(campaign, "u-ada", "g-admins").Justification);
        AuditEvent recorded = Assert.Single(Events(AccessReviewAuditActions.ItemDecided));
        Assert.DoesNotContain("payroll", recorded.Details, StringComparison.Ordinal);
        Assert.Equal(64, Details(recorded).GetProperty("JustificationSha256").GetString()!.Length);

        // Denying privileged access, or approving ordinary access, needs no words.
        await DecideAsync(campaign, Item(campaign, "u-bob", "g-team"), "oscar@contoso.com", AccessReviewDecision.Approve);
    }

    [Fact]
    public async Task A_decision_after_the_due_date_is_refused_unless_forced_and_a_forced_one_is_audited_as_late()
    {
        AccessReviewCampaign campaign = await CreateTeamCampaignAsync();
        AccessReviewItem bob = Item(campaign, "u-bob", "g-team");
        _now = campaign.DueDate.UtcDateTime.AddMinutes(1);

        IsmsException error = await Assert.ThrowsAsync<IsmsException>(() => DecideAsync(campaign, bob, "olga@contoso.com", AccessReviewDecision.Deny));
        Assert.Equal("IsmsOps.AccessReview.PastDue", error.ErrorId);
        Assert.Contains("-Force", error.RecommendedAction);
        Assert.True(Item(campaign, "u-bob", "g-team").IsPending);

        await DecideAsync(campaign, bob, "olga@contoso.com", AccessReviewDecision.Deny, force: true);
        Assert.Equal(AccessReviewDecision.Deny, Item(campaign, "u-bob", "g-team").Decision);
        Assert.True(Details(Assert.Single(Events(AccessReviewAuditActions.ItemDecided))).GetProperty("Late").GetBoolean());
    }

    [Fact]
    public async Task Two_reviewers_racing_on_one_item_the_first_decision_wins_the_other_gets_a_conflict_and_both_attempts_are_audited()
    {
        AccessReviewCampaign campaign = await CreateTeamCampaignAsync();
        AccessReviewItem bob = Item(campaign, "u-bob", "g-team");
        Assert.Equal(["u-olga", "u-oscar"], bob.ReviewerIds);

        using var go = new ManualResetEventSlim();
        Task<AccessReviewItem> Race(string reviewer, AccessReviewDecision decision) => Task.Run(async () =>
        {
            go.Wait();
            return await DecideAsync(campaign, bob, reviewer, decision, expectedVersion: bob.Version);
        });

        Task<AccessReviewItem> olga = Race("olga@contoso.com", AccessReviewDecision.Approve);
        Task<AccessReviewItem> oscar = Race("oscar@contoso.com", AccessReviewDecision.Deny);
        go.Set();
        await Task.WhenAll(olga, oscar).ContinueWith(_ => { }, TaskScheduler.Default);

        Task<AccessReviewItem> winner = Assert.Single(new[] { olga, oscar }, t => t.IsCompletedSuccessfully);
        Task<AccessReviewItem> loser = Assert.Single(new[] { olga, oscar }, t => t.IsFaulted);
        IsmsException conflict = Assert.IsType<IsmsException>(loser.Exception!.InnerException);
        Assert.Equal("IsmsOps.AccessReview.Conflict", conflict.ErrorId);
        AccessReviewItem won = await winner;
        AccessReviewItem stored = Item(campaign, "u-bob", "g-team");
        Assert.Equal((won.Decision, won.DecidedBy, 2L), (stored.Decision, stored.DecidedBy, stored.Version));
        AuditEvent decided = Assert.Single(Events(AccessReviewAuditActions.ItemDecided));
        AuditEvent refused = Assert.Single(Events(AccessReviewAuditActions.DecisionRefused));
        Assert.Equal(stored.DecidedBy, Details(decided).GetProperty("ReviewerId").GetString());
        Assert.NotEqual(stored.DecidedBy, Details(refused).GetProperty("ReviewerId").GetString());
        Assert.Equal("IsmsOps.AccessReview.Conflict", Details(refused).GetProperty("ErrorId").GetString());
    }

    [Fact]
    public async Task Another_reviewer_cannot_overturn_a_decision_but_its_author_can_revise_it_on_the_current_version_only()
    {
        AccessReviewCampaign campaign = await CreateTeamCampaignAsync();
        AccessReviewItem bob = Item(campaign, "u-bob", "g-team");
        AccessReviewItem first = await DecideAsync(campaign, bob, "olga@contoso.com", AccessReviewDecision.Approve);

        Assert.Equal("IsmsOps.AccessReview.Conflict",
            (await Assert.ThrowsAsync<IsmsException>(() => DecideAsync(campaign, bob, "oscar@contoso.com", AccessReviewDecision.Deny))).ErrorId);
        Assert.Equal("IsmsOps.AccessReview.Conflict",
            (await Assert.ThrowsAsync<IsmsException>(() => DecideAsync(campaign, bob, "olga@contoso.com", AccessReviewDecision.Deny, expectedVersion: bob.Version))).ErrorId);

        AccessReviewItem revised = await DecideAsync(campaign, bob, "olga@contoso.com", AccessReviewDecision.Deny, expectedVersion: first.Version);
        Assert.Equal((AccessReviewDecision.Deny, 3L), (Item(campaign, "u-bob", "g-team").Decision, revised.Version));
        Assert.Equal(2, Events(AccessReviewAuditActions.DecisionRefused).Count);
    }

    [Fact]
    public async Task Progress_counts_each_reviewers_items_and_names_the_overdue_ones_once_the_due_date_passes()
    {
        AccessReviewCampaign campaign = await CreateTeamCampaignAsync();
        await DecideAsync(campaign, Item(campaign, "u-ada", "g-team"), "oscar@contoso.com", AccessReviewDecision.Approve);
        await DecideAsync(campaign, Item(campaign, "u-bob", "g-team"), "oscar@contoso.com", AccessReviewDecision.Deny);

        Assert.All(await Register.ProgressAsync(campaign.CampaignId, CancellationToken.None), p => Assert.False(p.IsOverdue));
        _now = campaign.DueDate.UtcDateTime.AddDays(1);
        AccessReviewOverview overview = await Register.OverviewAsync(campaign.CampaignId, CancellationToken.None);

        // Olga reviews the admins group alone and has not decided it; the team items both reviewed are decided (by Oscar).
        AccessReviewerProgress olga = overview.Reviewers.Single(p => p.Reviewer.ReviewerId == "u-olga");
        Assert.Equal((3L, 2L, true), (olga.Assigned, olga.Decided, olga.IsOverdue));
        AccessReviewerProgress oscar = overview.Reviewers.Single(p => p.Reviewer.ReviewerId == "u-oscar");
        Assert.Equal((2L, 2L, false), (oscar.Assigned, oscar.Decided, oscar.IsOverdue));
        Assert.Equal(["olga@contoso.com"], overview.OverdueReviewers);
        Assert.Equal((3, 2L, 1L, true), (overview.ItemCount, overview.Decided, overview.Pending, overview.IsOverdue));
        AccessReviewItem pending = Assert.Single(Register.ReadItems(new AccessReviewItemQuery { CampaignId = campaign.CampaignId, PendingOnly = true }, CancellationToken.None));
        Assert.Equal("g-admins", pending.ResourceId);
        Assert.Equal(["u-oscar"], Register.ReadItems(new AccessReviewItemQuery { CampaignId = campaign.CampaignId, ReviewerId = "u-oscar" }, CancellationToken.None)
            .Select(i => i.DecidedBy).Distinct());
    }

    [Fact]
    public async Task A_batch_of_decisions_is_judged_item_by_item_in_order_and_a_refusal_stops_only_its_own_item()
    {
        AccessReviewCampaign campaign = await CreateTeamCampaignAsync();
        AccessReviewItem bob = Item(campaign, "u-bob", "g-team");
        AccessReviewItem ada = Item(campaign, "u-ada", "g-team");
        AccessReviewItem admin = Item(campaign, "u-ada", "g-admins");
        AccessReviewDecisionRequest Request(AccessReviewItem item, string reviewer, AccessReviewDecision decision) =>
            new() { CampaignId = campaign.CampaignId, ItemId = item.ItemId, Decision = decision, Reviewer = reviewer, ExpectedVersion = item.Version };

        IReadOnlyList<AccessReviewDecisionOutcome> outcomes = await Register.DecideAllAsync(
        [
            Request(bob, "olga@contoso.com", AccessReviewDecision.Deny),
            Request(bob, "oscar@contoso.com", AccessReviewDecision.Approve),
            Request(admin, "olga@contoso.com", AccessReviewDecision.Approve),
            Request(ada, "oscar@contoso.com", AccessReviewDecision.DontKnow),
        ], TempWorkspace.Context, CancellationToken.None);

        Assert.Equal([true, false, false, true], outcomes.Select(o => o.Item is not null));
        Assert.Equal("IsmsOps.AccessReview.Conflict", outcomes[1].Error!.ErrorId);
        Assert.Equal("IsmsOps.AccessReview.JustificationRequired", outcomes[2].Error!.ErrorId);
        Assert.Equal((AccessReviewDecision.Deny, "u-olga"), (Item(campaign, "u-bob", "g-team").Decision, Item(campaign, "u-bob", "g-team").DecidedBy));
        Assert.True(Item(campaign, "u-ada", "g-admins").IsPending);
        Assert.Equal(AccessReviewDecision.DontKnow, Item(campaign, "u-ada", "g-team").Decision);
        Assert.Equal(
            [AccessReviewAuditActions.ItemDecided, AccessReviewAuditActions.DecisionRefused, AccessReviewAuditActions.DecisionRefused, AccessReviewAuditActions.ItemDecided],
            _store.Events().Where(e => e.Action.StartsWith("AccessReview.", StringComparison.Ordinal) && e.Action != AccessReviewAuditActions.CampaignCreated).Select(e => e.Action));
    }
}
