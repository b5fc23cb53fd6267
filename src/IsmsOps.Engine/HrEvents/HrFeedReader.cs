using System.Text;
using System.Text.Json;

namespace IsmsOps.Engine.HrEvents;

/// <summary>One record of an HR export: where it starts (line, or item number for JSON) and its cells by column name.</summary>
public sealed record HrFeedRow(long Line, IReadOnlyDictionary<string, string?> Cells);

/// <summary>A record the reader could not turn into cells (bad encoding, wrong number of fields).</summary>
public sealed record HrFeedRowError(long Line, string? PersonId, string ErrorId, string Message);

/// <summary>
/// Reads a CSV (RFC 4180: a header row, quoted fields with doubled quotes and line breaks) or a JSON array of objects.
/// Each line is decoded as strict UTF-8 on its own, so one badly encoded line is one row's error, not the file's.
/// </summary>
public static class HrFeedReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads <paramref name="path"/>: JSON when it ends in .json, CSV otherwise.</summary>
    public static (IReadOnlyList<string> Header, IReadOnlyList<HrFeedRow> Rows, IReadOnlyList<HrFeedRowError> Errors) Read(string path)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IsmsException("IsmsOps.HrFeed.Unreadable", IsmsErrorKind.ReadError, $"The HR feed '{path}' cannot be read: {ex.Message}",
                "Check that the file exists and this account can read it.", path, ex);
        }

        return path.EndsWith(".json", StringComparison.OrdinalIgnoreCase) ? ReadJson(path, bytes) : ReadCsv(path, bytes);
    }

    private static (IReadOnlyList<string>, IReadOnlyList<HrFeedRow>, IReadOnlyList<HrFeedRowError>) ReadCsv(string path, byte[] bytes)
    {
        var rows = new List<HrFeedRow>();
        var errors = new List<HrFeedRowError>();
        List<string>? header = null;
        int offset = bytes.AsSpan().StartsWith(new byte[] { 0xEF, 0xBB, 0xBF }) ? 3 : 0;
        long line = 0;
        var record = new List<string>();
        var field = new StringBuilder();
        bool quoted = false;
        long recordLine = 1;
        bool recordBroken = false;
        while (offset < bytes.Length || quoted)
        {
            if (offset >= bytes.Length)
            {
                errors.Add(new(recordLine, null, "IsmsOps.HrFeed.UnclosedQuote", $"{path}:{recordLine}: a quoted field is never closed."));
                break;
            }

            int end = Array.IndexOf(bytes, (byte)'\n', offset);
            int next = end < 0 ? bytes.Length : end + 1;
            int length = (end < 0 ? bytes.Length : end) - offset;
            if (length > 0 && bytes[offset + length - 1] == '\r')
            {
                length--;
            }

            line++;
            string text;
            try
            {
                text = StrictUtf8.GetString(bytes, offset, length);
            }
            catch (DecoderFallbackException)
            {
                text = string.Empty;
                if (!recordBroken)
                {
                    errors.Add(new(line, null, "IsmsOps.HrFeed.InvalidEncoding", $"{path}:{line}: the line is not valid UTF-8."));
                }

                recordBroken = true;
            }

            offset = next;
            if (!quoted)
            {
                recordLine = line;
                if (text.Length == 0 && !recordBroken)
                {
                    continue;
                }
            }
            else
            {
                field.Append('\n');
            }

            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                if (quoted)
                {
                    if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else if (c == '"')
                    {
                        quoted = false;
                    }
                    else
                    {
                        field.Append(c);
                    }
                }
                else if (c == '"' && field.Length == 0)
                {
                    quoted = true;
                }
                else if (c == ',')
                {
                    record.Add(field.ToString());
                    field.Clear();
                }
                else
                {
                    field.Append(c);
                }
            }

            if (quoted)
            {
                continue;
            }

            record.Add(field.ToString());
            field.Clear();
            if (recordBroken)
            {
                if (header is null)
                {
                    throw new IsmsException("IsmsOps.HrFeed.InvalidEncoding", IsmsErrorKind.InvalidData, $"{path}:{recordLine}: the header row is not valid UTF-8. Nothing was imported.",
                        "Export the file as UTF-8.", path);
                }
            }
            else if (header is null)
            {
                header = record.Select(h => h.Trim()).ToList();
            }
            else if (record.Count != header.Count)
            {
                errors.Add(new(recordLine, null, "IsmsOps.HrFeed.WrongFieldCount",
                    $"{path}:{recordLine}: the row has {record.Count} fields where the header has {header.Count}."));
            }
            else
            {
                var cells = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
                for (int i = 0; i < header.Count; i++)
                {
                    cells[header[i]] = record[i];
                }

                rows.Add(new HrFeedRow(recordLine, cells));
            }

            record = [];
            recordBroken = false;
        }

        return (header ?? [], rows, errors);
    }

    private static (IReadOnlyList<string>, IReadOnlyList<HrFeedRow>, IReadOnlyList<HrFeedRowError>) ReadJson(string path, byte[] bytes)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException ex)
        {
            throw new IsmsException("IsmsOps.HrFeed.InvalidJson", IsmsErrorKind.InvalidData,
                $"{path}:{(ex.LineNumber ?? 0) + 1}: the file is not valid JSON (or not UTF-8). Nothing was imported.", "Export the feed as a UTF-8 JSON array of objects.", path);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new IsmsException("IsmsOps.HrFeed.InvalidJson", IsmsErrorKind.InvalidData, $"{path}: the file is not a JSON array of objects. Nothing was imported.",
                    "Export the feed as a JSON array with one object per person.", path);
            }

            var rows = new List<HrFeedRow>();
            var errors = new List<HrFeedRowError>();
            var header = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            long item = 0;
            foreach (JsonElement element in document.RootElement.EnumerateArray())
            {
                item++;
                if (element.ValueKind != JsonValueKind.Object)
                {
                    errors.Add(new(item, null, "IsmsOps.HrFeed.InvalidJson", $"{path}: item {item} is not an object."));
                    continue;
                }

                var cells = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
                foreach (JsonProperty p in element.EnumerateObject())
                {
                    header.Add(p.Name);
                    cells[p.Name] = p.Value.ValueKind switch
                    {
                        JsonValueKind.Null => null,
                        JsonValueKind.String => p.Value.GetString(),
                        _ => p.Value.GetRawText(),
                    };
                }

                rows.Add(new HrFeedRow(item, cells));
            }

            return (header.ToList(), rows, errors);
        }
    }
}
