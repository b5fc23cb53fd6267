using System.Text.Json;
using System.Text.Json.Serialization;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Movers;
using System.Data.Common;

namespace IsmsOps.Engine.Storage.Sql;

/// <summary>
/// Reads and writes mover cases: each case is one JSON document, with the person, status and removal due time beside
/// it as columns for the queries (open cases of a person, cases due).
/// </summary>
internal static class MoverRows
{
    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    private static readonly string OpenStatuses = string.Join(",",
        Enum.GetValues<MoverCaseStatus>().Where(s => s is not (MoverCaseStatus.Completed or MoverCaseStatus.Superseded)).Select(s => $"'{s}'"));

    public static MoverCase? Get(DbConnection connection, DbTransaction? transaction, string caseId)
    {
        using DbCommand command = StoreSql.Command(connection, transaction, "SELECT body FROM mover_case WHERE case_id = @id;");
        command.Parameters.AddWithValue("@id", caseId);
        return Read(command).SingleOrDefault();
    }

    public static IReadOnlyList<MoverCase> Find(DbConnection connection, DbTransaction? transaction, MoverCaseQuery query)
    {
        using DbCommand command = StoreSql.Command(connection, transaction, string.Empty);
        List<string> where = StoreSql.PersonAndStatusFilter(command, query.PersonId, query.Statuses.Select(s => s.ToString()));

        if (query.DueAt is DateTimeOffset due)
        {
            // Due: the old access may go now, or grants remain to run (a screening may have cleared since).
            where.Add($"status IN ({OpenStatuses}) AND (remove_old_after <= {StoreSql.Bind(command, "@due", AuditEvent.FormatTime(due.UtcDateTime))} "
                + $"OR status IN ('{MoverCaseStatus.Granting}','{MoverCaseStatus.WaitingForScreening}','{MoverCaseStatus.Failed}'))");
        }

        command.CommandText = "SELECT body FROM mover_case" + StoreSql.WhereClause(where)
            + " ORDER BY created_at DESC, case_id;";
        return Read(command);
    }

    /// <summary>The person's open case (a person has at most one), or null.</summary>
    public static MoverCase? FindOpen(DbConnection connection, DbTransaction? transaction, string personId)
    {
        using DbCommand command = StoreSql.Command(connection, transaction,
            $"SELECT body FROM mover_case WHERE person_id = @person AND status IN ({OpenStatuses}) ORDER BY created_at DESC LIMIT 1;");
        command.Parameters.AddWithValue("@person", personId);
        return Read(command).SingleOrDefault();
    }

    public static void Insert(DbConnection connection, DbTransaction transaction, MoverCase c)
    {
        using DbCommand command = StoreSql.Command(connection, transaction,
            "INSERT INTO mover_case (case_id, person_id, status, remove_old_after, body, version, created_at) VALUES (@id, @person, @status, @due, @body, @version, @created);");
        Bind(command, c);
        command.ExecuteNonQuery();
    }

    public static bool Update(DbConnection connection, DbTransaction transaction, MoverCase c, long expectedVersion)
    {
        using DbCommand command = StoreSql.Command(connection, transaction,
            "UPDATE mover_case SET status = @status, remove_old_after = @due, body = @body, version = @version WHERE case_id = @id AND version = @expected;");
        Bind(command, c);
        command.Parameters.AddWithValue("@expected", expectedVersion);
        return command.ExecuteNonQuery() == 1;
    }

    private static void Bind(DbCommand command, MoverCase c)
    {
        command.Parameters.AddWithValue("@id", c.CaseId);
        command.Parameters.AddWithValue("@person", c.PersonId);
        command.Parameters.AddWithValue("@status", c.Status.ToString());
        command.Parameters.AddWithValue("@due", AuditEvent.FormatTime(c.RemoveOldAfter.UtcDateTime));
        command.Parameters.AddWithValue("@body", JsonSerializer.Serialize(c, Json));
        command.Parameters.AddWithValue("@version", c.Version);
        command.Parameters.AddWithValue("@created", AuditEvent.FormatTime(c.CreatedAt.UtcDateTime));
    }

    private static List<MoverCase> Read(DbCommand command)
    {
        using DbDataReader r = command.ExecuteReader();
        var cases = new List<MoverCase>();
        while (r.Read())
        {
            cases.Add(JsonSerializer.Deserialize<MoverCase>(r.GetString(0), Json)!);
        }

        return cases;
    }
}
