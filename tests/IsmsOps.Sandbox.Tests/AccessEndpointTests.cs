using System.Net;
using System.Text.Json;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Sandbox.Tests;

/// <summary>Roles, PIM, applications, consents and group ownership: who may do what, and taking it away.</summary>
public sealed class AccessEndpointTests
{
    private const string Roles = "roleManagement/directory";

    private static string Code(JsonElement body) => body.GetProperty("error").GetProperty("code").GetString()!;

    [Fact]
    public async Task Built_in_role_definitions_carry_microsofts_template_ids()
    {
        using var client = new SandboxClient();

        var roles = await client.GetAllAsync($"{Roles}/roleDefinitions");
        var (_, globalAdmin) = await client.GetAsync($"{Roles}/roleDefinitions/{BuiltInRoles.GlobalAdministrator}");

        var byName = roles.ToDictionary(r => r.GetProperty("displayName").GetString()!, r => r);
        Assert.Equal("62e90394-69f5-4237-9190-012177145e10", byName["Global Administrator"].GetProperty("templateId").GetString());
        Assert.Equal("e8611ab8-c189-46e8-94e1-60213ab1f814", byName["Privileged Role Administrator"].GetProperty("id").GetString());
        Assert.Equal("9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3", byName["Application Administrator"].GetProperty("id").GetString());
        Assert.Contains(roles, r => !r.GetProperty("isBuiltIn").GetBoolean() && r.GetProperty("templateId").ValueKind == JsonValueKind.Null);
        Assert.Equal("Global Administrator", globalAdmin.GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task Role_assignments_and_schedules_filter_by_principal_and_show_time_bound_ones()
    {
        using var client = new SandboxClient();
        var tenant = client.Sandbox.Tenant;
        RoleAssignment timeBound = tenant.RoleAssignments.First(a => a.EndDateTime is not null && a.Principal is DirectoryUser);
        string principal = timeBound.Principal.Id;

        var assignments = await client.GetAllAsync($"{Roles}/roleAssignments?$filter=principalId eq '{principal}'");
        var schedules = await client.GetAllAsync($"{Roles}/roleAssignmentSchedules?$filter=principalId eq '{principal}'");
        var instances = await client.GetAllAsync($"{Roles}/roleAssignmentScheduleInstances?$filter=principalId eq '{principal}'");
        var groupAssignments = await client.GetAllAsync($"{Roles}/roleAssignments?$top=5");

        int expected = tenant.RoleAssignments.Count(a => a.Principal.Id == principal);
        Assert.Equal(expected, assignments.Count);
        Assert.Equal(expected, schedules.Count);
        Assert.Equal(expected, instances.Count);
        JsonElement schedule = schedules.Single(s => s.GetProperty("id").GetString() == timeBound.Id);
        JsonElement expiration = schedule.GetProperty("scheduleInfo").GetProperty("expiration");
        Assert.Equal("afterDateTime", expiration.GetProperty("type").GetString());
        Assert.Equal(timeBound.EndDateTime!.Value, DateTimeOffset.Parse(expiration.GetProperty("endDateTime").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(tenant.RoleAssignments.Count, groupAssignments.Count);
        Assert.Contains(tenant.RoleAssignments, a => a.Principal is DirectoryGroup { IsAssignableToRole: true });
        Assert.Contains(tenant.RoleAssignments, a => a.AssignmentType == "Activated");
    }

    [Fact]
    public async Task Eligibilities_are_listed_and_filtered_by_principal()
    {
        using var client = new SandboxClient();
        var tenant = client.Sandbox.Tenant;
        RoleEligibility eligibility = tenant.RoleEligibilities[0];

        var all = await client.GetAllAsync($"{Roles}/roleEligibilitySchedules?$top=2");
        var mine = await client.GetAllAsync($"{Roles}/roleEligibilitySchedules?$filter=principalId eq '{eligibility.Principal.Id}'");
        var instances = await client.GetAllAsync($"{Roles}/roleEligibilityScheduleInstances");

        Assert.Equal(tenant.RoleEligibilities.Count, all.Count);
        Assert.Equal(tenant.RoleEligibilities.Count(e => e.Principal == eligibility.Principal), mine.Count);
        Assert.Equal(tenant.RoleEligibilities.Count, instances.Count);
        Assert.Contains(all, e => e.GetProperty("scheduleInfo").GetProperty("expiration").GetProperty("type").GetString() == "noExpiration");
    }

    [Fact]
    public async Task Deleting_a_role_assignment_answers_204_then_404()
    {
        using var client = new SandboxClient();
        RoleAssignment assignment = client.Sandbox.Tenant.RoleAssignments[0];

        var (deleted, _) = await client.SendAsync(HttpMethod.Delete, $"{Roles}/roleAssignments/{assignment.Id}");
        var (again, body) = await client.SendAsync(HttpMethod.Delete, $"{Roles}/roleAssignments/{assignment.Id}");
        var (gone, _) = await client.GetAsync($"{Roles}/roleAssignments/{assignment.Id}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal("Request_ResourceNotFound", Code(body));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Theory]
    [InlineData("roleAssignmentScheduleRequests", "roleAssignmentSchedules")]
    [InlineData("roleEligibilityScheduleRequests", "roleEligibilitySchedules")]
    public async Task Schedule_requests_assign_and_remove_and_removing_what_is_absent_is_graphs_400(string requests, string schedules)
    {
        using var client = new SandboxClient();
        DirectoryUser user = client.Sandbox.Tenant.Users.First(u => u.UserType == "Member" && client.Sandbox.Tenant.RoleAssignments.All(a => a.Principal != u));
        object Request(string action) => new
        {
            action,
            principalId = user.Id,
            roleDefinitionId = BuiltInRoles.SecurityReader,
            directoryScopeId = "/",
            justification = "Quarterly audit",
            scheduleInfo = new { startDateTime = "2026-11-01T00:00:00Z", expiration = new { type = "afterDuration", duration = "P30D" } },
        };

        var (assigned, assignedBody) = await client.SendAsync(HttpMethod.Post, $"{Roles}/{requests}", Request("adminAssign"));
        var listed = await client.GetAllAsync($"{Roles}/{schedules}?$filter=principalId eq '{user.Id}'");
        var (twice, twiceBody) = await client.SendAsync(HttpMethod.Post, $"{Roles}/{requests}", Request("adminAssign"));
        var (removed, removedBody) = await client.SendAsync(HttpMethod.Post, $"{Roles}/{requests}", Request("adminRemove"));
        var afterRemove = await client.GetAllAsync($"{Roles}/{schedules}?$filter=principalId eq '{user.Id}'");
        var (absent, absentBody) = await client.SendAsync(HttpMethod.Post, $"{Roles}/{requests}", Request("adminRemove"));

        Assert.Equal(HttpStatusCode.Created, assigned.StatusCode);
        Assert.Equal("Provisioned", assignedBody.GetProperty("status").GetString());
        JsonElement schedule = Assert.Single(listed);
        Assert.Equal("2026-12-01T00:00:00Z", schedule.GetProperty("scheduleInfo").GetProperty("expiration").GetProperty("endDateTime").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, twice.StatusCode);
        Assert.Equal("RoleAssignmentExists", Code(twiceBody));
        Assert.Equal(HttpStatusCode.Created, removed.StatusCode);
        Assert.Equal("Revoked", removedBody.GetProperty("status").GetString());
        Assert.Empty(afterRemove);
        Assert.Equal(HttpStatusCode.BadRequest, absent.StatusCode);
        Assert.Equal("RoleAssignmentDoesNotExist", Code(absentBody));
    }

    [Fact]
    public async Task Service_principals_page_and_an_applications_assignments_can_be_removed_from_either_side()
    {
        using var client = new SandboxClient();
        var tenant = client.Sandbox.Tenant;
        ServicePrincipal app = tenant.ServicePrincipals.First(s => tenant.AppRoleAssignmentsTo(s).Count(a => a.Principal is DirectoryUser) >= 2);
        var assignments = tenant.AppRoleAssignmentsTo(app).ToList();
        var (first, second) = (assignments.First(a => a.Principal is DirectoryUser), assignments.Last(a => a.Principal is DirectoryUser));
        int heldBySecond = tenant.AppRoleAssignmentsOf(second.Principal).Count;

        var apps = await client.GetAllAsync("servicePrincipals?$top=5&$select=id,appId,displayName,appRoles");
        var assignedTo = await client.GetAllAsync($"servicePrincipals/{app.Id}/appRoleAssignedTo?$top=1");
        var ofUser = await client.GetAllAsync($"users/{second.Principal.Id}/appRoleAssignments");
        var (viaResource, _) = await client.SendAsync(HttpMethod.Delete, $"servicePrincipals/{app.Id}/appRoleAssignedTo/{first.Id}");
        var (viaUser, _) = await client.SendAsync(HttpMethod.Delete, $"users/{second.Principal.Id}/appRoleAssignments/{second.Id}");
        var (elsewhere, _) = await client.SendAsync(HttpMethod.Delete, $"users/{second.Principal.Id}/appRoleAssignments/{assignments.First(a => a.Principal != second.Principal && a != first).Id}");
        var afterwards = await client.GetAllAsync($"servicePrincipals/{app.Id}/appRoleAssignedTo");

        Assert.Equal(tenant.ServicePrincipals.Count, apps.Count);
        Assert.Contains(apps, a => a.GetProperty("appId").GetString() == MicrosoftGraphApplication.AppId);
        Assert.Equal(assignments.Count, assignedTo.Count);
        Assert.All(assignedTo, a => Assert.Equal(app.Id, a.GetProperty("resourceId").GetString()));
        Assert.Equal(heldBySecond, ofUser.Count);
        Assert.Equal(HttpStatusCode.NoContent, viaResource.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, viaUser.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, elsewhere.StatusCode);
        Assert.Equal(assignments.Count - 2, afterwards.Count);
    }

    [Fact]
    public async Task Daemons_hold_graph_application_permissions_as_app_role_assignments()
    {
        using var client = new SandboxClient();
        var tenant = client.Sandbox.Tenant;
        ServicePrincipal graph = tenant.ServicePrincipals.Single(s => s.AppId == MicrosoftGraphApplication.AppId);
        ServicePrincipal daemon = tenant.ServicePrincipals.Single(s => s.DisplayName == "Reporting Dashboard");

        var held = await client.GetAllAsync($"servicePrincipals/{daemon.Id}/appRoleAssignments");

        Assert.All(held, a => Assert.Equal(graph.Id, a.GetProperty("resourceId").GetString()));
        Assert.Equal(["AuditLog.Read.All", "Directory.Read.All"],
            held.Select(a => graph.FindAppRole(Guid.Parse(a.GetProperty("appRoleId").GetString()!))!.Value).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task Assigning_an_app_role_to_a_user_answers_201_and_refuses_duplicates_and_unknown_roles()
    {
        using var client = new SandboxClient();
        var tenant = client.Sandbox.Tenant;
        ServicePrincipal app = tenant.ServicePrincipals.First(s => s.AppRoles.Any(r => r.AllowedMemberTypes.Contains("User")));
        DirectoryUser user = tenant.Users.First(u => tenant.AppRoleAssignmentsOf(u).Count == 0);
        object Body(Guid role) => new { principalId = user.Id, resourceId = app.Id, appRoleId = role };

        var (created, body) = await client.SendAsync(HttpMethod.Post, $"users/{user.Id}/appRoleAssignments", Body(app.AppRoles[0].Id));
        var (duplicate, _) = await client.SendAsync(HttpMethod.Post, $"users/{user.Id}/appRoleAssignments", Body(app.AppRoles[0].Id));
        var (unknownRole, unknownBody) = await client.SendAsync(HttpMethod.Post, $"users/{user.Id}/appRoleAssignments", Body(Guid.NewGuid()));
        var (deleted, _) = await client.SendAsync(HttpMethod.Delete, $"users/{user.Id}/appRoleAssignments/{body.GetProperty("id").GetString()}");

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("User", body.GetProperty("principalType").GetString());
        Assert.Equal(app.DisplayName, body.GetProperty("resourceDisplayName").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, duplicate.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknownRole.StatusCode);
        Assert.Contains("not found on application", unknownBody.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Empty(tenant.AppRoleAssignmentsOf(user));
    }

    [Fact]
    public async Task Delegated_grants_filter_by_client_and_principal_and_can_be_narrowed_or_revoked()
    {
        using var client = new SandboxClient(new SandboxOptions { UserCount = 1_000 });
        var tenant = client.Sandbox.Tenant;
        OAuth2PermissionGrant tenantWide = tenant.OAuth2PermissionGrants.First(g => g.ConsentType == "AllPrincipals");
        OAuth2PermissionGrant personal = tenant.OAuth2PermissionGrants.First(g => g.ConsentType == "Principal");

        var byClient = await client.GetAllAsync($"oauth2PermissionGrants?$filter=clientId eq '{tenantWide.ClientId}'");
        var byPrincipal = await client.GetAllAsync($"oauth2PermissionGrants?$filter=principalId eq '{personal.PrincipalId}'");
        var ofUser = await client.GetAllAsync($"users/{personal.PrincipalId}/oauth2PermissionGrants");
        var (patched, _) = await client.SendAsync(HttpMethod.Patch, $"oauth2PermissionGrants/{tenantWide.Id}", new { scope = "openid User.Read" });
        var (_, after) = await client.GetAsync($"oauth2PermissionGrants/{tenantWide.Id}");
        var (badPatch, _) = await client.SendAsync(HttpMethod.Patch, $"oauth2PermissionGrants/{tenantWide.Id}", new { consentType = "Principal" });
        var (deleted, _) = await client.SendAsync(HttpMethod.Delete, $"oauth2PermissionGrants/{personal.Id}");
        var (gone, _) = await client.SendAsync(HttpMethod.Delete, $"oauth2PermissionGrants/{personal.Id}");

        Assert.Equal(tenant.OAuth2PermissionGrants.Count(g => g.ClientId == tenantWide.ClientId), byClient.Count);
        Assert.All(byPrincipal, g => Assert.Equal(personal.PrincipalId, g.GetProperty("principalId").GetString()));
        Assert.Equal(byPrincipal.Count, ofUser.Count);
        Assert.Equal(HttpStatusCode.NoContent, patched.StatusCode);
        Assert.Equal("openid User.Read", after.GetProperty("scope").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, badPatch.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Owners_can_be_added_and_removed_but_not_the_last_owner_of_a_microsoft_365_group()
    {
        using var client = new SandboxClient();
        var tenant = client.Sandbox.Tenant;
        DirectoryGroup team = tenant.Groups.First(g => g.IsUnified && g.Owners.Count == 1);
        DirectoryUser soleOwner = team.Owners[0];
        DirectoryUser successor = tenant.Users.First(u => u.UserType == "Member" && u != soleOwner);
        var reference = new Dictionary<string, string> { ["@odata.id"] = $"https://graph.microsoft.com/v1.0/directoryObjects/{successor.Id}" };

        var (lastOwner, lastOwnerBody) = await client.SendAsync(HttpMethod.Delete, $"groups/{team.Id}/owners/{soleOwner.Id}/$ref");
        var (added, _) = await client.SendAsync(HttpMethod.Post, $"groups/{team.Id}/owners/$ref", reference);
        var (addedTwice, _) = await client.SendAsync(HttpMethod.Post, $"groups/{team.Id}/owners/$ref", reference);
        var (removed, _) = await client.SendAsync(HttpMethod.Delete, $"groups/{team.Id}/owners/{soleOwner.Id}/$ref");
        var owners = await client.GetAllAsync($"groups/{team.Id}/owners");
        var (notOwner, _) = await client.SendAsync(HttpMethod.Delete, $"groups/{team.Id}/owners/{soleOwner.Id}/$ref");

        Assert.Equal(HttpStatusCode.BadRequest, lastOwner.StatusCode);
        Assert.Contains("at least one owner", lastOwnerBody.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, added.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, addedTwice.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, removed.StatusCode);
        Assert.Equal(successor.Id, Assert.Single(owners).GetProperty("id").GetString());
        Assert.Equal(HttpStatusCode.NotFound, notOwner.StatusCode);
    }

    [Fact]
    public async Task Removing_a_member_from_dynamic_synced_or_mail_enabled_security_groups_is_refused_as_graph_does()
    {
        using var client = new SandboxClient();
        var groups = client.Sandbox.Tenant.Groups;
        DirectoryGroup dynamic = groups.First(g => g.IsDynamic && g.Members.Count > 0);
        DirectoryGroup synced = groups.First(g => g.OnPremisesSyncEnabled == true && g.Members.Count > 0);
        DirectoryGroup mailEnabled = groups.First(g => g.MailEnabled && g.SecurityEnabled && !g.IsUnified && g.Members.Count > 0);

        async Task<string> Refusal(DirectoryGroup group)
        {
            var (response, body) = await client.SendAsync(HttpMethod.Delete, $"groups/{group.Id}/members/{group.Members[0].Id}/$ref");
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            return body.GetProperty("error").GetProperty("message").GetString()!;
        }

        Assert.Contains("Insufficient privileges", await Refusal(dynamic), StringComparison.Ordinal);
        Assert.Contains("on-premises mastered", await Refusal(synced), StringComparison.Ordinal);
        Assert.Contains("mail-enabled security groups", await Refusal(mailEnabled), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Groups_show_their_licences_and_app_role_assignments()
    {
        using var client = new SandboxClient();
        var tenant = client.Sandbox.Tenant;
        DirectoryGroup licensed = tenant.Groups.First(g => g.AssignedLicenses.Count > 0);
        DirectoryGroup assigned = tenant.Groups.First(g => tenant.AppRoleAssignmentsOf(g).Count > 0);

        var (_, group) = await client.GetAsync($"groups/{licensed.Id}?$select=id,assignedLicenses");
        var assignments = await client.GetAllAsync($"groups/{assigned.Id}/appRoleAssignments");

        Assert.Equal(licensed.AssignedLicenses[0].SkuId.ToString(), group.GetProperty("assignedLicenses")[0].GetProperty("skuId").GetString());
        Assert.All(assignments, a => Assert.Equal("Group", a.GetProperty("principalType").GetString()));
        Assert.Equal(tenant.AppRoleAssignmentsOf(assigned).Count, assignments.Count);
    }
}
