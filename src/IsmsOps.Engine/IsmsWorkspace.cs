using IsmsOps.Engine.Audit;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Storage;
using IsmsOps.Engine.Storage.Sqlite;

namespace IsmsOps.Engine;

/// <summary>
/// Everything one store needs, wired together: the store, the audit trail and its signing key, and the registers.
/// The cmdlets, the host and tests open one of these; nothing else constructs the services.
/// </summary>
public sealed class IsmsWorkspace : IDisposable
{
    private readonly CheckpointSigner _signer;

    private IsmsWorkspace(StoreLocation location, IIsmsStore store, CheckpointSigner signer, Func<DateTime>? clock)
    {
        Location = location;
        Store = store;
        _signer = signer;
        Audit = new AuditTrail(store, signer, clock);
        People = new PeopleRegister(store, Audit, clock);
    }

    public StoreLocation Location { get; }

    public IIsmsStore Store { get; }

    public AuditTrail Audit { get; }

    public PeopleRegister People { get; }

    /// <summary>Opens (creating and migrating on first use) the embedded store at <paramref name="location"/>.</summary>
    public static IsmsWorkspace Open(StoreLocation location, Func<DateTime>? clock = null)
    {
        SqliteStore store = SqliteStore.Open(location.DatabasePath);
        try
        {
            return new IsmsWorkspace(location, store, CheckpointSigner.LoadOrCreate(location.SigningKeyPath), clock);
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>Key ids trusted besides the current signing key (public keys in keys/trusted).</summary>
    public IReadOnlyList<string> RetiredTrustedKeyIds() => CheckpointSigner.TrustedKeyIdsIn(Location.KeyDirectory);

    public void Dispose()
    {
        Store.Dispose();
        _signer.Dispose();
    }
}
