using System.Net;
using System.Text.Json;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Sandbox.Tests;

/// <summary>What a tenant without a licence, or a token without a permission, gets: Graph's 403s.</summary>
public sealed class LicensingAndPermissionTests
{
    private static string Code(JsonElement body) => body.GetProperty("error").GetProperty("code").GetString()!;

    [Fact]
    public async Task Without_entra_id_p1_sign_in_activity_and_the_registration_report_are_refused_but_users_are_not()
    {
        using var client = new SandboxClient(new SandboxOptions { UserCount = 100, PremiumP1 = false });
        string id = client.Sandbox.Tenant.Users[0].Id;

        var (activity, activityBody) = await client.GetAsync("users?$select=id,signInActivity");
        var (single, _) = await client.GetAsync($"users/{id}?$select=signInActivity");
        var (report, reportBody) = await client.GetAsync("reports/authenticationMethods/userRegistrationDetails");
        var (plain, _) = await client.GetAsync("users?$select=id,accountEnabled");

        Assert.Equal(HttpStatusCode.Forbidden, activity.StatusCode);
        Assert.Equal("Authentication_RequestFromNonPremiumTenantOrB2CTenant", Code(activityBody));
        Assert.Equal(HttpStatusCode.Forbidden, single.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, report.StatusCode);
        Assert.Equal("Authentication_RequestFromNonPremiumTenantOrB2CTenant", Code(reportBody));
        Assert.Equal(HttpStatusCode.OK, plain.StatusCode);
    }

    [Theory]
    [InlineData("roleManagement/directory/roleEligibilitySchedules")]
    [InlineData("roleManagement/directory/roleAssignmentSchedules")]
    [InlineData("roleManagement/directory/roleEligibilityScheduleInstances")]
    [InlineData("roleManagement/directory/roleAssignmentScheduleInstances")]
    public async Task Without_entra_id_p2_the_pim_schedules_are_refused_but_active_assignments_are_not(string url)
    {
        using var client = new SandboxClient(new SandboxOptions { UserCount = 100, PremiumP2 = false });

        var (schedules, body) = await client.GetAsync(url);
        var (assignments, _) = await client.GetAsync("roleManagement/directory/roleAssignments");

        Assert.Equal(HttpStatusCode.Forbidden, schedules.StatusCode);
        Assert.Equal("AadPremiumLicenseRequired", Code(body));
        Assert.Equal(HttpStatusCode.OK, assignments.StatusCode);
    }

    [Fact]
    public async Task A_token_without_an_accepted_permission_gets_graphs_403_without_naming_it()
    {
        using var client = new SandboxClient(new SandboxOptions { UserCount = 100, GrantedPermissions = ["User.Read.All"] });
        DirectoryGroup group = client.Sandbox.Tenant.Groups[0];

        var (users, _) = await client.GetAsync("users?$select=id,displayName");
        var (members, body) = await client.GetAsync($"groups/{group.Id}/members");
        var (activity, _) = await client.GetAsync("users?$select=id,signInActivity");
        var (disable, _) = await client.SendAsync(HttpMethod.Patch, $"users/{client.Sandbox.Tenant.Users[1].Id}", new { accountEnabled = false });

        Assert.Equal(HttpStatusCode.OK, users.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, members.StatusCode);
        Assert.Equal("Authorization_RequestDenied", Code(body));
        Assert.Equal("Insufficient privileges to complete the operation.", body.GetProperty("error").GetProperty("message").GetString());
        Assert.Equal(HttpStatusCode.Forbidden, activity.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, disable.StatusCode);
        Assert.True(client.Sandbox.Tenant.Users[1].AccountEnabled);
    }

    [Theory]
    [InlineData("GroupMember.Read.All", "groups/{group}/members", true)]
    [InlineData("Directory.Read.All", "groups/{group}/members", true)]
    [InlineData("User.Read.All", "groups/{group}/members", false)]
    [InlineData("RoleManagement.Read.Directory", "roleManagement/directory/roleAssignments", true)]
    [InlineData("Directory.Read.All", "roleManagement/directory/roleEligibilitySchedules", false)]
    [InlineData("AuditLog.Read.All", "reports/authenticationMethods/userRegistrationDetails", true)]
    [InlineData("Directory.Read.All", "reports/authenticationMethods/userRegistrationDetails", false)]
    [InlineData("UserAuthenticationMethod.Read.All", "users/{user}/authentication/methods", true)]
    [InlineData("Directory.Read.All", "users/{user}/authentication/methods", false)]
    [InlineData("Device.Read.All", "devices", true)]
    [InlineData("DelegatedPermissionGrant.Read.All", "oauth2PermissionGrants", true)]
    [InlineData("Application.Read.All", "servicePrincipals", true)]
    [InlineData("Organization.Read.All", "subscribedSkus", true)]
    public async Task Each_endpoint_accepts_the_permissions_graph_documents_for_it(string permission, string url, bool allowed)
    {
        using var client = new SandboxClient(new SandboxOptions { UserCount = 100, GrantedPermissions = [permission] });
        url = url.Replace("{group}", client.Sandbox.Tenant.Groups[0].Id, StringComparison.Ordinal)
            .Replace("{user}", client.Sandbox.Tenant.Users[0].Id, StringComparison.Ordinal);

        var (response, _) = await client.GetAsync(url);

        Assert.Equal(allowed ? HttpStatusCode.OK : HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task Writes_need_the_read_write_permission_not_the_read_one()
    {
        using var reader = new SandboxClient(new SandboxOptions { UserCount = 100, GrantedPermissions = ["GroupMember.Read.All", "Directory.Read.All"] });
        using var writer = new SandboxClient(new SandboxOptions { UserCount = 100, GrantedPermissions = ["GroupMember.ReadWrite.All"] });

        async Task<HttpStatusCode> RemoveMember(SandboxClient client)
        {
            DirectoryGroup group = client.Sandbox.Tenant.Groups.First(g => g.DisplayName.StartsWith("Project", StringComparison.Ordinal));
            var (response, _) = await client.SendAsync(HttpMethod.Delete, $"groups/{group.Id}/members/{group.Members[0].Id}/$ref");
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.Forbidden, await RemoveMember(reader));
        Assert.Equal(HttpStatusCode.NoContent, await RemoveMember(writer));
    }
}
