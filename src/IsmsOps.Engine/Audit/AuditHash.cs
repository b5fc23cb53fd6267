using System.Buffers;
using System.Buffers.Binary;
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
    public static string ComputeEventHash(AuditEvent e) =>
        ComputeEventHash(e.Sequence, e.TimeText, e.Actor, e.Identity, e.Action, e.Target, e.CorrelationId, e.Details, e.PreviousHash);

    internal static string ComputeEventHash(long sequence, string time, string actor, string? identity, string action,
        string target, string correlationId, string details, string previousHash)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        buffer.Write(EventTag);
        WriteField(buffer, sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
        WriteField(buffer, time);
        WriteField(buffer, actor);
        WriteField(buffer, identity);
        WriteField(buffer, action);
        WriteField(buffer, target);
        WriteField(buffer, correlationId);
        WriteField(buffer, details);
        WriteField(buffer, previousHash);
        return Hex(buffer.WrittenSpan);
    }

    /// <summary>The bytes a checkpoint's signature covers.</summary>
    public static byte[] CheckpointPayload(long sequence, string headHash, string time, string keyId)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        buffer.Write(CheckpointTag);
        WriteField(buffer, sequence.ToString(System.Globalization.CultureInfo.InvariantCulture));
        WriteField(buffer, headHash);
        WriteField(buffer, time);
        WriteField(buffer, keyId);
        return buffer.WrittenSpan.ToArray();
    }

    private static string Hex(ReadOnlySpan<byte> data)
    {
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(data, digest);
        return Convert.ToHexString(digest).ToLowerInvariant();
    }

    private static void WriteField(ArrayBufferWriter<byte> buffer, string? value)
    {
        Span<byte> length = buffer.GetSpan(4);
        if (value is null)
        {
            BinaryPrimitives.WriteUInt32BigEndian(length, uint.MaxValue);
            buffer.Advance(4);
            return;
        }

        int byteCount = Encoding.UTF8.GetByteCount(value);
        BinaryPrimitives.WriteUInt32BigEndian(length, (uint)byteCount);
        buffer.Advance(4);
        Encoding.UTF8.GetBytes(value, buffer.GetSpan(byteCount));
        buffer.Advance(byteCount);
    }
}
