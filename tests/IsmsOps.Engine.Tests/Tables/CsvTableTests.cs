using System.Text;
using IsmsOps.Engine.Tables;

namespace IsmsOps.Engine.Tests.Tables;

public sealed class CsvTableTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ismsops-tables-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text) => WriteBytes(name, Encoding.UTF8.GetBytes(text));

    private string WriteBytes(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void Hostile_strings_survive_a_csv_round_trip_exactly()
    {
        TableSheet sheet = TableFixtures.HostileSheet("Review");
        string path = Path.Combine(_dir, "review.csv");
        CsvTableWriter.Write(path, sheet);

        TableReadResult back = CsvTableReader.Read(path);

        Assert.Empty(back.Problems);
        Assert.Equal(TableFixtures.Columns.Select(c => c.Name), back.Header);
        Assert.Equal(TableFixtures.Cells(sheet), TableFixtures.Cells(back, TableFixtures.Columns));
        // A record starts on the line after the previous one ends; line breaks inside quotes count.
        long expected = 2;
        foreach ((TableRow row, IReadOnlyList<string?> written) in back.Rows.Zip(sheet.Rows))
        {
            Assert.Equal(expected, row.Line);
            expected += 1 + written.Sum(v => (v ?? string.Empty).Count(c => c == '\n'));
        }
    }

    [Fact]
    public void Text_that_a_spreadsheet_would_evaluate_is_written_with_an_apostrophe_so_it_stays_text()
    {
        var sheet = new TableSheet("S", [TableColumn.Text("Value")]);
        foreach (string value in new[] { "=1+1", "+1", "-1", "@A1", "\tx", "'plain", "plain", "a-b" })
        {
            sheet.Add(value);
        }

        string path = Path.Combine(_dir, "guard.csv");
        CsvTableWriter.Write(path, sheet);
        byte[] bytes = File.ReadAllBytes(path);

        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        string[] lines = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3).Split("\r\n");
        Assert.Equal(["Value", "'=1+1", "'+1", "'-1", "'@A1", "'\tx", "''plain", "plain", "a-b", ""], lines);
        Assert.Equal(["=1+1", "+1", "-1", "@A1", "\tx", "'plain", "plain", "a-b"], CsvTableReader.Read(path).Rows.Select(r => r.Cells["Value"]));
    }

    [Fact]
    public void An_apostrophe_the_writer_did_not_add_is_kept_on_reading()
    {
        string path = Write("user.csv", "Value\n'hello\n'\n");

        Assert.Equal(["'hello", "'"], CsvTableReader.Read(path).Rows.Select(r => r.Cells["Value"]));
    }

    [Fact]
    public void Crlf_and_lf_files_read_the_same_and_line_breaks_inside_quotes_come_back_as_lf()
    {
        string crlf = Write("crlf.csv", "Id,Note\r\n1,\"two\r\nlines\"\r\n2,plain\r\n");
        string lf = Write("lf.csv", "Id,Note\n1,\"two\nlines\"\n2,plain\n");

        TableReadResult a = CsvTableReader.Read(crlf);
        TableReadResult b = CsvTableReader.Read(lf);

        Assert.Equal(["two\nlines", "plain"], a.Rows.Select(r => r.Cells["Note"]));
        Assert.Equal(a.Rows.Select(r => (r.Line, r.Cells["Note"])), b.Rows.Select(r => (r.Line, r.Cells["Note"])));
        Assert.Equal([2L, 4L], a.Rows.Select(r => r.Line));
    }

    [Fact]
    public void Every_unreadable_row_is_reported_with_file_and_line_and_the_others_are_read()
    {
        byte[] latin1 = Encoding.Latin1.GetBytes("3,Zoë\n");
        string path = WriteBytes("bad.csv", [.. Encoding.UTF8.GetBytes("\uFEFFId,Name\n1,\"multi\nline\"\n2,a,extra\n"), .. latin1, .. Encoding.UTF8.GetBytes("4,ok\n5,\"never closed\n")]);

        TableReadResult table = CsvTableReader.Read(path);

        Assert.Equal(["Id", "Name"], table.Header);
        Assert.Equal([(2L, "1"), (6L, "4")], table.Rows.Select(r => (r.Line, r.Cells["Id"]!)));
        Assert.Equal(
            [(4L, "IsmsOps.Table.WrongFieldCount"), (5L, "IsmsOps.Table.InvalidEncoding"), (7L, "IsmsOps.Table.UnclosedQuote")],
            table.Problems.Select(p => (p.Line, p.ErrorId)));
        Assert.All(table.Problems, p => Assert.StartsWith($"{path}:{p.Line}: ", p.Message, StringComparison.Ordinal));
    }

    [Fact]
    public void A_header_that_is_not_utf8_refuses_the_whole_file()
    {
        string path = WriteBytes("header.csv", [.. Encoding.Latin1.GetBytes("Nöm,Id\n"), .. Encoding.UTF8.GetBytes("a,1\n")]);

        IsmsException error = Assert.Throws<IsmsException>(() => CsvTableReader.Read(path));

        Assert.Equal("IsmsOps.Table.InvalidEncoding", error.ErrorId);
        Assert.StartsWith($"{path}:1: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("UTF-8", error.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void A_header_naming_a_column_twice_refuses_the_file_because_one_value_would_be_lost()
    {
        string path = Write("twice.csv", "Id,Decision,decision\n1,Approve,Deny\n");

        IsmsException error = Assert.Throws<IsmsException>(() => CsvTableReader.Read(path));

        Assert.Equal("IsmsOps.Table.DuplicateColumn", error.ErrorId);
        Assert.Contains("'decision'", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void A_missing_file_is_a_read_error_naming_the_path()
    {
        string path = Path.Combine(_dir, "absent.csv");

        IsmsException error = Assert.Throws<IsmsException>(() => CsvTableReader.Read(path));

        Assert.Equal(("IsmsOps.Table.Unreadable", IsmsErrorKind.ReadError), (error.ErrorId, error.Kind));
        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_write_leaves_the_previous_file_untouched()
    {
        string path = Write("keep.csv", "previous content");
        var sheet = new TableSheet("S", [TableColumn.Text("A")]);
        sheet.Add("new");

        Assert.ThrowsAny<Exception>(() => TableFile.Write(path, [sheet, sheet]));
        Assert.Equal("previous content", File.ReadAllText(path));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Fact]
    public void Csv_cells_longer_than_a_spreadsheet_cell_round_trip()
    {
        var sheet = new TableSheet("S", [TableColumn.Text("Id"), TableColumn.Text("Note")]);
        string huge = string.Concat(Enumerable.Repeat("long, \"quoted\"\ntext ", 10_000));
        sheet.Add("1", huge);
        string path = Path.Combine(_dir, "long.csv");

        CsvTableWriter.Write(path, sheet);

        Assert.Equal(huge, Assert.Single(CsvTableReader.Read(path).Rows).Cells["Note"]);
    }

    [Fact]
    public void A_csv_saved_with_semicolons_is_refused_with_how_to_save_it()
    {
        string path = Write("semicolons.csv", "ItemId;Decision\nitem-1;Approve\n");

        IsmsException error = Assert.Throws<IsmsException>(() => TableFile.Read(path));

        Assert.Equal("IsmsOps.Table.WrongSeparator", error.ErrorId);
        Assert.StartsWith($"{path}:1: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("CSV UTF-8", error.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void A_legacy_or_other_spreadsheet_format_is_refused_by_name_rather_than_read_as_csv()
    {
        string path = WriteBytes("review.xls", [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);

        IsmsException error = Assert.Throws<IsmsException>(() => TableFile.Read(path));

        Assert.Equal("IsmsOps.Table.UnsupportedFormat", error.ErrorId);
        Assert.Contains(".xlsx", error.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void TableFile_writes_csv_or_xlsx_by_extension_and_reads_either_back_by_column_name()
    {
        var sheet = new TableSheet("Review", [TableColumn.Text("ItemId", readOnly: true), TableColumn.Date("Due"), TableColumn.Text("Note")]);
        sheet.Add(new Dictionary<string, string?> { ["itemid"] = "a-1", ["Due"] = TableColumn.FormatDate(new DateTimeOffset(2026, 3, 31, 0, 0, 0, TimeSpan.Zero)) });
        sheet.Add(new Dictionary<string, string?> { ["ItemId"] = "a-2", ["Due"] = TableColumn.FormatDate(new DateTimeOffset(2026, 3, 31, 9, 30, 0, TimeSpan.FromHours(2))), ["Note"] = "=x" });

        foreach (string name in new[] { "t.csv", "t.xlsx" })
        {
            string path = Path.Combine(_dir, name);
            TableFile.Write(path, [sheet]);
            TableReadResult back = Assert.Single(TableFile.Read(path));

            Assert.Equal([("a-1", "2026-03-31", ""), ("a-2", "2026-03-31T07:30:00Z", "=x")],
                back.Rows.Select(r => (r.Cells["ItemId"]!, r.Cells["Due"]!, r.Cells["Note"] ?? "")));
        }

        Assert.Throws<ArgumentException>(() => sheet.Add(new Dictionary<string, string?> { ["Unknown"] = "x" }));
    }
}
