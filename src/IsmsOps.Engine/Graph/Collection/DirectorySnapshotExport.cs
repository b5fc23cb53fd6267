using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.Engine.Graph.Collection;

/// <summary>
/// Collects the whole tenant and saves it as a snapshot file, then records in the audit trail which file, with which
/// digest, was taken from which tenant. A collection that fails writes no file and no event: a partial snapshot is
/// never saved as if it were complete.
/// </summary>
public static class DirectorySnapshotExport
{
    /// <summary>The audit action recorded for every snapshot written.</summary>
    public const string AuditAction = "Directory.SnapshotExported";

    public static async Task<DirectorySnapshotSummary> ExportAsync(
        GraphConnection connection,
        string path,
        bool overwrite,
        AuditTrail audit,
        OperationContext context,
        IProgress<SnapshotProgress>? progress,
        CancellationToken cancellationToken,
        GraphReaderOptions? readerOptions = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(audit);
        string fullPath = Path.GetFullPath(path);

        // Refuse before spending minutes on collection, not after; Write checks again, atomically.
        if (!overwrite && File.Exists(fullPath))
        {
            throw DirectorySnapshotFile.Exists(fullPath);
        }

        var reader = new GraphReader(connection, readerOptions);
        var collector = new DirectorySnapshotCollector(reader, typeof(DirectorySnapshotExport).Assembly.GetName().Version?.ToString(3));
        DirectorySnapshot snapshot = await collector.CollectAsync(progress, cancellationToken).ConfigureAwait(false);

        SnapshotFileHeader header = DirectorySnapshotFile.Write(fullPath, snapshot, overwrite, cancellationToken);
        var loaded = new LoadedSnapshot
        {
            Snapshot = snapshot,
            Path = fullPath,
            Header = header,
            FileLength = new FileInfo(fullPath).Length,
        };

        var details = new AuditDetails()
            .Add("path", fullPath)
            .Add("contentSha256", header.ContentSha256)
            .Add("source", snapshot.Source)
            .Add("collectedAt", snapshot.CollectedAt)
            .Add("users", header.Counts.Users)
            .Add("groups", header.Counts.Groups)
            .Add("groupMemberships", header.Counts.GroupMemberships)
            .Add("requests", reader.RequestCount)
            .Add("evidenceGaps", snapshot.EvidenceGaps.Select(g => $"{g.Area}: {g.Reason}").ToArray());
        await audit.AppendAsync([new AuditEventDraft(AuditAction, "tenant:" + snapshot.Tenant.TenantId, details.ToJson())], context, cancellationToken)
            .ConfigureAwait(false);
        return DirectorySnapshotSummary.Of(loaded);
    }
}
