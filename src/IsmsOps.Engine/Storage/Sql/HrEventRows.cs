using IsmsOps.Engine.Audit;
using IsmsOps.Engine.HrEvents;
using System.Data.Common;

namespace IsmsOps.Engine.Storage.Sql;

/// <summary>Reads and writes the processed-HR-event rows that make event delivery idempotent.</summary>
internal static class HrEventRows
{
    public static ProcessedHrEvent? Get(DbConnection connection, DbTransaction? transaction, string idempotencyKey)
    {
        using DbCommand command = StoreSql.Command(connection, transaction,
            "SELECT idempotency_key, kind, person_id, body_sha256, processed_at, processed_by FROM hr_event WHERE idempotency_key = @key;");
        command.Parameters.AddWithValue("@key", idempotencyKey);
        using DbDataReader r = command.ExecuteReader();
        return r.Read()
            ? new ProcessedHrEvent(r.GetString(0), Enum.Parse<HrEventKind>(r.GetString(1)), r.GetString(2), r.GetString(3), AuditEvent.ParseTime(r.GetString(4)), r.GetString(5))
            : null;
    }

    // Uses the hr_event_person index (person_id, kind).
    public static bool Exists(DbConnection connection, string personId, HrEventKind kind)
    {
        using DbCommand command = StoreSql.Command(connection, null, "SELECT 1 FROM hr_event WHERE person_id = @person AND kind = @kind LIMIT 1;");
        command.Parameters.AddWithValue("@person", personId);
        command.Parameters.AddWithValue("@kind", kind.ToString());
        return command.ExecuteScalar() is not null;
    }

    public static void Insert(DbConnection connection, DbTransaction transaction, ProcessedHrEvent e)
    {
        using DbCommand command = StoreSql.Command(connection, transaction,
            "INSERT INTO hr_event (idempotency_key, kind, person_id, body_sha256, processed_at, processed_by) VALUES (@key, @kind, @person, @sha, @at, @by);");
        command.Parameters.AddWithValue("@key", e.IdempotencyKey);
        command.Parameters.AddWithValue("@kind", e.Kind.ToString());
        command.Parameters.AddWithValue("@person", e.PersonId);
        command.Parameters.AddWithValue("@sha", e.BodySha256);
        command.Parameters.AddWithValue("@at", AuditEvent.FormatTime(e.ProcessedAt));
        command.Parameters.AddWithValue("@by", e.ProcessedBy);
        command.ExecuteNonQuery();
    }
}
