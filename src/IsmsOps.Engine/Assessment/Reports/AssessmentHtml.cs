using System.Globalization;
using IsmsOps.Engine.Html;

namespace IsmsOps.Engine.Assessment.Reports;

/// <summary>
/// The HTML report: one self-contained page built with <see cref="HtmlPage"/> (inline CSS and an inline SVG chart, no
/// script, no external reference, a CSP forbidding everything but inline styles). It shows the run, a summary by ISO
/// domain with a bar per domain, each failing control (severity, references, failing resources capped at
/// <see cref="ResourcesPerControl"/> with the count of the rest, remediation), the waived findings with their original
/// outcome and waiver (approver, expiry), the controls that could not run with their reasons, and every control's
/// outcome. Every value from the results is encoded.
/// </summary>
public static class AssessmentHtml
{
    /// <summary>How many failing resources a control lists before it says how many more there are.</summary>
    public const int ResourcesPerControl = 100;

    private const string Style = """
        .chart text{font:12px system-ui,sans-serif;fill:#1b1f24}.sev{font-weight:600}.sev-Critical{color:#fff;background:#a40e26;padding:0 .3rem}
        .sev-High{color:#a40e26}.sev-Medium{color:#7d4e00}.sev-Low,.sev-Info{color:#57606a}
        .legend span{display:inline-block;margin-right:1rem}.sw{display:inline-block;width:.8rem;height:.8rem;margin-right:.3rem;vertical-align:middle}
        .control{border:1px solid #d0d7de;border-radius:6px;padding:.25rem 1rem .75rem;margin:1rem 0}
        .outcome-Pass{color:#116329}.outcome-Fail{color:#a40e26;font-weight:600}.outcome-Waived{color:#7d4e00}.outcome-Error{color:#6639ba;font-weight:600}.outcome-Skipped,.outcome-NotApplicable{color:#57606a}
        """;

    private static readonly (AssessmentOutcome Outcome, string Colour)[] Bars =
    [
        (AssessmentOutcome.Pass, "#2da44e"), (AssessmentOutcome.Fail, "#cf222e"), (AssessmentOutcome.Waived, "#bf8700"),
        (AssessmentOutcome.Error, "#8250df"), (AssessmentOutcome.Skipped, "#8c959f"), (AssessmentOutcome.NotApplicable, "#d0d7de"),
    ];

    /// <summary>The page for <paramref name="results"/>, generated at <paramref name="now"/>.</summary>
    public static string Render(IReadOnlyList<ControlResult> results, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(results);
        HtmlPage page = HtmlPage.Begin("IsmsOps assessment report", Style);
        page.Raw("<h1>").Text("IsmsOps assessment report").Raw("</h1>\n");
        Run(page, results, now);
        Summary(page, results);
        FailingControls(page, results);
        Waived(page, results);
        NotRun(page, results);
        AllControls(page, results);
        return page.End().ToString();
    }

    private static void Run(HtmlPage page, IReadOnlyList<ControlResult> results, DateTimeOffset now)
    {
        page.Raw("<table class=\"summary\" id=\"run\">\n");
        if (results.Count > 0)
        {
            AssessmentRunInfo run = results[0].Run;
            page.CodeRow("Run", run.RunId);
            page.Row("Evaluated at", HtmlPage.Time(run.EvaluatedAt));
            page.Row("Evidence", run.SnapshotCollectedAt is DateTimeOffset collected ? $"{run.Source} (collected {HtmlPage.Time(collected)})" : run.Source);
            if (run.TenantName is not null || run.TenantId is not null)
            {
                page.Row("Tenant", run.TenantName is null || run.TenantId is null ? run.TenantName ?? run.TenantId : $"{run.TenantName} ({run.TenantId})");
            }

            if (run.ToolVersion is not null)
            {
                page.Row("IsmsOps version", run.ToolVersion);
            }
        }

        page.Row("Report generated", HtmlPage.Time(now));
        page.Raw("</table>\n");
    }

