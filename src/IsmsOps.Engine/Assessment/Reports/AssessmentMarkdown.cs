using System.Globalization;
using System.Text;

namespace IsmsOps.Engine.Assessment.Reports;

/// <summary>
/// GitHub-flavoured Markdown: the full report, and a short summary sized for a pull-request comment (the totals, the
/// controls that newly fail against a reference run, and a table of Critical and High failures). Every value from
/// the results is escaped (<see cref="Escape"/>): a resource named <c>| **admin** &lt;img src=x&gt;</c> shows as
/// those characters, never as a table break, emphasis or HTML.
/// </summary>
public static class AssessmentMarkdown
{
    /// <summary>How many failing resources a control lists before it says how many more there are.</summary>
    public const int ResourcesPerControl = 50;

    /// <summary>How many rows the summary's failure table holds before it says how many more there are.</summary>
    public const int SummaryRows = 25;

    /// <summary>The full report.</summary>
    public static string Full(IReadOnlyList<ControlResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var md = new StringBuilder();
        md.Append("# IsmsOps assessment report\n\n");
        RunLine(md, results);
        Totals(md, results);
        md.Append("\n## Summary by ISO domain\n\n| Domain | Controls | Pass | Fail | Waived | Error | Skipped | Not applicable |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var (domain, inDomain) in ByDomain(results))
        {
            md.Append(CultureInfo.InvariantCulture, $"| {Escape(domain.Name)} | {inDomain.Count} | {Count(inDomain, AssessmentOutcome.Pass)} | {Count(inDomain, AssessmentOutcome.Fail)} | {Count(inDomain, AssessmentOutcome.Waived)} | {Count(inDomain, AssessmentOutcome.Error)} | {Count(inDomain, AssessmentOutcome.Skipped)} | {Count(inDomain, AssessmentOutcome.NotApplicable)} |\n");
        }

        md.Append("\n## Failing controls\n\n");
        List<ControlResult> failing = Failing(results);
        if (failing.Count == 0)
        {
            md.Append("None.\n");
        }

        foreach (ControlResult r in failing)
        {
            md.Append(CultureInfo.InvariantCulture, $"### {Escape(r.Control.Id)}: {Escape(r.Control.Title)}\n\n");
            md.Append(CultureInfo.InvariantCulture, $"Severity **{r.Control.Severity}**, {r.FailCount} of {r.Findings.Count} {Escape(r.Control.ResourceType)} resource(s) fail");
            if (r.Control.References.Count > 0)
            {
                md.Append("; ").Append(Escape(string.Join(", ", r.Control.References)));
            }

            md.Append(".\n\n| Resource | Id | Why |\n|---|---|---|\n");
            List<AssessmentFinding> failed = r.FindingsWith(AssessmentOutcome.Fail).ToList();
            foreach (AssessmentFinding f in failed.Take(ResourcesPerControl))
            {
                md.Append(CultureInfo.InvariantCulture, $"| {Escape(f.ResourceName ?? f.ResourceId)} | {Escape(f.ResourceId)} | {Escape(f.Message)} |\n");
            }

            if (failed.Count > ResourcesPerControl)
            {
                md.Append(CultureInfo.InvariantCulture, $"\n…and {failed.Count - ResourcesPerControl} more failing resource(s); the Csv and Json reports list them all.\n");
            }

            if (!string.IsNullOrWhiteSpace(r.Control.Remediation))
            {
                md.Append("\n**Remediation:** ").Append(Escape(r.Control.Remediation)).Append('\n');
            }

            md.Append('\n');
        }

        List<(ControlResult Result, AssessmentFinding Finding)> waived = results.SelectMany(r => r.FindingsWith(AssessmentOutcome.Waived).Select(f => (r, f))).ToList();
        md.Append("## Waived findings\n\n");
        if (waived.Count == 0)
        {
            md.Append("None.\n");
        }
        else
        {
            md.Append("| Control | Resource | Original outcome | Waiver | Category | Approver | Expires |\n|---|---|---|---|---|---|---|\n");
            foreach (var (r, f) in waived)
            {
                AppliedWaiver? w = WaiverOf(r, f);
                md.Append(CultureInfo.InvariantCulture,
                    $"| {Escape(r.Control.Id)} | {Escape(f.ResourceName ?? f.ResourceId)} | {f.OriginalOutcome?.ToString() ?? "Fail"} | {Escape(f.WaiverId)} | {Escape(w?.Category)} | {Escape(w?.Approver)} | {(w is null ? "" : Date(w.ExpiresOn))} |\n");
            }
        }

        md.Append("\n## Controls that did not run\n\n");
        List<ControlResult> notRun = results.Where(r => r.Outcome is AssessmentOutcome.Error or AssessmentOutcome.Skipped).ToList();
        if (notRun.Count == 0)
        {
            md.Append("None: every control was evaluated.\n");
        }
        else
        {
            md.Append("| Control | Outcome | Reason |\n|---|---|---|\n");
            foreach (ControlResult r in notRun)
            {
                string reason = r.Outcome == AssessmentOutcome.Skipped ? $"{r.SkipReason}: {r.Message}" : r.Message ?? "";
                md.Append(CultureInfo.InvariantCulture, $"| {Escape(r.Control.Id)} | {r.Outcome} | {Escape(reason)} |\n");
            }
        }

        md.Append("\n## All controls\n\n| Control | Title | Severity | Outcome | Pass | Fail | Waived |\n|---|---|---|---|---:|---:|---:|\n");
        foreach (ControlResult r in results.OrderBy(r => r.Control.Id, StringComparer.OrdinalIgnoreCase))
        {
            md.Append(CultureInfo.InvariantCulture, $"| {Escape(r.Control.Id)} | {Escape(r.Control.Title)} | {r.Control.Severity} | {r.Outcome} | {r.PassCount} | {r.FailCount} | {r.WaivedCount} |\n");
        }

        return md.ToString();
    }

    /// <summary>
    /// The pull-request summary: totals, the controls that fail now and did not in <paramref name="reference"/> (when
    /// given) with the drift counts, and the Critical and High failures.
    /// </summary>
    public static string Summary(IReadOnlyList<ControlResult> results, IReadOnlyList<ControlResult>? reference = null)
    {
        ArgumentNullException.ThrowIfNull(results);
        var md = new StringBuilder();
        List<ControlResult> failing = Failing(results);
        md.Append(failing.Count == 0 ? "### IsmsOps assessment: no failing controls\n\n" : $"### IsmsOps assessment: {failing.Count} failing control(s)\n\n");
        RunLine(md, results);
        Totals(md, results);
        if (reference is not null)
        {
            IReadOnlyList<AssessmentDrift> drift = AssessmentComparison.Compare(reference, results);
            int Of(AssessmentDriftKind kind) => drift.Count(d => d.Kind == kind);
            md.Append(CultureInfo.InvariantCulture,
                $"\n**Against the reference run:** {Of(AssessmentDriftKind.NewFailure)} new failure(s), {Of(AssessmentDriftKind.Fixed)} fixed, {Of(AssessmentDriftKind.StillFailing)} still failing, {Of(AssessmentDriftKind.NewControl)} new control(s), {Of(AssessmentDriftKind.RemovedControl)} removed.\n");
            var referenceFailing = new HashSet<string>(reference.Where(r => r.Outcome == AssessmentOutcome.Fail).Select(r => r.Control.Id), StringComparer.OrdinalIgnoreCase);
            List<ControlResult> newlyFailing = failing.Where(r => !referenceFailing.Contains(r.Control.Id)).ToList();
            md.Append("\n#### New failing controls\n\n");
            if (newlyFailing.Count == 0)
            {
                md.Append("None.\n");
            }

            foreach (ControlResult r in newlyFailing)
            {
                md.Append(CultureInfo.InvariantCulture, $"- **{Escape(r.Control.Id)}** ({r.Control.Severity}): {Escape(r.Control.Title)}: {r.FailCount} failing resource(s)\n");
            }
        }

        List<ControlResult> serious = failing.Where(r => r.Control.Severity is ControlSeverity.Critical or ControlSeverity.High).ToList();
        md.Append("\n#### Critical and High failures\n\n");
        if (serious.Count == 0)
        {
            md.Append("None.\n");
        }
        else
        {
            md.Append("| Control | Severity | Title | Failing | Examples |\n|---|---|---|---:|---|\n");
            foreach (ControlResult r in serious.Take(SummaryRows))
            {
                IEnumerable<string> examples = r.FindingsWith(AssessmentOutcome.Fail).Take(3).Select(f => f.ResourceName ?? f.ResourceId);
                md.Append(CultureInfo.InvariantCulture, $"| {Escape(r.Control.Id)} | {r.Control.Severity} | {Escape(r.Control.Title)} | {r.FailCount} | {Escape(string.Join(", ", examples))} |\n");
            }

            if (serious.Count > SummaryRows)
            {
                md.Append(CultureInfo.InvariantCulture, $"\n…and {serious.Count - SummaryRows} more; see the full report.\n");
            }
        }

        return md.ToString();
    }

    /// <summary>
    /// <paramref name="value"/> as literal text in GitHub-flavoured Markdown, also inside a table cell: Markdown's
    /// punctuation is backslash-escaped (with ':' and '.', so no bare https:// or www. autolink forms), &lt; &gt; &amp;
    /// become entities (so no HTML tag or angle-bracket autolink forms), and line breaks become spaces (a table row is one line).
    /// </summary>
    public static string Escape(string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        var text = new StringBuilder(value.Length + 8);
        foreach (char c in value)
        {
            switch (c)
            {
                case '<': text.Append("&lt;"); break;
                case '>': text.Append("&gt;"); break;
                case '&': text.Append("&amp;"); break;
                case '\r': break;
                case '\n': text.Append(' '); break;
                // ':' and '.' too: GFM's extended autolinks turn a bare https://... or www.... into a link with no angle brackets.
                case '\\' or '`' or '*' or '_' or '{' or '}' or '[' or ']' or '(' or ')' or '#' or '+' or '-' or '!' or '|' or '~' or '$' or '@' or ':' or '.':
                    text.Append('\\').Append(c);
                    break;
                default: text.Append(c); break;
            }
        }

        return text.ToString();
    }

    internal static List<ControlResult> Failing(IReadOnlyList<ControlResult> results) =>
        results.Where(r => r.Outcome == AssessmentOutcome.Fail).OrderBy(r => r.Control.Severity).ThenBy(r => r.Control.Id, StringComparer.OrdinalIgnoreCase).ToList();

    internal static IEnumerable<(AssessmentDomain Domain, List<ControlResult> Results)> ByDomain(IReadOnlyList<ControlResult> results) =>
        AssessmentDomain.All.Select(d => (d, results.Where(r => AssessmentDomain.Of(r.Control).Contains(d)).ToList())).Where(x => x.Item2.Count > 0);

    internal static AppliedWaiver? WaiverOf(ControlResult r, AssessmentFinding f) =>
        r.Waivers.FirstOrDefault(w => string.Equals(w.Id, f.WaiverId, StringComparison.OrdinalIgnoreCase));

    private static int Count(List<ControlResult> results, AssessmentOutcome outcome) => results.Count(r => r.Outcome == outcome);

    private static void RunLine(StringBuilder md, IReadOnlyList<ControlResult> results)
    {
        if (results.Count == 0)
        {
            md.Append("No control results.\n");
            return;
        }

        AssessmentRunInfo run = results[0].Run;
        md.Append(CultureInfo.InvariantCulture, $"Run {Escape(run.RunId)}, evaluated {Date(run.EvaluatedAt)} from {Escape(run.Source)}");
        if (run.TenantName is not null || run.TenantId is not null)
        {
            md.Append(", tenant ").Append(Escape(run.TenantName ?? run.TenantId));
        }

        md.Append(".\n\n");
    }

    private static void Totals(StringBuilder md, IReadOnlyList<ControlResult> results)
    {
        md.Append("| Controls | Pass | Fail | Waived | Error | Skipped | Not applicable |\n|---:|---:|---:|---:|---:|---:|---:|\n");
        md.Append(CultureInfo.InvariantCulture, $"| {results.Count} | {results.Count(r => r.Outcome == AssessmentOutcome.Pass)} | {results.Count(r => r.Outcome == AssessmentOutcome.Fail)} | {results.Count(r => r.Outcome == AssessmentOutcome.Waived)} | {results.Count(r => r.Outcome == AssessmentOutcome.Error)} | {results.Count(r => r.Outcome == AssessmentOutcome.Skipped)} | {results.Count(r => r.Outcome == AssessmentOutcome.NotApplicable)} |\n");
    }

    private static string Date(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);
}
