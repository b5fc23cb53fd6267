using System.Globalization;

namespace IsmsOps.Engine.Tables;

/// <summary>What a column holds, which decides how a spreadsheet presents it and how a read-back value is checked.</summary>
public enum TableColumnType
{
    /// <summary>Free text.</summary>
    Text,

    /// <summary>An ISO 8601 date (yyyy-MM-dd) or UTC timestamp, written as text so no locale reinterprets it.</summary>
    Date,

    /// <summary>One of <see cref="TableColumn.AllowedValues"/> (or empty); a spreadsheet shows a dropdown.</summary>
    Choice,
}

/// <summary>
/// One column of an exported table: its header name, what it holds, and whether the person filling the file in may
/// change it. Read-only columns are locked in XLSX and compared with the export on import.
/// </summary>
public sealed class TableColumn
{
    private static readonly string[] IsoFormats =
        ["yyyy-MM-dd", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd HH:mm:ss"];

    private TableColumn(string name, TableColumnType type, bool readOnly, IReadOnlyList<string> allowedValues)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Type = type;
        ReadOnly = readOnly;
        AllowedValues = allowedValues;
    }

    /// <summary>The header text; matched case-insensitively on import.</summary>
    public string Name { get; }

    public TableColumnType Type { get; }

    /// <summary>True when the file's user must not change the value (an id, a name, a recommendation).</summary>
    public bool ReadOnly { get; }

    /// <summary>For <see cref="TableColumnType.Choice"/>: the values a cell may hold besides empty. Empty otherwise.</summary>
    public IReadOnlyList<string> AllowedValues { get; }

    /// <summary>A free-text column.</summary>
    public static TableColumn Text(string name, bool readOnly = false) => new(name, TableColumnType.Text, readOnly, []);

    /// <summary>A date column; values are written as ISO 8601 text (see <see cref="FormatDate(DateTimeOffset?)"/>).</summary>
    public static TableColumn Date(string name, bool readOnly = false) => new(name, TableColumnType.Date, readOnly, []);

    /// <summary>A column whose cells hold one of <paramref name="allowedValues"/> or nothing, such as Decision: Approve, Deny, DontKnow.</summary>
    public static TableColumn Choice(string name, IEnumerable<string> allowedValues, bool readOnly = false)
    {
        string[] values = allowedValues.ToArray();
        if (values.Length == 0 || values.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException($"Column '{name}' needs at least one allowed value, and none may be empty.", nameof(allowedValues));
        }

        // Excel's list validation takes the values inline, separated by commas, in at most 255 characters.
        if (values.Any(v => v.Contains(',', StringComparison.Ordinal) || v.Contains('"', StringComparison.Ordinal)) || string.Join(",", values).Length > 255)
        {
            throw new ArgumentException($"Column '{name}': allowed values may not contain commas or quotes and must total at most 255 characters.", nameof(allowedValues));
        }

        return new(name, TableColumnType.Choice, readOnly, values);
    }

    /// <summary>The text a date column holds: yyyy-MM-dd for a midnight date, otherwise a UTC timestamp (yyyy-MM-ddTHH:mm:ssZ).</summary>
    public static string? FormatDate(DateTimeOffset? value)
    {
        if (value is not { } v)
        {
            return null;
        }

        DateTime utc = v.UtcDateTime;
        return v.TimeOfDay == TimeSpan.Zero
            ? v.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The value as the export would have written it: null and empty are the same, line breaks are \n, a date a
    /// spreadsheet turned into a serial number is ISO text again, and a choice takes its declared spelling.
    /// </summary>
    public string Normalize(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        value = value.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (Type == TableColumnType.Date && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double serial) && serial is > 0 and < 2958466)
        {
            // A user who types a date into Excel gets a serial number with a date format; the file keeps only the number.
            DateTime date = DateTime.FromOADate(serial);
            return date.TimeOfDay == TimeSpan.Zero
                ? date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
                : date.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        }

        if (Type == TableColumnType.Choice)
        {
            string trimmed = value.Trim();
            return AllowedValues.FirstOrDefault(a => string.Equals(a, trimmed, StringComparison.OrdinalIgnoreCase)) ?? value;
        }

        return value;
    }

    /// <summary>Null when <paramref name="normalized"/> fits the column; otherwise why it does not.</summary>
    public string? Check(string normalized)
    {
        if (normalized.Length == 0)
        {
            return null;
        }

        return Type switch
        {
            TableColumnType.Choice when !AllowedValues.Contains(normalized, StringComparer.Ordinal) =>
                $"'{normalized}' is not one of {string.Join(", ", AllowedValues)}",
            TableColumnType.Date when !DateTimeOffset.TryParseExact(normalized, IsoFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _) =>
                $"'{normalized}' is not an ISO 8601 date (yyyy-MM-dd)",
            _ => null,
        };
    }

    public override string ToString() => Name;
}
