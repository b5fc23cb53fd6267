using System.Data.Common;
using System.Globalization;
using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Acknowledgements;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Onboarding;
using IsmsOps.Engine.Screening;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Protection;
using IsmsOps.Engine.Storage.Sql;
using Microsoft.Data.Sqlite;
using SQLitePCL;
using static IsmsOps.Engine.Storage.StoreSql;

namespace IsmsOps.Engine.Storage.Sqlite;

/// <summary>
/// The embedded store: one SQLite file in WAL mode, created and migrated on first use. Durability is
/// <c>synchronous=FULL</c>: a committed audit event survives a power cut. Writers take the write lock up front
/// (<c>BEGIN IMMEDIATE</c>), which keeps the audit chain linear across processes.
/// </summary>
public sealed class SqliteStore : IIsmsStore
{
    private readonly string _connectionString;

    private SqliteStore(string path, int schemaVersion)
    {
        DatabasePath = path;
        SchemaVersion = schemaVersion;
        _connectionString = ConnectionStringFor(path);
    }

    public string DatabasePath { get; }

    public string Description => DatabasePath;

    public int SchemaVersion { get; }

    /// <summary>Opens the store at <paramref name="path"/>, creating the folder and file and migrating as needed.</summary>
    public static SqliteStore Open(string path)
    {
        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        try
        {
            Directory.CreateDirectory(folder);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            throw NotWritable(path, ex);
        }

        return Translate(path, () =>
        {
            using var connection = new SqliteConnection(ConnectionStringFor(path));
            connection.Open();
            int version = Migrate(connection, path);
            return new SqliteStore(path, version);
        });
    }

    private static string ConnectionStringFor(string path) => new SqliteConnectionStringBuilder
    {
        DataSource = path,
        Mode = SqliteOpenMode.ReadWriteCreate,
        Pooling = true,
        DefaultTimeout = 30,
    }.ToString();

    private static int Migrate(SqliteConnection connection, string path)
    {
        long applicationId = Scalar(connection, "PRAGMA application_id;");
        long userVersion = Scalar(connection, "PRAGMA user_version;");
        long tableCount = Scalar(connection, "SELECT count(*) FROM sqlite_master;");

        if (applicationId != SqliteSchema.ApplicationId && (applicationId != 0 || tableCount > 0))
        {
            throw new IsmsException("IsmsOps.Store.Foreign", IsmsErrorKind.InvalidData,
                $"'{path}' is a SQLite database, but not an IsmsOps store (application id {applicationId}, {tableCount} objects). Nothing was changed.",
                "Point ISMSOPS_HOME at a folder of its own, or move that file aside.", path);
        }

        if (userVersion > SqliteSchema.LatestVersion)
        {
            throw new IsmsException("IsmsOps.Store.NewerSchema", IsmsErrorKind.NotSupportedVersion,
                $"The store '{path}' is at schema version {userVersion}, newer than this IsmsOps understands ({SqliteSchema.LatestVersion}). Nothing was changed.",
                "Update the IsmsOps module to the version that wrote this store.", path);
        }

        Execute(connection, "PRAGMA journal_mode=WAL;");
        if (userVersion == SqliteSchema.LatestVersion)
        {
            return (int)userVersion;
        }

        using SqliteTransaction transaction = connection.BeginTransaction(deferred: false);
        // Re-read under the write lock: another process may have migrated while we waited.
        long current = Scalar(connection, "PRAGMA user_version;", transaction);
        for (long version = current; version < SqliteSchema.LatestVersion; version++)
        {
            Execute(connection, SqliteSchema.Migrations[version], transaction);
        }

        Execute(connection, $"PRAGMA application_id={SqliteSchema.ApplicationId}; PRAGMA user_version={SqliteSchema.LatestVersion};", transaction);
        transaction.Commit();
        return SqliteSchema.LatestVersion;
    }

