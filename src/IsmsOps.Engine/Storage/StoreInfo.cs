namespace IsmsOps.Engine.Storage;

/// <summary>Which store a session uses: its kind, where it is (never a password) and its schema version.</summary>
public sealed record StoreInfo
{
    /// <summary>"SQLite" (the embedded file) or "PostgreSQL" (the shared store).</summary>
    public required string Kind { get; init; }

    /// <summary>The file path, or postgresql://user@host:port/database.</summary>
    public required string Location { get; init; }

    public required int SchemaVersion { get; init; }

    public required long AuditEventCount { get; init; }

    /// <summary>What the store's kind and place are, read from an open store.</summary>
    public static async Task<StoreInfo> OfAsync(IIsmsStore store, CancellationToken cancellationToken) => new()
    {
        Kind = store is Postgres.PostgresStore ? "PostgreSQL" : "SQLite",
        Location = store.Description,
        SchemaVersion = store.SchemaVersion,
        AuditEventCount = await store.CountAuditEventsAsync(cancellationToken).ConfigureAwait(false),
    };
}
