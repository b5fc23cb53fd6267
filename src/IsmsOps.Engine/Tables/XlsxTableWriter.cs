using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml;

namespace IsmsOps.Engine.Tables;

/// <summary>
/// Writes tables as an XLSX workbook (Office Open XML SpreadsheetML), one worksheet per table, with no third-party
/// library. Each sheet has a bold, frozen header row; read-only columns are locked (grey) and editable columns
/// unlocked under sheet protection without a password, which stops accidental edits, not a determined user (the
/// import compares read-only columns anyway). Choice columns get a dropdown. Every value is an inline string, never a
/// formula or number, so text such as <c>=HYPERLINK(...)</c> is shown, not evaluated, and dates stay ISO text.
/// </summary>
public static class XlsxTableWriter
{
    /// <summary>Excel's limit on the characters in one cell.</summary>
    public const int MaxCellLength = 32767;

    /// <summary>Excel's limit on rows in a worksheet, the header included.</summary>
    public const int MaxRows = 1048576;

    private const string MainNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private const string RelNs = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    private const string PackageRelNs = "http://schemas.openxmlformats.org/package/2006/relationships";

    // Style indexes in styles.xml: 0 default, 1 header (bold, locked), 2 editable (unlocked), 3 read-only (locked, grey).
    private const int HeaderStyle = 1;
    private const int EditableStyle = 2;
    private const int ReadOnlyStyle = 3;

    private static readonly XmlWriterSettings Settings = new()
    {
        Encoding = new UTF8Encoding(false),
        // Entitized so a carriage return inside a value survives XML's line-end normalisation on reading.
        NewLineHandling = NewLineHandling.Entitize,
        Indent = false,
    };

    /// <summary>Writes <paramref name="sheets"/> to <paramref name="path"/> through a temporary file.</summary>
    public static void Write(string path, IReadOnlyList<TableSheet> sheets)
    {
        Validate(sheets);
        TableFile.WriteAtomically(path, stream => WriteValidated(stream, sheets));
    }

    /// <summary>Writes <paramref name="sheets"/> to <paramref name="stream"/> (left open).</summary>
    public static void Write(Stream stream, IReadOnlyList<TableSheet> sheets)
    {
        Validate(sheets);
        WriteValidated(stream, sheets);
    }

    private static void Validate(IReadOnlyList<TableSheet> sheets)
    {
        ArgumentNullException.ThrowIfNull(sheets);
        if (sheets.Count == 0)
        {
            throw new ArgumentException("A workbook needs at least one sheet.", nameof(sheets));
        }

        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (TableSheet sheet in sheets)
        {
            if (sheet.Name.Length > 31 || sheet.Name.AsSpan().IndexOfAny("[]:*?/\\") >= 0 || sheet.Name.StartsWith('\'') || sheet.Name.EndsWith('\''))
            {
                throw new ArgumentException(
                    $"'{sheet.Name}' cannot name a worksheet: at most 31 characters, none of [ ] : * ? / \\, not starting or ending with an apostrophe. Use XlsxTableWriter.SheetName to derive one.",
                    nameof(sheets));
            }

            if (!names.Add(sheet.Name))
            {
                throw new ArgumentException($"Two sheets are named '{sheet.Name}'; worksheet names must be unique (case-insensitively).", nameof(sheets));
            }

            if (sheet.Rows.Count + 1 > MaxRows)
            {
                throw new ArgumentException($"Sheet '{sheet.Name}' has {sheet.Rows.Count} rows; a worksheet holds at most {MaxRows - 1} besides the header. Split it.", nameof(sheets));
            }

            for (int r = 0; r < sheet.Rows.Count; r++)
            {
                for (int c = 0; c < sheet.Columns.Count; c++)
                {
                    if (sheet.Rows[r][c] is { Length: > MaxCellLength } tooLong)
                    {
                        throw new ArgumentException(
                            $"Sheet '{sheet.Name}', cell {ColumnLetters(c)}{r + 2} ({sheet.Columns[c].Name}) has {tooLong.Length} characters; Excel holds at most {MaxCellLength} in a cell.",
                            nameof(sheets));
                    }
                }
            }
        }
    }

