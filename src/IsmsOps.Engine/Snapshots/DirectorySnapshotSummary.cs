namespace IsmsOps.Engine.Snapshots;

/// <summary>What a snapshot file holds, at a glance: whose tenant, when, how much, its digest, and what evidence it lacks.</summary>
public sealed record DirectorySnapshotSummary
{
    public required string Path { get; init; }

    public required string TenantId { get; init; }

    public string? TenantDisplayName { get; init; }

    public required DateTimeOffset CollectedAt { get; init; }

    public DateTimeOffset CompletedAt { get; init; }

    /// <summary>The Graph base URL it was collected from.</summary>
    public required string Source { get; init; }

    public string? ScopedToUserId { get; init; }

    public required SnapshotCounts Counts { get; init; }

    /// <summary>Lower-case hex SHA-256 of the content: cite it in evidence.</summary>
    public required string ContentSha256 { get; init; }

    public required long FileLength { get; init; }

    /// <summary>Evidence the collector could not gather, as "area: reason (detail)"; empty when complete.</summary>
    public required IReadOnlyList<string> EvidenceGaps { get; init; }

    /// <summary>False for a file written before guests' sponsors were collected: access reviews then cannot tell an unsponsored guest.</summary>
    public bool SponsorsCollected { get; init; }

    /// <summary>The summary of a snapshot read from a file.</summary>
    public static DirectorySnapshotSummary Of(LoadedSnapshot loaded)
    {
        ArgumentNullException.ThrowIfNull(loaded);
        DirectorySnapshot s = loaded.Snapshot;
        return new DirectorySnapshotSummary
        {
            Path = loaded.Path,
            TenantId = s.Tenant.TenantId,
            TenantDisplayName = s.Tenant.DisplayName,
            CollectedAt = s.CollectedAt,
            CompletedAt = s.CompletedAt,
            Source = s.Source,
            ScopedToUserId = s.ScopedToUserId,
            Counts = loaded.Header.Counts,
            ContentSha256 = loaded.ContentSha256,
            FileLength = loaded.FileLength,
            SponsorsCollected = s.SponsorsCollected,
            EvidenceGaps = s.EvidenceGaps.Select(g => g.Detail is null ? $"{g.Area}: {g.Reason}" : $"{g.Area}: {g.Reason} ({g.Detail})").ToArray(),
        };
    }
}
