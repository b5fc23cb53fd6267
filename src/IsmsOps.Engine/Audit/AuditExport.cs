using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace IsmsOps.Engine.Audit;

/// <summary>What an export wrote.</summary>
public sealed record AuditExportResult
{
    public required string Path { get; init; }

    public required string ManifestPath { get; init; }

    public required long EventCount { get; init; }

    public required long HeadSequence { get; init; }

    public string? HeadHash { get; init; }

    public string? SigningKeyId { get; init; }

    /// <summary>SHA-256 of the events file, as the manifest records it.</summary>
    public required string FileSha256 { get; init; }
}

/// <summary>
/// Writes the trail as JSON lines (one event per line) plus a manifest (<c>&lt;file&gt;.manifest.json</c>) holding the
/// newest signed checkpoint, its public key and the file's SHA-256; and reads such an export back so an auditor can
/// verify it offline with <see cref="AuditVerifier"/>. The format is in docs/audit-trail.md.
/// </summary>
public static class AuditExport
{
    public const string FormatName = "IsmsOps.AuditExport.v1";

    public static string ManifestPathFor(string path) => path + ".manifest.json";

    /// <summary>
    /// Writes <paramref name="events"/> to <paramref name="path"/>. Both files are written under temporary names and
    /// moved into place at the end, so a failed export never leaves a half file behind.
    /// </summary>
    public static AuditExportResult Write(string path, IEnumerable<AuditEvent> events, AuditCheckpoint? newestCheckpoint, string source,
        bool overwrite, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        string manifestPath = ManifestPathFor(path);
        if (!overwrite && (File.Exists(path) || File.Exists(manifestPath)))
        {
            throw new IsmsException("IsmsOps.Audit.ExportExists", IsmsErrorKind.WriteError,
                $"'{path}' or its manifest already exists. Nothing was written.", "Choose another path, or add -Force to replace the existing export.", path);
        }

        string temporary = path + ".partial";
        string temporaryManifest = manifestPath + ".partial";
        long count = 0;
        AuditEvent? last = null;
        string fileHash;
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            using (var hashing = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var line = new MemoryStream();
                foreach (AuditEvent e in events)
                {
                    line.SetLength(0);
                    using (var writer = new Utf8JsonWriter(line))
                    {
                        e.WriteJson(writer, detailsAsText: false);
                    }

                    line.WriteByte((byte)'\n');
                    stream.Write(line.GetBuffer(), 0, (int)line.Length);
                    hashing.AppendData(line.GetBuffer(), 0, (int)line.Length);
                    last = e;
                    if ((++count & 0x3FFF) == 0)
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        progress?.Report(count);
                    }
                }

                stream.Flush(flushToDisk: true);
                fileHash = Convert.ToHexString(hashing.GetHashAndReset()).ToLowerInvariant();
            }

            using (var stream = new FileStream(temporaryManifest, FileMode.Create, FileAccess.Write, FileShare.None))
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                writer.WriteStartObject();
                writer.WriteString("format", FormatName);
                writer.WriteString("exportedAt", AuditEvent.FormatTime(DateTime.UtcNow));
                writer.WriteString("source", source);
                writer.WriteString("eventsFile", System.IO.Path.GetFileName(path));
                writer.WriteString("fileSha256", fileHash);
                writer.WriteNumber("eventCount", count);
                writer.WriteNumber("headSequence", last?.Sequence ?? 0);
                writer.WriteString("headHash", last?.Hash);
                writer.WriteString("hashAlgorithm", "SHA-256 over the canonical event form of docs/audit-trail.md");
                writer.WritePropertyName("checkpoint");
                if (newestCheckpoint is null)
                {
                    writer.WriteNullValue();
                }
                else
                {
                    newestCheckpoint.WriteJson(writer);
                }

