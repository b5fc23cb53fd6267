using System.Text.Json;
using IsmsOps.Sandbox.Directory;
using IsmsOps.Sandbox.Http;

namespace IsmsOps.Sandbox.Tests;

/// <summary>
/// The property names of every other resource type the sandbox serves, and of the complex types nested in them,
/// written out by hand from Graph v1.0's metadata. Beta-only names (servicePrincipal.publisherName,
/// userRegistrationDetails.defaultMfaMethod) are deliberately absent.
/// </summary>
public sealed class GraphPayloadNameAccessTests
{
    private static HashSet<string> Names(params string[] names) => new(names, StringComparer.Ordinal);

    private static readonly string[] ScheduleBase = ["appScopeId", "createdDateTime", "createdUsing", "directoryScopeId", "id", "modifiedDateTime", "principalId", "roleDefinitionId", "status"];
    private static readonly string[] InstanceBase = ["appScopeId", "directoryScopeId", "id", "principalId", "roleDefinitionId"];
    private static readonly string[] RequestBase = ["approvalId", "completedDateTime", "createdBy", "createdDateTime", "customData", "id", "status",
        "action", "appScopeId", "directoryScopeId", "isValidationOnly", "justification", "principalId", "roleDefinitionId", "scheduleInfo", "targetScheduleId", "ticketInfo"];

