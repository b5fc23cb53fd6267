using System.Text.Json;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Sandbox.Tests;

public sealed class SandboxOrganisationTests
{
    [Fact]
    public async Task The_same_seed_serves_the_same_tenant_and_another_seed_a_different_one()
    {
        string first = await EveryUserAsJson(new SandboxOptions { UserCount = 300 });
        string again = await EveryUserAsJson(new SandboxOptions { UserCount = 300 });
        string other = await EveryUserAsJson(new SandboxOptions { UserCount = 300, Seed = 7 });

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public void The_same_seed_builds_the_same_management_chain_and_memberships()
    {
        static string Shape(Tenant tenant) => string.Join('|',
            tenant.Users.Select(u => $"{u.Id}>{u.Manager?.Id}")
                .Concat(tenant.Groups.Select(g => $"{g.Id}:{string.Join(',', g.Members.Select(m => m.Id))}/{string.Join(',', g.Owners.Select(o => o.Id))}")));

        Assert.Equal(Shape(SandboxOrganisation.Generate(500, 3)), Shape(SandboxOrganisation.Generate(500, 3)));
        Assert.NotEqual(Shape(SandboxOrganisation.Generate(500, 3)), Shape(SandboxOrganisation.Generate(500, 4)));
    }

    [Fact]
    public async Task The_same_seed_serves_the_same_access_and_sign_in_payloads()
    {
        string[] urls =
        [
            "organization", "subscribedSkus", "devices?$top=999&$expand=registeredOwners($select=id)", "servicePrincipals",
            "oauth2PermissionGrants?$top=999", "roleManagement/directory/roleDefinitions", "roleManagement/directory/roleAssignmentSchedules",
            "roleManagement/directory/roleEligibilitySchedules", "reports/authenticationMethods/userRegistrationDetails?$top=999",
            "users?$top=999&$select=id,assignedLicenses,licenseAssignmentStates,employeeHireDate,employeeLeaveDateTime&$expand=manager($select=id)",
        ];

        async Task<string> Serve(int seed)
        {
            using var client = new SandboxClient(new SandboxOptions { UserCount = 300, Seed = seed });
            var pages = new List<JsonElement>();
            foreach (string url in urls)
            {
                pages.AddRange(await client.GetAllAsync(url));
            }

            string servicePrincipal = client.Sandbox.Tenant.ServicePrincipals[5].Id;
            pages.AddRange(await client.GetAllAsync($"servicePrincipals/{servicePrincipal}/appRoleAssignedTo"));
            string user = client.Sandbox.Tenant.Users[10].Id;
            pages.AddRange(await client.GetAllAsync($"users/{user}/authentication/methods"));
            return JsonSerializer.Serialize(pages);
        }

        string first = await Serve(11);
        Assert.Equal(first, await Serve(11));
        Assert.NotEqual(first, await Serve(12));
    }

    [Fact]
    public void A_hundred_thousand_users_come_with_about_five_thousand_groups_and_half_a_million_memberships()
    {
        // How fast it generates is a benchmark figure (docs/performance.md), not something this test times.
        Tenant tenant = SandboxOrganisation.Generate(100_000, 27001);

        long memberships = tenant.Groups.Sum(g => (long)g.Members.Count);
        Assert.InRange(tenant.Groups.Count, 4_900, 5_100);
        Assert.InRange(memberships, 475_000, 525_000);
        Assert.Contains(tenant.Groups, g => g.Members.Count > 999);
        Assert.Contains(tenant.Groups, g => g.Members.OfType<DirectoryGroup>().Any());
        Assert.InRange(tenant.Devices.Count, 40_000, 60_000);
    }

    [Theory]
    [InlineData(1_000)]
    [InlineData(10_000)]
    public void Smaller_organisations_scale_groups_and_memberships_in_proportion(int userCount)
    {
        Tenant tenant = SandboxOrganisation.Generate(userCount, 5);

        double membershipsPerUser = tenant.Groups.Sum(g => g.Members.Count) / (double)userCount;
        Assert.InRange(membershipsPerUser, 4.5, 5.5);
        Assert.InRange(tenant.Groups.Count, userCount / 20 - 5, userCount / 20 + 5);
    }

    [Fact]
    public void Access_and_sign_in_data_have_the_shapes_a_review_must_find()
    {
        Tenant tenant = SandboxOrganisation.Generate(2_000, 27001);
        var members = tenant.Users.Where(u => u.UserType == "Member").ToList();

        Assert.Contains(members, u => u.LastSignInDateTime is null);
        Assert.Contains(members, u => u.LastSuccessfulSignInDateTime < u.LastSignInDateTime);
        Assert.Contains(members, u => u.AccountEnabled && u.EmployeeLeaveDateTime > SandboxOrganisation.Now);
        Assert.Contains(members, u => !u.AccountEnabled && u.AssignedLicenses().Count > 0);
        Assert.Contains(members, u => u.DirectLicenses.Count > 0);
        Assert.Contains(members, u => u.LicenseAssignmentStates().Any(s => s.AssignedByGroup is not null));
        Assert.Contains(members, u => u.AuthenticationMethods.All(m => !m.IsMfa));
        Assert.All(members, u => Assert.Contains(u.AuthenticationMethods, m => m is PasswordMethod));
        Assert.All(members.Where(u => u.DefaultMfaMethod is not null), u => Assert.Contains(u.DefaultMfaMethod!, u.AuthenticationMethods));
        foreach (Type type in new[] { typeof(MicrosoftAuthenticatorMethod), typeof(PhoneMethod), typeof(Fido2Method), typeof(EmailMethod), typeof(SoftwareOathMethod), typeof(TemporaryAccessPassMethod) })
        {
            Assert.Contains(members, u => u.AuthenticationMethods.Any(m => m.GetType() == type));
        }

        Assert.Contains(tenant.RoleAssignments, a => a.Role.Id == BuiltInRoles.GlobalAdministrator && a.EndDateTime is null);
        Assert.Contains(tenant.RoleAssignments, a => a.EndDateTime is not null);
        Assert.Contains(tenant.RoleAssignments, a => a.Principal is DirectoryUser { AccountEnabled: false });
        Assert.Contains(tenant.RoleEligibilities, e => e.EndDateTime is not null);
        Assert.Contains(tenant.RoleEligibilities, e => e.EndDateTime is null);
        Assert.Contains(tenant.ServicePrincipals, s => s.AppRoles.Count > 0);
        Assert.Contains(tenant.AppRoleAssignments, a => a.Principal is DirectoryGroup);
        Assert.Contains(tenant.AppRoleAssignments, a => a.Principal is ServicePrincipal);
        Assert.Contains(tenant.OAuth2PermissionGrants, g => g.ConsentType == "AllPrincipals" && g.PrincipalId is null);
        Assert.Contains(tenant.OAuth2PermissionGrants, g => g.ConsentType == "Principal" && g.PrincipalId is not null);
        Assert.Contains(tenant.Devices, d => d.TrustType == "ServerAd");
        Assert.Contains(tenant.Devices, d => d.ApproximateLastSignInDateTime < SandboxOrganisation.Now.AddDays(-90));
    }

    [Theory]
    [InlineData(99)]
    [InlineData(100_001)]
    public void A_user_count_outside_100_to_100000_is_refused_with_the_range(int userCount)
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => GraphSandbox.Start(new SandboxOptions { UserCount = userCount }));

