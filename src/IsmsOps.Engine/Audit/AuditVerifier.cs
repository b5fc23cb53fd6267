namespace IsmsOps.Engine.Audit;

/// <summary>
/// Verifies a trail, in the order it is stored, against its hash chain and its newest signed checkpoint, and names
/// the first place and the kind of any tampering. Streams: a million events need no more memory than a few.
/// </summary>
/// <remarks>
/// The chain proves every event up to the head; the newest checkpoint's signature proves the head. So verifying that
/// one signature, and that every other checkpoint's head hash agrees with the chain, proves the whole trail. Removing
/// the newest events together with their checkpoints cannot be seen from inside one copy: keep exports or the head
/// hash elsewhere to cover that (docs/audit-trail.md).
/// </remarks>
public static class AuditVerifier
{
    /// <param name="events">The events in stored order.</param>
    /// <param name="checkpoints">All checkpoints, in any order.</param>
    /// <param name="trustedKeyIds">Keys allowed to sign; null accepts the key each checkpoint names (then check
    /// <see cref="AuditVerificationResult.SigningKeyId"/> yourself).</param>
    /// <param name="source">What is being verified, for the report.</param>
    /// <param name="cancellationToken">Stops a long verification.</param>
    /// <param name="progress">Receives the number of events checked so far, now and then.</param>
    public static AuditVerificationResult Verify(IEnumerable<AuditEvent> events, IReadOnlyCollection<AuditCheckpoint> checkpoints,
        IReadOnlyCollection<string>? trustedKeyIds, string source, CancellationToken cancellationToken = default, IProgress<long>? progress = null)
    {
        AuditCheckpoint[] ordered = checkpoints.OrderBy(c => c.Sequence).ThenBy(c => c.Time).ToArray();
        AuditCheckpoint? newest = ordered.Length == 0 ? null : ordered[^1];
        int nextCheckpoint = 0;
        AuditCheckpoint? firstMismatch = null;
        long lastMatchedCheckpointSequence = 0;

        long count = 0;
        AuditEvent? accepted = null;
        (long Sequence, TamperKind Kind, string Message)? chainBreak = null;

        using (IEnumerator<AuditEvent> cursor = events.GetEnumerator())
        {
            AuditEvent? current = cursor.MoveNext() ? cursor.Current : null;
            while (current is not null)
            {
                if ((count & 0xFFFF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    progress?.Report(count);
                }

                AuditEvent? next = cursor.MoveNext() ? cursor.Current : null;
                count++;
                long expectedSequence = accepted is null ? 1 : accepted.Sequence + 1;
                string expectedPrevious = accepted is null ? AuditHash.Genesis : accepted.Hash;
                bool selfConsistent = AuditHash.HasValidHash(current);

                if (selfConsistent && current.Sequence == expectedSequence && current.PreviousHash == expectedPrevious)
                {
                    accepted = current;
                    while (nextCheckpoint < ordered.Length && ordered[nextCheckpoint].Sequence <= accepted.Sequence)
                    {
                        AuditCheckpoint checkpoint = ordered[nextCheckpoint++];
                        if (checkpoint.Sequence == accepted.Sequence && checkpoint.HeadHash == accepted.Hash)
                        {
                            lastMatchedCheckpointSequence = checkpoint.Sequence;
                        }
                        else
                        {
                            firstMismatch ??= checkpoint;
                        }
                    }

                    current = next;
                    continue;
                }

                chainBreak = Classify(current, next, accepted, expectedSequence, expectedPrevious, selfConsistent);
                // The event after the bad one was already read; count it, then the rest.
                count += next is null ? 0 : 1;
                while (cursor.MoveNext())
                {
                    count++;
                }

                break;
            }
        }

        long headSequence = accepted?.Sequence ?? 0;
        var result = new AuditVerificationResult
        {
            IsValid = false,
            Source = source,
            EventCount = count,
            HeadSequence = headSequence,
            HeadHash = accepted?.Hash,
            CheckpointCount = ordered.Length,
            LastCheckpointSequence = newest?.Sequence,
            LastCheckpointTime = newest?.Time,
            SigningKeyId = newest?.KeyId,
            Message = string.Empty,
        };

        if (chainBreak is { } found)
        {
            return result with { FirstBadSequence = found.Sequence, Tampering = found.Kind, Message = found.Message };
        }

        if (newest is not null)
        {
            if (!CheckpointSigner.VerifySignature(newest))
            {
                return result with
                {
                    FirstBadSequence = newest.Sequence,
                    Tampering = TamperKind.InvalidCheckpoint,
                    Message = $"The newest checkpoint (sequence {newest.Sequence}) has an invalid signature: it was forged or altered.",
                };
            }

            if (trustedKeyIds is not null && !trustedKeyIds.Contains(newest.KeyId))
            {
                return result with
                {
                    FirstBadSequence = newest.Sequence,
                    Tampering = TamperKind.InvalidCheckpoint,
                    Message = $"The newest checkpoint (sequence {newest.Sequence}) is signed by key {newest.KeyId}, which is not trusted. " +
                              "If the key was rotated, place its public key in keys/trusted; otherwise the trail was re-signed by someone else.",
                };
            }

            if (newest.Sequence > headSequence)
            {
                return result with
                {
                    FirstBadSequence = headSequence + 1,
                    Tampering = TamperKind.Truncation,
                    Message = $"The trail ends at sequence {headSequence}, but a signed checkpoint vouches for {newest.Sequence} events: " +
                              $"events {headSequence + 1} to {newest.Sequence} were removed.",
                };
            }
        }

        if (newest is null && count > 0)
        {
            return result with
            {
                FirstBadSequence = 1,
                Tampering = TamperKind.InvalidCheckpoint,
                Message = $"No signed checkpoint vouches for the {count} events: the checkpoints were removed, or the events were written outside IsmsOps.",
            };
        }

        if (newest is not null && headSequence > newest.Sequence)
        {
            return result with
            {
                FirstBadSequence = newest.Sequence + 1,
                Tampering = TamperKind.Insert,
                Message = $"Events {newest.Sequence + 1} to {headSequence} come after the newest signed checkpoint (sequence {newest.Sequence}): " +
                          "IsmsOps signs every change it makes, so they were added outside it.",
            };
        }

        if (firstMismatch is not null)
        {
            return result with
            {
                FirstBadSequence = lastMatchedCheckpointSequence + 1,
                Tampering = TamperKind.Rewrite,
                Message = $"The chain is self-consistent but the checkpoint at sequence {firstMismatch.Sequence} vouches for a different history: " +
                          $"the trail was rebuilt after sequence {lastMatchedCheckpointSequence}.",
            };
        }

        string tail = newest is null ? "The trail is empty." : $"Newest checkpoint: sequence {newest.Sequence}, key {newest.KeyId}.";
        return result with { IsValid = true, Message = $"{count} events verified; head {headSequence}. {tail}" };
    }

    // The first event that does not follow on from the last good one: decide what happened from its shape, the
    // event after it, and the one before it. Ambiguous shapes take the likeliest reading.
    private static (long, TamperKind, string) Classify(AuditEvent current, AuditEvent? next, AuditEvent? accepted,
        long expectedSequence, string expectedPrevious, bool selfConsistent)
    {
        if (accepted is not null && current.PreviousHash == accepted.PreviousHash && current.PreviousHash != expectedPrevious)
        {
            return (accepted.Sequence, TamperKind.Insert,
                $"Event {accepted.Sequence} was inserted: the event after it links past it to the one before.");
        }

        if ((next is not null && current.PreviousHash == next.Hash) || current.Sequence < expectedSequence)
        {
            return (expectedSequence, TamperKind.Reorder,
                $"Events are out of order at sequence {expectedSequence}: the event stored there belongs later in the chain.");
        }

        if (next is not null && next.PreviousHash == expectedPrevious)
        {
            return (expectedSequence, TamperKind.Insert,
                $"The event at sequence {expectedSequence} was inserted: the chain continues past it from sequence {expectedSequence - 1}.");
        }

        if (current.Sequence > expectedSequence)
        {
            long missing = current.Sequence - expectedSequence;
            return (expectedSequence, TamperKind.Delete,
                missing == 1
                    ? $"Event {expectedSequence} was deleted."
                    : $"Events {expectedSequence} to {current.Sequence - 1} were deleted.");
        }

        if (current.PreviousHash == expectedPrevious)
        {
            return (expectedSequence, TamperKind.Edit, $"Event {expectedSequence} was edited: its content no longer matches its hash.");
        }

        if (selfConsistent && accepted is not null)
        {
            return (accepted.Sequence, TamperKind.Edit,
                $"Event {accepted.Sequence} was edited and re-hashed: event {expectedSequence} recorded a different hash for it.");
        }

        return (expectedSequence, TamperKind.Delete,
            $"An event before sequence {expectedSequence} was deleted and the rest renumbered: event {expectedSequence} links to a hash that is missing.");
    }
}