    /// <summary>Graph v1.0 properties per @odata.type, for every type the sandbox writes.</summary>
    internal static readonly Dictionary<string, HashSet<string>> ByType = new(StringComparer.Ordinal)
    {
        ["#microsoft.graph.device"] = Names("accountEnabled", "alternativeSecurityIds", "approximateLastSignInDateTime", "complianceExpirationDateTime",
            "deletedDateTime", "deviceCategory", "deviceId", "deviceMetadata", "deviceOwnership", "deviceVersion", "displayName", "enrollmentProfileName",
            "enrollmentType", "extensionAttributes", "id", "isCompliant", "isManaged", "isManagementRestricted", "isRooted", "managementType",
            "manufacturer", "mdmAppId", "model", "onPremisesLastSyncDateTime", "onPremisesSecurityIdentifier", "onPremisesSyncEnabled",
            "operatingSystem", "operatingSystemVersion", "physicalIds", "profileType", "registrationDateTime", "systemLabels", "trustType",
            "registeredOwners", "registeredUsers"),
        ["#microsoft.graph.servicePrincipal"] = Names("accountEnabled", "addIns", "alternativeNames", "appDescription", "appDisplayName", "appId",
            "applicationTemplateId", "appOwnerOrganizationId", "appRoleAssignmentRequired", "appRoles", "customSecurityAttributes", "deletedDateTime",
            "description", "disabledByMicrosoftStatus", "displayName", "homepage", "id", "info", "keyCredentials", "loginUrl", "logoutUrl", "notes",
            "notificationEmailAddresses", "oauth2PermissionScopes", "passwordCredentials", "preferredSingleSignOnMode",
            "preferredTokenSigningKeyThumbprint", "replyUrls", "resourceSpecificApplicationPermissions", "samlSingleSignOnSettings",
            "servicePrincipalNames", "servicePrincipalType", "signInAudience", "tags", "tokenEncryptionKeyId", "verifiedPublisher"),
        ["#microsoft.graph.organization"] = Names("assignedPlans", "businessPhones", "city", "country", "countryLetterCode", "createdDateTime",
            "defaultUsageLocation", "deletedDateTime", "displayName", "id", "marketingNotificationEmails", "onPremisesLastSyncDateTime",
            "onPremisesSyncEnabled", "onPremisesSyncStatus", "partnerTenantType", "postalCode", "preferredLanguage", "privacyProfile",
            "provisionedPlans", "securityComplianceNotificationMails", "securityComplianceNotificationPhones", "state", "street",
            "technicalNotificationMails", "tenantType", "verifiedDomains"),
        ["#microsoft.graph.subscribedSku"] = Names("accountId", "accountName", "appliesTo", "capabilityStatus", "consumedUnits", "id", "prepaidUnits",
            "servicePlans", "skuId", "skuPartNumber", "subscriptionIds"),
        ["#microsoft.graph.licenseDetails"] = Names("id", "servicePlans", "skuId", "skuPartNumber"),
        ["#microsoft.graph.unifiedRoleDefinition"] = Names("description", "displayName", "id", "isBuiltIn", "isEnabled", "isPrivileged",
            "resourceScopes", "rolePermissions", "templateId", "version", "inheritsPermissionsFrom"),
        ["#microsoft.graph.unifiedRoleAssignment"] = Names("appScopeId", "condition", "directoryScopeId", "id", "principalId", "roleDefinitionId"),
        ["#microsoft.graph.unifiedRoleAssignmentSchedule"] = Names([.. ScheduleBase, "assignmentType", "memberType", "scheduleInfo"]),
        ["#microsoft.graph.unifiedRoleEligibilitySchedule"] = Names([.. ScheduleBase, "memberType", "scheduleInfo"]),
        ["#microsoft.graph.unifiedRoleAssignmentScheduleInstance"] = Names([.. InstanceBase, "assignmentType", "endDateTime", "memberType",
            "roleAssignmentOriginId", "roleAssignmentScheduleId", "startDateTime"]),
        ["#microsoft.graph.unifiedRoleEligibilityScheduleInstance"] = Names([.. InstanceBase, "endDateTime", "memberType", "roleEligibilityScheduleId", "startDateTime"]),
        ["#microsoft.graph.unifiedRoleAssignmentScheduleRequest"] = Names(RequestBase),
        ["#microsoft.graph.unifiedRoleEligibilityScheduleRequest"] = Names(RequestBase),
        ["#microsoft.graph.appRoleAssignment"] = Names("appRoleId", "createdDateTime", "deletedDateTime", "id", "principalDisplayName", "principalId",
            "principalType", "resourceDisplayName", "resourceId"),
        ["#microsoft.graph.oAuth2PermissionGrant"] = Names("clientId", "consentType", "id", "principalId", "resourceId", "scope"),
        ["#microsoft.graph.passwordAuthenticationMethod"] = Names("createdDateTime", "id", "password"),
        ["#microsoft.graph.microsoftAuthenticatorAuthenticationMethod"] = Names("createdDateTime", "deviceTag", "displayName", "id", "phoneAppVersion"),
        ["#microsoft.graph.phoneAuthenticationMethod"] = Names("id", "phoneNumber", "phoneType", "smsSignInState"),
        ["#microsoft.graph.fido2AuthenticationMethod"] = Names("aaGuid", "attestationCertificates", "attestationLevel", "createdDateTime", "displayName", "id", "model"),
        ["#microsoft.graph.emailAuthenticationMethod"] = Names("emailAddress", "id"),
        ["#microsoft.graph.softwareOathAuthenticationMethod"] = Names("id", "secretKey"),
        ["#microsoft.graph.temporaryAccessPassAuthenticationMethod"] = Names("createdDateTime", "id", "isUsable", "isUsableOnce", "lifetimeInMinutes",
            "methodUsabilityReason", "startDateTime", "temporaryAccessPass"),
        ["#microsoft.graph.userRegistrationDetails"] = Names("id", "isAdmin", "isMfaCapable", "isMfaRegistered", "isPasswordlessCapable", "isSsprCapable",
            "isSsprEnabled", "isSsprRegistered", "isSystemPreferredAuthenticationMethodEnabled", "lastUpdatedDateTime", "methodsRegistered",
            "systemPreferredAuthenticationMethods", "userDisplayName", "userPreferredMethodForSecondaryAuthentication", "userPrincipalName", "userType"),
    };

