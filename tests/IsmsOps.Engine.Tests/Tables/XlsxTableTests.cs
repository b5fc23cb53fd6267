using System.IO.Compression;
using System.Text;
using System.Xml.Linq;
using IsmsOps.Engine.Tables;

namespace IsmsOps.Engine.Tests.Tables;

public sealed class XlsxTableTests : IDisposable
{
    private static readonly XNamespace Main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    private static readonly XNamespace Rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    private static readonly XNamespace PackageRel = "http://schemas.openxmlformats.org/package/2006/relationships";
    private static readonly XNamespace ContentTypes = "http://schemas.openxmlformats.org/package/2006/content-types";

    private readonly string _dir = Directory.CreateTempSubdirectory("ismsops-xlsx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Export(params TableSheet[] sheets)
    {
        string path = Path.Combine(_dir, "review.xlsx");
        XlsxTableWriter.Write(path, sheets);
        return path;
    }

    private static XDocument Part(string path, string part)
    {
        using ZipArchive zip = ZipFile.OpenRead(path);
        using Stream stream = (zip.GetEntry(part) ?? throw new InvalidOperationException($"no part {part}")).Open();
        return XDocument.Load(stream);
    }

    [Fact]
    public void Hostile_strings_survive_an_xlsx_round_trip_exactly_on_every_sheet()
    {
        TableSheet alice = TableFixtures.HostileSheet("alice@contoso.example");
        TableSheet bob = TableFixtures.Sheet("bob@contoso.example", 5);
        bob.Add("control", "bell\u0007 and null-ish \u0001 chars", "lone surrogate \uD800 here", null, "Approve", "tab\tinside\r\nand CRLF");
        string path = Export(alice, bob);

        IReadOnlyList<TableReadResult> back = XlsxTableReader.Read(path);

        Assert.Equal(["alice@contoso.example", "bob@contoso.example"], back.Select(b => b.SheetName));
        Assert.All(back, b => Assert.Empty(b.Problems));
        Assert.Equal(TableFixtures.Cells(alice), TableFixtures.Cells(back[0], TableFixtures.Columns));
        Assert.Equal(TableFixtures.Cells(bob), TableFixtures.Cells(back[1], TableFixtures.Columns));
        Assert.Equal(Enumerable.Range(2, alice.Rows.Count).Select(i => (long)i), back[0].Rows.Select(r => r.Line));
        Assert.Equal($"{path}:bob@contoso.example", back[1].Location);
    }

    [Fact]
    public void A_cell_of_the_maximum_length_round_trips_and_a_longer_one_is_refused_naming_the_cell()
    {
        var sheet = new TableSheet("S", [TableColumn.Text("Id"), TableColumn.Text("Note")]);
        string longest = string.Concat(Enumerable.Repeat("0123456789", 3277))[..XlsxTableWriter.MaxCellLength];
        sheet.Add("1", longest);

        Assert.Equal(longest, Assert.Single(Assert.Single(XlsxTableReader.Read(Export(sheet))).Rows).Cells["Note"]);

        sheet.Add("2", longest + "!");
        ArgumentException error = Assert.Throws<ArgumentException>(() => Export(sheet));
        Assert.Contains("cell B3 (Note)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void No_value_is_written_as_a_formula_or_number_so_a_spreadsheet_never_evaluates_it()
    {
        string path = Export(TableFixtures.HostileSheet("S"));
        XDocument sheet = Part(path, "xl/worksheets/sheet1.xml");

        Assert.Empty(sheet.Descendants(Main + "f"));
        Assert.Empty(sheet.Descendants(Main + "v"));
        Assert.All(sheet.Descendants(Main + "c"), c => Assert.Equal("inlineStr", (string?)c.Attribute("t")));
        XElement[] formulaText = sheet.Descendants(Main + "c").Where(c => c.Value.StartsWith("=HYPERLINK", StringComparison.Ordinal)).ToArray();
        Assert.Equal(3, formulaText.Length);
        Assert.All(formulaText, c => Assert.Equal(TableFixtures.Hostile[0], c.Value));
    }

    [Fact]
    public void The_package_has_every_part_a_spreadsheet_program_needs_and_every_reference_resolves()
    {
        string path = Export(TableFixtures.Sheet("one", 2), TableFixtures.Sheet("two", 3));
        using ZipArchive zip = ZipFile.OpenRead(path);
        var parts = zip.Entries.Select(e => e.FullName).ToHashSet();

        Assert.Subset(parts, new HashSet<string> { "[Content_Types].xml", "_rels/.rels", "xl/workbook.xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml" });
        XDocument types = Part(path, "[Content_Types].xml");
        Assert.All(types.Root!.Elements(ContentTypes + "Override"), o => Assert.Contains(((string)o.Attribute("PartName")!)[1..], parts));
        Assert.Equal("xl/workbook.xml", (string?)Part(path, "_rels/.rels").Root!.Elements(PackageRel + "Relationship")
            .Single(r => ((string)r.Attribute("Type")!).EndsWith("/officeDocument", StringComparison.Ordinal)).Attribute("Target"));
        var workbookRels = Part(path, "xl/_rels/workbook.xml.rels").Root!.Elements(PackageRel + "Relationship").ToDictionary(r => (string)r.Attribute("Id")!, r => "xl/" + (string)r.Attribute("Target")!);
        Assert.All(workbookRels.Values, target => Assert.Contains(target, parts));
        Assert.Equal(["one", "two"], Part(path, "xl/workbook.xml").Descendants(Main + "sheet").Select(s => (string)s.Attribute("name")!));
        Assert.All(Part(path, "xl/workbook.xml").Descendants(Main + "sheet"), s => Assert.True(workbookRels.ContainsKey((string)s.Attribute(Rel + "id")!)));
    }

    [Fact]
    public void The_header_is_bold_and_frozen_read_only_columns_are_locked_and_editable_ones_unlocked_under_protection()
    {
        string path = Export(TableFixtures.Sheet("S", 3));
        XDocument sheet = Part(path, "xl/worksheets/sheet1.xml");
        XElement[] xfs = Part(path, "xl/styles.xml").Root!.Element(Main + "cellXfs")!.Elements(Main + "xf").ToArray();
        XElement[] fonts = Part(path, "xl/styles.xml").Root!.Element(Main + "fonts")!.Elements(Main + "font").ToArray();
        XElement Style(XElement cellOrCol) => xfs[(int)cellOrCol.Attribute("s")! ];
        bool Locked(XElement xf) => (string?)xf.Element(Main + "protection")?.Attribute("locked") != "0";

        XElement pane = sheet.Descendants(Main + "pane").Single();
        Assert.Equal(("1", "frozen", "A2"), ((string)pane.Attribute("ySplit")!, (string)pane.Attribute("state")!, (string)pane.Attribute("topLeftCell")!));
        Assert.Equal("1", (string?)sheet.Descendants(Main + "sheetProtection").Single().Attribute("sheet"));
        Assert.Null(sheet.Descendants(Main + "sheetProtection").Single().Attribute("password"));

        XElement[] header = sheet.Descendants(Main + "row").First().Elements(Main + "c").ToArray();
        Assert.Equal(TableFixtures.Columns.Length, header.Length);
        Assert.All(header, c => Assert.NotNull(fonts[(int)Style(c).Attribute("fontId")!].Element(Main + "b")));

        XElement[] cols = sheet.Descendants(Main + "col").ToArray();
        for (int i = 0; i < TableFixtures.Columns.Length; i++)
        {
            XElement colStyle = xfs[(int)cols[i].Attribute("style")!];
            Assert.Equal(TableFixtures.Columns[i].ReadOnly, Locked(colStyle));
            Assert.InRange((double)cols[i].Attribute("width")!, 10, 60);
        }

        foreach (XElement cell in sheet.Descendants(Main + "row").Skip(1).SelectMany(r => r.Elements(Main + "c")))
        {
            int column = XlsxTableReader.ParseReference((string)cell.Attribute("r")!)!.Value.Column;
            Assert.Equal(TableFixtures.Columns[column].ReadOnly, Locked(Style(cell)));
        }
    }

    [Fact]
    public void A_choice_column_gets_a_dropdown_of_its_values_over_the_whole_column()
    {
        XDocument sheet = Part(Export(TableFixtures.Sheet("S", 2)), "xl/worksheets/sheet1.xml");

        XElement validation = sheet.Descendants(Main + "dataValidation").Single();
        Assert.Equal("list", (string?)validation.Attribute("type"));
        Assert.Equal("E2:E1048576", (string?)validation.Attribute("sqref"));
        Assert.Equal("\"Approve,Deny,DontKnow\"", validation.Element(Main + "formula1")!.Value);
        Assert.Equal("1", (string?)validation.Attribute("showErrorMessage"));
    }

    [Fact]
    public void Dropdown_titles_and_messages_stay_within_what_excel_accepts()
    {
        string longName = "Decision of the resource owner about this access";
        string[] values = Enumerable.Range(1, 17).Select(i => $"Option numb {i:D2}").ToArray();
        Assert.Equal(254, string.Join(",", values).Length);
        var sheet = new TableSheet("S", [TableColumn.Text("Id", readOnly: true), TableColumn.Choice(longName, values)]);

        XElement validation = Part(Export(sheet), "xl/worksheets/sheet1.xml").Descendants(Main + "dataValidation").Single();

        Assert.Equal(longName[..32], (string?)validation.Attribute("errorTitle"));
        Assert.InRange(((string)validation.Attribute("error")!).Length, 1, 225);
        Assert.Equal("\"" + string.Join(",", values) + "\"", validation.Element(Main + "formula1")!.Value);
        Assert.Throws<ArgumentException>(() => TableColumn.Choice("Too many", [.. values, "Option numb 18"]));
        Assert.Throws<ArgumentException>(() => TableColumn.Choice("Comma", ["Yes", "No, never"]));
    }

    [Fact]
    public void Worksheet_elements_are_in_the_order_the_schema_requires()
    {
        // Excel refuses (repairs) a sheet whose children are out of schema order; LibreOffice is lenient, so this is checked here.
        string[] schemaOrder = ["sheetPr", "dimension", "sheetViews", "sheetFormatPr", "cols", "sheetData", "sheetProtection", "dataValidations", "pageMargins"];
        XDocument sheet = Part(Export(TableFixtures.Sheet("S", 1)), "xl/worksheets/sheet1.xml");

        int[] positions = sheet.Root!.Elements().Select(e => Array.IndexOf(schemaOrder, e.Name.LocalName)).ToArray();

        Assert.DoesNotContain(-1, positions);
        Assert.Equal(positions.Order(), positions);
    }

    [Fact]
    public void Invalid_or_duplicate_sheet_names_are_refused_and_SheetName_derives_valid_unique_ones()
    {
        Assert.Throws<ArgumentException>(() => Export(TableFixtures.Sheet("a/b", 1)));
        Assert.Throws<ArgumentException>(() => Export(TableFixtures.Sheet(new string('x', 32), 1)));
        Assert.Throws<ArgumentException>(() => Export(TableFixtures.Sheet("Same", 1), TableFixtures.Sheet("same", 1)));

        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        string first = XlsxTableWriter.SheetName("Reviewer: [Ops]/Team*?", taken);
        string second = XlsxTableWriter.SheetName("Reviewer: [Ops]/Team*?", taken);
        string longName = XlsxTableWriter.SheetName(new string('n', 40), taken);

        Assert.Equal("Reviewer_ _Ops__Team__", first);
        Assert.Equal("Reviewer_ _Ops__Team__ (2)", second);
        Assert.Equal(31, longName.Length);
        string path = Export(TableFixtures.Sheet(first, 1), TableFixtures.Sheet(second, 1), TableFixtures.Sheet(longName, 1));
        Assert.Equal([first, second, longName], XlsxTableReader.Read(path).Select(r => r.SheetName));
    }

    [Fact]
    public void The_same_table_always_produces_the_same_bytes()
    {
        byte[] first = File.ReadAllBytes(Export(TableFixtures.Sheet("S", 4)));
        byte[] second = File.ReadAllBytes(Export(TableFixtures.Sheet("S", 4)));

        Assert.Equal(first, second);
    }

    [Fact]
    public void A_workbook_saved_by_excel_with_shared_strings_rich_text_numbers_and_gaps_reads_with_its_row_numbers()
    {
        string path = Path.Combine(_dir, "excel.xlsx");
        ExcelStyleWorkbook.Write(path);

        TableReadResult table = Assert.Single(XlsxTableReader.Read(path));

        Assert.Equal("Review", table.SheetName);
        Assert.Equal(["ItemId", "PrincipalName", "Decision", "Count", "Flag", "Note"], table.Header);
        Assert.Equal([3L, 4L, 7L, 9L], table.Rows.Select(r => r.Line));
        TableRow first = table.Rows[0];
        Assert.Equal(("item-1", "zoë@contoso.example", "Approve", "42", "TRUE", "bold and plain"),
            (first.Cells["ItemId"], first.Cells["PrincipalName"], first.Cells["Decision"], first.Cells["Count"], first.Cells["Flag"], first.Cells["Note"]));
        TableRow second = table.Rows[1];
        Assert.Equal(("item-2", "", "0.1", "FALSE", "=shared formula text"), (second.Cells["ItemId"], second.Cells["Decision"], second.Cells["Count"], second.Cells["Flag"], second.Cells["Note"]));
        Assert.Equal(("item-3", "3", "computed"), (table.Rows[2].Cells["ItemId"], table.Rows[2].Cells["Count"], table.Rows[2].Cells["Note"]));
        Assert.Equal(("item-4", "Deny", "A\u0001B"), (table.Rows[3].Cells["ItemId"], table.Rows[3].Cells["Decision"], table.Rows[3].Cells["Note"]));
        Assert.Equal(
            [(8L, "IsmsOps.Table.ErrorCell"), (8L, "IsmsOps.Table.CellOutsideTable"), (10L, "IsmsOps.Table.InvalidCell")],
            table.Problems.Select(p => (p.Line, p.ErrorId)));
        Assert.All(table.Problems, p => Assert.StartsWith($"{path}:Review:{p.Line}: ", p.Message, StringComparison.Ordinal));
        Assert.Contains("cell G8", table.Problems[1].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_workbook_is_refused_as_a_whole()
    {
        string text = Path.Combine(_dir, "fake.xlsx");
        File.WriteAllText(text, "ItemId,Decision\n1,Approve\n");
        string noWorkbook = Path.Combine(_dir, "empty.xlsx");
        using (var zip = ZipFile.Open(noWorkbook, ZipArchiveMode.Create))
        {
            zip.CreateEntry("hello.txt");
        }

        Assert.Equal("IsmsOps.Table.InvalidXlsx", Assert.Throws<IsmsException>(() => XlsxTableReader.Read(text)).ErrorId);
        IsmsException missing = Assert.Throws<IsmsException>(() => XlsxTableReader.Read(noWorkbook));
        Assert.Equal("IsmsOps.Table.InvalidXlsx", missing.ErrorId);
        Assert.Contains("Nothing was imported", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_workbook_that_would_decompress_beyond_the_limit_is_refused_before_it_is_read()
    {
        string path = Export(TableFixtures.Sheet("S", 50));
        using var stream = new MemoryStream(File.ReadAllBytes(path));
        long size;
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true))
        {
            size = zip.Entries.Sum(e => e.Length);
        }

        Assert.Single(XlsxTableReader.Read(stream, "fits.xlsx", size));
        stream.Position = 0;
        IsmsException error = Assert.Throws<IsmsException>(() => XlsxTableReader.Read(stream, "big.xlsx", size - 1));
        Assert.Equal("IsmsOps.Table.InvalidXlsx", error.ErrorId);
        Assert.Contains("decompress", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_workbook_with_a_dtd_is_refused_rather_than_expanded()
    {
        string path = Path.Combine(_dir, "dtd.xlsx");
        ExcelStyleWorkbook.Write(path, sharedStringsPrefix: "<!DOCTYPE sst [<!ENTITY x \"boom\">]>");

        Assert.Equal("IsmsOps.Table.InvalidXlsx", Assert.Throws<IsmsException>(() => XlsxTableReader.Read(path)).ErrorId);
    }

    [Fact]
    public void A_workbook_re_saved_by_libreoffice_reads_back_as_exported()
    {
        // tests/.../Tables/libreoffice-resaved.xlsx is LibreOffice Calc 7.4's re-save of TableFixtures.HostileSheet
        // plus TableFixtures.Sheet (see docs/tables.md); it uses a shared-strings table and drops the inline strings.
        string path = Path.Combine(AppContext.BaseDirectory, "Tables", "libreoffice-resaved.xlsx");

        IReadOnlyList<TableReadResult> back = XlsxTableReader.Read(path);

        Assert.Equal(["Hostile", "Plain"], back.Select(b => b.SheetName));
        Assert.All(back, b => Assert.Empty(b.Problems));
        Assert.Equal(TableFixtures.Cells(TableFixtures.HostileSheet("Hostile")), TableFixtures.Cells(back[0], TableFixtures.Columns));
        Assert.Equal(TableFixtures.Cells(TableFixtures.Sheet("Plain", 3)), TableFixtures.Cells(back[1], TableFixtures.Columns));
    }
}

/// <summary>A workbook shaped the way Excel saves one: shared strings (with rich text and phonetic runs), numbers, booleans, formulas with cached values, omitted cells and rows.</summary>
internal static class ExcelStyleWorkbook
{
    public static void Write(string path, string sharedStringsPrefix = "")
    {
        using var zip = ZipFile.Open(path, ZipArchiveMode.Create);
        Add(zip, "[Content_Types].xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>
            """);
        Add(zip, "_rels/.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>
            """);
        Add(zip, "xl/workbook.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Review" sheetId="7" r:id="rId9"/></sheets></workbook>
            """);
        Add(zip, "xl/_rels/workbook.xml.rels", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet1.xml"/></Relationships>
            """);
        Add(zip, "xl/sharedStrings.xml", "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>" + sharedStringsPrefix + """
            <sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="12" uniqueCount="11"><si><t>ItemId</t></si><si><t>PrincipalName</t></si><si><t>Decision</t></si><si><t>Count</t></si><si><t>Flag</t></si><si><t>Note</t></si><si><t>item-1</t></si><si><t>zoë@contoso.example</t></si><si><t>Approve</t></si><si><r><rPr><b/></rPr><t xml:space="preserve">bold </t></r><r><t>and plain</t></r><rPh sb="0" eb="1"><t>PHONETIC</t></rPh></si><si><t>=shared formula text</t></si><si><t>A_x0001_B</t></si></sst>
            """);
        // Row 1 is blank (styled only), the header is on row 2; row 5-6 are missing; row 8 has an error and a stray cell; cells of row 9 have no r.
        Add(zip, "xl/worksheets/sheet1.xml", """
            <?xml version="1.0" encoding="UTF-8" standalone="yes"?>
            <worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
            <row r="1" spans="1:6"><c r="A1" s="3"/></row>
            <row r="2"><c r="A2" t="s"><v>0</v></c><c r="B2" t="s"><v>1</v></c><c r="C2" t="s"><v>2</v></c><c r="D2" t="s"><v>3</v></c><c r="E2" t="s"><v>4</v></c><c r="F2" t="s"><v>5</v></c></row>
            <row r="3"><c r="A3" t="s"><v>6</v></c><c r="B3" t="s"><v>7</v></c><c r="C3" t="s"><v>8</v></c><c r="D3"><v>42</v></c><c r="E3" t="b"><v>1</v></c><c r="F3" t="s"><v>9</v></c></row>
            <row r="4"><c r="A4" t="inlineStr"><is><t>item-2</t></is></c><c r="D4"><v>0.10000000000000001</v></c><c r="E4" t="b"><v>0</v></c><c r="F4" t="s"><v>10</v></c></row>
            <row r="7"><c r="A7" t="inlineStr"><is><t>item-3</t></is></c><c r="D7"><f>1+2</f><v>3</v></c><c r="F7" t="str"><f>"computed"</f><v>computed</v></c></row>
            <row r="8"><c r="A8" t="inlineStr"><is><t>item-x</t></is></c><c r="D8" t="e"><v>#REF!</v></c><c r="G8"><v>5</v></c></row>
            <row r="9"><c t="inlineStr"><is><t>item-4</t></is></c><c/><c t="inlineStr"><is><t>Deny</t></is></c><c/><c/><c t="s"><v>11</v></c></row>
            <row r="10"><c r="A10" t="s"><v>99</v></c></row>
            </sheetData></worksheet>
            """);
    }

    private static void Add(ZipArchive zip, string name, string content)
    {
        using Stream stream = zip.CreateEntry(name).Open();
        byte[] bytes = Encoding.UTF8.GetBytes(content.TrimStart());
        stream.Write(bytes);
    }
}
