using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Tests.Graph;
using IsmsOps.Sandbox;
using IsmsOps.Sandbox.Directory;
using Xunit.Abstractions;

namespace IsmsOps.Engine.Tests.Offboarding;

public sealed class OffboardingStepRunnerTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Offboarding_removes_every_removable_access_and_hands_the_rest_to_the_system_that_owns_it()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 200 });
        Leaver leaver = Leaver.Create(graph.Sandbox.Tenant);
        var settled = new List<OffboardingStep>();

        IReadOnlyList<OffboardingStep> steps = await new OffboardingStepRunner(graph.Connection, SandboxGraph.FastRetries)
            .RunAsync(leaver.Steps(), (step, _) => { settled.Add(step); return Task.CompletedTask; }, CancellationToken.None);

        AssertRemovableAccessIsGone(graph.Sandbox.Tenant, leaver);
        Assert.Equal(steps.Count, settled.Count);
        Assert.Equal(steps.Select(s => s.Sequence).Order(), settled.Select(s => s.Sequence).Order());
        Assert.All(steps, s => Assert.True(s.IsSettled, $"step {s.Sequence} {s.Kind} is {s.Status}: {s.Reason}"));
        Assert.All(steps.Where(s => s.Status == OffboardingStepStatus.Done), s =>
        {
            Assert.NotNull(s.StartedAt);
            Assert.NotNull(s.CompletedAt);
            Assert.NotNull(s.GraphRequestId);
            Assert.True(s.Attempts >= 1);
        });

        Assert.Contains("dynamic membership rule", Step(steps, leaver.DynamicGroup.Id).Reason);
        Assert.Contains("on-premises Active Directory", Step(steps, leaver.SyncedGroup.Id).Reason);
        Assert.Contains("Exchange Online", Step(steps, leaver.MailEnabledGroup.Id).Reason);
        Assert.All(new[] { leaver.DynamicGroup, leaver.SyncedGroup, leaver.MailEnabledGroup }, g => Assert.Equal(OffboardingStepStatus.ManualTask, Step(steps, g.Id).Status));
        Assert.Equal(OffboardingStepStatus.Skipped, Step(steps, PasswordMethod.WellKnownId).Status);
        Assert.Equal(leaver.Manager.Id, steps.Single(s => s.Kind == OffboardingStepKind.ReassignDirectReports).Detail);
        Assert.Contains("\"accountEnabled\":true", steps.Single(s => s.Kind == OffboardingStepKind.DisableAccount).BeforeState);
    }

    [Fact]
    public async Task Running_the_same_steps_again_changes_nothing_and_reports_each_removal_as_already_removed()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 200 });
        Leaver leaver = Leaver.Create(graph.Sandbox.Tenant);
        List<OffboardingStep> plan = leaver.Steps();
        var runner = new OffboardingStepRunner(graph.Connection, SandboxGraph.FastRetries);
        IReadOnlyList<OffboardingStep> first = await runner.RunAsync(plan, null, CancellationToken.None);
        string before = TenantState(graph.Sandbox.Tenant, leaver);

        IReadOnlyList<OffboardingStep> second = await runner.RunAsync(plan, null, CancellationToken.None);

        Assert.Equal(before, TenantState(graph.Sandbox.Tenant, leaver));
        foreach (OffboardingStep step in second)
        {
            OffboardingStep earlier = first.Single(s => s.Sequence == step.Sequence);
            Assert.Equal(earlier.Status, step.Status);
            if (step.Status == OffboardingStepStatus.Done && step.Kind != OffboardingStepKind.RevokeSessions)
            {
                Assert.Equal("already removed", step.Reason);
            }
        }
    }

    [Fact]
    public async Task Steps_already_settled_are_not_run_again()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 200 });
        Leaver leaver = Leaver.Create(graph.Sandbox.Tenant, everything: false);
        var runner = new OffboardingStepRunner(graph.Connection, SandboxGraph.FastRetries);
        IReadOnlyList<OffboardingStep> first = await runner.RunAsync(leaver.Steps(), null, CancellationToken.None);
        long requests = runner.RequestCount;

        IReadOnlyList<OffboardingStep> resumed = await runner.RunAsync(first, null, CancellationToken.None);

        Assert.Equal(requests, runner.RequestCount);
        Assert.Equal(first, resumed);
    }

    [Theory]
    [InlineData(27001)]
    [InlineData(5)]
    [InlineData(9001)]
    public async Task With_a_fifth_of_requests_faulted_the_leaver_ends_with_the_same_access_as_without_faults(int seed)
    {
        string clean;
        using (SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 200, Seed = seed }))
        {
            Leaver leaver = Leaver.Create(graph.Sandbox.Tenant);
            await new OffboardingStepRunner(graph.Connection, SandboxGraph.FastRetries).RunAsync(leaver.Steps(), null, CancellationToken.None);
            clean = TenantState(graph.Sandbox.Tenant, leaver);
        }

        // Every kind of fault, at 20% of requests and of batch items: throttling with and without Retry-After, 503,
        // latency, dropped connections (a dropped $batch takes all its items with it) and requests that never answer.
        using SandboxGraph faulty = await SandboxGraph.StartAsync(
            new SandboxOptions
            {
                UserCount = 200,
                Seed = seed,
                FaultRate = 0.2,
                Faults = Enum.GetValues<SandboxFault>(),
                RetryAfterSeconds = 0,
                FaultLatency = TimeSpan.FromMilliseconds(5),
                FaultTimeout = TimeSpan.FromMilliseconds(50),
            },
            retry: GraphTestSupport.FastRetry());
        Leaver faulted = Leaver.Create(faulty.Sandbox.Tenant);
        IReadOnlyList<OffboardingStep> steps = await new OffboardingStepRunner(faulty.Connection, SandboxGraph.FastRetries)
            .RunAsync(faulted.Steps(), null, CancellationToken.None);

        Assert.All(steps, s => Assert.True(s.IsSettled, $"step {s.Sequence} {s.Kind} is {s.Status}: {s.Reason}"));
        AssertRemovableAccessIsGone(faulty.Sandbox.Tenant, faulted);
        Assert.Equal(clean, TenantState(faulty.Sandbox.Tenant, faulted));
        Assert.Contains(steps, s => s.Attempts > 1);
    }

    [Fact]
    public async Task Two_leavers_in_one_run_each_lose_their_own_access_and_the_lead_batch_of_one_is_not_applied_to_the_other()
    {
        // The lead batch lists one leaver's methods and reports for the whole run; with two people in the run, the
        // second one's "every method" step must list its own.
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 200 });
        Leaver first = Leaver.Create(graph.Sandbox.Tenant, cloudGroups: 5, everything: false);
        Leaver second = Leaver.Create(graph.Sandbox.Tenant, cloudGroups: 5, everything: false);
        List<OffboardingStep> plan = first.Steps().Concat(second.Steps()).Select((s, i) => s with { Sequence = i + 1 }).ToList();
        plan = plan.Select(s => s.Kind == OffboardingStepKind.RemoveAuthenticationMethod ? s with { ResourceId = null, AssignmentId = null, Detail = null } : s)
            .DistinctBy(s => (s.UserId, s.Kind, s.ResourceId, s.AssignmentId)).ToList();

        IReadOnlyList<OffboardingStep> steps = await new OffboardingStepRunner(graph.Connection, SandboxGraph.FastRetries).RunAsync(plan, null, CancellationToken.None);

        Assert.All(steps, s => Assert.True(s.IsSettled, $"step {s.Sequence} {s.Kind} of {s.UserId} is {s.Status}: {s.Reason}"));
        foreach (Leaver leaver in new[] { first, second })
        {
            Assert.False(leaver.User.AccountEnabled);
            Assert.Empty(leaver.User.MemberOf);
            Assert.IsType<PasswordMethod>(Assert.Single(leaver.User.AuthenticationMethods));
            OffboardingStep revoke = steps.Single(s => s.UserId == leaver.User.Id && s.Kind == OffboardingStepKind.RevokeSessions);
            Assert.DoesNotContain(leaver == first ? second.User.Id : first.User.Id, revoke.BeforeState ?? "");
        }
    }

    [Fact]
    public async Task A_missing_permission_fails_only_the_steps_that_need_it_and_names_the_permission()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions
        {
            UserCount = 200,
            GrantedPermissions =
            [
                "Organization.Read.All", "User.ReadWrite.All", "User.RevokeSessions.All", "GroupMember.ReadWrite.All", "Group.ReadWrite.All",
                "AppRoleAssignment.ReadWrite.All", "DelegatedPermissionGrant.ReadWrite.All", "LicenseAssignment.ReadWrite.All",
                "UserAuthenticationMethod.ReadWrite.All", "Device.ReadWrite.All",
            ],
        });
        Leaver leaver = Leaver.Create(graph.Sandbox.Tenant);

        IReadOnlyList<OffboardingStep> steps = await new OffboardingStepRunner(graph.Connection, SandboxGraph.FastRetries)
            .RunAsync(leaver.Steps(), null, CancellationToken.None);

        OffboardingStep[] roleSteps = steps.Where(s => s.Kind is OffboardingStepKind.RemoveDirectoryRole or OffboardingStepKind.RemoveEligibleDirectoryRole).ToArray();
        Assert.Equal(3, roleSteps.Length);
        Assert.All(roleSteps, s =>
        {
            Assert.Equal(OffboardingStepStatus.Failed, s.Status);
            Assert.Contains("RoleManagement.ReadWrite.Directory", s.Reason);
        });
        Assert.All(steps.Except(roleSteps), s => Assert.True(s.IsSettled, $"step {s.Sequence} {s.Kind} is {s.Status}: {s.Reason}"));
        Tenant tenant = graph.Sandbox.Tenant;
        Assert.Contains(leaver.PermanentRole, tenant.RoleAssignments);
        Assert.Contains(leaver.EligibleRole, tenant.RoleEligibilities);
        Assert.False(leaver.User.AccountEnabled);
        Assert.All(leaver.CloudGroups, g => Assert.False(g.HasMember(leaver.User.Id)));
    }

    [Fact]
    public async Task When_disabling_the_account_is_refused_the_sessions_are_still_revoked_and_the_rest_still_removed()
    {
        // The account steps travel as one dependsOn chain; a refused disable must not take the revoke down with it.
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions
        {
            UserCount = 200,
            GrantedPermissions =
            [
                "Organization.Read.All", "User.Read.All", "User.RevokeSessions.All", "GroupMember.ReadWrite.All", "Group.ReadWrite.All",
                "AppRoleAssignment.ReadWrite.All", "DelegatedPermissionGrant.ReadWrite.All", "LicenseAssignment.ReadWrite.All",
                "UserAuthenticationMethod.ReadWrite.All", "Device.ReadWrite.All", "RoleManagement.ReadWrite.Directory",
            ],
        });
        Leaver leaver = Leaver.Create(graph.Sandbox.Tenant, everything: false);

        IReadOnlyList<OffboardingStep> steps = await new OffboardingStepRunner(graph.Connection, SandboxGraph.FastRetries)
            .RunAsync(leaver.Steps(), null, CancellationToken.None);

        OffboardingStep disable = steps.Single(s => s.Kind == OffboardingStepKind.DisableAccount);
        Assert.Equal(OffboardingStepStatus.Failed, disable.Status);
        Assert.Contains("User.EnableDisableAccount.All", disable.Reason);
        Assert.Equal(OffboardingStepStatus.Done, steps.Single(s => s.Kind == OffboardingStepKind.RevokeSessions).Status);
        Assert.True(leaver.User.AccountEnabled);
        Assert.NotNull(leaver.User.SignInSessionsValidFromDateTime);
        Assert.All(leaver.CloudGroups, g => Assert.False(g.HasMember(leaver.User.Id)));
    }

    [Theory]
    [InlineData(5)]
    [InlineData(6)]
    public async Task A_throttled_link_of_the_account_chain_is_sent_again_with_the_links_after_it(int seed)
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions
        {
            UserCount = 200, Seed = seed, FaultRate = 0.4, Faults = [SandboxFault.TooManyRequests, SandboxFault.ServiceUnavailable], RetryAfterSeconds = 0,
        });
        Leaver leaver = Leaver.Create(graph.Sandbox.Tenant, everything: false);
        List<OffboardingStep> plan = leaver.Steps().Take(2).ToList();

        IReadOnlyList<OffboardingStep> steps = await new OffboardingStepRunner(graph.Connection, SandboxGraph.FastRetries).RunAsync(plan, null, CancellationToken.None);

        Assert.All(steps, s => Assert.Equal(OffboardingStepStatus.Done, s.Status));
        Assert.False(leaver.User.AccountEnabled);
        Assert.NotNull(leaver.User.SignInSessionsValidFromDateTime);
    }

    [Fact]
    public async Task The_last_owner_of_a_group_without_a_named_successor_is_left_as_a_manual_task()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 200 });
        Leaver leaver = Leaver.Create(graph.Sandbox.Tenant);

        IReadOnlyList<OffboardingStep> steps = await new OffboardingStepRunner(graph.Connection, SandboxGraph.FastRetries)
            .RunAsync(leaver.Steps(transferOwnership: false), null, CancellationToken.None);

        OffboardingStep ownership = steps.Single(s => s.Kind == OffboardingStepKind.RemoveGroupOwnership);
        Assert.Equal(OffboardingStepStatus.ManualTask, ownership.Status);
        Assert.Contains("last owner", ownership.Reason);
        Assert.Equal([leaver.User], leaver.OwnedTeam.Owners);
    }

    [Fact]
    public async Task Authentication_methods_are_listed_at_run_time_when_the_step_names_none_and_the_default_goes_last()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 200 });
        Leaver leaver = Leaver.Create(graph.Sandbox.Tenant, everything: false);
        var step = new OffboardingStep { Sequence = 1, Kind = OffboardingStepKind.RemoveAuthenticationMethod, UserId = leaver.User.Id };

        IReadOnlyList<OffboardingStep> steps = await new OffboardingStepRunner(graph.Connection, SandboxGraph.FastRetries).RunAsync([step], null, CancellationToken.None);

        Assert.Equal(OffboardingStepStatus.Done, steps[0].Status);
        Assert.IsType<PasswordMethod>(Assert.Single(leaver.User.AuthenticationMethods));
    }

    [Fact]
    public async Task A_leaver_without_a_manager_keeps_their_reports_and_gets_a_manual_task()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 200 });
        Tenant tenant = graph.Sandbox.Tenant;
        DirectoryUser chief = tenant.Users.First(u => u.UserType == "Member");
        Assert.Null(chief.Manager);
        int reports = chief.DirectReports.Count;
        var step = new OffboardingStep { Sequence = 1, Kind = OffboardingStepKind.ReassignDirectReports, UserId = chief.Id };

        IReadOnlyList<OffboardingStep> steps = await new OffboardingStepRunner(graph.Connection, SandboxGraph.FastRetries).RunAsync([step], null, CancellationToken.None);

        Assert.Equal(OffboardingStepStatus.ManualTask, steps[0].Status);
        Assert.Contains("no manager", steps[0].Reason);
        Assert.Equal(reports, chief.DirectReports.Count);
    }

    [Fact]
    public async Task Cancelling_leaves_the_unreported_steps_pending_and_a_second_run_finishes_them()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 200 });
        Leaver leaver = Leaver.Create(graph.Sandbox.Tenant);
        List<OffboardingStep> plan = leaver.Steps();
        var saved = plan.ToDictionary(s => s.Sequence);
        using var cancel = new CancellationTokenSource();
        var runner = new OffboardingStepRunner(graph.Connection, SandboxGraph.FastRetries);

        // The caller persists each settled step; it is "killed" after the third.
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => runner.RunAsync(plan, (step, _) =>
        {
            saved[step.Sequence] = step;
            if (saved.Values.Count(s => s.IsSettled) == 3)
            {
                cancel.Cancel();
            }

            return Task.CompletedTask;
        }, cancel.Token));
        Assert.Contains(saved.Values, s => s.Status == OffboardingStepStatus.Pending);

        IReadOnlyList<OffboardingStep> resumed = await runner.RunAsync(saved.Values, null, CancellationToken.None);

        Assert.All(resumed, s => Assert.True(s.IsSettled, $"step {s.Sequence} {s.Kind} is {s.Status}: {s.Reason}"));
        AssertRemovableAccessIsGone(graph.Sandbox.Tenant, leaver);
    }

    [Fact]
    public async Task A_leaver_with_150_groups_10_app_roles_3_roles_4_licences_and_3_methods_takes_at_most_15_requests()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 200 });
        Leaver leaver = Leaver.Create(graph.Sandbox.Tenant, cloudGroups: 150, appRoles: 10, directLicences: 4, everything: false);
        List<OffboardingStep> plan = leaver.Steps().Where(s => !(s.Kind == OffboardingStepKind.RemoveAuthenticationMethod && s.AssignmentId == PasswordMethod.WellKnownId)).ToList();
        long before = graph.Sandbox.RequestCount;
        var runner = new OffboardingStepRunner(graph.Connection, SandboxGraph.FastRetries);

        IReadOnlyList<OffboardingStep> steps = await runner.RunAsync(plan, null, CancellationToken.None);
        long executed = graph.Sandbox.RequestCount - before;
        OffboardingVerification verification = await new OffboardingVerifier(graph.Reader).VerifyAsync(leaver.User.Id, CancellationToken.None);
        long verified = graph.Sandbox.RequestCount - before - executed;

        output.WriteLine($"{plan.Count} steps: {executed} HTTP requests to execute (runner counted {runner.RequestCount}), {verified} more to verify.");
        Assert.All(steps, s => Assert.Equal(OffboardingStepStatus.Done, s.Status));
        Assert.True(verification.NothingRemovableRemains);
        Assert.True(executed <= 15, $"{executed} requests");
    }

    private static OffboardingStep Step(IReadOnlyList<OffboardingStep> steps, string resourceId) => steps.Single(s => s.ResourceId == resourceId);

    internal static void AssertRemovableAccessIsGone(Tenant tenant, Leaver leaver)
    {
        DirectoryUser user = leaver.User;
        Assert.False(user.AccountEnabled);
        Assert.NotNull(user.SignInSessionsValidFromDateTime);
        Assert.Equal(new[] { leaver.DynamicGroup, leaver.SyncedGroup, leaver.MailEnabledGroup }.Select(g => g.Id).Order(), user.MemberOf.Select(g => g.Id).Order());
        Assert.Empty(user.OwnedGroups);
        Assert.Equal([leaver.Manager], leaver.OwnedTeam.Owners);
        Assert.DoesNotContain(tenant.RoleAssignments, a => a.Principal == user);
        Assert.DoesNotContain(tenant.RoleEligibilities, e => e.Principal == user);
        Assert.Empty(tenant.AppRoleAssignmentsOf(user));
        Assert.DoesNotContain(tenant.OAuth2PermissionGrants, g => g.PrincipalId == user.Id);
        Assert.Empty(user.DirectLicenses);
        Assert.Empty(user.AssignedLicenses());
        Assert.IsType<PasswordMethod>(Assert.Single(user.AuthenticationMethods));
        Assert.False(leaver.Device!.AccountEnabled);
        Assert.Empty(user.DirectReports);
        Assert.All(leaver.Reports, r => Assert.Same(leaver.Manager, r.Manager));
    }

    /// <summary>What the tenant holds for the leaver, as text, to compare two runs.</summary>
    private static string TenantState(Tenant tenant, Leaver leaver)
    {
        DirectoryUser user = leaver.User;
        return string.Join("\n",
            $"enabled={user.AccountEnabled}",
            "memberOf=" + string.Join(",", user.MemberOf.Select(g => g.DisplayName).Order()),
            "owns=" + string.Join(",", user.OwnedGroups.Select(g => g.DisplayName).Order()),
            "teamOwners=" + string.Join(",", leaver.OwnedTeam.Owners.Select(o => o.DisplayName)),
            "roles=" + tenant.RoleAssignments.Count(a => a.Principal == user) + "/" + tenant.RoleEligibilities.Count(e => e.Principal == user),
            "appRoles=" + tenant.AppRoleAssignmentsOf(user).Count,
            "grants=" + tenant.OAuth2PermissionGrants.Count(g => g.PrincipalId == user.Id),
            "licences=" + string.Join(",", user.AssignedLicenses().Select(l => l.SkuId)),
            "methods=" + string.Join(",", user.AuthenticationMethods.Select(m => m.ODataType)),
            $"device={leaver.Device?.AccountEnabled}",
            "reports=" + user.DirectReports.Count + ";" + string.Join(",", leaver.Reports.Select(r => r.Manager?.DisplayName)));
    }
}
