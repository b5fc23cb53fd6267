using IsmsOps.Engine.Assessment;
using IsmsOps.Engine.Assessment.Resources;
using IsmsOps.Engine.Policies;

namespace IsmsOps.Engine.Tests.Assessment;

/// <summary>Reading control files: every problem names file:line:column, bounded in time, and one broken file never stops the rest.</summary>
public sealed class ControlFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ismsops-controls-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    internal const string GoodControl = """
        controls:
          - id: TEST-ACC-001
            title: Enabled accounts
            objective: Accounts are enabled.
            severity: Low
            resource: account
            references: { iso27001:2022: [A.5.18] }
            condition: { field: accountEnabled, equals: true }
            remediation: Use Set-Something.
        """;

    private string Write(string name, string text)
    {
        string path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static ControlLoadError Single(ControlSet set) => Assert.Single(set.Errors);

    [Fact]
    public void Malformed_yaml_is_an_error_at_its_line_and_column()
    {
        string path = Write("bad.yaml", "controls:\n  - id: X-1\n    title: [unclosed\n");

        ControlLoadError error = Single(ControlReader.Load([path]));

        Assert.Null(error.ControlId);
        Assert.Equal(path, error.Error.File);
        Assert.True(error.Error.Line >= 3, error.Error.ToString());
        Assert.Contains("not valid YAML", error.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_key_in_a_control_is_an_error_at_the_key_naming_the_allowed_keys()
    {
        string path = Write("unknown.yaml", GoodControl.Replace("    severity: Low", "    severity: Low\n    Severity: High", StringComparison.Ordinal));

        ControlLoadError error = Single(ControlReader.Load([path]));

        Assert.Equal("TEST-ACC-001", error.ControlId);
        Assert.Equal((6L, 5L), (error.Error.Line, error.Error.Column));
        Assert.Contains("unknown key 'Severity'", error.Error.Message, StringComparison.Ordinal);
        Assert.Contains("'severity'", error.Error.RecommendedAction, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("    severity: Low", "    severity: Severe", "'Severe' is not a severity")]
    [InlineData("    resource: account", "    resource: users", "'users' is not a resource type")]
    [InlineData("    resource: account", "    resource: [account]", "'resource' must be a single value")]
    [InlineData("    references: { iso27001:2022: [A.5.18] }", "    references: { iso27001:2013: [A.9.2.1] }", "unknown key 'iso27001:2013'")]
    [InlineData("id: TEST-ACC-001", "id: test 1", "is not a control id")]
    [InlineData("    remediation: Use Set-Something.", "", "has no 'remediation'")]
    public void A_control_with_a_wrong_type_or_value_is_an_error_with_its_location(string from, string to, string expected)
    {
        string path = Write("wrong.yaml", GoodControl.Replace(from, to, StringComparison.Ordinal));

        ControlLoadError error = Single(ControlReader.Load([path]));

        Assert.Contains(expected, error.Error.Message, StringComparison.Ordinal);
        Assert.Equal(path, error.Error.File);
        Assert.True(error.Error.Line > 1);
    }

    [Fact]
    public void A_huge_file_is_refused_before_it_is_parsed()
    {
        string path = Write("huge.yaml", "controls:\n" + new string('#', (int)YamlLimits.Default.MaxBytes + 10));

        ControlLoadError error = Single(ControlReader.Load([path]));

        Assert.Equal((1L, 1L), (error.Error.Line, error.Error.Column));
        Assert.Contains("more than the 1,048,576", error.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deep_nesting_is_refused_at_the_level_that_crosses_the_limit()
    {
        string nested = string.Concat(Enumerable.Repeat("{ not: ", 10_000)) + "{ field: accountEnabled, equals: true }" + new string('}', 10_000);
        string path = Write("deep.yaml", GoodControl.Replace("{ field: accountEnabled, equals: true }", nested, StringComparison.Ordinal));

        ControlLoadError error = Single(ControlReader.Load([path]));

        Assert.Contains("nests deeper than 64 levels", error.Error.Message, StringComparison.Ordinal);
        Assert.Equal(8L, error.Error.Line);
    }

    [Fact]
    public void An_alias_bomb_is_refused()
    {
        var bomb = new System.Text.StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i < 12; i++)
        {
            bomb.Append($"a{i}: &a{i} [*a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}, *a{i - 1}]\n");
        }

        string path = Write("bomb.yaml", bomb.ToString());

        ControlLoadError error = Single(ControlReader.Load([path]));

        Assert.Contains("expands to more than", error.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_many_aliases_are_refused_even_when_each_is_small()
    {
        string path = Write("aliases.yaml", "a: &a x\nb: [" + string.Join(", ", Enumerable.Repeat("*a", 101)) + "]\n");

        Assert.Contains("more than 100 aliases", Single(ControlReader.Load([path])).Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_key_is_an_error()
    {
        string path = Write("dup.yaml", GoodControl + "\n    title: Again\n");

        Assert.Contains("appears twice", Single(ControlReader.Load([path])).Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_duplicate_control_id_in_another_file_is_an_error_naming_the_first()
    {
        string first = Write("a.yaml", GoodControl);
        Write("b.yaml", GoodControl);

        ControlSet set = ControlReader.Load([_folder]);

        Assert.Single(set.Controls);
        Assert.Contains($"already used at {first}:2:5", Single(set).Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_broken_file_and_a_broken_control_are_reported_as_errors_while_the_other_controls_run()
    {
        Write("1-good.yaml", GoodControl);
        Write("2-broken.yaml", "controls: [ {");
        Write("3-mixed.yaml", GoodControl.Replace("TEST-ACC-001", "TEST-ACC-002", StringComparison.Ordinal)
            + "\n  - id: TEST-ACC-003\n    title: t\n    objective: o\n    severity: Low\n    resource: account\n    references: { iso27017: [CLD.9.5.1] }\n    condition: { field: enabled, equals: true }\n    remediation: r\n");
        ControlSet set = ControlReader.Load([_folder]);
        var resources = new ResourceSet(new Dictionary<string, IReadOnlyList<PolicyResource>>
        {
            ["account"] = [new AccountResource { Id = "u1", AccountEnabled = true }],
        }, new Dictionary<string, AssessmentSkipReason>());

        AssessmentOutput output = AssessmentEvaluator.Evaluate(set, resources, WaiverSet.Empty, new Dictionary<string, object?>(),
            new AssessmentRunInfo { RunId = "r", EvaluatedAt = ConditionCompilerTests.Now, Source = "test" });

        Assert.Equal(AssessmentOutcome.Pass, output.Results.Single(r => r.Control.Id == "TEST-ACC-001").Outcome);
        Assert.Equal(AssessmentOutcome.Pass, output.Results.Single(r => r.Control.Id == "TEST-ACC-002").Outcome);
        ControlResult brokenFile = output.Results.Single(r => r.Control.Id.EndsWith("2-broken.yaml", StringComparison.Ordinal));
        Assert.Equal(AssessmentOutcome.Error, brokenFile.Outcome);
        Assert.True(brokenFile.Message!.StartsWith(Path.Combine(_folder, "2-broken.yaml") + ":2:1: this is not valid YAML", StringComparison.Ordinal), brokenFile.Message);
        ControlResult brokenControl = output.Results.Single(r => r.Control.Id == "TEST-ACC-003");
        Assert.Equal(AssessmentOutcome.Error, brokenControl.Outcome);
        Assert.Contains("3-mixed.yaml:16:", brokenControl.Message, StringComparison.Ordinal);
        Assert.Contains("'enabled' is not a field of account", brokenControl.Message, StringComparison.Ordinal);
        Assert.Equal(["compile", "evaluate"], output.Run.PhaseTimings.Select(t => t.Key));
    }
}
