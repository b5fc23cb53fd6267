using System.Net;
using System.Text.Json;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Sandbox.Tests;

/// <summary>Authentication methods, the registration report derived from them, and devices.</summary>
public sealed class SignInEndpointTests
{
    private const string Registrations = "reports/authenticationMethods/userRegistrationDetails";

    [Fact]
    public async Task Methods_are_listed_with_their_graph_types_and_by_typed_collection()
    {
        using var client = new SandboxClient();
        DirectoryUser user = client.Sandbox.Tenant.Users.First(u => u.AuthenticationMethods.Count >= 3);

        var methods = await client.GetAllAsync($"users/{user.Id}/authentication/methods");
        var authenticators = await client.GetAllAsync($"users/{user.Id}/authentication/microsoftAuthenticatorMethods");

        Assert.Equal(user.AuthenticationMethods.Select(m => m.ODataType), methods.Select(m => m.GetProperty("@odata.type").GetString()));
        Assert.Contains(methods, m => m.GetProperty("@odata.type").GetString() == "#microsoft.graph.passwordAuthenticationMethod"
            && m.GetProperty("id").GetString() == PasswordMethod.WellKnownId);
        Assert.Equal(user.AuthenticationMethods.Count(m => m is MicrosoftAuthenticatorMethod), authenticators.Count);
    }

    [Fact]
    public async Task The_default_method_cannot_be_deleted_while_another_remains_but_others_can()
    {
        using var client = new SandboxClient(new SandboxOptions { UserCount = 1_000 });
        DirectoryUser user = client.Sandbox.Tenant.Users.First(u => u.DefaultMfaMethod is MicrosoftAuthenticatorMethod
            && u.AuthenticationMethods.Any(m => m is PhoneMethod));
        AuthenticationMethod authenticator = user.DefaultMfaMethod!;
        AuthenticationMethod phone = user.AuthenticationMethods.First(m => m is PhoneMethod);

        var (refused, refusedBody) = await client.SendAsync(HttpMethod.Delete, $"users/{user.Id}/authentication/microsoftAuthenticatorMethods/{authenticator.Id}");
        var (wrongCollection, _) = await client.SendAsync(HttpMethod.Delete, $"users/{user.Id}/authentication/fido2Methods/{phone.Id}");
        var (password, _) = await client.SendAsync(HttpMethod.Delete, $"users/{user.Id}/authentication/passwordMethods/{PasswordMethod.WellKnownId}");
        var (unknownCollection, _) = await client.SendAsync(HttpMethod.Delete, $"users/{user.Id}/authentication/carrierPigeonMethods/{phone.Id}");
        var extraMfa = user.AuthenticationMethods.Where(m => m.IsMfa && m != authenticator && m != phone).ToList();
        foreach (AuthenticationMethod method in extraMfa)
        {
            var (removedExtra, _) = await client.SendAsync(HttpMethod.Delete, $"users/{user.Id}/authentication/{method.CollectionSegment}/{method.Id}");
            Assert.Equal(HttpStatusCode.NoContent, removedExtra.StatusCode);
        }

        var (phoneRemoved, _) = await client.SendAsync(HttpMethod.Delete, $"users/{user.Id}/authentication/phoneMethods/{phone.Id}");
        var (lastRemoved, _) = await client.SendAsync(HttpMethod.Delete, $"users/{user.Id}/authentication/microsoftAuthenticatorMethods/{authenticator.Id}");
        var (_, report) = await client.GetAsync($"{Registrations}/{user.Id}");

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("default authentication method", refusedBody.GetProperty("error").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, wrongCollection.StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, password.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, unknownCollection.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, phoneRemoved.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, lastRemoved.StatusCode);
        Assert.False(report.GetProperty("isMfaRegistered").GetBoolean());
        Assert.Equal("none", report.GetProperty("userPreferredMethodForSecondaryAuthentication").GetString());
    }

