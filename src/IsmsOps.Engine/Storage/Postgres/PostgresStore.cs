using System.Data.Common;
using System.Globalization;
using System.Net.Sockets;
using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Acknowledgements;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Onboarding;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Protection;
using IsmsOps.Engine.Screening;
using IsmsOps.Engine.Storage.Sql;
using IsmsOps.Engine.Storage.Sqlite;
using Npgsql;
using static IsmsOps.Engine.Storage.StoreSql;

namespace IsmsOps.Engine.Storage.Postgres;

/// <summary>
/// The shared store: one PostgreSQL database (its current schema) that several hosts use at once. Migrated on first
/// use under an advisory lock, to the same schema versions as <see cref="SqliteStore"/>. Every write transaction takes
/// one transaction-scoped advisory lock before it reads anything, so writers are serialised across hosts exactly as
/// SQLite's <c>BEGIN IMMEDIATE</c> serialises them across processes: the audit head is read and appended to under the
/// lock (the chain stays linear), a version check and its update cannot interleave with another host's, and an HR
/// event id is looked up and recorded by one host at a time (its primary key backs that up).
/// Reads, and the start of a write, are retried on a transient fault (a restarted server, a dropped connection); a
/// write that fails part-way is rolled back by the server and reported, never retried behind the caller's back.
/// </summary>
public sealed class PostgresStore : IIsmsStore
{
    /// <summary>The advisory lock every writer holds for its whole transaction ("ISMS" and 1).</summary>
    public const long WriteLockKey = 0x49534D53_00000001;

    private const long MigrationLockKey = 0x49534D53_00000002;
    private const int Attempts = 3;

    private readonly NpgsqlDataSource _dataSource;
    private readonly string? _password;

    private PostgresStore(NpgsqlDataSource dataSource, string description, string? password, int schemaVersion)
    {
        _dataSource = dataSource;
        Description = description;
        _password = password;
        SchemaVersion = schemaVersion;
    }

    /// <summary>"postgresql://user@host:port/database": where the store is, without the password.</summary>
    public string Description { get; }

    public int SchemaVersion { get; }

