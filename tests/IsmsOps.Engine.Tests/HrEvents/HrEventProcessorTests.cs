using IsmsOps.Engine.Audit;
using IsmsOps.Engine.HrEvents;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Tests.Roles;

namespace IsmsOps.Engine.Tests.HrEvents;

public sealed class HrEventProcessorTests : IDisposable
{
    private static readonly RoleCatalog Roles = RoleCatalog.Load(Path.Combine(RoleCatalogFileTests.RepoRoot(), "policies", "roles"));

    private readonly TempWorkspace _home = new();

    public void Dispose() => _home.Dispose();

    private Task<HrEventOutcome> Process(HrEvent e) => _home.Workspace.HrEvents.ProcessAsync(e, Roles, TempWorkspace.Context, CancellationToken.None);

    private static HrEvent Joiner(string key = "evt-1", string personId = "E1001", string? role = "software-engineer", DateTime? start = null) => new()
    {
        IdempotencyKey = key,
        Kind = HrEventKind.Joiner,
        PersonId = personId,
        DisplayName = "Ada Lovelace",
        UserPrincipalName = "ada@contoso.com",
        Department = "Engineering",
        JobRole = role,
        StartDate = start ?? DateTime.UtcNow.Date.AddDays(7),
    };

    private List<AuditEvent> Events(string action) => _home.Events().Where(e => e.Action == action).ToList();

