using System.Text.Json;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Onboarding;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Screening;
using IsmsOps.Engine.Storage;
using IsmsOps.Engine.Tests.Graph;
using IsmsOps.Sandbox;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Engine.Tests.Onboarding;

public sealed class OnboardingServiceTests : IAsyncLifetime, IDisposable
{
    private static readonly OperationContext Hr = new("hr.officer@host", null, "00000000-0000-0000-0000-00000000000a");
    private static readonly OperationContext Ciso = new("ciso@host", null, "00000000-0000-0000-0000-00000000000b");

    private readonly TempWorkspace _store = new();
    private readonly string _roles = Directory.CreateTempSubdirectory("ismsops-onb-roles-").FullName;
    private SandboxGraph _graph = null!;
    private DirectoryGroup[] _groups = [];
    private ServicePrincipal _app = null!;
    private AppRole _appRole = null!;
    private DirectoryUser _manager = null!;

    private Tenant Tenant => _graph.Sandbox.Tenant;

    private string JoinerUpn => "nova.joiner@" + Tenant.DefaultDomain;

    public async Task InitializeAsync()
    {
        _graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 100 });
        _groups = Tenant.Groups.Where(g => !g.IsDynamic && g.OnPremisesSyncEnabled != true && !(g.MailEnabled && g.SecurityEnabled && !g.IsUnified))
            .GroupBy(g => g.DisplayName).Where(n => n.Count() == 1).Select(n => n.Single()).Take(2).ToArray();
        _app = Tenant.ServicePrincipals.First(sp => sp.AppRoles.Any(r => r.AllowedMemberTypes.Contains("User")));
        _appRole = _app.AppRoles.First(r => r.AllowedMemberTypes.Contains("User"));
        _manager = Tenant.Users.First(u => u.AccountEnabled && u.UserType == "Member");
        WriteRole("qa-analyst", baselineBeforeClearance: true);
        WriteRole("vault-keeper", baselineBeforeClearance: false);
        await _store.Workspace.People.CreateAsync(new Person { PersonId = "M0001", DisplayName = "Manager", DirectoryObjectId = _manager.Id }, Hr, CancellationToken.None);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    public void Dispose()
    {
        _graph.Dispose();
        _store.Dispose();
        Directory.Delete(_roles, recursive: true);
    }

    private void WriteRole(string id, bool baselineBeforeClearance) => File.AppendAllText(Path.Combine(_roles, id + ".yaml"), $"""
        roles:
          - id: {id}
            title: {id} title
            screening:
              level: Standard
              baselineBeforeClearance: {(baselineBeforeClearance ? "true" : "false")}
            accessReview: P1Y
            birthright:
              groups:
                - displayName: "{_groups[0].DisplayName}"
                - objectId: {_groups[1].Id}
              licences:
                - skuPartNumber: ENTERPRISEPACK
              appRoles:
                - app: Test app
                  appId: {_app.AppId}
                  value: {_appRole.Value}

        """);

    private OnboardingService Service(Func<DateTimeOffset>? clock = null) =>
        new(_store.Workspace, RoleCatalog.Load(_roles), _graph.Connection, SandboxGraph.FastRetries, clock);

    private async Task<Person> JoinerAsync(string role = "qa-analyst", string id = "E2001") =>
        await _store.Workspace.People.CreateAsync(new Person
        {
            PersonId = id,
            DisplayName = "Nova Joiner",
            UserPrincipalName = JoinerUpn,
            JobRole = role,
            Location = "GB",
            ManagerId = "M0001",
            StartDate = new DateTime(2026, 12, 1),
        }, Hr, CancellationToken.None);

    private async Task<ScreeningRecord> RequestedScreeningAsync(string personId = "E2001")
    {
        ScreeningRecord s = await _store.Workspace.Screening.CreateAsync(new ScreeningRecord { PersonId = personId, Level = ScreeningLevel.Standard }, Hr, CancellationToken.None);
        return await _store.Workspace.Screening.UpdateAsync(s.ScreeningId, r => r with { Status = ScreeningStatus.Requested }, null, Hr, CancellationToken.None);
    }

    private Task<ScreeningRecord> ClearAsync(ScreeningRecord s) => ClearAsync(_store.Workspace, s, Hr);

    /// <summary>Clears a Standard screening: every check it needs Clear, status Cleared.</summary>
    internal static Task<ScreeningRecord> ClearAsync(IsmsWorkspace workspace, ScreeningRecord s, OperationContext who) => workspace.Screening.UpdateAsync(s.ScreeningId, r => r with
    {
        Status = ScreeningStatus.Cleared,
        Identity = ScreeningCheckResult.Clear,
        RightToWork = ScreeningCheckResult.Clear,
        CriminalRecord = ScreeningCheckResult.Clear,
        References = ScreeningCheckResult.Clear,
    }, null, who, CancellationToken.None);

    private async Task<ScreeningRecord> WaivedAsync(ScreeningRecord s, DateTime expiresOn)
    {
        await _store.Workspace.Screening.UpdateAsync(s.ScreeningId, r => r with { Status = ScreeningStatus.Waived, WaiverReason = "Start date before the provider can finish" },
            null, Hr, CancellationToken.None);
        return await _store.Workspace.Screening.ApproveWaiverAsync(s.ScreeningId, "Accepted by the CISO", expiresOn, null, Ciso, CancellationToken.None);
    }

    private Task<OnboardingOutcome> RunAsync(OnboardingService? service = null, bool pass = false) =>
        (service ?? Service()).StartAsync("E2001", pass, Hr, CancellationToken.None);

    private DirectoryUser? Joiner => Tenant.FindUser(JoinerUpn);

    private bool HasBirthright(DirectoryUser user) =>
        _groups.All(g => g.HasMember(user.Id))
        && user.DirectLicenses.Any(l => Tenant.FindSku(l.SkuId)?.SkuPartNumber == "ENTERPRISEPACK")
        && Tenant.AppRoleAssignmentsOf(user).Any(a => a.Resource == _app && a.AppRoleId == _appRole.Id);

    private bool HasAnyBirthright(DirectoryUser user) =>
        _groups.Any(g => g.HasMember(user.Id)) || user.DirectLicenses.Count > 0 || Tenant.AppRoleAssignmentsOf(user).Count > 0;

    private List<JsonElement> Gates() => _store.Events().Where(e => e.Action == OnboardingAuditActions.GateDecided)
        .Select(e => JsonDocument.Parse(e.Details).RootElement.Clone()).ToList();

    [Fact]
    public async Task A_joiner_gets_only_the_baseline_while_standard_screening_is_requested_and_the_birthright_access_once_it_clears()
    {
        await JoinerAsync();
        ScreeningRecord screening = await RequestedScreeningAsync();

        OnboardingOutcome first = await RunAsync();

        DirectoryUser user = Assert.IsType<DirectoryUser>(Joiner);
        Assert.Equal("E2001", user.EmployeeId);
        Assert.Equal("GB", user.UsageLocation);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), user.EmployeeHireDate);
        Assert.Same(_manager, user.Manager);
        Assert.False(HasAnyBirthright(user));
        Assert.Equal(OnboardingCaseStatus.Blocked, first.Case.Status);
        Assert.All(first.Case.Steps.Where(s => !s.Baseline), s =>
        {
            Assert.Equal(OnboardingStepStatus.Pending, s.Status);
            Assert.Contains("Waiting for Standard screening", s.Reason, StringComparison.Ordinal);
        });
        Assert.Equal(user.Id, (await _store.Workspace.People.GetAsync("E2001", CancellationToken.None)).DirectoryObjectId);
        JsonElement closed = Assert.Single(Gates());
        Assert.Equal("qa-analyst", closed.GetProperty("RoleId").GetString());
        Assert.Equal("Standard", closed.GetProperty("LevelRequired").GetString());
        Assert.False(closed.GetProperty("Cleared").GetBoolean());
        Assert.Contains(screening.ScreeningId, closed.GetProperty("Reason").GetString(), StringComparison.Ordinal);

        await ClearAsync(screening);
        OnboardingOutcome second = await RunAsync();

        Assert.True(HasBirthright(user));
        Assert.Equal(OnboardingCaseStatus.Completed, second.Case.Status);
        Assert.Equal(first.Case.CaseId, second.Case.CaseId);
        JsonElement open = Gates()[1];
        Assert.True(open.GetProperty("Cleared").GetBoolean());
        Assert.Equal(screening.ScreeningId, open.GetProperty("ScreeningId").GetString());
        List<AuditEvent> settled = _store.Events().Where(e => e.Action == OnboardingAuditActions.StepSettled).ToList();
        Assert.Equal(second.Case.Steps.Count, settled.Count);
        Assert.All(settled.Where(e => !e.Details.Contains("LinkAccount", StringComparison.Ordinal)),
            e => Assert.False(string.IsNullOrEmpty(JsonDocument.Parse(e.Details).RootElement.GetProperty("GraphRequestId").GetString())));
    }

    [Fact]
    public async Task Running_a_finished_onboarding_again_changes_nothing_in_the_directory_or_the_trail()
    {
        await JoinerAsync();
        await ClearAsync(await RequestedScreeningAsync());
        OnboardingOutcome done = await RunAsync();
        Assert.Equal(OnboardingCaseStatus.Completed, done.Case.Status);
        DirectoryUser user = Joiner!;
        int users = Tenant.Users.Count, memberships = _groups.Sum(g => g.Members.Count), assignments = Tenant.AppRoleAssignments.Count, licences = user.DirectLicenses.Count;
        long events = _store.Events().Count;

        OnboardingOutcome again = await RunAsync();

        Assert.Equal(done.Case.Version, again.Case.Version);
        Assert.Equal(done.Case.Steps, again.Case.Steps);
        Assert.Equal(events, _store.Events().Count);
        Assert.Equal((users, memberships, assignments, licences), (Tenant.Users.Count, _groups.Sum(g => g.Members.Count), Tenant.AppRoleAssignments.Count, user.DirectLicenses.Count));
    }

    [Fact]
    public async Task Access_granted_by_hand_before_the_run_counts_as_done()
    {
        await JoinerAsync();
        await ClearAsync(await RequestedScreeningAsync());
        var existing = new DirectoryUser(Guid.NewGuid().ToString(), JoinerUpn) { DisplayName = "Nova Joiner", UserType = "Member", UsageLocation = "GB" };
        Tenant.Add(existing);
        _groups[0].AddMember(existing);

        OnboardingOutcome outcome = await RunAsync();

        Assert.Equal(OnboardingCaseStatus.Completed, outcome.Case.Status);
        Assert.Equal(OnboardingStepKind.LinkAccount, outcome.Case.Steps[0].Kind);
        Assert.Equal(existing.Id, outcome.Case.UserId);
        Assert.True(HasBirthright(existing));
        Assert.Single(Tenant.Users, u => u.UserPrincipalName == JoinerUpn);
    }

    [Fact]
    public async Task A_cleared_joiner_is_onboarded_in_four_round_trips_one_read_batch_the_create_and_two_write_batches()
    {
        await JoinerAsync();
        await ClearAsync(await RequestedScreeningAsync());
        OnboardingService service = Service();

        OnboardingOutcome outcome = await RunAsync(service);

        Assert.Equal(OnboardingCaseStatus.Completed, outcome.Case.Status);
        Assert.Equal(7, outcome.Case.Steps.Count);
        Assert.Equal(4, service.RequestCount);
    }

    [Fact]
    public async Task A_validly_waived_screening_opens_the_gate()
    {
        await JoinerAsync();
        ScreeningRecord waived = await WaivedAsync(await RequestedScreeningAsync(), DateTime.UtcNow.Date.AddDays(14));

        OnboardingOutcome outcome = await RunAsync();

        Assert.Equal(OnboardingCaseStatus.Completed, outcome.Case.Status);
        Assert.True(HasBirthright(Joiner!));
        JsonElement gate = Assert.Single(Gates());
        Assert.Equal("Waived", gate.GetProperty("Basis").GetString());
        Assert.Equal(waived.ScreeningId, gate.GetProperty("ScreeningId").GetString());
    }

    [Fact]
    public async Task An_expired_waiver_does_not_open_the_gate()
    {
        await JoinerAsync();
        await WaivedAsync(await RequestedScreeningAsync(), DateTime.UtcNow.Date.AddDays(14));

        OnboardingOutcome outcome = await RunAsync(Service(() => DateTimeOffset.UtcNow.AddDays(30)));

        Assert.Equal(OnboardingCaseStatus.Blocked, outcome.Case.Status);
        Assert.False(HasAnyBirthright(Joiner!));
        Assert.False(Assert.Single(Gates()).GetProperty("Cleared").GetBoolean());
    }

    [Fact]
    public async Task A_role_without_baseline_before_clearance_gets_no_account_until_screening_clears()
    {
        await JoinerAsync(role: "vault-keeper");
        ScreeningRecord screening = await RequestedScreeningAsync();

        OnboardingOutcome blocked = await RunAsync();

        Assert.Null(Joiner);
        Assert.Equal(OnboardingCaseStatus.Blocked, blocked.Case.Status);
        Assert.False(Assert.Single(Gates()).GetProperty("BaselineAllowed").GetBoolean());

        await ClearAsync(screening);
        await RunAsync();

        Assert.True(HasBirthright(Joiner!));
    }

    [Fact]
    public async Task A_joiner_whose_job_role_is_not_in_the_catalog_is_refused_and_nothing_is_stored_or_created()
    {
        await JoinerAsync(role: "astronaut");
        long events = _store.Events().Count;
        int users = Tenant.Users.Count;

        IsmsException error = await Assert.ThrowsAsync<IsmsException>(() => RunAsync());

        Assert.Equal("IsmsOps.Onboarding.UnknownRole", error.ErrorId);
        Assert.Contains("'astronaut'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Set-IsmsPerson", error.RecommendedAction, StringComparison.Ordinal);
        Assert.Equal(events, _store.Events().Count);
        Assert.Equal(users, Tenant.Users.Count);
        Assert.Empty(await _store.Workspace.Onboarding.FindAsync(new OnboardingCaseQuery(), CancellationToken.None));
    }

    [Fact]
    public async Task A_temporary_access_pass_is_returned_once_and_never_stored_or_audited()
    {
        await JoinerAsync();
        await ClearAsync(await RequestedScreeningAsync());

        OnboardingOutcome outcome = await RunAsync(pass: true);

        Assert.StartsWith("Tap-", outcome.TemporaryAccessPass, StringComparison.Ordinal);
        Assert.Contains(Joiner!.AuthenticationMethods, m => m is TemporaryAccessPassMethod);
        Assert.DoesNotContain(_store.Events(), e => e.Details.Contains(outcome.TemporaryAccessPass!, StringComparison.Ordinal));
        Assert.DoesNotContain(outcome.TemporaryAccessPass!, File.ReadAllText(_store.Location.DatabasePath), StringComparison.Ordinal);
        Assert.Null((await RunAsync(pass: true)).TemporaryAccessPass);
    }

    [Fact]
    public async Task A_pass_asked_for_after_the_first_run_was_blocked_by_screening_is_added_to_the_case_and_issued_once_screening_clears()
    {
        await JoinerAsync("vault-keeper");
        ScreeningRecord screening = await RequestedScreeningAsync();
        Assert.Equal(OnboardingCaseStatus.Blocked, (await RunAsync()).Case.Status);

        OnboardingOutcome blocked = await RunAsync(pass: true);
        OnboardingOutcome askedAgain = await RunAsync(pass: true);

        Assert.Null(blocked.TemporaryAccessPass);
        Assert.Null(askedAgain.TemporaryAccessPass);
        Assert.Null(Joiner);
        OnboardingStep added = Assert.Single(askedAgain.Case.Steps, s => s.Kind == OnboardingStepKind.IssueTemporaryAccessPass);
        Assert.Equal(OnboardingStepStatus.Pending, added.Status);
        Assert.Equal(askedAgain.Case.Steps.Count, added.Sequence);
        Assert.Single(_store.Events(), e => e.Action == OnboardingAuditActions.StepAdded);

        await ClearAsync(screening);
        OnboardingOutcome cleared = await RunAsync(pass: true);
        OnboardingOutcome after = await RunAsync(pass: true);

        Assert.StartsWith("Tap-", cleared.TemporaryAccessPass, StringComparison.Ordinal);
        Assert.Null(after.TemporaryAccessPass);
        Assert.Equal(OnboardingCaseStatus.Completed, after.Case.Status);
        Assert.Single(after.Case.Steps, s => s.Kind == OnboardingStepKind.IssueTemporaryAccessPass);
        Assert.Single(Joiner!.AuthenticationMethods, m => m is TemporaryAccessPassMethod);
        Assert.True(HasBirthright(Joiner!));
        Assert.DoesNotContain(cleared.TemporaryAccessPass!, File.ReadAllText(_store.Location.DatabasePath), StringComparison.Ordinal);
        Assert.DoesNotContain(_store.Events(), e => e.Details.Contains(cleared.TemporaryAccessPass!, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_completed_case_planned_without_a_pass_gets_one_when_a_later_run_asks_and_only_one()
    {
        await JoinerAsync();
        await ClearAsync(await RequestedScreeningAsync());
        OnboardingOutcome first = await RunAsync();
        Assert.Equal(OnboardingCaseStatus.Completed, first.Case.Status);
        Assert.DoesNotContain(Joiner!.AuthenticationMethods, m => m is TemporaryAccessPassMethod);

        OnboardingOutcome second = await RunAsync(pass: true);
        OnboardingOutcome third = await RunAsync(pass: true);

        Assert.StartsWith("Tap-", second.TemporaryAccessPass, StringComparison.Ordinal);
        Assert.Equal(OnboardingCaseStatus.Completed, second.Case.Status);
        Assert.Null(third.TemporaryAccessPass);
        Assert.Equal(first.Case.Steps.Count + 1, third.Case.Steps.Count);
        Assert.Single(Joiner!.AuthenticationMethods, m => m is TemporaryAccessPassMethod);
        Assert.Equal(first.Case.CaseId, third.Case.CaseId);
    }
}
