namespace IsmsOps.Engine.Assessment.Reports;

/// <summary>A format Export-IsmsAssessmentReport writes.</summary>
public enum AssessmentReportFormat
{
    /// <summary>One self-contained page: summary by ISO domain with a chart, failing controls, waivers, errors and skips.</summary>
    Html,

    /// <summary>The full run, readable again by Import-IsmsAssessment.</summary>
    Json,

    /// <summary>One row per finding (and one per control that did not run).</summary>
    Csv,

    /// <summary>The full report in GitHub-flavoured Markdown.</summary>
    Markdown,

    /// <summary>A short Markdown summary for a pull-request comment, with the drift when a reference run is given.</summary>
    MarkdownSummary,

    /// <summary>JUnit XML: a test suite per ISO domain, a test case per control.</summary>
    JUnit,

    /// <summary>SARIF 2.1.0: rules are controls, results are failing findings.</summary>
    Sarif,

    /// <summary>OSCAL 1.1.2 assessment-results JSON.</summary>
    Oscal,
}

/// <summary>One file an export wrote.</summary>
/// <param name="Format">Its format.</param>
/// <param name="Path">The full path.</param>
/// <param name="Length">Its size in bytes.</param>
/// <param name="Controls">How many control results it describes.</param>
public sealed record AssessmentReportFile(AssessmentReportFormat Format, string Path, long Length, int Controls);

/// <summary>The file name each format gets when the export writes into a folder.</summary>
public static class AssessmentReportFileNames
{
    /// <summary>assessment.html, assessment.json, assessment.csv, assessment.md, assessment-summary.md, assessment.junit.xml, assessment.sarif, assessment.oscal.json.</summary>
    public static string Of(AssessmentReportFormat format) => format switch
    {
        AssessmentReportFormat.Html => "assessment.html",
        AssessmentReportFormat.Json => "assessment.json",
        AssessmentReportFormat.Csv => "assessment.csv",
        AssessmentReportFormat.Markdown => "assessment.md",
        AssessmentReportFormat.MarkdownSummary => "assessment-summary.md",
        AssessmentReportFormat.JUnit => "assessment.junit.xml",
        AssessmentReportFormat.Sarif => "assessment.sarif",
        AssessmentReportFormat.Oscal => "assessment.oscal.json",
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };
}
