using IsmsOps.Engine.Movers;
using IsmsOps.Engine.Policies;

namespace IsmsOps.Engine.Tests.Policies;

public sealed class MoverPolicyFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ismsops-policy-").FullName;

    private string Write(string yaml)
    {
        string path = Path.Combine(_folder, MoverPolicy.FileName);
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public void The_shipped_policy_keeps_old_access_fourteen_days_and_privileged_old_access_not_at_all()
    {
        MoverPolicy policy = MoverPolicy.From(new PolicyFolder(Path.Combine(OffboardingPolicyFileTests.RepoRoot(), "policies"), "test"));

        Assert.Equal((TimeSpan.FromDays(14), TimeSpan.Zero), (policy.OverlapFor(privileged: false), policy.OverlapFor(privileged: true)));
        Assert.EndsWith("movers.yaml", policy.Source, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_without_the_file_uses_the_built_in_values_and_a_key_left_out_keeps_its_own()
    {
        Assert.Equal(MoverPolicy.Default, MoverPolicy.From(new PolicyFolder(_folder, "test")));

        MoverPolicy policy = MoverPolicy.Load(Write("overlap: P7D\n"));

        Assert.Equal((TimeSpan.FromDays(7), TimeSpan.Zero), (policy.Overlap, policy.PrivilegedOverlap));
    }

    [Theory]
    [InlineData("overlap: P14D\nprivilegedOverlapp: PT0S\n", "2:1", "unknown key 'privilegedOverlapp'")]
    [InlineData("overlap: two weeks\n", "1:10", "not an ISO 8601 duration")]
    [InlineData("overlap: P1M\n", "1:10", "years and months have none")]
    public void A_bad_setting_is_an_error_at_its_line_and_column(string yaml, string at, string what)
    {
        string path = Write(yaml);

        IsmsException error = Assert.Throws<IsmsException>(() => MoverPolicy.Load(path));

        Assert.Equal("IsmsOps.Policy.Invalid", error.ErrorId);
        Assert.StartsWith($"{path}:{at}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(what, error.Message, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
