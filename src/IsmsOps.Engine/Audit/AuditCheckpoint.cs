using System.Text.Json;

namespace IsmsOps.Engine.Audit;

/// <summary>
/// A signed statement that the trail's head was <see cref="HeadHash"/> at <see cref="Sequence"/>. Checkpoints make
/// truncation and wholesale rewrites detectable: whoever can edit the database still cannot sign without the key,
/// which is kept outside the database (the same idea as CloudTrail's signed digest files).
/// </summary>
public sealed record AuditCheckpoint
{
    public required long Sequence { get; init; }

    public required string HeadHash { get; init; }

    public required DateTime Time { get; init; }

    /// <summary>SHA-256 fingerprint of the signing key's public part (SubjectPublicKeyInfo), lower-case hex.</summary>
    public required string KeyId { get; init; }

    /// <summary>The signing key's public part, SubjectPublicKeyInfo DER in base64, so exports verify offline.</summary>
    public required string PublicKey { get; init; }

    /// <summary>ECDSA P-256 / SHA-256 signature (IEEE P1363 form) over the canonical checkpoint, base64.</summary>
    public required string Signature { get; init; }

    /// <summary>Writes the checkpoint as a JSON object (the form used by export manifests and the head witness).</summary>
    internal void WriteJson(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("seq", Sequence);
        writer.WriteString("headHash", HeadHash);
        writer.WriteString("time", AuditEvent.FormatTime(Time));
        writer.WriteString("keyId", KeyId);
        writer.WriteString("publicKey", PublicKey);
        writer.WriteString("signature", Signature);
        writer.WriteString("signatureAlgorithm", "ECDSA P-256 SHA-256 (IEEE P1363)");
        writer.WriteEndObject();
    }

    /// <summary>Reads a checkpoint written by <see cref="WriteJson"/>; throws KeyNotFoundException or FormatException when malformed.</summary>
    internal static AuditCheckpoint ReadJson(JsonElement element) => new()
    {
        Sequence = element.GetProperty("seq").GetInt64(),
        HeadHash = element.GetProperty("headHash").GetString()!,
        Time = AuditEvent.ParseTime(element.GetProperty("time").GetString()!),
        KeyId = element.GetProperty("keyId").GetString()!,
        PublicKey = element.GetProperty("publicKey").GetString()!,
        Signature = element.GetProperty("signature").GetString()!,
    };
}