    /// <summary>Whether <paramref name="value"/> names a PostgreSQL store (a connection string) rather than a SQLite file.</summary>
    public static bool IsConnectionString(string value)
    {
        if (!value.Contains('=', StringComparison.Ordinal) || !value.Contains(';', StringComparison.Ordinal) && !value.TrimStart().StartsWith("host", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        try
        {
            // Host, or its alias Server, makes it a connection string; a file path never parses to one.
            return !string.IsNullOrWhiteSpace(new NpgsqlConnectionStringBuilder(value).Host);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            // Looks like one but does not parse: let Open report what is wrong with it.
            return value.Contains("host", StringComparison.OrdinalIgnoreCase) || value.Contains("server", StringComparison.OrdinalIgnoreCase);
        }
    }

    /// <summary>
    /// Opens the store at <paramref name="connectionString"/> (Npgsql keywords: Host, Port, Database, Username,
    /// Password, SSL Mode, ...), migrating it as needed. The password never appears in errors or <see cref="Description"/>.
    /// </summary>
    public static PostgresStore Open(string connectionString)
    {
        NpgsqlConnectionStringBuilder builder = Parse(connectionString);
        builder.ApplicationName ??= "IsmsOps";
        string description = DescribeTarget(builder);
        NpgsqlDataSource dataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        try
        {
            var opening = new PostgresStore(dataSource, description, builder.Password, 0);
            int version = opening.WithRetry(opening.Migrate);
            return new PostgresStore(dataSource, description, builder.Password, version);
        }
        catch
        {
            dataSource.Dispose();
            throw;
        }
    }

    private static NpgsqlConnectionStringBuilder Parse(string connectionString)
    {
        try
        {
            return new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            // The message names the keyword at fault; the string itself (and any password in it) is not repeated.
            throw new IsmsException("IsmsOps.Store.BadConnectionString", IsmsErrorKind.InvalidArgument,
                $"The PostgreSQL connection string is not valid: {ex.Message.TrimEnd('.')}.",
                "Use Npgsql keywords, for example 'Host=db.example.org;Port=5432;Database=isms;Username=isms_app;Password=...;SSL Mode=VerifyFull'.",
                "ConnectionString");
        }
    }

    /// <summary>Where <paramref name="connectionString"/> points, without its password (for a prompt before connecting).</summary>
    public static string Describe(string connectionString) => DescribeTarget(Parse(connectionString));

    /// <summary>The connection string's target without its password, for messages.</summary>
    public static string DescribeTarget(NpgsqlConnectionStringBuilder builder) => string.Create(CultureInfo.InvariantCulture,
        $"postgresql://{builder.Username ?? Environment.UserName}@{builder.Host ?? "localhost"}:{builder.Port}/{builder.Database ?? builder.Username ?? Environment.UserName}");

    private int Migrate(NpgsqlConnection connection)
    {
        using NpgsqlTransaction transaction = connection.BeginTransaction();
        Execute(connection, $"SELECT pg_advisory_xact_lock({MigrationLockKey});", transaction);
        bool marked = Scalar(connection,
            "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname = 'isms_schema' AND n.nspname = current_schema();",
            transaction) > 0;
        long version = 0;
        if (marked)
        {
            using DbCommand command = Command(connection, transaction, "SELECT application_id, version FROM isms_schema;");
            using DbDataReader reader = command.ExecuteReader();
            long applicationId = reader.Read() ? reader.GetInt64(0) : 0;
            version = applicationId == SqliteSchema.ApplicationId ? reader.GetInt64(1) : 0;
            if (applicationId != SqliteSchema.ApplicationId)
            {
                throw Foreign($"its isms_schema table has application id {applicationId}");
            }
        }
        else
        {
            long tables = Scalar(connection, "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema();", transaction);
            if (tables > 0)
            {
                throw Foreign($"its schema already has {tables} tables and no isms_schema table");
            }
        }

        if (version > PostgresSchema.LatestVersion)
        {
            throw new IsmsException("IsmsOps.Store.NewerSchema", IsmsErrorKind.NotSupportedVersion,
                $"The store '{Description}' is at schema version {version}, newer than this IsmsOps understands ({PostgresSchema.LatestVersion}). Nothing was changed.",
                "Update the IsmsOps module on this host to the version the other hosts use.", Description);
        }

        if (version == PostgresSchema.LatestVersion)
        {
            transaction.Commit();
            return (int)version;
        }

        if (!marked)
        {
            Execute(connection, PostgresSchema.NoCaseCollation, transaction);
            Execute(connection, PostgresSchema.VersionTable, transaction);
            Execute(connection, $"INSERT INTO isms_schema (application_id, version) VALUES ({SqliteSchema.ApplicationId}, 0);", transaction);
        }

        for (long next = version; next < PostgresSchema.LatestVersion; next++)
        {
            Execute(connection, PostgresSchema.Migration((int)next), transaction);
        }

        Execute(connection, $"UPDATE isms_schema SET version = {PostgresSchema.LatestVersion}, migrated_at = now();", transaction);
        transaction.Commit();
        return PostgresSchema.LatestVersion;
    }

    private IsmsException Foreign(string why) => new("IsmsOps.Store.Foreign", IsmsErrorKind.InvalidData,
        $"'{Description}' is a PostgreSQL database, but not an IsmsOps store ({why}). Nothing was changed.",
        "Point the connection string at an empty database (or set 'Search Path' to an empty schema of its own).", Description);

    internal NpgsqlConnection OpenConnection() => _dataSource.OpenConnection();

    public Task<IStoreWriteTransaction> BeginWriteAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IStoreWriteTransaction>(WithRetry(connection =>
        {
            NpgsqlTransaction transaction = connection.BeginTransaction();
            Execute(connection, $"SELECT pg_advisory_xact_lock({WriteLockKey});", transaction);
            return new PostgresWriteTransaction(this, connection, transaction);
        }, keepConnection: true));
    }

    public Task<Person?> GetPersonAsync(string personId, CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => ReadPerson(connection, null, personId));

    public Task<IReadOnlyList<Person>> FindPeopleAsync(PersonQuery query, CancellationToken cancellationToken) =>
        Read<IReadOnlyList<Person>>(cancellationToken, connection =>
        {
            using DbCommand command = connection.CreateCommand();
            var where = new List<string>();
            if (query.Statuses.Count > 0)
            {
                where.Add("status IN (" + string.Join(",", query.Statuses.Select((s, i) => Bind(command, "@s" + i, s.ToString()))) + ")");
            }

            if (query.EmploymentTypes.Count > 0)
            {
                where.Add("employment_type IN (" + string.Join(",", query.EmploymentTypes.Select((s, i) => Bind(command, "@e" + i, s.ToString()))) + ")");
            }

            command.CommandText = "SELECT * FROM person" + WhereClause(where) + " ORDER BY person_id;";
            var people = new List<Person>();
            using DbDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                cancellationToken.ThrowIfCancellationRequested();
                people.Add(MapPerson(reader));
            }

            return people;
        });

