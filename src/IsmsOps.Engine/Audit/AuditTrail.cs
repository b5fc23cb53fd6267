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
    private readonly string? _witnessPath;

    /// <param name="store">The store whose trail this is.</param>
    /// <param name="signer">Signs the checkpoints.</param>
    /// <param name="witnessPath">Where the newest checkpoint is copied outside the database (see <see cref="HeadWitness"/>); null for none.</param>
    /// <param name="clock">UTC now; tests pass a fixed clock.</param>
    public AuditTrail(IIsmsStore store, CheckpointSigner signer, string? witnessPath = null, Func<DateTime>? clock = null)
    {
        _store = store;
        _signer = signer;
        _witnessPath = witnessPath;
        _clock = clock ?? (() => DateTime.UtcNow);
    }

    private const string WitnessKey = "audit-head-witness";

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
        await RefuseToSignOverAnUnsignedHeadAsync(transaction, sequence, previous, cancellationToken).ConfigureAwait(false);
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
        AuditCheckpoint checkpoint = _signer.Sign(sequence, previous, now);
        await transaction.InsertCheckpointAsync(checkpoint, cancellationToken).ConfigureAwait(false);
        if (_witnessPath is not null)
        {
            string witnessPath = _witnessPath;
            // Keyed: a transaction that appends many times copies out only its newest checkpoint, once, not one per append.
            transaction.AfterCommit(WitnessKey, () => HeadWitness.WriteIfNewer(witnessPath, checkpoint));
        }

        // The newest checkpoint alone proves the whole chain, so older ones are redundant. Keep the newest of each
        // stretch of CheckpointInterval events as a historical anchor and drop the rest: storage and verification
        // stay proportional to events / CheckpointInterval, not to the number of changes.
        long stretchStart = (sequence - 1) / CheckpointInterval * CheckpointInterval + 1;
        await transaction.DeleteCheckpointsAsync(stretchStart, sequence, cancellationToken).ConfigureAwait(false);
        return sealedEvents;
    }

    // Every append signs the head it leaves, so the head found here must be the newest checkpoint's (and no older than
    // the witness). If not, events were added or removed behind IsmsOps's back; signing now would vouch for them.
    private async Task RefuseToSignOverAnUnsignedHeadAsync(IStoreWriteTransaction transaction, long sequence, string headHash,
        CancellationToken cancellationToken)
    {
        AuditCheckpoint? newest = await transaction.GetNewestCheckpointAsync(cancellationToken).ConfigureAwait(false);
        AuditCheckpoint? witness = _witnessPath is null ? null : HeadWitness.Read(_witnessPath);
        bool headIsSigned = sequence == 0 ? newest is null : newest is not null && newest.Sequence == sequence && newest.HeadHash == headHash;
        bool witnessIsBehind = witness is null || witness.Sequence <= sequence;
        if (headIsSigned && witnessIsBehind)
        {
            return;
        }

        throw new IsmsException("IsmsOps.Audit.HeadNotSigned", IsmsErrorKind.SecurityError,
            $"The audit trail's head (sequence {sequence}) is not the one IsmsOps last signed (sequence {newest?.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}" +
            $"{(witness is null ? string.Empty : $", witness {witness.Sequence}")}): the trail was changed outside IsmsOps. Nothing was changed.",
            "Run Test-IsmsAuditTrail to see where, treat it as a security incident, and restore the store from a backup that verifies.", _store.Description);
    }

    /// <summary>Appends events in their own transaction (for events that record no stored change, such as an export).</summary>
    public async Task<IReadOnlyList<AuditEvent>> AppendAsync(IReadOnlyList<AuditEventDraft> drafts, OperationContext context, CancellationToken cancellationToken)
    {
        await using IStoreWriteTransaction transaction = await _store.BeginWriteAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<AuditEvent> events = await AppendAsync(transaction, drafts, context, cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return events;
    }

    /// <summary>
    /// Events matching <paramref name="query"/>, oldest first; action and target take * and ? wildcards and, like
    /// exact names, match case-insensitively.
    /// </summary>
    public IEnumerable<AuditEvent> Find(AuditEventQuery query, IReadOnlyList<string> actionPatterns, IReadOnlyList<string> targetPatterns,
        CancellationToken cancellationToken)
    {
        var actions = new NamePatternSet(actionPatterns);
        var targets = new NamePatternSet(targetPatterns);
        if (!actions.HasWildcards && !targets.HasWildcards)
        {
            // The store can filter and limit on its own.
            return _store.ReadAuditEvents(query with { Actions = actionPatterns, Targets = targetPatterns }, cancellationToken);
        }

        IEnumerable<AuditEvent> matching = _store.ReadAuditEvents(query with { Actions = [], Targets = [], Newest = null }, cancellationToken)
            .Where(e => actions.Matches(e.Action) && targets.Matches(e.Target));
        return query.Newest is int newest ? Newest(matching, newest) : matching;
    }

    private static IEnumerable<AuditEvent> Newest(IEnumerable<AuditEvent> events, int count)
    {
        var window = new Queue<AuditEvent>(count);
        foreach (AuditEvent e in events)
        {
            if (window.Count == count)
            {
                window.Dequeue();
            }

            window.Enqueue(e);
        }

        return window;
    }

    /// <summary>Verifies the whole stored trail against its chain and its newest checkpoint.</summary>
    public async Task<AuditVerificationResult> VerifyAsync(IReadOnlyCollection<string> extraTrustedKeyIds, CancellationToken cancellationToken,
        IProgress<long>? progress = null)
    {
        IReadOnlyList<AuditCheckpoint> checkpoints = await ReadCheckpointsWithWitnessAsync(cancellationToken).ConfigureAwait(false);
        HashSet<string> trusted = Trusted(extraTrustedKeyIds);
        return AuditVerifier.Verify(_store.ReadAuditEvents(AuditEventQuery.All, cancellationToken), checkpoints, trusted,
            _store.Description, cancellationToken, progress);
    }

    /// <summary>
    /// Verifies the whole stored trail as <see cref="VerifyAsync"/> does, in the same single read handing every event to
    /// <paramref name="observe"/> (all of them, also those after a break the verification stops at), so a caller that
    /// needs the events too reads the trail once. Returns the newest checkpoint of those verified against, which the
    /// events read always reach (the checkpoints are read first).
    /// </summary>
    public async Task<(AuditVerificationResult Verification, AuditCheckpoint? NewestCheckpoint)> VerifyAndReadAsync(
        IReadOnlyCollection<string> extraTrustedKeyIds, Action<AuditEvent> observe, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(observe);
        IReadOnlyList<AuditCheckpoint> checkpoints = await ReadCheckpointsWithWitnessAsync(cancellationToken).ConfigureAwait(false);
        HashSet<string> trusted = Trusted(extraTrustedKeyIds);
        using IEnumerator<AuditEvent> cursor = _store.ReadAuditEvents(AuditEventQuery.All, cancellationToken).GetEnumerator();

        IEnumerable<AuditEvent> Observed()
        {
            while (cursor.MoveNext())
            {
                observe(cursor.Current);
                yield return cursor.Current;
            }
        }

        AuditVerificationResult verification = AuditVerifier.Verify(Observed(), checkpoints, trusted, _store.Description, cancellationToken);
        while (cursor.MoveNext())
        {
            cancellationToken.ThrowIfCancellationRequested();
            observe(cursor.Current);
        }

        return (verification, NewestOf(checkpoints));
    }

    /// <summary>Writes the whole trail and its newest checkpoint to an export an auditor can verify offline.</summary>
    public async Task<AuditExportResult> ExportAsync(string path, bool overwrite, CancellationToken cancellationToken, IProgress<long>? progress = null)
    {
        AuditCheckpoint? newest = await NewestCheckpointAsync(cancellationToken).ConfigureAwait(false);
        return AuditExport.Write(path, _store.ReadAuditEvents(AuditEventQuery.All, cancellationToken), newest, _store.Description, overwrite,
            progress, cancellationToken);
    }

    /// <summary>
    /// The newest signed checkpoint, from the store or the head witness kept outside it, whichever is newer; null for an
    /// empty trail. It vouches for every event up to its sequence, which is what an evidence record anchors to.
    /// </summary>
    public async Task<AuditCheckpoint?> NewestCheckpointAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<AuditCheckpoint> checkpoints = await ReadCheckpointsWithWitnessAsync(cancellationToken).ConfigureAwait(false);
        return NewestOf(checkpoints);
    }

    private static AuditCheckpoint? NewestOf(IReadOnlyList<AuditCheckpoint> checkpoints) =>
        checkpoints.OrderBy(c => c.Sequence).ThenBy(c => c.Time).LastOrDefault();

    // The signer's own key is always trusted, beside any the caller names.
    private HashSet<string> Trusted(IReadOnlyCollection<string> extraTrustedKeyIds) =>
        new(extraTrustedKeyIds, StringComparer.Ordinal) { _signer.KeyId };

    /// <summary>Every event of the trail in stored order, streamed (for checks that look events up by sequence).</summary>
    public IEnumerable<AuditEvent> ReadAll(CancellationToken cancellationToken) => _store.ReadAuditEvents(AuditEventQuery.All, cancellationToken);

    /// <summary>Where the trail is stored, for reports.</summary>
    public string Source => _store.Description;

    // The store's checkpoints plus the witness kept outside it: the witness is what reveals a truncation that took the
    // newest checkpoints with it.
    private async Task<IReadOnlyList<AuditCheckpoint>> ReadCheckpointsWithWitnessAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<AuditCheckpoint> checkpoints = await _store.ReadCheckpointsAsync(cancellationToken).ConfigureAwait(false);
        AuditCheckpoint? witness = _witnessPath is null ? null : HeadWitness.Read(_witnessPath);
        return witness is null ? checkpoints : [.. checkpoints, witness];
    }

    /// <summary>The number of events in the trail (for progress).</summary>
    public Task<long> CountAsync(CancellationToken cancellationToken) => _store.CountAuditEventsAsync(cancellationToken);
}
