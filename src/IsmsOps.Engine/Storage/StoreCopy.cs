using System.Data.Common;
using System.Globalization;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Storage.Postgres;
using IsmsOps.Engine.Storage.Sqlite;

namespace IsmsOps.Engine.Storage;

/// <summary>What <see cref="StoreCopy.CopyAsync"/> copied, and the verification of the copy's audit trail.</summary>
public sealed record StoreCopyResult
{
    public required string Source { get; init; }

    public required string Destination { get; init; }

    /// <summary>Rows copied, by table.</summary>
    public required IReadOnlyDictionary<string, long> Rows { get; init; }

    public required long AuditEventCount { get; init; }

    /// <summary>The verification of the destination's trail, against the key that signed the source's.</summary>
    public required AuditVerificationResult Verification { get; init; }
}

/// <summary>
/// Copies one store into another (SQLite to PostgreSQL, or back), table by table in one destination transaction: both
/// stores have the same tables at the same schema version, and every value is text, an integer or bytes, so rows copy
/// as they are, audit events and checkpoints included. The source's trail must verify first; the copy's trail is then
/// verified against the key that signed the source's, and must end at the same head.
/// </summary>
public static class StoreCopy
{
    /// <summary>Every table of the schema, parents before the rows that refer to them.</summary>
    public static readonly IReadOnlyList<string> Tables =
    [
        "person", "audit_event", "audit_checkpoint", "offboarding_case", "offboarding_step", "personal_data_key", "personal_data_value",
        "acknowledgement", "screening", "onboarding_case", "hr_event", "mover_case", "access_review_campaign", "access_review_reviewer",
        "access_review_item", "access_review_assignment", "access_review_result", "access_review_campaign_no", "access_review_party",
        "access_review_shape", "access_review_text", "access_review_reviewer_set", "access_review_entry", "access_review_list_item",
    ];

    /// <summary>
    /// Copies <paramref name="source"/> into <paramref name="destination"/>. A destination holding any row is refused
    /// unless <paramref name="force"/>, which replaces everything in it (in the same transaction as the copy).
    /// </summary>
    public static async Task<StoreCopyResult> CopyAsync(IIsmsStore source, IIsmsStore destination, bool force, CancellationToken cancellationToken)
    {
        if (string.Equals(source.Description, destination.Description, StringComparison.OrdinalIgnoreCase))
        {
            throw new IsmsException("IsmsOps.Store.CopyOntoItself", IsmsErrorKind.InvalidArgument,
                $"-Source and -Destination are the same store ('{source.Description}'). Nothing was copied.", "Name two different stores.", destination.Description);
        }

        if (source.SchemaVersion != destination.SchemaVersion)
        {
            throw new IsmsException("IsmsOps.Store.CopySchemaMismatch", IsmsErrorKind.NotSupportedVersion,
                $"'{source.Description}' is at schema version {source.SchemaVersion} and '{destination.Description}' at {destination.SchemaVersion}. Nothing was copied.",
                "Open both stores with the same IsmsOps version (opening migrates them), then copy again.", destination.Description);
        }

        AuditVerificationResult sourceCheck = AuditVerifier.Verify(source.ReadAuditEvents(AuditEventQuery.All, cancellationToken),
            await source.ReadCheckpointsAsync(cancellationToken).ConfigureAwait(false), null, source.Description, cancellationToken);
        if (!sourceCheck.IsValid)
        {
            throw new IsmsException("IsmsOps.Store.CopySourceNotVerified", IsmsErrorKind.InvalidData,
                $"The audit trail of '{source.Description}' does not verify ({sourceCheck.Message}). Nothing was copied.",
                "Run Test-IsmsAuditTrail on the source and restore it from a backup that verifies before copying.", source.Description);
        }

        var rows = new Dictionary<string, long>(StringComparer.Ordinal);
        try
        {
            CopyRows(source, destination, force, rows, cancellationToken);
        }
        catch (DbException ex)
        {
            throw new IsmsException("IsmsOps.Store.CopyFailed", IsmsErrorKind.WriteError,
                $"Copying '{source.Description}' into '{destination.Description}' failed: {ex.Message.TrimEnd('.')}. The destination was rolled back.",
                "Fix the cause and run Copy-IsmsStore again.", destination.Description, ex);
        }

        string[] trusted = sourceCheck.SigningKeyId is string key ? [key] : [];
        AuditVerificationResult copyCheck = AuditVerifier.Verify(destination.ReadAuditEvents(AuditEventQuery.All, cancellationToken),
            await destination.ReadCheckpointsAsync(cancellationToken).ConfigureAwait(false), trusted, destination.Description, cancellationToken);
        if (!copyCheck.IsValid || copyCheck.EventCount != sourceCheck.EventCount || copyCheck.HeadHash != sourceCheck.HeadHash)
        {
            throw new IsmsException("IsmsOps.Store.CopyNotVerified", IsmsErrorKind.InvalidData,
                $"The copy's audit trail in '{destination.Description}' does not match the source ({copyCheck.Message}; {copyCheck.EventCount} events, head {copyCheck.HeadHash}).",
                "Do not use the copy: run Copy-IsmsStore -Force again, and if it fails again keep using the source.", destination.Description);
        }

        return new StoreCopyResult
        {
            Source = source.Description,
            Destination = destination.Description,
            Rows = rows,
            AuditEventCount = copyCheck.EventCount,
            Verification = copyCheck,
        };
    }

