using System.Text.Json;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Snapshots;
using IsmsOps.Engine.Storage;
using IsmsOps.Engine.Storage.Sqlite;
using Microsoft.Data.Sqlite;
using static IsmsOps.Engine.Tests.Snapshots.Tenant;

namespace IsmsOps.Engine.Tests.Offboarding;

public sealed class OffboardingRegisterTests : IDisposable
{
    private const string AdaId = "0b6f4a1e-8c2d-4e7f-9a3b-1c5d7e9f2a4b";

    private static readonly DateTimeOffset Leaving = new(2026, 11, 27, 17, 0, 0, TimeSpan.Zero);

    private readonly TempWorkspace _store = new();
    private readonly OffboardingRegister _register;
    private DateTime _now = new(2026, 11, 23, 9, 0, 0, DateTimeKind.Utc);

    public OffboardingRegisterTests() => _register = new OffboardingRegister(_store.Workspace.Store, _store.Workspace.Audit, () => _now);

    private static Person Ada => new() { PersonId = "E1001", DisplayName = "Ada", DirectoryObjectId = AdaId, EmploymentType = EmploymentType.Contractor };

    private static OffboardingPlan Plan(string userId = AdaId) => OffboardingPlanner.Plan(DirectoryIndex.Build(
        With([User(userId, "ada@contoso.com") with { ManagerId = "u-grace" }], [Group("g-eng", userId), Group("g-dyn", userId) with { GroupTypes = ["DynamicMembership"] }])),
        userId);

    private Task<OffboardingCase> OpenAsync(OffboardingUrgency urgency = OffboardingUrgency.Standard, Person? person = null, OffboardingPlan? plan = null) =>
        _register.CreateAsync(plan ?? Plan(), person ?? Ada, urgency, Leaving, TempWorkspace.Context, CancellationToken.None);

    private Task<OffboardingCase> RecordAsync(OffboardingCase c, OffboardingStep step, long? expectedVersion = null) =>
        _register.RecordStepAsync(c.CaseId, step, expectedVersion, TempWorkspace.Context, CancellationToken.None);

    private static OffboardingStep Done(OffboardingStep step, string requestId = "req-1") => step with
    {
        Status = OffboardingStepStatus.Done,
        Attempts = 1,
        GraphRequestId = requestId,
        BeforeState = """{"accountEnabled":true}""",
        AfterState = """{"accountEnabled":false}""",
        StartedAt = Leaving.AddSeconds(1),
        CompletedAt = Leaving.AddSeconds(2),
    };

    private List<AuditEvent> Events(string action) => _store.Events().Where(e => e.Action == action).ToList();

    [Fact]
    public async Task Steps_that_settled_together_are_stored_as_one_new_version_with_one_audit_event_each()
    {
        OffboardingCase opened = await OpenAsync();
        OffboardingStep[] settled = opened.Steps.Where(s => s.Kind is OffboardingStepKind.DisableAccount or OffboardingStepKind.RevokeSessions).Select(s => Done(s)).ToArray();

        OffboardingCase recorded = await _register.RecordStepsAsync(opened.CaseId, settled, opened.Version, TempWorkspace.Context, CancellationToken.None);
        OffboardingCase again = await _register.RecordStepsAsync(opened.CaseId, settled, null, TempWorkspace.Context, CancellationToken.None);

        Assert.Equal(opened.Version + 1, recorded.Version);
        Assert.Equal(recorded.Version, again.Version);
        OffboardingCase stored = await _register.GetAsync(opened.CaseId, CancellationToken.None);
        Assert.All(settled, s => Assert.Equal(s, stored.Steps.Single(t => t.Sequence == s.Sequence)));
        Assert.Equal(settled.Select(s => s.Sequence), Events("Offboarding.StepSettled").Select(e => JsonDocument.Parse(e.Details).RootElement.GetProperty("Sequence").GetInt32()));
    }

