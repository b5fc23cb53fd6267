using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Offboarding;
using System.Data.Common;

namespace IsmsOps.Engine.Storage.Sql;

/// <summary>Reads and writes offboarding cases and their steps; shared by the store's reads and its write transaction.</summary>
internal static class OffboardingRows
{
    private const string CaseColumns =
        "case_id, person_id, user_id, user_principal_name, status, urgency, effective_date, created_at, due_at, updated_at, closed_at, version";

    private const string StepColumns =
        "case_id, sequence, kind, user_id, resource_id, resource_display_name, assignment_id, detail, status, reason, attempts, graph_request_id, " +
        "before_state, after_state, started_at, completed_at";

    /// <summary>
    /// The store's one time format (<see cref="AuditEvent.FormatTime"/>, as every other table): fixed width, UTC, so
    /// times compare correctly as text, which the overdue query relies on.
    /// </summary>
    public static string FormatTime(DateTimeOffset time) => AuditEvent.FormatTime(time.UtcDateTime);

    public static OffboardingCase? Get(DbConnection connection, DbTransaction? transaction, string caseId)
    {
        using DbCommand command = StoreSql.Command(connection, transaction, $"SELECT {CaseColumns} FROM offboarding_case WHERE case_id = @id;");
        command.Parameters.AddWithValue("@id", caseId);
        return ReadCases(connection, transaction, command).SingleOrDefault();
    }