    private static void Summary(HtmlPage page, IReadOnlyList<ControlResult> results)
    {
        page.Raw("<h2 id=\"summary\">Summary by ISO domain</h2>\n");
        page.Raw("<p id=\"totals\">");
        page.Text(string.Join(", ", Bars.Select(b => $"{results.Count(r => r.Outcome == b.Outcome)} {Label(b.Outcome)}")) + $" of {results.Count} controls.");
        page.Raw("</p>\n");
        var domains = AssessmentMarkdown.ByDomain(results).ToList();
        const int labelWidth = 250, barWidth = 520, rowHeight = 26;
        int height = domains.Count * rowHeight + 10;
        page.Raw($"<svg class=\"chart\" id=\"domain-chart\" role=\"img\" width=\"{labelWidth + barWidth + 90}\" height=\"{height}\" viewBox=\"0 0 {labelWidth + barWidth + 90} {height}\" xmlns=\"http://www.w3.org/2000/svg\">\n");
        page.Raw("<title>").Text("Control outcomes per ISO domain").Raw("</title>\n");
        int max = Math.Max(1, domains.Select(d => d.Results.Count).DefaultIfEmpty(1).Max());
        for (int i = 0; i < domains.Count; i++)
        {
            var (domain, inDomain) = domains[i];
            int y = i * rowHeight + 5;
            page.Raw($"<text x=\"0\" y=\"{y + 15}\">").Text(domain.Name).Raw("</text>\n");
            double x = labelWidth;
            foreach (var (outcome, colour) in Bars)
            {
                int n = inDomain.Count(r => r.Outcome == outcome);
                if (n == 0)
                {
                    continue;
                }

                double w = (double)n / max * barWidth;
                page.Raw($"<rect x=\"{F(x)}\" y=\"{y}\" width=\"{F(w)}\" height=\"20\" fill=\"{colour}\"><title>")
                    .Text($"{domain.Name}: {n} {Label(outcome)}").Raw("</title></rect>\n");
                x += w;
            }

            page.Raw($"<text x=\"{F(x + 6)}\" y=\"{y + 15}\">").Text($"{inDomain.Count(r => r.Outcome == AssessmentOutcome.Fail)}/{inDomain.Count} failing").Raw("</text>\n");
        }

        page.Raw("</svg>\n<p class=\"legend\">");
        foreach (var (outcome, colour) in Bars)
        {
            page.Raw($"<span><span class=\"sw\" style=\"background:{colour}\"></span>").Text(Label(outcome)).Raw("</span>");
        }

        page.Raw("</p>\n<table id=\"domain-table\">\n");
        page.HeaderRow("Domain", "Controls", "Pass", "Fail", "Waived", "Error", "Skipped", "Not applicable");
        foreach (var (domain, inDomain) in domains)
        {
            page.Cells([domain.Name, N(inDomain.Count), .. Bars.Select(b => N(inDomain.Count(r => r.Outcome == b.Outcome)))]);
        }

        page.Raw("</table>\n<p class=\"muted\">").Text("A control that references several domains counts in each.").Raw("</p>\n");
    }

    private static void FailingControls(HtmlPage page, IReadOnlyList<ControlResult> results)
    {
        page.Raw("<h2 id=\"failing\">Failing controls</h2>\n");
        List<ControlResult> failing = AssessmentMarkdown.Failing(results);
        if (failing.Count == 0)
        {
            page.Raw("<p class=\"ok\">").Text("None: no control fails.").Raw("</p>\n");
            return;
        }

        foreach (ControlResult r in failing)
        {
            page.Raw("<section class=\"control failing-control\">\n<h3>").Text($"{r.Control.Id}: {r.Control.Title}").Raw("</h3>\n<p>");
            page.Span($"sev sev-{r.Control.Severity}", r.Control.Severity.ToString())
                .Text($" · {r.FailCount} of {r.Findings.Count} {r.Control.ResourceType} resource(s) fail");
            if (r.Control.References.Count > 0)
            {
                page.Text(" · " + string.Join(", ", r.Control.References));
            }

            page.Raw("</p>\n");
            if (r.Control.Objective is { Length: > 0 } objective)
            {
                page.Raw("<p class=\"muted\">").Text(objective).Raw("</p>\n");
            }

            List<AssessmentFinding> failed = r.FindingsWith(AssessmentOutcome.Fail).ToList();
            page.Raw("<table class=\"resources\">\n").HeaderRow("Resource", "Id", "Why");
            foreach (AssessmentFinding f in failed.Take(ResourcesPerControl))
            {
                page.Raw("<tr>").Cell(f.ResourceName ?? f.ResourceId).CodeCell(f.ResourceId).Cell(f.Message).Raw("</tr>\n");
            }

            page.Raw("</table>\n");
            if (failed.Count > ResourcesPerControl)
            {
                page.Raw("<p class=\"warn\">").Text($"…and {failed.Count - ResourcesPerControl} more failing resource(s) (of {failed.Count}); the Csv and Json reports list them all.").Raw("</p>\n");
            }

            if (r.Control.Remediation is { Length: > 0 } remediation)
            {
                page.Raw("<p class=\"note\"><strong>Remediation:</strong> ").Text(remediation).Raw("</p>\n");
            }

            page.Raw("</section>\n");
        }
    }