    [Fact]
    public async Task A_step_that_does_not_match_its_plan_refuses_the_whole_set_and_stores_none_of_it()
    {
        OffboardingCase opened = await OpenAsync();
        OffboardingStep good = Done(opened.Steps[0]);
        OffboardingStep wrong = Done(opened.Steps[1]) with { ResourceId = "somewhere-else" };

        var error = await Assert.ThrowsAsync<IsmsException>(() =>
            _register.RecordStepsAsync(opened.CaseId, [good, wrong], null, TempWorkspace.Context, CancellationToken.None));

        Assert.Equal("IsmsOps.Offboarding.StepMismatch", error.ErrorId);
        OffboardingCase stored = await _register.GetAsync(opened.CaseId, CancellationToken.None);
        Assert.Equal(opened.Steps, stored.Steps);
        Assert.Equal(opened.Version, stored.Version);
        Assert.Empty(Events("Offboarding.StepSettled"));
    }

    [Fact]
    public async Task Opening_a_case_stores_the_plan_with_every_step_and_audits_it_as_CaseOpened()
    {
        OffboardingPlan plan = Plan();
        OffboardingCase created = await OpenAsync(plan: plan);

        Assert.Matches("^OFB-20261123-[0-9A-F]{6}$", created.CaseId);
        Assert.Equal((1L, OffboardingCaseStatus.Planned, "E1001", AdaId), (created.Version, created.Status, created.PersonId, created.UserId));
        OffboardingCase stored = await _register.GetAsync(created.CaseId, CancellationToken.None);
        Assert.Equal(plan.Steps, stored.Steps);
        Assert.Equal(created with { Steps = [] }, stored with { Steps = [] });

        AuditEvent opened = Assert.Single(Events("Offboarding.CaseOpened"));
        Assert.Equal("offboarding:" + created.CaseId, opened.Target);
        using JsonDocument details = JsonDocument.Parse(opened.Details);
        Assert.Equal(plan.Steps.Count, details.RootElement.GetProperty("Steps").EnumerateObject().Count());
        Assert.Equal("2026-11-28T17:00:00.0000000Z", details.RootElement.GetProperty("DueAt").GetString());
    }

    [Fact]
    public async Task A_directory_only_leaver_gets_a_case_without_a_person()
    {
        OffboardingCase created = await _register.CreateAsync(Plan(), null, OffboardingUrgency.Standard, null, TempWorkspace.Context, CancellationToken.None);

        Assert.Null(created.PersonId);
        Assert.Equal(new DateTimeOffset(_now), created.EffectiveDate);
        Assert.Equal(created.EffectiveDate.AddHours(24), created.DueAt);
    }

    [Fact]
    public async Task A_standard_leaver_is_due_24_hours_after_leaving_and_an_immediate_one_at_once()
    {
        Assert.Equal(Leaving.AddHours(24), (await OpenAsync()).DueAt);
        Assert.Equal(Leaving, (await OpenAsync(OffboardingUrgency.Immediate, plan: Plan("u-bob"), person: Ada with { DirectoryObjectId = null })).DueAt);
    }

    [Fact]
    public async Task The_deadline_policy_can_be_replaced_per_employment_type_when_the_workspace_opens()
    {
        var policy = new OffboardingDeadlinePolicy { StandardByEmploymentType = new Dictionary<EmploymentType, TimeSpan> { [EmploymentType.Contractor] = TimeSpan.FromHours(4) } };
        _store.Workspace.Dispose();
        using IsmsWorkspace workspace = IsmsWorkspace.Open(_store.Location, offboardingDeadlines: policy);

        OffboardingCase created = await workspace.Offboarding.CreateAsync(Plan(), Ada, OffboardingUrgency.Standard, Leaving, TempWorkspace.Context, CancellationToken.None);

        Assert.Equal(Leaving.AddHours(4), created.DueAt);
        Assert.Equal(TimeSpan.FromHours(24), policy.WindowFor(EmploymentType.Employee, OffboardingUrgency.Standard));
        Assert.Equal(TimeSpan.Zero, policy.WindowFor(EmploymentType.Contractor, OffboardingUrgency.Immediate));
        _store.Reopen();
    }

    [Fact]
    public async Task A_case_not_completed_by_its_deadline_is_overdue_and_is_found_as_such()
    {
        OffboardingCase late = await OpenAsync();
        OffboardingCase onTime = await OpenAsync(plan: Plan("u-bob"), person: Ada with { PersonId = "E2002", DirectoryObjectId = null });
        onTime = onTime with { DueAt = Leaving.AddDays(30) };

        DateTimeOffset check = Leaving.AddHours(25);
        Assert.True(late.IsOverdue(check));
        Assert.False(late.IsOverdue(Leaving.AddHours(23)));
        Assert.False((late with { Status = OffboardingCaseStatus.Completed }).IsOverdue(check));
        Assert.True((late with { Status = OffboardingCaseStatus.Failed }).IsOverdue(check));

        Assert.Equal(2, (await _register.FindAsync(new OffboardingCaseQuery { OverdueAt = check }, CancellationToken.None)).Count);
        Assert.Empty(await _register.FindAsync(new OffboardingCaseQuery { OverdueAt = Leaving.AddHours(23) }, CancellationToken.None));
    }

