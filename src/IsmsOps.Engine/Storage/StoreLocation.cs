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
        var location = new StoreLocation(home);
        return string.IsNullOrWhiteSpace(key) ? location : location with { SigningKeyPath = Path.GetFullPath(key) };
    }
}