    public static IReadOnlyList<OffboardingCase> Find(DbConnection connection, DbTransaction? transaction, OffboardingCaseQuery query)
    {
        using DbCommand command = StoreSql.Command(connection, transaction, string.Empty);
        var where = new List<string>();
        if (query.PersonId is not null)
        {
            where.Add("person_id = " + StoreSql.Bind(command, "@person", query.PersonId));
        }

        if (query.UserId is not null)
        {
            where.Add("user_id = " + StoreSql.Bind(command, "@user", query.UserId));
        }

        if (query.Statuses.Count > 0)
        {
            where.Add("status IN (" + string.Join(",", query.Statuses.Select((s, i) => StoreSql.Bind(command, "@s" + i, s.ToString()))) + ")");
        }

        if (query.OpenOnly || query.OverdueAt is not null)
        {
            where.Add($"status NOT IN ('{OffboardingCaseStatus.Completed}', '{OffboardingCaseStatus.CompletedWithManualTasks}')");
        }

        if (query.OverdueAt is DateTimeOffset now)
        {
            where.Add("due_at < " + StoreSql.Bind(command, "@now", FormatTime(now)));
        }

        command.CommandText = $"SELECT {CaseColumns} FROM offboarding_case"
            + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : string.Empty) + " ORDER BY created_at DESC, case_id;";
        return ReadCases(connection, transaction, command);
    }

    public static void Insert(DbConnection connection, DbTransaction transaction, OffboardingCase c)
    {
        using (DbCommand command = CaseCommand(connection, transaction, c,
                   $"INSERT INTO offboarding_case ({CaseColumns}) VALUES (@case_id, @person_id, @user_id, @upn, @status, @urgency, @effective, @created, @due, @updated, @closed, @version);"))
        {
            command.ExecuteNonQuery();
        }

        foreach (OffboardingStep step in c.Steps)
        {
            using DbCommand command = StepCommand(connection, transaction, c.CaseId, step,
                $"INSERT INTO offboarding_step ({StepColumns}) VALUES (@case_id, @sequence, @kind, @user_id, @resource_id, @resource_name, @assignment_id, @detail, " +
                "@status, @reason, @attempts, @request_id, @before, @after, @started, @completed);");
            command.ExecuteNonQuery();
        }
    }

    public static bool Update(DbConnection connection, DbTransaction transaction, OffboardingCase c, long expectedVersion)
    {
        using DbCommand command = CaseCommand(connection, transaction, c,
            "UPDATE offboarding_case SET status = @status, urgency = @urgency, due_at = @due, updated_at = @updated, closed_at = @closed, version = @version " +
            "WHERE case_id = @case_id AND version = @expected;");
        command.Parameters.AddWithValue("@expected", expectedVersion);
        return command.ExecuteNonQuery() == 1;
    }

    public static bool UpdateStep(DbConnection connection, DbTransaction transaction, string caseId, OffboardingStep step)
    {
        using DbCommand command = StepCommand(connection, transaction, caseId, step,
            "UPDATE offboarding_step SET kind = @kind, user_id = @user_id, resource_id = @resource_id, resource_display_name = @resource_name, " +
            "assignment_id = @assignment_id, detail = @detail, status = @status, reason = @reason, attempts = @attempts, graph_request_id = @request_id, " +
            "before_state = @before, after_state = @after, started_at = @started, completed_at = @completed WHERE case_id = @case_id AND sequence = @sequence;");
        return command.ExecuteNonQuery() == 1;
    }

    private static List<OffboardingCase> ReadCases(DbConnection connection, DbTransaction? transaction, DbCommand command)
    {
        var cases = new List<OffboardingCase>();
        using (DbDataReader r = command.ExecuteReader())
        {
            while (r.Read())
            {
                cases.Add(new OffboardingCase
                {
                    CaseId = r.GetString(0),
                    PersonId = Text(r, 1),
                    UserId = r.GetString(2),
                    UserPrincipalName = r.GetString(3),
                    Status = Enum.Parse<OffboardingCaseStatus>(r.GetString(4)),
                    Urgency = Enum.Parse<OffboardingUrgency>(r.GetString(5)),
                    EffectiveDate = Time(r, 6)!.Value,
                    CreatedAt = Time(r, 7)!.Value,
                    DueAt = Time(r, 8)!.Value,
                    UpdatedAt = Time(r, 9)!.Value,
                    ClosedAt = Time(r, 10),
                    Version = r.GetInt64(11),
                });
            }
        }

        return cases.Select(c => c with { Steps = ReadSteps(connection, transaction, c.CaseId) }).ToList();
    }

    private static List<OffboardingStep> ReadSteps(DbConnection connection, DbTransaction? transaction, string caseId)
    {
        using DbCommand command = StoreSql.Command(connection, transaction, $"SELECT {StepColumns} FROM offboarding_step WHERE case_id = @id ORDER BY sequence;");
        command.Parameters.AddWithValue("@id", caseId);
        var steps = new List<OffboardingStep>();
        using DbDataReader r = command.ExecuteReader();
        while (r.Read())
        {
            steps.Add(new OffboardingStep
            {
                Sequence = (int)r.GetInt64(1),
                Kind = Enum.Parse<OffboardingStepKind>(r.GetString(2)),
                UserId = r.GetString(3),
                ResourceId = Text(r, 4),
                ResourceDisplayName = Text(r, 5),
                AssignmentId = Text(r, 6),
                Detail = Text(r, 7),
                Status = Enum.Parse<OffboardingStepStatus>(r.GetString(8)),
                Reason = Text(r, 9),
                Attempts = (int)r.GetInt64(10),
                GraphRequestId = Text(r, 11),
                BeforeState = Text(r, 12),
                AfterState = Text(r, 13),
                StartedAt = Time(r, 14),
                CompletedAt = Time(r, 15),
            });
        }

        return steps;
    }

    private static DbCommand CaseCommand(DbConnection connection, DbTransaction transaction, OffboardingCase c, string sql)
    {
        DbCommand command = StoreSql.Command(connection, transaction, sql);
        command.Parameters.AddWithValue("@case_id", c.CaseId);
        command.Parameters.AddWithValue("@person_id", StoreSql.Db(c.PersonId));
        command.Parameters.AddWithValue("@user_id", c.UserId);
        command.Parameters.AddWithValue("@upn", c.UserPrincipalName);
        command.Parameters.AddWithValue("@status", c.Status.ToString());
        command.Parameters.AddWithValue("@urgency", c.Urgency.ToString());
        command.Parameters.AddWithValue("@effective", FormatTime(c.EffectiveDate));
        command.Parameters.AddWithValue("@created", FormatTime(c.CreatedAt));
        command.Parameters.AddWithValue("@due", FormatTime(c.DueAt));
        command.Parameters.AddWithValue("@updated", FormatTime(c.UpdatedAt));
        command.Parameters.AddWithValue("@closed", StoreSql.Db(c.ClosedAt is DateTimeOffset closed ? FormatTime(closed) : null));
        command.Parameters.AddWithValue("@version", c.Version);
        return command;
    }

    private static DbCommand StepCommand(DbConnection connection, DbTransaction transaction, string caseId, OffboardingStep s, string sql)
    {
        DbCommand command = StoreSql.Command(connection, transaction, sql);
        command.Parameters.AddWithValue("@case_id", caseId);
        command.Parameters.AddWithValue("@sequence", s.Sequence);
        command.Parameters.AddWithValue("@kind", s.Kind.ToString());
        command.Parameters.AddWithValue("@user_id", s.UserId);
        command.Parameters.AddWithValue("@resource_id", StoreSql.Db(s.ResourceId));
        command.Parameters.AddWithValue("@resource_name", StoreSql.Db(s.ResourceDisplayName));
        command.Parameters.AddWithValue("@assignment_id", StoreSql.Db(s.AssignmentId));
        command.Parameters.AddWithValue("@detail", StoreSql.Db(s.Detail));
        command.Parameters.AddWithValue("@status", s.Status.ToString());
        command.Parameters.AddWithValue("@reason", StoreSql.Db(s.Reason));
        command.Parameters.AddWithValue("@attempts", s.Attempts);
        command.Parameters.AddWithValue("@request_id", StoreSql.Db(s.GraphRequestId));
        command.Parameters.AddWithValue("@before", StoreSql.Db(s.BeforeState));
        command.Parameters.AddWithValue("@after", StoreSql.Db(s.AfterState));
        command.Parameters.AddWithValue("@started", StoreSql.Db(s.StartedAt is DateTimeOffset started ? FormatTime(started) : null));
        command.Parameters.AddWithValue("@completed", StoreSql.Db(s.CompletedAt is DateTimeOffset completed ? FormatTime(completed) : null));
        return command;
    }


    private static string? Text(DbDataReader r, int ordinal) => r.IsDBNull(ordinal) ? null : r.GetString(ordinal);

    private static DateTimeOffset? Time(DbDataReader r, int ordinal) =>
        r.IsDBNull(ordinal)
            ? null
            : new DateTimeOffset(AuditEvent.ParseTime(r.GetString(ordinal)));

}
