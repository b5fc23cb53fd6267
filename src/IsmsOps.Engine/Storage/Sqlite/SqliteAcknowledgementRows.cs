using IsmsOps.Engine.Acknowledgements;
using IsmsOps.Engine.Audit;
using Microsoft.Data.Sqlite;

namespace IsmsOps.Engine.Storage.Sqlite;

/// <summary>Reads and writes acknowledgements; shared by the store's reads and its write transaction.</summary>
internal static class SqliteAcknowledgementRows
{
    private const string Columns =
        "acknowledgement_id, person_id, kind, name, document_version, acknowledged_on, expires_on, evidence, recorded_by, recorded_at, version";

    public static IReadOnlyList<Acknowledgement> Find(SqliteConnection connection, SqliteTransaction? transaction, AcknowledgementQuery query)
    {
        using SqliteCommand command = SqliteStore.Command(connection, transaction, string.Empty);
        var where = new List<string>();
        if (query.PersonId is not null)
        {
            where.Add("person_id = " + SqliteStore.Bind(command, "$person", query.PersonId));
        }

        if (query.Kind is AcknowledgementKind kind)
        {
            where.Add("kind = " + SqliteStore.Bind(command, "$kind", kind.ToString()));
        }

        if (query.Name is not null)
        {
            where.Add("name = " + SqliteStore.Bind(command, "$name", query.Name));
        }

        command.CommandText = $"SELECT {Columns} FROM acknowledgement" + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : string.Empty) +
            " ORDER BY person_id, kind, name, acknowledged_on, recorded_at;";
        var found = new List<Acknowledgement>();
        using SqliteDataReader r = command.ExecuteReader();
        while (r.Read())
        {
            found.Add(new Acknowledgement
            {
                AcknowledgementId = r.GetString(0),
                PersonId = r.GetString(1),
                Kind = Enum.Parse<AcknowledgementKind>(r.GetString(2)),
                Name = r.GetString(3),
                DocumentVersion = r.GetString(4),
                AcknowledgedOn = SqliteStore.ParseDay(r.GetString(5)),
                ExpiresOn = r.IsDBNull(6) ? null : SqliteStore.ParseDay(r.GetString(6)),
                Evidence = r.IsDBNull(7) ? null : r.GetString(7),
                RecordedBy = r.GetString(8),
                RecordedAt = AuditEvent.ParseTime(r.GetString(9)),
                Version = r.GetInt64(10),
            });
        }

        return found;
    }

    public static void Insert(SqliteConnection connection, SqliteTransaction transaction, Acknowledgement a)
    {
        using SqliteCommand command = RowCommand(connection, transaction, a,
            $"INSERT INTO acknowledgement ({Columns}) VALUES ($id, $person, $kind, $name, $doc_version, $on, $expires, $evidence, $by, $at, $version);");
        command.ExecuteNonQuery();
    }

    public static bool Update(SqliteConnection connection, SqliteTransaction transaction, Acknowledgement a, long expectedVersion)
    {
        using SqliteCommand command = RowCommand(connection, transaction, a,
            "UPDATE acknowledgement SET expires_on = $expires, evidence = $evidence, version = $version " +
            "WHERE acknowledgement_id = $id AND version = $expected;");
        command.Parameters.AddWithValue("$expected", expectedVersion);
        return command.ExecuteNonQuery() == 1;
    }

    private static SqliteCommand RowCommand(SqliteConnection connection, SqliteTransaction transaction, Acknowledgement a, string sql)
    {
        SqliteCommand command = SqliteStore.Command(connection, transaction, sql);
        command.Parameters.AddWithValue("$id", a.AcknowledgementId);
        command.Parameters.AddWithValue("$person", a.PersonId);
        command.Parameters.AddWithValue("$kind", a.Kind.ToString());
        command.Parameters.AddWithValue("$name", a.Name);
        command.Parameters.AddWithValue("$doc_version", a.DocumentVersion);
        command.Parameters.AddWithValue("$on", SqliteStore.FormatDay(a.AcknowledgedOn));
        command.Parameters.AddWithValue("$expires", a.ExpiresOn is DateTime expires ? SqliteStore.FormatDay(expires) : DBNull.Value);
        command.Parameters.AddWithValue("$evidence", (object?)a.Evidence ?? DBNull.Value);
        command.Parameters.AddWithValue("$by", a.RecordedBy);
        command.Parameters.AddWithValue("$at", AuditEvent.FormatTime(a.RecordedAt));
        command.Parameters.AddWithValue("$version", a.Version);
        return command;
    }


}