    /// <summary>Complex types nested in those resources, by the property that holds them.</summary>
    private static readonly Dictionary<string, HashSet<string>> Nested = new(StringComparer.Ordinal)
    {
        ["verifiedDomains"] = Names("capabilities", "isDefault", "isInitial", "name", "type"),
        ["prepaidUnits"] = Names("enabled", "lockedOut", "suspended", "warning"),
        ["servicePlans"] = Names("appliesTo", "provisioningStatus", "servicePlanId", "servicePlanName"),
        ["assignedLicenses"] = Names("disabledPlans", "skuId"),
        ["licenseAssignmentStates"] = Names("assignedByGroup", "disabledPlans", "error", "lastUpdatedDateTime", "skuId", "state"),
        ["rolePermissions"] = Names("allowedResourceActions", "condition", "excludedResourceActions"),
        ["scheduleInfo"] = Names("expiration", "recurrence", "startDateTime"),
        ["expiration"] = Names("duration", "endDateTime", "type"),
        ["appRoles"] = Names("allowedMemberTypes", "description", "displayName", "id", "isEnabled", "origin", "value"),
        ["oauth2PermissionScopes"] = Names("adminConsentDescription", "adminConsentDisplayName", "id", "isEnabled", "origin", "type",
            "userConsentDescription", "userConsentDisplayName", "value"),
        ["signInActivity"] = Names("lastSignInDateTime", "lastSignInRequestId", "lastNonInteractiveSignInDateTime", "lastNonInteractiveSignInRequestId",
            "lastSuccessfulSignInDateTime", "lastSuccessfulSignInRequestId"),
    };

    [Fact]
    public void Every_property_every_shape_can_serve_is_a_graph_v1_property_of_its_type()
    {
        void Check<T>(GraphResourceShape<T> shape) where T : class =>
            Assert.All(shape.PropertyNames, name => Assert.True(ByType[shape.ODataType].Contains(name), $"{shape.ODataType} has no v1.0 property '{name}'"));

        Check(GraphShapes.Device);
        Check(GraphShapes.ServicePrincipal);
        Check(GraphShapes.Organization);
        Check(GraphShapes.SubscribedSku);
        Check(GraphShapes.LicenseDetail);
        Check(GraphShapes.RoleDefinition);
        Check(GraphShapes.RoleAssignment);
        Check(GraphShapes.RoleAssignmentSchedule);
        Check(GraphShapes.RoleEligibilitySchedule);
        Check(GraphShapes.RoleAssignmentScheduleInstance);
        Check(GraphShapes.RoleEligibilityScheduleInstance);
        Check(GraphShapes.RoleAssignmentScheduleRequest);
        Check(GraphShapes.RoleEligibilityScheduleRequest);
        Check(GraphShapes.AppRoleAssignment);
        Check(GraphShapes.OAuth2PermissionGrant);
        Check(GraphShapes.PasswordMethod);
        Check(GraphShapes.MicrosoftAuthenticatorMethod);
        Check(GraphShapes.PhoneMethod);
        Check(GraphShapes.Fido2Method);
        Check(GraphShapes.EmailMethod);
        Check(GraphShapes.SoftwareOathMethod);
        Check(GraphShapes.TemporaryAccessPassMethod);
        Check(GraphShapes.UserRegistrationDetails);
    }

