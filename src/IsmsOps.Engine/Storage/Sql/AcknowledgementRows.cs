using IsmsOps.Engine.Acknowledgements;
using IsmsOps.Engine.Audit;
using System.Data.Common;

namespace IsmsOps.Engine.Storage.Sql;

/// <summary>Reads and writes acknowledgements; shared by the store's reads and its write transaction.</summary>
internal static class AcknowledgementRows
{
    private const string Columns =
        "acknowledgement_id, person_id, kind, name, document_version, acknowledged_on, expires_on, evidence, recorded_by, recorded_at, version";

    public static IReadOnlyList<Acknowledgement> Find(DbConnection connection, DbTransaction? transaction, AcknowledgementQuery query)
    {
        using DbCommand command = StoreSql.Command(connection, transaction, string.Empty);
        var where = new List<string>();
        if (query.PersonId is not null)
        {
            where.Add("person_id = " + StoreSql.Bind(command, "@person", query.PersonId));
        }

        if (query.Kind is AcknowledgementKind kind)
        {
            where.Add("kind = " + StoreSql.Bind(command, "@kind", kind.ToString()));
        }

        if (query.Name is not null)
        {
            where.Add("name = " + StoreSql.Bind(command, "@name", query.Name));
        }

        command.CommandText = $"SELECT {Columns} FROM acknowledgement" + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : string.Empty) +
            " ORDER BY person_id, kind, name, acknowledged_on, recorded_at;";
        var found = new List<Acknowledgement>();
        using DbDataReader r = command.ExecuteReader();
        while (r.Read())
        {
            found.Add(new Acknowledgement
            {
                AcknowledgementId = r.GetString(0),
                PersonId = r.GetString(1),
                Kind = Enum.Parse<AcknowledgementKind>(r.GetString(2)),
                Name = r.GetString(3),
                DocumentVersion = r.GetString(4),
                AcknowledgedOn = StoreSql.ParseDay(r.GetString(5)),
                ExpiresOn = r.IsDBNull(6) ? null : StoreSql.ParseDay(r.GetString(6)),
                Evidence = r.IsDBNull(7) ? null : r.GetString(7),
                RecordedBy = r.GetString(8),
                RecordedAt = AuditEvent.ParseTime(r.GetString(9)),
                Version = r.GetInt64(10),
            });
        }

        return found;
    }

    public static void Insert(DbConnection connection, DbTransaction transaction, Acknowledgement a)
    {
        using DbCommand command = RowCommand(connection, transaction, a,
            $"INSERT INTO acknowledgement ({Columns}) VALUES (@id, @person, @kind, @name, @doc_version, @on, @expires, @evidence, @by, @at, @version);");
        command.ExecuteNonQuery();
    }

    public static bool Update(DbConnection connection, DbTransaction transaction, Acknowledgement a, long expectedVersion)
    {
        using DbCommand command = RowCommand(connection, transaction, a,
            "UPDATE acknowledgement SET expires_on = @expires, evidence = @evidence, version = @version " +
            "WHERE acknowledgement_id = @id AND version = @expected;");
        command.Parameters.AddWithValue("@expected", expectedVersion);
        return command.ExecuteNonQuery() == 1;
    }

    private static DbCommand RowCommand(DbConnection connection, DbTransaction transaction, Acknowledgement a, string sql)
    {
        DbCommand command = StoreSql.Command(connection, transaction, sql);
        command.Parameters.AddWithValue("@id", a.AcknowledgementId);
        command.Parameters.AddWithValue("@person", a.PersonId);
        command.Parameters.AddWithValue("@kind", a.Kind.ToString());
        command.Parameters.AddWithValue("@name", a.Name);
        command.Parameters.AddWithValue("@doc_version", a.DocumentVersion);
        command.Parameters.AddWithValue("@on", StoreSql.FormatDay(a.AcknowledgedOn));
        command.Parameters.AddWithValue("@expires", a.ExpiresOn is DateTime expires ? StoreSql.FormatDay(expires) : DBNull.Value);
        command.Parameters.AddWithValue("@evidence", (object?)a.Evidence ?? DBNull.Value);
        command.Parameters.AddWithValue("@by", a.RecordedBy);
        command.Parameters.AddWithValue("@at", AuditEvent.FormatTime(a.RecordedAt));
        command.Parameters.AddWithValue("@version", a.Version);
        return command;
    }


}
