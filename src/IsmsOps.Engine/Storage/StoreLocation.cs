namespace IsmsOps.Engine.Storage;

/// <summary>
/// Where the embedded store, the audit signing key and the personal-data master key live: <c>$ISMSOPS_HOME</c> when set, otherwise the per-user data
/// folder (<c>~/.local/share/IsmsOps</c> on Linux, <c>%LOCALAPPDATA%\IsmsOps</c> on Windows).
/// </summary>
public sealed record StoreLocation(string Home)
{
    public const string HomeVariable = "ISMSOPS_HOME";
    public const string SigningKeyVariable = "ISMSOPS_AUDIT_KEY";
    public const string DatabaseFileName = "isms.db";

    /// <summary>The store to use instead of <c>isms.db</c> under the home: a PostgreSQL connection string, or a SQLite file's path.</summary>
    public const string StoreVariable = "ISMSOPS_STORE";

    /// <summary>
    /// A PostgreSQL connection string (the shared store; see docs/postgresql.md) or a SQLite file's path; null for
    /// <see cref="DatabasePath"/>. Keys and the head witness stay under <see cref="Home"/> either way: they are this host's.
    /// </summary>
    public string? Store { get; init; }

    /// <summary>Where the store is, for messages: never the connection string itself (it may hold a password).</summary>
    public string StoreDescription => Store is null ? DatabasePath
        : Postgres.PostgresStore.IsConnectionString(Store) ? "PostgreSQL store" : Path.GetFullPath(Store);

    /// <summary>Opens (and migrates) the store this location names.</summary>
    public IIsmsStore OpenStore() => Store is null ? Sqlite.SqliteStore.Open(DatabasePath)
        : Postgres.PostgresStore.IsConnectionString(Store) ? Postgres.PostgresStore.Open(Store)
        : Sqlite.SqliteStore.Open(Path.GetFullPath(Store));

    /// <summary>The SQLite database file.</summary>
    public string DatabasePath => Path.Combine(Home, DatabaseFileName);

    /// <summary>Folder of the audit signing key and of trusted public keys from earlier key rotations.</summary>
    public string KeyDirectory => Path.Combine(Home, "keys");

    /// <summary>The private key that signs audit checkpoints: <c>$ISMSOPS_AUDIT_KEY</c> or <c>keys/audit-signing-key.pem</c>.</summary>
    public string SigningKeyPath { get; init; } = Path.Combine(Home, "keys", "audit-signing-key.pem");

    /// <summary>
    /// The personal-data master key (base64 of 32 bytes, owner-only), used when <c>$ISMSOPS_MASTER_KEY</c> is not set:
    /// <c>keys/personal-data-master.key</c>.
    /// </summary>
    public string MasterKeyPath { get; init; } = Path.Combine(Home, "keys", "personal-data-master.key");

    /// <summary>The copy of the newest signed checkpoint kept outside the database.</summary>
    public string HeadWitnessPath => Path.Combine(KeyDirectory, "audit-head.json");

    /// <summary>Resolves the location from the environment, as every cmdlet and the host do.</summary>
    public static StoreLocation FromEnvironment()
    {
        string? home = Environment.GetEnvironmentVariable(HomeVariable);
        if (string.IsNullOrWhiteSpace(home))
        {
            home = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify), "IsmsOps");
        }

        home = Path.GetFullPath(home);
        string? key = Environment.GetEnvironmentVariable(SigningKeyVariable);
        string? store = Environment.GetEnvironmentVariable(StoreVariable);
        var location = new StoreLocation(home) { Store = string.IsNullOrWhiteSpace(store) ? null : store };
        return string.IsNullOrWhiteSpace(key) ? location : location with { SigningKeyPath = Path.GetFullPath(key) };
    }
}
