using System.Text.Json;
using IsmsOps.Sandbox.Http;

namespace IsmsOps.Sandbox.Tests;

/// <summary>
/// Holds every payload the sandbox writes to Graph v1.0's property names. The lists are Microsoft's documented
/// properties of the user and group resources (learn.microsoft.com/graph/api/resources/user and .../group, v1.0),
/// written out by hand so a typo or an invented name in the sandbox fails here rather than in a connector.
/// </summary>
public sealed class GraphPayloadNameTests
{
    internal static HashSet<string> GraphUserPropertyNames => GraphUserProperties;

    private static readonly HashSet<string> GraphUserProperties = new(StringComparer.Ordinal)
    {
        "aboutMe", "accountEnabled", "ageGroup", "assignedLicenses", "assignedPlans", "authorizationInfo", "birthday",
        "businessPhones", "city", "companyName", "consentProvidedForMinor", "country", "createdDateTime", "creationType",
        "customSecurityAttributes", "deletedDateTime", "department", "displayName", "employeeHireDate", "employeeId",
        "employeeLeaveDateTime", "employeeOrgData", "employeeType", "externalUserState", "externalUserStateChangeDateTime",
        "faxNumber", "givenName", "hireDate", "id", "identities", "imAddresses", "interests", "isManagementRestricted",
        "isResourceAccount", "jobTitle", "lastPasswordChangeDateTime", "legalAgeGroupClassification",
        "licenseAssignmentStates", "mail", "mailboxSettings", "mailNickname", "mobilePhone", "mySite", "officeLocation",
        "onPremisesDistinguishedName", "onPremisesDomainName", "onPremisesExtensionAttributes", "onPremisesImmutableId",
        "onPremisesLastSyncDateTime", "onPremisesProvisioningErrors", "onPremisesSamAccountName",
        "onPremisesSecurityIdentifier", "onPremisesSyncEnabled", "onPremisesUserPrincipalName", "otherMails",
        "passwordPolicies", "passwordProfile", "pastProjects", "postalCode", "preferredDataLocation", "preferredLanguage",
        "preferredName", "provisionedPlans", "proxyAddresses", "responsibilities", "schools", "securityIdentifier",
        "serviceProvisioningErrors", "showInAddressList", "signInActivity", "signInSessionsValidFromDateTime", "skills",
        "state", "streetAddress", "surname", "usageLocation", "userPrincipalName", "userType",
    };

    // signInActivity's complex type.
    private static readonly HashSet<string> GraphSignInActivityProperties = new(StringComparer.Ordinal)
    {
        "lastSignInDateTime", "lastSignInRequestId", "lastNonInteractiveSignInDateTime", "lastNonInteractiveSignInRequestId",
        "lastSuccessfulSignInDateTime", "lastSuccessfulSignInRequestId",
    };

    private static readonly HashSet<string> GraphGroupProperties = new(StringComparer.Ordinal)
    {
        "allowExternalSenders", "assignedLabels", "assignedLicenses", "autoSubscribeNewMembers", "classification",
        "createdDateTime", "deletedDateTime", "description", "displayName", "expirationDateTime", "groupTypes",
        "hasMembersWithLicenseErrors", "hideFromAddressLists", "hideFromOutlookClients", "id", "isArchived",
        "isAssignableToRole", "isManagementRestricted", "isSubscribedByMail", "licenseProcessingState", "mail",
        "mailEnabled", "mailNickname", "membershipRule", "membershipRuleProcessingState", "onPremisesDomainName",
        "onPremisesLastSyncDateTime", "onPremisesNetBiosName", "onPremisesProvisioningErrors", "onPremisesSamAccountName",
        "onPremisesSecurityIdentifier", "onPremisesSyncEnabled", "preferredDataLocation", "preferredLanguage",
        "proxyAddresses", "renewedDateTime", "securityEnabled", "securityIdentifier", "serviceProvisioningErrors", "theme",
        "uniqueName", "unseenCount", "visibility",
    };

    private static readonly HashSet<string> ODataAnnotations = new(StringComparer.Ordinal)
    {
        "@odata.context", "@odata.nextLink", "@odata.count", "@odata.type",
    };

    [Fact]
    public void Every_property_the_sandbox_can_serve_is_a_graph_property()
    {
        Assert.All(GraphShapes.User.PropertyNames, name => Assert.Contains(name, GraphUserProperties));
        Assert.All(GraphShapes.Group.PropertyNames, name => Assert.Contains(name, GraphGroupProperties));
    }

    [Fact]
    public async Task Payloads_use_only_graph_v1_property_names()
    {
        using var client = new SandboxClient();
        string allUser = string.Join(',', GraphShapes.User.PropertyNames);
        string allGroup = string.Join(',', GraphShapes.Group.PropertyNames);
        var tenant = client.Sandbox.Tenant;
        string groupId = tenant.Groups.First(g => g.DisplayName == "All Staff").Id;
        string managed = tenant.Users.First(u => u.Manager is not null).Id;

        string[] userUrls = ["users", $"users?$select={allUser}", $"users/{managed}", $"users/{managed}?$select={allUser}", $"users/{managed}/manager"];
        string[] groupUrls = ["groups", $"groups?$select={allGroup}", $"groups/{groupId}"];
        string[] mixedUrls = [$"groups/{groupId}/members", $"groups/{groupId}/transitiveMembers", $"groups/{groupId}/owners"];

        foreach (string url in userUrls)
        {
            AssertGraphNames((await client.GetAsync(url)).Body, GraphUserProperties);
        }

        foreach (string url in groupUrls)
        {
            AssertGraphNames((await client.GetAsync(url)).Body, GraphGroupProperties);
        }

        foreach (string url in mixedUrls)
        {
            foreach (JsonElement item in (await client.GetAsync(url)).Body.GetProperty("value").EnumerateArray())
            {
                string type = item.GetProperty("@odata.type").GetString()!;
                Assert.Contains(type, new[] { "#microsoft.graph.user", "#microsoft.graph.group" });
                AssertGraphObjectNames(item, type == "#microsoft.graph.user" ? GraphUserProperties : GraphGroupProperties);
            }
        }
    }

    private static void AssertGraphNames(JsonElement body, HashSet<string> allowed)
    {
        Assert.True(body.TryGetProperty("@odata.context", out _));
        if (body.TryGetProperty("value", out JsonElement value))
        {
            Assert.All(body.EnumerateObject().Where(p => p.Name != "value"), p => Assert.Contains(p.Name, ODataAnnotations));
            Assert.NotEqual(0, value.GetArrayLength());
            foreach (JsonElement item in value.EnumerateArray())
            {
                AssertGraphObjectNames(item, allowed);
            }
        }
        else
        {
            AssertGraphObjectNames(body, allowed);
        }
    }

    private static void AssertGraphObjectNames(JsonElement item, HashSet<string> allowed)
    {
        foreach (JsonProperty property in item.EnumerateObject())
        {
            Assert.True(allowed.Contains(property.Name) || ODataAnnotations.Contains(property.Name), $"'{property.Name}' is not a Graph v1.0 property");
            if (property.Name == "signInActivity" && property.Value.ValueKind == JsonValueKind.Object)
            {
                Assert.All(property.Value.EnumerateObject(), p => Assert.Contains(p.Name, GraphSignInActivityProperties));
            }
        }
    }
}
