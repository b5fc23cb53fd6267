using System.Globalization;
using System.Text;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Html;

namespace IsmsOps.Engine.Offboarding;

/// <summary>
/// The human-readable page of an evidence record: one self-contained HTML file (inline CSS, no scripts, no external
/// URLs, so it opens the same offline and years later) with the summary, the steps, the manual tasks and who confirmed
/// them, what remains and why, the audit events and the trail anchors. Every value from the record is HTML-encoded:
/// display names and reasons come from the directory, which anyone able to rename a group can write to.
/// </summary>
public static class OffboardingEvidenceHtml
{
    private const string Style = """
        .status-Done{color:#116329}.status-Failed{color:#a40e26;font-weight:600}.status-ManualTask{color:#7d4e00;font-weight:600}.status-Pending{color:#57606a}
        """;

    /// <summary>The page for <paramref name="record"/>, naming the JSON file it describes and that file's SHA-256.</summary>
    public static string Render(OffboardingEvidence record, string jsonFileName, string jsonSha256)
    {
        ArgumentNullException.ThrowIfNull(record);
        OffboardingEvidenceCase c = record.Case;
        HtmlPage page = HtmlPage.Begin($"Offboarding evidence {c.CaseId}", Style);

        page.Raw("<h1>").Text($"Offboarding evidence: {c.CaseId}").Raw("</h1>\n");
        page.Raw("<p class=\"muted\">").Text($"Exported {Time(record.ExportedAt)} from {record.Trail.Source}. This page describes the evidence record ")
            .Code(jsonFileName).Text(" (SHA-256 ").Code(jsonSha256).Text("), which Test-IsmsOffboardingEvidence checks against the audit trail.").Raw("</p>\n");

        Summary(page, record);
        Steps(page, record);
        ManualTasks(page, record);
        Remaining(page, record);
        Changes(page, record);
        Events(page, record);
        Anchors(page, record);

        page.Raw("<h2 id=\"how-to-check\">How to check this record</h2>\n<p class=\"note\">");
        page.Code($"Test-IsmsOffboardingEvidence -Path {jsonFileName}")
            .Text(" recomputes every event's hash, finds each in the audit trail at the same sequence, and compares the case, each step and the verification with what the events say. Offline, add ")
            .Code("-AuditTrailPath <export>.jsonl").Text(" (written by Export-IsmsAuditTrail). docs/offboarding-evidence.md says how to do it by hand.")
            .Raw("</p>\n").End();
        return page.ToString();
    }

    private static void Summary(HtmlPage page, OffboardingEvidence record)
    {
        OffboardingEvidenceCase c = record.Case;
        OffboardingEvidenceVerification? v = record.Verification;
        page.Raw("<h2 id=\"summary\">Summary</h2>\n<table class=\"summary\">\n");
        page.Row("Leaver", $"{c.UserPrincipalName} (directory object {c.UserId})");
        page.Row("Person in the register", c.PersonId ?? "none: a directory-only leaver");
        page.Row("Case", $"{c.CaseId}, {c.Status}, {c.Urgency} urgency");
        page.Row("Leaving on", Time(c.EffectiveDate));
        page.Row("Access due to be gone by", Time(c.DueAt));
        page.Row("Case closed", c.ClosedAt is DateTimeOffset closed ? Time(closed) : "not yet (the case is open)");

        page.Raw("<tr><th>Deadline</th><td id=\"deadline\">");
        if (c.DeadlineBreached)
        {
            page.Span("bad", $"Breached by {Duration(c.OverdueBy ?? TimeSpan.Zero)}")
                .Text(c.ClosedAt is null ? " (open at the export)" : "");
        }
        else
        {
            page.Span("ok", "Met").Text(c.ClosedAt is DateTimeOffset closedAt ? $" ({Duration(c.DueAt - closedAt)} to spare)" : " so far (the case is open)");
        }

        page.Raw("</td></tr>\n<tr><th>Directory verification</th><td id=\"verification\">");
        if (v is null)
        {
            page.Span("warn", "Not recorded").Text(": the trail holds no Offboarding.Verified event for this case.");
        }
        else if (v.NothingRemovableRemains)
        {
            page.Span("ok", "Verified: nothing removable remains")
                .Text($". A live re-read at {Time(v.VerifiedAt)} found the account disabled; {v.Remaining.Count} item(s) remain for other systems (below). Audit event {v.EventSequence}.");
        }
        else
        {
            int removable = v.Remaining.Count(r => r.RemovableThroughGraph);
            page.Span("bad", "Not verified")
                .Text($": at {Time(v.VerifiedAt)} the account was {(v.AccountEnabled ? "still enabled" : "disabled")} and {removable} item(s) Graph can remove remained. Audit event {v.EventSequence}.");
        }

        int manual = record.Steps.Count(s => s.Status == OffboardingStepStatus.ManualTask || s.ConfirmedBy is not null);
        page.Raw("</td></tr>\n");
        page.Row("Steps", string.Join(", ", record.Steps.GroupBy(s => s.Status).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key}"))
            + $"; {manual} manual task(s)");
        page.Row("Audit events", record.Events.Count == 0 ? "none" : $"{record.Events.Count}, sequence {record.Events[0].Sequence} to {record.Events[^1].Sequence}");
        page.Raw("</table>\n");
    }

