using System.Buffers;
using IsmsOps.Engine.Audit;

namespace IsmsOps.Engine.Offboarding;

/// <summary>
/// The store's audit trail as one command that exports or checks offboarding evidence sees it: verified and kept in a
/// single read of the trail, however many cases or records are piped through the command. It keeps every offboarding
/// event in full and, of the other events, only the hash (32 bytes each), so a trail of a million events costs tens of
/// megabytes rather than a copy of the trail.
/// </summary>
/// <remarks>
/// The trail is read on first use, not when the reading is made, so a command that is refused before it needs the
/// trail reads nothing. A case with an event the reading has not seen (changed since), or a record anchored beyond it
/// (exported since), makes the next use read the trail again, so no record is made or checked against a stale view. A
/// record that names an event the reading holds only as a hash (which only a record that disagrees with the trail
/// does) is checked against one more read that collects exactly the events it names, so every check stays as exact as
/// before.
/// </remarks>
public sealed class OffboardingTrailReading
{
    private readonly HashSet<string>? _trusted;
    private readonly Func<Snapshot, CancellationToken, Task<(AuditVerificationResult, AuditCheckpoint?)>> _read;
    private readonly Func<CancellationToken, IEnumerable<AuditEvent>> _readAll;
    private readonly bool _canChange;
    private readonly string _source;
    private Snapshot? _snapshot;

    /// <param name="audit">The store's audit trail.</param>
    /// <param name="trustedKeyIds">Key ids trusted besides the store's own signing key (retired keys, an auditor's list).</param>
    public OffboardingTrailReading(AuditTrail audit, IEnumerable<string> trustedKeyIds)
    {
        ArgumentNullException.ThrowIfNull(audit);
        ArgumentNullException.ThrowIfNull(trustedKeyIds);
        Audit = audit;
        HashSet<string> trusted = _trusted = new HashSet<string>(trustedKeyIds, StringComparer.Ordinal) { audit.SigningKeyId };
        _read = (snapshot, ct) => audit.VerifyAndReadAsync(trusted, snapshot.Add, ct);
        _readAll = audit.ReadAll;
        _canChange = true;
        _source = audit.Source;
    }

    private OffboardingTrailReading(string exportPath, IReadOnlyCollection<string>? trustedKeyIds)
    {
        _trusted = trustedKeyIds is null ? null : new HashSet<string>(trustedKeyIds, StringComparer.Ordinal);
        _read = (snapshot, ct) =>
        {
            AuditVerificationResult verification = AuditExport.Verify(exportPath, _trusted, ct);
            foreach (AuditEvent e in AuditExport.ReadEvents(exportPath))
            {
                snapshot.Add(e);
            }

            return Task.FromResult<(AuditVerificationResult, AuditCheckpoint?)>((verification, null));
        };
        _readAll = _ => AuditExport.ReadEvents(exportPath);
        _source = exportPath;
    }

