using IsmsOps.Engine.Storage;

namespace IsmsOps.Engine.Audit;

/// <summary>
/// Appends to, reads and verifies the audit trail of one store. Appends happen inside the caller's write
/// transaction, so an event is stored with the change it records or not at all; each append signs a checkpoint of
/// the new head.
/// </summary>
public sealed class AuditTrail
{
    private readonly IIsmsStore _store;
    private readonly CheckpointSigner _signer;
    private readonly Func<DateTime> _clock;

    public AuditTrail(IIsmsStore store, CheckpointSigner signer, Func<DateTime>? clock = null)
    {
        _store = store;
        _signer = signer;
        _clock = clock ?? (() => DateTime.UtcNow);
    }

    /// <summary>One checkpoint is kept for every this many events, plus the newest.</summary>
    public const int CheckpointInterval = 1000;

    /// <summary>The key id that signs this store's checkpoints.</summary>
    public string SigningKeyId => _signer.KeyId;

    /// <summary>Seals <paramref name="drafts"/> onto the chain inside <paramref name="transaction"/> and signs the new head.</summary>
    public async Task<IReadOnlyList<AuditEvent>> AppendAsync(IStoreWriteTransaction transaction, IReadOnlyList<AuditEventDraft> drafts,
        OperationContext context, CancellationToken cancellationToken)
    {
        if (drafts.Count == 0)
        {
            return [];
        }

        (long sequence, string previous) = await transaction.GetAuditHeadAsync(cancellationToken).ConfigureAwait(false);
        DateTime now = _clock();
        var sealedEvents = new AuditEvent[drafts.Count];
        for (int i = 0; i < drafts.Count; i++)
        {
            AuditEventDraft draft = drafts[i];
            var unsealed = new AuditEvent
            {
                Sequence = ++sequence,
                Time = AuditEvent.ParseTime(AuditEvent.FormatTime(now)),
                Actor = context.Actor,
                Identity = context.Identity,
                Action = draft.Action,
                Target = draft.Target,
                CorrelationId = context.CorrelationId,
                Details = draft.Details,
                PreviousHash = previous,
                Hash = string.Empty,
            };
            sealedEvents[i] = unsealed with { Hash = AuditHash.ComputeEventHash(unsealed) };
            previous = sealedEvents[i].Hash;
        }

        await transaction.InsertAuditEventsAsync(sealedEvents, cancellationToken).ConfigureAwait(false);
        await transaction.InsertCheckpointAsync(_signer.Sign(sequence, previous, now), cancellationToken).ConfigureAwait(false);

        // The newest checkpoint alone proves the whole chain, so older ones are redundant. Keep the newest of each
        // stretch of CheckpointInterval events as a historical anchor and drop the rest: storage and verification
        // stay proportional to events / CheckpointInterval, not to the number of changes.
        long stretchStart = (sequence - 1) / CheckpointInterval * CheckpointInterval + 1;
        await transaction.DeleteCheckpointsAsync(stretchStart, sequence, cancellationToken).ConfigureAwait(false);
        return sealedEvents;
    }

    /// <summary>Appends events in their own transaction (for events that record no stored change, such as an export).</summary>
    public async Task<IReadOnlyList<AuditEvent>> AppendAsync(IReadOnlyList<AuditEventDraft> drafts, OperationContext context, CancellationToken cancellationToken)
    {
        await using IStoreWriteTransaction transaction = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<AuditEvent> events = await AppendAsync(transaction, drafts, context, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return events;
    }

    /// <summary>Events matching <paramref name="query"/>, oldest first; action and target take * and ? wildcards.</summary>
    public IEnumerable<AuditEvent> Find(AuditEventQuery query, IReadOnlyList<string> actionPatterns, IReadOnlyList<string> targetPatterns,
        CancellationToken cancellationToken)
    {
        var actions = new NamePatternSet(actionPatterns);
        var targets = new NamePatternSet(targetPatterns);
        var storeQuery = query with
        {
            Actions = actions.HasWildcards ? [] : actionPatterns,
            Targets = targets.HasWildcards ? [] : targetPatterns,
        };
        return _store.ReadAuditEvents(storeQuery, cancellationToken).Where(e => actions.Matches(e.Action) && targets.Matches(e.Target));
    }

    /// <summary>Verifies the whole stored trail against its chain and its newest checkpoint.</summary>
    public async Task<AuditVerificationResult> VerifyAsync(IReadOnlyCollection<string> extraTrustedKeyIds, CancellationToken cancellationToken,
        IProgress<long>? progress = null)
    {
        IReadOnlyList<AuditCheckpoint> checkpoints = await _store.ReadCheckpointsAsync(cancellationToken).ConfigureAwait(false);
        var trusted = new HashSet<string>(extraTrustedKeyIds, StringComparer.Ordinal) { _signer.KeyId };
        return AuditVerifier.Verify(_store.ReadAuditEvents(AuditEventQuery.All, cancellationToken), checkpoints, trusted,
            _store.Description, cancellationToken, progress);
    }

    /// <summary>Writes the whole trail and its newest checkpoint to an export an auditor can verify offline.</summary>
    public async Task<AuditExportResult> ExportAsync(string path, bool overwrite, CancellationToken cancellationToken, IProgress<long>? progress = null)
    {
        IReadOnlyList<AuditCheckpoint> checkpoints = await _store.ReadCheckpointsAsync(cancellationToken).ConfigureAwait(false);
        AuditCheckpoint? newest = checkpoints.OrderBy(c => c.Sequence).ThenBy(c => c.Time).LastOrDefault();
        return AuditExport.Write(path, _store.ReadAuditEvents(AuditEventQuery.All, cancellationToken), newest, _store.Description, overwrite,
            progress, cancellationToken);
    }

    /// <summary>The number of events in the trail (for progress).</summary>
    public Task<long> CountAsync(CancellationToken cancellationToken) => _store.CountAuditEventsAsync(cancellationToken);
}
