using System.Globalization;
using System.Text.Json;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Tests.Graph;
using IsmsOps.Sandbox;
using IsmsOps.Sandbox.Directory;
using Xunit.Abstractions;

namespace IsmsOps.Engine.Tests.Offboarding;

/// <summary>
/// An HR feed of a hundred leavers offboarded in one run, eight at a time, against the sandbox: each leaver holds a
/// realistic handful of access (several groups, directory roles, an app role, a licence, authentication methods).
/// What counts is the sandbox's state afterwards and the audit trail, not what the cases say about themselves.
/// </summary>
public sealed class OffboardingFeedTests(ITestOutputHelper output)
{
    private const int Leavers = 100;

    // Every kind the sandbox injects that a client must ride out: throttling with and without Retry-After, an outage,
    // a slow answer, a dropped connection, and a request that hangs until the sandbox hangs up.
    private static readonly SandboxFault[] SeveralKinds =
    [
        SandboxFault.TooManyRequests, SandboxFault.TooManyRequestsWithoutRetryAfter, SandboxFault.ServiceUnavailable,
        SandboxFault.Latency, SandboxFault.ConnectionReset, SandboxFault.Timeout,
    ];

    [Fact]
    public async Task A_hundred_leavers_fed_in_one_run_lose_every_removable_access_and_the_trail_has_one_settling_event_per_step()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 100 });
        using var home = new TempWorkspace();
        List<(OffboardingLeaver Feed, Leaver Built)> leavers = await HireAsync(graph.Sandbox.Tenant, home, Leavers);
        var service = new OffboardingService(home.Workspace.Offboarding, graph.Connection, SandboxGraph.FastRetries);

        IReadOnlyList<OffboardingFeedResult> results = await OffboardingFeed.RunAsync(home.Workspace.People, service, TempWorkspace.Context,
            leavers.Select(l => l.Feed), OffboardingFeed.DefaultThrottleLimit, CancellationToken.None);

        Assert.All(results, r => Assert.True(r.Error is null, $"{r.Leaver}: {r.Error?.Message}"));
        Assert.All(results, r => Assert.Equal(OffboardingCaseStatus.Completed, r.Outcome!.Case.Status));
        await AssertEveryLeaverIsOffboardedAsync(graph.Sandbox.Tenant, home, leavers.Select(l => l.Built).ToList());
    }

    [Fact]
    public async Task A_hundred_leavers_with_a_fifth_of_graph_requests_faulted_lose_every_removable_access_and_the_trail_has_one_settling_event_per_step()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions
        {
            UserCount = 100, FaultRate = 0.2, Faults = SeveralKinds, FaultLatency = TimeSpan.FromMilliseconds(20), FaultTimeout = TimeSpan.FromMilliseconds(200),
        });
        using var home = new TempWorkspace();
        List<(OffboardingLeaver Feed, Leaver Built)> leavers = await HireAsync(graph.Sandbox.Tenant, home, Leavers);
        var service = new OffboardingService(home.Workspace.Offboarding, graph.Connection, SandboxGraph.FastRetries);

        IReadOnlyList<OffboardingFeedResult> first = await OffboardingFeed.RunAsync(home.Workspace.People, service, TempWorkspace.Context,
            leavers.Select(l => l.Feed), OffboardingFeed.DefaultThrottleLimit, CancellationToken.None);

        // What a scheduled job does after its feed: carry on every case still open (a step whose retries ran out ended
        // it Failed), and feed again the leavers whose run stopped before a case was opened (Graph gave up on the live
        // read). Retries make this the exception, so it is counted and reported, and bounded below.
        List<OffboardingCase> open = (await home.Workspace.Offboarding.FindAsync(new OffboardingCaseQuery { OpenOnly = true }, CancellationToken.None)).ToList();
        foreach (OffboardingCase stillOpen in open)
        {
            await service.ResumeAsync(stillOpen.CaseId, TempWorkspace.Context, CancellationToken.None);
        }

        var opened = (await home.Workspace.Offboarding.FindAsync(OffboardingCaseQuery.All, CancellationToken.None)).Select(c => c.UserId).ToHashSet();
        List<OffboardingLeaver> again = leavers.Where(l => !opened.Contains(l.Built.User.Id)).Select(l => l.Feed).ToList();
        IReadOnlyList<OffboardingFeedResult> second = await OffboardingFeed.RunAsync(home.Workspace.People, service, TempWorkspace.Context,
            again, OffboardingFeed.DefaultThrottleLimit, CancellationToken.None);

        output.WriteLine($"{graph.Sandbox.RequestCount} requests; first run: {first.Count(r => r.Outcome?.Case.IsOpen == false)} closed, " +
            $"{first.Count(r => r.Outcome?.Case.IsOpen == true)} left open, {first.Count(r => r.Error is not null)} errors; then {open.Count} resumed, {again.Count} fed again.");
        foreach (OffboardingFeedResult failed in first.Where(r => r.Error is not null || r.Outcome!.Case.IsOpen))
        {
            output.WriteLine($"{failed.Leaver}: {failed.Error?.Message ?? string.Join("; ", failed.Outcome!.Case.Steps.Where(s => !s.IsSettled).Select(s => $"{s.Kind} {s.Reason}"))}");
        }

        // Without retries nearly every leaver would fail at 20% faults; with them, a handful at most needs the second pass.
        Assert.InRange(open.Count + again.Count, 0, 5);
        Assert.All(second, r => Assert.True(r.Error is null, $"{r.Leaver}: {r.Error?.Message}"));
        await AssertEveryLeaverIsOffboardedAsync(graph.Sandbox.Tenant, home, leavers.Select(l => l.Built).ToList());
    }

    [Fact]
    public async Task One_leavers_failure_never_stops_the_others_and_each_error_names_its_leaver()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 100 });
        using var home = new TempWorkspace();
        Tenant tenant = graph.Sandbox.Tenant;
        List<(OffboardingLeaver Feed, Leaver Built)> good = await HireAsync(tenant, home, 6);
        await home.Workspace.People.CreateAsync(new Person { PersonId = "E9001", DisplayName = "Never Linked" }, TempWorkspace.Context, CancellationToken.None);
        Leaver busy = Leaver.Create(tenant, cloudGroups: 2, appRoles: 1, directLicences: 1, everything: false);
        // Made last: Leaver names accounts by the tenant's user count, which the deletion lowers again.
        Leaver deleted = Leaver.Create(tenant, cloudGroups: 2, appRoles: 1, directLicences: 1, everything: false);
        tenant.Remove(deleted.User);
        var service = new OffboardingService(home.Workspace.Offboarding, graph.Connection, SandboxGraph.FastRetries);
        OffboardingCase alreadyOpen = await home.Workspace.Offboarding.CreateAsync(await service.PlanAsync(busy.User.Id, null, CancellationToken.None),
            null, OffboardingUrgency.Standard, null, TempWorkspace.Context, CancellationToken.None);
        OffboardingLeaver[] feed =
        [
            good[0].Feed, OffboardingLeaver.Person("E404"), good[1].Feed, OffboardingLeaver.Person("E9001"), good[2].Feed,
            OffboardingLeaver.Account(deleted.User.UserPrincipalName), good[3].Feed, OffboardingLeaver.Account(busy.User.Id), good[4].Feed,
            good[0].Feed, good[5].Feed,
        ];

        IReadOnlyList<OffboardingFeedResult> results = await OffboardingFeed.RunAsync(home.Workspace.People, service, TempWorkspace.Context, feed, 3, CancellationToken.None);

        Assert.Equal(feed.Length, results.Count);
        Assert.Equal(feed, results.Select(r => r.Leaver));
        var errors = results.Where(r => r.Error is not null).ToDictionary(r => r.Leaver.Key, r => Assert.IsType<IsmsException>(r.Error));
        Assert.Equal("IsmsOps.Person.NotFound", errors["E404"].ErrorId);
        Assert.Equal("IsmsOps.Access.PersonNotLinked", errors["E9001"].ErrorId);
        Assert.Equal("IsmsOps.Access.UserNotFound", errors[deleted.User.UserPrincipalName].ErrorId);
        Assert.Equal("IsmsOps.Offboarding.AlreadyOpen", errors[busy.User.Id].ErrorId);
        Assert.Contains(alreadyOpen.CaseId, errors[busy.User.Id].Message, StringComparison.Ordinal);
        Assert.All(errors, e => Assert.Contains(e.Key, e.Value.Message, StringComparison.OrdinalIgnoreCase));
        // The duplicate row is refused by itself; its first entry ran.
        Assert.NotNull(results[0].Outcome);
        Assert.Equal(OffboardingFeed.DuplicateLeaverId, Assert.IsType<IsmsException>(results[9].Error).ErrorId);
        Assert.Single(results, r => r.Error is IsmsException { ErrorId: OffboardingFeed.DuplicateLeaverId });
        Assert.Equal(6, results.Count(r => r.Outcome is { Case.Status: OffboardingCaseStatus.Completed }));
        Assert.True(busy.User.AccountEnabled);
        await AssertEveryLeaverIsOffboardedAsync(tenant, home, good.Select(g => g.Built).ToList(), alsoOpen: 1);
    }

    [Fact]
    public async Task A_feed_cancelled_mid_run_leaves_the_cases_under_way_open_and_resuming_them_finishes_every_leaver()
    {
        using var sandbox = GraphSandbox.Start(new SandboxOptions { UserCount = 100 });
        using var cut = new CancellationTokenSource();
        using var forward = new HttpClient();
        // Stops the run (as Ctrl+C would) once 40 removals have reached the directory, with several leavers in flight.
        RecordingHandler transport = CuttingTransport.CancelAfterWrites(40, cut, forward);
        using GraphConnection connection = await GraphTestSupport.ConnectAsync(sandbox, transport: transport);
        using var home = new TempWorkspace();
        List<(OffboardingLeaver Feed, Leaver Built)> leavers = await HireAsync(sandbox.Tenant, home, 30);
        var service = new OffboardingService(home.Workspace.Offboarding, connection, SandboxGraph.FastRetries);
        var finished = new List<OffboardingFeedResult>();
        var feed = new OffboardingFeed(home.Workspace.People, service, TempWorkspace.Context, 8, r => { lock (finished) { finished.Add(r); } }, cut.Token);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            try
            {
                foreach ((OffboardingLeaver leaver, _) in leavers)
                {
                    await feed.AddAsync(leaver);
                }
            }
            finally
            {
                await feed.WaitAsync();
            }
        });
        List<OffboardingCase> open = (await home.Workspace.Offboarding.FindAsync(new OffboardingCaseQuery { OpenOnly = true }, CancellationToken.None)).ToList();
        Assert.NotEmpty(open);
        Assert.True(finished.Count < leavers.Count);
        Assert.All(finished, r => Assert.Null(r.Error));

        foreach (OffboardingCase stopped in open)
        {
            await service.ResumeAsync(stopped.CaseId, TempWorkspace.Context, CancellationToken.None);
        }

        var started = (await home.Workspace.Offboarding.FindAsync(OffboardingCaseQuery.All, CancellationToken.None)).Select(c => c.UserId).ToHashSet();
        List<(OffboardingLeaver Feed, Leaver Built)> notStarted = leavers.Where(l => !started.Contains(l.Built.User.Id)).ToList();
        IReadOnlyList<OffboardingFeedResult> rest = await OffboardingFeed.RunAsync(home.Workspace.People, service, TempWorkspace.Context,
            notStarted.Select(l => l.Feed), 8, CancellationToken.None);
        Assert.All(rest, r => Assert.Null(r.Error));
        await AssertEveryLeaverIsOffboardedAsync(sandbox.Tenant, home, leavers.Select(l => l.Built).ToList());
    }

    [Fact]
    public async Task Reports_of_a_leaver_whose_manager_left_first_in_the_same_run_go_to_the_first_manager_who_stays()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 200 });
        using var home = new TempWorkspace();
        Tenant tenant = graph.Sandbox.Tenant;
        // The chain: G (stays) manages M, who manages A; both M and A leave; A manages two people who stay.
        Leaver m = Leaver.Create(tenant, cloudGroups: 1, appRoles: 0, directLicences: 0, everything: false);
        Leaver a = Leaver.Create(tenant, cloudGroups: 1, appRoles: 0, directLicences: 0, everything: false);
        a.User.SetManager(m.User);
        DirectoryUser[] reports = tenant.Users.Where(u => u.UserType == "Member" && u.AccountEnabled && u.DirectReports.Count == 0
            && u != m.User && u != a.User && u != m.Manager).Take(2).ToArray();
        foreach (DirectoryUser report in reports)
        {
            report.SetManager(a.User);
        }

        var service = new OffboardingService(home.Workspace.Offboarding, graph.Connection, SandboxGraph.FastRetries);

        // The order eight leavers at a time can produce: A is planned (to hand its reports to M), then M is offboarded
        // to the end (handing on the reports M has by then), then A runs.
        OffboardingPlan planA = await service.PlanAsync(a.User.Id, null, CancellationToken.None);
        OffboardingOutcome leftFirst = await service.StartAsync(await service.PlanAsync(m.User.Id, null, CancellationToken.None), null,
            OffboardingUrgency.Standard, null, TempWorkspace.Context, CancellationToken.None);
        OffboardingOutcome leftSecond = await service.StartAsync(planA, null, OffboardingUrgency.Standard, null, TempWorkspace.Context, CancellationToken.None);

        Assert.Equal(m.User.Id, planA.Steps.Single(s => s.Kind == OffboardingStepKind.ReassignDirectReports).Detail);
        Assert.All(reports, r => Assert.Same(m.Manager, r.Manager));
        Assert.Empty(m.User.DirectReports);
        Assert.Equal(OffboardingCaseStatus.Completed, leftFirst.Case.Status);
        Assert.Equal(OffboardingCaseStatus.Completed, leftSecond.Case.Status);
        Assert.Equal(m.Manager.Id, leftSecond.Case.Steps.Single(s => s.Kind == OffboardingStepKind.ReassignDirectReports).Detail);
    }

    /// <summary>
    /// Builds <paramref name="count"/> leavers in the sandbox, each with four groups, three directory roles (one
    /// eligible, one time-bound), an app role, a licence and four authentication methods. Every other one is a person
    /// in the register linked to the account; the rest are fed by account, by object id and by UPN in turn.
    /// </summary>
    private static async Task<List<(OffboardingLeaver, Leaver)>> HireAsync(Tenant tenant, TempWorkspace home, int count)
    {
        var leavers = new List<(OffboardingLeaver, Leaver)>();
        for (int i = 0; i < count; i++)
        {
            Leaver built = Leaver.Create(tenant, cloudGroups: 4, appRoles: 1, directLicences: 1, everything: false);
            OffboardingLeaver feed;
            if (i % 2 == 0)
            {
                string personId = "E" + (2000 + i).ToString(CultureInfo.InvariantCulture);
                await home.Workspace.People.CreateAsync(new Person { PersonId = personId, DisplayName = "Leaver " + i, DirectoryObjectId = built.User.Id },
                    TempWorkspace.Context, CancellationToken.None);
                feed = OffboardingLeaver.Person(personId);
            }
            else
            {
                feed = OffboardingLeaver.Account(i % 4 == 1 ? built.User.Id : built.User.UserPrincipalName);
            }

            leavers.Add((feed, built));
        }

        return leavers;
    }

    /// <summary>
    /// Checked on the sandbox: every leaver's account is disabled with its sessions revoked, and holds no group,
    /// ownership, role, app role, consent, direct licence or method besides the password. Checked in the store: one
    /// closed case per leaver (plus <paramref name="alsoOpen"/> cases left open on purpose), unique case ids, and an
    /// audit trail that verifies, is one unbroken sequence, and settles each step of each case exactly once.
    /// </summary>
    private static async Task AssertEveryLeaverIsOffboardedAsync(Tenant tenant, TempWorkspace home, IReadOnlyList<Leaver> leavers, int alsoOpen = 0)
    {
        Assert.All(leavers, l => Assert.Empty(RemovableAccessLeft(tenant, l)));

        IReadOnlyList<OffboardingCase> cases = await home.Workspace.Offboarding.FindAsync(OffboardingCaseQuery.All, CancellationToken.None);
        Assert.Equal(leavers.Count + alsoOpen, cases.Count);
        Assert.Equal(cases.Count, cases.Select(c => c.CaseId).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(leavers, l => Assert.Single(cases, c => c.UserId == l.User.Id && !c.IsOpen));
        Assert.Equal(alsoOpen, cases.Count(c => c.IsOpen));

        Assert.True((await home.VerifyAsync()).IsValid);
        List<AuditEvent> events = home.Events();
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.Sequence));
        ILookup<string, AuditEvent> byCase = events.ToLookup(e => e.Target, StringComparer.OrdinalIgnoreCase);
        foreach (OffboardingCase closed in cases.Where(c => !c.IsOpen))
        {
            List<AuditEvent> trail = byCase[OffboardingRegister.Target(closed.CaseId)].ToList();
            Assert.Single(trail, e => e.Action == "Offboarding.CaseOpened");
            Assert.Single(trail, e => e.Action == "Offboarding.CaseClosed");
            var settledBy = trail.Where(e => e.Action == "Offboarding.StepSettled").Select(SequenceOf).ToList();
            HashSet<int> settledAtPlan = SettledInPlan(trail.First(e => e.Action == "Offboarding.CaseOpened"));
            Assert.All(closed.Steps, s => Assert.True(settledBy.Count(n => n == s.Sequence) + (settledAtPlan.Contains(s.Sequence) ? 1 : 0) == 1,
                $"Case {closed.CaseId} step {s.Sequence} ({s.Kind}) has {settledBy.Count(n => n == s.Sequence)} StepSettled events."));
        }
    }

    private static List<string> RemovableAccessLeft(Tenant tenant, Leaver leaver)
    {
        DirectoryUser user = leaver.User;
        var left = new List<string>();
        if (user.AccountEnabled)
        {
            left.Add("an enabled account");
        }

        if (user.SignInSessionsValidFromDateTime is null)
        {
            left.Add("unrevoked sessions");
        }

        left.AddRange(user.MemberOf.Select(g => "membership of " + g.DisplayName));
        left.AddRange(user.OwnedGroups.Select(g => "ownership of " + g.DisplayName));
        left.AddRange(tenant.RoleAssignments.Where(a => a.Principal == user).Select(a => "role " + a.Role.DisplayName));
        left.AddRange(tenant.RoleEligibilities.Where(e => e.Principal == user).Select(e => "eligible role " + e.Role.DisplayName));
        left.AddRange(tenant.AppRoleAssignmentsOf(user).Select(a => "app role on " + a.Resource.DisplayName));
        left.AddRange(tenant.OAuth2PermissionGrants.Where(g => string.Equals(g.PrincipalId, user.Id, StringComparison.OrdinalIgnoreCase)).Select(g => "consent " + g.Scope));
        left.AddRange(user.DirectLicenses.Select(l => "licence " + l.SkuId));
        left.AddRange(user.AuthenticationMethods.Where(m => m is not PasswordMethod).Select(m => "method " + m.ODataType));
        return left.Select(what => $"{user.UserPrincipalName} still has {what}").ToList();
    }

    private static int SequenceOf(AuditEvent e)
    {
        using JsonDocument details = JsonDocument.Parse(e.Details);
        return details.RootElement.GetProperty("Sequence").GetInt32();
    }

    // CaseOpened lists each planned step as "Kind resource assignment [Status]"; a step the plan already settled
    // (a manual task from the start) has its settling event there, not in a StepSettled.
    private static HashSet<int> SettledInPlan(AuditEvent opened)
    {
        using JsonDocument details = JsonDocument.Parse(opened.Details);
        return details.RootElement.GetProperty("Steps").EnumerateObject()
            .Where(p => p.Value.GetString() is { } planned && (planned.EndsWith("[ManualTask]", StringComparison.Ordinal)
                || planned.EndsWith("[Done]", StringComparison.Ordinal) || planned.EndsWith("[Skipped]", StringComparison.Ordinal)))
            .Select(p => int.Parse(p.Name, CultureInfo.InvariantCulture))
            .ToHashSet();
    }
}
