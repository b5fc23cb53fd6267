using System.Globalization;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using IsmsOps.Engine.Audit;

namespace IsmsOps.Engine.Offboarding;

/// <summary>
/// The JSON form of an <see cref="OffboardingEvidence"/> record: camelCase names, enums as names, every time as the
/// trail's own UTC text (yyyy-MM-ddTHH:mm:ss.fffffffZ), and each audit event with the field names of an
/// Export-IsmsAuditTrail line, except that <c>details</c> is the exact JSON text that was hashed, as a string, so
/// re-indenting the file cannot change what is hashed.
/// </summary>
public static class OffboardingEvidenceFile
{
    private static readonly JsonSerializerOptions Options = CreateOptions();

    /// <summary>The record as indented UTF-8 JSON, ending in a newline.</summary>
    public static byte[] Serialize(OffboardingEvidence record)
    {
        ArgumentNullException.ThrowIfNull(record);
        byte[] json = JsonSerializer.SerializeToUtf8Bytes(record, Options);
        return [.. json, (byte)'\n'];
    }

    /// <summary>Lower-case hex SHA-256 of <paramref name="bytes"/>, as the export reports it for the JSON file.</summary>
    public static string Sha256(ReadOnlySpan<byte> bytes) => Convert.ToHexString(SHA256.HashData(bytes)).ToLowerInvariant();

    /// <summary>
    /// Reads a record and the SHA-256 of the file's bytes. A missing file, malformed JSON (with its line) or another
    /// format each fail with their own ErrorId: <c>IsmsOps.Evidence.NotFound</c>, <c>.Unreadable</c>, <c>.UnsupportedFormat</c>.
    /// </summary>
    public static (OffboardingEvidence Record, string Sha256) Read(string path)
    {
        if (!File.Exists(path))
        {
            throw new IsmsException("IsmsOps.Evidence.NotFound", IsmsErrorKind.NotFound, $"The evidence record '{path}' does not exist.",
                "Give the path of a <CaseId>.evidence.json file that Export-IsmsOffboardingEvidence wrote.", path);
        }

        byte[] bytes = File.ReadAllBytes(path);
        return (Parse(bytes, path), Sha256(bytes));
    }

    /// <summary>Parses a record from <paramref name="utf8"/>; <paramref name="source"/> names it in errors.</summary>
    public static OffboardingEvidence Parse(ReadOnlySpan<byte> utf8, string source)
    {
        OffboardingEvidence? record;
        try
        {
            using (JsonDocument probe = JsonDocument.Parse(utf8.ToArray()))
            {
                string? format = probe.RootElement.ValueKind == JsonValueKind.Object && probe.RootElement.TryGetProperty("format", out JsonElement f)
                    && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
                if (format != OffboardingEvidence.FormatName)
                {
                    throw new IsmsException("IsmsOps.Evidence.UnsupportedFormat", IsmsErrorKind.NotSupportedVersion,
                        $"'{source}' is not an IsmsOps offboarding evidence record: its format is '{format ?? "(none)"}', not {OffboardingEvidence.FormatName}.",
                        "Give a <CaseId>.evidence.json file written by Export-IsmsOffboardingEvidence (a newer IsmsOps reads newer formats).", source);
                }
            }

            record = JsonSerializer.Deserialize<OffboardingEvidence>(utf8, Options);
        }
        catch (JsonException ex)
        {
            string where = ex.LineNumber is long line ? $"{source}:{(line + 1).ToString(CultureInfo.InvariantCulture)}" : source;
            throw Unreadable(source, $"{where}: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or KeyNotFoundException or ArgumentException)
        {
            throw Unreadable(source, $"{source}: {ex.Message}", ex);
        }

        if (record is null || record.Case is null || record.Steps is null || record.Events is null || record.Trail is null || record.Trail.Checkpoint is null
            || record.Case.CaseId is null || record.Steps.Any(s => s is null) || record.Events.Any(e => e is null))
        {
            throw Unreadable(source, $"{source}: the case, steps, events, trail or checkpoint is missing or null.", null);
        }

        return record;
    }

    private static IsmsException Unreadable(string source, string message, Exception? inner) => new("IsmsOps.Evidence.Unreadable", IsmsErrorKind.InvalidData,
        $"The evidence record cannot be read: {message}",
        "The file was damaged or edited by hand; use the file Export-IsmsOffboardingEvidence wrote, or export it again.", source, inner);

    private static JsonSerializerOptions CreateOptions()
    {
        var options = new JsonSerializerOptions
        {
            PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
            WriteIndented = true,
            // A file for people and tools, never embedded in a page: keep names and non-ASCII text readable.
            Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        };
        options.Converters.Add(new JsonStringEnumConverter());
        options.Converters.Add(new UtcTimeConverter());
        options.Converters.Add(new EventConverter());
        options.Converters.Add(new CheckpointConverter());
        return options;
    }

    private sealed class UtcTimeConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            string text = reader.GetString() ?? throw new JsonException("A time is null.");
            if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out DateTimeOffset value))
            {
                throw new JsonException($"'{text}' is not a time (expected yyyy-MM-ddTHH:mm:ss.fffffffZ).");
            }

            return value;
        }

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(AuditEvent.FormatTime(value.UtcDateTime));
    }

    private sealed class EventConverter : JsonConverter<AuditEvent>
    {
        public override AuditEvent Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using JsonDocument document = JsonDocument.ParseValue(ref reader);
            JsonElement e = document.RootElement;
            try
            {
                return AuditEvent.ReadJson(e, detailsAsText: true);
            }
            catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException or ArgumentNullException)
            {
                string seq = e.ValueKind == JsonValueKind.Object && e.TryGetProperty("seq", out JsonElement s) ? s.GetRawText() : "?";
                throw new JsonException($"Audit event {seq} is not complete ({ex.Message}); every event needs seq, time, actor, identity, action, target, correlationId, details, prevHash and hash.", ex);
            }
        }

        public override void Write(Utf8JsonWriter writer, AuditEvent value, JsonSerializerOptions options) => value.WriteJson(writer, detailsAsText: true);
    }

    private sealed class CheckpointConverter : JsonConverter<AuditCheckpoint>
    {
        public override AuditCheckpoint Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            using JsonDocument document = JsonDocument.ParseValue(ref reader);
            try
            {
                return AuditCheckpoint.ReadJson(document.RootElement);
            }
            catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException or ArgumentNullException)
            {
                throw new JsonException($"The checkpoint is not complete ({ex.Message}); it needs seq, headHash, time, keyId, publicKey and signature.", ex);
            }
        }

        public override void Write(Utf8JsonWriter writer, AuditCheckpoint value, JsonSerializerOptions options) => value.WriteJson(writer);
    }
}
