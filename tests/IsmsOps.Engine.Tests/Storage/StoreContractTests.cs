using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.HrEvents;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Storage;
using IsmsOps.Engine.Storage.Sqlite;
using IsmsOps.Engine.Tests.Roles;

namespace IsmsOps.Engine.Tests.Storage;

/// <summary>
/// What every store promises, whichever engine holds it: schema versions, optimistic concurrency, a linear audit chain
/// and idempotent HR events when several hosts write at once. Each "host" is a workspace of its own (its own store
/// instance, connection pool, home folder and head witness) on the one shared store; they share the signing key, as
/// docs/postgresql.md tells a team to.
/// </summary>
public abstract class StoreContractTests : IDisposable
{
    private static readonly RoleCatalog Roles = RoleCatalog.Load(Path.Combine(RoleCatalogFileTests.RepoRoot(), "policies", "roles"));

    private readonly List<string> _hostHomes = [];

    protected StoreContractTests(string? store)
    {
        First = new TempWorkspace(store);
    }

    private protected TempWorkspace First { get; }

    /// <summary>Sets the schema version the store itself records (as a newer module, or an older one, would leave it).</summary>
    protected abstract void SetRecordedSchemaVersion(int version);

    /// <summary>Another host on the same store, with a home of its own and the team's shared keys.</summary>
    private IsmsWorkspace AnotherHost()
    {
        string home = Directory.CreateTempSubdirectory("ismsops-host-").FullName;
        _hostHomes.Add(home);
        return IsmsWorkspace.Open(new StoreLocation(home)
        {
            Store = First.Location.Store ?? First.Location.DatabasePath,
            SigningKeyPath = First.Location.SigningKeyPath,
            MasterKeyPath = First.Location.MasterKeyPath,
        });
    }

    public void Dispose()
    {
        First.Dispose();
        foreach (string home in _hostHomes)
        {
            Directory.Delete(home, recursive: true);
        }
    }

    [Fact]
    public void The_store_is_migrated_to_the_same_schema_version_as_the_embedded_store()
    {
        Assert.Equal(SqliteSchema.LatestVersion, First.Workspace.Store.SchemaVersion);
        First.Reopen();
        Assert.Equal(SqliteSchema.LatestVersion, First.Workspace.Store.SchemaVersion);
    }

    [Fact]
    public void A_store_at_a_newer_schema_version_is_refused_with_the_fix()
    {
        First.Workspace.Dispose();
        SetRecordedSchemaVersion(SqliteSchema.LatestVersion + 1);

        IsmsException error = Assert.Throws<IsmsException>(() => First.Location.OpenStore().Dispose());

        Assert.Equal("IsmsOps.Store.NewerSchema", error.ErrorId);
        Assert.Contains($"schema version {SqliteSchema.LatestVersion + 1}", error.Message, StringComparison.Ordinal);
        Assert.Contains("Update the IsmsOps module", error.RecommendedAction, StringComparison.Ordinal);
        SetRecordedSchemaVersion(SqliteSchema.LatestVersion);
        First.Reopen();
    }

    [Fact]
    public async Task An_update_made_against_a_version_another_host_already_replaced_is_refused_and_the_other_update_kept()
    {
        await First.AddPersonAsync("E1", "Ada");
        using IsmsWorkspace other = AnotherHost();
        Person seenByFirst = (await First.Workspace.Store.GetPersonAsync("E1", CancellationToken.None))!;
        Person seenByOther = (await other.Store.GetPersonAsync("E1", CancellationToken.None))!;

        // Both hosts write at once, each from the version it read.
        bool[] applied = await Task.WhenAll(
            Update(First.Workspace.Store, seenByFirst with { Department = "Finance", Version = seenByFirst.Version + 1 }, seenByFirst.Version),
            Update(other.Store, seenByOther with { Department = "Legal", Version = seenByOther.Version + 1 }, seenByOther.Version));

        Assert.Single(applied, a => a);
        Person stored = (await First.Workspace.Store.GetPersonAsync("E1", CancellationToken.None))!;
        Assert.Equal(seenByFirst.Version + 1, stored.Version);
        Assert.Equal(applied[0] ? "Finance" : "Legal", stored.Department);
    }