    private static void Waived(HtmlPage page, IReadOnlyList<ControlResult> results)
    {
        page.Raw("<h2 id=\"waived\">Waived findings</h2>\n");
        var waived = results.SelectMany(r => r.FindingsWith(AssessmentOutcome.Waived).Select(f => (r, f))).ToList();
        if (waived.Count == 0)
        {
            page.Raw("<p>").Text("None.").Raw("</p>\n");
            return;
        }

        page.Raw("<table id=\"waived-table\">\n").HeaderRow("Control", "Resource", "Original outcome", "Waiver", "Category", "Justification", "Approver", "Expires");
        foreach (var (r, f) in waived)
        {
            AppliedWaiver? w = AssessmentMarkdown.WaiverOf(r, f);
            page.Raw("<tr>").Cell(r.Control.Id).Cell(f.ResourceName ?? f.ResourceId);
            page.Raw("<td class=\"outcome-Fail\">").Text((f.OriginalOutcome ?? AssessmentOutcome.Fail).ToString()).Raw("</td>");
            page.CodeCell(f.WaiverId).Cell(w?.Category).Cell(w?.Justification).Cell(w?.Approver).TimeCell(w?.ExpiresOn).Raw("</tr>\n");
        }

        page.Raw("</table>\n");
    }

    private static void NotRun(HtmlPage page, IReadOnlyList<ControlResult> results)
    {
        page.Raw("<h2 id=\"not-run\">Controls that did not run</h2>\n");
        var notRun = results.Where(r => r.Outcome is AssessmentOutcome.Error or AssessmentOutcome.Skipped).ToList();
        var resourceErrors = results.SelectMany(r => r.FindingsWith(AssessmentOutcome.Error).Select(f => (r, f))).ToList();
        if (notRun.Count == 0)
        {
            page.Raw("<p class=\"ok\">").Text("None: every control was evaluated.").Raw("</p>\n");
            ResourceErrors(page, resourceErrors);
            return;
        }

        page.Raw("<table id=\"not-run-table\">\n").HeaderRow("Control", "Title", "Outcome", "Reason", "Detail");
        foreach (ControlResult r in notRun)
        {
            page.Raw("<tr>").Cell(r.Control.Id).Cell(r.Control.Title);
            page.Raw($"<td class=\"outcome-{r.Outcome}\">").Text(r.Outcome.ToString()).Raw("</td>");
            page.Cell(r.Outcome == AssessmentOutcome.Skipped ? r.SkipReason.ToString() : "Evaluation failed").Cell(r.Message).Raw("</tr>\n");
        }

        page.Raw("</table>\n");
        ResourceErrors(page, resourceErrors);
    }

    // A control can run and still fail to evaluate single resources; those are neither passes nor failures.
    private static void ResourceErrors(HtmlPage page, List<(ControlResult Result, AssessmentFinding Finding)> errors)
    {
        if (errors.Count == 0)
        {
            return;
        }

        page.Raw("<h3>").Text("Resources whose evaluation failed").Raw("</h3>\n<table id=\"resource-errors\">\n").HeaderRow("Control", "Resource", "Id", "Error");
        foreach (var (r, f) in errors.Take(ResourcesPerControl))
        {
            page.Raw("<tr>").Cell(r.Control.Id).Cell(f.ResourceName ?? f.ResourceId).CodeCell(f.ResourceId).Cell(f.Error ?? f.Message).Raw("</tr>\n");
        }

        page.Raw("</table>\n");
        if (errors.Count > ResourcesPerControl)
        {
            page.Raw("<p class=\"warn\">").Text($"…and {errors.Count - ResourcesPerControl} more; the Csv and Json reports list them all.").Raw("</p>\n");
        }
    }

    private static void AllControls(HtmlPage page, IReadOnlyList<ControlResult> results)
    {
        page.Raw("<h2 id=\"controls\">All controls</h2>\n<table id=\"controls-table\">\n")
            .HeaderRow("Control", "Title", "Severity", "Outcome", "Pass", "Fail", "Waived", "Errors", "References");
        foreach (ControlResult r in results.OrderBy(r => r.Control.Id, StringComparer.OrdinalIgnoreCase))
        {
            page.Raw("<tr>").Cell(r.Control.Id).Cell(r.Control.Title).Cell(r.Control.Severity.ToString());
            page.Raw($"<td class=\"outcome-{r.Outcome}\">").Text(r.Outcome.ToString()).Raw("</td>");
            page.Cell(N(r.PassCount)).Cell(N(r.FailCount)).Cell(N(r.WaivedCount)).Cell(N(r.ErrorCount)).Cell(string.Join(", ", r.Control.References)).Raw("</tr>\n");
        }

        page.Raw("</table>\n");
    }

    private static string Label(AssessmentOutcome outcome) => outcome == AssessmentOutcome.NotApplicable ? "not applicable" : outcome.ToString().ToLowerInvariant();

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string F(double d) => d.ToString("0.#", CultureInfo.InvariantCulture);
}
