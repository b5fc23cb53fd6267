using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace IsmsOps.Engine.Audit;

/// <summary>
/// The canonical byte form of events and checkpoints, and their SHA-256. The form is a domain tag followed by each
/// field as a 4-byte big-endian length and its UTF-8 bytes (0xFFFFFFFF for null). It depends on no serializer, so
/// any runtime, and an auditor's own script, computes the same bytes. docs/audit-trail.md specifies it.
/// </summary>
public static class AuditHash
{
    /// <summary>The previous-hash of the first event.</summary>
    public static readonly string Genesis = new('0', 64);

    private static readonly byte[] EventTag = Encoding.ASCII.GetBytes("IsmsOps.AuditEvent.v1\0");
    private static readonly byte[] CheckpointTag = Encoding.ASCII.GetBytes("IsmsOps.AuditCheckpoint.v1\0");

    /// <summary>The hash an event must carry, computed from its fields (its own <see cref="AuditEvent.Hash"/> is ignored).</summary>
    public static string ComputeEventHash(AuditEvent e)
    {
        Span<byte> digest = stackalloc byte[DigestBytes];
        EventDigest(e, digest);
        Span<char> hex = stackalloc char[DigestBytes * 2];
        WriteLowerHex(digest, hex);
        return new string(hex);
    }

    /// <summary>
    /// True when <paramref name="e"/> carries exactly (ordinally) the hash its fields give: what verification asks of every
    /// event, answered without allocating.
    /// </summary>
    internal static bool HasValidHash(AuditEvent e)
    {
        Span<byte> digest = stackalloc byte[DigestBytes];
        EventDigest(e, digest);
        Span<char> hex = stackalloc char[DigestBytes * 2];
        WriteLowerHex(digest, hex);
        return e.Hash.AsSpan().SequenceEqual(hex);
    }

    /// <summary>The bytes a checkpoint's signature covers.</summary>
    public static byte[] CheckpointPayload(long sequence, string headHash, string time, string keyId)
    {
        var writer = new CanonicalWriter(new byte[CheckpointTag.Length + MaxNumberBytes + MaxTextBytes(headHash) + MaxTextBytes(time) + MaxTextBytes(keyId)],
            CheckpointTag);
        writer.Number(sequence);
        writer.Text(headHash);
        writer.Text(time);
        writer.Text(keyId);
        return writer.Written.ToArray();
    }

    // Verification hashes every stored event, so the canonical form is built in one pooled buffer, without the
    // intermediate strings and arrays a straightforward encoder would allocate per event.
    private static void EventDigest(AuditEvent e, Span<byte> digest)
    {
        int bound = EventTag.Length + MaxNumberBytes + MaxTimeBytes + MaxTextBytes(e.Actor) + MaxTextBytes(e.Identity) + MaxTextBytes(e.Action)
                    + MaxTextBytes(e.Target) + MaxTextBytes(e.CorrelationId) + MaxTextBytes(e.Details) + MaxTextBytes(e.PreviousHash);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(bound);
        try
        {
            var writer = new CanonicalWriter(buffer, EventTag);
            writer.Number(e.Sequence);
            writer.Time(e.Time);
            writer.Text(e.Actor);
            writer.Text(e.Identity);
            writer.Text(e.Action);
            writer.Text(e.Target);
            writer.Text(e.CorrelationId);
            writer.Text(e.Details);
            writer.Text(e.PreviousHash);
            SHA256.HashData(writer.Written, digest);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private const int DigestBytes = 32;

    // A field's length prefix plus a decimal long ("-9223372036854775808" is 20 bytes).
    private const int MaxNumberBytes = 4 + 20;

    // A field's length prefix plus the stored time text (28 ASCII characters), with room to spare.
    private const int MaxTimeBytes = 4 + 32;

    private static int MaxTextBytes(string? value) => 4 + (value is null ? 0 : Encoding.UTF8.GetMaxByteCount(value.Length));

    private static void WriteLowerHex(ReadOnlySpan<byte> bytes, Span<char> hex)
    {
        const string Digits = "0123456789abcdef";
        for (int i = 0; i < bytes.Length; i++)
        {
            hex[2 * i] = Digits[bytes[i] >> 4];
            hex[(2 * i) + 1] = Digits[bytes[i] & 0xF];
        }
    }

    /// <summary>Appends fields in the canonical form: 4-byte big-endian length, then the UTF-8 bytes; 0xFFFFFFFF for null.</summary>
    private ref struct CanonicalWriter
    {
        private readonly Span<byte> _buffer;
        private int _length;

        public CanonicalWriter(Span<byte> buffer, ReadOnlySpan<byte> tag)
        {
            _buffer = buffer;
            tag.CopyTo(buffer);
            _length = tag.Length;
        }

        public readonly ReadOnlySpan<byte> Written => _buffer[.._length];

        public void Text(string? value)
        {
            Span<byte> field = _buffer[_length..];
            if (value is null)
            {
                BinaryPrimitives.WriteUInt32BigEndian(field, uint.MaxValue);
                _length += 4;
                return;
            }

            int count = Encoding.UTF8.GetBytes(value, field[4..]);
            BinaryPrimitives.WriteUInt32BigEndian(field, (uint)count);
            _length += 4 + count;
        }

        public void Time(DateTime value)
        {
            Span<byte> field = _buffer[_length..];
            if (!AuditEvent.TryFormatTime(value, field[4..], out int count))
            {
                throw new InvalidOperationException("The canonical buffer is too small for a time.");
            }

            BinaryPrimitives.WriteUInt32BigEndian(field, (uint)count);
            _length += 4 + count;
        }

        public void Number(long value)
        {
            Span<byte> field = _buffer[_length..];
            if (!value.TryFormat(field[4..], out int count, default, CultureInfo.InvariantCulture))
            {
                throw new InvalidOperationException("The canonical buffer is too small for a number.");
            }

            BinaryPrimitives.WriteUInt32BigEndian(field, (uint)count);
            _length += 4 + count;
        }
    }
}
