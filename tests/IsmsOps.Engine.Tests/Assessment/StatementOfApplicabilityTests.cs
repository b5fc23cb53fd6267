using IsmsOps.Engine.Assessment;
using IsmsOps.Engine.Assessment.Applicability;
using IsmsOps.Engine.Policies;
using IsmsOps.Engine.Tables;
using IsmsOps.Engine.Tests.Roles;

namespace IsmsOps.Engine.Tests.Assessment;

public sealed class StatementOfApplicabilityTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ismsops-soa-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void Annex_a_lists_all_93_controls_once_each_in_the_four_themes()
    {
        IReadOnlyList<AnnexAControl> controls = AnnexA.Controls;

        Assert.Equal(93, controls.Count);
        Assert.Equal(93, controls.Select(c => c.Id).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal(93, controls.Select(c => c.Title).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.Equal([("A.5", 37), ("A.6", 8), ("A.7", 14), ("A.8", 34)], controls.GroupBy(c => c.Theme).Select(g => (g.Key, g.Count())));
        Assert.Equal(["A.5.1", "A.5.37", "A.6.1", "A.6.8", "A.7.1", "A.7.14", "A.8.1", "A.8.34"],
            controls.GroupBy(c => c.Theme).SelectMany(g => new[] { g.First().Id, g.Last().Id }));
    }

    [Fact]
    public void The_statement_lists_every_control_with_its_decision_and_the_implementing_controls_with_their_outcomes()
    {
        string policy = Path.Combine(_folder, ApplicabilityPolicy.FileName);
        File.WriteAllText(policy, """
            defaultJustification: In scope of the ISMS.
            controls:
              A.7.4:
                applies: false
                justification: No premises of our own.
              A.5.18:
                justification: Access rights are the core of the ISMS.
            """);

        IReadOnlyList<StatementOfApplicabilityEntry> entries = StatementOfApplicability.Build(ApplicabilityPolicy.Load(policy), AssessmentRunFixture.Results());

        Assert.Equal(AnnexA.Controls.Select(c => c.Id), entries.Select(e => e.Id));
        StatementOfApplicabilityEntry Entry(string id) => entries.Single(e => e.Id == id);
        Assert.Equal((false, "No premises of our own.", "NotApplicable"), (Entry("A.7.4").Applies, Entry("A.7.4").Justification, Entry("A.7.4").Status));
        Assert.Equal($"{policy}:4", Entry("A.7.4").DecisionSource);
        Assert.Equal((true, "Access rights are the core of the ISMS."), (Entry("A.5.18").Applies, Entry("A.5.18").Justification));
        Assert.Equal(["ISMS-ACC-002 (Fail)", "ISMS-OFF-001 (Fail)"], Entry("A.5.18").ImplementedBy.Select(c => c.ToString()));
        Assert.Equal("Failing", Entry("A.5.18").Status);
        Assert.Equal(["ISMS-PEO-001 (Pass)"], Entry("A.6.1").ImplementedBy.Select(c => c.ToString()));
        Assert.Equal("Passing", Entry("A.6.1").Status);
        Assert.Equal((true, "In scope of the ISMS.", "NotAutomated", "default"), (Entry("A.5.1").Applies, Entry("A.5.1").Justification, Entry("A.5.1").Status, Entry("A.5.1").DecisionSource));
        Assert.Equal("Failing", Entry("A.8.15").Status);
    }

    [Fact]
    public void The_shipped_policy_loads_and_every_format_lists_93_rows_without_duplicates()
    {
        ApplicabilityPolicy shipped = ApplicabilityPolicy.From(new PolicyFolder(Path.Combine(RoleCatalogFileTests.RepoRoot(), "policies"), "test"));
        IReadOnlyList<StatementOfApplicabilityEntry> entries = StatementOfApplicability.Build(shipped, AssessmentRunFixture.Results());

        IReadOnlyList<string> files = StatementOfApplicability.Write(entries, [StatementOfApplicabilityFormat.Csv, StatementOfApplicabilityFormat.Html, StatementOfApplicabilityFormat.Markdown],
            _folder, force: false, AssessmentRunFixture.EvaluatedAt);

        Assert.All(entries, e => Assert.True(e.Applies));
        Assert.Equal(ApplicabilityPolicy.DefaultJustification, entries[0].Justification);
        TableReadResult csv = CsvTableReader.Read(files[0]);
        Assert.Equal(93, csv.Rows.Count);
        Assert.Equal(93, csv.Rows.Select(r => r.Cells["Id"]).Distinct().Count());
        string html = File.ReadAllText(files[1]);
        Assert.Equal(93, System.Text.RegularExpressions.Regex.Matches(html, "<tr><td>A\\.[5-8]\\.\\d+</td>").Count);
        Assert.Contains("default-src 'none'", html, StringComparison.Ordinal);
        string[] mdRows = File.ReadAllLines(files[2]).Where(l => l.StartsWith("| A.", StringComparison.Ordinal)).ToArray();
        Assert.Equal(93, mdRows.Length);
        Assert.Equal(93, mdRows.Select(l => l.Split('|')[1].Trim()).Distinct().Count());
        IsmsException again = Assert.Throws<IsmsException>(() => StatementOfApplicability.Write(entries, [StatementOfApplicabilityFormat.Csv], _folder, force: false, DateTimeOffset.UtcNow));
        Assert.Equal("IsmsOps.Assessment.ReportExists", again.ErrorId);
    }

    [Theory]
    [InlineData("controls:\n  A.9.1:\n    applies: true\n", 2, 3, "'A.9.1' is not an ISO/IEC 27001:2022 Annex A control id")]
    [InlineData("controls:\n  A.5.1:\n    applies: false\n", 3, 5, "A.5.1 is excluded (applies: false) without a justification")]
    [InlineData("controls:\n  A.5.1:\n    applies: maybe\n", 3, 14, "A.5.1.applies must be true or false")]
    [InlineData("controls:\n  A.5.1:\n    applise: true\n", 3, 5, "unknown key 'applise'")]
    [InlineData("control:\n  A.5.1: {}\n", 1, 1, "unknown key 'control'")]
    public void A_broken_policy_is_refused_at_file_line_and_column(string yaml, int line, int column, string message)
    {
        string policy = Path.Combine(_folder, ApplicabilityPolicy.FileName);
        File.WriteAllText(policy, yaml);

        IsmsException error = Assert.Throws<IsmsException>(() => ApplicabilityPolicy.Load(policy));

        Assert.StartsWith($"{policy}:{line}:{column}: ", error.Message);
        Assert.Contains(message, error.Message);
    }
}

/// <summary>policies/schema/statement-of-applicability.schema.json is what editors check the file against; it must agree with the loader.</summary>
public sealed class StatementOfApplicabilitySchemaTests
{
    private static readonly NJsonSchema.JsonSchema Schema = NJsonSchema.JsonSchema.FromJsonAsync(
        File.ReadAllText(Path.Combine(RoleCatalogFileTests.RepoRoot(), "policies", "schema", "statement-of-applicability.schema.json"))).GetAwaiter().GetResult();

    private static string AsJson(string yaml)
    {
        object? document = new YamlDotNet.Serialization.DeserializerBuilder().WithAttemptingUnquotedStringTypeDeserialization().Build().Deserialize<object>(yaml);
        return System.Text.Json.JsonSerializer.Serialize(document);
    }

    [Fact]
    public void The_shipped_file_validates_and_the_schema_refuses_what_the_loader_refuses()
    {
        string shipped = File.ReadAllText(Path.Combine(RoleCatalogFileTests.RepoRoot(), "policies", ApplicabilityPolicy.FileName));

        Assert.Empty(Schema.Validate(AsJson(shipped)));
        Assert.Empty(Schema.Validate(AsJson("controls:\n  A.8.34:\n    applies: false\n    justification: No audits on live systems.\n")));
        Assert.NotEmpty(Schema.Validate(AsJson("controls:\n  A.9.1:\n    applies: true\n")));
        Assert.NotEmpty(Schema.Validate(AsJson("controls:\n  A.5.38:\n    applies: true\n")));
        Assert.NotEmpty(Schema.Validate(AsJson("controls:\n  A.5.1:\n    applies: false\n")));
        Assert.NotEmpty(Schema.Validate(AsJson("controls:\n  A.5.1:\n    applise: true\n")));
        Assert.NotEmpty(Schema.Validate(AsJson("control: {}\n")));
    }
}
