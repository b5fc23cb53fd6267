using IsmsOps.Engine.Policies;
using IsmsOps.Engine.Screening;

namespace IsmsOps.Engine.Tests.Policies;

public sealed class ScreeningPolicyFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ismsops-policy-").FullName;

    private string Write(string yaml)
    {
        string path = Path.Combine(_folder, ScreeningPolicy.FileName);
        File.WriteAllText(path, yaml);
        return path;
    }

    private IsmsException Refused(string yaml)
    {
        string path = Write(yaml);
        IsmsException error = Assert.Throws<IsmsException>(() => ScreeningPolicy.Load(path));
        Assert.Equal("IsmsOps.Policy.Invalid", error.ErrorId);
        return error;
    }

    [Fact]
    public void The_shipped_policy_file_loads_with_its_documented_values()
    {
        string shipped = Path.Combine(RepoRoot(), "policies", ScreeningPolicy.FileName);

        ScreeningPolicy policy = ScreeningPolicy.Load(shipped);

        Assert.Equal("P3Y", policy.RequirementFor(ScreeningLevel.Enhanced, "GB").RescreenEvery.ToString());
        Assert.Equal(6, policy.RequirementFor(ScreeningLevel.Enhanced, "GB").Checks.Count);
        Assert.False(policy.RequirementFor(ScreeningLevel.Enhanced, "DE").Requires(ScreeningCheck.Credit));
        Assert.Equal([ScreeningCheck.Identity, ScreeningCheck.RightToWork], policy.RequirementFor(ScreeningLevel.Basic, null).Checks);
        Assert.Equal("P90D", policy.MaxWaiver.ToString());
    }

    [Fact]
    public void No_file_in_the_folder_means_the_built_in_defaults() =>
        Assert.Same(ScreeningPolicy.Default, ScreeningPolicy.From(new PolicyFolder(_folder, "test")));

    [Theory]
    [InlineData("levels:\n  Enhanced:\n    check: [Identity]\n", "3:5", "unknown key 'check'")]
    [InlineData("levels:\n  enhanced:\n    checks: [Identity]\n", "2:3", "'enhanced' in levels is not a screening level")]
    [InlineData("levels:\n  Basic:\n    checks: [Identity, DrugTest]\n", "3:24", "'DrugTest', which is not a screening check")]
    [InlineData("levels:\n  Basic:\n    checks: [Identity, Identity]\n", "3:24", "repeats the check")]
    [InlineData("levels:\n  Basic:\n    checks: Identity\n", "3:13", "must be a list")]
    [InlineData("levels:\n  Basic:\n    rescreenEvery: 3 years\n", "3:20", "not a positive ISO 8601 duration")]
    [InlineData("countries:\n  uk:\n    Basic:\n      checks: [Identity]\n", "2:3", "'uk' in countries is not a country code")]
    [InlineData("waivers:\n  maxDuration: P0D\n", "2:16", "not a positive ISO 8601 duration")]
    public void A_mistake_is_refused_with_file_line_and_column(string yaml, string position, string what)
    {
        IsmsException error = Refused(yaml);

        Assert.Contains($"{ScreeningPolicy.FileName}:{position}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(what, error.Message, StringComparison.Ordinal);
    }

    private static string RepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IsmsOps.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("No IsmsOps.sln above the test binaries.");
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
