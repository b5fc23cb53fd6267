namespace IsmsOps.Engine.Tables;

/// <summary>
/// A table to write: a name (the worksheet's, in XLSX), its columns, and rows whose values follow the column order.
/// </summary>
public sealed class TableSheet
{
    private readonly List<IReadOnlyList<string?>> _rows = [];

    public TableSheet(string name, IEnumerable<TableColumn> columns)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Columns = columns.ToArray();
        if (Columns.Count == 0)
        {
            throw new ArgumentException("A table needs at least one column.", nameof(columns));
        }

        string? duplicate = Columns.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1)?.Key;
        if (duplicate is not null)
        {
            throw new ArgumentException($"Column '{duplicate}' appears twice; header names must be unique (case-insensitively).", nameof(columns));
        }
    }

    public string Name { get; }

    public IReadOnlyList<TableColumn> Columns { get; }

    public IReadOnlyList<IReadOnlyList<string?>> Rows => _rows;

    /// <summary>Adds a row; <paramref name="values"/> follow <see cref="Columns"/>.</summary>
    public void Add(params string?[] values)
    {
        if (values.Length != Columns.Count)
        {
            throw new ArgumentException($"Table '{Name}' has {Columns.Count} columns; a row gave {values.Length} values.", nameof(values));
        }

        _rows.Add(values.ToArray());
    }

    /// <summary>Adds a row from values by column name (case-insensitive); columns it does not name stay empty.</summary>
    public void Add(IReadOnlyDictionary<string, string?> values)
    {
        var byName = new Dictionary<string, string?>(values, StringComparer.OrdinalIgnoreCase);
        string? unknown = byName.Keys.FirstOrDefault(k => !Columns.Any(c => string.Equals(c.Name, k, StringComparison.OrdinalIgnoreCase)));
        if (unknown is not null)
        {
            throw new ArgumentException($"Table '{Name}' has no column '{unknown}'.", nameof(values));
        }

        _rows.Add(Columns.Select(c => byName.GetValueOrDefault(c.Name)).ToArray());
    }
}

/// <summary>One data row read from a file: its line (CSV) or row number (XLSX), and its cells by header name (case-insensitive).</summary>
public sealed record TableRow(long Line, IReadOnlyDictionary<string, string?> Cells);

/// <summary>Something wrong at one line or row of a file; <see cref="Message"/> starts with the location (file:line).</summary>
public sealed record TableProblem(long Line, string ErrorId, string Message);

/// <summary>
/// One table read from a file. <see cref="Location"/> names it in messages: the CSV path, or path:sheet for a
/// worksheet, so a problem reads <c>Location:Line: what is wrong</c>.
/// </summary>
public sealed record TableReadResult(string Location, string? SheetName, IReadOnlyList<string> Header, IReadOnlyList<TableRow> Rows, IReadOnlyList<TableProblem> Problems);
