namespace IsmsOps.Engine.Audit;

/// <summary>The kind of tampering a verification found.</summary>
public enum TamperKind
{
    /// <summary>An event's content no longer matches its hash, or it was changed and re-hashed.</summary>
    Edit,

    /// <summary>One or more events are missing from the middle of the chain.</summary>
    Delete,

    /// <summary>An event was added that the chain does not link to.</summary>
    Insert,

    /// <summary>Authentic events stand in the wrong order.</summary>
    Reorder,

    /// <summary>Events after the last one present were removed; a signed checkpoint vouches for more.</summary>
    Truncation,

    /// <summary>The chain is self-consistent but differs from what a signed checkpoint vouches for: it was rebuilt.</summary>
    Rewrite,

    /// <summary>A checkpoint's signature is invalid, or it was signed by a key that is not trusted.</summary>
    InvalidCheckpoint,
}

/// <summary>What <c>Test-IsmsAuditTrail</c> reports: whether the trail is intact and, if not, where it first breaks.</summary>
public sealed record AuditVerificationResult
{
    public required bool IsValid { get; init; }

    /// <summary>The store file or export file that was verified.</summary>
    public required string Source { get; init; }

    public required long EventCount { get; init; }

    public long HeadSequence { get; init; }

    public string? HeadHash { get; init; }

    public int CheckpointCount { get; init; }

    public long? LastCheckpointSequence { get; init; }

    public DateTime? LastCheckpointTime { get; init; }

    /// <summary>The key that signed the newest checkpoint. Compare it with the key id your organisation recorded.</summary>
    public string? SigningKeyId { get; init; }

    /// <summary>The first sequence number at which the trail is not what was written.</summary>
    public long? FirstBadSequence { get; init; }

    public TamperKind? Tampering { get; init; }

    public required string Message { get; init; }
}
