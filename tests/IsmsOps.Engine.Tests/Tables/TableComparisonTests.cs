using System.Text;
using IsmsOps.Engine.Tables;

namespace IsmsOps.Engine.Tests.Tables;

public sealed class TableComparisonTests : IDisposable
{
    private const string Header = "ItemId,PrincipalName,Reason,LastSignIn,Decision,Justification";

    private readonly string _dir = Directory.CreateTempSubdirectory("ismsops-compare-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static TableSheet Exported() => TableFixtures.Sheet("Review", 4);

    private TableReadResult FilledIn(params string[] lines)
    {
        string path = Path.Combine(_dir, "filled.csv");
        File.WriteAllText(path, string.Join("\r\n", [Header, .. lines]) + "\r\n", new UTF8Encoding(true));
        return CsvTableReader.Read(path);
    }

    private static TableComparisonResult Compare(TableReadResult readBack) =>
        TableComparison.Compare(TableFixtures.Columns, "ItemId", Exported().Rows, readBack);

    [Fact]
    public void Editable_values_of_untouched_rows_are_returned_by_key_with_their_line()
    {
        TableComparisonResult result = Compare(FilledIn(
            "item-1,user1@contoso.example,Active,2026-01-02,Approve,",
            "item-2,user2@contoso.example,No sign-in for 90 days,2026-01-03,deny,\"left in March, \"\"confirmed\"\"\""));

        Assert.True(result.IsClean);
        Assert.Equal([(2L, "item-1", "Approve", ""), (3L, "item-2", "Deny", "left in March, \"confirmed\"")],
            result.Rows.Select(r => (r.Line, r.Key, r.Values["Decision"], r.Values["Justification"])));
        Assert.All(result.Rows, r => Assert.Equal(["Decision", "Justification"], r.Values.Keys.Order()));
    }

    [Fact]
    public void A_row_whose_key_was_not_exported_is_rejected_with_its_line()
    {
        TableComparisonResult result = Compare(FilledIn(
            "item-1,user1@contoso.example,Active,2026-01-02,Approve,",
            "item-99,someone@contoso.example,Active,2026-01-02,Approve,",
            ",user3@contoso.example,Active,2026-01-04,Deny,"));

        Assert.Equal([(3L, "IsmsOps.Table.UnknownRow"), (4L, "IsmsOps.Table.MissingKey")], result.Problems.Select(p => (p.Line, p.ErrorId)));
        Assert.Contains("'item-99'", result.Problems[0].Message, StringComparison.Ordinal);
        Assert.Equal(["item-1"], result.Rows.Select(r => r.Key));
    }

    [Fact]
    public void An_edited_read_only_column_is_rejected_naming_the_column_and_both_values()
    {
        TableComparisonResult result = Compare(FilledIn(
            "item-1,user1@contoso.example,Active,2026-01-02,Approve,",
            "item-2,ceo@contoso.example,No sign-in for 90 days,2026-01-03,Approve,"));

        TableProblem problem = Assert.Single(result.Problems);
        Assert.Equal((3L, "IsmsOps.Table.ReadOnlyEdited"), (problem.Line, problem.ErrorId));
        Assert.StartsWith($"{Path.Combine(_dir, "filled.csv")}:3: column PrincipalName is read-only but was changed from 'user2@contoso.example' to 'ceo@contoso.example'",
            problem.Message, StringComparison.Ordinal);
        Assert.Equal(["item-1"], result.Rows.Select(r => r.Key));
    }

    [Fact]
    public void A_key_on_two_rows_withdraws_both_because_which_answer_was_meant_is_unknown()
    {
        TableComparisonResult result = Compare(FilledIn(
            "item-1,user1@contoso.example,Active,2026-01-02,Approve,",
            "item-2,user2@contoso.example,No sign-in for 90 days,2026-01-03,Approve,",
            "item-1,user1@contoso.example,Active,2026-01-02,Deny,"));

        TableProblem problem = Assert.Single(result.Problems);
        Assert.Equal((4L, "IsmsOps.Table.DuplicateRow"), (problem.Line, problem.ErrorId));
        Assert.Contains("line 2", problem.Message, StringComparison.Ordinal);
        Assert.Equal(["item-2"], result.Rows.Select(r => r.Key));
    }

    [Fact]
    public void A_value_outside_a_choice_or_a_date_that_is_not_iso_is_rejected_with_its_line()
    {
        var columns = new[] { TableColumn.Text("ItemId", readOnly: true), TableColumn.Choice("Decision", TableFixtures.Decisions), TableColumn.Date("ReviewedOn") };
        string path = Path.Combine(_dir, "dates.csv");
        File.WriteAllText(path, "ItemId,Decision,ReviewedOn\na,Maybe,2026-03-01\nb,Approve,01/03/2026\nc,DontKnow,46082\nd,,\n");

        TableComparisonResult result = TableComparison.Compare(columns, "ItemId", [["a", null, null], ["b", null, null], ["c", null, null], ["d", null, null]], CsvTableReader.Read(path));

        Assert.Equal([(2L, "IsmsOps.Table.InvalidValue"), (3L, "IsmsOps.Table.InvalidValue")], result.Problems.Select(p => (p.Line, p.ErrorId)));
        Assert.Contains("'Maybe' is not one of Approve, Deny, DontKnow", result.Problems[0].Message, StringComparison.Ordinal);
        Assert.Contains("ReviewedOn", result.Problems[1].Message, StringComparison.Ordinal);
        // 46082 is how a spreadsheet stores a date typed into a cell: 2026-03-01.
        Assert.Equal([("c", "2026-03-01"), ("d", "")], result.Rows.Select(r => (r.Key, r.Values["ReviewedOn"])));
    }

    [Fact]
    public void A_file_without_the_key_or_a_read_only_column_is_refused_as_a_whole()
    {
        string path = Path.Combine(_dir, "cut.csv");
        File.WriteAllText(path, "PrincipalName,Decision\nuser1@contoso.example,Approve\n");

        TableComparisonResult result = TableComparison.Compare(TableFixtures.Columns, "ItemId", Exported().Rows, CsvTableReader.Read(path));

        TableProblem problem = Assert.Single(result.Problems);
        Assert.Equal((1L, "IsmsOps.Table.MissingColumn"), (problem.Line, problem.ErrorId));
        Assert.Contains("'ItemId', 'Reason', 'LastSignIn'", problem.Message, StringComparison.Ordinal);
        Assert.Empty(result.Rows);
    }

    [Fact]
    public void Rows_the_reader_could_not_read_stay_rejected_and_deleted_rows_are_not_a_problem()
    {
        TableComparisonResult result = Compare(FilledIn(
            "item-1,user1@contoso.example,Active,2026-01-02,Approve",
            "item-3,user3@contoso.example,Active,2026-01-04,Deny,"));

        Assert.Equal([(2L, "IsmsOps.Table.WrongFieldCount")], result.Problems.Select(p => (p.Line, p.ErrorId)));
        Assert.Equal(["item-3"], result.Rows.Select(r => r.Key));
    }

    [Fact]
    public void Hostile_exported_values_compare_equal_after_a_csv_round_trip()
    {
        TableSheet sheet = TableFixtures.HostileSheet("Review");
        string path = Path.Combine(_dir, "hostile.csv");
        CsvTableWriter.Write(path, sheet);

        TableComparisonResult result = TableComparison.Compare(sheet.Columns, "ItemId", sheet.Rows, CsvTableReader.Read(path));

        Assert.True(result.IsClean, string.Join("\n", result.Problems.Select(p => p.Message)));
        Assert.Equal(sheet.Rows.Select(r => r[5] ?? string.Empty), result.Rows.Select(r => r.Values["Justification"]));
    }

    [Fact]
    public void An_xlsx_edited_in_a_read_only_cell_is_rejected_at_its_sheet_row()
    {
        TableSheet exported = Exported();
        var edited = new TableSheet("Review", TableFixtures.Columns);
        foreach (IReadOnlyList<string?> row in exported.Rows)
        {
            string?[] copy = [.. row];
            copy[4] = "Approve";
            if (copy[0] == "item-3")
            {
                copy[2] = "Edited";
            }

            edited.Add(copy);
        }

        string path = Path.Combine(_dir, "filled.xlsx");
        XlsxTableWriter.Write(path, [edited]);
        TableReadResult readBack = Assert.Single(XlsxTableReader.Read(path));

        TableComparisonResult result = TableComparison.Compare(TableFixtures.Columns, "ItemId", exported.Rows, readBack);

        TableProblem problem = Assert.Single(result.Problems);
        Assert.Equal((4L, "IsmsOps.Table.ReadOnlyEdited"), (problem.Line, problem.ErrorId));
        Assert.StartsWith($"{path}:Review:4: column Reason is read-only but was changed from 'Active' to 'Edited'", problem.Message, StringComparison.Ordinal);
        Assert.Equal(["item-1", "item-2", "item-4"], result.Rows.Select(r => r.Key));
    }
}
