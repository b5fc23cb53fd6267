using System.Text.Json;
using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Policies;
using IsmsOps.Engine.Snapshots;
using IsmsOps.Engine.Tests.Roles;

namespace IsmsOps.Engine.Tests.Policies;

public sealed class GroupTagPolicyFileTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ismsops-tags-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private string Write(string yaml)
    {
        string path = Path.Combine(_folder, GroupTagPolicy.FileName);
        File.WriteAllText(path, yaml);
        return path;
    }

    [Fact]
    public void The_shipped_file_loads_and_its_tags_match_groups_by_wildcard_or_object_id()
    {
        GroupTagPolicy shipped = GroupTagPolicy.Load(Path.Combine(RoleCatalogFileTests.RepoRoot(), "policies", GroupTagPolicy.FileName));
        GroupTagPolicy byId = GroupTagPolicy.Load(Write("pci:\n  - 'Cardholder*'\n  - 0f6a7c1e-2b3d-4e5f-8a9b-0c1d2e3f4a5b\n"));

        Assert.Equal(["sox", "source-code", "licensing", "privileged"], shipped.TagNames);
        Assert.True(shipped.Find("SOX")!.Matches(new SnapshotGroup { Id = "x", DisplayName = "finance system admins" }));
        Assert.False(shipped.Find("sox")!.Matches(new SnapshotGroup { Id = "x", DisplayName = "Engineering" }));
        Assert.True(byId.Find("pci")!.Matches(new SnapshotGroup { Id = "0F6A7C1E-2B3D-4E5F-8A9B-0C1D2E3F4A5B", DisplayName = "Renamed" }));
        Assert.Equal(["sox", "source-code"], shipped.Resolve("so*"));
    }

    [Fact]
    public void No_file_in_the_folder_means_only_the_built_in_privileged_tag()
    {
        GroupTagPolicy policy = GroupTagPolicy.From(new PolicyFolder(_folder, "test"));

        Assert.Same(GroupTagPolicy.Default, policy);
        Assert.Equal(["privileged"], policy.TagNames);
    }

    [Theory]
    [InlineData("sox: 'Finance*'\n", "1:6", "sox must be a list")]
    [InlineData("sox: []\n", "1:6", "the tag 'sox' names no group")]
    [InlineData("sox:\n", "1:5", "sox must be a list, not empty")]
    [InlineData("sox:\n  - Finance\npci:\n  - ''\n", "4:5", "pci[0] must be a single value, not empty")]
    [InlineData("sox: [ Finance ]\npci: [ Cards ]\nSOX: [ Payroll ]\n", "3:1", "the tag 'SOX' is defined twice (first on line 1")]
    [InlineData("sox: [ Finance ]\nprivileged: [ Admins ]\n", "2:1", "'privileged' is built in")]
    [InlineData("sox: [ Finance ]\n'pci dss': [ Cards ]\n", "2:1", "'pci dss' is not a tag name")]
    [InlineData("sox: [ Finance\n", "2:1", "this is not valid YAML")]
    [InlineData("- sox\n", "1:1", "the file must be a mapping")]
    public void A_mistake_is_an_error_at_its_file_line_and_column(string yaml, string position, string message)
    {
        string path = Write(yaml);

        IsmsException error = Assert.Throws<IsmsException>(() => GroupTagPolicy.Load(path));

        Assert.Equal("IsmsOps.Policy.Invalid", error.ErrorId);
        Assert.StartsWith($"{path}:{position}: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_schema_accepts_the_shipped_file_and_reserves_the_built_in_tag()
    {
        string root = RoleCatalogFileTests.RepoRoot();
        using JsonDocument schema = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "policies", "schema", "group-tags.schema.json")));
        JsonElement names = schema.RootElement.GetProperty("propertyNames");
        var allowed = new System.Text.RegularExpressions.Regex(names.GetProperty("pattern").GetString()!);
        var reserved = new System.Text.RegularExpressions.Regex(names.GetProperty("not").GetProperty("pattern").GetString()!);

        Assert.All(GroupTagPolicy.Load(Path.Combine(root, "policies", GroupTagPolicy.FileName)).Tags, t =>
        {
            Assert.Matches(allowed, t.Name);
            Assert.DoesNotMatch(reserved, t.Name);
        });
        Assert.Matches(reserved, "Privileged");
        Assert.DoesNotMatch(allowed, "pci dss");
    }
}
