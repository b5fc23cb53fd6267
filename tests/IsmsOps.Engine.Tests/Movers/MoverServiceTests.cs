using System.Text.Json;
using System.Text.Json.Serialization;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.HrEvents;
using IsmsOps.Engine.Movers;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Onboarding;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Screening;
using IsmsOps.Engine.Tests.Graph;
using IsmsOps.Sandbox;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Engine.Tests.Movers;

/// <summary>
/// Movers against the sandbox over real HTTP: the person first holds role A's access (granted by onboarding), then
/// moves. Every assertion about access reads the sandbox's tenant, not the case.
/// </summary>
public sealed class MoverServiceTests : IAsyncLifetime, IDisposable
{
    private static readonly OperationContext Hr = new("hr.officer@host", null, "00000000-0000-0000-0000-00000000000a");

    private readonly TempWorkspace _store = new();
    private readonly string _roles = Directory.CreateTempSubdirectory("ismsops-mov-roles-").FullName;
    private SandboxGraph _graph = null!;
    private DirectoryGroup[] _groups = [];
    private ServicePrincipal _app = null!;
    private AppRole[] _appRoles = [];
    private DirectoryUser _user = null!;

    private Tenant Tenant => _graph.Sandbox.Tenant;

    private DirectoryGroup Shared => _groups[0];

    private DirectoryGroup OnlyA => _groups[1];

    private DirectoryGroup OnlyB => _groups[2];

    private DirectoryGroup OnlyC => _groups[3];

