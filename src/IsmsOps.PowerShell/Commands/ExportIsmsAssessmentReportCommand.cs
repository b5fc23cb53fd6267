using System.Management.Automation;
using IsmsOps.Engine.Assessment;
using IsmsOps.Engine.Assessment.Reports;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Writes an assessment's control results as reports: Html, Json, Csv, Markdown, a pull-request summary, JUnit, SARIF and OSCAL.</summary>
/// <remarks>
/// Takes the control results Invoke-IsmsAssessment or Import-IsmsAssessment write, and writes every format named by
/// -Format. With several formats -Path is a folder (created when missing) holding assessment.html, assessment.json,
/// assessment.csv, assessment.md, assessment-summary.md, assessment.junit.xml, assessment.sarif and
/// assessment.oscal.json; with one format -Path may name the file itself. Each file is written through a temporary
/// file and renamed into place. Existing files are replaced only with -Force; otherwise the export stops before
/// writing anything (IsmsOps.Assessment.ReportExists).
/// Html is one self-contained page (no script, no external reference): a summary by ISO domain with a chart, each
/// failing control with its failing resources and remediation, the waived findings with their waivers, and the
/// controls that could not run. Json holds the whole run and is read back by Import-IsmsAssessment. Csv has one row
/// per finding, guarded against spreadsheet formulas. Markdown is the full report; MarkdownSummary is short enough for
/// a pull-request comment and, given -ReferencePath or -ReferenceObject, says what newly fails and what was fixed.
/// JUnit has a test suite per ISO domain and a test case per control; SARIF 2.1.0 has the controls as rules and the
/// failing findings as results; OSCAL is an OSCAL 1.1.2 assessment-results document. docs/assessment-reports.md
/// describes each format.
/// Graph permissions: none (the results are already evaluated).
/// </remarks>
/// <example>
/// <code>Invoke-IsmsAssessment | Export-IsmsAssessmentReport -Format Html,Json,JUnit,Sarif -Path ./reports</code>
/// <para>Evaluates the baseline and writes four reports into ./reports.</para>
/// </example>
/// <example>
/// <code>Import-IsmsAssessment ./reports/assessment.json | Export-IsmsAssessmentReport -Format MarkdownSummary -Path ./comment.md -ReferencePath ./main/assessment.json -Force</code>
/// <para>Writes a pull-request comment that names the controls failing now and not on the main branch.</para>
/// </example>
[Cmdlet(VerbsData.Export, "IsmsAssessmentReport", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(AssessmentReportFile))]
public sealed class ExportIsmsAssessmentReportCommand : IsmsCmdlet
{
    private readonly List<ControlResult> _results = [];

    /// <summary>The control results to report, as Invoke-IsmsAssessment or Import-IsmsAssessment write them.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true)]
    [ValidateNotNull]
    public ControlResult[] InputObject { get; set; } = [];

    /// <summary>The formats to write: Html, Json, Csv, Markdown, MarkdownSummary, JUnit, Sarif, Oscal. Html when not given.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public AssessmentReportFormat[] Format { get; set; } = [AssessmentReportFormat.Html];

    /// <summary>A folder to write the reports into (created when missing), or for a single format the file to write.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Alias("PSPath", "LiteralPath")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Replaces report files that already exist.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>An earlier run's results, for the drift in the MarkdownSummary (new failures, fixed, still failing).</summary>
    [Parameter]
    public ControlResult[]? ReferenceObject { get; set; }

    /// <summary>An earlier run's Json report, for the drift in the MarkdownSummary; an alternative to -ReferenceObject.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ReferencePath { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => _results.AddRange(InputObject);

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        string target = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (!ShouldProcess(target, $"Write the assessment report ({string.Join(", ", Format.Distinct())}) of {_results.Count} control result(s)"))
        {
            return;
        }

        StopOnError(() =>
        {
            IReadOnlyList<ControlResult>? reference = ReferenceObject;
            if (ReferencePath is not null)
            {
                reference = AssessmentReportJson.Read(SessionState.Path.GetUnresolvedProviderPathFromPSPath(ReferencePath));
            }

            var request = new AssessmentReportRequest { Formats = Format, Path = target, Force = Force, Reference = reference };
            foreach (AssessmentReportFile file in AssessmentReportWriter.Write(_results, request))
            {
                WriteObject(file);
            }
        });
    }
}
