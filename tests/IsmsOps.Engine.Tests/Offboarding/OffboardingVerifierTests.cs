using IsmsOps.Engine.Access;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Tests.Graph;
using IsmsOps.Sandbox;

namespace IsmsOps.Engine.Tests.Offboarding;

public sealed class OffboardingVerifierTests
{
    [Fact]
    public async Task After_a_full_run_nothing_removable_remains_and_what_remains_names_the_system_that_must_act()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 200 });
        Leaver leaver = Leaver.Create(graph.Sandbox.Tenant);
        await new OffboardingStepRunner(graph.Connection, SandboxGraph.FastRetries).RunAsync(leaver.Steps(), null, CancellationToken.None);

        OffboardingVerification verification = await new OffboardingVerifier(graph.Reader).VerifyAsync(leaver.User.Id, CancellationToken.None);

        Assert.True(verification.NothingRemovableRemains);
        Assert.False(verification.AccountEnabled);
        Assert.Equal(leaver.User.SignInSessionsValidFromDateTime, verification.SignInSessionsValidFrom);
        Assert.All(verification.Remaining, r => Assert.False(r.RemovableThroughGraph, $"{r.Kind} {r.ResourceDisplayName}: {r.Why}"));
        Assert.Equal("the group's dynamic membership rule", Remaining(verification, leaver.DynamicGroup.Id).ActingSystem);
        Assert.Equal("on-premises Active Directory", Remaining(verification, leaver.SyncedGroup.Id).ActingSystem);
        Assert.Equal("Exchange Online", Remaining(verification, leaver.MailEnabledGroup.Id).ActingSystem);
    }

    [Fact]
    public async Task A_step_left_out_shows_as_removable_access_that_remains()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 200 });
        Leaver leaver = Leaver.Create(graph.Sandbox.Tenant);
        string forgotten = leaver.AppRoles[0].Id;
        await new OffboardingStepRunner(graph.Connection, SandboxGraph.FastRetries)
            .RunAsync(leaver.Steps().Where(s => s.AssignmentId != forgotten), null, CancellationToken.None);

        OffboardingVerification verification = await new OffboardingVerifier(graph.Reader).VerifyAsync(leaver.User.UserPrincipalName, CancellationToken.None);

        Assert.False(verification.NothingRemovableRemains);
        RemainingAccess left = Assert.Single(verification.Remaining, r => r.RemovableThroughGraph);
        Assert.Equal(nameof(AccessKind.AppRole), left.Kind);
        Assert.Equal(forgotten, left.Grant!.AssignmentId);
        Assert.Equal(RemovalPath.Graph, left.Removal);
        Assert.StartsWith("Graph can remove it and the offboarding did not", left.Why);
    }

    [Fact]
    public async Task An_enabled_account_is_never_verified_as_offboarded()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 200 });
        Leaver leaver = Leaver.Create(graph.Sandbox.Tenant);
        await new OffboardingStepRunner(graph.Connection, SandboxGraph.FastRetries)
            .RunAsync(leaver.Steps().Where(s => s.Kind != OffboardingStepKind.DisableAccount), null, CancellationToken.None);

        OffboardingVerification verification = await new OffboardingVerifier(graph.Reader).VerifyAsync(leaver.User.Id, CancellationToken.None);

        Assert.True(verification.AccountEnabled);
        Assert.False(verification.NothingRemovableRemains);
    }

    [Fact]
    public async Task Authentication_methods_and_direct_reports_left_behind_are_reported()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 200 });
        Leaver leaver = Leaver.Create(graph.Sandbox.Tenant);
        await new OffboardingStepRunner(graph.Connection, SandboxGraph.FastRetries)
            .RunAsync(leaver.Steps().Where(s => s.Kind is not (OffboardingStepKind.RemoveAuthenticationMethod or OffboardingStepKind.ReassignDirectReports)),
                null, CancellationToken.None);

        OffboardingVerification verification = await new OffboardingVerifier(graph.Reader).VerifyAsync(leaver.User.Id, CancellationToken.None);

        Assert.False(verification.NothingRemovableRemains);
        Assert.Equal(3, verification.Remaining.Count(r => r.Kind == "AuthenticationMethod"));
        Assert.Equal(leaver.Reports.Select(r => r.Id).Order(), verification.Remaining.Where(r => r.Kind == "DirectReport").Select(r => r.ResourceId).Order());
    }

    private static RemainingAccess Remaining(OffboardingVerification verification, string groupId) =>
        verification.Remaining.Single(r => r.Kind == nameof(AccessKind.GroupMembership) && r.ResourceId == groupId && r.Grant!.Assignment == AssignmentType.Direct);
}