    public async Task InitializeAsync()
    {
        _graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 100 });
        _groups = Tenant.Groups.Where(g => !g.IsDynamic && g.OnPremisesSyncEnabled != true && !(g.MailEnabled && g.SecurityEnabled && !g.IsUnified))
            .GroupBy(g => g.DisplayName).Where(n => n.Count() == 1).Select(n => n.Single()).Take(4).ToArray();
        _app = Tenant.ServicePrincipals.First(sp => sp.AppRoles.Count(r => r.AllowedMemberTypes.Contains("User")) >= 2);
        _appRoles = _app.AppRoles.Where(r => r.AllowedMemberTypes.Contains("User")).Take(2).ToArray();
        _user = new DirectoryUser(Guid.NewGuid().ToString(), "mira.mover@" + Tenant.DefaultDomain) { DisplayName = "Mira Mover", UserType = "Member", UsageLocation = "GB" };
        Tenant.Add(_user);

        // A and B share a group and a licence; each has a group and an app role of its own, and A a second licence.
        WriteRole("role-a", "Standard", privileged: false, [Shared, OnlyA], ["ENTERPRISEPACK", "AAD_PREMIUM"], _appRoles[0]);
        WriteRole("role-b", "Standard", privileged: false, [Shared, OnlyB], ["ENTERPRISEPACK"], _appRoles[1]);
        WriteRole("role-c", "Enhanced", privileged: false, [Shared, OnlyC], ["ENTERPRISEPACK"], null);
        WriteRole("role-p", "Standard", privileged: true, [Shared, OnlyA], ["ENTERPRISEPACK"], _appRoles[0]);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _graph.Dispose();
        _store.Dispose();
        Directory.Delete(_roles, recursive: true);
    }

    private void WriteRole(string id, string level, bool privileged, DirectoryGroup[] groups, string[] licences, AppRole? appRole) =>
        File.WriteAllText(Path.Combine(_roles, id + ".yaml"), $"""
        roles:
          - id: {id}
            title: {id} title
            privileged: {(privileged ? "true" : "false")}
            screening:
              level: {level}
            accessReview: P1Y
            birthright:
              groups:
        {string.Concat(groups.Select(g => $"        - objectId: {g.Id}\n"))}      licences:
        {string.Concat(licences.Select(l => $"        - skuPartNumber: {l}\n"))}{(appRole is null ? "" : $"      appRoles:\n        - app: Test app\n          appId: {_app.AppId}\n          value: {appRole.Value}\n")}
        """);

    private RoleCatalog Catalog => RoleCatalog.Load(_roles);

    private MoverService Service(Func<DateTimeOffset>? clock = null) => new(_store.Workspace, Catalog, _graph.Connection, SandboxGraph.FastRetries, clock);

    private static Func<DateTimeOffset> DaysFromNow(double days) => () => DateTimeOffset.UtcNow.AddDays(days);

    /// <summary>A person holding <paramref name="role"/>'s access: Standard screening cleared, onboarded through the sandbox.</summary>
    private async Task<Person> HolderOfAsync(string role = "role-a")
    {
        await _store.Workspace.People.CreateAsync(new Person
        {
            PersonId = "E3001", DisplayName = "Mira Mover", UserPrincipalName = _user.UserPrincipalName, DirectoryObjectId = _user.Id, JobRole = role, Location = "GB",
        }, Hr, CancellationToken.None);
        ScreeningRecord s = await _store.Workspace.Screening.CreateAsync(new ScreeningRecord { PersonId = "E3001", Level = ScreeningLevel.Standard }, Hr, CancellationToken.None);
        await ClearAsync(s);
        var onboarding = new OnboardingService(_store.Workspace, Catalog, _graph.Connection, SandboxGraph.FastRetries);
        Assert.Equal(OnboardingCaseStatus.Completed, (await onboarding.StartAsync("E3001", false, Hr, CancellationToken.None)).Case.Status);
        return await _store.Workspace.People.GetAsync("E3001", CancellationToken.None);
    }

    private Task<ScreeningRecord> ClearAsync(ScreeningRecord s) => Onboarding.OnboardingServiceTests.ClearAsync(_store.Workspace, s, Hr);

    private async Task<ScreeningRecord> ClearedEnhancedAsync()
    {
        ScreeningRecord s = await _store.Workspace.Screening.CreateAsync(new ScreeningRecord { PersonId = "E3001", Level = ScreeningLevel.Enhanced }, Hr, CancellationToken.None);
        return await _store.Workspace.Screening.UpdateAsync(s.ScreeningId, r => r with
        {
            Status = ScreeningStatus.Cleared, Identity = ScreeningCheckResult.Clear, RightToWork = ScreeningCheckResult.Clear,
            CriminalRecord = ScreeningCheckResult.Clear, References = ScreeningCheckResult.Clear, Credit = ScreeningCheckResult.Clear,
            Education = ScreeningCheckResult.Clear,
        }, null, Hr, CancellationToken.None);
    }

    private async Task<MoverCase> MoveAsync(string role)
    {
        PersonUpdateOutcome outcome = await _store.Workspace.Movers.UpdatePersonAsync("E3001", p => p with { JobRole = role }, null, Catalog, Hr, CancellationToken.None);
        return Assert.IsType<MoverCase>(outcome.Case);
    }

    private Task<MoverOutcome> RunAsync(MoverService? service = null) => (service ?? Service()).RunAsync("E3001", Hr, CancellationToken.None);

    private bool HasLicence(string part) => _user.DirectLicenses.Any(l => Tenant.FindSku(l.SkuId)?.SkuPartNumber == part);

    private bool HasAppRole(AppRole role) => Tenant.AppRoleAssignmentsOf(_user).Any(a => a.Resource == _app && a.AppRoleId == role.Id);

    private bool HoldsA => OnlyA.HasMember(_user.Id) && HasLicence("AAD_PREMIUM") && HasAppRole(_appRoles[0]);

    private bool HoldsAnyOfAOnly => OnlyA.HasMember(_user.Id) || HasLicence("AAD_PREMIUM") || HasAppRole(_appRoles[0]);

    private bool HoldsB => OnlyB.HasMember(_user.Id) && HasAppRole(_appRoles[1]);

    private bool HoldsShared => Shared.HasMember(_user.Id) && HasLicence("ENTERPRISEPACK");

    private List<(string Action, JsonElement Details)> Trail(string caseId) => _store.Events()
        .Where(e => e.Target == MoverRegister.Target(caseId)).Select(e => (e.Action, JsonDocument.Parse(e.Details).RootElement.Clone())).ToList();

    [Fact]
    public async Task A_mover_gets_the_new_roles_access_keeps_the_old_only_access_through_the_overlap_and_then_loses_it_while_shared_access_stays()
    {
        await HolderOfAsync();
        Assert.True(HoldsA && HoldsShared);
        MoverCase opened = await MoveAsync("role-b");
        Assert.Equal(("role-a", "role-b"), (opened.FromRoleId, opened.ToRoleId));
        Assert.InRange(opened.RemoveOldAfter - opened.RequestedAt, TimeSpan.FromDays(14), TimeSpan.FromDays(14));

        MoverOutcome during = await RunAsync(Service(DaysFromNow(13)));

        Assert.True(HoldsB && HoldsShared);
        Assert.True(HoldsA, "A-only access stays during the overlap");
        Assert.Equal(MoverCaseStatus.OverlapRunning, during.Case!.Status);
        Assert.True(during.Pending);
        Assert.Contains("overlap", during.PendingBecause, StringComparison.Ordinal);

        MoverOutcome after = await RunAsync(Service(DaysFromNow(15)));

        Assert.False(HoldsAnyOfAOnly);
        Assert.True(HoldsB && HoldsShared);
        Assert.Equal(MoverCaseStatus.Completed, after.Case!.Status);
        Assert.False(after.Pending);
        Assert.Equal([OffboardingStepKind.RemoveGroupMembership, OffboardingStepKind.RemoveLicense, OffboardingStepKind.RemoveAppRoleAssignment],
            after.Case.RemovalSteps.Select(s => s.Kind));
    }

    [Fact]
    public async Task A_move_to_a_higher_screening_level_grants_nothing_new_until_the_new_screening_clears()
    {
        await HolderOfAsync();
        await MoveAsync("role-c");

        MoverOutcome waiting = await RunAsync();

        Assert.False(OnlyC.HasMember(_user.Id));
        Assert.Equal(MoverCaseStatus.WaitingForScreening, waiting.Case!.Status);
        Assert.Contains("Enhanced", waiting.PendingBecause, StringComparison.Ordinal);
        Assert.Equal(waiting.Case.GrantSteps.Count, waiting.Case.PendingGrants);

        ScreeningRecord enhanced = await ClearedEnhancedAsync();

        MoverOutcome granted = await RunAsync();

        Assert.True(OnlyC.HasMember(_user.Id));
        Assert.Equal(0, granted.Case!.PendingGrants);
        List<JsonElement> gates = Trail(granted.Case.CaseId).Where(e => e.Action == MoverAuditActions.GateDecided).Select(e => e.Details).ToList();
        Assert.Equal([false, true], gates.Select(g => g.GetProperty("Cleared").GetBoolean()));
        Assert.All(gates, g => Assert.Equal("Enhanced", g.GetProperty("LevelRequired").GetString()));
        Assert.Equal(enhanced.ScreeningId, gates[1].GetProperty("ScreeningId").GetString());
    }

    [Fact]
    public async Task A_mover_leaving_a_privileged_role_loses_its_only_access_at_the_first_run()
    {
        await HolderOfAsync("role-p");
        Assert.True(OnlyA.HasMember(_user.Id) && HasAppRole(_appRoles[0]));
        MoverCase opened = await MoveAsync("role-b");
        Assert.Equal(opened.RequestedAt, opened.RemoveOldAfter);

        MoverOutcome outcome = await RunAsync();

        Assert.False(OnlyA.HasMember(_user.Id));
        Assert.False(HasAppRole(_appRoles[0]));
        Assert.True(HoldsB && HoldsShared);
        Assert.Equal(MoverCaseStatus.Completed, outcome.Case!.Status);
    }

    [Fact]
    public async Task Running_a_finished_move_again_changes_nothing_in_the_directory_or_the_trail()
    {
        await HolderOfAsync();
        await MoveAsync("role-b");
        MoverService later = Service(DaysFromNow(15));
        MoverOutcome done = await RunAsync(later);
        Assert.Equal(MoverCaseStatus.Completed, done.Case!.Status);
        int events = _store.Events().Count;
        (int, int, int) directory = (Tenant.Groups.Sum(g => g.Members.Count), Tenant.AppRoleAssignments.Count, _user.DirectLicenses.Count);

        MoverOutcome again = await RunAsync(later);

        Assert.Null(again.Case);
        Assert.False(again.Pending);
        Assert.Equal(events, _store.Events().Count);
        Assert.Equal(directory, (Tenant.Groups.Sum(g => g.Members.Count), Tenant.AppRoleAssignments.Count, _user.DirectLicenses.Count));
    }

    [Fact]
    public async Task A_crash_after_the_grants_reached_graph_but_before_they_were_recorded_resumes_without_duplicates()
    {
        await HolderOfAsync();
        MoverCase opened = await MoveAsync("role-c");
        MoverCase planned = (await RunAsync()).Case!;
        Assert.Equal(MoverCaseStatus.WaitingForScreening, planned.Status);
        ScreeningRecord enhanced = await ClearedEnhancedAsync();
        await RunAsync();
        Assert.True(OnlyC.HasMember(_user.Id));

        // The crash: Graph made the grants, but the store went back to before they were recorded.
        var json = new JsonSerializerOptions { Converters = { new JsonStringEnumConverter() } };
        _store.Sql("UPDATE mover_case SET body = $body, status = $status, version = $version WHERE case_id = $id",
            ("$body", JsonSerializer.Serialize(planned, json)), ("$status", planned.Status.ToString()), ("$version", planned.Version), ("$id", opened.CaseId));
        int memberships = OnlyC.Members.Count;

        MoverOutcome resumed = await RunAsync();

        Assert.Equal(0, resumed.Case!.PendingGrants);
        Assert.All(resumed.Case.GrantSteps, s => Assert.Equal(OnboardingStepStatus.Done, s.Status));
        Assert.Contains(resumed.Case.GrantSteps, s => s.Reason == "Already in place.");
        Assert.Equal(memberships, OnlyC.Members.Count);
        Assert.Single(_user.DirectLicenses, l => Tenant.FindSku(l.SkuId)?.SkuPartNumber == "ENTERPRISEPACK");
    }

    [Fact]
    public async Task A_role_the_catalog_lacks_is_refused_and_nothing_is_stored_or_opened()
    {
        await HolderOfAsync();
        int events = _store.Events().Count;

        IsmsException refused = Assert.Throws<IsmsException>(() => Catalog.ResolvePersonJobRole("astronaut"));

        Assert.Equal("IsmsOps.Person.UnknownRole", refused.ErrorId);
        Assert.Contains(_roles, refused.Message, StringComparison.Ordinal);
        Assert.Contains("Get-IsmsRole", refused.RecommendedAction, StringComparison.Ordinal);
        Assert.Equal("role-b", Catalog.ResolvePersonJobRole("ROLE-B title").Id);
        Assert.Equal("role-a", (await _store.Workspace.People.GetAsync("E3001", CancellationToken.None)).JobRole);
        Assert.Empty(await _store.Workspace.Movers.FindAsync(new MoverCaseQuery(), CancellationToken.None));
        Assert.Equal(events, _store.Events().Count);
        Assert.True(HoldsA);
    }

    [Fact]
    public async Task The_trail_holds_the_opening_the_plan_the_gate_decision_and_every_steps_graph_request_id()
    {
        await HolderOfAsync();
        MoverCase opened = await MoveAsync("role-b");
        MoverOutcome outcome = await RunAsync(Service(DaysFromNow(15)));

        List<(string Action, JsonElement Details)> trail = Trail(opened.CaseId);
        Assert.Equal(MoverAuditActions.CaseOpened, trail[0].Action);
        Assert.Equal("role-a", trail[0].Details.GetProperty("FromRoleId").GetString());
        Assert.Contains(trail, e => e.Action == MoverAuditActions.CasePlanned);
        JsonElement gate = Assert.Single(trail, e => e.Action == MoverAuditActions.GateDecided).Details;
        Assert.False(gate.GetProperty("NewScreeningNeeded").GetBoolean());
        List<JsonElement> steps = trail.Where(e => e.Action == MoverAuditActions.StepSettled).Select(e => e.Details).ToList();
        Assert.Equal(outcome.Case!.GrantSteps.Count + outcome.Case.RemovalSteps.Count, steps.Count);
        Assert.All(steps, s => Assert.False(string.IsNullOrEmpty(s.GetProperty("GraphRequestId").GetString())));
        Assert.Equal(outcome.Case.GrantSteps.Select(s => s.GraphRequestId).Concat(outcome.Case.RemovalSteps.Select(s => s.GraphRequestId)).Order(),
            steps.Select(s => s.GetProperty("GraphRequestId").GetString()).Order());
        Assert.DoesNotContain(_store.Events(), e => e.Action.StartsWith("Mover.", StringComparison.Ordinal) && e.Details.Contains("Mira", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task A_second_move_before_the_first_finished_supersedes_it_and_removes_both_earlier_roles_access()
    {
        await HolderOfAsync();
        MoverCase first = await MoveAsync("role-b");
        await RunAsync(Service(DaysFromNow(1)));
        Assert.True(HoldsB && HoldsA);

        MoverCase second = await MoveAsync("role-c");

        Assert.Equal(["role-a", "role-b"], second.HeldRoleIds.Order());
        Assert.Equal(first.RemoveOldAfter, second.RemoveOldAfter);
        MoverCase superseded = (await _store.Workspace.Movers.FindAsync(new MoverCaseQuery { Statuses = [MoverCaseStatus.Superseded] }, CancellationToken.None)).Single();
        Assert.Equal((first.CaseId, second.CaseId), (superseded.CaseId, superseded.SupersededBy));

        ScreeningRecord enhanced = await ClearedEnhancedAsync();
        MoverOutcome done = await RunAsync(Service(DaysFromNow(15)));

        Assert.Equal(MoverCaseStatus.Completed, done.Case!.Status);
        Assert.False(HoldsAnyOfAOnly);
        Assert.False(OnlyB.HasMember(_user.Id) || HasAppRole(_appRoles[1]));
        Assert.True(OnlyC.HasMember(_user.Id) && HoldsShared);
    }

    [Fact]
    public async Task A_second_move_while_the_first_waits_for_screening_still_gates_on_the_level_the_person_actually_held()
    {
        WriteRole("role-d", "Enhanced", privileged: false, [Shared, OnlyB], ["ENTERPRISEPACK"], null);
        await HolderOfAsync();
        await MoveAsync("role-c");
        Assert.Equal(MoverCaseStatus.WaitingForScreening, (await RunAsync()).Case!.Status);

        await MoveAsync("role-d");
        MoverOutcome second = await RunAsync();

        // Role C was never granted or screened for, so its level is no baseline: D still needs Enhanced screening.
        Assert.False(OnlyB.HasMember(_user.Id) || OnlyC.HasMember(_user.Id));
        Assert.Equal(MoverCaseStatus.WaitingForScreening, second.Case!.Status);
        Assert.Contains("Enhanced", second.PendingBecause, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Clearing_the_role_of_a_mover_in_the_overlap_grants_nothing_more_and_still_removes_the_old_roles_access_when_due()
    {
        await HolderOfAsync();
        await MoveAsync("role-c");
        Assert.Equal(MoverCaseStatus.WaitingForScreening, (await RunAsync()).Case!.Status);

        PersonUpdateOutcome cleared = await _store.Workspace.Movers.UpdatePersonAsync("E3001", p => p with { JobRole = null }, null, Catalog, Hr, CancellationToken.None);
        Assert.Null(cleared.Case);
        await ClearedEnhancedAsync();
        MoverOutcome done = await RunAsync(Service(DaysFromNow(15)));

        Assert.False(HoldsAnyOfAOnly);
        Assert.False(OnlyC.HasMember(_user.Id));
        Assert.True(HoldsShared);
        Assert.Equal(MoverCaseStatus.Completed, done.Case!.Status);
    }

    [Fact]
    public async Task A_move_superseding_a_case_whose_grants_reached_graph_unrecorded_still_removes_what_that_case_granted()
    {
        await HolderOfAsync();
        MoverCase first = await MoveAsync("role-b");
        MoverCase granted = (await RunAsync()).Case!;
        Assert.True(HoldsB);

        // The crash: Graph made the grants, but the store went back to the gate's decision, before they were recorded.
        MoverCase beforeGrants = granted with
        {
            Status = MoverCaseStatus.Granting,
            GrantSteps = granted.GrantSteps.Select(g => g with { Status = OnboardingStepStatus.Pending, Attempts = 0, GraphRequestId = null, Reason = null, CompletedAt = null }).ToList(),
        };
        var json = new JsonSerializerOptions { Converters = { new JsonStringEnumConverter() } };
        _store.Sql("UPDATE mover_case SET body = $body, status = $status WHERE case_id = $id",
            ("$body", JsonSerializer.Serialize(beforeGrants, json)), ("$status", beforeGrants.Status.ToString()), ("$id", first.CaseId));

        await MoveAsync("role-a");
        await RunAsync(Service(DaysFromNow(15)));

        Assert.False(OnlyB.HasMember(_user.Id) || HasAppRole(_appRoles[1]));
        Assert.True(HoldsA && HoldsShared);
    }

    [Fact]
    public async Task Onboarding_left_unfinished_by_a_move_skips_the_former_roles_held_back_grants()
    {
        await _store.Workspace.People.CreateAsync(new Person
        {
            PersonId = "E3001", DisplayName = "Mira Mover", UserPrincipalName = _user.UserPrincipalName, DirectoryObjectId = _user.Id, JobRole = "role-a", Location = "GB",
        }, Hr, CancellationToken.None);
        var onboarding = new OnboardingService(_store.Workspace, Catalog, _graph.Connection, SandboxGraph.FastRetries);
        Assert.Equal(OnboardingCaseStatus.Blocked, (await onboarding.StartAsync("E3001", false, Hr, CancellationToken.None)).Case.Status);
        MoverCase move = await MoveAsync("role-b");
        ScreeningRecord s = await _store.Workspace.Screening.CreateAsync(new ScreeningRecord { PersonId = "E3001", Level = ScreeningLevel.Standard }, Hr, CancellationToken.None);
        await ClearAsync(s);

        OnboardingOutcome carried = await onboarding.StartAsync("E3001", false, Hr, CancellationToken.None);

        Assert.False(HoldsAnyOfAOnly);
        Assert.False(Shared.HasMember(_user.Id));
        Assert.All(carried.Case.Steps.Where(x => !x.Baseline), x =>
        {
            Assert.Equal(OnboardingStepStatus.Skipped, x.Status);
            Assert.Contains(move.CaseId, x.Reason, StringComparison.Ordinal);
        });
        Assert.Equal(OnboardingCaseStatus.Completed, carried.Case.Status);
        await RunAsync();
        Assert.True(HoldsB && HoldsShared);
    }

    [Fact]
    public async Task An_hr_mover_event_opens_the_case_with_the_role_change_and_a_redelivery_opens_no_second_one()
    {
        await HolderOfAsync();
        var move = new HrEvent { IdempotencyKey = "wd-move-1", Kind = HrEventKind.Mover, PersonId = "E3001", JobRole = "role-b title" };

        HrEventOutcome applied = await _store.Workspace.HrEvents.ProcessAsync(move, Catalog, Hr, CancellationToken.None);
        HrEventOutcome again = await _store.Workspace.HrEvents.ProcessAsync(move, Catalog, Hr, CancellationToken.None);

        Assert.Equal((HrEventStatus.Applied, HrEventStatus.AlreadyProcessed), (applied.Status, again.Status));
        MoverCase opened = Assert.Single(await _store.Workspace.Movers.FindAsync(new MoverCaseQuery { PersonId = "E3001" }, CancellationToken.None));
        Assert.Equal(("role-a", "role-b", _user.Id), (opened.FromRoleId, opened.ToRoleId, opened.UserId));
        await RunAsync();
        Assert.True(HoldsB && HoldsA);
    }

    [Fact]
    public async Task A_person_without_a_linked_account_or_moving_within_the_same_role_gets_no_case()
    {
        await _store.Workspace.People.CreateAsync(new Person { PersonId = "E3001", DisplayName = "Unlinked", JobRole = "role-a" }, Hr, CancellationToken.None);

        PersonUpdateOutcome unlinked = await _store.Workspace.Movers.UpdatePersonAsync("E3001", p => p with { JobRole = "role-b" }, null, Catalog, Hr, CancellationToken.None);
        PersonUpdateOutcome same = await _store.Workspace.Movers.UpdatePersonAsync("E3001", p => p with { DirectoryObjectId = _user.Id, Department = "Ops" }, null, Catalog, Hr, CancellationToken.None);

        Assert.Equal("role-b", unlinked.Person.JobRole);
        Assert.Null(unlinked.Case);
        Assert.Null(same.Case);
        Assert.Empty(await _store.Workspace.Movers.FindAsync(new MoverCaseQuery(), CancellationToken.None));
    }

    [Fact]
    public async Task A_due_move_takes_four_round_trips_one_read_batch_one_grant_batch_one_assignment_read_and_one_removal_batch()
    {
        await HolderOfAsync();
        await MoveAsync("role-b");
        MoverService service = Service(DaysFromNow(15));

        MoverOutcome outcome = await RunAsync(service);

        Assert.Equal(MoverCaseStatus.Completed, outcome.Case!.Status);
        Assert.Equal((4, 3), (outcome.Case.GrantSteps.Count, outcome.Case.RemovalSteps.Count));
        Assert.Equal(4, service.RequestCount);
    }

    [Fact]
    public async Task A_mover_who_is_leaving_gets_nothing_new_and_still_loses_the_old_access_when_due()
    {
        await HolderOfAsync();
        await MoveAsync("role-b");
        await _store.Workspace.People.UpdateAsync("E3001", p => p with { Status = PersonStatus.Leaving, EndDate = DateTime.UtcNow.Date.AddDays(7) }, null, Hr, CancellationToken.None);

        MoverOutcome outcome = await RunAsync(Service(DaysFromNow(15)));

        Assert.False(OnlyB.HasMember(_user.Id) || HasAppRole(_appRoles[1]));
        Assert.False(HoldsAnyOfAOnly);
        Assert.All(outcome.Case!.GrantSteps, s => Assert.Equal((OnboardingStepStatus.Skipped, true), (s.Status, s.Reason!.Contains("Leaving", StringComparison.Ordinal))));
        Assert.Equal(MoverCaseStatus.Completed, outcome.Case.Status);
    }
}