    /// <summary>
    /// A valid, unique worksheet name derived from <paramref name="wanted"/> (such as a reviewer's name): forbidden
    /// characters become '_', it is cut to 31 characters, and a number is appended if <paramref name="taken"/> has it.
    /// </summary>
    public static string SheetName(string wanted, ISet<string> taken)
    {
        ArgumentNullException.ThrowIfNull(taken);
        var sb = new StringBuilder();
        foreach (char c in wanted ?? string.Empty)
        {
            sb.Append("[]:*?/\\".Contains(c, StringComparison.Ordinal) || char.IsControl(c) ? '_' : c);
        }

        string name = sb.ToString().Trim().Trim('\'');
        if (name.Length == 0)
        {
            name = "Sheet";
        }

        string candidate = name.Length > 31 ? name[..31] : name;
        for (int n = 2; taken.Contains(candidate); n++)
        {
            string suffix = $" ({n})";
            candidate = (name.Length > 31 - suffix.Length ? name[..(31 - suffix.Length)] : name) + suffix;
        }

        taken.Add(candidate);
        return candidate;
    }

    private static void WriteValidated(Stream stream, IReadOnlyList<TableSheet> sheets)
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        Part(zip, "[Content_Types].xml", w =>
        {
            w.WriteStartElement("Types", "http://schemas.openxmlformats.org/package/2006/content-types");
            Default(w, "rels", "application/vnd.openxmlformats-package.relationships+xml");
            Default(w, "xml", "application/xml");
            Override(w, "/xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml");
            Override(w, "/xl/styles.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml");
            for (int i = 0; i < sheets.Count; i++)
            {
                Override(w, $"/xl/worksheets/sheet{i + 1}.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml");
            }

            Override(w, "/docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml");
            w.WriteEndElement();
        });
        Part(zip, "_rels/.rels", w =>
        {
            w.WriteStartElement("Relationships", PackageRelNs);
            Relationship(w, "rId1", "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument", "xl/workbook.xml");
            Relationship(w, "rId2", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties", "docProps/core.xml");
            w.WriteEndElement();
        });
        Part(zip, "docProps/core.xml", w =>
        {
            // Deliberately no creator or dates: the file should not carry who exported it or when beyond what the table says.
            w.WriteStartElement("cp", "coreProperties", "http://schemas.openxmlformats.org/package/2006/metadata/core-properties");
            w.WriteAttributeString("xmlns", "dc", null, "http://purl.org/dc/elements/1.1/");
            w.WriteElementString("dc", "title", "http://purl.org/dc/elements/1.1/", sheets[0].Name);
            w.WriteEndElement();
        });
        Part(zip, "xl/workbook.xml", w =>
        {
            w.WriteStartElement("workbook", MainNs);
            w.WriteAttributeString("xmlns", "r", null, RelNs);
            w.WriteStartElement("bookViews");
            w.WriteStartElement("workbookView");
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteStartElement("sheets");
            for (int i = 0; i < sheets.Count; i++)
            {
                w.WriteStartElement("sheet");
                w.WriteAttributeString("name", sheets[i].Name);
                w.WriteAttributeString("sheetId", (i + 1).ToString(CultureInfo.InvariantCulture));
                w.WriteAttributeString("id", RelNs, $"rId{i + 1}");
                w.WriteEndElement();
            }

            w.WriteEndElement();
            w.WriteEndElement();
        });
        Part(zip, "xl/_rels/workbook.xml.rels", w =>
        {
            w.WriteStartElement("Relationships", PackageRelNs);
            for (int i = 0; i < sheets.Count; i++)
            {
                Relationship(w, $"rId{i + 1}", "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet", $"worksheets/sheet{i + 1}.xml");
            }

            Relationship(w, $"rId{sheets.Count + 1}", "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles", "styles.xml");
            w.WriteEndElement();
        });
        Part(zip, "xl/styles.xml", WriteStyles);
        for (int i = 0; i < sheets.Count; i++)
        {
            TableSheet sheet = sheets[i];
            Part(zip, $"xl/worksheets/sheet{i + 1}.xml", w => WriteSheet(w, sheet));
        }
    }

