namespace IsmsOps.Engine.Tables;

/// <summary>A row of a filled-in file that passed every check: its line, its key, and its editable values by column name (normalised).</summary>
public sealed record TableRowEdit(long Line, string Key, IReadOnlyDictionary<string, string> Values);

/// <summary>
/// The outcome of checking a filled-in file against what was exported: the rows that may be applied and, by line, the
/// rows that may not. A row with any problem is never among <see cref="Rows"/>.
/// </summary>
public sealed record TableComparisonResult(IReadOnlyList<TableRowEdit> Rows, IReadOnlyList<TableProblem> Problems)
{
    /// <summary>True when the file can be applied as a whole.</summary>
    public bool IsClean => Problems.Count == 0;
}

/// <summary>
/// Checks a table read back from a file against the rows that were exported, keyed by one column: a row whose key was
/// not exported, a key on more than one row, a changed read-only column (naming the column and both values), and an
/// editable value that does not fit its column. Nothing here knows what the rows mean; the caller applies the edits.
/// </summary>
public static class TableComparison
{
    /// <summary>
    /// Compares <paramref name="readBack"/> with <paramref name="exported"/> (rows in <paramref name="columns"/> order).
    /// <paramref name="keyColumn"/> names the column that identifies a row; it is treated as read-only. Rows of the
    /// export that the file lacks are not a problem (a reviewer may delete rows they have nothing to say about).
    /// </summary>
    public static TableComparisonResult Compare(IReadOnlyList<TableColumn> columns, string keyColumn, IEnumerable<IReadOnlyList<string?>> exported, TableReadResult readBack)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(exported);
        ArgumentNullException.ThrowIfNull(readBack);
        int keyIndex = columns.ToList().FindIndex(c => string.Equals(c.Name, keyColumn, StringComparison.OrdinalIgnoreCase));
        if (keyIndex < 0)
        {
            throw new ArgumentException($"The key column '{keyColumn}' is not one of the table's columns.", nameof(keyColumn));
        }

        TableColumn key = columns[keyIndex];
        string location = readBack.Location;
        string[] missing = columns.Where(c => c.ReadOnly || c == key).Select(c => c.Name)
            .Where(n => !readBack.Header.Contains(n, StringComparer.OrdinalIgnoreCase)).ToArray();
        if (missing.Length > 0)
        {
            // Without the key or a read-only column no row can be checked, so the file is refused as a whole.
            return new([], [new(1, "IsmsOps.Table.MissingColumn",
                $"{location}:1: the header has no column {string.Join(", ", missing.Select(m => $"'{m}'"))}; the file was changed too much to check. Nothing was imported.")]);
        }

        var original = new Dictionary<string, IReadOnlyList<string?>>(StringComparer.Ordinal);
        foreach (IReadOnlyList<string?> row in exported)
        {
            original[key.Normalize(row[keyIndex]).Trim()] = row;
        }

        var problems = new List<TableProblem>(readBack.Problems);
        var linesWithReadProblems = readBack.Problems.Select(p => p.Line).ToHashSet();
        var edits = new List<TableRowEdit>();
        var firstLineOfKey = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (TableRow row in readBack.Rows)
        {
            string id = key.Normalize(row.Cells.GetValueOrDefault(key.Name)).Trim();
            if (id.Length == 0)
            {
                problems.Add(new(row.Line, "IsmsOps.Table.MissingKey", $"{location}:{row.Line}: the row has no {key.Name}; rows cannot be added to an exported file."));
                continue;
            }

            if (!original.TryGetValue(id, out IReadOnlyList<string?>? before))
            {
                problems.Add(new(row.Line, "IsmsOps.Table.UnknownRow", $"{location}:{row.Line}: {key.Name} '{id}' was not exported; rows cannot be added or their {key.Name} changed."));
                continue;
            }

            if (firstLineOfKey.TryGetValue(id, out long first))
            {
                problems.Add(new(row.Line, "IsmsOps.Table.DuplicateRow", $"{location}:{row.Line}: {key.Name} '{id}' already appears on line {first}; keep one of the rows."));
                // The first row is withdrawn too: which of two different answers was meant cannot be known.
                edits.RemoveAll(e => e.Key == id);
                continue;
            }

            firstLineOfKey[id] = row.Line;
            bool rejected = false;
            var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < columns.Count; i++)
            {
                TableColumn column = columns[i];
                if (i == keyIndex)
                {
                    continue;
                }

                bool present = row.Cells.TryGetValue(column.Name, out string? raw);
                string now = column.Normalize(raw);
                if (column.ReadOnly)
                {
                    string then = column.Normalize(before[i]);
                    if (present && !string.Equals(now, then, StringComparison.Ordinal))
                    {
                        problems.Add(new(row.Line, "IsmsOps.Table.ReadOnlyEdited",
                            $"{location}:{row.Line}: column {column.Name} is read-only but was changed from '{Shorten(then)}' to '{Shorten(now)}'; put the exported value back."));
                        rejected = true;
                    }
                }
                else if (present)
                {
                    if (column.Check(now) is { } why)
                    {
                        problems.Add(new(row.Line, "IsmsOps.Table.InvalidValue", $"{location}:{row.Line}: column {column.Name}: {why}."));
                        rejected = true;
                    }

                    values[column.Name] = now;
                }
            }

            if (!rejected && !linesWithReadProblems.Contains(row.Line))
            {
                edits.Add(new TableRowEdit(row.Line, id, values));
            }
        }

        return new(edits, problems.OrderBy(p => p.Line).ToArray());
    }

    private static string Shorten(string value) => value.Length > 80 ? value[..77] + "..." : value;
}
