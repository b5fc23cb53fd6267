using IsmsOps.Engine;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Storage;
using Microsoft.Data.Sqlite;

namespace IsmsOps.Engine.Tests;

/// <summary>A workspace on a fresh temporary ISMSOPS_HOME, plus raw SQL access for playing the attacker.</summary>
internal sealed class TempWorkspace : IDisposable
{
    /// <param name="store">A PostgreSQL connection string (or SQLite path) for the store; <see cref="Embedded"/> for isms.db under
    /// the home; null for the default (isms.db, or PostgreSQL under ISMSOPS_TEST_STORE).</param>
    public TempWorkspace(string? store = null)
    {
        Home = Directory.CreateTempSubdirectory("ismsops-test-").FullName;
        Location = new StoreLocation(Home) { Store = store == Embedded ? null : store ?? DefaultStore() };
        Workspace = IsmsWorkspace.Open(Location);
    }

    /// <summary>Pass as the store for isms.db under the home whatever ISMSOPS_TEST_STORE says (tests of SQLite itself).</summary>
    public const string Embedded = "";

    public string Home { get; }

    /// <summary>
    /// With ISMSOPS_TEST_STORE=postgresql every workspace of the engine tests gets a database of its own on the
    /// throwaway PostgreSQL server instead of isms.db: the whole suite then runs against the shared store
    /// (docs/postgresql.md). Unset, the tests use SQLite as shipped.
    /// </summary>
    private static string? DefaultStore() =>
        string.Equals(Environment.GetEnvironmentVariable("ISMSOPS_TEST_STORE"), "postgresql", StringComparison.OrdinalIgnoreCase)
            ? Storage.PostgresCluster.Shared.CreateDatabase()
            : null;

    public StoreLocation Location { get; }

    public IsmsWorkspace Workspace { get; private set; }

    public static OperationContext Context { get; } = new("tester@host", null, "00000000-0000-0000-0000-000000000001");

    /// <summary>Appends <paramref name="count"/> events, one transaction (and one checkpoint) each.</summary>
    public async Task AppendEventsAsync(int count)
    {
        for (int i = 1; i <= count; i++)
        {
            await Workspace.Audit.AppendAsync([new AuditEventDraft("Test.Event", "thing:" + i, new AuditDetails().Add("n", i).ToJson())],
                Context, CancellationToken.None);
        }
    }

    public Task<Person> AddPersonAsync(string id, string name = "Someone") =>
        Workspace.People.CreateAsync(new Person { PersonId = id, DisplayName = name }, Context, CancellationToken.None);

    public Task<AuditVerificationResult> VerifyAsync() => Workspace.Audit.VerifyAsync([], CancellationToken.None);

    public List<AuditEvent> Events() => Workspace.Store.ReadAuditEvents(AuditEventQuery.All, CancellationToken.None).ToList();

    /// <summary>Runs SQL against the store file directly, as someone with access to the file could.</summary>
    public void Sql(string sql, params (string Name, object Value)[] parameters)
    {
        using var connection = new SqliteConnection($"Data Source={Location.DatabasePath};Pooling=false");
        connection.Open();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        foreach ((string name, object value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }

    /// <summary>Closes and re-opens the store, as a new PowerShell session would.</summary>
    public void Reopen()
    {
        Workspace.Dispose();
        Workspace = IsmsWorkspace.Open(Location);
    }

    public void Dispose()
    {
        Workspace.Dispose();
        try
        {
            Directory.Delete(Home, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
