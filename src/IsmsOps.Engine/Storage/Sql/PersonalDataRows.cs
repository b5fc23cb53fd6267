using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Protection;
using System.Data.Common;

namespace IsmsOps.Engine.Storage.Sql;

/// <summary>Reads and writes the rows of wrapped data keys and protected values; shared by the store and its write transaction.</summary>
internal static class PersonalDataRows
{
    private const string KeyColumns = "person_id, key_id, master_key_id, wrapped_key, created_at";

    public static WrappedDataKey? GetKey(DbConnection connection, DbTransaction? transaction, string personId)
    {
        using DbCommand command = StoreSql.Command(connection, transaction, $"SELECT {KeyColumns} FROM personal_data_key WHERE person_id = @p;");
        command.Parameters.AddWithValue("@p", personId);
        using DbDataReader reader = command.ExecuteReader();
        return reader.Read() ? MapKey(reader) : null;
    }

    public static IReadOnlyList<WrappedDataKey> ListKeys(DbConnection connection, DbTransaction? transaction)
    {
        using DbCommand command = StoreSql.Command(connection, transaction, $"SELECT {KeyColumns} FROM personal_data_key ORDER BY person_id;");
        using DbDataReader reader = command.ExecuteReader();
        var keys = new List<WrappedDataKey>();
        while (reader.Read())
        {
            keys.Add(MapKey(reader));
        }

        return keys;
    }

    public static IReadOnlyList<string> MasterKeyIdsInUse(DbConnection connection, DbTransaction? transaction)
    {
        using DbCommand command = StoreSql.Command(connection, transaction, "SELECT DISTINCT master_key_id FROM personal_data_key ORDER BY master_key_id;");
        using DbDataReader reader = command.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    public static void InsertKey(DbConnection connection, DbTransaction transaction, WrappedDataKey key)
    {
        using DbCommand command = StoreSql.Command(connection, transaction,
            "INSERT INTO personal_data_key (person_id, key_id, master_key_id, wrapped_key, created_at) VALUES (@p, @k, @m, @w, @c);");
        BindKey(command, key);
        command.ExecuteNonQuery();
    }

    public static bool UpdateKey(DbConnection connection, DbTransaction transaction, WrappedDataKey key)
    {
        using DbCommand command = StoreSql.Command(connection, transaction,
            "UPDATE personal_data_key SET master_key_id = @m, wrapped_key = @w WHERE person_id = @p AND key_id = @k;");
        BindKey(command, key);
        return command.ExecuteNonQuery() == 1;
    }

    public static bool DeleteKey(DbConnection connection, DbTransaction transaction, string personId)
    {
        using DbCommand command = StoreSql.Command(connection, transaction, "DELETE FROM personal_data_key WHERE person_id = @p;");
        command.Parameters.AddWithValue("@p", personId);
        return command.ExecuteNonQuery() == 1;
    }

    public static IReadOnlyList<ProtectedValue> GetValues(DbConnection connection, DbTransaction? transaction, string personId)
    {
        using DbCommand command = StoreSql.Command(connection, transaction,
            "SELECT person_id, name, key_id, ciphertext, updated_at FROM personal_data_value WHERE person_id = @p ORDER BY name;");
        command.Parameters.AddWithValue("@p", personId);
        using DbDataReader reader = command.ExecuteReader();
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

    public static void UpsertValue(DbConnection connection, DbTransaction transaction, ProtectedValue value)
    {
        using DbCommand command = StoreSql.Command(connection, transaction,
            """
            INSERT INTO personal_data_value (person_id, name, key_id, ciphertext, updated_at) VALUES (@p, @n, @k, @c, @u)
            ON CONFLICT (person_id, name) DO UPDATE SET key_id = excluded.key_id, ciphertext = excluded.ciphertext, updated_at = excluded.updated_at;
            """);
        command.Parameters.AddWithValue("@p", value.PersonId);
        command.Parameters.AddWithValue("@n", value.Name);
        command.Parameters.AddWithValue("@k", value.KeyId);
        command.Parameters.AddWithValue("@c", value.Ciphertext);
        command.Parameters.AddWithValue("@u", AuditEvent.FormatTime(value.UpdatedAt));
        command.ExecuteNonQuery();
    }

    public static int DeleteValues(DbConnection connection, DbTransaction transaction, string personId, string? name)
    {
        using DbCommand command = StoreSql.Command(connection, transaction,
            "DELETE FROM personal_data_value WHERE person_id = @p" + (name is null ? ";" : " AND name = @n;"));
        command.Parameters.AddWithValue("@p", personId);
        if (name is not null)
        {
            command.Parameters.AddWithValue("@n", name);
        }

        return command.ExecuteNonQuery();
    }

    private static void BindKey(DbCommand command, WrappedDataKey key)
    {
        command.Parameters.AddWithValue("@p", key.PersonId);
        command.Parameters.AddWithValue("@k", key.KeyId);
        command.Parameters.AddWithValue("@m", key.MasterKeyId);
        command.Parameters.AddWithValue("@w", key.Wrapped);
        command.Parameters.AddWithValue("@c", AuditEvent.FormatTime(key.CreatedAt));
    }

    private static WrappedDataKey MapKey(DbDataReader reader) => new()
    {
        PersonId = reader.GetString(0),
        KeyId = reader.GetString(1),
        MasterKeyId = reader.GetString(2),
        Wrapped = (byte[])reader.GetValue(3),
        CreatedAt = AuditEvent.ParseTime(reader.GetString(4)),
    };

}
