using System.Globalization;
using IsmsOps.Engine.Tables;

namespace IsmsOps.Engine.Assessment.Reports;

/// <summary>
/// The Csv report: one row per finding, and one row (without a resource) per control that has no finding (an Error,
/// Skipped or NotApplicable control), so every control appears. Written through the table layer, which guards every
/// cell against formula injection: a resource named <c>=HYPERLINK(...)</c> opens in Excel as text.
/// </summary>
public static class AssessmentCsv
{
    private static readonly string[] Columns =
    [
        "RunId", "EvaluatedAt", "ControlId", "Title", "Severity", "ControlOutcome", "SkipReason", "ResourceType", "ResourceId", "ResourceName",
        "Outcome", "OriginalOutcome", "WaiverId", "WaiverApprover", "WaiverExpiresOn", "Message", "Error", "References", "Remediation",
    ];

    /// <summary>The table of findings.</summary>
    public static TableSheet Sheet(IReadOnlyList<ControlResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var sheet = new TableSheet("Findings", Columns.Select(c => TableColumn.Text(c, readOnly: true)));
        foreach (ControlResult r in results)
        {
            string references = string.Join("; ", r.Control.References);
            string evaluated = r.Run.EvaluatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
            string? skip = r.Outcome == AssessmentOutcome.Skipped ? r.SkipReason.ToString() : null;
            if (r.Findings.Count == 0)
            {
                sheet.Add(r.Run.RunId, evaluated, r.Control.Id, r.Control.Title, r.Control.Severity.ToString(), r.Outcome.ToString(), skip,
                    r.Control.ResourceType, null, null, r.Outcome.ToString(), null, null, null, null, r.Message, null, references, r.Control.Remediation);
                continue;
            }

            foreach (AssessmentFinding f in r.Findings)
            {
                AppliedWaiver? w = AssessmentMarkdown.WaiverOf(r, f);
                sheet.Add(r.Run.RunId, evaluated, r.Control.Id, r.Control.Title, r.Control.Severity.ToString(), r.Outcome.ToString(), skip,
                    f.ResourceType, f.ResourceId, f.ResourceName, f.Outcome.ToString(), f.OriginalOutcome?.ToString(), f.WaiverId, w?.Approver,
                    TableColumn.FormatDate(w?.ExpiresOn), f.Message, f.Error, references, r.Control.Remediation);
            }
        }

        return sheet;
    }
}
