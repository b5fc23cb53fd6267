using System.Text;
using System.Text.Json;
using System.Xml.Linq;
using IsmsOps.Engine.Assessment;
using IsmsOps.Engine.Assessment.Reports;
using IsmsOps.Engine.Tables;

namespace IsmsOps.Engine.Tests.Assessment;

public sealed class AssessmentReportFormatTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ismsops-assessment-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_json_report_reads_back_into_the_same_control_results_with_waivers_skips_and_errors()
    {
        List<ControlResult> results = AssessmentRunFixture.Results();
        string path = Path.Combine(_folder, "run.json");
        File.WriteAllBytes(path, AssessmentReportJson.Write(results));

        IReadOnlyList<ControlResult> read = AssessmentReportJson.Read(path);

        Assert.Equal(results.Count, read.Count);
        Assert.Equal(AssessmentReportJson.Write(results), AssessmentReportJson.Write(read));
        ControlResult waived = read.Single(r => r.Control.Id == "ISMS-PRV-004");
        AssessmentFinding finding = waived.Findings.Single(f => f.Outcome == AssessmentOutcome.Waived);
        Assert.Equal(AssessmentOutcome.Fail, finding.OriginalOutcome);
        Assert.Equal("ciso@contoso.example", waived.Waivers.Single().Approver);
        Assert.Equal(new DateTimeOffset(2027, 1, 31, 0, 0, 0, TimeSpan.Zero), waived.Waivers.Single().ExpiresOn);
        ControlResult skipped = read.Single(r => r.Control.Id == "ISMS-SIG-001");
        Assert.Equal((AssessmentOutcome.Skipped, AssessmentSkipReason.NotLicensed), (skipped.Outcome, skipped.SkipReason));
        Assert.Equal(AssessmentRunFixture.ScriptName, read.Single(r => r.Control.Id == "ISMS-PRV-001").Findings[0].ResourceName);
        Assert.Equal(results[0].Run with { PhaseTimings = [] }, read[0].Run with { PhaseTimings = [] });
        Assert.Equal(results[0].Run.PhaseTimings, read[0].Run.PhaseTimings);
        Assert.Equal("90", read[0].Control.Parameters["maxInactiveDays"]);
    }

    [Fact]
    public void A_file_that_is_not_an_assessment_report_is_refused_with_its_location()
    {
        string sarif = Path.Combine(_folder, "a.sarif");
        File.WriteAllBytes(sarif, AssessmentSarif.Write(AssessmentRunFixture.Results()));
        string broken = Path.Combine(_folder, "broken.json");
        File.WriteAllText(broken, "{\n  \"format\": \"ismsops-assessment-results\",\n  \"results\": [ { \"outcome\": \"Maybe\" } ]\n}");

        IsmsException notOurs = Assert.Throws<IsmsException>(() => AssessmentReportJson.Read(sarif));
        IsmsException bad = Assert.Throws<IsmsException>(() => AssessmentReportJson.Read(broken));

        Assert.Equal("IsmsOps.Assessment.InvalidReport", notOurs.ErrorId);
        Assert.Contains("not an IsmsOps assessment report", notOurs.Message);
        Assert.Equal("IsmsOps.Assessment.InvalidReport", bad.ErrorId);
        Assert.StartsWith($"{broken}:3:", bad.Message);
    }

    [Fact]
    public void The_csv_report_has_a_row_per_finding_and_per_control_without_findings_and_guards_formulas()
    {
        List<ControlResult> results = AssessmentRunFixture.Results();
        string path = Path.Combine(_folder, "run.csv");
        AssessmentReportWriter.Write(results, new AssessmentReportRequest { Formats = [AssessmentReportFormat.Csv], Path = path });

        TableReadResult table = CsvTableReader.Read(path);
        string raw = File.ReadAllText(path);

        int expected = results.Sum(r => Math.Max(1, r.Findings.Count));
        Assert.Equal(expected, table.Rows.Count);
        Assert.Contains("\"'=HYPERLINK(", raw);
        Assert.DoesNotContain(",=HYPERLINK", raw);
        Assert.Contains(table.Rows, r => r.Cells["ResourceName"] == AssessmentRunFixture.Formula);
        TableRow waived = table.Rows.Single(r => r.Cells["Outcome"] == "Waived");
        Assert.Equal(("Fail", "WVR-0001", "ciso@contoso.example", "2027-01-31"),
            (waived.Cells["OriginalOutcome"], waived.Cells["WaiverId"], waived.Cells["WaiverApprover"], waived.Cells["WaiverExpiresOn"]));
        Assert.Equal("NotLicensed", table.Rows.Single(r => r.Cells["ControlId"] == "ISMS-SIG-001").Cells["SkipReason"]);
    }

    [Fact]
    public void Markdown_escapes_names_so_they_cannot_break_a_table_or_inject_html_and_caps_long_resource_lists()
    {
        string md = AssessmentMarkdown.Full(AssessmentRunFixture.Results());

        Assert.DoesNotContain("<script", md);
        Assert.DoesNotContain("<img", md);
        Assert.DoesNotContain("<b>", md);
        Assert.DoesNotContain("| **bold**", md);
        Assert.Contains("&lt;script&gt;", md);
        Assert.Contains("\\| \\*\\*bold\\*\\* \\[link\\]\\(http", md);
        Assert.Equal(AssessmentMarkdown.ResourcesPerControl, md.Split('\n').Count(l => l.StartsWith("| user", StringComparison.Ordinal)));
        Assert.Contains("and 80 more failing resource(s)", md);
        Assert.Contains("| ISMS\\-PRV\\-004 | breakglass\\@contoso.example | Fail | WVR\\-0001 | AcceptedRisk | ciso\\@contoso.example | 2027-01-31", md);
        Assert.Contains("| ISMS\\-AUD\\-001 | Error |", md);
        Assert.Contains("| ISMS\\-SIG\\-001 | Skipped | NotLicensed", md);
        string[] hostileRows = md.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && l.Contains("| ra\\-", StringComparison.Ordinal)).ToArray();
        Assert.Equal(3, hostileRows.Length);
        // Each row of the Resource | Id | Why table keeps its four cell borders: no name split a row.
        Assert.All(hostileRows, row => Assert.Equal(4, row.Replace("\\|", "").Count(c => c == '|')));
    }

    [Fact]
    public void The_pull_request_summary_counts_outcomes_names_new_failing_controls_and_lists_critical_and_high_failures()
    {
        List<ControlResult> now = AssessmentRunFixture.Results();
        // The reference run: the offboarding control passed, the privileged one already failed.
        List<ControlResult> before = AssessmentRunFixture.Results(AssessmentRunFixture.Run("6f9619ff-8b86-4011-b42d-00c04fc964ff", AssessmentRunFixture.EvaluatedAt.AddDays(-7)))
            .Select(r => r.Control.Id == "ISMS-OFF-001"
                ? r with { Outcome = AssessmentOutcome.Pass, Findings = r.Findings.Select(f => f with { Outcome = AssessmentOutcome.Pass }).ToList() }
                : r).ToList();

        string md = AssessmentMarkdown.Summary(now, before);

        Assert.StartsWith("### IsmsOps assessment: 4 failing control(s)", md);
        Assert.Contains("| 9 | 1 | 4 | 1 | 1 | 1 | 1 |", md);
        Assert.Contains("1 new failure(s), 0 fixed, 134 still failing", md);
        string newFailing = md[md.IndexOf("#### New failing controls", StringComparison.Ordinal)..md.IndexOf("#### Critical and High", StringComparison.Ordinal)];
        Assert.Contains("**ISMS\\-OFF\\-001** (High)", newFailing);
        Assert.DoesNotContain("ISMS\\-PRV\\-001", newFailing);
        string serious = md[md.IndexOf("#### Critical and High", StringComparison.Ordinal)..];
        Assert.Contains("| ISMS\\-PRV\\-001 | Critical |", serious);
        Assert.Contains("| ISMS\\-OFF\\-001 | High |", serious);
        Assert.DoesNotContain("ISMS\\-ACC\\-002", serious);
        Assert.DoesNotContain("<script", md);
        Assert.True(Encoding.UTF8.GetByteCount(md) < 65536, "a GitHub comment holds at most 65536 characters");
    }

    [Fact]
    public void JUnit_has_a_suite_per_domain_a_case_per_control_and_failure_error_and_skipped_elements_by_outcome()
    {
        XDocument xml = XDocument.Parse(Encoding.UTF8.GetString(AssessmentJUnit.Write(AssessmentRunFixture.Results())));

        XElement root = xml.Root!;
        Assert.Equal("testsuites", root.Name.LocalName);
        Assert.Equal(["A.5 Organisational controls", "A.6 People controls", "A.8 Technological controls", "Not mapped to Annex A or CLD"],
            root.Elements("testsuite").Select(s => (string)s.Attribute("name")!).ToArray());
        Assert.Equal("9", (string?)root.Attribute("tests"));
        Assert.Equal("3", (string?)root.Attribute("failures"));
        Assert.Equal("1", (string?)root.Attribute("errors"));
        Assert.Equal("2", (string?)root.Attribute("skipped"));
        XElement Case(string id) => root.Descendants("testcase").Single(c => ((string)c.Attribute("name")!).StartsWith(id + ":", StringComparison.Ordinal));
        XElement failure = Case("ISMS-PRV-001").Element("failure")!;
        Assert.Equal("Critical", (string?)failure.Attribute("type"));
        Assert.Contains(AssessmentRunFixture.ScriptName, failure.Value);
        Assert.Contains("Remediation: Run Set-IsmsPerson", failure.Value);
        Assert.Contains("the audit trail could not be read", (string)Case("ISMS-AUD-001").Element("error")!.Attribute("message")!);
        Assert.StartsWith("NotLicensed", (string)Case("ISMS-SIG-001").Element("skipped")!.Attribute("message")!);
        Assert.Null(Case("ISMS-INF-001").Element("failure"));
        Assert.Contains("Info severity", Case("ISMS-INF-001").Element("system-out")!.Value);
        Assert.Null(Case("ISMS-PRV-004").Element("failure"));
        Assert.Contains("WVR-0001", Case("ISMS-PRV-004").Element("system-out")!.Value);
        Assert.Equal(130, Case("ISMS-ACC-002").Element("failure")!.Value.Split('\n').Count(l => l.StartsWith("account user", StringComparison.Ordinal)));
    }

    [Fact]
    public void Sarif_has_a_rule_per_control_and_a_result_per_failing_or_waived_finding_with_a_logical_location_and_level_by_severity()
    {
        List<ControlResult> results = AssessmentRunFixture.Results();
        using JsonDocument sarif = JsonDocument.Parse(AssessmentSarif.Write(results));

        JsonElement root = sarif.RootElement;
        Assert.Equal("2.1.0", root.GetProperty("version").GetString());
        Assert.Equal(AssessmentSarif.SchemaUri, root.GetProperty("$schema").GetString());
        JsonElement run = root.GetProperty("runs").EnumerateArray().Single();
        JsonElement[] rules = run.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray().ToArray();
        Assert.Equal(results.Count, rules.Length);
        Assert.All(rules, r => Assert.Contains("Remediation: Run Set-IsmsPerson", r.GetProperty("help").GetProperty("text").GetString()));
        JsonElement[] found = run.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(results.Sum(r => r.Findings.Count(f => f.Outcome is AssessmentOutcome.Fail or AssessmentOutcome.Waived)), found.Length);
        foreach (JsonElement result in found)
        {
            string ruleId = result.GetProperty("ruleId").GetString()!;
            Assert.Equal(ruleId, rules[result.GetProperty("ruleIndex").GetInt32()].GetProperty("id").GetString());
            JsonElement logical = result.GetProperty("locations")[0].GetProperty("logicalLocations")[0];
            Assert.Equal("resource", logical.GetProperty("kind").GetString());
            Assert.Contains("/", logical.GetProperty("fullyQualifiedName").GetString());
            Assert.False(string.IsNullOrEmpty(result.GetProperty("message").GetProperty("text").GetString()));
        }

        string LevelOf(string ruleId) => found.First(r => r.GetProperty("ruleId").GetString() == ruleId).GetProperty("level").GetString()!;
        Assert.Equal(("error", "warning", "note"), (LevelOf("ISMS-PRV-001"), LevelOf("ISMS-ACC-002"), LevelOf("ISMS-INF-001")));
        JsonElement waived = found.Single(r => r.TryGetProperty("suppressions", out _));
        Assert.Equal("accepted", waived.GetProperty("suppressions")[0].GetProperty("status").GetString());
        Assert.Contains("ciso@contoso.example", waived.GetProperty("suppressions")[0].GetProperty("justification").GetString());
        Assert.Equal(2, run.GetProperty("invocations")[0].GetProperty("toolExecutionNotifications").GetArrayLength());
        Assert.Equal("u-001", found.First().GetProperty("properties").GetProperty("resourceId").GetString());
    }

    [Fact]
    public void Several_formats_go_into_one_folder_and_an_existing_file_stops_the_export_before_anything_is_written_unless_forced()
    {
        List<ControlResult> results = AssessmentRunFixture.Results();
        AssessmentReportFormat[] all = Enum.GetValues<AssessmentReportFormat>();
        string folder = Path.Combine(_folder, "reports");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "assessment.sarif"), "old");

        IsmsException refused = Assert.Throws<IsmsException>(() => AssessmentReportWriter.Write(results, new AssessmentReportRequest { Formats = all, Path = folder }));
        string[] afterRefusal = Directory.GetFiles(folder);
        IReadOnlyList<AssessmentReportFile> written = AssessmentReportWriter.Write(results, new AssessmentReportRequest { Formats = all, Path = folder, Force = true });

        Assert.Equal("IsmsOps.Assessment.ReportExists", refused.ErrorId);
        Assert.Contains("assessment.sarif", refused.Message);
        Assert.Equal([Path.Combine(folder, "assessment.sarif")], afterRefusal);
        Assert.Equal(all.Length, written.Count);
        Assert.All(written, f => Assert.True(new FileInfo(f.Path).Length > 100, f.Path));
        Assert.Equal(all.Select(AssessmentReportFileNames.Of).Order(), Directory.GetFiles(folder).Select(Path.GetFileName).Order());
        Assert.NotEqual("old", File.ReadAllText(Path.Combine(folder, "assessment.sarif")));
    }

    [Fact]
    public void No_results_write_no_report_rather_than_one_that_reads_as_all_clear()
    {
        string folder = Path.Combine(_folder, "empty");

        IsmsException error = Assert.Throws<IsmsException>(() => AssessmentReportWriter.Write([], new AssessmentReportRequest { Formats = [AssessmentReportFormat.Html], Path = folder }));

        Assert.Equal("IsmsOps.Assessment.NoResults", error.ErrorId);
        Assert.False(Directory.Exists(folder));
    }

    [Fact]
    public void Several_formats_to_a_path_that_is_a_file_are_refused()
    {
        string file = Path.Combine(_folder, "taken.html");
        File.WriteAllText(file, "mine");

        IsmsException error = Assert.Throws<IsmsException>(() => AssessmentReportWriter.Write(AssessmentRunFixture.Results(),
            new AssessmentReportRequest { Formats = [AssessmentReportFormat.Html, AssessmentReportFormat.Json], Path = file, Force = true }));

        Assert.Equal("IsmsOps.Assessment.PathIsFile", error.ErrorId);
        Assert.Equal("mine", File.ReadAllText(file));
    }
}