    private static void WriteStyles(XmlWriter w)
    {
        w.WriteStartElement("styleSheet", MainNs);
        w.WriteStartElement("fonts");
        w.WriteAttributeString("count", "2");
        Font(w, bold: false);
        Font(w, bold: true);
        w.WriteEndElement();

        // The first two fills are reserved by the format (none, gray125); the third greys read-only cells.
        w.WriteStartElement("fills");
        w.WriteAttributeString("count", "3");
        w.WriteRaw("<fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill>");
        w.WriteRaw("<fill><patternFill patternType=\"solid\"><fgColor rgb=\"FFEDEDED\"/><bgColor indexed=\"64\"/></patternFill></fill>");
        w.WriteEndElement();
        w.WriteRaw("<borders count=\"1\"><border><left/><right/><top/><bottom/><diagonal/></border></borders>");
        w.WriteRaw("<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>");
        w.WriteStartElement("cellXfs");
        w.WriteAttributeString("count", "4");
        w.WriteRaw("<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>");
        w.WriteRaw("<xf numFmtId=\"49\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyFont=\"1\" applyNumberFormat=\"1\"/>");
        // Number format 49 is '@' (text): what a user types into an editable cell stays text rather than becoming a number or date.
        w.WriteRaw("<xf numFmtId=\"49\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\" applyAlignment=\"1\" applyProtection=\"1\"><alignment wrapText=\"1\" vertical=\"top\"/><protection locked=\"0\"/></xf>");
        w.WriteRaw("<xf numFmtId=\"49\" fontId=\"0\" fillId=\"2\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\" applyFill=\"1\" applyAlignment=\"1\" applyProtection=\"1\"><alignment vertical=\"top\"/><protection locked=\"1\"/></xf>");
        w.WriteEndElement();
        w.WriteRaw("<cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>");
        w.WriteEndElement();
    }

    private static void Font(XmlWriter w, bool bold)
    {
        w.WriteStartElement("font");
        if (bold)
        {
            w.WriteStartElement("b");
            w.WriteEndElement();
        }

        w.WriteStartElement("sz");
        w.WriteAttributeString("val", "11");
        w.WriteEndElement();
        w.WriteStartElement("name");
        w.WriteAttributeString("val", "Calibri");
        w.WriteEndElement();
        w.WriteEndElement();
    }

