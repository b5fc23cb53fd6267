using System.Net;
using System.Net.Sockets;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Storage;
using IsmsOps.Engine.Storage.Postgres;
using Npgsql;

namespace IsmsOps.Engine.Tests.Storage;

/// <summary>What only the shared store can get wrong: credentials, TLS, an unreachable or restarting server, someone else's database.</summary>
public sealed class PostgresStoreTests : IDisposable
{
    private readonly PostgresCluster _cluster = PostgresCluster.Shared;
    private readonly string _connectionString;

    public PostgresStoreTests() => _connectionString = _cluster.CreateDatabase();

    public void Dispose() => NpgsqlConnection.ClearAllPools();

    private static void AssertHidesPassword(Exception error, string password)
    {
        Assert.DoesNotContain(password, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(password, ((IsmsException)error).RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_password_is_refused_with_a_clear_error_that_never_shows_the_password()
    {
        const string wrong = "Wrong-Pa55word-ab12";
        string connectionString = new NpgsqlConnectionStringBuilder(_connectionString) { Password = wrong }.ConnectionString;

        IsmsException error = Assert.Throws<IsmsException>(() => PostgresStore.Open(connectionString));

        Assert.Equal("IsmsOps.Store.AuthenticationFailed", error.ErrorId);
        Assert.Contains("postgresql://postgres@127.0.0.1:", error.Message, StringComparison.Ordinal);
        Assert.Contains("password", error.RecommendedAction, StringComparison.Ordinal);
        AssertHidesPassword(error, wrong);
        AssertHidesPassword(error, PostgresCluster.Password);
    }

    [Fact]
    public void A_server_that_refuses_the_connection_gives_a_clear_error_naming_host_and_port_without_the_password()
    {
        int closedPort;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        string connectionString = new NpgsqlConnectionStringBuilder(_connectionString) { Port = closedPort }.ConnectionString;

        IsmsException error = Assert.Throws<IsmsException>(() => PostgresStore.Open(connectionString));

        Assert.Equal("IsmsOps.Store.Unreachable", error.ErrorId);
        Assert.Contains($"127.0.0.1:{closedPort}", error.Message, StringComparison.Ordinal);
        AssertHidesPassword(error, PostgresCluster.Password);
    }

    [Fact]
    public void Requiring_TLS_from_a_server_without_it_fails_clearly_instead_of_connecting_in_clear_text()
    {
        string connectionString = new NpgsqlConnectionStringBuilder(_connectionString) { SslMode = SslMode.Require }.ConnectionString;

        IsmsException error = Assert.Throws<IsmsException>(() => PostgresStore.Open(connectionString));

        Assert.Equal("IsmsOps.Store.TlsFailed", error.ErrorId);
        Assert.Contains("TLS", error.Message, StringComparison.Ordinal);
        AssertHidesPassword(error, PostgresCluster.Password);
    }

    [Fact]
    public void A_connection_string_that_does_not_parse_is_refused_without_repeating_it()
    {
        IsmsException error = Assert.Throws<IsmsException>(() => PostgresStore.Open("Host=127.0.0.1;Pasword=" + PostgresCluster.Password));

        Assert.Equal("IsmsOps.Store.BadConnectionString", error.ErrorId);
        AssertHidesPassword(error, PostgresCluster.Password);
    }

    [Theory]
    [InlineData("Host=db.example.org;Database=isms;Username=isms_app;Password=x", true)]
    [InlineData("Server=db.example.org;Database=isms", true)]
    [InlineData("host=db.example.org", true)]
    [InlineData("/var/lib/ismsops/isms.db", false)]
    [InlineData("C:\\IsmsOps\\isms.db", false)]
    [InlineData("/data/run=3/isms.db", false)]
    [InlineData("./a;b=c/isms.db", false)]
    public void ISMSOPS_STORE_is_a_connection_string_when_it_names_a_host_and_a_SQLite_path_otherwise(string value, bool isConnectionString) =>
        Assert.Equal(isConnectionString, PostgresStore.IsConnectionString(value));

    [Fact]
    public void The_store_describes_itself_without_the_password()
    {
        using PostgresStore store = PostgresStore.Open(_connectionString);

        Assert.StartsWith("postgresql://postgres@127.0.0.1:", store.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(PostgresCluster.Password, store.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Another_applications_database_is_refused_as_foreign_and_left_untouched()
    {
        string database = new NpgsqlConnectionStringBuilder(_connectionString).Database!;
        _cluster.Execute("CREATE TABLE invoices (id integer); INSERT INTO invoices VALUES (7);", database);

        IsmsException error = Assert.Throws<IsmsException>(() => PostgresStore.Open(_connectionString));

        Assert.Equal("IsmsOps.Store.Foreign", error.ErrorId);
        using var connection = new NpgsqlConnection(_connectionString);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT count(*) FROM pg_tables WHERE schemaname = 'public';", connection);
        Assert.Equal(1L, command.ExecuteScalar());
    }

    [Fact]
    public async Task After_a_server_restart_reads_and_new_writes_succeed_and_a_write_cut_off_by_it_leaves_no_half_record()
    {
        // A server of its own: restarting the shared one would cut off the other test classes running meanwhile.
        PostgresCluster cluster = PostgresCluster.Start(durable: false);
        try
        {
            await RestartMidWriteAsync(cluster);
        }
        finally
        {
            cluster.Stop();
        }
    }

    private static async Task RestartMidWriteAsync(PostgresCluster cluster)
    {
        using var home = new TempWorkspace(cluster.CreateDatabase());
        await home.AddPersonAsync("E1", "Ada");
        IIsmsStore store = home.Workspace.Store;

        IStoreWriteTransaction cutOff = await store.BeginWriteAsync(CancellationToken.None);
        await home.Workspace.People.CreateAsync(cutOff, new Person { PersonId = "E2", DisplayName = "Half" }, TempWorkspace.Context, CancellationToken.None);
        cluster.Restart();

        IsmsException error = await Assert.ThrowsAsync<IsmsException>(() => cutOff.CommitAsync(CancellationToken.None));
        Assert.Equal("IsmsOps.Store.Unavailable", error.ErrorId);
        AssertHidesPassword(error, PostgresCluster.Password);
        await cutOff.DisposeAsync();

        // The pool's connections all died with the server: reads and the next write start over on new ones.
        Assert.Equal(["E1"], (await store.FindPeopleAsync(new PersonQuery(), CancellationToken.None)).Select(p => p.PersonId));
        Assert.Null(await store.GetPersonAsync("E2", CancellationToken.None));
        await home.AddPersonAsync("E3", "Grace");
        Assert.Equal(["person:E1", "person:E3"], home.Events().Select(e => e.Target));
        Assert.True((await home.VerifyAsync()).IsValid);
    }

    [Fact]
    public async Task With_the_documented_grants_the_application_role_reads_and_writes_but_cannot_change_the_schema()
    {
        string suffix = Guid.NewGuid().ToString("N")[..8];
        string owner = "isms_owner_" + suffix, app = "isms_app_" + suffix, database = "isms_" + suffix;
        const string OwnerPassword = "Owner-Secret-1", AppPassword = "App-Secret-2";
        _cluster.Execute($"CREATE ROLE {owner} LOGIN PASSWORD '{OwnerPassword}'; CREATE ROLE {app} LOGIN PASSWORD '{AppPassword}';");
        _cluster.Execute($"CREATE DATABASE {database} OWNER {owner};");
        _cluster.Execute(
            $"""
            REVOKE CREATE ON SCHEMA public FROM PUBLIC;
            CREATE SCHEMA isms AUTHORIZATION {owner};
            ALTER ROLE {owner} IN DATABASE {database} SET search_path = isms;
            ALTER ROLE {app} IN DATABASE {database} SET search_path = isms;
            GRANT USAGE ON SCHEMA isms TO {app};
            """, database);
        string ownerConnection = _cluster.ConnectionString(database, OwnerPassword, owner);
        string appConnection = _cluster.ConnectionString(database, AppPassword, app);

        // Before migrations the application role may not create the schema.
        IsmsException early = Assert.Throws<IsmsException>(() => PostgresStore.Open(appConnection));
        Assert.Equal("IsmsOps.Store.PermissionDenied", early.ErrorId);

        PostgresStore.Open(ownerConnection).Dispose();
        _cluster.Execute(
            $"""
            GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA isms TO {app};
            GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA isms TO {app};
            ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA isms GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app};
            ALTER DEFAULT PRIVILEGES FOR ROLE {owner} IN SCHEMA isms GRANT USAGE, SELECT ON SEQUENCES TO {app};
            """, database);

        using (var home = new TempWorkspace(appConnection))
        {
            await home.AddPersonAsync("E1", "Ada");
            await home.AppendEventsAsync(3);
            Assert.True((await home.VerifyAsync()).IsValid);
            // Removing personal data asks for a VACUUM; the server skips it for a role that does not own the tables.
            home.Workspace.Store.PurgeDeletedData();
        }

        using (PostgresStore asOwner = PostgresStore.Open(ownerConnection))
        {
            asOwner.PurgeDeletedData();
        }

        using var connection = new NpgsqlConnection(appConnection);
        connection.Open();
        using var ddl = new NpgsqlCommand("CREATE TABLE isms.extra (id integer);", connection);
        PostgresException denied = Assert.Throws<PostgresException>(() => ddl.ExecuteNonQuery());
        Assert.Equal("42501", denied.SqlState);
        using var drop = new NpgsqlCommand("DROP TABLE isms.audit_event;", connection);
        Assert.Equal("42501", Assert.Throws<PostgresException>(() => drop.ExecuteNonQuery()).SqlState);
    }
}