    [Fact]
    public async Task A_joiner_creates_the_person_onboarding_with_the_role_id_and_records_the_event_and_its_audit_together()
    {
        HrEventOutcome outcome = await Process(Joiner(role: "Software Engineer"));

        Assert.Equal(HrEventStatus.Applied, outcome.Status);
        Person ada = await _home.Workspace.People.GetAsync("E1001", CancellationToken.None);
        Assert.Equal(PersonStatus.Onboarding, ada.Status);
        Assert.Equal("software-engineer", ada.JobRole);
        AuditEvent applied = Assert.Single(Events(HrEventProcessor.AppliedAction));
        AuditEvent created = Assert.Single(Events("Person.Created"));
        Assert.Equal(created.CorrelationId, applied.CorrelationId);
        Assert.Equal(created.Sequence + 1, applied.Sequence);
        Assert.DoesNotContain("Lovelace", applied.Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_joiner_starting_more_than_thirty_days_ahead_is_registered_as_a_candidate()
    {
        await Process(Joiner(start: DateTime.UtcNow.Date.AddDays(HrEventProcessor.CandidateLeadDays + 1)));

        Assert.Equal(PersonStatus.Candidate, (await _home.Workspace.People.GetAsync("E1001", CancellationToken.None)).Status);
    }

    [Fact]
    public async Task A_redelivered_event_with_the_same_key_and_body_does_nothing_and_says_so()
    {
        await Process(Joiner());
        long events = _home.Events().Count;

        HrEventOutcome again = await Process(Joiner());

        Assert.Equal(HrEventStatus.AlreadyProcessed, again.Status);
        Assert.NotNull(again.ProcessedAt);
        Assert.Contains("evt-1", again.Reason, StringComparison.Ordinal);
        Assert.Equal(events, _home.Events().Count);
        Assert.Equal(1, (await _home.Workspace.People.GetAsync("E1001", CancellationToken.None)).Version);
    }

    [Fact]
    public async Task A_reused_key_with_a_different_body_is_refused_and_changes_nothing()
    {
        await Process(Joiner());
        HrEvent mover = new() { IdempotencyKey = "evt-1", Kind = HrEventKind.Mover, PersonId = "E1001", JobRole = "engineering-manager" };

        HrEventOutcome outcome = await Process(mover);

        Assert.Equal(HrEventStatus.Refused, outcome.Status);
        Assert.Equal("IsmsOps.HrEvent.KeyReused", outcome.ErrorId);
        Assert.Equal("software-engineer", (await _home.Workspace.People.GetAsync("E1001", CancellationToken.None)).JobRole);
        Assert.Contains("IsmsOps.HrEvent.KeyReused", Assert.Single(Events(HrEventProcessor.RefusedAction)).Details, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mover_to_an_unknown_role_is_refused_and_can_be_sent_again_under_the_same_key_once_fixed()
    {
        await Process(Joiner());
        HrEvent move = new() { IdempotencyKey = "evt-2", Kind = HrEventKind.Mover, PersonId = "E1001", JobRole = "astronaut", Department = "Space" };

        HrEventOutcome refused = await Process(move);
        HrEventOutcome applied = await Process(move with { JobRole = "Engineering Manager" });

        Assert.Equal(("IsmsOps.Role.NotFound", HrEventStatus.Refused), (refused.ErrorId, refused.Status));
        Assert.Equal(HrEventStatus.Applied, applied.Status);
        Person ada = await _home.Workspace.People.GetAsync("E1001", CancellationToken.None);
        Assert.Equal(("engineering-manager", "Space", 2L), (ada.JobRole, ada.Department, ada.Version));
        Assert.Equal(["JobRole", "Department"], applied.Changes.Select(c => c.Field).Order(StringComparer.Ordinal).Reverse());
    }

    [Fact]
    public async Task A_leaver_sets_leaving_with_the_end_date_and_a_leaver_for_someone_unknown_is_refused()
    {
        await Process(Joiner(start: DateTime.UtcNow.Date.AddYears(-2)));
        DateTime end = DateTime.UtcNow.Date.AddDays(-3);

        HrEventOutcome left = await Process(new HrEvent { IdempotencyKey = "evt-3", Kind = HrEventKind.Leaver, PersonId = "E1001", EndDate = end });
        HrEventOutcome unknown = await Process(new HrEvent { IdempotencyKey = "evt-4", Kind = HrEventKind.Leaver, PersonId = "E9999", EndDate = end });

        Assert.Equal(HrEventStatus.Applied, left.Status);
        Person ada = await _home.Workspace.People.GetAsync("E1001", CancellationToken.None);
        Assert.Equal((PersonStatus.Leaving, end), (ada.Status, ada.EndDate));
        Assert.Equal(("IsmsOps.Person.NotFound", HrEventStatus.Refused), (unknown.ErrorId, unknown.Status));
    }

    [Fact]
    public async Task A_batch_applies_its_events_in_order_each_whole_or_not_at_all_with_refusals_and_redeliveries_inside_it()
    {
        HrEvent[] batch =
        [
            Joiner("evt-1", "E1"),
            new() { IdempotencyKey = "evt-2", Kind = HrEventKind.Leaver, PersonId = "E9", EndDate = DateTime.UtcNow.Date },    // nobody to leave
            Joiner("evt-3", "E2") with { ManagerId = "E2" },                                                                     // own manager: invalid
            Joiner("evt-4", "E3"),
            Joiner("evt-1", "E1"),                                                                                               // re-delivered in the batch
            new() { IdempotencyKey = "evt-4", Kind = HrEventKind.Mover, PersonId = "E3", Department = "Finance" },              // key reused
            new() { IdempotencyKey = "evt-5", Kind = HrEventKind.Mover, PersonId = "E1", Department = "Finance" },
        ];

        IReadOnlyList<HrEventOutcome> outcomes = await _home.Workspace.HrEvents.ProcessAsync(batch, Roles, TempWorkspace.Context, CancellationToken.None);

        Assert.Equal(
            [
                ("evt-1", HrEventStatus.Applied, null), ("evt-2", HrEventStatus.Refused, "IsmsOps.Person.NotFound"),
                ("evt-3", HrEventStatus.Refused, "IsmsOps.Person.InvalidManagerId"), ("evt-4", HrEventStatus.Applied, null),
                ("evt-1", HrEventStatus.AlreadyProcessed, null), ("evt-4", HrEventStatus.Refused, "IsmsOps.HrEvent.KeyReused"),
                ("evt-5", HrEventStatus.Applied, null),
            ],
            outcomes.Select(o => (o.IdempotencyKey, o.Status, o.ErrorId)));
        IReadOnlyList<Person> people = await _home.Workspace.People.FindAsync(new PersonQuery(), CancellationToken.None);
        Assert.Equal([("E1", "Finance", 2L), ("E3", "Engineering", 1L)], people.Select(p => (p.PersonId, p.Department, p.Version)));
        Assert.Equal(3, Events(HrEventProcessor.AppliedAction).Count);
        Assert.Equal(3, Events(HrEventProcessor.RefusedAction).Count);
        Assert.DoesNotContain(_home.Events(), e => e.Target == "person:E2" && e.Action != HrEventProcessor.RefusedAction);
        Assert.True((await _home.VerifyAsync()).IsValid);
    }

    [Fact]
    public void A_webhook_body_that_is_not_an_event_is_refused_naming_the_line()
    {
        var error = Assert.Throws<IsmsException>(() => HrEvent.FromJson("{\n  \"IdempotencyKey\": \"k\",\n  \"Kind\": \"Hired\"\n}"));

        Assert.Equal("IsmsOps.HrEvent.InvalidJson", error.ErrorId);
        Assert.Contains("line 3", error.Message, StringComparison.Ordinal);
        Assert.Equal(HrEventKind.Leaver, HrEvent.FromJson("{\"idempotencyKey\":\"k\",\"kind\":\"Leaver\",\"personId\":\"E1\",\"endDate\":\"2026-12-31\"}").Kind);
    }
}