    [Fact]
    public async Task A_temporary_access_pass_is_shown_once_and_a_second_is_refused()
    {
        using var client = new SandboxClient();
        DirectoryUser user = client.Sandbox.Tenant.Users.First(u => u.UserType == "Member" && !u.AuthenticationMethods.Any(m => m is TemporaryAccessPassMethod));
        string url = $"users/{user.Id}/authentication/temporaryAccessPassMethods";

        var (created, pass) = await client.SendAsync(HttpMethod.Post, url, new { lifetimeInMinutes = 60, isUsableOnce = true });
        var listed = await client.GetAllAsync(url);
        var (second, _) = await client.SendAsync(HttpMethod.Post, url, new { lifetimeInMinutes = 60 });
        var (deleted, _) = await client.SendAsync(HttpMethod.Delete, $"{url}/{pass.GetProperty("id").GetString()}");
        var (tooLong, _) = await client.SendAsync(HttpMethod.Post, url, new { lifetimeInMinutes = 50_000 });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal("#microsoft.graph.temporaryAccessPassAuthenticationMethod", pass.GetProperty("@odata.type").GetString());
        Assert.False(string.IsNullOrEmpty(pass.GetProperty("temporaryAccessPass").GetString()));
        Assert.True(pass.GetProperty("isUsable").GetBoolean());
        Assert.Equal(JsonValueKind.Null, Assert.Single(listed).GetProperty("temporaryAccessPass").ValueKind);
        Assert.Equal(HttpStatusCode.BadRequest, second.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
    }

    [Fact]
    public async Task The_registration_report_agrees_with_every_users_methods_and_roles()
    {
        using var client = new SandboxClient(new SandboxOptions { UserCount = 1_000 });
        var tenant = client.Sandbox.Tenant;

        var rows = await client.GetAllAsync($"{Registrations}?$top=999");

        Assert.Equal(tenant.Users.Count, rows.Count);
        foreach (JsonElement row in rows)
        {
            DirectoryUser user = tenant.FindUser(row.GetProperty("id").GetString()!)!;
            var registered = row.GetProperty("methodsRegistered").EnumerateArray().Select(m => m.GetString()).ToList();
            Assert.Equal(user.UserPrincipalName, row.GetProperty("userPrincipalName").GetString());
            Assert.Equal(user.AuthenticationMethods.Any(m => m.IsMfa), row.GetProperty("isMfaRegistered").GetBoolean());
            Assert.Equal(user.AuthenticationMethods.Any(m => m is Fido2Method), registered.Contains("passKeyDeviceBound"));
            Assert.Equal(user.AuthenticationMethods.Any(m => m is MicrosoftAuthenticatorMethod), registered.Contains("microsoftAuthenticatorPush"));
            Assert.Equal(user.DefaultMfaMethod?.PreferredForSecondaryAuthentication ?? "none",
                row.GetProperty("userPreferredMethodForSecondaryAuthentication").GetString());
        }

        string globalAdmin = tenant.RoleAssignments.First(a => a.Principal is DirectoryUser && a.Role.Id == BuiltInRoles.GlobalAdministrator).Principal.Id;
        DirectoryUser viaGroup = tenant.RoleAssignments.Select(a => a.Principal).OfType<DirectoryGroup>().SelectMany(g => g.Members).OfType<DirectoryUser>().First();
        Assert.True(rows.Single(r => r.GetProperty("id").GetString() == globalAdmin).GetProperty("isAdmin").GetBoolean());
        Assert.True(rows.Single(r => r.GetProperty("id").GetString() == viaGroup.Id).GetProperty("isAdmin").GetBoolean());
        Assert.Contains(rows, r => !r.GetProperty("isAdmin").GetBoolean());
        Assert.Contains(rows, r => !r.GetProperty("isMfaRegistered").GetBoolean() && r.GetProperty("userType").GetString() == "member");
    }

    [Fact]
    public async Task Devices_expand_their_registered_owners_and_users_and_can_be_disabled()
    {
        using var client = new SandboxClient();
        var tenant = client.Sandbox.Tenant;
        DirectoryDevice device = tenant.Devices[0];

        var withOwners = await client.GetAllAsync("devices?$top=25&$expand=registeredOwners($select=id)");
        var (_, withUsers) = await client.GetAsync($"devices/{device.Id}?$expand=registeredUsers($select=id)");
        var owners = await client.GetAllAsync($"devices/{device.Id}/registeredOwners");
        var (disabled, _) = await client.SendAsync(HttpMethod.Patch, $"devices/{device.Id}", new { accountEnabled = false });
        var (_, after) = await client.GetAsync($"devices/{device.Id}?$select=accountEnabled");
        var (badPatch, _) = await client.SendAsync(HttpMethod.Patch, $"devices/{device.Id}", new { displayName = "renamed" });
        var (missing, _) = await client.GetAsync($"devices/{Guid.Empty}");

        Assert.Equal(tenant.Devices.Count, withOwners.Count);
        Assert.InRange(tenant.Devices.Count, tenant.Users.Count * 0.35, tenant.Users.Count * 0.65);
        foreach (JsonElement item in withOwners)
        {
            DirectoryDevice expected = tenant.FindDevice(item.GetProperty("id").GetString()!)!;
            Assert.Equal(expected.RegisteredOwners.Select(o => o.Id), item.GetProperty("registeredOwners").EnumerateArray().Select(o => o.GetProperty("id").GetString()));
            Assert.All(item.GetProperty("registeredOwners").EnumerateArray(), o => Assert.Equal("#microsoft.graph.user", o.GetProperty("@odata.type").GetString()));
        }

        Assert.Equal(device.RegisteredUsers[0].Id, withUsers.GetProperty("registeredUsers")[0].GetProperty("id").GetString());
        Assert.Equal(device.RegisteredOwners.Count, owners.Count);
        Assert.Equal(HttpStatusCode.NoContent, disabled.StatusCode);
        Assert.False(after.GetProperty("accountEnabled").GetBoolean());
        Assert.Equal(HttpStatusCode.BadRequest, badPatch.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }
}
