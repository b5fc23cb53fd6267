using System.Management.Automation;
using IsmsOps.Engine.Assessment;
using IsmsOps.Engine.Assessment.Reports;

namespace IsmsOps.PowerShell.Tests;

/// <summary>The assessment report cmdlets in a real PowerShell engine, fed from Json reports written with the engine's own writer.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class AssessmentReportCmdletTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 6, 0, 0, TimeSpan.Zero);

    private static ControlResult Result(AssessmentRunInfo run, string id, ControlSeverity severity, string annexA, params (string Id, AssessmentOutcome Outcome)[] findings) => new()
    {
        Run = run,
        Control = new ControlSummary
        {
            Id = id,
            Title = $"Title of {id}",
            Severity = severity,
            ResourceType = "account",
            References = [new ControlReference("iso27001:2022", annexA)],
            Remediation = "Run Set-IsmsPerson.",
        },
        Outcome = findings.Any(f => f.Outcome == AssessmentOutcome.Fail) ? AssessmentOutcome.Fail : AssessmentOutcome.Pass,
        Findings = findings.Select(f => new AssessmentFinding { ControlId = id, ResourceType = "account", ResourceId = f.Id, ResourceName = $"<b>{f.Id}</b>", Outcome = f.Outcome }).ToList(),
    };

    private static string WriteRun(string folder, string name, DateTimeOffset at, bool offboardingFails)
    {
        var run = new AssessmentRunInfo { RunId = Guid.NewGuid().ToString(), EvaluatedAt = at, CompletedAt = at.AddSeconds(1), Source = "snapshot.json", ToolVersion = "0.1.0" };
        ControlResult[] results =
        [
            Result(run, "ISMS-PRV-001", ControlSeverity.Critical, "A.8.2", ("ra-1", AssessmentOutcome.Fail), ("ra-2", AssessmentOutcome.Pass)),
            Result(run, "ISMS-OFF-001", ControlSeverity.High, "A.5.18", ("u-1", offboardingFails ? AssessmentOutcome.Fail : AssessmentOutcome.Pass)),
            Result(run, "ISMS-PEO-001", ControlSeverity.Medium, "A.6.1", ("p-1", AssessmentOutcome.Pass)),
        ];
        string path = Path.Combine(folder, name);
        File.WriteAllBytes(path, AssessmentReportJson.Write(results));
        return path;
    }

    [Fact]
    public void Imported_results_export_every_format_into_a_folder_with_the_drift_and_an_existing_report_is_refused_without_force()
    {
        using var ps = new PowerShellSession();
        string before = WriteRun(ps.Home, "before.json", Now.AddDays(-7), offboardingFails: false);
        string now = WriteRun(ps.Home, "now.json", Now, offboardingFails: true);
        string reports = Path.Combine(ps.Home, "reports");

        List<PSObject> files = [.. ps.Run($"Import-IsmsAssessment -Path '{now}' | Export-IsmsAssessmentReport -Format Html,Json,Csv,Markdown,MarkdownSummary,JUnit,Sarif,Oscal -Path '{reports}' -ReferencePath '{before}'")];
        Assert.Empty(ps.Errors);
        ps.Run($"Import-IsmsAssessment -Path '{now}' | Export-IsmsAssessmentReport -Format Html -Path '{reports}'");
        ErrorRecord refused = Assert.Single(ps.Errors);
        ps.Errors.Clear();
        List<PSObject> forced = [.. ps.Run($"Import-IsmsAssessment -Path '{now}' | Export-IsmsAssessmentReport -Format Html -Path '{reports}' -Force")];

        Assert.Equal(8, files.Count);
        Assert.Equal(8, Directory.GetFiles(reports).Length);
        Assert.All(files, f => Assert.Equal(3, f.Properties["Controls"].Value));
        string summary = File.ReadAllText(Path.Combine(reports, "assessment-summary.md"));
        Assert.Contains("1 new failure(s), 0 fixed, 1 still failing", summary);
        Assert.Contains("- **ISMS\\-OFF\\-001** (High)", summary);
        Assert.Equal("IsmsOps.Assessment.ReportExists", refused.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("-Force", refused.ErrorDetails.RecommendedAction);
        Assert.Empty(ps.Errors);
        Assert.Single(forced);
        // The Json the module wrote reads back to the same results the test wrote.
        Assert.Equal(AssessmentReportJson.Write(AssessmentReportJson.Read(now)), AssessmentReportJson.Write(AssessmentReportJson.Read(Path.Combine(reports, "assessment.json"))));
    }

    [Fact]
    public void Compare_takes_report_paths_or_piped_results_and_writes_the_drift_per_resource()
    {
        var host = new RecordingHost();
        using var ps = new PowerShellSession(host: host);
        string before = WriteRun(ps.Home, "before.json", Now.AddDays(-7), offboardingFails: false);
        string now = WriteRun(ps.Home, "now.json", Now, offboardingFails: true);

        List<PSObject> byPath = [.. ps.Run($"Compare-IsmsAssessment -ReferenceObject '{before}' -DifferenceObject '{now}'")];
        List<PSObject> piped = [.. ps.Run($"Import-IsmsAssessment '{now}' | Compare-IsmsAssessment -ReferenceObject (Import-IsmsAssessment '{before}')")];
        host.Clear();
        ps.Run($"Compare-IsmsAssessment '{before}' '{now}' | Out-Default");
        // The host renders headers with ANSI colours; the view's columns are what matters here.
        string table = System.Text.RegularExpressions.Regex.Replace(string.Join("\n", host.Lines), "\u001b\\[[0-9;]*m", "");
        ps.Run("Compare-IsmsAssessment -ReferenceObject 42 -DifferenceObject 'x'");

        Assert.Equal(["NewFailure ISMS-OFF-001 u-1", "StillFailing ISMS-PRV-001 ra-1"],
            byPath.Select(d => $"{d.Properties["Kind"].Value} {d.Properties["ControlId"].Value} {d.Properties["ResourceId"].Value}").Order(StringComparer.Ordinal));
        Assert.Equal(byPath.Select(d => d.ToString()), piped.Select(d => d.ToString()));
        Assert.Matches("Kind\\s+ControlId\\s+Severity\\s+Resource\\s+Was\\s+Now", table);
        Assert.Matches("NewFailure\\s+ISMS-OFF-001\\s+High\\s+<b>u-1</b>\\s+Pass\\s+Fail", table);
        Assert.Equal("IsmsOps.Assessment.NotAResult", Assert.Single(ps.Errors).FullyQualifiedErrorId.Split(',')[0]);
    }

    [Fact]
    public void The_statement_of_applicability_lists_all_93_controls_with_the_implementing_controls_of_the_piped_results()
    {
        using var ps = new PowerShellSession();
        string now = WriteRun(ps.Home, "now.json", Now, offboardingFails: true);
        string soa = Path.Combine(ps.Home, "soa");

        List<PSObject> output = [.. ps.Run($"Import-IsmsAssessment '{now}' | Export-IsmsStatementOfApplicability -Format Csv,Markdown,Html -Path '{soa}' -PassThru")];

        Assert.Empty(ps.Errors);
        Assert.Equal(3, output.Count(o => o.BaseObject is FileInfo));
        List<PSObject> entries = output.Where(o => o.BaseObject is not FileInfo).ToList();
        Assert.Equal(93, entries.Count);
        Assert.Equal(93, entries.Select(e => (string)e.Properties["Id"].Value).Distinct().Count());
        PSObject a518 = entries.Single(e => (string)e.Properties["Id"].Value == "A.5.18");
        Assert.Equal("Failing", a518.Properties["Status"].Value);
        Assert.Equal("ISMS-OFF-001 (Fail)", string.Join(",", ((System.Collections.IEnumerable)a518.Properties["ImplementedBy"].Value).Cast<object>()));
        Assert.Equal(94, File.ReadAllLines(Path.Combine(soa, "statement-of-applicability.csv")).Length);
    }

    [Fact]
    public void WhatIf_names_the_target_and_writes_no_report()
    {
        var host = new RecordingHost();
        using var ps = new PowerShellSession(host: host);
        string now = WriteRun(ps.Home, "now.json", Now, offboardingFails: true);
        string reports = Path.Combine(ps.Home, "reports");

        List<PSObject> output = [.. ps.Run($"Import-IsmsAssessment '{now}' | Export-IsmsAssessmentReport -Format Html,Sarif -Path '{reports}' -WhatIf")];
        ps.Run($"Import-IsmsAssessment '{now}' | Export-IsmsStatementOfApplicability -Path '{reports}' -WhatIf");

        Assert.Empty(ps.Errors);
        Assert.Empty(output);
        Assert.False(Directory.Exists(reports));
        Assert.Equal(2, host.WhatIfLines.Count);
        Assert.Contains($"\"{reports}\"", host.WhatIfLines[0]);
        Assert.Contains("Html, Sarif", host.WhatIfLines[0]);
        Assert.Contains("statement of applicability", host.WhatIfLines[1]);
    }
}