    private static async Task<bool> Update(IIsmsStore store, Person person, long expectedVersion)
    {
        await using IStoreWriteTransaction transaction = await store.BeginWriteAsync(CancellationToken.None);
        bool updated = await transaction.UpdatePersonAsync(person, expectedVersion, CancellationToken.None);
        await transaction.CommitAsync(CancellationToken.None);
        return updated;
    }

    [Fact]
    public async Task A_campaign_created_on_one_host_reads_field_for_field_as_on_the_embedded_store_and_a_decision_from_another_host_is_counted_once()
    {
        AccessReviewCampaign campaign = await StoreCampaigns.CreateAsync(First.Workspace);
        using var embedded = new TempWorkspace(TempWorkspace.Embedded);
        AccessReviewCampaign reference = await StoreCampaigns.CreateAsync(embedded.Workspace);
        List<AccessReviewItem> items = StoreCampaigns.Items(First.Workspace.Store, campaign.CampaignId);
        Assert.NotEmpty(items);
        Assert.Equal(StoreCampaigns.Items(embedded.Workspace.Store, reference.CampaignId).Select(StoreCampaigns.Canonical), items.Select(StoreCampaigns.Canonical));
        Assert.Equal(campaign.ItemsSha256, AccessReviewRegister.Digest(items));
        Assert.Equal(
            (await embedded.Workspace.Store.GetAccessReviewersAsync(reference.CampaignId, CancellationToken.None)).Select(r => r.ReviewerId),
            (await First.Workspace.Store.GetAccessReviewersAsync(campaign.CampaignId, CancellationToken.None)).Select(r => r.ReviewerId));

        using IsmsWorkspace other = AnotherHost();
        AccessReviewItem admin = items.Single(i => i.ResourceId == "g-admins");
        Assert.True(await StoreCampaigns.DecideAsync(other.Store, admin, AccessReviewDecision.Deny, "u-olga"));
        // The first host still holds the version it read: its decision is refused, the other host's kept.
        Assert.False(await StoreCampaigns.DecideAsync(First.Workspace.Store, admin, AccessReviewDecision.Approve, "u-olga"));

        AccessReviewItem decided = Assert.Single(First.Workspace.Store.ReadAccessReviewItems(
            new AccessReviewItemQuery { CampaignId = campaign.CampaignId, ItemIds = [admin.ItemId] }, CancellationToken.None));
        Assert.Equal((AccessReviewDecision.Deny, "u-olga", 2L), (decided.Decision, decided.DecidedBy, decided.Version));
        Assert.Equal(1, await First.Workspace.Store.CountDecidedAccessReviewItemsAsync(campaign.CampaignId, CancellationToken.None));
        Assert.DoesNotContain(StoreCampaigns.Items(other.Store, campaign.CampaignId, pendingOnly: true), i => i.ItemId == admin.ItemId);
        Assert.Equal(items.Count - 1, StoreCampaigns.Items(other.Store, campaign.CampaignId, pendingOnly: true).Count);
        Assert.Equal(items.Where(i => i.ReviewerIds.Contains("u-oscar")).Select(i => i.ItemId),
            StoreCampaigns.Items(other.Store, campaign.CampaignId, reviewerId: "u-oscar").Select(i => i.ItemId));
        var progress = (await other.Store.GetAccessReviewProgressAsync(campaign.CampaignId, CancellationToken.None)).ToDictionary(p => p.ReviewerId, p => (p.Assigned, p.Decided));
        Assert.Equal((items.Count(i => i.ReviewerIds.Contains("u-olga")), 1L), progress["u-olga"]);
        Assert.Equal((items.Count(i => i.ReviewerIds.Contains("u-oscar")), 0L), progress["u-oscar"]);
    }

