using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Policies;
using IsmsOps.Engine.Protection;

namespace IsmsOps.Engine.Tests.Policies;

public sealed class OffboardingPolicyFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ismsops-policy-").FullName;

    private string Write(string yaml)
    {
        string path = Path.Combine(_folder, OffboardingPolicy.FileName);
        File.WriteAllText(path, yaml.Replace("\r\n", "\n", StringComparison.Ordinal));
        return path;
    }

    private IsmsException Refused(string yaml)
    {
        string path = Write(yaml);
        IsmsException error = Assert.Throws<IsmsException>(() => OffboardingPolicy.Load(path));
        Assert.Equal("IsmsOps.Policy.Invalid", error.ErrorId);
        return error;
    }

    [Fact]
    public void The_shipped_policy_file_loads_with_its_documented_values()
    {
        string shipped = Path.Combine(RepoRoot(), "policies", OffboardingPolicy.FileName);

        OffboardingPolicy policy = OffboardingPolicy.Load(shipped);

        Assert.Equal(TimeSpan.FromHours(24), policy.Deadlines.WindowFor(EmploymentType.Employee, OffboardingUrgency.Standard));
        Assert.Equal(TimeSpan.FromHours(8), policy.Deadlines.WindowFor(EmploymentType.Contractor, OffboardingUrgency.Standard));
        Assert.Equal(TimeSpan.Zero, policy.Deadlines.WindowFor(EmploymentType.Guest, OffboardingUrgency.Immediate));
        Assert.Equal("P1Y", policy.PersonalDataRetention.For(EmploymentType.Employee).ToString());
        Assert.Equal("P3M", policy.PersonalDataRetention.For(EmploymentType.Guest).ToString());
        Assert.Equal(shipped, policy.Source);
    }

    [Fact]
    public void Settings_left_out_keep_their_built_in_values()
    {
        OffboardingPolicy policy = OffboardingPolicy.Load(Write("deadlines:\n  standard: P2D\n"));

        Assert.Equal(TimeSpan.FromDays(2), policy.Deadlines.Standard);
        Assert.Equal(TimeSpan.Zero, policy.Deadlines.Immediate);
        Assert.Equal(PersonalDataRetentionPolicy.Default, policy.PersonalDataRetention);
    }

    [Fact]
    public void An_unknown_key_is_an_error_at_its_line_and_column_that_lists_the_keys_allowed()
    {
        IsmsException error = Refused("deadlines:\n  standard: PT24H\n  imediate: PT0S\n");

        Assert.StartsWith($"{_folder}/offboarding.yaml:3:3: unknown key 'imediate' in deadlines.", error.Message.Replace('\\', '/'), StringComparison.Ordinal);
        Assert.Contains("'immediate'", error.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_in_the_wrong_case_is_an_error_that_names_the_right_spelling()
    {
        IsmsException error = Refused("personalDataRetention:\n  Default: P1Y\n");

        Assert.Contains("offboarding.yaml:2:3:", error.Message, StringComparison.Ordinal);
        Assert.Contains("'default'", error.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void A_value_that_is_not_an_ISO_8601_duration_is_an_error_at_the_value()
    {
        IsmsException error = Refused("# comment\ndeadlines:\n  standard: 24 hours\n");

        Assert.Contains("offboarding.yaml:3:13: deadlines.standard is '24 hours', which is not an ISO 8601 duration.", error.Message, StringComparison.Ordinal);
        Assert.Contains("PT24H", error.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void A_deadline_in_months_or_years_is_an_error_because_it_has_no_fixed_length()
    {
        IsmsException error = Refused("deadlines:\n  byEmploymentType:\n    Vendor: P1M\n");

        Assert.Contains("offboarding.yaml:3:13: deadlines.byEmploymentType.Vendor is 'P1M'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_employment_type_is_an_error_that_lists_the_known_ones()
    {
        IsmsException error = Refused("personalDataRetention:\n  byEmploymentType:\n    Intern: P6M\n");

        Assert.Contains("offboarding.yaml:3:5: 'Intern' in personalDataRetention.byEmploymentType is not an employment type.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Employee, Contractor, Vendor, Guest", error.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void Broken_YAML_is_an_error_at_the_position_the_parser_stopped()
    {
        IsmsException error = Refused("deadlines:\n  standard: PT24H\n   immediate: [PT0S\n");

        Assert.Matches(@"offboarding\.yaml:3:\d+: this is not valid YAML", error.Message);
    }

    [Fact]
    public void A_duplicate_key_is_an_error()
    {
        IsmsException error = Refused("deadlines:\n  standard: PT24H\n  standard: PT1H\n");

        Assert.Contains("offboarding.yaml:3:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_mapping_where_a_duration_belongs_is_an_error()
    {
        IsmsException error = Refused("deadlines:\n  standard:\n    hours: 24\n");

        Assert.Contains("offboarding.yaml:3:5: deadlines.standard must be a single value, not a mapping.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_file_is_an_error()
    {
        Assert.Contains("offboarding.yaml:1:1: the file is empty.", Refused("# nothing here\n").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_without_the_file_gives_the_built_in_defaults_and_a_missing_configured_folder_is_an_error()
    {
        Assert.Same(OffboardingPolicy.Default, OffboardingPolicy.From(PolicyFolder.Resolve(null, _ => _folder)));

        string missing = Path.Combine(_folder, "nope");
        IsmsException error = Assert.Throws<IsmsException>(() => PolicyFolder.Resolve(null, _ => missing));

        Assert.Equal("IsmsOps.Policy.FolderMissing", error.ErrorId);
        Assert.Same(PolicyFolder.BuiltIn, PolicyFolder.Resolve(missing, _ => null));
    }

    [Theory]
    [InlineData("P1Y", "2027-01-31", "P1Y")]
    [InlineData("P1M", "2026-02-28", "P1M")]
    [InlineData("P2W", "2026-02-14", "P14D")]
    [InlineData("P1DT12H", "2026-02-01T12:00", "P1DT12H")]
    public void Durations_add_calendar_parts_as_a_calendar_does(string text, string expected, string canonical)
    {
        Assert.True(IsoDuration.TryParse(text, out IsoDuration duration));
        DateTimeOffset result = duration.AddTo(new DateTimeOffset(2026, 1, 31, 0, 0, 0, TimeSpan.Zero));

        Assert.Equal(DateTimeOffset.Parse(expected + (expected.Length == 10 ? "T00:00" : string.Empty) + "Z", System.Globalization.CultureInfo.InvariantCulture), result);
        Assert.Equal(canonical, duration.ToString());
    }

    [Theory]
    [InlineData("P")]
    [InlineData("PT")]
    [InlineData("1Y")]
    [InlineData("-P1D")]
    [InlineData("P1H")]
    public void Text_that_is_not_a_duration_is_rejected(string text) => Assert.False(IsoDuration.TryParse(text, out _));

    internal static string RepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IsmsOps.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("IsmsOps.sln not found");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