    [Fact]
    public async Task Cases_are_found_by_person_account_status_and_openness()
    {
        OffboardingCase ada = await OpenAsync();
        OffboardingCase bob = await OpenAsync(plan: Plan("u-bob"), person: Ada with { PersonId = "E2002", DirectoryObjectId = null });
        await _register.SetStatusAsync(bob.CaseId, OffboardingCaseStatus.Running, null, TempWorkspace.Context, CancellationToken.None);

        async Task<IEnumerable<string>> Ids(OffboardingCaseQuery q) => (await _register.FindAsync(q, CancellationToken.None)).Select(c => c.CaseId).Order();

        Assert.Equal([ada.CaseId], await Ids(new OffboardingCaseQuery { PersonId = "e1001" }));
        Assert.Equal([bob.CaseId], await Ids(new OffboardingCaseQuery { UserId = "U-BOB" }));
        Assert.Equal([bob.CaseId], await Ids(new OffboardingCaseQuery { Statuses = [OffboardingCaseStatus.Running] }));
        Assert.Equal(new[] { ada.CaseId, bob.CaseId }.Order(), await Ids(new OffboardingCaseQuery { OpenOnly = true }));
        Assert.All(await _register.FindAsync(OffboardingCaseQuery.All, CancellationToken.None), c => Assert.NotEmpty(c.Steps));
    }

    [Fact]
    public async Task A_second_open_case_for_the_same_account_is_refused_and_nothing_is_written()
    {
        OffboardingCase first = await OpenAsync();

        IsmsException error = await Assert.ThrowsAsync<IsmsException>(() => OpenAsync(OffboardingUrgency.Immediate));

        Assert.Equal("IsmsOps.Offboarding.AlreadyOpen", error.ErrorId);
        Assert.Contains(first.CaseId, error.RecommendedAction, StringComparison.Ordinal);
        Assert.Single(await _register.FindAsync(OffboardingCaseQuery.All, CancellationToken.None));
        Assert.Single(Events("Offboarding.CaseOpened"));
    }

    [Fact]
    public async Task A_person_linked_to_another_account_is_refused()
    {
        IsmsException error = await Assert.ThrowsAsync<IsmsException>(() => OpenAsync(plan: Plan("u-someone-else")));

        Assert.Equal("IsmsOps.Offboarding.PersonMismatch", error.ErrorId);
        Assert.Empty(await _register.FindAsync(OffboardingCaseQuery.All, CancellationToken.None));
    }

    [Fact]
    public async Task Recording_a_step_stores_it_and_audits_its_before_and_after_state_request_id_and_times_in_one_event()
    {
        OffboardingCase c = await OpenAsync();
        OffboardingStep disable = Done(c.Steps[0]);

        OffboardingCase after = await RecordAsync(c, disable, expectedVersion: 1);

        Assert.Equal(2, after.Version);
        Assert.Equal(disable, (await _register.GetAsync(c.CaseId, CancellationToken.None)).Steps[0]);
        AuditEvent settled = Assert.Single(Events("Offboarding.StepSettled"));
        using JsonDocument details = JsonDocument.Parse(settled.Details);
        JsonElement d = details.RootElement;
        Assert.Equal(("req-1", """{"accountEnabled":true}""", """{"accountEnabled":false}"""),
            (d.GetProperty("GraphRequestId").GetString(), d.GetProperty("BeforeState").GetString(), d.GetProperty("AfterState").GetString()));
        Assert.Equal("2026-11-27T17:00:01.0000000Z", d.GetProperty("StartedAt").GetString());
        Assert.Equal("2026-11-27T17:00:02.0000000Z", d.GetProperty("CompletedAt").GetString());
        Assert.Equal("Pending", d.GetProperty("changes").GetProperty("Status").GetProperty("from").GetString());
        Assert.Equal("Done", d.GetProperty("changes").GetProperty("Status").GetProperty("to").GetString());
    }

