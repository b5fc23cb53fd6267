using System.Net;
using System.Text.Json;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Sandbox.Tests;

public sealed class GraphEndpointTests
{
    [Fact]
    public async Task Paging_through_users_returns_every_user_exactly_once()
    {
        using var client = new SandboxClient(new SandboxOptions { UserCount = 450 });

        var users = await client.GetAllAsync("users?$top=100&$select=id,displayName");

        var ids = users.Select(u => u.GetProperty("id").GetString()).ToList();
        Assert.Equal(450, ids.Count);
        Assert.Equal(450, ids.Distinct().Count());
        Assert.Equal(client.Sandbox.Tenant.Users.Select(u => u.Id), ids);
    }

    [Fact]
    public async Task The_next_link_is_absolute_opaque_and_keeps_the_query()
    {
        using var client = new SandboxClient();

        var (_, body) = await client.GetAsync("users?$top=5&$select=displayName");

        string next = body.GetProperty("@odata.nextLink").GetString()!;
        Assert.StartsWith(client.Sandbox.Url + "/users?", next, StringComparison.Ordinal);
        Assert.Contains("$top=5", next, StringComparison.Ordinal);
        Assert.Contains("$select=displayName", next, StringComparison.Ordinal);
        Assert.Contains("$skiptoken=", next, StringComparison.Ordinal);
        Assert.DoesNotContain("$skiptoken=5", next, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("users?$top=1000")]
    [InlineData("users?$top=0")]
    [InlineData("users?$skiptoken=not-a-token")]
    [InlineData("users?$filter=accountEnabled ne false")]
    [InlineData("users?$orderby=displayName")]
    public async Task Query_options_outside_what_graph_allows_are_a_400(string url)
    {
        using var client = new SandboxClient();

        var (response, body) = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(string.IsNullOrEmpty(body.GetProperty("error").GetProperty("code").GetString()));
    }

    [Fact]
    public async Task Select_returns_only_the_chosen_properties()
    {
        using var client = new SandboxClient();

        var (_, users) = await client.GetAsync("users?$select=displayName,accountEnabled,employeeId");
        var (_, members) = await client.GetAsync($"groups/{client.Sandbox.Tenant.Groups[0].Id}/members?$select=displayName");

        foreach (JsonElement user in users.GetProperty("value").EnumerateArray())
        {
            Assert.Equal(["accountEnabled", "displayName", "employeeId"], PropertyNames(user));
        }

        foreach (JsonElement member in members.GetProperty("value").EnumerateArray())
        {
            Assert.Equal(["@odata.type", "displayName"], PropertyNames(member));
        }
    }

    [Fact]
    public async Task Selecting_an_unknown_property_is_a_400_naming_it()
    {
        using var client = new SandboxClient();

        var (response, body) = await client.GetAsync("users?$select=displayName,favouriteColour");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("Request_BadRequest", body.GetProperty("error").GetProperty("code").GetString());
        Assert.Contains("favouriteColour", body.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Count_needs_eventual_consistency_and_then_counts_the_whole_collection()
    {
        using var client = new SandboxClient(new SandboxOptions { UserCount = 150 });

        var (withoutHeader, _) = await client.GetAsync("users?$count=true&$top=10");
        using var request = new HttpRequestMessage(HttpMethod.Get, "users?$count=true&$top=10");
        request.Headers.Add("ConsistencyLevel", "eventual");
        using var counted = await client.Http.SendAsync(request);
        using var document = JsonDocument.Parse(await counted.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.BadRequest, withoutHeader.StatusCode);
        Assert.Equal(150, document.RootElement.GetProperty("@odata.count").GetInt32());
        Assert.Equal(10, document.RootElement.GetProperty("value").GetArrayLength());
    }

    [Fact]
    public async Task Requests_without_the_sandbox_token_get_graphs_401()
    {
        using var client = new SandboxClient();
        using var anonymous = new HttpClient();
        using var wrongToken = new HttpClient();
        wrongToken.DefaultRequestHeaders.Authorization = new("Bearer", "not-the-token");

        foreach (HttpClient http in new[] { anonymous, wrongToken })
        {
            using var response = await http.GetAsync(new Uri(client.Sandbox.Url + "/users"));
            using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            JsonElement error = body.RootElement.GetProperty("error");

            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("InvalidAuthenticationToken", error.GetProperty("code").GetString());
            Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
            string requestId = error.GetProperty("innerError").GetProperty("request-id").GetString()!;
            Assert.Equal(requestId, response.Headers.GetValues("request-id").Single());
            Assert.True(error.GetProperty("innerError").TryGetProperty("date", out _));
            Assert.True(error.GetProperty("innerError").TryGetProperty("client-request-id", out _));
        }
    }

    [Fact]
    public async Task A_user_is_found_by_id_or_by_user_principal_name_and_a_missing_one_is_a_404()
    {
        using var client = new SandboxClient();
        DirectoryUser guest = client.Sandbox.Tenant.Users.First(u => u.UserType == "Guest");

        var (_, byId) = await client.GetAsync($"users/{guest.Id}");
        var (_, byUpn) = await client.GetAsync($"users/{Uri.EscapeDataString(guest.UserPrincipalName)}");
        var (missing, error) = await client.GetAsync($"users/{Guid.Empty}");

        Assert.Equal(guest.UserPrincipalName, byId.GetProperty("userPrincipalName").GetString());
        Assert.Equal(guest.Id, byUpn.GetProperty("id").GetString());
        Assert.Contains("#EXT#", guest.UserPrincipalName, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("Request_ResourceNotFound", error.GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Patch_changes_a_user_and_the_manager_endpoint_returns_a_typed_directory_object()
    {
        using var client = new SandboxClient();
        DirectoryUser user = client.Sandbox.Tenant.Users.First(u => u.Manager is not null);

        var (patched, _) = await client.SendAsync(HttpMethod.Patch, $"users/{user.Id}", new { accountEnabled = false, jobTitle = "Leaver" });
        var (_, after) = await client.GetAsync($"users/{user.Id}?$select=accountEnabled,jobTitle");
        var (_, manager) = await client.GetAsync($"users/{user.Id}/manager");

        Assert.Equal(HttpStatusCode.NoContent, patched.StatusCode);
        Assert.False(after.GetProperty("accountEnabled").GetBoolean());
        Assert.Equal("Leaver", after.GetProperty("jobTitle").GetString());
        Assert.Equal("#microsoft.graph.user", manager.GetProperty("@odata.type").GetString());
        Assert.Equal(user.Manager!.Id, manager.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Adding_then_removing_a_member_by_ref_shows_in_members_and_a_second_add_is_a_400()
    {
        using var client = new SandboxClient();
        DirectoryGroup group = client.Sandbox.Tenant.Groups.First(g => g.DisplayName.StartsWith("Project", StringComparison.Ordinal));
        DirectoryUser outsider = client.Sandbox.Tenant.Users.First(u => !group.HasMember(u.Id));
        var reference = new Dictionary<string, string> { ["@odata.id"] = $"https://graph.microsoft.com/v1.0/directoryObjects/{outsider.Id}" };

        var (added, _) = await client.SendAsync(HttpMethod.Post, $"groups/{group.Id}/members/$ref", reference);
        var afterAdd = await MemberIds(client, group);
        var (again, againBody) = await client.SendAsync(HttpMethod.Post, $"groups/{group.Id}/members/$ref", reference);
        var (removed, _) = await client.SendAsync(HttpMethod.Delete, $"groups/{group.Id}/members/{outsider.Id}/$ref");
        var afterRemove = await MemberIds(client, group);
        var (removedAgain, _) = await client.SendAsync(HttpMethod.Delete, $"groups/{group.Id}/members/{outsider.Id}/$ref");

        Assert.Equal(HttpStatusCode.NoContent, added.StatusCode);
        Assert.Contains(outsider.Id, afterAdd);
        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.Equal("Request_BadRequest", againBody.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.DoesNotContain(outsider.Id, afterRemove);
        Assert.Equal(HttpStatusCode.NotFound, removedAgain.StatusCode);
    }

    [Fact]
    public async Task Graph_refuses_membership_changes_on_dynamic_and_synced_groups()
    {
        using var client = new SandboxClient();
        DirectoryUser someone = client.Sandbox.Tenant.Users[5];
        var reference = new Dictionary<string, string> { ["@odata.id"] = $"https://graph.microsoft.com/v1.0/directoryObjects/{someone.Id}" };

        foreach (DirectoryGroup group in client.Sandbox.Tenant.Groups.Where(g => g.IsDynamic || g.OnPremisesSyncEnabled == true))
        {
            var (response, _) = await client.SendAsync(HttpMethod.Post, $"groups/{group.Id}/members/$ref", reference);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }
    }

    [Fact]
    public async Task Transitive_members_include_nested_groups_and_their_members()
    {
        using var client = new SandboxClient();
        DirectoryGroup allStaff = client.Sandbox.Tenant.Groups.Single(g => g.DisplayName == "All Staff");

        var direct = await client.GetAllAsync($"groups/{allStaff.Id}/members?$select=id");
        var transitive = await client.GetAllAsync($"groups/{allStaff.Id}/transitiveMembers?$select=id");
        var owners = await client.GetAllAsync($"groups/{allStaff.Id}/owners");

        Assert.All(direct, m => Assert.Equal("#microsoft.graph.group", m.GetProperty("@odata.type").GetString()));
        int staff = client.Sandbox.Tenant.Users.Count(u => u.UserType == "Member");
        Assert.Equal(direct.Count + staff, transitive.Count);
        Assert.Single(owners);
    }

    [Fact]
    public async Task A_batch_of_21_requests_is_a_400_and_a_batch_of_3_answers_each()
    {
        using var client = new SandboxClient();
        DirectoryUser user = client.Sandbox.Tenant.Users[1];
        object Item(int id, string url) => new { id = id.ToString(System.Globalization.CultureInfo.InvariantCulture), method = "GET", url };

        var (tooMany, _) = await client.SendAsync(HttpMethod.Post, "$batch",
            new { requests = Enumerable.Range(1, 21).Select(i => Item(i, "/users?$top=1")).ToArray() });
        var (ok, body) = await client.SendAsync(HttpMethod.Post, "$batch", new
        {
            requests = new[] { Item(1, $"/users/{user.Id}"), Item(2, "/groups?$top=2"), Item(3, $"/users/{Guid.Empty}") },
        });

        Assert.Equal(HttpStatusCode.BadRequest, tooMany.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var responses = body.GetProperty("responses").EnumerateArray().ToDictionary(r => r.GetProperty("id").GetString()!);
        Assert.Equal(3, responses.Count);
        Assert.Equal(200, responses["1"].GetProperty("status").GetInt32());
        Assert.Equal(user.Id, responses["1"].GetProperty("body").GetProperty("id").GetString());
        Assert.Equal(2, responses["2"].GetProperty("body").GetProperty("value").GetArrayLength());
        Assert.Equal(404, responses["3"].GetProperty("status").GetInt32());
        Assert.Equal("Request_ResourceNotFound", responses["3"].GetProperty("body").GetProperty("error").GetProperty("code").GetString());
        Assert.All(responses.Values, r => Assert.Equal(JsonValueKind.Object, r.GetProperty("headers").ValueKind));
    }

    [Fact]
    public async Task Every_response_carries_a_request_id_header()
    {
        using var client = new SandboxClient();

        var (ok, _) = await client.GetAsync("groups?$top=1");
        var (missing, _) = await client.GetAsync("nonsense");
        var (unknownSegment, _) = await client.GetAsync($"users/{client.Sandbox.Tenant.Users[0].Id}/calendarView");
        var (wrongMethod, _) = await client.SendAsync(HttpMethod.Delete, "users");

        Assert.Single(ok.Headers.GetValues("request-id"));
        Assert.Single(missing.Headers.GetValues("request-id"));
        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknownSegment.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
    }

    private static async Task<HashSet<string>> MemberIds(SandboxClient client, DirectoryGroup group) =>
        (await client.GetAllAsync($"groups/{group.Id}/members?$select=id&$top=999"))
            .Select(m => m.GetProperty("id").GetString()!).ToHashSet();

    private static string[] PropertyNames(JsonElement item) =>
        item.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
}

public sealed class GraphCollectionPagingTests
{
    /// <summary>Every collection the sandbox serves, and how many items the tenant says it holds.</summary>
    public static TheoryData<string> Collections() =>
    [
        "organization", "subscribedSkus", "users", "groups", "devices", "servicePrincipals", "oauth2PermissionGrants",
        "roleManagement/directory/roleDefinitions", "roleManagement/directory/roleAssignments",
        "roleManagement/directory/roleAssignmentSchedules", "roleManagement/directory/roleAssignmentScheduleInstances",
        "roleManagement/directory/roleEligibilitySchedules", "roleManagement/directory/roleEligibilityScheduleInstances",
        "reports/authenticationMethods/userRegistrationDetails", "users/{boss}/directReports", "users/{member}/memberOf",
        "users/{member}/transitiveMemberOf", "users/{member}/authentication/methods", "users/{member}/appRoleAssignments",
        "servicePrincipals/{app}/appRoleAssignedTo", "groups/{allStaff}/transitiveMembers",
    ];

    [Theory]
    [MemberData(nameof(Collections))]
    public async Task Every_collection_pages_through_next_links_to_the_whole_set_once(string template)
    {
        using var client = new SandboxClient(new SandboxOptions { UserCount = 300 });
        var tenant = client.Sandbox.Tenant;
        DirectoryUser boss = tenant.Users.OrderByDescending(u => u.DirectReports.Count).First();
        DirectoryUser member = tenant.Users.OrderByDescending(u => u.MemberOf.Count + u.AuthenticationMethods.Count + tenant.AppRoleAssignmentsOf(u).Count).First();
        ServicePrincipal app = tenant.ServicePrincipals.OrderByDescending(s => tenant.AppRoleAssignmentsTo(s).Count).First();
        string url = template.Replace("{boss}", boss.Id, StringComparison.Ordinal).Replace("{member}", member.Id, StringComparison.Ordinal)
            .Replace("{app}", app.Id, StringComparison.Ordinal)
            .Replace("{allStaff}", tenant.Groups.Single(g => g.DisplayName == "All Staff").Id, StringComparison.Ordinal);

        var everything = await client.GetAllAsync(url + "?$top=999");
        var paged = await client.GetAllAsync(url + "?$top=2");
        var (_, firstPage) = await client.GetAsync(url + "?$top=1");

        Assert.NotEmpty(everything);
        Assert.Equal(everything.Select(i => i.GetProperty("id").GetString()), paged.Select(i => i.GetProperty("id").GetString()));
        Assert.Equal(everything.Count, paged.Select(i => i.GetProperty("id").GetString()).Distinct().Count());
        Assert.Equal(everything.Count > 1, firstPage.TryGetProperty("@odata.nextLink", out _));
    }

    [Fact]
    public async Task A_batch_routes_a_mix_of_the_new_writes_and_answers_each_with_its_own_status()
    {
        using var client = new SandboxClient();
        var tenant = client.Sandbox.Tenant;
        DirectoryUser leaver = tenant.Users.First(u => u.UserType == "Member" && u.AccountEnabled && u.Manager is not null && u.AuthenticationMethods.Any(m => m is EmailMethod));
        RoleAssignment role = tenant.RoleAssignments.First(a => a.Principal is DirectoryUser);
        OAuth2PermissionGrant grant = tenant.OAuth2PermissionGrants[0];
        DirectoryDevice device = tenant.Devices[0];
        object Item(string id, string method, string url, object? body = null) => body is null
            ? new { id, method, url }
            : new { id, method, url, body, headers = new Dictionary<string, string> { ["Content-Type"] = "application/json" } };

        var (response, body) = await client.SendAsync(HttpMethod.Post, "$batch", new
        {
            requests = new[]
            {
                Item("1", "PATCH", $"/users/{leaver.Id}", new { accountEnabled = false }),
                Item("2", "POST", $"/users/{leaver.Id}/revokeSignInSessions"),
                Item("3", "DELETE", $"/users/{leaver.Id}/manager/$ref"),
                Item("4", "DELETE", $"/roleManagement/directory/roleAssignments/{role.Id}"),
                Item("5", "DELETE", $"/oauth2PermissionGrants/{grant.Id}"),
                Item("6", "PATCH", $"/devices/{device.Id}", new { accountEnabled = false }),
                Item("7", "DELETE", $"/users/{leaver.Id}/authentication/emailMethods/{EmailMethod.WellKnownId}"),
                Item("8", "DELETE", $"/roleManagement/directory/roleAssignments/{role.Id}"),
                Item("9", "GET", $"/users?$filter=id eq '{leaver.Id}'&$select=accountEnabled"),
            },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var statuses = body.GetProperty("responses").EnumerateArray()
            .ToDictionary(r => r.GetProperty("id").GetString()!, r => r.GetProperty("status").GetInt32());
        Assert.Equal(new Dictionary<string, int> { ["1"] = 204, ["2"] = 200, ["3"] = 204, ["4"] = 204, ["5"] = 204, ["6"] = 204, ["7"] = 204, ["8"] = 404, ["9"] = 200 }, statuses);
        Assert.False(leaver.AccountEnabled);
        Assert.Null(leaver.Manager);
        Assert.False(device.AccountEnabled);
        Assert.DoesNotContain(role, tenant.RoleAssignments);
        Assert.DoesNotContain(leaver.AuthenticationMethods, m => m is EmailMethod);
        JsonElement ninth = body.GetProperty("responses").EnumerateArray().Single(r => r.GetProperty("id").GetString() == "9");
        Assert.False(ninth.GetProperty("body").GetProperty("value")[0].GetProperty("accountEnabled").GetBoolean());
    }
}
