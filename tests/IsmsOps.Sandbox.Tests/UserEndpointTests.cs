using System.Net;
using System.Text.Json;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Sandbox.Tests;

public sealed class UserEndpointTests
{
    private static string Code(JsonElement body) => body.GetProperty("error").GetProperty("code").GetString()!;
    private static string Message(JsonElement body) => body.GetProperty("error").GetProperty("message").GetString()!;

    [Fact]
    public async Task Expanding_the_manager_nests_a_typed_object_with_the_selected_properties_and_leaves_it_out_when_there_is_none()
    {
        using var client = new SandboxClient();
        var tenant = client.Sandbox.Tenant;

        var users = await client.GetAllAsync("users?$select=id,displayName&$expand=manager($select=id)&$top=50");
        var (_, single) = await client.GetAsync($"users/{tenant.Users[1].Id}?$expand=manager($select=id,displayName)");

        Assert.Equal(tenant.Users.Count, users.Count);
        foreach (JsonElement user in users)
        {
            DirectoryUser expected = tenant.FindUser(user.GetProperty("id").GetString()!)!;
            if (expected.Manager is null)
            {
                Assert.False(user.TryGetProperty("manager", out _));
                continue;
            }

            JsonElement manager = user.GetProperty("manager");
            Assert.Equal("#microsoft.graph.user", manager.GetProperty("@odata.type").GetString());
            Assert.Equal(expected.Manager.Id, manager.GetProperty("id").GetString());
            Assert.Equal(["@odata.type", "id"], manager.EnumerateObject().Select(p => p.Name).ToArray());
        }

        Assert.Equal(tenant.Users[1].Manager!.DisplayName, single.GetProperty("manager").GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task Guest_sponsors_are_seeded_listed_expanded_added_and_removed_by_reference_and_go_when_the_sponsor_is_deleted()
    {
        using var client = new SandboxClient();
        var tenant = client.Sandbox.Tenant;
        var guests = tenant.Users.Where(u => u.UserType == "Guest").ToList();
        DirectoryUser guest = guests.First(g => g.Sponsors.Count == 0);
        DirectoryUser sponsor = tenant.Users.Last(u => u.UserType == "Member" && u.SponsorOf.Count == 0);
        var reference = new Dictionary<string, string> { ["@odata.id"] = $"https://graph.microsoft.com/v1.0/directoryObjects/{sponsor.Id}" };

        var (added, _) = await client.SendAsync(HttpMethod.Post, $"users/{guest.Id}/sponsors/$ref", reference);
        var (again, _) = await client.SendAsync(HttpMethod.Post, $"users/{guest.Id}/sponsors/$ref", reference);
        var listed = await client.GetAllAsync($"users/{guest.Id}/sponsors?$select=id");
        var expanded = await client.GetAllAsync($"users?$filter={Uri.EscapeDataString("userType eq 'Guest'")}&$select=id&$expand=sponsors($select=id)&$top=999");
        var (removed, _) = await client.SendAsync(HttpMethod.Delete, $"users/{guest.Id}/sponsors/{sponsor.Id}/$ref");
        var (removedAgain, _) = await client.SendAsync(HttpMethod.Delete, $"users/{guest.Id}/sponsors/{sponsor.Id}/$ref");

        Assert.Contains(guests, g => g.Sponsors.Count > 0);
        Assert.Contains(guests, g => g.Sponsors.Count == 0);
        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.BadRequest), (added.StatusCode, again.StatusCode));
        Assert.Equal([sponsor.Id], listed.Select(s => s.GetProperty("id").GetString()));
        Assert.Equal("#microsoft.graph.user", listed[0].GetProperty("@odata.type").GetString());
        Assert.Equal(guests.Count, expanded.Count);
        JsonElement withSponsor = expanded.Single(g => g.GetProperty("id").GetString() == guest.Id);
        Assert.Equal([sponsor.Id], withSponsor.GetProperty("sponsors").EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.Equal((HttpStatusCode.NoContent, HttpStatusCode.NotFound), (removed.StatusCode, removedAgain.StatusCode));
        Assert.Empty(guest.Sponsors);

        DirectoryUser sponsored = guests.First(g => g.Sponsors.Count > 0);
        DirectoryUser leaving = sponsored.Sponsors[0];
        var (deleted, _) = await client.SendAsync(HttpMethod.Delete, $"users/{leaving.Id}");
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.DoesNotContain(leaving, sponsored.Sponsors);
    }

    [Theory]
    [InlineData("users?$expand=memberOf", "memberOf")]
    [InlineData("users?$expand=manager($top=1)", "$top=1")]
    [InlineData("users?$expand=manager($select=favouriteColour)", "favouriteColour")]
    public async Task Other_expansions_are_a_400_naming_what_is_wrong(string url, string named)
    {
        using var client = new SandboxClient();

        var (response, body) = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(named, Message(body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_identity_governance_properties_come_back_when_selected()
    {
        using var client = new SandboxClient(new SandboxOptions { UserCount = 1_000 });
        const string select = "id,employeeId,employeeHireDate,employeeLeaveDateTime,onPremisesSyncEnabled,signInActivity,assignedLicenses,licenseAssignmentStates";

        var users = await client.GetAllAsync($"users?$select={select}&$top=999");

        Assert.Equal(1_000, users.Count);
        Assert.All(users, u => Assert.Equal(select.Split(','), u.EnumerateObject().Select(p => p.Name).ToArray()));
        Assert.Contains(users, u => u.GetProperty("employeeLeaveDateTime").ValueKind == JsonValueKind.String);
        Assert.Contains(users, u => u.GetProperty("onPremisesSyncEnabled").ValueKind == JsonValueKind.True);
        Assert.Contains(users, u => u.GetProperty("signInActivity").ValueKind == JsonValueKind.Null);
        var activity = users.Select(u => u.GetProperty("signInActivity")).First(a => a.ValueKind == JsonValueKind.Object);
        Assert.True(activity.TryGetProperty("lastSuccessfulSignInDateTime", out _));
        Assert.True(activity.TryGetProperty("lastNonInteractiveSignInDateTime", out _));

        var states = users.SelectMany(u => u.GetProperty("licenseAssignmentStates").EnumerateArray()).ToList();
        Assert.Contains(states, s => s.GetProperty("assignedByGroup").ValueKind == JsonValueKind.Null);
        string byGroup = states.First(s => s.GetProperty("assignedByGroup").ValueKind == JsonValueKind.String).GetProperty("assignedByGroup").GetString()!;
        Assert.NotEmpty(client.Sandbox.Tenant.FindGroup(byGroup)!.AssignedLicenses);
    }

    [Fact]
    public async Task Filters_find_users_by_lookup_properties_including_names_with_apostrophes()
    {
        using var client = new SandboxClient(new SandboxOptions { UserCount = 1_000 });
        var tenant = client.Sandbox.Tenant;
        DirectoryUser obrien = tenant.Users.First(u => u.Surname == "O'Brien" && u.UserType == "Member");
        string quoted = obrien.DisplayName.Replace("'", "''", StringComparison.Ordinal);

        var byName = await client.GetAllAsync($"users?$filter={Uri.EscapeDataString($"displayName eq '{quoted}'")}");
        var byUpn = await client.GetAllAsync($"users?$filter={Uri.EscapeDataString($"userPrincipalName eq '{obrien.UserPrincipalName.ToUpperInvariant()}'")}");
        var byEmployeeId = await client.GetAllAsync($"users?$filter=employeeId eq '{obrien.EmployeeId}'");
        var disabled = await client.GetAllAsync("users?$filter=accountEnabled eq false and userType eq 'Member'&$top=999");
        var byIds = await client.GetAllAsync($"users?$filter=id in ('{tenant.Users[3].Id}','{tenant.Users[7].Id}')");
        var starting = await client.GetAllAsync($"users?$filter={Uri.EscapeDataString("startswith(displayName,'Zoë')")}&$top=999");

        Assert.Equal(tenant.Users.Where(u => u.DisplayName == obrien.DisplayName).Select(u => u.Id), byName.Select(u => u.GetProperty("id").GetString()));
        Assert.Equal(obrien.Id, Assert.Single(byUpn).GetProperty("id").GetString());
        Assert.Equal(obrien.Id, Assert.Single(byEmployeeId).GetProperty("id").GetString());
        Assert.Equal(tenant.Users.Count(u => !u.AccountEnabled && u.UserType == "Member"), disabled.Count);
        Assert.Equal(2, byIds.Count);
        Assert.Equal(tenant.Users.Count(u => u.DisplayName.StartsWith("Zoë", StringComparison.Ordinal)), starting.Count);
        Assert.NotEmpty(starting);
    }

    [Theory]
    [InlineData("users?$filter=favouriteColour eq 'red'", "Request_UnsupportedQuery", "favouriteColour")]
    [InlineData("users?$filter=displayName eq 'a' or displayName eq 'b'", "Request_UnsupportedQuery", "'or'")]
    [InlineData("users?$filter=displayName eq 'unterminated", "BadRequest", "unterminated")]
    [InlineData("groups?$filter=membershipRule eq 'x'", "Request_UnsupportedQuery", "membershipRule")]
    public async Task Filters_the_sandbox_cannot_serve_are_a_400_naming_the_clause(string url, string code, string named)
    {
        using var client = new SandboxClient();

        var (response, body) = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, Code(body));
        Assert.Contains(named, Message(body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Navigation_collections_follow_the_directory()
    {
        using var client = new SandboxClient(new SandboxOptions { UserCount = 1_000 });
        var tenant = client.Sandbox.Tenant;
        DirectoryUser boss = tenant.Users.First(u => u.DirectReports.Count > 2);
        DirectoryUser nested = tenant.Users.First(u => u.TransitiveMemberOf().Count > u.MemberOf.Count);
        DirectoryUser owner = tenant.Users.First(u => u.OwnedGroups.Count > 0 && u.OwnedDevices.Count > 0);

        async Task<string[]> Ids(string url) => (await client.GetAllAsync(url)).Select(o => o.GetProperty("id").GetString()!).ToArray();

        Assert.Equal(boss.DirectReports.Select(u => u.Id), await Ids($"users/{boss.Id}/directReports?$top=1"));
        Assert.Equal(nested.MemberOf.Select(g => g.Id), await Ids($"users/{nested.Id}/memberOf"));
        Assert.Equal(nested.TransitiveMemberOf().Select(g => g.Id).Order(), (await Ids($"users/{nested.Id}/transitiveMemberOf")).Order());
        Assert.Equal(owner.OwnedGroups.Select(g => g.Id), await Ids($"users/{owner.Id}/ownedObjects"));
        Assert.Equal(owner.OwnedDevices.Select(d => d.Id), await Ids($"users/{owner.Id}/ownedDevices"));
        Assert.Equal(owner.RegisteredDevices.Select(d => d.Id), await Ids($"users/{owner.Id}/registeredDevices"));
        var (_, memberOf) = await client.GetAsync($"users/{nested.Id}/memberOf");
        Assert.All(memberOf.GetProperty("value").EnumerateArray(), g => Assert.Equal("#microsoft.graph.group", g.GetProperty("@odata.type").GetString()));
    }

    [Fact]
    public async Task Unknown_users_are_a_404_on_every_user_endpoint()
    {
        using var client = new SandboxClient();
        string missing = Guid.Empty.ToString();
        string[] urls =
        [
            "", "/memberOf", "/transitiveMemberOf", "/ownedObjects", "/directReports", "/appRoleAssignments", "/licenseDetails",
            "/authentication/methods", "/authentication/phoneMethods", "/ownedDevices", "/registeredDevices", "/oauth2PermissionGrants",
        ];

        foreach (string url in urls)
        {
            var (response, body) = await client.GetAsync($"users/{missing}{url}");
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, url);
            Assert.Equal("Request_ResourceNotFound", Code(body));
        }

        var (deleted, _) = await client.SendAsync(HttpMethod.Delete, $"users/{missing}");
        var (revoked, _) = await client.SendAsync(HttpMethod.Post, $"users/{missing}/revokeSignInSessions");
        Assert.Equal(HttpStatusCode.NotFound, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, revoked.StatusCode);
    }

    [Fact]
    public async Task Creating_a_user_answers_201_and_a_duplicate_or_foreign_domain_is_a_400()
    {
        using var client = new SandboxClient();
        var user = new Dictionary<string, object>
        {
            ["accountEnabled"] = true,
            ["displayName"] = "Aoife Ní Bhriain",
            ["mailNickname"] = "aoife.nibhriain",
            ["userPrincipalName"] = $"aoife.nibhriain@{SandboxOrganisation.CustomDomain}",
            ["passwordProfile"] = new { forceChangePasswordNextSignIn = true, password = "xWwvJ]6NMw+bWH-d" },
            ["employeeId"] = "900001",
        };

        var (created, body) = await client.SendAsync(HttpMethod.Post, "users", user);
        var (found, _) = await client.GetAsync($"users/{Uri.EscapeDataString((string)user["userPrincipalName"])}?$select=id,employeeId");
        var (duplicate, duplicateBody) = await client.SendAsync(HttpMethod.Post, "users", user);
        user["userPrincipalName"] = "someone@contoso.com";
        var (foreign, foreignBody) = await client.SendAsync(HttpMethod.Post, "users", user);
        user.Remove("passwordProfile");
        user["userPrincipalName"] = $"another@{SandboxOrganisation.DefaultDomain}";
        var (incomplete, incompleteBody) = await client.SendAsync(HttpMethod.Post, "users", user);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Equal(body.GetProperty("id").GetString(), client.Sandbox.Tenant.FindUser("aoife.nibhriain@" + SandboxOrganisation.CustomDomain)!.Id);
        Assert.Equal(HttpStatusCode.BadRequest, duplicate.StatusCode);
        Assert.Contains("userPrincipalName already exists", Message(duplicateBody), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, foreign.StatusCode);
        Assert.Contains("verified domain", Message(foreignBody), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, incomplete.StatusCode);
        Assert.Contains("passwordProfile", Message(incompleteBody), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_a_user_removes_every_link_to_them()
    {
        using var client = new SandboxClient(new SandboxOptions { UserCount = 1_000 });
        var tenant = client.Sandbox.Tenant;
        RoleAssignment assignment = tenant.RoleAssignments.First(a => a.Principal is DirectoryUser u && u.DirectReports.Count > 0 && u.MemberOf.Count > 0);
        var user = (DirectoryUser)assignment.Principal;
        var groups = user.MemberOf.ToList();
        var reports = user.DirectReports.ToList();

        var (deleted, _) = await client.SendAsync(HttpMethod.Delete, $"users/{user.Id}");
        var (gone, _) = await client.GetAsync($"users/{user.Id}");
        var roles = await client.GetAllAsync($"roleManagement/directory/roleAssignments?$filter=principalId eq '{user.Id}'");
        var members = await client.GetAllAsync($"groups/{groups[0].Id}/members?$select=id&$top=999");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Empty(roles);
        Assert.DoesNotContain(members, m => m.GetProperty("id").GetString() == user.Id);
        Assert.All(reports, r => Assert.Null(r.Manager));
        Assert.Empty(tenant.AppRoleAssignmentsOf(user));
    }

    [Fact]
    public async Task Revoking_sessions_answers_true_and_moves_the_valid_from_time()
    {
        using var client = new SandboxClient();
        DirectoryUser user = client.Sandbox.Tenant.Users[4];

        var (response, body) = await client.SendAsync(HttpMethod.Post, $"users/{user.Id}/revokeSignInSessions");
        var (_, after) = await client.GetAsync($"users/{user.Id}?$select=signInSessionsValidFromDateTime");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(body.GetProperty("value").GetBoolean());
        Assert.True(DateTimeOffset.Parse(after.GetProperty("signInSessionsValidFromDateTime").GetString()!, System.Globalization.CultureInfo.InvariantCulture)
            > SandboxOrganisation.Now);
    }

    [Fact]
    public async Task The_manager_can_be_set_and_removed_by_reference()
    {
        using var client = new SandboxClient();
        var tenant = client.Sandbox.Tenant;
        DirectoryUser user = tenant.Users.First(u => u.Manager is not null && u.DirectReports.Count == 0);
        DirectoryUser newManager = tenant.Users.First(u => u.UserType == "Member" && u != user.Manager && u != user);

        var (set, _) = await client.SendAsync(HttpMethod.Put, $"users/{user.Id}/manager/$ref",
            new Dictionary<string, string> { ["@odata.id"] = $"https://graph.microsoft.com/v1.0/users/{newManager.Id}" });
        var (_, manager) = await client.GetAsync($"users/{user.Id}/manager");
        var reports = await client.GetAllAsync($"users/{newManager.Id}/directReports");
        var (removed, _) = await client.SendAsync(HttpMethod.Delete, $"users/{user.Id}/manager/$ref");
        var (none, _) = await client.GetAsync($"users/{user.Id}/manager");
        var (removedAgain, _) = await client.SendAsync(HttpMethod.Delete, $"users/{user.Id}/manager/$ref");
        var (unknown, _) = await client.SendAsync(HttpMethod.Put, $"users/{user.Id}/manager/$ref",
            new Dictionary<string, string> { ["@odata.id"] = $"https://graph.microsoft.com/v1.0/users/{Guid.Empty}" });

        Assert.Equal(HttpStatusCode.NoContent, set.StatusCode);
        Assert.Equal(newManager.Id, manager.GetProperty("id").GetString());
        Assert.Contains(reports, r => r.GetProperty("id").GetString() == user.Id);
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, none.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, removedAgain.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Licences_are_assigned_and_removed_directly_but_an_inherited_one_cannot_be_removed_from_the_user()
    {
        using var client = new SandboxClient(new SandboxOptions { UserCount = 1_000 });
        var tenant = client.Sandbox.Tenant;
        DirectoryUser inherits = tenant.Users.First(u => u.DirectLicenses.Count == 0
            && u.LicenseAssignmentStates().Any(s => s.AssignedByGroup is not null));
        Guid inherited = inherits.LicenseAssignmentStates().First(s => s.AssignedByGroup is not null).SkuId;
        object Change(Guid[] add, Guid[] remove) => new
        {
            addLicenses = add.Select(sku => new { skuId = sku, disabledPlans = new[] { LicenceCatalogue.TeamsPlanId } }).ToArray(),
            removeLicenses = remove,
        };

        var (added, addedBody) = await client.SendAsync(HttpMethod.Post, $"users/{inherits.Id}/assignLicense", Change([LicenceCatalogue.Office365E3], []));
        var details = await client.GetAllAsync($"users/{inherits.Id}/licenseDetails");
        var (refused, refusedBody) = await client.SendAsync(HttpMethod.Post, $"users/{inherits.Id}/assignLicense", Change([], [inherited]));
        var (removed, _) = await client.SendAsync(HttpMethod.Post, $"users/{inherits.Id}/assignLicense", Change([], [LicenceCatalogue.Office365E3]));
        var (notHeld, notHeldBody) = await client.SendAsync(HttpMethod.Post, $"users/{inherits.Id}/assignLicense", Change([], [LicenceCatalogue.Office365E3]));
        var (unknownSku, _) = await client.SendAsync(HttpMethod.Post, $"users/{inherits.Id}/assignLicense", Change([Guid.NewGuid()], []));

        Assert.Equal(HttpStatusCode.OK, added.StatusCode);
        Assert.Equal(inherits.Id, addedBody.GetProperty("id").GetString());
        JsonElement e3 = details.Single(d => d.GetProperty("skuPartNumber").GetString() == "ENTERPRISEPACK");
        Assert.Equal("Disabled", e3.GetProperty("servicePlans").EnumerateArray()
            .Single(p => p.GetProperty("servicePlanName").GetString() == "TEAMS1").GetProperty("provisioningStatus").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("inherited from a group membership", Message(refusedBody), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, removed.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, notHeld.StatusCode);
        Assert.Contains("does not have a corresponding license", Message(notHeldBody), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, unknownSku.StatusCode);
        Assert.Contains(inherits.LicenseAssignmentStates(), s => s.SkuId == inherited);
    }

    [Fact]
    public async Task A_user_without_a_usage_location_cannot_be_licensed()
    {
        using var client = new SandboxClient();
        DirectoryUser guest = client.Sandbox.Tenant.Users.First(u => u.UserType == "Guest");

        var (response, body) = await client.SendAsync(HttpMethod.Post, $"users/{guest.Id}/assignLicense",
            new { addLicenses = new[] { new { skuId = LicenceCatalogue.Office365E3, disabledPlans = Array.Empty<Guid>() } }, removeLicenses = Array.Empty<Guid>() });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("usage location", Message(body), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscribed_skus_count_the_seats_users_hold()
    {
        using var client = new SandboxClient();
        var tenant = client.Sandbox.Tenant;

        var skus = await client.GetAllAsync("subscribedSkus");
        var (_, organisation) = await client.GetAsync("organization?$select=id,displayName,verifiedDomains");

        Assert.Equal(tenant.SubscribedSkus.Count, skus.Count);
        foreach (JsonElement sku in skus)
        {
            var skuId = Guid.Parse(sku.GetProperty("skuId").GetString()!);
            Assert.Equal($"{tenant.Id}_{skuId}", sku.GetProperty("id").GetString());
            Assert.Equal(tenant.Users.Count(u => u.AssignedLicenses().Any(l => l.SkuId == skuId)), sku.GetProperty("consumedUnits").GetInt32());
        }

        Assert.Contains(skus, s => s.GetProperty("skuPartNumber").GetString() == "AAD_PREMIUM_P2");
        JsonElement org = Assert.Single(organisation.GetProperty("value").EnumerateArray());
        Assert.Equal(tenant.Id, org.GetProperty("id").GetString());
        Assert.Equal(["id", "displayName", "verifiedDomains"], org.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.Contains(org.GetProperty("verifiedDomains").EnumerateArray(), d => d.GetProperty("isDefault").GetBoolean()
            && d.GetProperty("name").GetString() == tenant.DefaultDomain);
    }
}