    [Fact]
    public async Task A_step_whose_words_quote_the_leavers_principal_name_is_audited_with_their_object_id_instead()
    {
        OffboardingCase c = await OpenAsync();
        string upn = c.UserPrincipalName;
        OffboardingStep quoted = c.Steps[2] with
        {
            Status = OffboardingStepStatus.ManualTask,
            Reason = $"Exchange Online manages this list: Remove-DistributionGroupMember -Member '{upn.ToUpperInvariant()}'.",
        };

        c = await RecordAsync(c, quoted);

        Assert.Equal(quoted.Reason, c.Steps[2].Reason);
        AuditEvent settled = Assert.Single(Events("Offboarding.StepSettled"));
        Assert.DoesNotContain(upn, settled.Details, StringComparison.OrdinalIgnoreCase);
        using JsonDocument details = JsonDocument.Parse(settled.Details);
        Assert.Equal($"Exchange Online manages this list: Remove-DistributionGroupMember -Member '{c.UserId}'.", details.RootElement.GetProperty("Reason").GetString());
    }

    [Fact]
    public async Task A_failed_attempt_is_audited_as_StepFailed_and_a_later_success_as_StepSettled()
    {
        OffboardingCase c = await OpenAsync();
        c = await RecordAsync(c, c.Steps[2] with { Status = OffboardingStepStatus.Failed, Attempts = 1, Reason = "Missing permission GroupMember.ReadWrite.All" });
        c = await RecordAsync(c, Done(c.Steps[2]) with { Attempts = 2 });

        Assert.Single(Events("Offboarding.StepFailed"));
        Assert.Single(Events("Offboarding.StepSettled"));
        Assert.Equal((OffboardingStepStatus.Done, 2), (c.Steps[2].Status, c.Steps[2].Attempts));
    }