    public Task<OffboardingCase?> GetOffboardingCaseAsync(string caseId, CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => OffboardingRows.Get(connection, null, caseId));

    public Task<IReadOnlyList<OffboardingCase>> FindOffboardingCasesAsync(OffboardingCaseQuery query, CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => OffboardingRows.Find(connection, null, query));

    public Task<IReadOnlyList<Acknowledgement>> FindAcknowledgementsAsync(AcknowledgementQuery query, CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => AcknowledgementRows.Find(connection, null, query));

    public Task<ScreeningRecord?> GetScreeningAsync(string screeningId, CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => ScreeningRows.Get(connection, null, screeningId));

    public Task<IReadOnlyList<ScreeningRecord>> FindScreeningsAsync(ScreeningQuery query, CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => ScreeningRows.Find(connection, null, query));

    public Task<OnboardingCase?> GetOnboardingCaseAsync(string caseId, CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => OnboardingRows.Get(connection, null, caseId));

    public Task<IReadOnlyList<OnboardingCase>> FindOnboardingCasesAsync(OnboardingCaseQuery query, CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => OnboardingRows.Find(connection, null, query));

    public Task<IReadOnlyList<Movers.MoverCase>> FindMoverCasesAsync(Movers.MoverCaseQuery query, CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => MoverRows.Find(connection, null, query));

    public Task<bool> HasProcessedHrEventAsync(string personId, HrEvents.HrEventKind kind, CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => HrEventRows.Exists(connection, personId, kind));

    public Task<WrappedDataKey?> GetDataKeyAsync(string personId, CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => PersonalDataRows.GetKey(connection, null, personId));

    public Task<IReadOnlyList<ProtectedValue>> GetProtectedValuesAsync(string personId, CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => PersonalDataRows.GetValues(connection, null, personId));

    public Task<AccessReviewCampaign?> GetAccessReviewCampaignAsync(string campaignId, CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => AccessReviewRows.GetCampaign(connection, null, campaignId));

    public Task<IReadOnlyList<AccessReviewCampaign>> FindAccessReviewCampaignsAsync(AccessReviewCampaignQuery query, CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => AccessReviewRows.FindCampaigns(connection, query));

    public Task<IReadOnlyList<AccessReviewer>> GetAccessReviewersAsync(string campaignId, CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => AccessReviewRows.Reviewers(connection, null, campaignId));

    public Task<IReadOnlyList<(string ReviewerId, long Assigned, long Decided)>> GetAccessReviewProgressAsync(string campaignId, CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => PostgresAccessReviewRows.Progress(connection, campaignId));

    public Task<long> CountDecidedAccessReviewItemsAsync(string campaignId, CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => AccessReviewRows.CountDecided(connection, campaignId));

    public Task<IReadOnlyList<AccessReviewApplyResult>> GetAccessReviewResultsAsync(string campaignId, CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => AccessReviewRows.Results(connection, null, campaignId));