    private static void WriteSheet(XmlWriter w, TableSheet sheet)
    {
        int columns = sheet.Columns.Count;
        string lastColumn = ColumnLetters(columns - 1);
        w.WriteStartElement("worksheet", MainNs);
        w.WriteStartElement("dimension");
        w.WriteAttributeString("ref", $"A1:{lastColumn}{sheet.Rows.Count + 1}");
        w.WriteEndElement();

        w.WriteRaw("<sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"
            + "<selection pane=\"bottomLeft\" activeCell=\"A2\" sqref=\"A2\"/></sheetView></sheetViews>");
        w.WriteRaw("<sheetFormatPr defaultRowHeight=\"15\"/>");

        // The column style covers cells below the data too, so a row a user adds is editable where the table is.
        w.WriteStartElement("cols");
        for (int c = 0; c < columns; c++)
        {
            string number = (c + 1).ToString(CultureInfo.InvariantCulture);
            w.WriteStartElement("col");
            w.WriteAttributeString("min", number);
            w.WriteAttributeString("max", number);
            w.WriteAttributeString("width", Width(sheet, c).ToString("0.##", CultureInfo.InvariantCulture));
            w.WriteAttributeString("style", (sheet.Columns[c].ReadOnly ? ReadOnlyStyle : EditableStyle).ToString(CultureInfo.InvariantCulture));
            w.WriteAttributeString("customWidth", "1");
            w.WriteEndElement();
        }

        w.WriteEndElement();

        w.WriteStartElement("sheetData");
        WriteRow(w, 1, sheet.Columns.Select(c => (string?)c.Name).ToArray(), _ => HeaderStyle);
        for (int r = 0; r < sheet.Rows.Count; r++)
        {
            WriteRow(w, r + 2, sheet.Rows[r], c => sheet.Columns[c].ReadOnly ? ReadOnlyStyle : EditableStyle);
        }

        w.WriteEndElement();

        // No password: the lock guards against slips. Formatting and resizing stay allowed so the sheet is comfortable to use.
        w.WriteRaw("<sheetProtection sheet=\"1\" objects=\"1\" scenarios=\"1\" formatColumns=\"0\" formatRows=\"0\" formatCells=\"0\" autoFilter=\"0\" sort=\"0\"/>");

        TableColumn[] choices = sheet.Columns.Where(c => c.Type == TableColumnType.Choice && !c.ReadOnly).ToArray();
        if (choices.Length > 0)
        {
            w.WriteStartElement("dataValidations");
            w.WriteAttributeString("count", choices.Length.ToString(CultureInfo.InvariantCulture));
            foreach (TableColumn choice in choices)
            {
                string letters = ColumnLetters(sheet.Columns.ToList().IndexOf(choice));
                w.WriteStartElement("dataValidation");
                w.WriteAttributeString("type", "list");
                w.WriteAttributeString("allowBlank", "1");
                w.WriteAttributeString("showInputMessage", "1");
                w.WriteAttributeString("showErrorMessage", "1");
                // Excel refuses (and "repairs") a workbook whose validation title exceeds 32 characters or message 225.
                string message = $"Choose one of: {string.Join(", ", choice.AllowedValues)}.";
                w.WriteAttributeString("errorTitle", choice.Name.Length > 32 ? choice.Name[..32] : choice.Name);
                w.WriteAttributeString("error", message.Length > 225 ? message[..222] + "..." : message);
                w.WriteAttributeString("sqref", $"{letters}2:{letters}{MaxRows}");
                w.WriteElementString("formula1", MainNs, "\"" + string.Join(",", choice.AllowedValues) + "\"");
                w.WriteEndElement();
            }

            w.WriteEndElement();
        }

        w.WriteRaw("<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/>");
        w.WriteEndElement();
    }

    private static void WriteRow(XmlWriter w, int rowNumber, IReadOnlyList<string?> values, Func<int, int> style)
    {
        string number = rowNumber.ToString(CultureInfo.InvariantCulture);
        w.WriteStartElement("row");
        w.WriteAttributeString("r", number);
        for (int c = 0; c < values.Count; c++)
        {
            if (string.IsNullOrEmpty(values[c]))
            {
                // The column's style already locks or unlocks the empty cell.
                continue;
            }

            w.WriteStartElement("c");
            w.WriteAttributeString("r", ColumnLetters(c) + number);
            w.WriteAttributeString("s", style(c).ToString(CultureInfo.InvariantCulture));
            w.WriteAttributeString("t", "inlineStr");
            w.WriteStartElement("is");
            w.WriteStartElement("t");
            w.WriteAttributeString("xml", "space", null, "preserve");
            w.WriteString(XlsxText.Escape(values[c]!));
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
        }

        w.WriteEndElement();
    }