    /// <summary>Opens the store <paramref name="pathOrConnectionString"/> names: a PostgreSQL connection string, or a SQLite file.</summary>
    public static IIsmsStore Open(string pathOrConnectionString) => PostgresStore.IsConnectionString(pathOrConnectionString)
        ? PostgresStore.Open(pathOrConnectionString)
        : SqliteStore.Open(Path.GetFullPath(pathOrConnectionString));

    private static void CopyRows(IIsmsStore source, IIsmsStore destination, bool force, Dictionary<string, long> rows, CancellationToken cancellationToken)
    {
        using DbConnection reader = OpenRead(source);
        using DbConnection writer = OpenRead(destination);
        using DbTransaction transaction = BeginExclusive(writer);
        long existing = 0;
        foreach (string table in Tables)
        {
            existing += StoreSql.Scalar(writer, $"SELECT count(*) FROM {table};", transaction);
        }

        if (existing > 0 && !force)
        {
            throw new IsmsException("IsmsOps.Store.CopyTargetNotEmpty", IsmsErrorKind.AlreadyExists,
                $"'{destination.Description}' already holds {existing} rows. Nothing was copied.",
                "Copy into an empty store, or add -Force to replace everything the destination holds (its audit trail included).", destination.Description);
        }

        foreach (string table in Tables.Reverse())
        {
            StoreSql.Execute(writer, $"DELETE FROM {table};", transaction);
        }

        foreach (string table in Tables)
        {
            rows[table] = CopyTable(reader, writer, transaction, table, cancellationToken);
        }

        if (writer is Npgsql.NpgsqlConnection)
        {
            // Copied checkpoints keep their ids; the next one the store makes must come after them.
            StoreSql.Execute(writer,
                "SELECT setval(pg_get_serial_sequence('audit_checkpoint', 'id'), coalesce((SELECT max(id) FROM audit_checkpoint), 0) + 1, false);", transaction);
        }

        transaction.Commit();
    }

    private static DbConnection OpenRead(IIsmsStore store) => store switch
    {
        SqliteStore sqlite => sqlite.OpenConnection(),
        PostgresStore postgres => postgres.OpenConnection(),
        _ => throw new NotSupportedException($"Copy-IsmsStore cannot copy {store.GetType().Name}."),
    };

    // The destination's writers wait while the copy runs, as they would for any other write.
    private static DbTransaction BeginExclusive(DbConnection connection)
    {
        if (connection is Microsoft.Data.Sqlite.SqliteConnection sqlite)
        {
            return sqlite.BeginTransaction(deferred: false);
        }

        DbTransaction transaction = connection.BeginTransaction();
        StoreSql.Execute(connection, $"SELECT pg_advisory_xact_lock({PostgresStore.WriteLockKey});", transaction);
        return transaction;
    }

    private static long CopyTable(DbConnection reader, DbConnection writer, DbTransaction transaction, string table, CancellationToken cancellationToken)
    {
        using DbCommand select = StoreSql.Command(reader, null, $"SELECT * FROM {table};");
        using DbDataReader rows = select.ExecuteReader();
        string[] columns = Enumerable.Range(0, rows.FieldCount).Select(rows.GetName).ToArray();
        using DbCommand insert = StoreSql.Command(writer, transaction,
            $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i.ToString(CultureInfo.InvariantCulture)))});");
        DbParameter[] parameters = columns.Select((_, i) => StoreSql.AddParameter(insert, "@p" + i.ToString(CultureInfo.InvariantCulture))).ToArray();
        StoreSql.Prepare(insert);
        long count = 0;
        while (rows.Read())
        {
            if ((++count & 0x3FF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            for (int i = 0; i < columns.Length; i++)
            {
                parameters[i].Value = rows.IsDBNull(i) ? DBNull.Value : rows.GetValue(i);
            }

            insert.ExecuteNonQuery();
        }

        return count;
    }
}