    internal SqliteConnection OpenConnection()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        // secure_delete zeroes deleted content in place, so a shredded data key leaves no copy in the file's free pages.
        Execute(connection, "PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000; PRAGMA secure_delete=ON;");
        return connection;
    }

    public Task<IStoreWriteTransaction> BeginWriteAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Translate<IStoreWriteTransaction>(DatabasePath, () =>
        {
            SqliteConnection connection = OpenConnection();
            try
            {
                return new SqliteWriteTransaction(this, connection, connection.BeginTransaction(deferred: false));
            }
            catch
            {
                connection.Dispose();
                throw;
            }
        }));
    }

    public Task<Person?> GetPersonAsync(string personId, CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => ReadPerson(connection, null, personId));

    public Task<IReadOnlyList<Person>> FindPeopleAsync(PersonQuery query, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Translate<IReadOnlyList<Person>>(DatabasePath, () =>
        {
            using SqliteConnection connection = OpenConnection();
            using SqliteCommand command = connection.CreateCommand();
            var where = new List<string>();
            if (query.Statuses.Count > 0)
            {
                where.Add("status IN (" + string.Join(",", query.Statuses.Select((s, i) => Bind(command, "$s" + i, s.ToString()))) + ")");
            }

            if (query.EmploymentTypes.Count > 0)
            {
                where.Add("employment_type IN (" + string.Join(",", query.EmploymentTypes.Select((s, i) => Bind(command, "$e" + i, s.ToString()))) + ")");
            }

            command.CommandText = "SELECT * FROM person" + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : string.Empty) + " ORDER BY person_id;";
            var people = new List<Person>();
            using SqliteDataReader reader = command.ExecuteReader();
            while (reader.Read())
            {
                cancellationToken.ThrowIfCancellationRequested();
                people.Add(MapPerson(reader));
            }

            return people;
        }));
    }

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

    public Task<bool> HasProcessedHrEventAsync(string personId, HrEvents.HrEventKind kind, CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => HrEventRows.Exists(connection, personId, kind));

    public Task<IReadOnlyList<OnboardingCase>> FindOnboardingCasesAsync(OnboardingCaseQuery query, CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => OnboardingRows.Find(connection, null, query));

    public Task<IReadOnlyList<Movers.MoverCase>> FindMoverCasesAsync(Movers.MoverCaseQuery query, CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => MoverRows.Find(connection, null, query));

    public Task<WrappedDataKey?> GetDataKeyAsync(string personId, CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => PersonalDataRows.GetKey(connection, null, personId));

    public Task<IReadOnlyList<ProtectedValue>> GetProtectedValuesAsync(string personId, CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => PersonalDataRows.GetValues(connection, null, personId));

    public void PurgeDeletedData() => Translate(DatabasePath, () =>
    {
        // TRUNCATE copies every frame into the database file (where the pages now hold zeroes) and empties the log. A
        // reader elsewhere can keep it from finishing; the next purge or SQLite's own checkpoint then completes it.
        using SqliteConnection connection = OpenConnection();
        Execute(connection, "PRAGMA wal_checkpoint(TRUNCATE);");
        return 0;
    });

    public Task<AccessReviewCampaign?> GetAccessReviewCampaignAsync(string campaignId, CancellationToken cancellationToken) => Read(cancellationToken,
        connection => AccessReviewRows.GetCampaign(connection, null, campaignId));

    public Task<IReadOnlyList<AccessReviewCampaign>> FindAccessReviewCampaignsAsync(AccessReviewCampaignQuery query, CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => AccessReviewRows.FindCampaigns(connection, query));

    public Task<IReadOnlyList<AccessReviewer>> GetAccessReviewersAsync(string campaignId, CancellationToken cancellationToken) => Read(cancellationToken,
        connection => AccessReviewRows.Reviewers(connection, null, campaignId));

    public Task<IReadOnlyList<(string ReviewerId, long Assigned, long Decided)>> GetAccessReviewProgressAsync(string campaignId, CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => SqliteAccessReviewRows.Progress(connection, campaignId));

    public Task<long> CountDecidedAccessReviewItemsAsync(string campaignId, CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => AccessReviewRows.CountDecided(connection, campaignId));

    public Task<IReadOnlyList<AccessReviewApplyResult>> GetAccessReviewResultsAsync(string campaignId, CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => AccessReviewRows.Results(connection, null, campaignId));

    public IEnumerable<AccessReviewItem> ReadAccessReviewItems(AccessReviewItemQuery query, CancellationToken cancellationToken)
    {
        using SqliteConnection connection = Translate(DatabasePath, OpenConnection);
        foreach (AccessReviewItem item in AccessReviewRows.FindItems(connection, null, query))
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return item;
        }
    }

    private Task<T> Read<T>(CancellationToken cancellationToken, Func<SqliteConnection, T> read)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Translate(DatabasePath, () =>
        {
            using SqliteConnection connection = OpenConnection();
            return read(connection);
        }));
    }

    public IEnumerable<AuditEvent> ReadAuditEvents(AuditEventQuery query, CancellationToken cancellationToken)
    {
        SqliteConnection connection = Translate(DatabasePath, OpenConnection);
        try
        {
            using SqliteCommand command = connection.CreateCommand();
            var where = new List<string>();
            if (query.StartTime is DateTime start)
            {
                where.Add("time >= " + Bind(command, "$start", AuditEvent.FormatTime(start)));
            }

            if (query.EndTime is DateTime end)
            {
                where.Add("time <= " + Bind(command, "$end", AuditEvent.FormatTime(end)));
            }

            if (query.CorrelationId is not null)
            {
                where.Add("correlation_id = " + Bind(command, "$corr", query.CorrelationId));
            }

            if (query.Targets.Count > 0)
            {
                where.Add("target COLLATE NOCASE IN (" + string.Join(",", query.Targets.Select((t, i) => Bind(command, "$t" + i, t))) + ")");
            }

            if (query.Actions.Count > 0)
            {
                where.Add("action COLLATE NOCASE IN (" + string.Join(",", query.Actions.Select((a, i) => Bind(command, "$a" + i, a))) + ")");
            }

            string select = "SELECT seq, time, actor, identity, action, target, correlation_id, details, prev_hash, hash FROM audit_event" +
                            (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : string.Empty);
            command.CommandText = query.Newest is int newest
                ? $"SELECT * FROM ({select} ORDER BY seq DESC LIMIT {Bind(command, "$newest", newest)}) ORDER BY seq;"
                : select + " ORDER BY seq;";
            SqliteDataReader reader = Translate(DatabasePath, command.ExecuteReader);
            using (reader)
            {
                Func<bool> read = reader.Read;
                while (true)
                {
                    if (!Translate(DatabasePath, read))
                    {
                        yield break;
                    }

                    yield return MapAuditEvent(reader);
                }
            }
        }
        finally
        {
            connection.Dispose();
        }
    }

    // Verification reads every event of the trail, and there the per-column cost adds up: reading the row's text
    // straight from the statement (the documented interop path) takes one native call per column where
    // SqliteDataReader.GetString takes several. A NULL column comes back as a null string.
    private static AuditEvent MapAuditEvent(SqliteDataReader reader)
    {
        sqlite3_stmt row = reader.Handle ?? throw new InvalidOperationException("The reader has no current statement.");
        return new AuditEvent
        {
            Sequence = reader.GetInt64(0),
            Time = AuditEvent.ParseTime(RequiredText(row, 1)),
            Actor = RequiredText(row, 2),
            Identity = raw.sqlite3_column_text(row, 3).utf8_to_string(),
            Action = RequiredText(row, 4),
            Target = RequiredText(row, 5),
            CorrelationId = RequiredText(row, 6),
            Details = RequiredText(row, 7),
            PreviousHash = RequiredText(row, 8),
            Hash = RequiredText(row, 9),
        };
    }

    private static string RequiredText(sqlite3_stmt row, int column) =>
        raw.sqlite3_column_text(row, column).utf8_to_string()
        ?? throw new InvalidOperationException($"Column {raw.sqlite3_column_name(row, column).utf8_to_string()} of an audit event is NULL.");

    /// <summary>A text column that mostly repeats the previous row's value: equal bytes give the same string back.</summary>
    private sealed class RepeatedText
    {
        private byte[] _lastBytes = [];
        private string? _last;

        public string Read(sqlite3_stmt row, int column)
        {
            ReadOnlySpan<byte> bytes = raw.sqlite3_column_blob(row, column);
            if (_last is null || bytes.Length == 0 || !bytes.SequenceEqual(_lastBytes))
            {
                _lastBytes = bytes.ToArray();
                _last = RequiredText(row, column);
            }

            return _last;
        }
    }

    public Task<IReadOnlyList<AuditCheckpoint>> ReadCheckpointsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Translate<IReadOnlyList<AuditCheckpoint>>(DatabasePath, () =>
        {
            using SqliteConnection connection = OpenConnection();
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "SELECT seq, head_hash, time, key_id, public_key, signature FROM audit_checkpoint ORDER BY id;";
            var checkpoints = new List<AuditCheckpoint>();
            using SqliteDataReader reader = command.ExecuteReader();
            sqlite3_stmt row = reader.Handle ?? throw new InvalidOperationException("The reader has no current statement.");
            // A trail appended one command at a time has a checkpoint per command, nearly all signed by one key: every
            // verification reads them all, so they share one copy of the key's strings instead of holding a million.
            var keyIds = new RepeatedText();
            var publicKeys = new RepeatedText();
            while (reader.Read())
            {
                checkpoints.Add(new AuditCheckpoint
                {
                    Sequence = reader.GetInt64(0),
                    HeadHash = RequiredText(row, 1),
                    Time = AuditEvent.ParseTime(RequiredText(row, 2)),
                    KeyId = keyIds.Read(row, 3),
                    PublicKey = publicKeys.Read(row, 4),
                    Signature = RequiredText(row, 5),
                });
            }

            return checkpoints;
        }));
    }

    public Task<long> CountAuditEventsAsync(CancellationToken cancellationToken) =>
        Read(cancellationToken, connection => Scalar(connection, "SELECT count(*) FROM audit_event;"));

    public void Dispose()
    {
        // Pooled connections keep the file open; release it so the folder can be moved or deleted.
        SqliteConnection.ClearAllPools();
    }

    // SQLite-typed helpers for SqliteAccessReviewRows, which stays on Microsoft.Data.Sqlite (and the native handle) for
    // campaigns of millions of items; the other row classes share StoreSql's DbConnection ones with PostgreSQL.
    internal static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql) =>
        (SqliteCommand)StoreSql.Command(connection, transaction, sql);

    internal static object Db(string? value) => StoreSql.Db(value);

    internal static string Bind(SqliteCommand command, string name, object value) => StoreSql.Bind(command, name, value);

    internal static List<string> PersonAndStatusFilter(SqliteCommand command, string? personId, IEnumerable<string> statuses) =>
        StoreSql.PersonAndStatusFilter(command, personId, statuses);

    internal static string WhereClause(List<string> where) => StoreSql.WhereClause(where);

    internal static long Scalar(SqliteConnection connection, string sql, SqliteTransaction? transaction = null) =>
        StoreSql.Scalar(connection, sql, transaction);

    internal static string ScalarText(SqliteConnection connection, string sql) => StoreSql.ScalarText(connection, sql);

    internal static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null) =>
        StoreSql.Execute(connection, sql, transaction);

    internal static T Translate<T>(string path, Func<T> work)
    {
        try
        {
            return work();
        }
        catch (SqliteException ex)
        {
            throw TranslateError(path, ex);
        }
    }

    /// <summary>Turns SQLite's error codes into errors that say what is wrong with the store and how to fix it.</summary>
    internal static IsmsException TranslateError(string path, SqliteException ex) => ex.SqliteErrorCode switch
    {
        26 or 11 => new IsmsException("IsmsOps.Store.Corrupt", IsmsErrorKind.InvalidData,
            $"The store '{path}' is not a readable IsmsOps database ({ex.Message.TrimEnd('.')}). Nothing was changed.",
            "Restore the file from backup, or move it aside and point ISMSOPS_HOME at a new folder; run Test-IsmsAuditTrail on the restored copy.", path, ex),
        8 or 14 or 23 => NotWritable(path, ex),
        13 => new IsmsException("IsmsOps.Store.DiskFull", IsmsErrorKind.WriteError,
            $"The disk holding '{path}' is full. The change was rolled back.", "Free disk space and run the command again.", path, ex),
        5 or 6 => new IsmsException("IsmsOps.Store.Busy", IsmsErrorKind.WriteError,
            $"The store '{path}' stayed locked by another process for 30 seconds. The change was rolled back.",
            "Wait for the other IsmsOps process (a scheduled job?) to finish, then run the command again.", path, ex),
        _ => new IsmsException("IsmsOps.Store.Failed", IsmsErrorKind.WriteError,
            $"The store '{path}' failed: {ex.Message}", "Run the command again; if it keeps failing, run Test-IsmsAuditTrail and check the disk.", path, ex),
    };

    private static IsmsException NotWritable(string path, Exception ex) => new("IsmsOps.Store.NotWritable", IsmsErrorKind.PermissionDenied,
        $"The store '{path}' cannot be written: its folder is read-only or not accessible to this account ({ex.Message.TrimEnd('.')}).",
        $"Give this account write access to '{Path.GetDirectoryName(path)}', or set {StoreLocation.HomeVariable} to a writable folder.", path, ex);
}