    // Roughly one unit per character of the longest line in the header or the first rows, kept between 10 and 60.
    private static double Width(TableSheet sheet, int column)
    {
        int longest = sheet.Columns[column].Name.Length + 2;
        foreach (IReadOnlyList<string?> row in sheet.Rows.Take(1000))
        {
            if (row[column] is { } value)
            {
                foreach (string line in value.Split('\n'))
                {
                    longest = Math.Max(longest, line.Length);
                }
            }
        }

        return Math.Clamp(longest + 2, 10, 60);
    }

    /// <summary>The column letters of a zero-based column index: 0 is A, 25 Z, 26 AA.</summary>
    internal static string ColumnLetters(int index)
    {
        var sb = new StringBuilder();
        for (int n = index + 1; n > 0; n = (n - 1) / 26)
        {
            sb.Insert(0, (char)('A' + ((n - 1) % 26)));
        }

        return sb.ToString();
    }

    private static void Part(ZipArchive zip, string name, Action<XmlWriter> write)
    {
        ZipArchiveEntry entry = zip.CreateEntry(name, CompressionLevel.Optimal);
        // A fixed timestamp keeps the same table producing the same bytes.
        entry.LastWriteTime = new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using Stream stream = entry.Open();
        using var writer = XmlWriter.Create(stream, Settings);
        writer.WriteStartDocument(standalone: true);
        write(writer);
        writer.WriteEndDocument();
    }

    private static void Default(XmlWriter w, string extension, string contentType)
    {
        w.WriteStartElement("Default");
        w.WriteAttributeString("Extension", extension);
        w.WriteAttributeString("ContentType", contentType);
        w.WriteEndElement();
    }

    private static void Override(XmlWriter w, string part, string contentType)
    {
        w.WriteStartElement("Override");
        w.WriteAttributeString("PartName", part);
        w.WriteAttributeString("ContentType", contentType);
        w.WriteEndElement();
    }

    private static void Relationship(XmlWriter w, string id, string type, string target)
    {
        w.WriteStartElement("Relationship");
        w.WriteAttributeString("Id", id);
        w.WriteAttributeString("Type", type);
        w.WriteAttributeString("Target", target);
        w.WriteEndElement();
    }
}

/// <summary>
/// SpreadsheetML's escape for text XML cannot carry (control characters, lone surrogates): _xHHHH_. An underscore that
/// would otherwise read as such an escape is itself escaped as _x005F_, so any string survives the round trip.
/// </summary>
internal static class XlsxText
{
    public static string Escape(string value)
    {
        StringBuilder? sb = null;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            bool surrogatePair = char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]);
            bool invalid = (c < 0x20 && c is not '\t' and not '\n' and not '\r') || c is '\uFFFE' or '\uFFFF'
                || (char.IsSurrogate(c) && !surrogatePair && !(char.IsLowSurrogate(c) && i > 0 && char.IsHighSurrogate(value[i - 1])));
            bool looksEscaped = c == '_' && IsEscapeAt(value, i);
            if (invalid || looksEscaped)
            {
                sb ??= new StringBuilder(value, 0, i, value.Length + 16);
                sb.Append("_x").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture)).Append('_');
            }
            else
            {
                sb?.Append(c);
            }
        }

        return sb?.ToString() ?? value;
    }

    public static string Unescape(string value)
    {
        if (!value.Contains("_x", StringComparison.Ordinal))
        {
            return value;
        }

        var sb = new StringBuilder(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            if (value[i] == '_' && IsEscapeAt(value, i))
            {
                sb.Append((char)int.Parse(value.AsSpan(i + 2, 4), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                i += 6;
            }
            else
            {
                sb.Append(value[i]);
            }
        }

        return sb.ToString();
    }

    private static bool IsEscapeAt(string value, int i) =>
        i + 6 < value.Length && value[i + 1] == 'x' && value[i + 6] == '_' && char.IsAsciiHexDigit(value[i + 2]) && char.IsAsciiHexDigit(value[i + 3])
        && char.IsAsciiHexDigit(value[i + 4]) && char.IsAsciiHexDigit(value[i + 5]);
}
