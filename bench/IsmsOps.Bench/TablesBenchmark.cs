using System.Globalization;
using IsmsOps.Engine.Tables;

namespace IsmsOps.Bench;

/// <summary>
/// The file layer an access-review export stands on: a review-shaped table (eight columns, ids, names, a reason, ISO
/// dates, a decision and a justification, one row in ten holding a formula-like name) written as CSV and as XLSX,
/// read back, and compared with the export, as Export- and Import-IsmsAccessReviewDecision will. Each step is timed on
/// its own; the file sizes are reported too.
/// </summary>
internal static class TablesBenchmark
{
    private static readonly TableColumn[] Columns =
    [
        TableColumn.Text("ItemId", readOnly: true),
        TableColumn.Text("ResourceDisplayName", readOnly: true),
        TableColumn.Text("PrincipalName", readOnly: true),
        TableColumn.Text("AccessRecommendation", readOnly: true),
        TableColumn.Text("Reason", readOnly: true),
        TableColumn.Date("LastSignIn", readOnly: true),
        TableColumn.Choice("Decision", ["Approve", "Deny", "DontKnow"]),
        TableColumn.Text("Justification"),
    ];

    public static Task RunAsync(BenchOptions options, ResultTable report)
    {
        int runs = options.RunsOr(5);
        int rows = options.TableRows;
        string work = Directory.CreateTempSubdirectory("ismsops-bench-tables-").FullName;
        try
        {
            TableSheet sheet = Build(rows);
            foreach (string format in new[] { "csv", "xlsx" })
            {
                string path = Path.Combine(work, "review." + format);
                var write = new List<Measurement>();
                var read = new List<Measurement>();
                var compare = new List<Measurement>();
                long bytes = 0;
                for (int run = 0; run <= runs; run++)
                {
                    Timing t = Timing.Start();
                    TableFile.Write(path, [sheet]);
                    Measurement w = t.Seconds();
                    t = Timing.Start();
                    TableReadResult back = TableFile.Read(path)[0];
                    Measurement r = t.Seconds();
                    t = Timing.Start();
                    TableComparisonResult result = TableComparison.Compare(Columns, "ItemId", sheet.Rows, back);
                    Measurement c = t.Seconds();
                    if (!result.IsClean || result.Rows.Count != rows)
                    {
                        throw new InvalidOperationException($"tables: the {format} round trip is not clean: {result.Problems.FirstOrDefault()?.Message}");
                    }

                    bytes = new FileInfo(path).Length;
                    Console.Error.WriteLine(FormattableString.Invariant(
                        $"tables: {format} {(run == 0 ? "warm-up" : $"run {run}/{runs}")}: write {w.Value:N2} s, read {r.Value:N2} s, compare {c.Value:N2} s, {bytes / 1e6:N1} MB"));
                    if (run > 0)
                    {
                        write.Add(w);
                        read.Add(r);
                        compare.Add(c);
                    }
                }

                string label = FormattableString.Invariant($"{format.ToUpperInvariant()} of {rows:N0} rows × {Columns.Length} columns ({bytes / 1e6:N1} MB)");
                report.Add($"{label}: write", Samples(write), Unit.Seconds);
                report.Add($"{label}: read back", Samples(read), Unit.Seconds);
                report.Add($"{label}: compare with the export", Samples(compare), Unit.Seconds);
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        return Task.CompletedTask;
    }

    private static Samples Samples(List<Measurement> m) => new(m.Select(x => x.Value), m.Select(x => x.Cpu ?? 0));

    private static TableSheet Build(int rows)
    {
        var sheet = new TableSheet("Review", Columns);
        var lastSignIn = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        for (int i = 0; i < rows; i++)
        {
            string principal = i % 10 == 0 ? $"=HYPERLINK(\"http://x.example/{i}\")" : $"user{i}@contoso.example";
            sheet.Add(
                i.ToString("D8", CultureInfo.InvariantCulture),
                $"Group {i % 500}, \"Finance\" share",
                principal,
                i % 7 == 0 ? "Deny" : "Approve",
                i % 7 == 0 ? "No sign-in for 90 days" : "Active",
                TableColumn.FormatDate(lastSignIn.AddDays(i % 365)),
                null,
                null);
        }

        return sheet;
    }
}
