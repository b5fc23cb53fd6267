using System.Globalization;
using System.Text.Json;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.HrEvents;
using IsmsOps.Engine.Lifecycle;
using IsmsOps.Engine.Movers;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Screening;
using IsmsOps.Engine.Tests.Graph;
using IsmsOps.Engine.Tests.Offboarding;
using IsmsOps.Sandbox;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Engine.Tests.Lifecycle;

/// <summary>
/// HR automation end to end against the sandbox: events and feeds change the register, and the lifecycle runner turns
/// the register's state into onboarding and offboarding. What counts is the sandbox tenant's state afterwards.
/// </summary>
public sealed class LifecycleRunnerTests : IAsyncLifetime, IDisposable
{
    private static readonly OperationContext Hr = new("hr.sync@host", null, "00000000-0000-0000-0000-0000000000c1");

    private readonly TempWorkspace _store = new();
    private readonly string _dir = Directory.CreateTempSubdirectory("ismsops-lifecycle-").FullName;
    private SandboxGraph _graph = null!;
    private DirectoryGroup[] _groups = [];
    private DirectoryGroup _leadOnly = null!;
    private DirectoryUser _manager = null!;
    private DateTimeOffset _now = DateTimeOffset.UtcNow;

    private Tenant Tenant => _graph.Sandbox.Tenant;

    private string JoinerUpn => "nova.joiner@" + Tenant.DefaultDomain;

    private DateTime Today => DateTime.UtcNow.Date;

