using IsmsOps.Engine.Access;
using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Snapshots;
using IsmsOps.Engine.Tests.Graph;
using IsmsOps.Sandbox;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Engine.Tests.AccessReviews;

/// <summary>Denied guests: completion disables their accounts through the removal service, judged by the sandbox tenant.</summary>
public sealed class AccessReviewGuestTests
{
    [Fact]
    public async Task Completing_disables_a_denied_guest_reports_an_already_disabled_one_as_AlreadyRemoved_and_leaves_approved_guests_enabled()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 100 });
        using var store = new TempWorkspace();
        Tenant tenant = graph.Sandbox.Tenant;
        DirectoryUser[] guests = tenant.Users.Where(u => u.UserType == "Guest" && u.AccountEnabled).Take(3).ToArray();
        Assert.Equal(3, guests.Length);
        DirectoryUser reviewer = tenant.Users.First(u => u.UserType == "Member" && u.AccountEnabled);
        DirectorySnapshot snapshot = await new DirectorySnapshotCollector(graph.Reader).CollectAsync(null, CancellationToken.None);
        var register = new AccessReviewRegister(store.Workspace.Store, store.Workspace.Audit);
        AccessReviewCampaign campaign = await register.CreateAsync(new AccessReviewDefinition
        {
            Name = "Guests",
            Scope = new AccessReviewScope { Guests = true },
            Reviewers = new AccessReviewReviewers { Rule = AccessReviewerRule.Named, Named = [reviewer.UserPrincipalName] },
            DefaultDecision = AccessReviewDefaultDecision.Approve,
        }, DirectoryIndex.Build(snapshot), null, RoleCatalog.Empty, TempWorkspace.Context, CancellationToken.None);
        List<AccessReviewItem> items = register.ReadItems(new AccessReviewItemQuery { CampaignId = campaign.CampaignId }, CancellationToken.None).ToList();
        AccessReviewItem Item(DirectoryUser guest) => items.Single(i => i.PrincipalId == guest.Id);
        foreach (DirectoryUser denied in guests.Take(2))
        {
            await register.DecideAsync(new AccessReviewDecisionRequest
            {
                CampaignId = campaign.CampaignId, ItemId = Item(denied).ItemId, Decision = AccessReviewDecision.Deny, Reviewer = reviewer.UserPrincipalName,
            }, TempWorkspace.Context, CancellationToken.None);
        }

        // Someone blocked the second guest's sign-in by hand before the review completed.
        guests[1].AccountEnabled = false;
        int enabledGuests = tenant.Users.Count(u => u.UserType == "Guest" && u.AccountEnabled);

        AccessReviewCompletionResult result = await new AccessReviewCompletion(store.Workspace.Store, store.Workspace.Audit)
            .CompleteAsync(campaign.CampaignId, graph.Connection, force: true, TempWorkspace.Context, CancellationToken.None, SandboxGraph.FastRetries);

        Assert.False(guests[0].AccountEnabled);
        Assert.False(guests[1].AccountEnabled);
        Assert.True(guests[2].AccountEnabled);
        Assert.Equal(enabledGuests - 1, tenant.Users.Count(u => u.UserType == "Guest" && u.AccountEnabled));
        Assert.Contains(tenant.Users, u => u.Id == guests[0].Id);
        AccessReviewApplyResult disabled = result.Results.Single(r => r.ItemId == Item(guests[0]).ItemId);
        Assert.Equal(AccessRemovalOutcome.AppliedSuccessfully, disabled.Outcome);
        Assert.False(string.IsNullOrEmpty(disabled.GraphRequestId));
        Assert.Equal(AccessRemovalOutcome.AlreadyRemoved, result.Results.Single(r => r.ItemId == Item(guests[1]).ItemId).Outcome);
        Assert.Equal(AccessReviewCampaignStatus.Completed, result.Status);
    }

    [Fact]
    public async Task Disabling_an_account_that_no_longer_exists_is_AlreadyRemoved_not_a_failure()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 100 });
        var service = new AccessRemovalService(graph.Connection, SandboxGraph.FastRetries);
        string gone = Guid.NewGuid().ToString();

        AccessRemovalSummary summary = await service.RemoveAsync(
            [new AccessRemovalRequest { Key = "1", UserId = gone, Kind = AccessKind.Account, ResourceId = graph.Sandbox.TenantId }], null, CancellationToken.None);

        Assert.Equal(AccessRemovalOutcome.AlreadyRemoved, Assert.Single(summary.Results).Outcome);
    }
}
