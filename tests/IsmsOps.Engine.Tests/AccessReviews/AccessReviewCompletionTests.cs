using IsmsOps.Engine.Access;
using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Snapshots;
using IsmsOps.Engine.Storage;
using IsmsOps.Engine.Tests.Browser;
using IsmsOps.Engine.Tests.Graph;
using IsmsOps.Engine.Tests.Offboarding;
using IsmsOps.Sandbox;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Engine.Tests.AccessReviews;

/// <summary>Completing a campaign, judged by the sandbox tenant's state after the removals.</summary>
public sealed class AccessReviewCompletionTests
{
    private sealed class Fixture : IDisposable
    {
        public required SandboxGraph Graph { get; init; }
        public required TempWorkspace Store { get; init; }
        public required Leaver Holder { get; init; }
        public required AccessReviewCampaign Campaign { get; init; }
        public required AccessReviewCompletion Completion { get; init; }
        public required List<AccessReviewItem> Items { get; init; }
        public DateTime Now { get; set; }

        public Tenant Tenant => Graph.Sandbox.Tenant;

        public AccessReviewItem HolderItem(string resourceId) => Items.Single(i => i.PrincipalId == Holder.User.Id && i.ResourceId == resourceId);

        public void Dispose()
        {
            Store.Dispose();
            Graph.Dispose();
        }
    }