    public async Task InitializeAsync()
    {
        _graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 100 });
        _groups = Tenant.Groups.Where(g => !g.IsDynamic && g.OnPremisesSyncEnabled != true && !(g.MailEnabled && g.SecurityEnabled && !g.IsUnified))
            .GroupBy(g => g.DisplayName).Where(n => n.Count() == 1).Select(n => n.Single()).Take(3).ToArray();
        _leadOnly = _groups[2];
        _groups = _groups[..2];
        _manager = Tenant.Users.First(u => u.AccountEnabled && u.UserType == "Member");
        Directory.CreateDirectory(Path.Combine(_dir, "roles"));
        File.WriteAllText(Path.Combine(_dir, "roles", "qa-analyst.yaml"), $"""
            roles:
              - id: qa-analyst
                title: QA Analyst
                screening:
                  level: Standard
                  baselineBeforeClearance: true
                accessReview: P1Y
                birthright:
                  groups:
                    - displayName: "{_groups[0].DisplayName}"
                    - objectId: {_groups[1].Id}

            """);

        // The lead keeps the analyst's first group, drops the second and gains one of its own.
        File.WriteAllText(Path.Combine(_dir, "roles", "qa-lead.yaml"), $"""
            roles:
              - id: qa-lead
                title: QA Lead
                screening:
                  level: Standard
                accessReview: P1Y
                birthright:
                  groups:
                    - objectId: {_groups[0].Id}
                    - objectId: {_leadOnly.Id}

            """);
        File.WriteAllText(Path.Combine(_dir, "roles", "qa-security.yaml"), $"""
            roles:
              - id: qa-security
                title: QA Security Tester
                screening:
                  level: Enhanced
                accessReview: P1Y
                birthright:
                  groups:
                    - objectId: {_groups[0].Id}
                    - objectId: {_leadOnly.Id}

            """);
        File.WriteAllText(Path.Combine(_dir, "mapping.yaml"), """
            columns:
              PersonId: EmployeeNumber
              DisplayName: FullName
              UserPrincipalName: WorkEmail
              Department: Department
              JobRole: Position
              ManagerId: ManagerEmployeeNumber
              StartDate: HireDate
              EndDate: TerminationDate
              EmploymentType: WorkerType
              Location: Country
            dateFormat: dd/MM/yyyy
            """);
        await _store.Workspace.People.CreateAsync(new Person { PersonId = "M0001", DisplayName = "Manager", DirectoryObjectId = _manager.Id, Status = PersonStatus.Active },
            Hr, CancellationToken.None);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _graph?.Dispose();
        _store.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private RoleCatalog Roles => RoleCatalog.Load(Path.Combine(_dir, "roles"));

    private LifecycleRunner Runner() => new(_store.Workspace, Roles, _graph.Connection, null, SandboxGraph.FastRetries, () => _now);

    private async Task<IReadOnlyList<LifecycleResult>> RunAsync(params string[] personIds)
    {
        LifecycleRunner runner = Runner();
        IReadOnlyList<LifecycleDecision> decisions = await runner.DecideAsync(personIds.Length == 0 ? null : personIds, CancellationToken.None);
        return await runner.RunAsync(decisions, 4, Hr, null, CancellationToken.None);
    }

    private async Task<HrFeedImportSummary> ImportFeedAsync(string rows)
    {
        string feed = Path.Combine(_dir, "hr-feed.csv");
        File.WriteAllText(feed, "EmployeeNumber,FullName,WorkEmail,Department,Position,ManagerEmployeeNumber,HireDate,TerminationDate,WorkerType,Country\n" + rows);
        return await _store.Workspace.HrFeed.ImportAsync(feed, HrFeedMapping.Load(Path.Combine(_dir, "mapping.yaml")), Roles, whatIf: false, Hr, CancellationToken.None);
    }

    private static string Day(DateTime d) => d.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture);

    private Task<HrEventOutcome> LeaverEventAsync(string personId, DateTime end, string key) =>
        _store.Workspace.HrEvents.ProcessAsync(new HrEvent { IdempotencyKey = key, Kind = HrEventKind.Leaver, PersonId = personId, EndDate = end }, Roles, Hr, CancellationToken.None);

    private bool HasBirthright(DirectoryUser user) => _groups.All(g => g.HasMember(user.Id));

    [Fact]
    public async Task A_joiner_from_the_hr_feed_gets_an_account_then_the_role_access_only_after_screening_clears_and_leaves_only_once_the_clock_passes_the_end_date()
    {
        // The joiner arrives in the HR feed, starting today.
        HrFeedImportSummary imported = await ImportFeedAsync(AnalystRow);
        Assert.Equal(1, imported.Joiners);
        Assert.Equal(["E3001"], imported.PersonId);
        ScreeningRecord screening = await _store.Workspace.Screening.CreateAsync(new ScreeningRecord { PersonId = "E3001", Level = ScreeningLevel.Standard }, Hr, CancellationToken.None);
        await _store.Workspace.Screening.UpdateAsync(screening.ScreeningId, r => r with { Status = ScreeningStatus.Requested }, null, Hr, CancellationToken.None);

        // First run: the account is created, the birthright waits for screening.
        LifecycleResult first = Assert.Single(await RunAsync(), r => r.PersonId == "E3001");
        Assert.Equal((LifecycleWork.Onboarding, "Blocked"), (first.Work, first.Status));
        Assert.Null(first.ErrorId);
        DirectoryUser joiner = Assert.IsType<DirectoryUser>(Tenant.FindUser(JoinerUpn));
        Assert.True(joiner.AccountEnabled);
        Assert.Equal("E3001", joiner.EmployeeId);
        Assert.Same(_manager, joiner.Manager);
        Assert.DoesNotContain(_groups, g => g.HasMember(joiner.Id));

        // Still not cleared: the next run reports the block and sends nothing to Graph.
        long before = _graph.Sandbox.RequestCount;
        LifecycleResult waiting = Assert.Single(await RunAsync(), r => r.PersonId == "E3001");
        Assert.Equal((LifecycleWork.Nothing, "Blocked", first.CaseId), (waiting.Work, waiting.Status, waiting.CaseId));
        Assert.Equal(before, _graph.Sandbox.RequestCount);

        // Screening clears: the next run grants the role's access, and the joiner becomes Active.
        await _store.Workspace.Screening.UpdateAsync(screening.ScreeningId, r => r with
        {
            Status = ScreeningStatus.Cleared,
            Identity = ScreeningCheckResult.Clear,
            RightToWork = ScreeningCheckResult.Clear,
            CriminalRecord = ScreeningCheckResult.Clear,
            References = ScreeningCheckResult.Clear,
        }, null, Hr, CancellationToken.None);
        LifecycleResult cleared = Assert.Single(await RunAsync(), r => r.PersonId == "E3001");
        Assert.Equal((LifecycleWork.Onboarding, "Completed", PersonStatus.Active), (cleared.Work, cleared.Status, cleared.PersonStatus));
        Assert.True(HasBirthright(joiner));

        // A leaver event with an end date three days ahead: nothing is touched, on this run or the next.
        Assert.Equal(HrEventStatus.Applied, (await LeaverEventAsync("E3001", Today.AddDays(3), "wd-leave-1")).Status);
        LifecycleResult early = Assert.Single(await RunAsync(), r => r.PersonId == "E3001");
        Assert.Equal((LifecycleWork.Nothing, "NotDue"), (early.Work, early.Status));
        _now = new DateTimeOffset(Today.AddDays(3).AddHours(23).AddMinutes(59), TimeSpan.Zero);
        Assert.Equal("NotDue", Assert.Single(await RunAsync("E3001")).Status);
        Assert.True(joiner.AccountEnabled);
        Assert.True(HasBirthright(joiner));
        Assert.Empty(await _store.Workspace.Offboarding.FindAsync(new OffboardingCaseQuery { PersonId = "E3001" }, CancellationToken.None));

        // The end of the last working day passes: offboarding runs, and the person has Left.
        _now = new DateTimeOffset(Today.AddDays(4), TimeSpan.Zero);
        LifecycleResult left = Assert.Single(await RunAsync(), r => r.PersonId == "E3001");
        Assert.Equal((LifecycleWork.Offboarding, "Completed", PersonStatus.Left), (left.Work, left.Status, left.PersonStatus));
        Assert.False(joiner.AccountEnabled);
        Assert.DoesNotContain(_groups, g => g.HasMember(joiner.Id));

        // The same leaver event delivered again, and piped on: nothing is sent.
        before = _graph.Sandbox.RequestCount;
        Assert.Equal(HrEventStatus.AlreadyProcessed, (await LeaverEventAsync("E3001", Today.AddDays(3), "wd-leave-1")).Status);
        LifecycleResult again = Assert.Single(await RunAsync("E3001"));
        Assert.Equal(LifecycleWork.Nothing, again.Work);
        Assert.Empty(await RunAsync());
        Assert.Equal(before, _graph.Sandbox.RequestCount);

        await AssertTrailAsync("E3001", "Nova", JoinerUpn);
    }

    [Fact]
    public async Task A_joiner_hired_two_months_ahead_waits_as_a_candidate_and_is_onboarded_when_the_start_date_comes_while_a_hand_made_candidate_is_left_alone()
    {
        DateTime start = Today.AddDays(60);
        await ImportFeedAsync($"E3001,Nova Joiner,{JoinerUpn},QA,qa-analyst,M0001,{Day(start)},,Employee,GB\n");
        await _store.Workspace.People.CreateAsync(new Person
        {
            PersonId = "E3002", DisplayName = "Maybe Hired", JobRole = "qa-analyst", StartDate = Today, UserPrincipalName = "maybe.hired@" + Tenant.DefaultDomain,
        }, Hr, CancellationToken.None);
        await ClearScreeningAsync("E3001");
        Assert.Equal(PersonStatus.Candidate, (await _store.Workspace.People.GetAsync("E3001", CancellationToken.None)).Status);
        Assert.Equal(PersonStatus.Candidate, (await _store.Workspace.People.GetAsync("E3002", CancellationToken.None)).Status);

        // Weeks ahead: HR's candidate is not due yet, and the hand-made one is not HR automation's at all.
        IReadOnlyList<LifecycleResult> early = await RunAsync();
        LifecycleResult waiting = Assert.Single(early);
        Assert.Equal(("E3001", LifecycleWork.Nothing, "NotDue"), (waiting.PersonId, waiting.Work, waiting.Status));
        Assert.Null(Tenant.FindUser(JoinerUpn));

        // The day before the start date: the candidate becomes a joiner and is onboarded.
        _now = new DateTimeOffset(start.AddDays(-1).AddHours(9), TimeSpan.Zero);
        LifecycleResult onboarded = Assert.Single(await RunAsync());
        Assert.Equal(("E3001", LifecycleWork.Onboarding, "Completed"), (onboarded.PersonId, onboarded.Work, onboarded.Status));
        Assert.True(HasBirthright(Assert.IsType<DirectoryUser>(Tenant.FindUser(JoinerUpn))));
        Assert.Equal(PersonStatus.Onboarding, (await _store.Workspace.People.GetAsync("E3001", CancellationToken.None)).Status);
        Assert.Equal(PersonStatus.Candidate, (await _store.Workspace.People.GetAsync("E3002", CancellationToken.None)).Status);
        Assert.Null(Tenant.FindUser("maybe.hired@" + Tenant.DefaultDomain));
    }

    [Fact]
    public async Task A_mover_from_the_hr_feed_gets_the_new_roles_access_on_the_next_run_and_loses_the_old_only_access_once_the_overlap_has_passed()
    {
        DirectoryUser person = await OnboardedAnalystAsync();
        Assert.True(HasBirthright(person));

        // The next day's feed says the analyst is now the lead: a Mover event, and a mover case opened with it.
        HrFeedImportSummary moved = await ImportFeedAsync(AnalystRow.Replace("qa-analyst", "qa-lead", StringComparison.Ordinal));
        Assert.Equal(1, moved.Movers);
        MoverCase opened = Assert.Single(await _store.Workspace.Movers.FindAsync(new MoverCaseQuery { PersonId = "E3001" }, CancellationToken.None));
        Assert.Equal(("qa-analyst", "qa-lead"), (opened.FromRoleId, opened.ToRoleId));

        // The scheduled run grants the lead's access; the analyst-only group stays through the overlap.
        LifecycleResult granted = Assert.Single(await RunAsync(), r => r.PersonId == "E3001");
        Assert.Equal((LifecycleWork.Mover, opened.CaseId, nameof(MoverCaseStatus.OverlapRunning)), (granted.Work, granted.CaseId, granted.Status));
        Assert.True(_leadOnly.HasMember(person.Id));
        Assert.True(_groups[0].HasMember(person.Id));
        Assert.True(_groups[1].HasMember(person.Id));

        // Runs during the overlap find nothing due and send nothing.
        long before = _graph.Sandbox.RequestCount;
        Assert.DoesNotContain(await RunAsync(), r => r.PersonId == "E3001");
        LifecycleResult waiting = Assert.Single(await RunAsync("E3001"));
        Assert.Equal((LifecycleWork.Nothing, "NotDue", opened.CaseId), (waiting.Work, waiting.Status, waiting.CaseId));
        Assert.Equal(before, _graph.Sandbox.RequestCount);

        // The overlap ends: the run removes what only the analyst role granted and leaves the shared group alone.
        _now = waiting.DueAt!.Value.AddMinutes(1);
        LifecycleResult removed = Assert.Single(await RunAsync(), r => r.PersonId == "E3001");
        Assert.Equal((LifecycleWork.Mover, nameof(MoverCaseStatus.Completed)), (removed.Work, removed.Status));
        Assert.False(_groups[1].HasMember(person.Id));
        Assert.True(_groups[0].HasMember(person.Id));
        Assert.True(_leadOnly.HasMember(person.Id));
        Assert.True(person.AccountEnabled);

        // Finished: the feed delivered again and another run change nothing.
        before = _graph.Sandbox.RequestCount;
        Assert.Equal(0, (await ImportFeedAsync(AnalystRow.Replace("qa-analyst", "qa-lead", StringComparison.Ordinal))).Movers);
        Assert.DoesNotContain(await RunAsync(), r => r.PersonId == "E3001");
        Assert.Equal(before, _graph.Sandbox.RequestCount);
        Assert.Contains(_store.Events(), e => e.Action == MoverAuditActions.StepSettled && e.Target == MoverRegister.Target(opened.CaseId));
        await AssertTrailAsync("E3001", "Nova", JoinerUpn);
    }

    [Fact]
    public async Task A_mover_waiting_for_a_higher_screening_is_reported_blocked_without_a_new_gate_event_until_it_clears()
    {
        DirectoryUser person = await OnboardedAnalystAsync();
        await ImportFeedAsync(AnalystRow.Replace("qa-analyst", "qa-security", StringComparison.Ordinal));

        LifecycleResult waiting = Assert.Single(await RunAsync(), r => r.PersonId == "E3001");
        Assert.Equal((LifecycleWork.Mover, nameof(MoverCaseStatus.WaitingForScreening)), (waiting.Work, waiting.Status));
        Assert.False(_leadOnly.HasMember(person.Id));
        int gates = _store.Events().Count(e => e.Action == MoverAuditActions.GateDecided);
        long before = _graph.Sandbox.RequestCount;

        LifecycleResult still = Assert.Single(await RunAsync(), r => r.PersonId == "E3001");

        Assert.Equal((LifecycleWork.Nothing, "Blocked", waiting.CaseId), (still.Work, still.Status, still.CaseId));
        Assert.Equal(gates, _store.Events().Count(e => e.Action == MoverAuditActions.GateDecided));
        Assert.Equal(before, _graph.Sandbox.RequestCount);

        await ClearScreeningAsync("E3001", ScreeningLevel.Enhanced);
        LifecycleResult granted = Assert.Single(await RunAsync(), r => r.PersonId == "E3001");
        Assert.Equal(LifecycleWork.Mover, granted.Work);
        Assert.True(_leadOnly.HasMember(person.Id));
    }

    private string AnalystRow => $"E3001,Nova Joiner,{JoinerUpn},QA,qa-analyst,M0001,{Day(Today)},,Employee,GB\n";

    // E3001 joins from the feed as a QA analyst, is screened and onboarded: the starting point of a move.
    private async Task<DirectoryUser> OnboardedAnalystAsync()
    {
        await ImportFeedAsync(AnalystRow);
        await ClearScreeningAsync("E3001");
        Assert.Equal("Completed", Assert.Single(await RunAsync(), r => r.PersonId == "E3001").Status);
        return Assert.IsType<DirectoryUser>(Tenant.FindUser(JoinerUpn));
    }

    private async Task ClearScreeningAsync(string personId, ScreeningLevel level = ScreeningLevel.Standard)
    {
        ScreeningRecord screening = await _store.Workspace.Screening.CreateAsync(new ScreeningRecord { PersonId = personId, Level = level }, Hr, CancellationToken.None);
        await _store.Workspace.Screening.UpdateAsync(screening.ScreeningId, r => r with
        {
            Status = ScreeningStatus.Cleared,
            Identity = ScreeningCheckResult.Clear,
            RightToWork = ScreeningCheckResult.Clear,
            CriminalRecord = ScreeningCheckResult.Clear,
            References = ScreeningCheckResult.Clear,
            Credit = level == ScreeningLevel.Enhanced ? ScreeningCheckResult.Clear : ScreeningCheckResult.Pending,
            Education = level == ScreeningLevel.Enhanced ? ScreeningCheckResult.Clear : ScreeningCheckResult.Pending,
        }, null, Hr, CancellationToken.None);
    }

    [Fact]
    public async Task A_leaver_whose_end_date_went_by_a_week_ago_is_found_by_the_window_and_loses_the_account_and_every_membership()
    {
        Leaver built = Leaver.Create(Tenant, cloudGroups: 5, appRoles: 1, directLicences: 1, everything: false);
        await _store.Workspace.People.CreateAsync(new Person
        {
            PersonId = "E4001", DisplayName = "Lee Leaver", DirectoryObjectId = built.User.Id, UserPrincipalName = built.User.UserPrincipalName,
            Status = PersonStatus.Active, StartDate = Today.AddYears(-2),
        }, Hr, CancellationToken.None);
        await _store.Workspace.People.CreateAsync(new Person
        {
            PersonId = "E4002", DisplayName = "Stays On", UserPrincipalName = _manager.UserPrincipalName, DirectoryObjectId = _manager.Id,
            Status = PersonStatus.Active, StartDate = Today.AddYears(-3),
        }, Hr, CancellationToken.None);
        Assert.Equal(HrEventStatus.Applied, (await LeaverEventAsync("E4001", Today.AddDays(-7), "wd-leave-2")).Status);
        Assert.Equal(HrEventStatus.Applied, (await LeaverEventAsync("E4002", Today.AddDays(30), "wd-leave-3")).Status);

        IReadOnlyList<LifecycleResult> results = await RunAsync();

        LifecycleResult leaver = Assert.Single(results, r => r.PersonId == "E4001");
        Assert.Equal((LifecycleWork.Offboarding, "Completed", PersonStatus.Left), (leaver.Work, leaver.Status, leaver.PersonStatus));
        Assert.False(built.User.AccountEnabled);
        Assert.All(built.CloudGroups, g => Assert.False(g.HasMember(built.User.Id), g.DisplayName));
        OffboardingCase closed = Assert.Single(await _store.Workspace.Offboarding.FindAsync(new OffboardingCaseQuery { PersonId = "E4001" }, CancellationToken.None));
        Assert.Equal(new DateTimeOffset(Today.AddDays(-6), TimeSpan.Zero), closed.EffectiveDate);

        LifecycleResult future = Assert.Single(results, r => r.PersonId == "E4002");
        Assert.Equal((LifecycleWork.Nothing, "NotDue"), (future.Work, future.Status));
        Assert.True(_manager.AccountEnabled);
        await AssertTrailAsync("E4001", "Lee Leaver", built.User.UserPrincipalName);
    }

    [Fact]
    public async Task An_open_offboarding_case_is_resumed_not_opened_twice()
    {
        Leaver built = Leaver.Create(Tenant, cloudGroups: 3, appRoles: 1, directLicences: 1, everything: false);
        Person person = await _store.Workspace.People.CreateAsync(new Person
        {
            PersonId = "E5001", DisplayName = "Half Done", DirectoryObjectId = built.User.Id, Status = PersonStatus.Active,
        }, Hr, CancellationToken.None);
        await LeaverEventAsync("E5001", Today.AddDays(-2), "wd-leave-4");
        // A case planned and stored by an earlier run that stopped before running a step.
        var service = new OffboardingService(_store.Workspace.Offboarding, _graph.Connection, SandboxGraph.FastRetries);
        OffboardingCase planned = await _store.Workspace.Offboarding.CreateAsync(await service.PlanAsync(built.User.Id, null, CancellationToken.None), person,
            OffboardingUrgency.Standard, null, Hr, CancellationToken.None);

        LifecycleResult result = Assert.Single(await RunAsync("E5001"));

        Assert.Equal((LifecycleWork.Offboarding, planned.CaseId, "Completed"), (result.Work, result.CaseId, result.Status));
        Assert.Single(await _store.Workspace.Offboarding.FindAsync(new OffboardingCaseQuery { PersonId = "E5001" }, CancellationToken.None));
        Assert.False(built.User.AccountEnabled);
        Assert.All(built.CloudGroups, g => Assert.False(g.HasMember(built.User.Id)));
    }

    [Fact]
    public async Task An_open_offboarding_case_is_resumed_even_when_an_earlier_case_of_the_account_is_closed()
    {
        Leaver built = Leaver.Create(Tenant, cloudGroups: 2, appRoles: 0, directLicences: 0, everything: false);
        Person person = await _store.Workspace.People.CreateAsync(new Person
        {
            PersonId = "E5101", DisplayName = "Back Again", DirectoryObjectId = built.User.Id, Status = PersonStatus.Active,
        }, Hr, CancellationToken.None);
        var service = new OffboardingService(_store.Workspace.Offboarding, _graph.Connection, SandboxGraph.FastRetries);
        OffboardingOutcome earlier = await service.StartAsync(await service.PlanAsync(built.User.Id, null, CancellationToken.None), person,
            OffboardingUrgency.Standard, null, Hr, CancellationToken.None);
        Assert.False(earlier.Case.IsOpen);
        // The account was given back, and a second case for it was planned by an earlier run that stopped before any step.
        built.User.AccountEnabled = true;
        OffboardingCase planned = await _store.Workspace.Offboarding.CreateAsync(await service.PlanAsync(built.User.Id, null, CancellationToken.None), person,
            OffboardingUrgency.Standard, null, Hr, CancellationToken.None);
        await LeaverEventAsync("E5101", Today.AddDays(-2), "wd-leave-6");

        LifecycleResult result = Assert.Single(await RunAsync("E5101"));

        Assert.Equal((LifecycleWork.Offboarding, planned.CaseId, "Completed"), (result.Work, result.CaseId, result.Status));
        Assert.False(built.User.AccountEnabled);
    }

    [Fact]
    public async Task An_unknown_person_and_a_leaver_without_an_account_are_errors_with_their_ids_and_the_others_carry_on()
    {
        await _store.Workspace.People.CreateAsync(new Person { PersonId = "E6001", DisplayName = "No Account", Status = PersonStatus.Active }, Hr, CancellationToken.None);
        await LeaverEventAsync("E6001", Today.AddDays(-1), "wd-leave-5");

        IReadOnlyList<LifecycleResult> results = await RunAsync("E9999", "E6001", "M0001");

        Assert.Equal(["E9999", "E6001", "M0001"], results.Select(r => r.PersonId));
        Assert.Equal("IsmsOps.Person.NotFound", results[0].ErrorId);
        Assert.Equal((LifecycleWork.Offboarding, "Error"), (results[1].Work, results[1].Status));
        Assert.NotNull(results[1].ErrorId);
        Assert.Contains("E6001", results[1].Reason, StringComparison.Ordinal);
        Assert.Equal((LifecycleWork.Nothing, "NotApplicable", (string?)null), (results[2].Work, results[2].Status, results[2].ErrorId));
    }

    [Theory]
    [InlineData("2026-03-10T23:59:59Z", false)]
    [InlineData("2026-03-11T00:00:00Z", true)]
    [InlineData("2026-04-20T08:00:00Z", true)]
    public void A_leaver_falls_due_at_the_end_of_the_end_date_and_stays_due_after_it(string now, bool due)
    {
        DateTimeOffset at = DateTimeOffset.Parse(now, CultureInfo.InvariantCulture);
        Assert.Equal(due, LifecycleOptions.Default.LeaverDueAt(new DateTime(2026, 3, 10)) <= at);
    }

    [Fact]
    public void End_of_day_is_read_in_the_configured_time_zone_and_a_zero_offset_means_the_start_of_the_end_date()
    {
        TimeZoneInfo berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
        Assert.Equal(new DateTimeOffset(2026, 7, 10, 22, 0, 0, TimeSpan.Zero), new LifecycleOptions { TimeZone = berlin }.LeaverDueAt(new DateTime(2026, 7, 10)));
        Assert.Equal(new DateTimeOffset(2026, 7, 10, 0, 0, 0, TimeSpan.Zero), new LifecycleOptions { LeaverDueAfter = TimeSpan.Zero }.LeaverDueAt(new DateTime(2026, 7, 10)));
        Assert.Equal(new DateTimeOffset(2026, 7, 9, 0, 0, 0, TimeSpan.Zero), LifecycleOptions.Default.JoinerDueAt(new DateTime(2026, 7, 10)));
    }

    private async Task AssertTrailAsync(string personId, params string[] personalData)
    {
        AuditVerificationResult verified = await _store.VerifyAsync();
        Assert.True(verified.IsValid, verified.Message);
        List<AuditEvent> lifecycle = _store.Events().Where(e => e.Action is LifecycleRunner.DecidedAction or LifecycleRunner.FinishedAction).ToList();
        Assert.Contains(lifecycle, e => e.Action == LifecycleRunner.FinishedAction && JsonDocument.Parse(e.Details).RootElement.GetProperty("Decisions").TryGetProperty(personId, out _));
        Assert.All(lifecycle, e => Assert.All(personalData, p => Assert.DoesNotContain(p, e.Details, StringComparison.OrdinalIgnoreCase)));
        Assert.Contains(_store.Events(), e => e.Action == HrEventProcessor.AppliedAction && e.Target.EndsWith(personId, StringComparison.Ordinal));
    }
}
