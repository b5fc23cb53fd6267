using System.Net;
using System.Text.Json;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Sandbox.Tests;

public sealed class BatchDependencyAndExpansionTests
{
    [Fact]
    public async Task A_batch_item_whose_dependency_failed_is_answered_424_and_not_run_nor_anything_after_it()
    {
        using var client = new SandboxClient();
        DirectoryUser user = client.Sandbox.Tenant.Users[1];
        DateTimeOffset? sessions = user.SignInSessionsValidFromDateTime;

        var (response, body) = await client.SendAsync(HttpMethod.Post, "$batch", new
        {
            requests = new object[]
            {
                new { id = "1", method = "PATCH", url = $"/users/{Guid.Empty}", headers = new { ContentType = "application/json" }, body = new { accountEnabled = false } },
                new { id = "2", method = "POST", url = $"/users/{user.Id}/revokeSignInSessions", dependsOn = new[] { "1" } },
                new { id = "3", method = "GET", url = $"/users/{user.Id}?$select=id", dependsOn = new[] { "2" } },
            },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answers = Answers(body);
        Assert.Equal(404, answers["1"].GetProperty("status").GetInt32());
        Assert.Equal(424, answers["2"].GetProperty("status").GetInt32());
        Assert.Equal(424, answers["3"].GetProperty("status").GetInt32());
        Assert.Equal(sessions, user.SignInSessionsValidFromDateTime);
    }

    [Fact]
    public async Task A_batch_item_runs_after_the_dependency_it_names_succeeded()
    {
        using var client = new SandboxClient();
        DirectoryUser user = client.Sandbox.Tenant.Users.First(u => u.AccountEnabled && u.UserType == "Member");

        var (_, body) = await client.SendAsync(HttpMethod.Post, "$batch", new
        {
            requests = new object[]
            {
                new { id = "read", method = "GET", url = $"/users/{user.Id}?$select=id,accountEnabled" },
                new { id = "disable", method = "PATCH", url = $"/users/{user.Id}", dependsOn = new[] { "read" }, body = new { accountEnabled = false } },
                new { id = "revoke", method = "POST", url = $"/users/{user.Id}/revokeSignInSessions", dependsOn = new[] { "disable" } },
            },
        });

        var answers = Answers(body);
        Assert.True(answers["read"].GetProperty("body").GetProperty("accountEnabled").GetBoolean());
        Assert.Equal(204, answers["disable"].GetProperty("status").GetInt32());
        Assert.Equal(200, answers["revoke"].GetProperty("status").GetInt32());
        Assert.False(user.AccountEnabled);
        Assert.NotNull(user.SignInSessionsValidFromDateTime);
    }

    [Fact]
    public async Task A_batch_that_mixes_a_dependency_chain_with_independent_items_is_refused_whole_as_graph_refuses_it()
    {
        using var client = new SandboxClient();
        DirectoryUser user = client.Sandbox.Tenant.Users.First(u => u.AccountEnabled && u.UserType == "Member");

        var (response, body) = await client.SendAsync(HttpMethod.Post, "$batch", new
        {
            requests = new object[]
            {
                new { id = "read", method = "GET", url = $"/users/{user.Id}?$select=id,accountEnabled" },
                new { id = "disable", method = "PATCH", url = $"/users/{user.Id}", dependsOn = new[] { "read" }, body = new { accountEnabled = false } },
                new { id = "methods", method = "GET", url = $"/users/{user.Id}/authentication/methods" },
            },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("fully sequential or fully parallel", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.True(user.AccountEnabled);
    }

    [Fact]
    public async Task A_batch_whose_item_depends_on_a_later_or_unknown_item_is_refused_whole()
    {
        using var client = new SandboxClient();
        DirectoryUser user = client.Sandbox.Tenant.Users.First(u => u.AccountEnabled && u.UserType == "Member");

        var (response, _) = await client.SendAsync(HttpMethod.Post, "$batch", new
        {
            requests = new object[]
            {
                new { id = "1", method = "PATCH", url = $"/users/{user.Id}", dependsOn = new[] { "2" }, body = new { accountEnabled = false } },
                new { id = "2", method = "GET", url = $"/users/{user.Id}" },
            },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(user.AccountEnabled);
    }

    [Fact]
    public async Task An_in_filter_with_more_than_15_values_is_refused_as_graph_refuses_it()
    {
        using var client = new SandboxClient();
        string Ids(int count) => string.Join(',', client.Sandbox.Tenant.Groups.Take(count).Select(g => $"'{g.Id}'"));

        var (fifteen, body) = await client.GetAsync($"groups?$filter=id in ({Ids(15)})&$select=id");
        var (sixteen, refusal) = await client.GetAsync($"groups?$filter=id in ({Ids(16)})&$select=id");

        Assert.Equal(HttpStatusCode.OK, fifteen.StatusCode);
        Assert.Equal(15, body.GetProperty("value").GetArrayLength());
        Assert.Equal(HttpStatusCode.BadRequest, sixteen.StatusCode);
        Assert.Equal("Request_UnsupportedQuery", refusal.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task An_expanded_relationship_of_a_group_holds_at_most_20_objects_and_no_link_to_the_rest()
    {
        using var client = new SandboxClient();
        Tenant tenant = client.Sandbox.Tenant;
        DirectoryGroup child = tenant.Groups[0];
        foreach (DirectoryGroup parent in tenant.Groups.Where(g => g != child && !g.HasMember(child.Id)).Take(25 - child.MemberOf.Count))
        {
            parent.AddMember(child);
        }

        var (_, expanded) = await client.GetAsync($"groups?$filter=id in ('{child.Id}')&$select=id&$expand=memberOf($select=id)");
        List<JsonElement> all = await client.GetAllAsync($"groups/{child.Id}/memberOf?$select=id");

        JsonElement group = Assert.Single(expanded.GetProperty("value").EnumerateArray());
        Assert.Equal(20, group.GetProperty("memberOf").GetArrayLength());
        Assert.False(group.TryGetProperty("memberOf@odata.nextLink", out _));
        Assert.Equal(25, all.Count);
    }

    [Fact]
    public async Task Expanding_a_groups_app_role_assignments_needs_what_listing_them_needs_and_one_expansion_is_the_most()
    {
        using var client = new SandboxClient(new SandboxOptions { UserCount = 200, GrantedPermissions = ["GroupMember.Read.All"] });
        string group = client.Sandbox.Tenant.Groups[0].Id;

        var (owners, _) = await client.GetAsync($"groups?$filter=id in ('{group}')&$expand=owners($select=id)");
        var (appRoles, refusal) = await client.GetAsync($"groups?$filter=id in ('{group}')&$expand=appRoleAssignments");
        var (both, _) = await client.GetAsync($"groups?$filter=id in ('{group}')&$expand=owners,memberOf");

        Assert.Equal(HttpStatusCode.OK, owners.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, appRoles.StatusCode);
        Assert.Equal("Authorization_RequestDenied", refusal.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, both.StatusCode);
    }

    private static Dictionary<string, JsonElement> Answers(JsonElement body) =>
        body.GetProperty("responses").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!);
}