    private static void Steps(HtmlPage page, OffboardingEvidence record)
    {
        page.Raw("<h2 id=\"steps\">Steps</h2>\n<table id=\"steps-table\">\n<thead><tr><th>#</th><th>Step</th><th>Resource</th><th>Status</th><th>Reason</th>")
            .Raw("<th>Attempts</th><th>Graph request-id</th><th>Started</th><th>Completed</th><th>Audit event</th></tr></thead>\n<tbody>\n");
        foreach (OffboardingEvidenceStep s in record.Steps)
        {
            page.Raw($"<tr id=\"step-{s.Sequence.ToString(CultureInfo.InvariantCulture)}\">").Cell(s.Sequence.ToString(CultureInfo.InvariantCulture)).Cell(s.Kind.ToString());
            page.Raw("<td>").Text(s.ResourceDisplayName ?? (s.ResourceId is null ? "the account" : ""));
            if (s.ResourceId is not null)
            {
                page.Raw("<br>").Code(s.ResourceId);
            }

            page.Raw("</td>").Raw($"<td class=\"status-{s.Status}\">").Text(s.Status.ToString()).Raw("</td>");
            page.Cell(s.Reason ?? "").Cell(s.Attempts.ToString(CultureInfo.InvariantCulture)).CodeCell(s.GraphRequestId)
                .TimeCell(s.StartedAt).TimeCell(s.CompletedAt)
                .Cell(s.EventSequence?.ToString(CultureInfo.InvariantCulture) ?? "").Raw("</tr>\n");
        }

        page.Raw("</tbody>\n</table>\n");
    }

    private static void ManualTasks(HtmlPage page, OffboardingEvidence record)
    {
        var tasks = record.Steps.Where(s => s.Status == OffboardingStepStatus.ManualTask || s.ConfirmedBy is not null).ToList();
        page.Raw("<h2 id=\"manual-tasks\">Manual tasks</h2>\n");
        if (tasks.Count == 0)
        {
            page.Raw("<p>").Text("None: Graph could do every step.").Raw("</p>\n");
            return;
        }

        page.Raw("<table id=\"manual-tasks-table\">\n<thead><tr><th>#</th><th>Task</th><th>State</th><th>Confirmed by</th><th>Confirmed at</th></tr></thead>\n<tbody>\n");
        foreach (OffboardingEvidenceStep s in tasks)
        {
            page.Raw($"<tr id=\"task-{s.Sequence.ToString(CultureInfo.InvariantCulture)}\">").Cell(s.Sequence.ToString(CultureInfo.InvariantCulture))
                .Cell(s.Reason ?? s.Detail ?? s.Kind.ToString());
            page.Raw("<td>");
            if (s.ConfirmedBy is null)
            {
                page.Span("warn", "Open: a person must still do it");
            }
            else
            {
                page.Span("ok", "Done");
            }

            page.Raw("</td>").Cell(s.ConfirmedBy ?? "").TimeCell(s.ConfirmedAt).Raw("</tr>\n");
        }

        page.Raw("</tbody>\n</table>\n");
    }

    private static void Remaining(HtmlPage page, OffboardingEvidence record)
    {
        page.Raw("<h2 id=\"remaining\">What remains, and why</h2>\n");
        if (record.Verification is not { } v)
        {
            page.Raw("<p>").Text("Not known: the trail holds no verification for this case.").Raw("</p>\n");
            return;
        }

        if (v.Remaining.Count == 0)
        {
            page.Raw("<p>").Text($"Nothing: the re-read at {Time(v.VerifiedAt)} found no access left.").Raw("</p>\n");
            return;
        }

        page.Raw("<table id=\"remaining-table\">\n<thead><tr><th>Kind</th><th>Resource id</th><th>Graph could remove it</th><th>Who must act</th><th>Why</th></tr></thead>\n<tbody>\n");
        foreach (OffboardingEvidenceRemaining r in v.Remaining)
        {
            page.Raw("<tr>").Cell(r.Kind).CodeCell(r.ResourceId).Raw("<td>");
            if (r.RemovableThroughGraph)
            {
                page.Span("bad", "Yes: the offboarding failed to");
            }
            else
            {
                page.Text("No");
            }

            page.Raw("</td>").Cell(r.ActingSystem).Cell(r.Why).Raw("</tr>\n");
        }

        page.Raw("</tbody>\n</table>\n");
    }