    [Fact]
    public async Task One_HR_event_delivered_to_two_hosts_at_once_is_applied_once()
    {
        using IsmsWorkspace other = AnotherHost();
        HrEvent joiner = new()
        {
            IdempotencyKey = "evt-shared-1",
            Kind = HrEventKind.Joiner,
            PersonId = "E2001",
            DisplayName = "Grace Hopper",
            UserPrincipalName = "grace@contoso.com",
            Department = "Engineering",
            JobRole = "software-engineer",
            StartDate = DateTime.UtcNow.Date.AddDays(7),
        };

        HrEventOutcome[] outcomes = await Task.WhenAll(
            Task.Run(() => First.Workspace.HrEvents.ProcessAsync(joiner, Roles, TempWorkspace.Context, CancellationToken.None)),
            Task.Run(() => other.HrEvents.ProcessAsync(joiner, Roles, TempWorkspace.Context, CancellationToken.None)));

        Assert.Equal([HrEventStatus.Applied, HrEventStatus.AlreadyProcessed], outcomes.Select(o => o.Status).Order());
        Assert.Single(await First.Workspace.People.FindAsync(new PersonQuery(), CancellationToken.None));
        Assert.Single(First.Events(), e => e.Target == "person:E2001" && e.Action == "Person.Created");
        Assert.True((await First.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task Eight_hosts_appending_a_thousand_events_each_at_once_leave_one_linear_chain_of_8000_that_verifies()
    {
        const int Hosts = 8;
        const int EventsEach = 1000;
        IsmsWorkspace[] hosts = Enumerable.Range(0, Hosts).Select(_ => AnotherHost()).ToArray();
        try
        {
            await Task.WhenAll(hosts.Select((host, h) => Task.Run(async () =>
            {
                for (int i = 0; i < EventsEach; i++)
                {
                    await host.Audit.AppendAsync([new AuditEventDraft("Test.Event", $"host{h}:{i}", new AuditDetails().Add("n", i).ToJson())],
                        TempWorkspace.Context, CancellationToken.None);
                }
            })));
        }
        finally
        {
            foreach (IsmsWorkspace host in hosts)
            {
                host.Dispose();
            }
        }

        List<AuditEvent> events = First.Events();
        Assert.Equal(Hosts * EventsEach, events.Count);
        Assert.Equal(Enumerable.Range(1, Hosts * EventsEach).Select(i => (long)i), events.Select(e => e.Sequence));
        Assert.All(events.Skip(1).Zip(events), pair => Assert.Equal(pair.Second.Hash, pair.First.PreviousHash));
        for (int h = 0; h < Hosts; h++)
        {
            // Each host's own events are on the chain in the order it appended them.
            Assert.Equal(Enumerable.Range(0, EventsEach).Select(i => $"host{h}:{i}"), events.Where(e => e.Target.StartsWith($"host{h}:", StringComparison.Ordinal)).Select(e => e.Target));
        }

        AuditVerificationResult verification = await First.VerifyAsync();
        Assert.True(verification.IsValid, verification.Message);
    }
}

/// <summary>The store contract on the embedded SQLite store (hosts share the file).</summary>
public sealed class SqliteStoreContractTests() : StoreContractTests(TempWorkspace.Embedded)
{
    protected override void SetRecordedSchemaVersion(int version) => First.Sql($"PRAGMA user_version={version};");
}

/// <summary>The store contract on the shared PostgreSQL store.</summary>
public sealed class PostgresStoreContractTests : StoreContractTests
{
    private readonly string _database;

    public PostgresStoreContractTests()
        : this(PostgresCluster.Shared.CreateDatabase())
    {
    }

    private PostgresStoreContractTests(string connectionString)
        : base(connectionString) => _database = new Npgsql.NpgsqlConnectionStringBuilder(connectionString).Database!;

    protected override void SetRecordedSchemaVersion(int version) =>
        PostgresCluster.Shared.Execute($"UPDATE isms_schema SET version = {version};", _database);
}
