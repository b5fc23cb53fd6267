using System.Globalization;
using System.Text;
using IsmsOps.Engine.Assessment.Reports;
using IsmsOps.Engine.Html;
using IsmsOps.Engine.Policies;
using IsmsOps.Engine.Tables;

namespace IsmsOps.Engine.Assessment.Applicability;

/// <summary>Whether an Annex A control applies to the organisation, and why.</summary>
/// <param name="Applies">True when the control is in the ISMS.</param>
/// <param name="Justification">Why it is included or excluded.</param>
/// <param name="Source">Where the decision came from: <c>file:line</c> of the policy, or <c>default</c>.</param>
public sealed record ApplicabilityDecision(bool Applies, string Justification, string Source);

/// <summary>
/// The organisation's applicability decisions (<c>policies/statement-of-applicability.yaml</c>): per Annex A id,
/// <c>applies</c> and a <c>justification</c>. An id the file leaves out applies with the default justification. An
/// exclusion without a justification, an id that is not one of the 93, and any unknown key are errors at
/// file:line:column.
/// </summary>
public sealed class ApplicabilityPolicy
{
    /// <summary>The policy's file name in the policy folder.</summary>
    public const string FileName = "statement-of-applicability.yaml";

    /// <summary>The justification of a control the file does not mention, unless the file's <c>defaultJustification</c> replaces it.</summary>
    public const string DefaultJustification = "Applies; see the implementing controls.";

    private readonly Dictionary<string, ApplicabilityDecision> _decisions;

    private ApplicabilityPolicy(Dictionary<string, ApplicabilityDecision> decisions, string defaultJustification)
    {
        _decisions = decisions;
        Default = new ApplicabilityDecision(true, defaultJustification, "default");
    }

    /// <summary>No file: every control applies with <see cref="DefaultJustification"/>.</summary>
    public static ApplicabilityPolicy AllApply { get; } = new(new(StringComparer.OrdinalIgnoreCase), DefaultJustification);

    /// <summary>The decision for a control the file does not mention.</summary>
    public ApplicabilityDecision Default { get; }

    /// <summary>The decision for <paramref name="id"/>.</summary>
    public ApplicabilityDecision For(string id) => _decisions.TryGetValue(id, out ApplicabilityDecision? d) ? d : Default;

    /// <summary>The policy in <paramref name="folder"/>, or <see cref="AllApply"/> when the folder has no such file.</summary>
    public static ApplicabilityPolicy From(PolicyFolder folder)
    {
        ArgumentNullException.ThrowIfNull(folder);
        return folder.FileFor(FileName) is string path ? Load(path) : AllApply;
    }

    /// <summary>Reads the policy file at <paramref name="path"/>.</summary>
    public static ApplicabilityPolicy Load(string path)
    {
        PolicyFile file = PolicyFile.Load(path);
        string defaultJustification = DefaultJustification;
        var decisions = new Dictionary<string, ApplicabilityDecision>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, _, value) in file.Root.Mapping(["defaultJustification", "controls"]))
        {
            if (key == "defaultJustification")
            {
                defaultJustification = value.Scalar();
                continue;
            }

            if (!value.IsMapping)
            {
                // 'controls:' with nothing under it: every control takes the default.
                if (value.IsSequence)
                {
                    throw value.Error("controls must be a mapping from Annex A ids to decisions, not a list.", "Write each control as 'A.5.1:' with 'applies' and 'justification' indented under it.");
                }

                continue;
            }

            foreach (var (id, idNode, entry) in value.Mapping())
            {
                if (AnnexA.Find(id) is not AnnexAControl known)
                {
                    throw idNode.Error($"'{id}' is not an ISO/IEC 27001:2022 Annex A control id.", "Use an id from A.5.1-A.5.37, A.6.1-A.6.8, A.7.1-A.7.14 or A.8.1-A.8.34, written like 'A.8.5'.");
                }

                string canonical = known.Id;
                if (decisions.ContainsKey(canonical))
                {
                    throw idNode.Error($"{canonical} is listed twice.", "Keep one entry per control.");
                }

                bool applies = true;
                string? justification = null;
                foreach (var (field, _, fieldValue) in entry.Mapping(["applies", "justification"]))
                {
                    if (field == "applies")
                    {
                        string text = fieldValue.Scalar();
                        applies = text switch
                        {
                            "true" or "True" or "yes" => true,
                            "false" or "False" or "no" => false,
                            _ => throw fieldValue.Error($"{canonical}.applies must be true or false, not '{text}'.", "Write 'applies: true' or 'applies: false'."),
                        };
                    }
                    else
                    {
                        justification = fieldValue.Scalar();
                    }
                }

                if (!applies && string.IsNullOrWhiteSpace(justification))
                {
                    throw entry.Error($"{canonical} is excluded (applies: false) without a justification.",
                        "Add 'justification:' saying why the control does not apply; an auditor asks for it for every exclusion.");
                }

                decisions[canonical] = new ApplicabilityDecision(applies, justification ?? defaultJustification,
                    $"{path}:{entry.Line.ToString(CultureInfo.InvariantCulture)}");
            }
        }

        return new ApplicabilityPolicy(decisions, defaultJustification);
    }
}

