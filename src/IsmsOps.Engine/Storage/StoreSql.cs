using System.Data.Common;
using System.Globalization;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.People;
using Microsoft.Data.Sqlite;

namespace IsmsOps.Engine.Storage;

/// <summary>
/// ADO.NET helpers shared by both stores. The row classes (Storage/Sql) are written once against DbConnection: their
/// SQL is the subset SQLite and PostgreSQL both accept (@name parameters, ON CONFLICT upserts, text times and days that
/// compare as text, integers for flags), so a record behaves the same whichever store holds it.
/// </summary>
internal static class StoreSql
{
    internal static Person? ReadPerson(DbConnection connection, DbTransaction? transaction, string personId)
    {
        using DbCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT * FROM person WHERE person_id = @id;";
        command.Parameters.AddWithValue("@id", personId);
        using DbDataReader reader = command.ExecuteReader();
        return reader.Read() ? MapPerson(reader) : null;
    }

    internal static Person MapPerson(DbDataReader r) => new()
    {
        PersonId = r.GetString(r.GetOrdinal("person_id")),
        DisplayName = r.GetString(r.GetOrdinal("display_name")),
        UserPrincipalName = Text(r, "user_principal_name"),
        Mail = Text(r, "mail"),
        Department = Text(r, "department"),
        JobRole = Text(r, "job_role"),
        ManagerId = Text(r, "manager_id"),
        EmploymentType = Enum.Parse<EmploymentType>(r.GetString(r.GetOrdinal("employment_type"))),
        Status = Enum.Parse<PersonStatus>(r.GetString(r.GetOrdinal("status"))),
        StartDate = Date(r, "start_date"),
        EndDate = Date(r, "end_date"),
        Location = Text(r, "location"),
        DirectoryObjectId = Text(r, "directory_object_id"),
        PersonalDataRemovedAt = Text(r, "personal_data_removed_at") is string removed ? AuditEvent.ParseTime(removed) : null,
        Version = r.GetInt64(r.GetOrdinal("version")),
        CreatedAt = AuditEvent.ParseTime(r.GetString(r.GetOrdinal("created_at"))),
        UpdatedAt = AuditEvent.ParseTime(r.GetString(r.GetOrdinal("updated_at"))),
    };

    internal static string? Text(DbDataReader r, string column)
    {
        int ordinal = r.GetOrdinal(column);
        return r.IsDBNull(ordinal) ? null : r.GetString(ordinal);
    }

    internal static DateTime? Date(DbDataReader r, string column)
    {
        string? text = Text(r, column);
        return text is null ? null : ParseDay(text);
    }

    /// <summary>A command on <paramref name="connection"/> in <paramref name="transaction"/> (none for a plain read).</summary>
    internal static DbCommand Command(DbConnection connection, DbTransaction? transaction, string sql)
    {
        DbCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    /// <summary>The parameter value for an optional text column.</summary>
    internal static object Db(string? value) => value is null ? DBNull.Value : value;

    // Days are stored as yyyy-MM-dd so they compare as text (see SqliteSchema).
    internal static string FormatDay(DateTime day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    internal static DateTime ParseDay(string text) => DateTime.ParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture);

    internal static string Bind(DbCommand command, string name, object value)
    {
        command.Parameters.AddWithValue(name, value);
        return name;
    }

    /// <summary>The WHERE terms of a case query by person and status (none for a filter left empty), bound to <paramref name="command"/>.</summary>
    internal static List<string> PersonAndStatusFilter(DbCommand command, string? personId, IEnumerable<string> statuses)
    {
        var where = new List<string>();
        if (personId is not null)
        {
            where.Add("person_id = " + Bind(command, "@person", personId));
        }

        string[] wanted = statuses.ToArray();
        if (wanted.Length > 0)
        {
            where.Add("status IN (" + string.Join(",", wanted.Select((s, i) => Bind(command, "@s" + i, s))) + ")");
        }

        return where;
    }

    /// <summary>" WHERE a AND b", or nothing for no terms.</summary>
    internal static string WhereClause(List<string> where) => where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : string.Empty;

    internal static long Scalar(DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        using DbCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    internal static string ScalarText(DbConnection connection, string sql)
    {
        using DbCommand command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture) ?? string.Empty;
    }

    internal static void Execute(DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        using DbCommand command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Adds a parameter by name and value (DbParameterCollection itself has no AddWithValue).</summary>
    internal static DbParameter AddWithValue(this DbParameterCollection parameters, string name, object? value)
    {
        if (parameters is SqliteParameterCollection sqlite)
        {
            return sqlite.AddWithValue(name, value ?? DBNull.Value);
        }

        if (parameters is Npgsql.NpgsqlParameterCollection npgsql)
        {
            return npgsql.AddWithValue(name, value ?? DBNull.Value);
        }

        throw new NotSupportedException($"No store uses {parameters.GetType().Name}.");
    }

    /// <summary>Adds a parameter without a value yet, for a command re-bound per row.</summary>
    internal static DbParameter AddParameter(DbCommand command, string name)
    {
        DbParameter parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = DBNull.Value;
        command.Parameters.Add(parameter);
        return parameter;
    }

    /// <summary>
    /// Prepares a command that is re-bound per row. Only SQLite's: Npgsql prepares from the first execution's parameter
    /// types, and an unbound parameter has none yet.
    /// </summary>
    internal static void Prepare(DbCommand command)
    {
        if (command is SqliteCommand)
        {
            command.Prepare();
        }
    }
}
