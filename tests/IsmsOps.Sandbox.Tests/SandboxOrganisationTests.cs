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
