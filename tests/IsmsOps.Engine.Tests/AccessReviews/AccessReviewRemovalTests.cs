using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Snapshots;
using IsmsOps.Engine.Tests.Graph;
using IsmsOps.Engine.Tests.Offboarding;
using IsmsOps.Sandbox;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Engine.Tests.AccessReviews;

/// <summary>
/// The promise completion will rely on: a stored item carries everything the offboarding step runner needs to remove
/// exactly that access, judged by the sandbox tenant's own state.
/// </summary>
public sealed class AccessReviewRemovalTests
{
    [Fact]
    public async Task Stored_items_turned_into_offboarding_steps_remove_exactly_that_access_from_the_tenant_and_nothing_else()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 150 });
        Tenant tenant = graph.Sandbox.Tenant;
        Leaver holder = Leaver.Create(tenant, cloudGroups: 4, appRoles: 2);
        DirectorySnapshot snapshot = await new DirectorySnapshotCollector(graph.Reader).CollectAsync(null, CancellationToken.None);
        using var store = new TempWorkspace();
        var register = new AccessReviewRegister(store.Workspace.Store, store.Workspace.Audit, () => snapshot.CollectedAt.UtcDateTime);
        AccessReviewCampaign campaign = await register.CreateAsync(new AccessReviewDefinition
        {
            Name = "Everything the holder has",
            Scope = new AccessReviewScope { GroupNames = ["Project *"], PrivilegedDirectoryRoles = true, AppRoleAssignments = true },
            Reviewers = new AccessReviewReviewers { Rule = AccessReviewerRule.Named, Named = [holder.Manager.UserPrincipalName], Fallback = [holder.User.UserPrincipalName] },
        }, DirectoryIndex.Build(snapshot), null, RoleCatalog.Empty, TempWorkspace.Context, CancellationToken.None);
        int othersRoles = tenant.RoleAssignments.Count(a => a.Principal != holder.User) + tenant.RoleEligibilities.Count(e => e.Principal != holder.User);
        int othersAppRoles = tenant.AppRoleAssignments.Count(a => a.Principal != holder.User);

        List<AccessReviewItem> denied = register.ReadItems(new AccessReviewItemQuery { CampaignId = campaign.CampaignId }, CancellationToken.None)
            .Where(i => i.PrincipalId == holder.User.Id && i.Assignment != Engine.Access.AssignmentType.Inherited).ToList();
        IReadOnlyList<OffboardingStep> steps = await new OffboardingStepRunner(graph.Connection, SandboxGraph.FastRetries)
            .RunAsync(denied.Select((item, i) => item.ToRemovalStep(i + 1)), null, CancellationToken.None);

        Assert.Equal(4 + 3 + 2, denied.Count);
        Assert.All(steps, s => Assert.Equal(OffboardingStepStatus.Done, s.Status));
        Assert.DoesNotContain(holder.User.MemberOf, g => holder.CloudGroups.Contains(g));
        Assert.DoesNotContain(tenant.RoleAssignments, a => a.Principal == holder.User);
        Assert.DoesNotContain(tenant.RoleEligibilities, e => e.Principal == holder.User);
        Assert.Empty(tenant.AppRoleAssignmentsOf(holder.User));
        // Only what was denied went: the holder keeps their other groups and their account, and nobody else lost anything.
        Assert.Contains(holder.User.MemberOf, g => g == holder.SyncedGroup);
        Assert.True(holder.User.AccountEnabled);
        Assert.Equal(othersRoles, tenant.RoleAssignments.Count + tenant.RoleEligibilities.Count);
        Assert.Equal(othersAppRoles, tenant.AppRoleAssignments.Count);
    }
}