        Assert.Equal("UserCount", error.ParamName);
        Assert.Contains("100,000", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.5)]
    public void A_fault_rate_outside_0_to_1_is_refused(double rate) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => GraphSandbox.Start(new SandboxOptions { FaultRate = rate }));

    [Fact]
    public void The_organisation_has_the_shapes_that_break_naive_code()
    {
        Tenant tenant = SandboxOrganisation.Generate(1_000, 27001);
        var users = tenant.Users;

        Assert.Equal(1_000, users.Count);
        Assert.Equal(users.Count, users.Select(u => u.UserPrincipalName).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.InRange(users.Count(u => u.UserType == "Guest"), 20, 40);
        Assert.All(users.Where(u => u.UserType == "Guest"), g => Assert.Contains("#EXT#@", g.UserPrincipalName, StringComparison.Ordinal));
        Assert.Contains(users, u => u.Surname!.Contains('\'', StringComparison.Ordinal));
        Assert.Contains(users, u => u.DisplayName.Any(c => c > 127));
        Assert.All(users, u => Assert.True(u.UserPrincipalName.Split('@')[0].All(c => c < 128), u.UserPrincipalName));
        Assert.Contains(users, u => !u.AccountEnabled);
        Assert.Contains(users, u => u.AccountEnabled && u.LastSignInDateTime < SandboxOrganisation.Now.AddDays(-90));
        Assert.Single(users, u => u.UserType == "Member" && u.Manager is null);

        var groups = tenant.Groups;
        Assert.InRange(groups.Count, 50, 60);
        Assert.Contains(groups, g => g.IsDynamic && g.MembershipRule is not null);
        Assert.Contains(groups, g => g.GroupTypes.Contains("Unified") && g.MailEnabled);
        Assert.Contains(groups, g => g.MailEnabled && g.SecurityEnabled && g.GroupTypes.Count == 0);
        Assert.Contains(groups, g => g.IsAssignableToRole == true);
        Assert.Contains(groups, g => g.OnPremisesSyncEnabled == true);
        Assert.Contains(groups, g => g.Members.OfType<DirectoryGroup>().Any());
        Assert.All(groups, g => Assert.NotEmpty(g.Owners));
    }

    [Theory]
    [InlineData("Zoë", "zoe")]
    [InlineData("Łukasz", "lukasz")]
    [InlineData("O'Brien", "obrien")]
    [InlineData("Ødegaard", "odegaard")]
    [InlineData("Nguyễn", "nguyen")]
    public void Names_fold_to_ascii_for_user_principal_names(string name, string expected) =>
        Assert.Equal(expected, SandboxOrganisation.AsciiFold(name));

    private static async Task<string> EveryUserAsJson(SandboxOptions options)
    {
        using var client = new SandboxClient(options);
        var users = await client.GetAllAsync("users?$top=999&$select=id,displayName,userPrincipalName,department,accountEnabled,userType,createdDateTime,signInActivity");
        var groups = await client.GetAllAsync("groups?$top=999");
        return JsonSerializer.Serialize(users) + JsonSerializer.Serialize(groups);
    }
}