                writer.WriteEndObject();
            }

            File.Move(temporary, path, overwrite);
            File.Move(temporaryManifest, manifestPath, overwrite);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            TryDelete(temporary);
            TryDelete(temporaryManifest);
            throw new IsmsException("IsmsOps.Audit.ExportFailed", IsmsErrorKind.WriteError,
                $"The export to '{path}' failed: {ex.Message}", "Check that the folder exists and is writable, then run the export again.", path, ex);
        }
        catch
        {
            TryDelete(temporary);
            TryDelete(temporaryManifest);
            throw;
        }

        return new AuditExportResult
        {
            Path = path,
            ManifestPath = manifestPath,
            EventCount = count,
            HeadSequence = last?.Sequence ?? 0,
            HeadHash = last?.Hash,
            SigningKeyId = newestCheckpoint?.KeyId,
            FileSha256 = fileHash,
        };
    }

    /// <summary>
    /// Verifies an export offline: its chain, its checkpoint's signature (by <paramref name="trustedKeyIds"/> when
    /// given) and the file digest in its manifest.
    /// </summary>
    public static AuditVerificationResult Verify(string path, IReadOnlyCollection<string>? trustedKeyIds, CancellationToken cancellationToken)
    {
        string manifestPath = ManifestPathFor(path);
        if (!File.Exists(path))
        {
            throw new IsmsException("IsmsOps.Audit.ExportNotFound", IsmsErrorKind.NotFound, $"The export '{path}' does not exist.",
                "Give the path of the .jsonl file that Export-IsmsAuditTrail wrote.", path);
        }

        if (!File.Exists(manifestPath))
        {
            throw new IsmsException("IsmsOps.Audit.ManifestNotFound", IsmsErrorKind.NotFound,
                $"The export '{path}' has no manifest '{manifestPath}'; without it truncation cannot be checked.",
                "Keep the .manifest.json file that the export wrote beside the events file.", manifestPath);
        }

        AuditCheckpoint? checkpoint;
        string? recordedDigest;
        try
        {
            using JsonDocument manifest = JsonDocument.Parse(File.ReadAllBytes(manifestPath));
            JsonElement root = manifest.RootElement;
            if (!root.TryGetProperty("format", out JsonElement format) || format.GetString() != FormatName)
            {
                throw new IsmsException("IsmsOps.Audit.ManifestUnreadable", IsmsErrorKind.InvalidData,
                    $"'{manifestPath}' is not an IsmsOps audit export manifest (format must be {FormatName}).",
                    "Give the manifest that Export-IsmsAuditTrail wrote.", manifestPath);
            }

            recordedDigest = root.TryGetProperty("fileSha256", out JsonElement digest) ? digest.GetString() : null;
            checkpoint = root.TryGetProperty("checkpoint", out JsonElement cp) && cp.ValueKind == JsonValueKind.Object
                ? AuditCheckpoint.ReadJson(cp)
                : null;
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new IsmsException("IsmsOps.Audit.ManifestUnreadable", IsmsErrorKind.InvalidData,
                $"The manifest '{manifestPath}' cannot be read: {ex.Message}", "Restore the manifest that Export-IsmsAuditTrail wrote.", manifestPath, ex);
        }

        string actualDigest;
        using (FileStream stream = File.OpenRead(path))
        {
            actualDigest = Convert.ToHexString(SHA256.HashData(stream)).ToLowerInvariant();
        }

        AuditVerificationResult result = AuditVerifier.Verify(ReadEvents(path), checkpoint is null ? [] : [checkpoint], trustedKeyIds, path, cancellationToken);
        if (result.IsValid && !string.Equals(recordedDigest, actualDigest, StringComparison.Ordinal))
        {
            return result with
            {
                IsValid = false,
                Tampering = TamperKind.Edit,
                Message = $"Every event verifies, but the file's SHA-256 ({actualDigest}) differs from the manifest's ({recordedDigest}): the file was altered outside its events (re-formatted?).",
            };
        }

        return result;
    }

    /// <summary>Reads the events of an export in file order. A line that is not an event fails with its line number.</summary>
    public static IEnumerable<AuditEvent> ReadEvents(string path)
    {
        int lineNumber = 0;
        foreach (string line in File.ReadLines(path, Encoding.UTF8))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            AuditEvent e;
            try
            {
                using JsonDocument document = JsonDocument.Parse(line);
                e = AuditEvent.ReadJson(document.RootElement, detailsAsText: false);
            }
            catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new IsmsException("IsmsOps.Audit.ExportUnreadable", IsmsErrorKind.InvalidData,
                    $"{path}:{lineNumber.ToString(CultureInfo.InvariantCulture)}: not an audit event ({ex.Message})",
                    "The export was damaged or edited by hand; verify the original export, or export the trail again from the store.", path, ex);
            }

            yield return e;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
