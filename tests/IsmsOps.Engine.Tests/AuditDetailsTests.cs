using System.Text.Json;
using IsmsOps.Engine.Audit;

namespace IsmsOps.Engine.Tests;

public sealed class AuditDetailsTests
{
    [Theory]
    [InlineData("password")]
    [InlineData("ClientSecret")]
    [InlineData("client_secret")]
    [InlineData("accessToken")]
    [InlineData("refresh-token")]
    [InlineData("Credential")]
    [InlineData("privateKey")]
    public void Values_under_secret_looking_names_never_reach_the_trail(string name)
    {
        string json = new AuditDetails().Add(name, "hunter2-very-secret").Add("PersonId", "E1").ToJson();
        Assert.DoesNotContain("hunter2", json, StringComparison.Ordinal);
        using JsonDocument document = JsonDocument.Parse(json);
        Assert.Equal("[redacted]", document.RootElement.GetProperty(name).GetString());
        Assert.Equal("E1", document.RootElement.GetProperty("PersonId").GetString());
    }

    [Fact]
    public void Changes_are_recorded_as_from_and_to()
    {
        using JsonDocument document = JsonDocument.Parse(new AuditDetails().AddChange("Department", "IT", null).ToJson());
        JsonElement change = document.RootElement.GetProperty("changes").GetProperty("Department");
        Assert.Equal("IT", change.GetProperty("from").GetString());
        Assert.Equal(JsonValueKind.Null, change.GetProperty("to").ValueKind);
    }

    [Fact]
    public void Lists_are_written_as_JSON_arrays_with_secrets_in_their_objects_still_redacted()
    {
        var items = new[] { new SortedDictionary<string, object?> { ["Kind"] = "Group", ["token"] = "abc" } };
        using JsonDocument document = JsonDocument.Parse(new AuditDetails().Add("names", new[] { "a", "b" }).Add("items", items).ToJson());

        Assert.Equal(["a", "b"], document.RootElement.GetProperty("names").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal("Group", document.RootElement.GetProperty("items")[0].GetProperty("Kind").GetString());
        Assert.Equal("[redacted]", document.RootElement.GetProperty("items")[0].GetProperty("token").GetString());
    }
}

public sealed class NamePatternSetTests
{
    [Theory]
    [InlineData("E1*", "e1001", true)]
    [InlineData("E100?", "E1001", true)]
    [InlineData("E100?", "E10011", false)]
    [InlineData("[CE]1*", "C1", true)]
    [InlineData("person:E1`*", "person:E1*", true)]
    [InlineData("person:E1`*", "person:E12", false)]
    [InlineData("Fin.nce", "Finance", false)]
    public void Wildcards_match_like_PowerShell(string pattern, string value, bool expected)
    {
        Assert.Equal(expected, new NamePatternSet([pattern]).Matches(value));
    }

    [Fact]
    public void No_pattern_matches_everything_including_null()
    {
        Assert.True(new NamePatternSet(null).Matches(null));
        Assert.False(new NamePatternSet(["x*"]).Matches(null));
    }
}