    /// <summary>
    /// A reading of an Export-IsmsAuditTrail file (<paramref name="exportPath"/>, its manifest beside it), for checking
    /// several records offline with one verification and one read of the file. With <paramref name="trustedKeyIds"/>
    /// null, any key that signed validly is accepted.
    /// </summary>
    public static OffboardingTrailReading OfExport(string exportPath, IReadOnlyCollection<string>? trustedKeyIds)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(exportPath);
        return new OffboardingTrailReading(exportPath, trustedKeyIds);
    }

    /// <summary>The store's trail read, or null for a reading of an exported trail.</summary>
    public AuditTrail? Audit { get; }

    /// <summary>
    /// The keys trusted to have signed checkpoints: for the store, its signing key and those given; for an export, those
    /// given, or null to accept any key that signed validly.
    /// </summary>
    public IReadOnlyCollection<string>? TrustedKeyIds => _trusted;

    /// <summary>How many times the whole trail has been read so far (once for a command, unless the store changed under it).</summary>
    public int TrailReads { get; private set; }

    internal async Task<Snapshot> GetAsync(CancellationToken cancellationToken) =>
        _snapshot ??= await ReadAsync(cancellationToken).ConfigureAwait(false);

    // An exported trail does not change under the command: reading it again would only find the same events.
    internal async Task<Snapshot> RefreshAsync(CancellationToken cancellationToken) =>
        _snapshot = _canChange || _snapshot is null ? await ReadAsync(cancellationToken).ConfigureAwait(false) : _snapshot;

    /// <summary>Every event of the trail, read anew: for the rare record the snapshot cannot judge on its own.</summary>
    internal IEnumerable<AuditEvent> ReadAllAgain(CancellationToken cancellationToken)
    {
        TrailReads++;
        return _readAll(cancellationToken);
    }

    private async Task<Snapshot> ReadAsync(CancellationToken cancellationToken)
    {
        var snapshot = new Snapshot(_source);
        TrailReads++;
        (AuditVerificationResult verification, AuditCheckpoint? newest) = await _read(snapshot, cancellationToken).ConfigureAwait(false);
        snapshot.Complete(verification, newest);
        return snapshot;
    }

    /// <summary>One read of the trail: its verification, its newest checkpoint, the offboarding events and every hash.</summary>
    internal sealed class Snapshot(string source)
    {
        private const int HashBytes = 32;
        private const string OffboardingTargetPrefix = "offboarding:";

        private readonly Dictionary<long, AuditEvent> _offboarding = [];
        private readonly Dictionary<string, List<AuditEvent>> _byTarget = new(StringComparer.OrdinalIgnoreCase);
        private byte[] _hashes = new byte[HashBytes * 1024];
        private long _count;

        public string Source { get; } = source;

        public AuditVerificationResult Verification { get; private set; } = null!;

        public AuditCheckpoint? NewestCheckpoint { get; private set; }

        /// <summary>
        /// True while every event read sat at its own sequence (event n at position n) with a well-formed hash: only
        /// then does the hash column answer for any sequence. A trail out of order is judged by a full read instead.
        /// </summary>
        public bool InOrder { get; private set; } = true;

        public long EventCount => _count;

        internal void Add(AuditEvent e)
        {
            if (e.Target.StartsWith(OffboardingTargetPrefix, StringComparison.OrdinalIgnoreCase))
            {
                _offboarding.TryAdd(e.Sequence, e);
                if (!_byTarget.TryGetValue(e.Target, out List<AuditEvent>? events))
                {
                    _byTarget[e.Target] = events = [];
                }

                events.Add(e);
            }

            if (InOrder)
            {
                InOrder = e.Sequence == _count + 1 && TryStoreHash(_count, e.Hash);
            }

            _count++;
        }

        internal void Complete(AuditVerificationResult verification, AuditCheckpoint? newest) => (Verification, NewestCheckpoint) = (verification, newest);

        /// <summary>Every event about <paramref name="target"/>, in trail order.</summary>
        public IReadOnlyList<AuditEvent> EventsOf(string target) => _byTarget.TryGetValue(target, out List<AuditEvent>? events) ? events : [];

        /// <summary>
        /// The event at <paramref name="sequence"/> when known in full; <c>Absent</c> when the trail has no such event;
        /// <c>Unknown</c> when only a full read can say.
        /// </summary>
        public (Lookup Found, AuditEvent? Event) EventAt(long sequence)
        {
            if (!InOrder)
            {
                return (Lookup.Unknown, null);
            }

            if (sequence < 1 || sequence > _count)
            {
                return (Lookup.Absent, null);
            }

            return _offboarding.TryGetValue(sequence, out AuditEvent? e) ? (Lookup.Found, e) : (Lookup.Unknown, null);
        }

        /// <summary>The hash of the event at <paramref name="sequence"/>, as <see cref="EventAt"/> answers.</summary>
        public (Lookup Found, string? Hash) HashAt(long sequence)
        {
            if (!InOrder)
            {
                return (Lookup.Unknown, null);
            }

            if (sequence < 1 || sequence > _count)
            {
                return (Lookup.Absent, null);
            }

            return (Lookup.Found, Convert.ToHexString(_hashes, (int)((sequence - 1) * HashBytes), HashBytes).ToLowerInvariant());
        }

        // Hashes are 64 lower-case hex digits; anything else (an edited row) ends the column, so no edit is lost in it.
        private bool TryStoreHash(long index, string hash)
        {
            if (hash.Length != HashBytes * 2 || hash.AsSpan().ContainsAnyExcept(LowerHex))
            {
                return false;
            }

            long end = (index + 1) * HashBytes;
            if (end > int.MaxValue)
            {
                return false;
            }

            if (end > _hashes.Length)
            {
                Array.Resize(ref _hashes, (int)Math.Min(int.MaxValue, Math.Max(end, (long)_hashes.Length * 2)));
            }

            Convert.FromHexString(hash).CopyTo(_hashes, (int)(index * HashBytes));
            return true;
        }

        private static readonly SearchValues<char> LowerHex = SearchValues.Create("0123456789abcdef");
    }

    internal enum Lookup
    {
        Found,
        Absent,
        Unknown,
    }
}
