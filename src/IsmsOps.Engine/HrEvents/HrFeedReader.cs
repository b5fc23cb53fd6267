using System.Text.Json;
using IsmsOps.Engine.Tables;

namespace IsmsOps.Engine.HrEvents;

/// <summary>One record of an HR export: where it starts (line, or item number for JSON) and its cells by column name.</summary>
public sealed record HrFeedRow(long Line, IReadOnlyDictionary<string, string?> Cells);

/// <summary>A record the reader could not turn into cells (bad encoding, wrong number of fields).</summary>
public sealed record HrFeedRowError(long Line, string? PersonId, string ErrorId, string Message);

/// <summary>
/// Reads a CSV (through the shared <see cref="CsvTableReader"/>) or a JSON array of objects.
/// </summary>
public static class HrFeedReader
{
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
        // HR exports are read as they are: no formula-guard apostrophe is removed, since IsmsOps did not write them.
        TableReadResult table = CsvTableReader.Parse(path, bytes, "IsmsOps.HrFeed");
        return (table.Header, table.Rows.Select(r => new HrFeedRow(r.Line, r.Cells)).ToArray(),
            table.Problems.Select(p => new HrFeedRowError(p.Line, null, p.ErrorId, p.Message)).ToArray());
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