/// <summary>An IsmsOps control that gives evidence for an Annex A control, with its current outcome.</summary>
/// <param name="ControlId">The IsmsOps control's id.</param>
/// <param name="Title">Its title.</param>
/// <param name="Outcome">Its outcome in the results given.</param>
public sealed record ImplementingControl(string ControlId, string Title, AssessmentOutcome Outcome)
{
    /// <inheritdoc/>
    public override string ToString() => $"{ControlId} ({Outcome})";
}

/// <summary>One line of the statement of applicability.</summary>
public sealed record StatementOfApplicabilityEntry
{
    /// <summary>The Annex A id.</summary>
    public required string Id { get; init; }

    /// <summary>A.5, A.6, A.7 or A.8.</summary>
    public required string Theme { get; init; }

    /// <summary>A short title in IsmsOps' own words.</summary>
    public required string Title { get; init; }

    /// <summary>True when the control is in the ISMS.</summary>
    public bool Applies { get; init; }

    /// <summary>Why it is included or excluded.</summary>
    public required string Justification { get; init; }

    /// <summary>Where the decision came from (policy file:line, or default).</summary>
    public required string DecisionSource { get; init; }

    /// <summary>The IsmsOps controls that reference it, with their outcomes; empty when none does (evidence is kept by hand).</summary>
    public IReadOnlyList<ImplementingControl> ImplementedBy { get; init; } = [];

    /// <summary>
    /// A one-word reading for the auditor: NotApplicable, NotAutomated (applies, no IsmsOps control), Failing (an
    /// implementing control fails or could not run), or Passing.
    /// </summary>
    public string Status => !Applies ? "NotApplicable"
        : ImplementedBy.Count == 0 ? "NotAutomated"
        : ImplementedBy.Any(c => c.Outcome is AssessmentOutcome.Fail or AssessmentOutcome.Error or AssessmentOutcome.Skipped) ? "Failing"
        : "Passing";
}

/// <summary>A format Export-IsmsStatementOfApplicability writes.</summary>
public enum StatementOfApplicabilityFormat
{
    /// <summary>One row per Annex A control.</summary>
    Csv,

    /// <summary>One self-contained page.</summary>
    Html,

    /// <summary>A GitHub-flavoured Markdown table.</summary>
    Markdown,
}

/// <summary>
/// The statement of applicability: every one of the 93 Annex A controls, whether it applies and why (from
/// <see cref="ApplicabilityPolicy"/>), and which IsmsOps controls implement it (from the <c>iso27001:2022</c>
/// references of the control results given) with their current outcomes.
/// </summary>
public static class StatementOfApplicability
{
    /// <summary>The 93 entries, in Annex A order.</summary>
    public static IReadOnlyList<StatementOfApplicabilityEntry> Build(ApplicabilityPolicy policy, IEnumerable<ControlResult> results)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(results);
        var byAnnex = new Dictionary<string, List<ImplementingControl>>(StringComparer.OrdinalIgnoreCase);
        foreach (ControlResult r in results.GroupBy(r => r.Control.Id, StringComparer.OrdinalIgnoreCase).Select(g => g.MaxBy(r => r.Run.EvaluatedAt)!))
        {
            foreach (ControlReference reference in r.Control.References.Where(x => x.Framework.Equals("iso27001:2022", StringComparison.OrdinalIgnoreCase)))
            {
                string id = reference.Id.Trim();
                if (!byAnnex.TryGetValue(id, out List<ImplementingControl>? list))
                {
                    byAnnex[id] = list = [];
                }

                if (!list.Any(c => c.ControlId.Equals(r.Control.Id, StringComparison.OrdinalIgnoreCase)))
                {
                    list.Add(new ImplementingControl(r.Control.Id, r.Control.Title, r.Outcome));
                }
            }
        }

