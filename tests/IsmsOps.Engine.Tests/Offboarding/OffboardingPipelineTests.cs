using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Snapshots;
using IsmsOps.Engine.Tests.Graph;
using IsmsOps.Sandbox;

namespace IsmsOps.Engine.Tests.Offboarding;

/// <summary>
/// The planner and the runner were built apart; these tests hold them together: read a leaver live, plan from that
/// scoped snapshot, run the plan against the sandbox, and verify against the sandbox's own state.
/// </summary>
public sealed class OffboardingPipelineTests
{
    [Fact]
    public async Task A_plan_made_from_a_live_read_removes_every_removable_access_of_the_sandboxs_most_privileged_users()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 300 });
        Sandbox.Directory.Tenant tenant = graph.Sandbox.Tenant;
        // Permanent, time-bound and eligible roles, app roles, owned groups, licences and devices between them.
        var leavers = tenant.Users
            .Where(u => tenant.RoleAssignments.Any(a => a.Principal == u) || tenant.RoleEligibilities.Any(e => e.Principal == u))
            .Take(6)
            .ToList();
        Assert.Contains(leavers, u => tenant.RoleAssignments.Any(a => a.Principal == u && a.EndDateTime is not null));
        Assert.Contains(leavers, u => tenant.RoleEligibilities.Any(e => e.Principal == u));

        foreach (Sandbox.Directory.DirectoryUser leaver in leavers)
        {
            DirectoryIndex before = DirectoryIndex.Build(await new UserAccessCollector(graph.Reader).CollectAsync(leaver.Id, CancellationToken.None));
            OffboardingPlan plan = OffboardingPlanner.Plan(before, leaver.Id);

            IReadOnlyList<OffboardingStep> ran = await new OffboardingStepRunner(graph.Connection, SandboxGraph.FastRetries)
                .RunAsync(plan.Steps, null, CancellationToken.None);
            OffboardingVerification verification = await new OffboardingVerifier(graph.Reader).VerifyAsync(leaver.Id, CancellationToken.None);

            Assert.All(ran, s => Assert.True(s.IsSettled, $"{leaver.UserPrincipalName}: step {s.Sequence} {s.Kind} {s.ResourceDisplayName} is {s.Status}: {s.Reason}"));
            Assert.True(verification.NothingRemovableRemains,
                $"{leaver.UserPrincipalName}: " + string.Join("; ", verification.Remaining.Where(r => r.RemovableThroughGraph).Select(r => $"{r.Kind} {r.ResourceDisplayName}: {r.Why}")));
            // The directory itself, not our bookkeeping.
            Assert.False(leaver.AccountEnabled);
            Assert.DoesNotContain(tenant.RoleAssignments, a => a.Principal == leaver);
            Assert.DoesNotContain(tenant.RoleEligibilities, e => e.Principal == leaver);
            Assert.Empty(tenant.AppRoleAssignmentsOf(leaver));
            Assert.DoesNotContain(tenant.OAuth2PermissionGrants, g => g.PrincipalId == leaver.Id);
        }
    }

    [Fact]
    public async Task Running_a_finished_plan_again_changes_nothing_in_the_directory()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 200 });
        Sandbox.Directory.DirectoryUser leaver = graph.Sandbox.Tenant.Users.First(u => u.MemberOf.Count >= 3);
        OffboardingPlan plan = OffboardingPlanner.Plan(
            DirectoryIndex.Build(await new UserAccessCollector(graph.Reader).CollectAsync(leaver.Id, CancellationToken.None)), leaver.Id);
        var runner = new OffboardingStepRunner(graph.Connection, SandboxGraph.FastRetries);
        await runner.RunAsync(plan.Steps, null, CancellationToken.None);
        int groups = leaver.MemberOf.Count;

        IReadOnlyList<OffboardingStep> again = await runner.RunAsync(plan.Steps, null, CancellationToken.None);

        Assert.Equal(groups, leaver.MemberOf.Count);
        Assert.All(again.Where(s => s.Kind == OffboardingStepKind.RemoveGroupMembership), s => Assert.Equal(OffboardingStepStatus.Done, s.Status));
    }
}