    [Fact]
    public async Task Every_payload_uses_only_graph_v1_names_down_to_nested_types()
    {
        using var client = new SandboxClient(new SandboxOptions { UserCount = 300 });
        var tenant = client.Sandbox.Tenant;
        DirectoryUser user = tenant.Users.First(u => u.AuthenticationMethods.Count >= 4 && u.AssignedLicenses().Count > 0);
        ServicePrincipal app = tenant.ServicePrincipals.First(s => tenant.AppRoleAssignmentsTo(s).Count > 0);
        string Everything<T>(GraphResourceShape<T> shape) where T : class => "?$select=" + string.Join(',', shape.PropertyNames);

        (string Url, string Type)[] reads =
        [
            ("organization" + Everything(GraphShapes.Organization), "#microsoft.graph.organization"),
            ("subscribedSkus", "#microsoft.graph.subscribedSku"),
            ($"users/{user.Id}/licenseDetails", "#microsoft.graph.licenseDetails"),
            ("devices" + Everything(GraphShapes.Device) + "&$expand=registeredOwners($select=id)", "#microsoft.graph.device"),
            ($"devices/{tenant.Devices[0].Id}", "#microsoft.graph.device"),
            ("servicePrincipals" + Everything(GraphShapes.ServicePrincipal), "#microsoft.graph.servicePrincipal"),
            ("roleManagement/directory/roleDefinitions", "#microsoft.graph.unifiedRoleDefinition"),
            ("roleManagement/directory/roleAssignments", "#microsoft.graph.unifiedRoleAssignment"),
            ("roleManagement/directory/roleAssignmentSchedules", "#microsoft.graph.unifiedRoleAssignmentSchedule"),
            ("roleManagement/directory/roleEligibilitySchedules", "#microsoft.graph.unifiedRoleEligibilitySchedule"),
            ("roleManagement/directory/roleAssignmentScheduleInstances", "#microsoft.graph.unifiedRoleAssignmentScheduleInstance"),
            ("roleManagement/directory/roleEligibilityScheduleInstances", "#microsoft.graph.unifiedRoleEligibilityScheduleInstance"),
            ($"servicePrincipals/{app.Id}/appRoleAssignedTo", "#microsoft.graph.appRoleAssignment"),
            ($"users/{user.Id}/appRoleAssignments", "#microsoft.graph.appRoleAssignment"),
            ("oauth2PermissionGrants", "#microsoft.graph.oAuth2PermissionGrant"),
            ("reports/authenticationMethods/userRegistrationDetails", "#microsoft.graph.userRegistrationDetails"),
        ];

        foreach (var (url, type) in reads)
        {
            var (response, body) = await client.GetAsync(url);
            Assert.True(response.IsSuccessStatusCode, url);
            foreach (JsonElement item in body.TryGetProperty("value", out JsonElement value) ? value.EnumerateArray() : new[] { body }.AsEnumerable())
            {
                AssertNames(item, ByType[type], url);
            }
        }

        foreach (JsonElement method in (await client.GetAsync($"users/{user.Id}/authentication/methods")).Body.GetProperty("value").EnumerateArray())
        {
            AssertNames(method, ByType[method.GetProperty("@odata.type").GetString()!], "authentication/methods");
        }

        var (_, created) = await client.SendAsync(HttpMethod.Post, "roleManagement/directory/roleAssignmentScheduleRequests", new
        {
            action = "adminAssign", principalId = user.Id, roleDefinitionId = BuiltInRoles.ReportsReader, directoryScopeId = "/",
        });
        AssertNames(created, ByType["#microsoft.graph.unifiedRoleAssignmentScheduleRequest"], "roleAssignmentScheduleRequests");
        var (_, users) = await client.GetAsync("users?$select=id,assignedLicenses,licenseAssignmentStates,signInActivity&$top=999");
        foreach (JsonElement item in users.GetProperty("value").EnumerateArray())
        {
            AssertNames(item, GraphPayloadNameTests.GraphUserPropertyNames, "users");
        }
    }

    private static void AssertNames(JsonElement item, HashSet<string> allowed, string url)
    {
        foreach (JsonProperty property in item.EnumerateObject())
        {
            Assert.True(allowed.Contains(property.Name) || property.Name.StartsWith("@odata.", StringComparison.Ordinal),
                $"'{property.Name}' from {url} is not a Graph v1.0 property");
            if (Nested.TryGetValue(property.Name, out var nested))
            {
                foreach (JsonElement inner in property.Value.ValueKind switch
                {
                    JsonValueKind.Array => property.Value.EnumerateArray().ToArray(),
                    JsonValueKind.Object => [property.Value],
                    _ => [],
                })
                {
                    AssertNames(inner, nested, url);
                }
            }
        }
    }
}