    // The holder's first project group is approved, the second denied, the rest of the holder's access left to the Deny
    // default; everyone else's items are approved.
    private static async Task<Fixture> ArrangeAsync(AccessReviewDefaultDecision defaultDecision = AccessReviewDefaultDecision.Deny)
    {
        SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 100 });
        Tenant tenant = graph.Sandbox.Tenant;
        Leaver holder = Leaver.Create(tenant, cloudGroups: 4, appRoles: 2);
        DirectorySnapshot snapshot = await new DirectorySnapshotCollector(graph.Reader).CollectAsync(null, CancellationToken.None);
        var store = new TempWorkspace();
        DateTime now = snapshot.CollectedAt.UtcDateTime;
        Fixture? fixture = null;
        var register = new AccessReviewRegister(store.Workspace.Store, store.Workspace.Audit, () => fixture?.Now ?? now);
        AccessReviewCampaign campaign = await register.CreateAsync(new AccessReviewDefinition
        {
            Name = "Holder's access",
            Scope = new AccessReviewScope
            {
                GroupNames = [.. holder.CloudGroups.Select(g => g.Id), holder.SyncedGroup.Id, holder.DynamicGroup.Id],
                PrivilegedDirectoryRoles = true,
                AppRoleAssignments = true,
            },
            Reviewers = new AccessReviewReviewers { Rule = AccessReviewerRule.Named, Named = [holder.Manager.UserPrincipalName], Fallback = [holder.User.UserPrincipalName] },
            DefaultDecision = defaultDecision,
        }, DirectoryIndex.Build(snapshot), null, RoleCatalog.Empty, TempWorkspace.Context, CancellationToken.None);
        List<AccessReviewItem> items = register.ReadItems(new AccessReviewItemQuery { CampaignId = campaign.CampaignId }, CancellationToken.None).ToList();
        var decisions = items
            .Where(i => i.PrincipalId != holder.User.Id || i.ResourceId == holder.CloudGroups[0].Id || i.ResourceId == holder.CloudGroups[1].Id)
            .Select(i => new AccessReviewDecisionRequest
            {
                CampaignId = campaign.CampaignId, ItemId = i.ItemId, Reviewer = i.ReviewerIds[0], Justification = "Still needed",
                Decision = i.ResourceId == holder.CloudGroups[1].Id && i.PrincipalId == holder.User.Id ? AccessReviewDecision.Deny : AccessReviewDecision.Approve,
            }).ToList();
        IReadOnlyList<AccessReviewDecisionOutcome> outcomes = await register.DecideAllAsync(decisions, TempWorkspace.Context, CancellationToken.None);
        Assert.All(outcomes, o => Assert.Null(o.Error));
        fixture = new Fixture
        {
            Graph = graph, Store = store, Holder = holder, Campaign = campaign, Items = items, Now = now,
            Completion = new AccessReviewCompletion(store.Workspace.Store, store.Workspace.Audit, () => fixture!.Now),
        };
        return fixture;
    }

    private static Task<AccessReviewCompletionResult> CompleteAsync(Fixture f, bool force = false) =>
        f.Completion.CompleteAsync(f.Campaign.CampaignId, f.Graph.Connection, force, TempWorkspace.Context, CancellationToken.None, SandboxGraph.FastRetries);

    [Fact]
    public async Task Completing_removes_denied_and_default_denied_access_from_the_tenant_keeps_approved_access_and_reports_what_Graph_cannot_remove()
    {
        using Fixture f = await ArrangeAsync();
        Leaver holder = f.Holder;
        int othersRoles = f.Tenant.RoleAssignments.Count(a => a.Principal != holder.User) + f.Tenant.RoleEligibilities.Count(e => e.Principal != holder.User);
        int othersAppRoles = f.Tenant.AppRoleAssignments.Count(a => a.Principal != holder.User);
        f.Now = f.Campaign.DueDate.UtcDateTime.AddDays(1);

        AccessReviewCompletionResult result = await CompleteAsync(f);

        // The tenant: the approved group stays; the denied one and every default-denied grant Graph can remove are gone.
        Assert.Contains(holder.User.MemberOf, g => g == holder.CloudGroups[0]);
        Assert.DoesNotContain(holder.User.MemberOf, g => holder.CloudGroups.Skip(1).Contains(g));
        Assert.DoesNotContain(f.Tenant.RoleAssignments, a => a.Principal == holder.User);
        Assert.DoesNotContain(f.Tenant.RoleEligibilities, e => e.Principal == holder.User);
        Assert.Empty(f.Tenant.AppRoleAssignmentsOf(holder.User));
        Assert.Equal(othersRoles, f.Tenant.RoleAssignments.Count + f.Tenant.RoleEligibilities.Count);
        Assert.Equal(othersAppRoles, f.Tenant.AppRoleAssignments.Count);
        // The synced and dynamic groups cannot be left through Graph: the holder stays, and the result says who can remove it.
        Assert.Contains(holder.User.MemberOf, g => g == holder.SyncedGroup);
        Assert.Contains(holder.User.MemberOf, g => g == holder.DynamicGroup);
        AccessReviewApplyResult synced = result.Results.Single(r => r.ItemId == f.HolderItem(holder.SyncedGroup.Id).ItemId);
        Assert.Equal(AccessRemovalOutcome.NotRemovableByGraph, synced.Outcome);
        Assert.Contains("on-premises Active Directory", synced.Reason);
        AccessReviewApplyResult dynamic = result.Results.Single(r => r.ItemId == f.HolderItem(holder.DynamicGroup.Id).ItemId);
        Assert.Equal(AccessRemovalOutcome.NotRemovableByGraph, dynamic.Outcome);
        Assert.Contains("dynamic membership rule", dynamic.Reason);

        Assert.Equal(AccessReviewCampaignStatus.Completed, result.Status);
        Assert.Equal(0, result.Failed);
        Assert.Equal(3 + 3 + 2, result.AppliedSuccessfully);
        IReadOnlyList<AccessReviewApplyResult> stored = await f.Store.Workspace.Store.GetAccessReviewResultsAsync(f.Campaign.CampaignId, CancellationToken.None);
        Assert.Equal(result.Results.Select(r => (r.ItemId, r.Outcome)), stored.Select(r => (r.ItemId, r.Outcome)));
        Assert.All(stored.Where(r => r.Outcome == AccessRemovalOutcome.AppliedSuccessfully), r => Assert.False(string.IsNullOrEmpty(r.GraphRequestId)));
    }

    [Fact]
    public async Task Completing_twice_changes_nothing_in_the_tenant_and_returns_the_stored_results()
    {
        using Fixture f = await ArrangeAsync();
        f.Now = f.Campaign.DueDate.UtcDateTime.AddDays(1);
        AccessReviewCompletionResult first = await CompleteAsync(f);
        int memberships = f.Holder.User.MemberOf.Count();

        AccessReviewCompletionResult second = await CompleteAsync(f);

        Assert.True(second.AlreadyCompleted);
        Assert.Equal(0, second.GraphRequests);
        Assert.Equal(first.Results.Select(r => (r.ItemId, r.Outcome, r.GraphRequestId)), second.Results.Select(r => (r.ItemId, r.Outcome, r.GraphRequestId)));
        Assert.Equal(memberships, f.Holder.User.MemberOf.Count());
        Assert.Contains(f.Holder.User.MemberOf, g => g == f.Holder.CloudGroups[0]);
    }

    [Fact]
    public async Task A_rerun_after_a_partial_run_sends_only_unsettled_items_and_access_removed_meanwhile_is_AlreadyRemoved()
    {
        using Fixture f = await ArrangeAsync();
        f.Now = f.Campaign.DueDate.UtcDateTime.AddDays(1);
        // As if a run crashed after removing the denied group and storing its result, and someone removed another by hand.
        AccessReviewItem removedBefore = f.HolderItem(f.Holder.CloudGroups[1].Id);
        AccessReviewItem removedByHand = f.HolderItem(f.Holder.CloudGroups[2].Id);
        await new OffboardingStepRunner(f.Graph.Connection, SandboxGraph.FastRetries)
            .RunAsync([removedBefore.ToRemovalStep(1), removedByHand.ToRemovalStep(2)], null, CancellationToken.None);
        Assert.DoesNotContain(f.Holder.User.MemberOf, g => g == f.Holder.CloudGroups[2]);
        await using (var transaction = await f.Store.Workspace.Store.BeginWriteAsync(CancellationToken.None))
        {
            await transaction.SaveAccessReviewResultsAsync([new AccessReviewApplyResult
            {
                CampaignId = f.Campaign.CampaignId, ItemId = removedBefore.ItemId, Outcome = AccessRemovalOutcome.AppliedSuccessfully,
                GraphRequestId = "earlier-run", AppliedAt = f.Now,
            }], CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
        }

        AccessReviewCompletionResult result = await CompleteAsync(f);

        Assert.Equal("earlier-run", result.Results.Single(r => r.ItemId == removedBefore.ItemId).GraphRequestId);
        Assert.Equal(AccessRemovalOutcome.AlreadyRemoved, result.Results.Single(r => r.ItemId == removedByHand.ItemId).Outcome);
        Assert.DoesNotContain(f.Holder.User.MemberOf, g => f.Holder.CloudGroups.Skip(1).Contains(g));
        Assert.Equal(AccessReviewCampaignStatus.Completed, result.Status);
    }

    [Fact]
    public async Task Completing_before_the_due_date_without_Force_or_without_a_Graph_connection_is_refused_and_changes_nothing()
    {
        using Fixture f = await ArrangeAsync();

        IsmsException early = await Assert.ThrowsAsync<IsmsException>(() => CompleteAsync(f));
        IsmsException offline = await Assert.ThrowsAsync<IsmsException>(() =>
            f.Completion.CompleteAsync(f.Campaign.CampaignId, null, force: true, TempWorkspace.Context, CancellationToken.None));

        Assert.Equal("IsmsOps.AccessReview.NotDue", early.ErrorId);
        Assert.Contains("-Force", early.RecommendedAction);
        Assert.Equal("IsmsOps.AccessReview.NotConnected", offline.ErrorId);
        Assert.Contains(f.Holder.User.MemberOf, g => g == f.Holder.CloudGroups[1]);
        Assert.Empty(await f.Store.Workspace.Store.GetAccessReviewResultsAsync(f.Campaign.CampaignId, CancellationToken.None));
        Assert.Equal(AccessReviewCampaignStatus.Active, (await f.Store.Workspace.Store.GetAccessReviewCampaignAsync(f.Campaign.CampaignId, CancellationToken.None))!.Status);
    }

    [Fact]
    public async Task The_completion_is_audited_once_with_counts_per_outcome_and_no_names()
    {
        using Fixture f = await ArrangeAsync();
        AccessReviewCompletionResult result = await CompleteAsync(f, force: true);

        IReadOnlyList<AuditEvent> events = f.Store.Workspace.Audit.Find(new AuditEventQuery(), [AccessReviewCompletion.CompletedAction], [], CancellationToken.None).ToList();

        AuditEvent completed = Assert.Single(events);
        Assert.Contains($"\"AppliedSuccessfully\":{result.AppliedSuccessfully}", completed.Details);
        Assert.Contains($"\"NotRemovableByGraph\":{result.NotRemovableByGraph}", completed.Details);
        Assert.Contains(AccessReviewCompletion.Digest(result.Results), completed.Details);
        Assert.DoesNotContain(f.Holder.User.UserPrincipalName, completed.Details, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Project 00", completed.Details);
    }

    [Fact]
    public async Task The_evidence_CSV_holds_every_item_with_its_effective_decision_and_apply_result()
    {
        using Fixture f = await ArrangeAsync();
        f.Now = f.Campaign.DueDate.UtcDateTime.AddDays(1);
        AccessReviewCompletionResult result = await CompleteAsync(f);
        var register = new AccessReviewRegister(f.Store.Workspace.Store, f.Store.Workspace.Audit, () => f.Now);

        AccessReviewEvidenceFiles files = await AccessReviewEvidence.WriteAsync(register, f.Store.Workspace.Store, f.Campaign.CampaignId,
            Path.Combine(f.Store.Home, "evidence"), f.Now, CancellationToken.None);

        string[] lines = File.ReadAllLines(files.CsvPath);
        Assert.Equal(f.Items.Count + 1, lines.Length);
        string approved = lines.Single(l => l.StartsWith(f.HolderItem(f.Holder.CloudGroups[0].Id).ItemId + ",", StringComparison.Ordinal));
        Assert.Contains(",Approve,", approved);
        Assert.DoesNotContain("AppliedSuccessfully", approved);
        string denied = lines.Single(l => l.StartsWith(f.HolderItem(f.Holder.CloudGroups[1].Id).ItemId + ",", StringComparison.Ordinal));
        Assert.Contains(",Deny,", denied);
        Assert.Contains(",AppliedSuccessfully,", denied);
        Assert.Equal(result.AppliedSuccessfully, lines.Count(l => l.Contains(",AppliedSuccessfully,", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Chromium_shows_hostile_principal_and_reviewer_names_in_the_evidence_page_as_text_not_script()
    {
        using Fixture f = await ArrangeAsync();
        f.Now = f.Campaign.DueDate.UtcDateTime.AddDays(1);
        AccessReviewCompletionResult result = await CompleteAsync(f);
        var register = new AccessReviewRegister(f.Store.Workspace.Store, f.Store.Workspace.Audit, () => f.Now);
        const string Hostile = "<script>document.title='pwned'</script><img src=x onerror=alert(1)>";
        AccessReviewOverview overview = await register.OverviewAsync(f.Campaign.CampaignId, CancellationToken.None);
        // Every reviewer marked overdue, so the overdue table is rendered with the hostile reviewer name in it.
        overview = overview with
        {
            Reviewers = [.. overview.Reviewers.Select(p => p with { Reviewer = p.Reviewer with { DisplayName = Hostile }, IsOverdue = true })],
        };
        List<AccessReviewItem> items = [.. f.Items.Select(i => i with { PrincipalDisplayName = Hostile })];
        string path = Path.Combine(f.Store.Home, "evidence.html");
        File.WriteAllText(path, AccessReviewEvidence.Render(overview, items, result.Results, f.Now));

        string dom = HeadlessChromium.DumpDom(path);

        Assert.DoesNotMatch("(?i)<(script|img|iframe|object|embed|link)\\b", dom);
        Assert.DoesNotContain("pwned", dom.Split("<title>")[1].Split("</title>")[0]);
        Assert.Contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;", dom);
        Assert.Contains($"<h1>Access review evidence: Holder's access ({f.Campaign.CampaignId})</h1>", dom.Replace("&#39;", "'"));
        Assert.Equal(result.Results.Count + 1, dom.Split("<table id=\"removal-table\">")[1].Split("</table>")[0].Split("<tr>").Length - 1);
        Assert.Contains("<table id=\"overdue-table\">", dom);
    }

    [Theory]
    [InlineData(AccessReviewDecision.NotReviewed, AccessReviewDefaultDecision.None, AccessReviewRecommendation.Deny, null)]
    [InlineData(AccessReviewDecision.DontKnow, AccessReviewDefaultDecision.Deny, AccessReviewRecommendation.Approve, AccessReviewDecision.Deny)]
    [InlineData(AccessReviewDecision.NotReviewed, AccessReviewDefaultDecision.Approve, AccessReviewRecommendation.Deny, AccessReviewDecision.Approve)]
    [InlineData(AccessReviewDecision.NotReviewed, AccessReviewDefaultDecision.Recommendation, AccessReviewRecommendation.Deny, AccessReviewDecision.Deny)]
    [InlineData(AccessReviewDecision.DontKnow, AccessReviewDefaultDecision.Recommendation, AccessReviewRecommendation.None, null)]
    [InlineData(AccessReviewDecision.Approve, AccessReviewDefaultDecision.Deny, AccessReviewRecommendation.Deny, AccessReviewDecision.Approve)]
    [InlineData(AccessReviewDecision.Deny, AccessReviewDefaultDecision.Approve, AccessReviewRecommendation.Approve, AccessReviewDecision.Deny)]
    public void The_effective_decision_is_the_reviewers_else_the_campaign_default(AccessReviewDecision decision, AccessReviewDefaultDecision defaultDecision,
        AccessReviewRecommendation recommendation, AccessReviewDecision? expected)
    {
        var item = new AccessReviewItem
        {
            CampaignId = "AR-1", ItemId = 1, PrincipalId = "u", PrincipalName = "u@x", ResourceId = "g", ResourceDisplayName = "G",
            ResourceKind = AccessReviewResourceKind.Group, AccessKind = AccessReviewAccessKind.GroupMembership, Assignment = AssignmentType.Direct,
            RemovalStepKind = OffboardingStepKind.RemoveGroupMembership, Removal = RemovalPath.Graph,
            Decision = decision, Recommendation = recommendation,
        };

        Assert.Equal(expected, AccessReviewCompletion.EffectiveDecision(item, defaultDecision));
    }
}