    public IEnumerable<AccessReviewItem> ReadAccessReviewItems(AccessReviewItemQuery query, CancellationToken cancellationToken)
    {
        using NpgsqlConnection connection = WithRetry(c => c, keepConnection: true);
        using IEnumerator<AccessReviewItem> items = AccessReviewRows.FindItems(connection, null, query).GetEnumerator();
        while (Translate(items.MoveNext))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return items.Current;
        }
    }

    public IEnumerable<AuditEvent> ReadAuditEvents(AuditEventQuery query, CancellationToken cancellationToken)
    {
        using NpgsqlConnection connection = WithRetry(c => c, keepConnection: true);
        using DbCommand command = connection.CreateCommand();
        var where = new List<string>();
        if (query.StartTime is DateTime start)
        {
            where.Add("time >= " + Bind(command, "@start", AuditEvent.FormatTime(start)));
        }

        if (query.EndTime is DateTime end)
        {
            where.Add("time <= " + Bind(command, "@end", AuditEvent.FormatTime(end)));
        }

        if (query.CorrelationId is not null)
        {
            where.Add("correlation_id = " + Bind(command, "@corr", query.CorrelationId));
        }

        if (query.Targets.Count > 0)
        {
            where.Add("target COLLATE nocase IN (" + string.Join(",", query.Targets.Select((t, i) => Bind(command, "@t" + i, t))) + ")");
        }

        if (query.Actions.Count > 0)
        {
            where.Add("action COLLATE nocase IN (" + string.Join(",", query.Actions.Select((a, i) => Bind(command, "@a" + i, a))) + ")");
        }

        string select = "SELECT seq, time, actor, identity, action, target, correlation_id, details, prev_hash, hash FROM audit_event" + WhereClause(where);
        command.CommandText = query.Newest is int newest
            ? $"SELECT * FROM ({select} ORDER BY seq DESC LIMIT {Bind(command, "@newest", newest)}) AS newest ORDER BY seq;"
            : select + " ORDER BY seq;";
        using DbDataReader reader = Translate(command.ExecuteReader);
        while (Translate(reader.Read))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return new AuditEvent
            {
                Sequence = reader.GetInt64(0),
                Time = AuditEvent.ParseTime(reader.GetString(1)),
                Actor = reader.GetString(2),
                Identity = reader.IsDBNull(3) ? null : reader.GetString(3),
                Action = reader.GetString(4),
                Target = reader.GetString(5),
                CorrelationId = reader.GetString(6),
                Details = reader.GetString(7),
                PreviousHash = reader.GetString(8),
                Hash = reader.GetString(9),
            };
        }
    }

    public Task<IReadOnlyList<AuditCheckpoint>> ReadCheckpointsAsync(CancellationToken cancellationToken) =>
        Read<IReadOnlyList<AuditCheckpoint>>(cancellationToken, connection =>
        {
            using DbCommand command = Command(connection, null, "SELECT seq, head_hash, time, key_id, public_key, signature FROM audit_checkpoint ORDER BY id;");
            using DbDataReader reader = command.ExecuteReader();
            var checkpoints = new List<AuditCheckpoint>();
            while (reader.Read())
            {
                checkpoints.Add(MapCheckpoint(reader));
            }

            return checkpoints;
        });

    internal static AuditCheckpoint MapCheckpoint(DbDataReader reader) => new()
    {
        Sequence = reader.GetInt64(0),
        HeadHash = reader.GetString(1),
        Time = AuditEvent.ParseTime(reader.GetString(2)),
        KeyId = reader.GetString(3),
        PublicKey = reader.GetString(4),
        Signature = reader.GetString(5),
    };

    public Task<long> CountAuditEventsAsync(CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => Scalar(connection, "SELECT count(*) FROM audit_event;"));

    /// <summary>
    /// Asks the server to reclaim deleted personal-data rows (VACUUM), so a shredded key's row is no longer in the
    /// table's pages. The server's write-ahead log and any backups keep their copies until they age out: see
    /// docs/postgresql.md. VACUUM needs the table owner; for another role the server skips it with a warning.
    /// </summary>
    public void PurgeDeletedData() => WithRetry(connection =>
    {
        Execute(connection, "VACUUM personal_data_key, personal_data_value;");
        return 0;
    });

    public void Dispose() => _dataSource.Dispose();

    private Task<T> Read<T>(CancellationToken cancellationToken, Func<NpgsqlConnection, T> read)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(WithRetry(read));
    }

    /// <summary>
    /// Runs <paramref name="work"/> on a fresh connection, again on a new one after a transient fault (up to three
    /// tries), translating what still fails. Only work that changes nothing, or whose transaction never committed, comes here.
    /// </summary>
    private T WithRetry<T>(Func<NpgsqlConnection, T> work, bool keepConnection = false)
    {
        for (int attempt = 1; ; attempt++)
        {
            NpgsqlConnection? connection = null;
            try
            {
                connection = _dataSource.OpenConnection();
                T result = work(connection);
                if (!keepConnection)
                {
                    connection.Dispose();
                }

                return result;
            }
            catch (Exception ex) when (attempt < Attempts && IsTransient(ex))
            {
                connection?.Dispose();
                // A restarted server leaves every pooled connection dead: drop them rather than meet them one by one.
                _dataSource.Clear();
                Thread.Sleep(250 * attempt);
            }
            catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
            {
                connection?.Dispose();
                throw TranslateError(ex);
            }
            catch
            {
                connection?.Dispose();
                throw;
            }
        }
    }

    internal T Translate<T>(Func<T> work)
    {
        try
        {
            return work();
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException)
        {
            throw TranslateError(ex);
        }
    }

    /// <summary>A fault after which the same work, on a new connection, can succeed.</summary>
    internal static bool IsTransient(Exception ex) => ex switch
    {
        PostgresException pg => pg.IsTransient || pg.SqlState is "57P01" or "57P02" or "57P03" or "40001" or "40P01",
        NpgsqlException npgsql => npgsql.IsTransient,
        _ => false,
    };

    /// <summary>Turns Npgsql's errors into ones that say what is wrong and how to fix it, with the password masked.</summary>
    internal IsmsException TranslateError(Exception ex)
    {
        string detail = Redact(ex is PostgresException pg ? pg.MessageText : ex.Message).TrimEnd('.');
        return ex switch
        {
            PostgresException { SqlState: "28P01" or "28000" } => new IsmsException("IsmsOps.Store.AuthenticationFailed", IsmsErrorKind.SecurityError,
                $"PostgreSQL refused the credentials for '{Description}' ({detail}). Nothing was changed.",
                "Check the user name and password in the connection string (or ISMSOPS_STORE), and the server's pg_hba.conf for this host.", Description, ex),
            PostgresException { SqlState: "3D000" } => new IsmsException("IsmsOps.Store.DatabaseMissing", IsmsErrorKind.NotFound,
                $"The database of '{Description}' does not exist ({detail}).", "Create it (CREATE DATABASE ... OWNER isms_owner; see docs/postgresql.md), or fix Database= in the connection string.", Description, ex),
            PostgresException { SqlState: "42501" } => new IsmsException("IsmsOps.Store.PermissionDenied", IsmsErrorKind.PermissionDenied,
                $"The role of '{Description}' may not do this ({detail}). Nothing was changed.",
                "Migrations run as the owner role; the application role needs the grants in docs/postgresql.md. Connect once as the owner after an upgrade.", Description, ex),
            PostgresException { SqlState: "23505" } => new IsmsException("IsmsOps.Store.Failed", IsmsErrorKind.WriteError,
                $"The store '{Description}' refused a duplicate record ({detail}). The change was rolled back.",
                "Another host stored the same record first; run the command again to see the stored state.", Description, ex),
            PostgresException { SqlState: "57P01" or "57P02" or "57P03" } or PostgresException { SqlState: ['0', '8', ..] } => new IsmsException(
                "IsmsOps.Store.Unavailable", IsmsErrorKind.WriteError,
                $"The connection to the store '{Description}' was ended by the server ({detail}). A change in progress was rolled back by the server.",
                "Run the command again once the server is back; Get-IsmsAuditEvent shows what was stored.", Description, ex),
            PostgresException => new IsmsException("IsmsOps.Store.Failed", IsmsErrorKind.WriteError,
                $"The store '{Description}' failed: {detail}. The change was rolled back.", "Run the command again; if it keeps failing, ask the database administrator to check the server log.", Description, ex),
            _ when detail.Contains("SSL", StringComparison.OrdinalIgnoreCase) || detail.Contains("TLS", StringComparison.OrdinalIgnoreCase) ||
                   ex.InnerException is System.Security.Authentication.AuthenticationException => new IsmsException("IsmsOps.Store.TlsFailed", IsmsErrorKind.SecurityError,
                $"A TLS connection to '{Description}' could not be made ({detail}). Nothing was changed.",
                "Check that the server has ssl=on and a certificate this host trusts (Root Certificate=...), or the SSL Mode in the connection string.", Description, ex),
            _ when ex.InnerException is SocketException or TimeoutException || ex is TimeoutException => new IsmsException("IsmsOps.Store.Unreachable", IsmsErrorKind.ReadError,
                $"Cannot reach the PostgreSQL store '{Description}' ({detail}). Nothing was changed.",
                "Check that the server is running and that Host and Port in the connection string (or ISMSOPS_STORE) are right, then run the command again.", Description, ex),
            _ => new IsmsException("IsmsOps.Store.Unavailable", IsmsErrorKind.WriteError,
                $"The connection to the store '{Description}' failed ({detail}). A change in progress was rolled back by the server.",
                "Run the command again once the server is back; Get-IsmsAuditEvent shows what was stored.", Description, ex),
        };
    }

    /// <summary><paramref name="text"/> with the connection string's password replaced by asterisks.</summary>
    internal string Redact(string text) =>
        string.IsNullOrEmpty(_password) ? text : text.Replace(_password, "********", StringComparison.Ordinal);
}