        return AnnexA.Controls.Select(a =>
        {
            ApplicabilityDecision d = policy.For(a.Id);
            return new StatementOfApplicabilityEntry
            {
                Id = a.Id,
                Theme = a.Theme,
                Title = a.Title,
                Applies = d.Applies,
                Justification = d.Justification,
                DecisionSource = d.Source,
                ImplementedBy = byAnnex.TryGetValue(a.Id, out List<ImplementingControl>? list)
                    ? list.OrderBy(c => c.ControlId, StringComparer.OrdinalIgnoreCase).ToList()
                    : [],
            };
        }).ToList();
    }

    /// <summary>The Csv table.</summary>
    public static TableSheet Sheet(IReadOnlyList<StatementOfApplicabilityEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var sheet = new TableSheet("StatementOfApplicability",
            new[] { "Id", "Theme", "Title", "Applies", "Justification", "Status", "ImplementedBy", "DecisionSource" }.Select(n => TableColumn.Text(n, readOnly: true)));
        foreach (StatementOfApplicabilityEntry e in entries)
        {
            sheet.Add(e.Id, e.Theme, e.Title, e.Applies ? "Yes" : "No", e.Justification, e.Status, string.Join("; ", e.ImplementedBy), e.DecisionSource);
        }

        return sheet;
    }

    /// <summary>The Markdown table.</summary>
    public static string Markdown(IReadOnlyList<StatementOfApplicabilityEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var md = new StringBuilder("# Statement of applicability (ISO/IEC 27001:2022 Annex A)\n\n");
        md.Append(CultureInfo.InvariantCulture, $"{entries.Count(e => e.Applies)} of {entries.Count} controls apply; {entries.Count(e => e.ImplementedBy.Count > 0)} have IsmsOps controls giving evidence. Titles are IsmsOps' own short paraphrases, not the standard's text.\n\n");
        md.Append("| Id | Title | Applies | Justification | Status | Implemented by |\n|---|---|---|---|---|---|\n");
        foreach (StatementOfApplicabilityEntry e in entries)
        {
            md.Append(CultureInfo.InvariantCulture, $"| {e.Id} | {AssessmentMarkdown.Escape(e.Title)} | {(e.Applies ? "Yes" : "No")} | {AssessmentMarkdown.Escape(e.Justification)} | {e.Status} | {AssessmentMarkdown.Escape(string.Join(", ", e.ImplementedBy))} |\n");
        }

        return md.ToString();
    }

    /// <summary>The self-contained HTML page.</summary>
    public static string Html(IReadOnlyList<StatementOfApplicabilityEntry> entries, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(entries);
        HtmlPage page = HtmlPage.Begin("Statement of applicability", ".status-Failing{color:#a40e26;font-weight:600}.status-Passing{color:#116329}.status-NotAutomated{color:#7d4e00}.status-NotApplicable{color:#57606a}");
        page.Raw("<h1>").Text("Statement of applicability (ISO/IEC 27001:2022 Annex A)").Raw("</h1>\n<p class=\"muted\">")
            .Text($"Generated {HtmlPage.Time(now)}. {entries.Count(e => e.Applies)} of {entries.Count} controls apply; {entries.Count(e => e.ImplementedBy.Count > 0)} have IsmsOps controls giving evidence. Titles are IsmsOps' own short paraphrases, not the standard's text.")
            .Raw("</p>\n<table id=\"soa-table\">\n").HeaderRow("Id", "Title", "Applies", "Justification", "Status", "Implemented by");
        foreach (StatementOfApplicabilityEntry e in entries)
        {
            page.Raw("<tr>").Cell(e.Id).Cell(e.Title).Cell(e.Applies ? "Yes" : "No").Cell(e.Justification);
            page.Raw($"<td class=\"status-{e.Status}\">").Text(e.Status).Raw("</td>").Cell(string.Join(", ", e.ImplementedBy)).Raw("</tr>\n");
        }

        return page.Raw("</table>\n").End().ToString();
    }

    /// <summary>
    /// Writes the statement in each format: into the folder <paramref name="path"/> as
    /// statement-of-applicability.csv/.html/.md, or, for one format, to <paramref name="path"/> itself when it has an
    /// extension. Existing files are replaced only with <paramref name="force"/>, checked before anything is written.
    /// </summary>
    public static IReadOnlyList<string> Write(IReadOnlyList<StatementOfApplicabilityEntry> entries, IReadOnlyList<StatementOfApplicabilityFormat> formats,
        string path, bool force, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(formats);
        List<StatementOfApplicabilityFormat> distinct = formats.Distinct().ToList();
        bool asFile = distinct.Count == 1 && !Directory.Exists(path) && Path.HasExtension(path);
        var targets = distinct.Select(f => (Format: f, Path: asFile ? path : Path.Combine(path, "statement-of-applicability" + f switch
        {
            StatementOfApplicabilityFormat.Csv => ".csv",
            StatementOfApplicabilityFormat.Html => ".html",
            _ => ".md",
        }))).ToList();
        string[] existing = targets.Where(t => File.Exists(t.Path)).Select(t => t.Path).ToArray();
        if (!force && existing.Length > 0)
        {
            throw new IsmsException("IsmsOps.Assessment.ReportExists", IsmsErrorKind.AlreadyExists,
                $"The file(s) {string.Join(", ", existing.Select(e => $"'{e}'"))} already exist. Nothing was written.", "Add -Force to replace them, or name another -Path.", existing[0]);
        }

        var utf8 = new UTF8Encoding(false);
        foreach (var (format, file) in targets)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(file))!);
            switch (format)
            {
                case StatementOfApplicabilityFormat.Csv:
                    CsvTableWriter.Write(file, Sheet(entries));
                    break;
                case StatementOfApplicabilityFormat.Html:
                    byte[] html = utf8.GetBytes(Html(entries, now));
                    TableFile.WriteAtomically(file, s => s.Write(html));
                    break;
                default:
                    byte[] md = utf8.GetBytes(Markdown(entries));
                    TableFile.WriteAtomically(file, s => s.Write(md));
                    break;
            }
        }

        return targets.Select(t => Path.GetFullPath(t.Path)).ToList();
    }
}
