using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Storage;
using IsmsOps.Engine.Tests.Graph;
using IsmsOps.Sandbox;
using IsmsOps.Sandbox.Directory;
using Xunit.Abstractions;

namespace IsmsOps.Engine.Tests.Offboarding;

public sealed class OffboardingServiceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_leaver_is_read_planned_stored_run_verified_and_closed_with_one_audit_event_per_settled_step()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 200 });
        using var home = new TempWorkspace();
        Sandbox.Directory.DirectoryUser leaver = graph.Sandbox.Tenant.Users.First(u => u.Manager is not null && u.MemberOf.Count >= 3);
        var service = new OffboardingService(home.Workspace.Offboarding, graph.Connection, SandboxGraph.FastRetries);

        OffboardingPlan plan = await service.PlanAsync(leaver.UserPrincipalName, null, CancellationToken.None);
        OffboardingOutcome outcome = await service.StartAsync(plan, null, OffboardingUrgency.Standard, null, TempWorkspace.Context, CancellationToken.None);

        Assert.True(outcome.Verification.NothingRemovableRemains);
        Assert.False(outcome.Case.IsOpen);
        Assert.All(outcome.Case.Steps, s => Assert.True(s.IsSettled, $"{s.Kind} {s.ResourceDisplayName}: {s.Status} {s.Reason}"));
        Assert.False(leaver.AccountEnabled);
        Assert.DoesNotContain(leaver.MemberOf, g => !g.IsDynamic && g.OnPremisesSyncEnabled != true && !(g.MailEnabled && !g.IsUnified));
        var events = home.Workspace.Audit.Find(new AuditEventQuery(), ["Offboarding.*"], [OffboardingRegister.Target(outcome.Case.CaseId)], CancellationToken.None).ToList();
        Assert.Equal("Offboarding.CaseOpened", events[0].Action);
        Assert.Equal(outcome.Case.Steps.Count, events.Count(e => e.Action == "Offboarding.StepSettled"));
        Assert.Equal("Offboarding.CaseClosed", events[^1].Action);
        Assert.True((await home.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task The_benchmark_leaver_is_read_planned_run_and_verified_in_at_most_15_requests_with_nothing_removable_left()
    {
        // Issue 4's benchmark leaver: 150 group memberships, 10 app roles, 3 directory roles (1 eligible), 4 licences and
        // 3 authentication methods besides the password. The whole Start-IsmsOffboarding run counts: the live read, the
        // plan, every change and the verification.
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 200 });
        using var home = new TempWorkspace();
        Leaver leaver = Leaver.Create(graph.Sandbox.Tenant, cloudGroups: 150, appRoles: 10, directLicences: 4, everything: false);
        var service = new OffboardingService(home.Workspace.Offboarding, graph.Connection, SandboxGraph.FastRetries);
        long before = graph.Sandbox.RequestCount;

        OffboardingPlan plan = await service.PlanAsync(leaver.User.Id, null, CancellationToken.None);
        long read = graph.Sandbox.RequestCount - before;
        OffboardingOutcome outcome = await service.StartAsync(plan, null, OffboardingUrgency.Immediate, null, TempWorkspace.Context, CancellationToken.None);
        long total = graph.Sandbox.RequestCount - before;

        output.WriteLine($"{plan.Steps.Count} steps; {total} HTTP requests in all, {read} of them to read and plan.");
        // Disable, revoke, the memberships, roles, app roles and licences, then one step for every method and one for the reports.
        Assert.Equal(2 + 150 + 3 + 10 + 4 + 1 + 1, plan.Steps.Count);
        Assert.True(total <= 15, $"{total} HTTP requests ({read} to read and plan)");
        // One $batch of the user's own reads, one of the 150 groups' nesting and app roles (15 groups an item), one naming the applications.
        Assert.True(read <= 3, $"{read} HTTP requests to read and plan");
        Assert.True(outcome.Verification.NothingRemovableRemains);
        Assert.Equal(OffboardingCaseStatus.Completed, outcome.Case.Status);
        Tenant tenant = graph.Sandbox.Tenant;
        DirectoryUser user = leaver.User;
        Assert.False(user.AccountEnabled);
        Assert.NotNull(user.SignInSessionsValidFromDateTime);
        Assert.Empty(user.MemberOf);
        Assert.DoesNotContain(tenant.RoleAssignments, a => a.Principal == user);
        Assert.DoesNotContain(tenant.RoleEligibilities, e => e.Principal == user);
        Assert.Empty(tenant.AppRoleAssignmentsOf(user));
        Assert.Empty(user.AssignedLicenses());
        Assert.IsType<PasswordMethod>(Assert.Single(user.AuthenticationMethods));
    }

    [Fact]
    public async Task A_run_cut_off_mid_way_resumes_to_the_same_end_with_no_step_audited_twice()
    {
        using var sandbox = GraphSandbox.Start(new SandboxOptions { UserCount = 200 });
        using var cut = new CancellationTokenSource();
        using var forward = new HttpClient();
        // Cuts the run off after the third write reaches the directory, as a killed process would stop.
        RecordingHandler transport = CuttingTransport.CancelAfterWrites(3, cut, forward);
        using GraphConnection connection = await GraphTestSupport.ConnectAsync(sandbox, transport: transport);
        using var home = new TempWorkspace();
        Sandbox.Directory.DirectoryUser leaver = sandbox.Tenant.Users.First(u => u.Manager is not null && u.MemberOf.Count >= 3);
        var service = new OffboardingService(home.Workspace.Offboarding, connection, SandboxGraph.FastRetries);

        OffboardingPlan plan = await service.PlanAsync(leaver.Id, null, CancellationToken.None);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => service.StartAsync(plan, null, OffboardingUrgency.Immediate, null,
            TempWorkspace.Context, cut.Token));
        OffboardingCase interrupted = Assert.Single(await home.Workspace.Offboarding.FindAsync(OffboardingCaseQuery.All, CancellationToken.None));
        Assert.True(interrupted.IsOpen);
        Assert.Contains(interrupted.Steps, s => !s.IsSettled);

        OffboardingOutcome resumed = await service.ResumeAsync(interrupted.CaseId, TempWorkspace.Context, CancellationToken.None);
        OffboardingOutcome again = await service.ResumeAsync(interrupted.CaseId, TempWorkspace.Context, CancellationToken.None);

        Assert.True(resumed.Verification.NothingRemovableRemains);
        Assert.False(resumed.Case.IsOpen);
        Assert.False(leaver.AccountEnabled);
        Assert.Equal(resumed.Case.Version, again.Case.Version);
        var settled = home.Workspace.Audit.Find(new AuditEventQuery(), ["Offboarding.StepSettled"], [OffboardingRegister.Target(interrupted.CaseId)], CancellationToken.None).ToList();
        Assert.Equal(resumed.Case.Steps.Count, settled.Count);
        Assert.True((await home.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task Confirming_every_manual_task_completes_the_case_and_the_trail_names_who_confirmed_it()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 200 });
        using var home = new TempWorkspace();
        // A leaver with no manager: their direct reports are a manual task.
        Sandbox.Directory.DirectoryUser leaver = graph.Sandbox.Tenant.Users.First(u => u.Manager is null && u.DirectReports.Count > 0);
        var service = new OffboardingService(home.Workspace.Offboarding, graph.Connection, SandboxGraph.FastRetries);
        OffboardingOutcome outcome = await service.StartAsync(await service.PlanAsync(leaver.Id, null, CancellationToken.None),
            null, OffboardingUrgency.Standard, null, TempWorkspace.Context, CancellationToken.None);
        Assert.Equal(OffboardingCaseStatus.CompletedWithManualTasks, outcome.Case.Status);
        var tasks = outcome.Case.Steps.Where(s => s.Status == OffboardingStepStatus.ManualTask).ToList();

        OffboardingCase current = outcome.Case;
        foreach (OffboardingStep task in tasks)
        {
            current = await home.Workspace.Offboarding.ConfirmManualTaskAsync(current.CaseId, task.Sequence, "done per CHG0042", TempWorkspace.Context, CancellationToken.None);
        }

        OffboardingCase again = await home.Workspace.Offboarding.ConfirmManualTaskAsync(current.CaseId, tasks[0].Sequence, "twice", TempWorkspace.Context, CancellationToken.None);
        var notATask = await Assert.ThrowsAsync<IsmsException>(() => home.Workspace.Offboarding.ConfirmManualTaskAsync(
            current.CaseId, current.Steps.First(s => s.Kind == OffboardingStepKind.DisableAccount).Sequence, null, TempWorkspace.Context, CancellationToken.None));

        Assert.Equal(OffboardingCaseStatus.Completed, current.Status);
        Assert.Equal(current.Version, again.Version);
        Assert.Equal("IsmsOps.Offboarding.NotAManualTask", notATask.ErrorId);
        Assert.All(current.Steps.Where(s => tasks.Any(t => t.Sequence == s.Sequence)),
            s => Assert.StartsWith($"Confirmed by {TempWorkspace.Context.Actor}: done per CHG0042", s.Reason, StringComparison.Ordinal));
        AuditEvent confirmation = home.Workspace.Audit.Find(new AuditEventQuery(), ["Offboarding.StepSettled"], [OffboardingRegister.Target(current.CaseId)], CancellationToken.None)
            .Last(e => e.Details.Contains("CHG0042", StringComparison.Ordinal));
        Assert.Equal(TempWorkspace.Context.Actor, confirmation.Actor);
        Assert.True((await home.VerifyAsync()).IsValid);
    }
}