    private static void Changes(HtmlPage page, OffboardingEvidence record)
    {
        var changed = record.Steps.Where(s => s.BeforeState is not null || s.AfterState is not null).ToList();
        page.Raw("<h2 id=\"states\">Directory state before and after each step</h2>\n");
        if (changed.Count == 0)
        {
            page.Raw("<p>").Text("No step recorded a before or after state.").Raw("</p>\n");
            return;
        }

        page.Raw("<table id=\"states-table\">\n<thead><tr><th>#</th><th>Before</th><th>After</th></tr></thead>\n<tbody>\n");
        foreach (OffboardingEvidenceStep s in changed)
        {
            page.Raw("<tr>").Cell(s.Sequence.ToString(CultureInfo.InvariantCulture)).CodeCell(s.BeforeState).CodeCell(s.AfterState).Raw("</tr>\n");
        }

        page.Raw("</tbody>\n</table>\n");
    }

    private static void Events(HtmlPage page, OffboardingEvidence record)
    {
        page.Raw("<h2 id=\"events\">Audit events</h2>\n<table id=\"events-table\">\n<thead><tr><th>Seq</th><th>Time (UTC)</th><th>Actor</th><th>Action</th>")
            .Raw("<th>Details</th><th>Previous hash</th><th>Hash</th></tr></thead>\n<tbody>\n");
        foreach (AuditEvent e in record.Events)
        {
            page.Raw($"<tr id=\"event-{e.Sequence.ToString(CultureInfo.InvariantCulture)}\">").Cell(e.Sequence.ToString(CultureInfo.InvariantCulture))
                .CodeCell(e.TimeText).Cell(e.Identity is null ? e.Actor : $"{e.Actor} ({e.Identity})").Cell(e.Action)
                .CodeCell(e.Details).CodeCell(e.PreviousHash).CodeCell(e.Hash).Raw("</tr>\n");
        }

        page.Raw("</tbody>\n</table>\n");
    }

    private static void Anchors(HtmlPage page, OffboardingEvidence record)
    {
        OffboardingEvidenceTrail t = record.Trail;
        AuditCheckpoint cp = t.Checkpoint;
        page.Raw("<h2 id=\"anchors\">Trail anchors</h2>\n<table class=\"summary\" id=\"anchors-table\">\n");
        if (record.Events.Count > 0)
        {
            page.CodeRow("First event", $"{record.Events[0].Sequence}  {record.Events[0].Hash}");
            page.CodeRow("Last event", $"{record.Events[^1].Sequence}  {record.Events[^1].Hash}");
        }

        page.CodeRow("Verified trail head", $"{t.HeadSequence}  {t.HeadHash}");
        page.Row("Trail verification", t.VerificationMessage);
        page.CodeRow("Signed checkpoint", $"{cp.Sequence}  {cp.HeadHash}");
        page.CodeRow("Checkpoint signed at", AuditEvent.FormatTime(cp.Time));
        page.CodeRow("Signing key id", cp.KeyId);
        page.CodeRow("Signature (ECDSA P-256)", cp.Signature);
        page.Raw("</table>\n");
    }

    private static string Time(DateTimeOffset time) => HtmlPage.Time(time);

    private static string Duration(TimeSpan span)
    {
        span = span.Duration();
        if (span.TotalMinutes < 1)
        {
            return $"{Math.Max(1, (int)span.TotalSeconds).ToString(CultureInfo.InvariantCulture)} s";
        }

        var parts = new List<string>();
        if (span.Days > 0)
        {
            parts.Add($"{span.Days.ToString(CultureInfo.InvariantCulture)} d");
        }

        if (span.Hours > 0)
        {
            parts.Add($"{span.Hours.ToString(CultureInfo.InvariantCulture)} h");
        }

        if (span.Minutes > 0 && span.Days == 0)
        {
            parts.Add($"{span.Minutes.ToString(CultureInfo.InvariantCulture)} min");
        }

        return string.Join(" ", parts);
    }
}
