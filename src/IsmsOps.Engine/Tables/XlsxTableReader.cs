using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Xml;

namespace IsmsOps.Engine.Tables;

/// <summary>
/// Reads the worksheets of an XLSX workbook, as <see cref="XlsxTableWriter"/> wrote it or as Excel or LibreOffice
/// saved it again: shared and inline strings, numbers (as invariant text), booleans (TRUE/FALSE), formula results, and
/// rows or cells the program left out. The first non-empty row of a sheet is its header; row numbers come from the
/// cell references (C7 is row 7), so a problem reads <c>path:sheet:7</c>. Values are exactly the cells' text: no
/// formula-guard apostrophe is removed, because XLSX needs none.
/// </summary>
public static class XlsxTableReader
{
    private const string MainNs = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

    // Strict and transitional SpreadsheetML spell the relationship namespace differently; both are read.
    private static readonly string[] RelNamespaces =
        ["http://schemas.openxmlformats.org/officeDocument/2006/relationships", "http://purl.oclc.org/ooxml/officeDocument/relationships"];

    private static readonly XmlReaderSettings Settings = new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
    };

    /// <summary>
    /// The most a workbook may hold once decompressed, 512 MB. A workbook of a million rows is well under it; a zip
    /// bomb that would fill memory is refused before any part is read.
    /// </summary>
    public const long MaxUncompressedBytes = 512L * 1024 * 1024;

    /// <summary>Reads every worksheet of the workbook at <paramref name="path"/>, in workbook order.</summary>
    public static IReadOnlyList<TableReadResult> Read(string path)
    {
        using var stream = new MemoryStream(TableFile.ReadAllBytes(path), writable: false);
        return Read(stream, path);
    }

    /// <summary>Reads every worksheet of the workbook in <paramref name="stream"/>; <paramref name="location"/> names it in messages.</summary>
    public static IReadOnlyList<TableReadResult> Read(Stream stream, string location) => Read(stream, location, MaxUncompressedBytes);

    internal static IReadOnlyList<TableReadResult> Read(Stream stream, string location, long maxUncompressedBytes)
    {
        try
        {
            using var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            long declared = zip.Entries.Sum(e => e.Length);
            if (declared > maxUncompressedBytes)
            {
                throw Invalid(location, $"it would decompress to {declared:N0} bytes, more than the {maxUncompressedBytes:N0} a table file may hold");
            }

            Dictionary<string, (string Type, string Target)> rels = ReadRelationships(zip, "xl/_rels/workbook.xml.rels", "xl/", location);
            string sharedStringsPath = rels.Values.FirstOrDefault(r => r.Type.EndsWith("/sharedStrings", StringComparison.Ordinal)).Target ?? "xl/sharedStrings.xml";
            IReadOnlyList<string> shared = ReadSharedStrings(zip, sharedStringsPath);
            var results = new List<TableReadResult>();
            foreach ((string name, string relId) in ReadSheetList(zip, location))
            {
                if (!rels.TryGetValue(relId, out var rel) || zip.GetEntry(rel.Target) is not { } entry)
                {
                    throw Invalid(location, $"the workbook lists sheet '{name}' but the file has no part for it");
                }

                results.Add(ReadSheet(entry, shared, $"{location}:{name}", name));
            }

            return results;
        }
        catch (InvalidDataException ex)
        {
            throw Invalid(location, $"it is not a valid XLSX (zip) file ({ex.Message})", ex);
        }
        catch (XmlException ex)
        {
            throw Invalid(location, $"a part of the workbook is not well-formed XML ({ex.Message})", ex);
        }
    }

    private static IsmsException Invalid(string location, string what, Exception? inner = null) =>
        new("IsmsOps.Table.InvalidXlsx", IsmsErrorKind.InvalidData, $"{location}: {what}. Nothing was imported.",
            "Save the file from Excel or LibreOffice as an Excel Workbook (.xlsx), or export a fresh copy.", location, inner);

    private static XmlReader Open(ZipArchiveEntry entry) => XmlReader.Create(entry.Open(), Settings);

    private static Dictionary<string, (string Type, string Target)> ReadRelationships(ZipArchive zip, string relsPath, string baseFolder, string location)
    {
        ZipArchiveEntry entry = zip.GetEntry(relsPath) ?? throw Invalid(location, $"it has no {relsPath}");
        var rels = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        using XmlReader x = Open(entry);
        while (x.Read())
        {
            if (x.NodeType == XmlNodeType.Element && x.LocalName == "Relationship" && x.GetAttribute("Id") is { } id && x.GetAttribute("Target") is { } target)
            {
                // Targets are relative to the folder of the part (xl/) unless they start at the package root.
                string resolved = target.StartsWith('/') ? target[1..] : baseFolder + target;
                rels[id] = (x.GetAttribute("Type") ?? string.Empty, resolved);
            }
        }

        return rels;
    }

    private static List<(string Name, string RelId)> ReadSheetList(ZipArchive zip, string location)
    {
        ZipArchiveEntry entry = zip.GetEntry("xl/workbook.xml") ?? throw Invalid(location, "it has no xl/workbook.xml");
        var sheets = new List<(string, string)>();
        using XmlReader x = Open(entry);
        while (x.Read())
        {
            if (x.NodeType == XmlNodeType.Element && x.LocalName == "sheet")
            {
                string? relId = RelNamespaces.Select(ns => x.GetAttribute("id", ns)).FirstOrDefault(v => v is not null);
                sheets.Add((x.GetAttribute("name") ?? string.Empty, relId ?? string.Empty));
            }
        }

        return sheets;
    }

    private static List<string> ReadSharedStrings(ZipArchive zip, string path)
    {
        var strings = new List<string>();
        if (zip.GetEntry(path) is not { } entry)
        {
            return strings;
        }

        using XmlReader x = Open(entry);
        while (x.Read())
        {
            if (x.NodeType == XmlNodeType.Element && x.LocalName == "si")
            {
                strings.Add(ReadStringItem(x));
            }
        }

        return strings;
    }

    // An <si> or <is>: plain <t>, or rich-text runs <r><t/></r>; phonetic hints (<rPh>) are not part of the value.
    private static string ReadStringItem(XmlReader x)
    {
        if (x.IsEmptyElement)
        {
            return string.Empty;
        }

        var sb = new StringBuilder();
        int depth = x.Depth;
        x.Read();
        while (!x.EOF && !(x.NodeType == XmlNodeType.EndElement && x.Depth == depth))
        {
            if (x.NodeType == XmlNodeType.Element && x.LocalName == "rPh")
            {
                x.Skip();
            }
            else if (x.NodeType == XmlNodeType.Element && x.LocalName == "t")
            {
                sb.Append(x.ReadElementContentAsString());
            }
            else
            {
                x.Read();
            }
        }

        return XlsxText.Unescape(sb.ToString());
    }

    private static TableReadResult ReadSheet(ZipArchiveEntry entry, IReadOnlyList<string> shared, string location, string sheetName)
    {
        var problems = new List<TableProblem>();
        var rows = new List<TableRow>();
        List<string>? header = null;
        long rowNumber = 0;
        using XmlReader x = Open(entry);
        while (x.Read())
        {
            if (x.NodeType != XmlNodeType.Element || x.LocalName != "row" || (x.NamespaceURI != MainNs && x.NamespaceURI != "http://purl.oclc.org/ooxml/spreadsheetml/main"))
            {
                continue;
            }

            rowNumber = long.TryParse(x.GetAttribute("r"), NumberStyles.None, CultureInfo.InvariantCulture, out long r) ? r : rowNumber + 1;
            SortedDictionary<int, string> cells = ReadRowCells(x, shared, location, ref rowNumber, problems);
            if (cells.Values.All(string.IsNullOrEmpty))
            {
                continue;
            }

            if (header is null)
            {
                int width = cells.Keys.Max() + 1;
                header = Enumerable.Range(0, width).Select(i => cells.GetValueOrDefault(i)?.Trim() ?? string.Empty).ToList();
                string? twice = header.Where(h => h.Length > 0).GroupBy(h => h, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1)?.Key;
                if (twice is not null)
                {
                    throw new IsmsException("IsmsOps.Table.DuplicateColumn", IsmsErrorKind.InvalidData,
                        $"{location}:{rowNumber}: the header names column '{twice}' more than once. Nothing was imported.", "Rename or remove one of the columns.", location);
                }

                continue;
            }

            int outside = cells.Where(c => !string.IsNullOrEmpty(c.Value)).Select(c => c.Key).FirstOrDefault(k => k >= header.Count || header[k].Length == 0, -1);
            if (outside >= 0)
            {
                problems.Add(new(rowNumber, "IsmsOps.Table.CellOutsideTable",
                    $"{location}:{rowNumber}: cell {XlsxTableWriter.ColumnLetters(outside)}{rowNumber} holds a value but its column has no header."));
                continue;
            }

            var byName = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            for (int i = 0; i < header.Count; i++)
            {
                if (header[i].Length > 0)
                {
                    byName[header[i]] = cells.GetValueOrDefault(i) ?? string.Empty;
                }
            }

            rows.Add(new TableRow(rowNumber, byName));
        }

        return new TableReadResult(location, sheetName, header ?? [], rows, problems);
    }

    private static SortedDictionary<int, string> ReadRowCells(XmlReader x, IReadOnlyList<string> shared, string location, ref long rowNumber, List<TableProblem> problems)
    {
        var cells = new SortedDictionary<int, string>();
        if (x.IsEmptyElement)
        {
            return cells;
        }

        int rowDepth = x.Depth;
        int column = -1;
        while (x.Read() && !(x.NodeType == XmlNodeType.EndElement && x.Depth == rowDepth))
        {
            if (x.NodeType != XmlNodeType.Element || x.LocalName != "c")
            {
                continue;
            }

            string? reference = x.GetAttribute("r");
            if (reference is not null && ParseReference(reference) is { } parsed)
            {
                column = parsed.Column;
                rowNumber = parsed.Row;
            }
            else
            {
                // Writers may leave out r; then the cell follows the previous one.
                column++;
            }

            string type = x.GetAttribute("t") ?? "n";
            string? value = null;
            string? inline = null;
            if (!x.IsEmptyElement)
            {
                int cellDepth = x.Depth;
                x.Read();
                while (!x.EOF && !(x.NodeType == XmlNodeType.EndElement && x.Depth == cellDepth))
                {
                    if (x.NodeType == XmlNodeType.Element && x.LocalName == "v")
                    {
                        value = x.ReadElementContentAsString();
                    }
                    else if (x.NodeType == XmlNodeType.Element && x.LocalName == "is")
                    {
                        inline = ReadStringItem(x);
                        x.Read();
                    }
                    else if (x.NodeType == XmlNodeType.Element)
                    {
                        // A formula (<f>) or extension: the cached value in <v> is what the user sees.
                        x.Skip();
                    }
                    else
                    {
                        x.Read();
                    }
                }
            }

            string cellName = $"{XlsxTableWriter.ColumnLetters(column)}{rowNumber}";
            string? text;
            switch (type)
            {
                case "s":
                    if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int index) && index < shared.Count)
                    {
                        text = shared[index];
                    }
                    else
                    {
                        problems.Add(new(rowNumber, "IsmsOps.Table.InvalidCell", $"{location}:{rowNumber}: cell {cellName} points at shared string '{value}', which the workbook does not have."));
                        text = null;
                    }

                    break;
                case "inlineStr":
                    text = inline ?? string.Empty;
                    break;
                case "str" or "d":
                    text = XlsxText.Unescape(value ?? string.Empty);
                    break;
                case "b":
                    text = value == "1" ? "TRUE" : value == "0" ? "FALSE" : value;
                    break;
                case "e":
                    problems.Add(new(rowNumber, "IsmsOps.Table.ErrorCell", $"{location}:{rowNumber}: cell {cellName} holds the spreadsheet error {value}; put a value there."));
                    text = value;
                    break;
                default:
                    text = NormalizeNumber(value);
                    break;
            }

            if (text is not null)
            {
                cells[column] = text;
            }
        }

        return cells;
    }

    // Numbers keep their text unless the program wrote a float artefact (0.30000000000000004): then the shortest round-trip form.
    private static string? NormalizeNumber(string? value) =>
        value is not null && double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && value.Length > 15
            ? d.ToString("R", CultureInfo.InvariantCulture)
            : value;

    /// <summary>Splits a reference such as C7 into a zero-based column (2) and a row number (7).</summary>
    internal static (int Column, long Row)? ParseReference(string reference)
    {
        int i = 0;
        int column = 0;
        while (i < reference.Length && char.IsAsciiLetter(reference[i]))
        {
            column = (column * 26) + (char.ToUpperInvariant(reference[i]) - 'A' + 1);
            i++;
        }

        if (i == 0 || i > 3 || !long.TryParse(reference.AsSpan(i), NumberStyles.None, CultureInfo.InvariantCulture, out long row) || row < 1)
        {
            return null;
        }

        return (column - 1, row);
    }
}
