using System.Text.Json;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Screening;
using System.Data.Common;

namespace IsmsOps.Engine.Storage.Sql;

/// <summary>Reads and writes screening rows; shared by the store's reads and its write transaction. Notes and findings are never in these rows.</summary>
internal static class ScreeningRows
{
    private const string Columns =
        "screening_id, person_id, level, status, country, provider, provider_reference, checks, requested_on, completed_on, rescreen_due_on, " +
        "waiver_requested_by, waiver_reason, waiver_approved_by, waiver_approved_at, waiver_approval_reason, waiver_expires_on, version, created_at, updated_at";

    public static ScreeningRecord? Get(DbConnection connection, DbTransaction? transaction, string screeningId)
    {
        using DbCommand command = StoreSql.Command(connection, transaction, $"SELECT {Columns} FROM screening WHERE screening_id = @id;");
        command.Parameters.AddWithValue("@id", screeningId);
        return Read(command).SingleOrDefault();
    }

    public static IReadOnlyList<ScreeningRecord> Find(DbConnection connection, DbTransaction? transaction, ScreeningQuery query)
    {
        using DbCommand command = StoreSql.Command(connection, transaction, string.Empty);
        var where = new List<string>();
        if (query.PersonIds.Count > 0)
        {
            where.Add("person_id IN (" + string.Join(",", query.PersonIds.Select((p, i) => StoreSql.Bind(command, "@p" + i, p))) + ")");
        }

        if (query.Statuses.Count > 0)
        {
            where.Add("status IN (" + string.Join(",", query.Statuses.Select((s, i) => StoreSql.Bind(command, "@s" + i, s.ToString()))) + ")");
        }

        if (query.RescreenDueBy is DateTime due)
        {
            where.Add($"status = '{ScreeningStatus.Cleared}' AND rescreen_due_on <= " + StoreSql.Bind(command, "@due", Date(due)!));
        }

        command.CommandText = $"SELECT {Columns} FROM screening"
            + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : string.Empty) + " ORDER BY person_id, created_at DESC, screening_id;";
        return Read(command);
    }

    public static void Insert(DbConnection connection, DbTransaction transaction, ScreeningRecord s)
    {
        using DbCommand command = StoreSql.Command(connection, transaction,
            $"INSERT INTO screening ({Columns}) VALUES (@id, @person, @level, @status, @country, @provider, @ref, @checks, @requested, @completed, @due, " +
            "@w_by, @w_reason, @w_approved_by, @w_approved_at, @w_approval_reason, @w_expires, @version, @created, @updated);");
        Bind(command, s);
        command.ExecuteNonQuery();
    }

    public static bool Update(DbConnection connection, DbTransaction transaction, ScreeningRecord s, long expectedVersion)
    {
        using DbCommand command = StoreSql.Command(connection, transaction,
            "UPDATE screening SET status = @status, provider = @provider, provider_reference = @ref, checks = @checks, requested_on = @requested, " +
            "completed_on = @completed, rescreen_due_on = @due, waiver_requested_by = @w_by, waiver_reason = @w_reason, waiver_approved_by = @w_approved_by, " +
            "waiver_approved_at = @w_approved_at, waiver_approval_reason = @w_approval_reason, waiver_expires_on = @w_expires, version = @version, " +
            "updated_at = @updated WHERE screening_id = @id AND version = @expected;");
        Bind(command, s);
        command.Parameters.AddWithValue("@expected", expectedVersion);
        return command.ExecuteNonQuery() == 1;
    }

    private static void Bind(DbCommand command, ScreeningRecord s)
    {
        command.Parameters.AddWithValue("@id", s.ScreeningId);
        command.Parameters.AddWithValue("@person", s.PersonId);
        command.Parameters.AddWithValue("@level", s.Level.ToString());
        command.Parameters.AddWithValue("@status", s.Status.ToString());
        command.Parameters.AddWithValue("@country", StoreSql.Db(s.Country));
        command.Parameters.AddWithValue("@provider", StoreSql.Db(s.Provider));
        command.Parameters.AddWithValue("@ref", StoreSql.Db(s.ProviderReference));
        command.Parameters.AddWithValue("@checks", JsonSerializer.Serialize(s.Checks().ToDictionary(c => c.Check.ToString(), c => c.Result.ToString())));
        command.Parameters.AddWithValue("@requested", StoreSql.Db(Date(s.RequestedOn)));
        command.Parameters.AddWithValue("@completed", StoreSql.Db(Date(s.CompletedOn)));
        command.Parameters.AddWithValue("@due", StoreSql.Db(Date(s.RescreenDueOn)));
        command.Parameters.AddWithValue("@w_by", StoreSql.Db(s.WaiverRequestedBy));
        command.Parameters.AddWithValue("@w_reason", StoreSql.Db(s.WaiverReason));
        command.Parameters.AddWithValue("@w_approved_by", StoreSql.Db(s.WaiverApprovedBy));
        command.Parameters.AddWithValue("@w_approved_at", StoreSql.Db(s.WaiverApprovedAt is DateTime at ? AuditEvent.FormatTime(at) : null));
        command.Parameters.AddWithValue("@w_approval_reason", StoreSql.Db(s.WaiverApprovalReason));
        command.Parameters.AddWithValue("@w_expires", StoreSql.Db(Date(s.WaiverExpiresOn)));
        command.Parameters.AddWithValue("@version", s.Version);
        command.Parameters.AddWithValue("@created", AuditEvent.FormatTime(s.CreatedAt));
        command.Parameters.AddWithValue("@updated", AuditEvent.FormatTime(s.UpdatedAt));
    }

    private static List<ScreeningRecord> Read(DbCommand command)
    {
        using DbDataReader r = command.ExecuteReader();
        var records = new List<ScreeningRecord>();
        while (r.Read())
        {
            var record = new ScreeningRecord
            {
                ScreeningId = r.GetString(0),
                PersonId = r.GetString(1),
                Level = Enum.Parse<ScreeningLevel>(r.GetString(2)),
                Status = Enum.Parse<ScreeningStatus>(r.GetString(3)),
                Country = Text(r, 4),
                Provider = Text(r, 5),
                ProviderReference = Text(r, 6),
                RequestedOn = ParseDate(Text(r, 8)),
                CompletedOn = ParseDate(Text(r, 9)),
                RescreenDueOn = ParseDate(Text(r, 10)),
                WaiverRequestedBy = Text(r, 11),
                WaiverReason = Text(r, 12),
                WaiverApprovedBy = Text(r, 13),
                WaiverApprovedAt = Text(r, 14) is string at ? AuditEvent.ParseTime(at) : null,
                WaiverApprovalReason = Text(r, 15),
                WaiverExpiresOn = ParseDate(Text(r, 16)),
                Version = r.GetInt64(17),
                CreatedAt = AuditEvent.ParseTime(r.GetString(18)),
                UpdatedAt = AuditEvent.ParseTime(r.GetString(19)),
            };
            foreach ((string check, string result) in JsonSerializer.Deserialize<Dictionary<string, string>>(r.GetString(7)) ?? [])
            {
                record = record.WithCheck(Enum.Parse<ScreeningCheck>(check), Enum.Parse<ScreeningCheckResult>(result));
            }

            records.Add(record);
        }

        return records;
    }

    private static string? Text(DbDataReader r, int column) => r.IsDBNull(column) ? null : r.GetString(column);

    private static string? Date(DateTime? date) => date is DateTime day ? StoreSql.FormatDay(day) : null;

    private static DateTime? ParseDate(string? text) => text is null ? null : StoreSql.ParseDay(text);


}
