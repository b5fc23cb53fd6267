using IsmsOps.Engine.Acknowledgements;
using IsmsOps.Engine.Policies;
using IsmsOps.Engine.Tests.Roles;

namespace IsmsOps.Engine.Tests.Policies;

public sealed class AcknowledgementPolicyFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ismsops-policy-").FullName;

    private string Write(string yaml)
    {
        string path = Path.Combine(_folder, AcknowledgementPolicy.FileName);
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public void The_shipped_policy_file_loads_with_its_documented_values()
    {
        AcknowledgementPolicy policy = AcknowledgementPolicy.Load(Path.Combine(RoleCatalogFileTests.RepoRoot(), "policies", AcknowledgementPolicy.FileName));

        Assert.Equal(new DateTime(2027, 1, 10), policy.Validity.ExpiryFor(AcknowledgementKind.SecurityTraining, new DateTime(2026, 1, 10)));
        Assert.Null(policy.Validity.ExpiryFor(AcknowledgementKind.NonDisclosureAgreement, new DateTime(2026, 1, 10)));
        Assert.Equal("2.0", policy.CurrentVersionOf(AcknowledgementKind.NonDisclosureAgreement, null));
        Assert.Equal("2026-01", policy.CurrentVersionOf(AcknowledgementKind.TermsAndConditions, "terms and conditions"));
        Assert.Equal("4", policy.CurrentVersionOf(AcknowledgementKind.Policy, "ACCEPTABLE USE POLICY"));
        Assert.Null(policy.CurrentVersionOf(AcknowledgementKind.SecurityTraining, "Security Awareness"));
    }

    [Fact]
    public void No_file_in_the_folder_means_the_built_in_defaults() =>
        Assert.Same(AcknowledgementPolicy.Default, AcknowledgementPolicy.From(new PolicyFolder(_folder, "test")));

    [Fact]
    public void A_validity_section_is_the_complete_list_of_kinds_that_lapse()
    {
        AcknowledgementPolicy policy = AcknowledgementPolicy.Load(Write("validity:\n  NonDisclosureAgreement: P3Y\n"));

        Assert.Equal(new DateTime(2029, 1, 10), policy.Validity.ExpiryFor(AcknowledgementKind.NonDisclosureAgreement, new DateTime(2026, 1, 10)));
        Assert.Null(policy.Validity.ExpiryFor(AcknowledgementKind.SecurityTraining, new DateTime(2026, 1, 10)));
    }

    [Theory]
    [InlineData("currentVersion:\n  Policy: {}\n", "1:1", "unknown key 'currentVersion'")]
    [InlineData("validity:\n  SecurityTrainig: P1Y\n", "2:3", "'SecurityTrainig' in validity is not a kind of acknowledgement")]
    [InlineData("validity:\n  securityTraining: P1Y\n", "2:3", "'securityTraining' in validity is not a kind of acknowledgement")]
    [InlineData("validity:\n  Policy, SecurityTraining: P1Y\n", "2:3", "'Policy, SecurityTraining' in validity is not a kind of acknowledgement")]
    [InlineData("validity:\n  SecurityTraining: yearly\n", "2:21", "'yearly', which is not an ISO 8601 duration")]
    [InlineData("validity:\n  SecurityTraining: PT1H\n", "2:21", "must count for at least a day")]
    [InlineData("currentVersions:\n  Policy: \"4\"\n", "2:11", "must list each Policy by name")]
    [InlineData("currentVersions:\n  Policy:\n    Acceptable Use Policy: \"4\"\n    acceptable use policy: \"5\"\n", "4:5", "is given twice")]
    [InlineData("currentVersions:\n  NonDisclosureAgreement: \"\"\n", "2:27", "must be a single value")]
    public void A_mistake_is_refused_with_file_line_and_column(string yaml, string position, string what)
    {
        string path = Write(yaml);

        IsmsException error = Assert.Throws<IsmsException>(() => AcknowledgementPolicy.Load(path));

        Assert.Equal("IsmsOps.Policy.Invalid", error.ErrorId);
        Assert.Contains($"{AcknowledgementPolicy.FileName}:{position}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(what, error.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(error.RecommendedAction));
    }

    [Fact]
    public void A_kind_written_in_the_wrong_case_is_told_the_right_spelling()
    {
        IsmsException error = Assert.Throws<IsmsException>(() => AcknowledgementPolicy.Load(Write("currentVersions:\n  nonDisclosureAgreement: \"2.0\"\n")));

        Assert.Contains("'NonDisclosureAgreement'", error.RecommendedAction, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}

/// <summary>policies/schema/acknowledgements.schema.json is what editors check the file against; it must name what the loader reads.</summary>
public sealed class AcknowledgementPolicySchemaTests
{
    private static readonly System.Text.Json.JsonElement Schema = System.Text.Json.JsonDocument.Parse(
        File.ReadAllText(Path.Combine(RoleCatalogFileTests.RepoRoot(), "policies", "schema", "acknowledgements.schema.json"))).RootElement;

    private static IEnumerable<string> Keys(System.Text.Json.JsonElement schema) => schema.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order();

    [Fact]
    public void The_schema_names_the_same_sections_and_kinds_as_the_loader()
    {
        Assert.Equal(AcknowledgementPolicy.TopKeys.Order(), Keys(Schema));
        Assert.Equal(Enum.GetNames<AcknowledgementKind>().Order(), Keys(Schema.GetProperty("properties").GetProperty("validity")));
        Assert.Equal(Enum.GetNames<AcknowledgementKind>().Order(), Keys(Schema.GetProperty("properties").GetProperty("currentVersions")));
    }

    [Theory]
    [InlineData("P1Y", true)]
    [InlineData("P90D", true)]
    [InlineData("yearly", false)]
    [InlineData("1Y", false)]
    public void The_schema_duration_pattern_agrees_with_the_loader(string text, bool valid)
    {
        string pattern = Schema.GetProperty("definitions").GetProperty("duration").GetProperty("pattern").GetString()!;

        Assert.Equal(valid, System.Text.RegularExpressions.Regex.IsMatch(text, pattern));
        Assert.Equal(valid, IsoDuration.TryParse(text, out _));
    }
}
