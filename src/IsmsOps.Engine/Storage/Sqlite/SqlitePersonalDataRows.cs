using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Protection;
using Microsoft.Data.Sqlite;

namespace IsmsOps.Engine.Storage.Sqlite;

/// <summary>Reads and writes the rows of wrapped data keys and protected values; shared by the store and its write transaction.</summary>
internal static class SqlitePersonalDataRows
{
    private const string KeyColumns = "person_id, key_id, master_key_id, wrapped_key, created_at";

    public static WrappedDataKey? GetKey(SqliteConnection connection, SqliteTransaction? transaction, string personId)
    {
        using SqliteCommand command = SqliteStore.Command(connection, transaction, $"SELECT {KeyColumns} FROM personal_data_key WHERE person_id = $p;");
        command.Parameters.AddWithValue("$p", personId);
        using SqliteDataReader reader = command.ExecuteReader();
        return reader.Read() ? MapKey(reader) : null;
    }

    public static IReadOnlyList<WrappedDataKey> ListKeys(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using SqliteCommand command = SqliteStore.Command(connection, transaction, $"SELECT {KeyColumns} FROM personal_data_key ORDER BY person_id;");
        using SqliteDataReader reader = command.ExecuteReader();
        var keys = new List<WrappedDataKey>();
        while (reader.Read())
        {
            keys.Add(MapKey(reader));
        }

        return keys;
    }

    public static IReadOnlyList<string> MasterKeyIdsInUse(SqliteConnection connection, SqliteTransaction? transaction)
    {
        using SqliteCommand command = SqliteStore.Command(connection, transaction, "SELECT DISTINCT master_key_id FROM personal_data_key ORDER BY master_key_id;");
        using SqliteDataReader reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    public static void InsertKey(SqliteConnection connection, SqliteTransaction transaction, WrappedDataKey key)
    {
        using SqliteCommand command = SqliteStore.Command(connection, transaction,
            "INSERT INTO personal_data_key (person_id, key_id, master_key_id, wrapped_key, created_at) VALUES ($p, $k, $m, $w, $c);");
        BindKey(command, key);
        command.ExecuteNonQuery();
    }

    public static bool UpdateKey(SqliteConnection connection, SqliteTransaction transaction, WrappedDataKey key)
    {
        using SqliteCommand command = SqliteStore.Command(connection, transaction,
            "UPDATE personal_data_key SET master_key_id = $m, wrapped_key = $w WHERE person_id = $p AND key_id = $k;");
        BindKey(command, key);
        return command.ExecuteNonQuery() == 1;
    }

    public static bool DeleteKey(SqliteConnection connection, SqliteTransaction transaction, string personId)
    {
        using SqliteCommand command = SqliteStore.Command(connection, transaction, "DELETE FROM personal_data_key WHERE person_id = $p;");
        command.Parameters.AddWithValue("$p", personId);
        return command.ExecuteNonQuery() == 1;
    }

    public static IReadOnlyList<ProtectedValue> GetValues(SqliteConnection connection, SqliteTransaction? transaction, string personId)
    {
        using SqliteCommand command = SqliteStore.Command(connection, transaction,
            "SELECT person_id, name, key_id, ciphertext, updated_at FROM personal_data_value WHERE person_id = $p ORDER BY name;");
        command.Parameters.AddWithValue("$p", personId);
        using SqliteDataReader reader = command.ExecuteReader();
        var values = new List<ProtectedValue>();
        while (reader.Read())
        {
            values.Add(new ProtectedValue
            {
                PersonId = reader.GetString(0),
                Name = reader.GetString(1),
                KeyId = reader.GetString(2),
                Ciphertext = (byte[])reader.GetValue(3),
                UpdatedAt = AuditEvent.ParseTime(reader.GetString(4)),
            });
        }

        return values;
    }

    public static void UpsertValue(SqliteConnection connection, SqliteTransaction transaction, ProtectedValue value)
    {
        using SqliteCommand command = SqliteStore.Command(connection, transaction,
            """
            INSERT INTO personal_data_value (person_id, name, key_id, ciphertext, updated_at) VALUES ($p, $n, $k, $c, $u)
            ON CONFLICT (person_id, name) DO UPDATE SET key_id = excluded.key_id, ciphertext = excluded.ciphertext, updated_at = excluded.updated_at;
            """);
        command.Parameters.AddWithValue("$p", value.PersonId);
        command.Parameters.AddWithValue("$n", value.Name);
        command.Parameters.AddWithValue("$k", value.KeyId);
        command.Parameters.Add("$c", SqliteType.Blob).Value = value.Ciphertext;
        command.Parameters.AddWithValue("$u", AuditEvent.FormatTime(value.UpdatedAt));
        command.ExecuteNonQuery();
    }

    public static int DeleteValues(SqliteConnection connection, SqliteTransaction transaction, string personId, string? name)
    {
        using SqliteCommand command = SqliteStore.Command(connection, transaction,
            "DELETE FROM personal_data_value WHERE person_id = $p" + (name is null ? ";" : " AND name = $n;"));
        command.Parameters.AddWithValue("$p", personId);
        if (name is not null)
        {
            command.Parameters.AddWithValue("$n", name);
        }

        return command.ExecuteNonQuery();
    }

    private static void BindKey(SqliteCommand command, WrappedDataKey key)
    {
        command.Parameters.AddWithValue("$p", key.PersonId);
        command.Parameters.AddWithValue("$k", key.KeyId);
        command.Parameters.AddWithValue("$m", key.MasterKeyId);
        command.Parameters.Add("$w", SqliteType.Blob).Value = key.Wrapped;
        command.Parameters.AddWithValue("$c", AuditEvent.FormatTime(key.CreatedAt));
    }

    private static WrappedDataKey MapKey(SqliteDataReader reader) => new()
    {
        PersonId = reader.GetString(0),
        KeyId = reader.GetString(1),
        MasterKeyId = reader.GetString(2),
        Wrapped = (byte[])reader.GetValue(3),
        CreatedAt = AuditEvent.ParseTime(reader.GetString(4)),
    };

}
