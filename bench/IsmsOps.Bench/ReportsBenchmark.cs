using System.Globalization;
using IsmsOps.Engine.Assessment;
using IsmsOps.Engine.Assessment.Reports;

namespace IsmsOps.Bench;

/// <summary>
/// Writing an assessment's reports: 45 controls over 100,000 findings in all (one in ten failing, one control waived,
/// one errored, one skipped), each format written on its own through <see cref="AssessmentReportWriter"/>, and the Json
/// read back by <see cref="AssessmentReportJson.Read(string)"/>. Each is timed on its own; the file sizes are reported.
/// </summary>
internal static class ReportsBenchmark
{
    private const int Controls = 45;

    public static Task RunAsync(BenchOptions options, ResultTable report)
    {
        int runs = options.RunsOr(3);
        int findings = options.ReportFindings;
        string work = Directory.CreateTempSubdirectory("ismsops-bench-reports-").FullName;
        try
        {
            List<ControlResult> results = Build(findings);
            foreach (AssessmentReportFormat format in Enum.GetValues<AssessmentReportFormat>())
            {
                string path = Path.Combine(work, AssessmentReportFileNames.Of(format));
                var times = new List<Measurement>();
                for (int run = 0; run <= runs; run++)
                {
                    Timing t = Timing.Start();
                    AssessmentReportWriter.Write(results, new AssessmentReportRequest { Formats = [format], Path = path, Force = true });
                    Measurement m = t.Seconds();
                    Console.Error.WriteLine(FormattableString.Invariant($"reports: {format} {(run == 0 ? "warm-up" : $"run {run}/{runs}")}: {m.Value:N2} s"));
                    if (run > 0)
                    {
                        times.Add(m);
                    }
                }

                report.Add(FormattableString.Invariant($"{format} of {findings:N0} findings ({new FileInfo(path).Length / 1e6:N1} MB): write"), Samples(times), Unit.Seconds);
            }

            string json = Path.Combine(work, AssessmentReportFileNames.Of(AssessmentReportFormat.Json));
            var reads = new List<Measurement>();
            for (int run = 0; run <= runs; run++)
            {
                Timing t = Timing.Start();
                int read = AssessmentReportJson.Read(json).Sum(r => r.Findings.Count);
                Measurement m = t.Seconds();
                if (read != findings)
                {
                    throw new InvalidOperationException($"reports: the Json read back {read} findings, not {findings}.");
                }

                if (run > 0)
                {
                    reads.Add(m);
                }
            }

            report.Add(FormattableString.Invariant($"Json of {findings:N0} findings: read back (Import-IsmsAssessment)"), Samples(reads), Unit.Seconds);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }

        return Task.CompletedTask;
    }

    private static Samples Samples(List<Measurement> m) => new(m.Select(x => x.Value), m.Select(x => x.Cpu ?? 0));

    private static List<ControlResult> Build(int findings)
    {
        var run = new AssessmentRunInfo
        {
            RunId = Guid.NewGuid().ToString(),
            EvaluatedAt = new DateTimeOffset(2026, 11, 24, 6, 0, 0, TimeSpan.Zero),
            CompletedAt = new DateTimeOffset(2026, 11, 24, 6, 0, 1, TimeSpan.Zero),
            Source = "snapshot.json",
            ToolVersion = "0.1.0",
        };
        string[] annexA = ["A.5.15", "A.5.16", "A.5.18", "A.6.1", "A.6.3", "A.6.5", "A.8.2", "A.8.5", "A.8.15", "A.8.16"];
        int perControl = findings / (Controls - 2);
        var results = new List<ControlResult>();
        int made = 0;
        for (int c = 0; c < Controls; c++)
        {
            string id = string.Create(CultureInfo.InvariantCulture, $"ISMS-BEN-{c:000}");
            var control = new ControlSummary
            {
                Id = id,
                Title = $"Benchmark control {c}",
                Severity = (ControlSeverity)(c % 5),
                ResourceType = c % 2 == 0 ? "account" : "person",
                References = [new ControlReference("iso27001:2022", annexA[c % annexA.Length]), .. c % 9 == 0 ? new[] { new ControlReference("iso27017", "CLD.9.5.1") } : []],
                Remediation = "Run Set-IsmsPerson.",
                SourcePath = $"controls/ben-{c:000}.yaml",
            };
            if (c is 1 or 2)
            {
                results.Add(new ControlResult { Run = run, Control = control, Outcome = c == 1 ? AssessmentOutcome.Error : AssessmentOutcome.Skipped, SkipReason = c == 2 ? AssessmentSkipReason.NotLicensed : AssessmentSkipReason.None, Message = "not evaluated" });
                continue;
            }

            int count = c == Controls - 1 ? findings - made : perControl;
            made += count;
            bool waived = c == 3;
            var list = new List<AssessmentFinding>(count);
            for (int i = 0; i < count; i++)
            {
                bool fails = i % 10 == 0;
                list.Add(new AssessmentFinding
                {
                    ControlId = id,
                    ResourceType = control.ResourceType,
                    ResourceId = string.Create(CultureInfo.InvariantCulture, $"{c:000}-{i:000000}"),
                    ResourceName = string.Create(CultureInfo.InvariantCulture, $"user{i}@contoso.example"),
                    Outcome = fails ? (waived ? AssessmentOutcome.Waived : AssessmentOutcome.Fail) : AssessmentOutcome.Pass,
                    OriginalOutcome = fails && waived ? AssessmentOutcome.Fail : null,
                    WaiverId = fails && waived ? "WVR-1" : null,
                    Message = fails ? "no sign-in for 120 days" : "signed in 3 days ago",
                });
            }

            results.Add(new ControlResult
            {
                Run = run,
                Control = control,
                Outcome = waived ? AssessmentOutcome.Waived : count > 0 ? AssessmentOutcome.Fail : AssessmentOutcome.NotApplicable,
                Findings = list,
                Waivers = waived ? [new AppliedWaiver { Id = "WVR-1", Category = "AcceptedRisk", Justification = "Benchmark", Approver = "ciso@contoso.example", ExpiresOn = run.EvaluatedAt.AddDays(30) }] : [],
            });
        }

        return results;
    }
}