    [Fact]
    public async Task When_the_audit_event_cannot_be_written_the_step_is_not_recorded_either()
    {
        OffboardingCase c = await OpenAsync();
        _store.Sql("CREATE TRIGGER fail_audit BEFORE INSERT ON audit_event BEGIN SELECT RAISE(ABORT, 'disk trouble'); END;");

        await Assert.ThrowsAsync<IsmsException>(() => RecordAsync(c, Done(c.Steps[0])));

        _store.Sql("DROP TRIGGER fail_audit;");
        OffboardingCase stored = await _register.GetAsync(c.CaseId, CancellationToken.None);
        Assert.Equal((1L, OffboardingStepStatus.Pending), (stored.Version, stored.Steps[0].Status));
        Assert.True((await _store.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task When_the_step_cannot_be_written_no_audit_event_is_written_either()
    {
        OffboardingCase c = await OpenAsync();
        long events = _store.Events().Count;
        _store.Sql("CREATE TRIGGER fail_step BEFORE UPDATE ON offboarding_step BEGIN SELECT RAISE(ABORT, 'disk trouble'); END;");

        await Assert.ThrowsAsync<IsmsException>(() => RecordAsync(c, Done(c.Steps[0])));

        _store.Sql("DROP TRIGGER fail_step;");
        Assert.Equal(events, _store.Events().Count);
        Assert.Equal(1, (await _register.GetAsync(c.CaseId, CancellationToken.None)).Version);
    }

    [Fact]
    public async Task Recording_a_settled_step_again_with_the_same_outcome_writes_and_audits_nothing()
    {
        OffboardingCase c = await OpenAsync();
        c = await RecordAsync(c, Done(c.Steps[0]));
        long events = _store.Events().Count;

        OffboardingCase same = await RecordAsync(c, Done(c.Steps[0]));
        OffboardingCase resumed = await RecordAsync(c, Done(c.Steps[0], requestId: "req-on-resume") with { Attempts = 2, CompletedAt = Leaving.AddHours(1) });

        Assert.Equal(2, same.Version);
        Assert.Equal(2, resumed.Version);
        Assert.Equal("req-1", (await _register.GetAsync(c.CaseId, CancellationToken.None)).Steps[0].GraphRequestId);
        Assert.Equal(events, _store.Events().Count);
    }

    [Fact]
    public async Task A_change_against_a_stale_version_is_refused_with_Conflict()
    {
        OffboardingCase c = await OpenAsync();
        await RecordAsync(c, Done(c.Steps[0]), expectedVersion: 1);

        IsmsException step = await Assert.ThrowsAsync<IsmsException>(() => RecordAsync(c, Done(c.Steps[1]), expectedVersion: 1));
        IsmsException status = await Assert.ThrowsAsync<IsmsException>(() =>
            _register.SetStatusAsync(c.CaseId, OffboardingCaseStatus.Running, 1, TempWorkspace.Context, CancellationToken.None));

        Assert.Equal("IsmsOps.Offboarding.Conflict", step.ErrorId);
        Assert.Equal(IsmsErrorKind.Conflict, step.Kind);
        Assert.Equal("IsmsOps.Offboarding.Conflict", status.ErrorId);
        Assert.Equal(OffboardingStepStatus.Pending, (await _register.GetAsync(c.CaseId, CancellationToken.None)).Steps[1].Status);
    }

    [Fact]
    public async Task A_result_for_another_target_an_unknown_step_or_an_unknown_case_is_refused()
    {
        OffboardingCase c = await OpenAsync();

        IsmsException mismatch = await Assert.ThrowsAsync<IsmsException>(() => RecordAsync(c, Done(c.Steps[2]) with { ResourceId = "g-other" }));
        IsmsException noStep = await Assert.ThrowsAsync<IsmsException>(() => RecordAsync(c, Done(c.Steps[0]) with { Sequence = 99 }));
        IsmsException noCase = await Assert.ThrowsAsync<IsmsException>(() => _register.GetAsync("OFB-20990101-000000", CancellationToken.None));

        Assert.Equal("IsmsOps.Offboarding.StepMismatch", mismatch.ErrorId);
        Assert.Equal("IsmsOps.Offboarding.StepNotFound", noStep.ErrorId);
        Assert.Equal("IsmsOps.Offboarding.NotFound", noCase.ErrorId);
        Assert.Equal(IsmsErrorKind.NotFound, noCase.Kind);
    }

    [Fact]
    public async Task A_case_closes_only_when_every_step_is_settled_and_the_closing_says_whether_the_deadline_was_missed()
    {
        OffboardingCase c = await OpenAsync();
        IsmsException early = await Assert.ThrowsAsync<IsmsException>(() =>
            _register.SetStatusAsync(c.CaseId, OffboardingCaseStatus.CompletedWithManualTasks, null, TempWorkspace.Context, CancellationToken.None));
        Assert.Equal("IsmsOps.Offboarding.NotSettled", early.ErrorId);

        foreach (OffboardingStep step in c.Steps.Where(s => s.Status == OffboardingStepStatus.Pending))
        {
            c = await RecordAsync(c, Done(step));
        }

        IsmsException manualLeft = await Assert.ThrowsAsync<IsmsException>(() =>
            _register.SetStatusAsync(c.CaseId, OffboardingCaseStatus.Completed, null, TempWorkspace.Context, CancellationToken.None));
        Assert.Contains("ManualTask", manualLeft.Message, StringComparison.Ordinal);

        _now = Leaving.AddHours(30).UtcDateTime;
        c = await _register.SetStatusAsync(c.CaseId, OffboardingCaseStatus.CompletedWithManualTasks, c.Version, TempWorkspace.Context, CancellationToken.None);
        Assert.Equal(new DateTimeOffset(_now), c.ClosedAt);
        Assert.False(c.IsOverdue(Leaving.AddDays(5)));
        using (JsonDocument closed = JsonDocument.Parse(Assert.Single(Events("Offboarding.CaseClosed")).Details))
        {
            Assert.True(closed.RootElement.GetProperty("Overdue").GetBoolean());
        }

        // A person confirms the manual task: the case may then become Completed, and nothing after that.
        OffboardingStep task = c.Steps.Single(s => s.Kind == OffboardingStepKind.ManualTask);
        c = await RecordAsync(c, task with { Status = OffboardingStepStatus.Done, Reason = "Removed from the rule by jo@contoso.com" });
        c = await _register.SetStatusAsync(c.CaseId, OffboardingCaseStatus.Completed, null, TempWorkspace.Context, CancellationToken.None);
        IsmsException reopen = await Assert.ThrowsAsync<IsmsException>(() =>
            _register.SetStatusAsync(c.CaseId, OffboardingCaseStatus.Running, null, TempWorkspace.Context, CancellationToken.None));
        Assert.Equal("IsmsOps.Offboarding.Closed", reopen.ErrorId);
        Assert.Equal(2, Events("Offboarding.CaseClosed").Count);
    }

    [Fact]
    public async Task The_audit_trail_still_verifies_after_a_run_of_step_updates_through_the_workspace()
    {
        OffboardingRegister register = _store.Workspace.Offboarding;
        OffboardingCase c = await register.CreateAsync(Plan(), Ada, OffboardingUrgency.Immediate, null, TempWorkspace.Context, CancellationToken.None);
        c = await register.SetStatusAsync(c.CaseId, OffboardingCaseStatus.Running, c.Version, TempWorkspace.Context, CancellationToken.None);
        foreach (OffboardingStep step in c.Steps.Where(s => !s.IsSettled))
        {
            c = await register.RecordStepAsync(c.CaseId, step with { Status = OffboardingStepStatus.Pending, StartedAt = Leaving, Attempts = 1 }, c.Version, TempWorkspace.Context, CancellationToken.None);
            c = await register.RecordStepAsync(c.CaseId, Done(step), c.Version, TempWorkspace.Context, CancellationToken.None);
        }

        c = await register.SetStatusAsync(c.CaseId, OffboardingCaseStatus.CompletedWithManualTasks, c.Version, TempWorkspace.Context, CancellationToken.None);
        _store.Reopen();

        Assert.True((await _store.VerifyAsync()).IsValid);
        OffboardingCase stored = await _store.Workspace.Offboarding.GetAsync(c.CaseId, CancellationToken.None);
        Assert.Equal(c.Steps, stored.Steps);
        Assert.Equal(c with { Steps = [] }, stored with { Steps = [] });
        Assert.All(stored.Steps, s => Assert.True(s.IsSettled));
        Assert.All(_store.Events().Where(e => e.Action.StartsWith("Offboarding.", StringComparison.Ordinal)), e => Assert.Equal("offboarding:" + c.CaseId, e.Target));
    }

    [Fact]
    public async Task A_store_at_the_previous_schema_migrates_and_keeps_its_people()
    {
        _store.Workspace.Dispose();
        SqliteConnection.ClearAllPools();
        string path = Path.Combine(_store.Home, "previous.db");
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            connection.Open();
            SqliteStore.Execute(connection, SqliteSchema.Migrations[0]);
            SqliteStore.Execute(connection, $"PRAGMA application_id={SqliteSchema.ApplicationId}; PRAGMA user_version=1;");
            SqliteStore.Execute(connection,
                "INSERT INTO person (person_id, display_name, employment_type, status, version, created_at, updated_at) " +
                "VALUES ('E1', 'Ada', 'Employee', 'Active', 1, '2026-01-01T00:00:00.0000000Z', '2026-01-01T00:00:00.0000000Z');");
        }

        using (SqliteStore migrated = SqliteStore.Open(path))
        {
            Assert.Equal(SqliteSchema.LatestVersion, migrated.SchemaVersion);
            Person ada = (await migrated.GetPersonAsync("E1", CancellationToken.None))!;
            Assert.Equal(("Ada", null), (ada.DisplayName, ada.PersonalDataRemovedAt));
            Assert.Empty(await migrated.GetProtectedValuesAsync("E1", CancellationToken.None));
            Assert.Empty(await migrated.FindOffboardingCasesAsync(OffboardingCaseQuery.All, CancellationToken.None));
            await using IStoreWriteTransaction transaction = await migrated.BeginWriteAsync(CancellationToken.None);
            await transaction.InsertOffboardingCaseAsync(new OffboardingCase
            {
                CaseId = "OFB-20261123-ABCDEF", UserId = AdaId, UserPrincipalName = "ada@contoso.com", EffectiveDate = Leaving, DueAt = Leaving, Version = 1,
                Steps = Plan().Steps,
            }, CancellationToken.None);
            await transaction.CommitAsync(CancellationToken.None);
        }

        using SqliteStore reopened = SqliteStore.Open(path);
        Assert.Equal(Plan().Steps, (await reopened.GetOffboardingCaseAsync("ofb-20261123-abcdef", CancellationToken.None))!.Steps);
        SqliteConnection.ClearAllPools();
        _store.Reopen();
    }

    public void Dispose() => _store.Dispose();
}
