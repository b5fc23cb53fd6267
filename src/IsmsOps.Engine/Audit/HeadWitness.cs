using System.Text.Json;

namespace IsmsOps.Engine.Audit;

/// <summary>
/// A copy of the newest signed checkpoint kept in a file outside the database (<c>keys/audit-head.json</c>). Someone
/// who can edit the database can delete the newest events together with their checkpoints, and what remains is a
/// valid, shorter trail; the witness still vouches for the longer one, so verification reports the truncation. It is
/// signed, so it cannot be forged, only replaced by an older witness of the same trail.
/// </summary>
public static class HeadWitness
{
    /// <summary>The witness at <paramref name="path"/>, or null when there is none yet.</summary>
    public static AuditCheckpoint? Read(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path));
            return AuditCheckpoint.ReadJson(document.RootElement);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or FormatException or IOException)
        {
            throw new IsmsException("IsmsOps.Audit.HeadWitnessUnreadable", IsmsErrorKind.InvalidData,
                $"The audit head witness '{path}' cannot be read: {ex.Message}",
                "Restore the file from backup. If it was lost, move the damaged file aside: the next change writes a new one, but truncation before that change can no longer be detected.",
                path, ex);
        }
    }

    /// <summary>
    /// Replaces the witness with <paramref name="checkpoint"/> unless it already vouches for a later head (two
    /// processes may commit in one order and get here in the other). A failure is swallowed: the change it records
    /// has already committed, and a witness that lags behind only weakens truncation checks until the next change.
    /// </summary>
    public static void WriteIfNewer(string path, AuditCheckpoint checkpoint)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using FileStream gate = AcquireLock(path + ".lock");
            AuditCheckpoint? current = File.Exists(path) ? TryRead(path) : null;
            if (current is not null && current.Sequence >= checkpoint.Sequence)
            {
                return;
            }

            string temporary = path + ".partial";
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            {
                checkpoint.WriteJson(writer);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static AuditCheckpoint? TryRead(string path)
    {
        try
        {
            return Read(path);
        }
        catch (IsmsException)
        {
            return null;
        }
    }

    private static FileStream AcquireLock(string path)
    {
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (attempt < 200)
            {
                Thread.Sleep(5);
            }
        }
    }
}
