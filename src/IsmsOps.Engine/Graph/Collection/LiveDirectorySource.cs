using IsmsOps.Engine.Snapshots;

namespace IsmsOps.Engine.Graph.Collection;

/// <summary>Reads one user's access from Microsoft Graph, live, each time it is asked.</summary>
public sealed class LiveDirectorySource(GraphConnection connection) : IDirectorySource
{
    /// <inheritdoc />
    public string Description => $"Microsoft Graph at {connection.GraphEndpoint}" + (connection.TenantId is null ? "" : $" (tenant {connection.TenantId})");

    /// <inheritdoc />
    public string? SnapshotSha256 => null;

    /// <inheritdoc />
    public async Task<DirectoryIndex> GetForUserAsync(string userIdOrUpn, CancellationToken cancellationToken)
    {
        var collector = new UserAccessCollector(new GraphReader(connection));
        DirectorySnapshot snapshot;
        try
        {
            snapshot = await collector.CollectAsync(userIdOrUpn, cancellationToken).ConfigureAwait(false);
        }
        catch (UserAccessCollector.UserNotFoundException)
        {
            throw Access.AccessInventory.UserNotFound(userIdOrUpn, Description);
        }

        return DirectoryIndex.Build(snapshot);
    }

    /// <summary>The whole tenant, collected live as Export-IsmsDirectorySnapshot would (for a campaign that must see everyone).</summary>
    public Task<DirectorySnapshot> CollectTenantAsync(IProgress<SnapshotProgress>? progress, CancellationToken cancellationToken) =>
        new DirectorySnapshotCollector(new GraphReader(connection)).CollectAsync(progress, cancellationToken);

    /// <summary>Every user in the tenant, read live (one paged list of /users).</summary>
    public async Task<IReadOnlyList<SnapshotUser>> ListUsersAsync(CancellationToken cancellationToken) =>
        await new DirectorySnapshotCollector(new GraphReader(connection)).CollectUsersAsync(cancellationToken).ConfigureAwait(false);
}
