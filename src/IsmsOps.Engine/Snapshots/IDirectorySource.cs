using IsmsOps.Engine.Access;

namespace IsmsOps.Engine.Snapshots;

/// <summary>
/// Where directory facts come from for one user: a snapshot file, or (once the live collector lands) Microsoft Graph.
/// Everything downstream (access inventory, offboarding, reviews) asks this and does not care which it is.
/// </summary>
public interface IDirectorySource
{
    /// <summary>What the facts are read from, for messages and evidence: "the snapshot '/x/s.json.gz' (tenant …, collected …)".</summary>
    string Description { get; }

    /// <summary>The content SHA-256 of the snapshot behind this source, or null when it reads Graph live.</summary>
    string? SnapshotSha256 { get; }

    /// <summary>
    /// An index that holds at least the user with object id or UPN <paramref name="userIdOrUpn"/>, their groups and
    /// everything granted to them. Fails with <c>IsmsOps.Access.UserNotFound</c>, naming this source, when the user is
    /// not there.
    /// </summary>
    Task<DirectoryIndex> GetForUserAsync(string userIdOrUpn, CancellationToken cancellationToken);
}

/// <summary>A directory source backed by a snapshot file that was read and verified; indexes it once, on first use.</summary>
public sealed class SnapshotDirectorySource(LoadedSnapshot loaded) : IDirectorySource
{
    private readonly Lazy<DirectoryIndex> _index = new(() => DirectoryIndex.Build(loaded.Snapshot), LazyThreadSafetyMode.ExecutionAndPublication);

    public LoadedSnapshot Loaded { get; } = loaded;

    public string Description =>
        $"the snapshot '{Loaded.Path}' (tenant {Loaded.Header.TenantId}, collected {Loaded.Header.CollectedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC"
        + (Loaded.Header.ScopedToUserId is null ? ")" : $", scoped to user {Loaded.Header.ScopedToUserId})");

    public string? SnapshotSha256 => Loaded.ContentSha256;

    public DirectoryIndex Index => _index.Value;

    public Task<DirectoryIndex> GetForUserAsync(string userIdOrUpn, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        DirectoryIndex index = _index.Value;
        return index.FindUser(userIdOrUpn) is null
            ? Task.FromException<DirectoryIndex>(AccessInventory.UserNotFound(userIdOrUpn, Description))
            : Task.FromResult(index);
    }
}
