using System.Text.Json;
using System.Text.Json.Serialization;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Onboarding;
using System.Data.Common;

namespace IsmsOps.Engine.Storage.Sql;

/// <summary>
/// Reads and writes onboarding cases. A case's steps are one JSON array in its row: a joiner's plan is a dozen steps,
/// always read and written with its case, and the audit trail (not this row) is the evidence of each step.
/// </summary>
internal static class OnboardingRows
{
    private const string Columns = "case_id, person_id, role_id, user_id, user_principal_name, status, screening_id, blocked_because, steps, version, created_at, updated_at";

    private static readonly JsonSerializerOptions Json = new() { Converters = { new JsonStringEnumConverter() } };

    public static OnboardingCase? Get(DbConnection connection, DbTransaction? transaction, string caseId)
    {
        using DbCommand command = StoreSql.Command(connection, transaction, $"SELECT {Columns} FROM onboarding_case WHERE case_id = @id;");
        command.Parameters.AddWithValue("@id", caseId);
        return Read(command).SingleOrDefault();
    }

    public static IReadOnlyList<OnboardingCase> Find(DbConnection connection, DbTransaction? transaction, OnboardingCaseQuery query)
    {
        using DbCommand command = StoreSql.Command(connection, transaction, string.Empty);
        List<string> where = StoreSql.PersonAndStatusFilter(command, query.PersonId, query.Statuses.Select(s => s.ToString()));

        command.CommandText = $"SELECT {Columns} FROM onboarding_case" + StoreSql.WhereClause(where)
            + " ORDER BY created_at DESC, case_id;";
        return Read(command);
    }

    public static void Insert(DbConnection connection, DbTransaction transaction, OnboardingCase c)
    {
        using DbCommand command = StoreSql.Command(connection, transaction,
            $"INSERT INTO onboarding_case ({Columns}) VALUES (@id, @person, @role, @user, @upn, @status, @screening, @blocked, @steps, @version, @created, @updated);");
        Bind(command, c);
        command.ExecuteNonQuery();
    }

    public static bool Update(DbConnection connection, DbTransaction transaction, OnboardingCase c, long expectedVersion)
    {
        using DbCommand command = StoreSql.Command(connection, transaction,
            "UPDATE onboarding_case SET user_id = @user, user_principal_name = @upn, status = @status, screening_id = @screening, blocked_because = @blocked, " +
            "steps = @steps, version = @version, updated_at = @updated WHERE case_id = @id AND version = @expected;");
        Bind(command, c);
        command.Parameters.AddWithValue("@expected", expectedVersion);
        return command.ExecuteNonQuery() == 1;
    }

    private static void Bind(DbCommand command, OnboardingCase c)
    {
        command.Parameters.AddWithValue("@id", c.CaseId);
        command.Parameters.AddWithValue("@person", c.PersonId);
        command.Parameters.AddWithValue("@role", c.RoleId);
        command.Parameters.AddWithValue("@user", (object?)c.UserId ?? DBNull.Value);
        command.Parameters.AddWithValue("@upn", (object?)c.UserPrincipalName ?? DBNull.Value);
        command.Parameters.AddWithValue("@status", c.Status.ToString());
        command.Parameters.AddWithValue("@screening", (object?)c.ScreeningId ?? DBNull.Value);
        command.Parameters.AddWithValue("@blocked", (object?)c.BlockedBecause ?? DBNull.Value);
        command.Parameters.AddWithValue("@steps", JsonSerializer.Serialize(c.Steps, Json));
        command.Parameters.AddWithValue("@version", c.Version);
        command.Parameters.AddWithValue("@created", AuditEvent.FormatTime(c.CreatedAt.UtcDateTime));
        command.Parameters.AddWithValue("@updated", AuditEvent.FormatTime(c.UpdatedAt.UtcDateTime));
    }

    private static List<OnboardingCase> Read(DbCommand command)
    {
        using DbDataReader r = command.ExecuteReader();
        var cases = new List<OnboardingCase>();
        while (r.Read())
        {
            cases.Add(new OnboardingCase
            {
                CaseId = r.GetString(0),
                PersonId = r.GetString(1),
                RoleId = r.GetString(2),
                UserId = r.IsDBNull(3) ? null : r.GetString(3),
                UserPrincipalName = r.IsDBNull(4) ? null : r.GetString(4),
                Status = Enum.Parse<OnboardingCaseStatus>(r.GetString(5)),
                ScreeningId = r.IsDBNull(6) ? null : r.GetString(6),
                BlockedBecause = r.IsDBNull(7) ? null : r.GetString(7),
                Steps = JsonSerializer.Deserialize<List<OnboardingStep>>(r.GetString(8), Json) ?? [],
                Version = r.GetInt64(9),
                CreatedAt = new DateTimeOffset(AuditEvent.ParseTime(r.GetString(10))),
                UpdatedAt = new DateTimeOffset(AuditEvent.ParseTime(r.GetString(11))),
            });
        }

        return cases;
    }

}
