using System.Text;

namespace IsmsOps.Engine.Tables;

/// <summary>
/// Reads CSV (RFC 4180: a header row, quoted fields with doubled quotes, commas and line breaks inside quotes, CRLF or
/// LF). Each physical line is decoded as strict UTF-8 on its own, so one badly encoded line is one row's problem, not
/// the file's; a UTF-8 byte order mark is skipped. Every problem names path:line.
/// </summary>
public static class CsvTableReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Reads the file at <paramref name="path"/> and undoes the <see cref="FormulaGuard"/> apostrophes
    /// <see cref="CsvTableWriter"/> adds. Problems carry ErrorIds <c>IsmsOps.Table.*</c>.
    /// </summary>
    public static TableReadResult Read(string path)
    {
        TableReadResult result = Parse(path, TableFile.ReadAllBytes(path), "IsmsOps.Table");
        if (result.Header is [string only] && only.Contains(';', StringComparison.Ordinal))
        {
            // Excel in many locales saves "CSV" with semicolons; without this the user would only hear that every column is missing.
            throw new IsmsException("IsmsOps.Table.WrongSeparator", IsmsErrorKind.InvalidData,
                $"{path}:1: the fields are separated by semicolons, not commas. Nothing was imported.",
                "Save the file as 'CSV UTF-8 (Comma delimited)', or return the XLSX instead.", path);
        }

        return result with
        {
            Rows = result.Rows.Select(r => r with
            {
                Cells = r.Cells.ToDictionary(c => c.Key, c => FormulaGuard.Unprotect(c.Value), StringComparer.OrdinalIgnoreCase),
            }).ToArray(),
        };
    }

    /// <summary>
    /// Parses CSV <paramref name="bytes"/> as they are (no formula-guard undoing): the header (names trimmed), rows
    /// whose field count matches it, and a problem per line that could not be read, with ErrorIds
    /// <c><paramref name="errorPrefix"/>.InvalidEncoding</c>, <c>.WrongFieldCount</c> and <c>.UnclosedQuote</c>.
    /// Blank lines are skipped. Throws when the header itself is unreadable or names a column twice.
    /// </summary>
    public static TableReadResult Parse(string path, byte[] bytes, string errorPrefix)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var rows = new List<TableRow>();
        var problems = new List<TableProblem>();
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
                problems.Add(new(recordLine, $"{errorPrefix}.UnclosedQuote", $"{path}:{recordLine}: a quoted field is never closed."));
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
                    problems.Add(new(line, $"{errorPrefix}.InvalidEncoding", $"{path}:{line}: the line is not valid UTF-8."));
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
                // A line break inside quotes is part of the value; it comes back as \n whether the file used CRLF or LF.
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
                    throw new IsmsException($"{errorPrefix}.InvalidEncoding", IsmsErrorKind.InvalidData,
                        $"{path}:{recordLine}: the header row is not valid UTF-8. Nothing was imported.", "Export the file as UTF-8.", path);
                }
            }
            else if (header is null)
            {
                header = record.Select(h => h.Trim()).ToList();
                string? twice = header.Where(h => h.Length > 0).GroupBy(h => h, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1)?.Key;
                if (twice is not null)
                {
                    throw new IsmsException($"{errorPrefix}.DuplicateColumn", IsmsErrorKind.InvalidData,
                        $"{path}:{recordLine}: the header names column '{twice}' more than once. Nothing was imported.",
                        "Rename or remove one of the columns.", path);
                }
            }
            else if (record.Count != header.Count)
            {
                problems.Add(new(recordLine, $"{errorPrefix}.WrongFieldCount",
                    $"{path}:{recordLine}: the row has {record.Count} fields where the header has {header.Count}."));
            }
            else
            {
                var cells = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
                for (int i = 0; i < header.Count; i++)
                {
                    cells[header[i]] = record[i];
                }

                rows.Add(new TableRow(recordLine, cells));
            }

            record = [];
            recordBroken = false;
        }

        return new TableReadResult(path, null, header ?? [], rows, problems);
    }
}

/// <summary>
/// Writes a table as CSV that Excel opens correctly: UTF-8 with a byte order mark (without it Excel guesses a legacy
/// code page), CRLF between records, fields quoted when they hold a comma, quote or line break, and text that would
/// start a formula prefixed with an apostrophe (<see cref="FormulaGuard"/>).
/// </summary>
public static class CsvTableWriter
{
    private static readonly UTF8Encoding Utf8WithBom = new(encoderShouldEmitUTF8Identifier: true);

    /// <summary>Writes <paramref name="sheet"/> to <paramref name="path"/> through a temporary file, so a failure leaves no half-written file.</summary>
    public static void Write(string path, TableSheet sheet) => TableFile.WriteAtomically(path, stream => Write(stream, sheet));

    /// <summary>Writes <paramref name="sheet"/> to <paramref name="stream"/> (left open).</summary>
    public static void Write(Stream stream, TableSheet sheet)
    {
        ArgumentNullException.ThrowIfNull(sheet);
        using var writer = new StreamWriter(stream, Utf8WithBom, bufferSize: 65536, leaveOpen: true) { NewLine = "\r\n" };
        WriteRecord(writer, sheet.Columns.Select(c => c.Name));
        foreach (IReadOnlyList<string?> row in sheet.Rows)
        {
            WriteRecord(writer, row);
        }
    }

    private static void WriteRecord(StreamWriter writer, IEnumerable<string?> values)
    {
        bool first = true;
        foreach (string? raw in values)
        {
            if (!first)
            {
                writer.Write(',');
            }

            first = false;
            string value = FormulaGuard.Protect(raw) ?? string.Empty;
            if (value.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            {
                writer.Write('"');
                writer.Write(value.Replace("\"", "\"\"", StringComparison.Ordinal));
                writer.Write('"');
            }
            else
            {
                writer.Write(value);
            }
        }

        writer.WriteLine();
    }
}