/// <summary>The SARIF report against the OASIS SARIF 2.1.0 JSON Schema that the Sarif.Sdk package ships.</summary>
public sealed class AssessmentSarifSchemaTests
{
    private static readonly Lazy<NJsonSchema.JsonSchema> Schema = new(() =>
        NJsonSchema.JsonSchema.FromJsonAsync(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Schemata", "sarif-2.1.0.json"))).GetAwaiter().GetResult());

    [Fact]
    public void The_validator_rejects_sarif_with_a_bad_level_or_no_version_and_our_report_validates()
    {
        string ours = Encoding.UTF8.GetString(AssessmentSarif.Write(AssessmentRunFixture.Results()));
        string badLevel = ours.Replace("\"level\": \"warning\"", "\"level\": \"fatal\"", StringComparison.Ordinal);
        System.Text.Json.Nodes.JsonNode noVersion = System.Text.Json.Nodes.JsonNode.Parse(ours)!;
        noVersion.AsObject().Remove("version");

        Assert.NotEqual(ours, badLevel);
        Assert.NotEmpty(Schema.Value.Validate(badLevel));
        Assert.Contains(Schema.Value.Validate(noVersion.ToJsonString()), e => e.Property == "version");
        ICollection<NJsonSchema.Validation.ValidationError> errors = Schema.Value.Validate(ours);
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{e.Path}: {e.Kind}")));
    }
}
