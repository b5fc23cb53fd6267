using System.Text.Json;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Sandbox.Http;

/// <summary>A licence as users/{id}/licenseDetails presents it: the SKU's plans, with the disabled ones marked.</summary>
internal sealed record LicenseDetail(string Id, SubscribedSku Sku, IReadOnlyList<Guid> DisabledPlans);

/// <summary>A subscribed SKU with what only the tenant knows: its id prefix and the seats in use.</summary>
internal sealed record SkuUsage(string TenantId, SubscribedSku Sku, long ConsumedUnits);

/// <summary>One row of the authentication methods registration report, computed from the user's methods.</summary>
internal sealed record UserRegistration(DirectoryUser User, bool IsAdmin);

/// <summary>The answer to a PIM schedule request (adminAssign / adminRemove).</summary>
internal sealed record ScheduleRequest(string Id, string Action, string Status, string PrincipalId, string RoleDefinitionId,
    string DirectoryScopeId, string? TargetScheduleId, string? Justification, DateTimeOffset StartDateTime, DateTimeOffset? EndDateTime,
    DateTimeOffset CreatedDateTime);

/// <summary>Every resource shape the sandbox serves, under Graph v1.0's names.</summary>
internal static class GraphShapes
{
    // Graph's default user set (no $select) is the ten "basic" properties plus id; the rest only when selected.
    public static GraphResourceShape<DirectoryUser> User { get; } = new GraphResourceShape<DirectoryUser>("#microsoft.graph.user", "Microsoft.DirectoryServices.User")
        .String("id", u => u.Id)
        .Strings("businessPhones", _ => [])
        .String("displayName", u => u.DisplayName)
        .String("givenName", u => u.GivenName)
        .String("jobTitle", u => u.JobTitle)
        .String("mail", u => u.Mail)
        .String("mobilePhone", _ => null)
        .String("officeLocation", _ => null)
        .String("preferredLanguage", _ => null)
        .String("surname", u => u.Surname)
        .String("userPrincipalName", u => u.UserPrincipalName)
        .Boolean("accountEnabled", u => u.AccountEnabled)
        .String("department", u => u.Department)
        .String("employeeId", u => u.EmployeeId)
        .Instant("employeeHireDate", u => u.EmployeeHireDate)
        .Instant("employeeLeaveDateTime", u => u.EmployeeLeaveDateTime)
        .String("userType", u => u.UserType)
        .String("mailNickname", u => u.MailNickname)
        .String("usageLocation", u => u.UsageLocation)
        .Instant("createdDateTime", u => u.CreatedDateTime)
        .Boolean("onPremisesSyncEnabled", u => u.OnPremisesSyncEnabled)
        .Instant("signInSessionsValidFromDateTime", u => u.SignInSessionsValidFromDateTime)
        .Complex("signInActivity", WriteSignInActivity)
        .Complex("assignedLicenses", (w, u) => WriteAssignedLicenses(w, u.AssignedLicenses()))
        .Complex("licenseAssignmentStates", WriteLicenseAssignmentStates)
        .Defaults("businessPhones", "displayName", "givenName", "jobTitle", "mail", "mobilePhone", "officeLocation",
            "preferredLanguage", "surname", "userPrincipalName", "id")
        .Filterable("id", "userPrincipalName", "mail", "employeeId", "displayName", "accountEnabled", "userType", "department", "jobTitle");

    public static GraphResourceShape<DirectoryGroup> Group { get; } = new GraphResourceShape<DirectoryGroup>("#microsoft.graph.group", "Microsoft.DirectoryServices.Group")
        .String("id", g => g.Id)
        .String("displayName", g => g.DisplayName)
        .String("description", g => g.Description)
        .String("mail", g => g.Mail)
        .Boolean("mailEnabled", g => g.MailEnabled)
        .String("mailNickname", g => g.MailNickname)
        .Boolean("securityEnabled", g => g.SecurityEnabled)
        .Strings("groupTypes", g => g.GroupTypes)
        .String("membershipRule", g => g.MembershipRule)
        .String("membershipRuleProcessingState", g => g.MembershipRuleProcessingState)
        .Boolean("isAssignableToRole", g => g.IsAssignableToRole)
        .Boolean("onPremisesSyncEnabled", g => g.OnPremisesSyncEnabled)
        .String("visibility", g => g.Visibility)
        .Instant("createdDateTime", g => g.CreatedDateTime)
        .Complex("assignedLicenses", (w, g) => WriteAssignedLicenses(w, g.AssignedLicenses))
        .Defaults("id", "createdDateTime", "description", "displayName", "groupTypes", "isAssignableToRole", "mail",
            "mailEnabled", "mailNickname", "membershipRule", "membershipRuleProcessingState", "onPremisesSyncEnabled",
            "securityEnabled", "visibility")
        .Filterable("id", "displayName", "mail", "mailNickname", "mailEnabled", "securityEnabled", "isAssignableToRole");

    public static GraphResourceShape<DirectoryDevice> Device { get; } = new GraphResourceShape<DirectoryDevice>("#microsoft.graph.device", "Microsoft.DirectoryServices.Device")
        .String("id", d => d.Id)
        .String("deviceId", d => d.DeviceId)
        .String("displayName", d => d.DisplayName)
        .Boolean("accountEnabled", d => d.AccountEnabled)
        .String("operatingSystem", d => d.OperatingSystem)
        .String("operatingSystemVersion", d => d.OperatingSystemVersion)
        .String("trustType", d => d.TrustType)
        .Instant("approximateLastSignInDateTime", d => d.ApproximateLastSignInDateTime)
        .Instant("registrationDateTime", d => d.RegistrationDateTime)
        .Boolean("isCompliant", d => d.IsCompliant)
        .Boolean("isManaged", d => d.IsManaged)
        .Filterable("id", "deviceId", "displayName", "accountEnabled", "operatingSystem", "trustType");

    public static GraphResourceShape<ServicePrincipal> ServicePrincipal { get; } = new GraphResourceShape<ServicePrincipal>("#microsoft.graph.servicePrincipal", "Microsoft.DirectoryServices.ServicePrincipal")
        .String("id", s => s.Id)
        .String("appId", s => s.AppId)
        .String("displayName", s => s.DisplayName)
        .String("servicePrincipalType", s => s.ServicePrincipalType)
        .Boolean("accountEnabled", s => s.AccountEnabled)
        .Boolean("appRoleAssignmentRequired", s => s.AppRoleAssignmentRequired)
        .String("appOwnerOrganizationId", s => s.AppOwnerOrganizationId)
        .Strings("tags", s => s.Tags)
        .Complex("appRoles", WriteAppRoles)
        .Complex("oauth2PermissionScopes", WritePermissionScopes)
        .Filterable("id", "appId", "displayName", "servicePrincipalType", "accountEnabled");

    /// <summary>The types a directoryObject collection (members, memberOf, owners, ownedObjects ...) can hold.</summary>
    public static PolymorphicShape<DirectoryObject> DirectoryObject { get; } = new PolymorphicShape<DirectoryObject>("Microsoft.DirectoryServices.DirectoryObject")
        .Include(User)
        .Include(Group)
        .Include(Device)
        .Include(ServicePrincipal);

    public static GraphResourceShape<Tenant> Organization { get; } = new GraphResourceShape<Tenant>("#microsoft.graph.organization", "Microsoft.DirectoryServices.Organization")
        .String("id", t => t.Id)
        .String("displayName", t => t.DisplayName)
        .String("tenantType", _ => "AAD")
        .String("countryLetterCode", _ => "GB")
        .String("preferredLanguage", _ => "en")
        .Instant("createdDateTime", t => t.CreatedDateTime)
        .Boolean("onPremisesSyncEnabled", _ => true)
        .Complex("verifiedDomains", WriteVerifiedDomains);

    public static GraphResourceShape<SkuUsage> SubscribedSku { get; } = new GraphResourceShape<SkuUsage>("#microsoft.graph.subscribedSku", "Microsoft.DirectoryServices.SubscribedSku")
        .String("id", s => $"{s.TenantId}_{s.Sku.SkuId}")
        .String("accountId", s => s.TenantId)
        .String("accountName", _ => SandboxOrganisation.OrganisationName)
        .String("skuId", s => s.Sku.SkuId.ToString())
        .String("skuPartNumber", s => s.Sku.SkuPartNumber)
        .String("appliesTo", s => s.Sku.AppliesTo)
        .String("capabilityStatus", s => s.Sku.CapabilityStatus)
        .Number("consumedUnits", s => s.ConsumedUnits)
        .Complex("prepaidUnits", (w, s) =>
        {
            w.WriteStartObject();
            w.WriteNumber("enabled", s.Sku.EnabledUnits);
            w.WriteNumber("lockedOut", 0);
            w.WriteNumber("suspended", 0);
            w.WriteNumber("warning", 0);
            w.WriteEndObject();
        })
        .Complex("servicePlans", (w, s) => WriteServicePlans(w, s.Sku.ServicePlans, []));

    public static GraphResourceShape<LicenseDetail> LicenseDetail { get; } = new GraphResourceShape<LicenseDetail>("#microsoft.graph.licenseDetails", "Microsoft.DirectoryServices.LicenseDetails")
        .String("id", l => l.Id)
        .String("skuId", l => l.Sku.SkuId.ToString())
        .String("skuPartNumber", l => l.Sku.SkuPartNumber)
        .Complex("servicePlans", (w, l) => WriteServicePlans(w, l.Sku.ServicePlans, l.DisabledPlans));

    public static GraphResourceShape<RoleDefinition> RoleDefinition { get; } = new GraphResourceShape<RoleDefinition>("#microsoft.graph.unifiedRoleDefinition", "Microsoft.DirectoryServices.UnifiedRoleDefinition")
        .String("id", r => r.Id)
        .String("displayName", r => r.DisplayName)
        .String("description", r => r.Description)
        .Boolean("isBuiltIn", r => r.IsBuiltIn)
        .Boolean("isEnabled", r => r.IsEnabled)
        .String("templateId", r => r.TemplateId)
        .String("version", r => r.IsBuiltIn ? "1" : null)
        .Strings("resourceScopes", _ => ["/"])
        .Complex("rolePermissions", (w, r) =>
        {
            w.WriteStartArray();
            w.WriteStartObject();
            w.WriteStartArray("allowedResourceActions");
            foreach (string action in r.AllowedResourceActions) { w.WriteStringValue(action); }
            w.WriteEndArray();
            w.WriteNull("condition");
            w.WriteEndObject();
            w.WriteEndArray();
        })
        .Filterable("id", "displayName", "templateId", "isBuiltIn");

    public static GraphResourceShape<RoleAssignment> RoleAssignment { get; } = RoleScheduleShape<RoleAssignment>("#microsoft.graph.unifiedRoleAssignment", "Microsoft.DirectoryServices.UnifiedRoleAssignment")
        .Filterable("id", "principalId", "roleDefinitionId", "directoryScopeId");

    public static GraphResourceShape<RoleAssignment> RoleAssignmentSchedule { get; } = RoleScheduleShape<RoleAssignment>("#microsoft.graph.unifiedRoleAssignmentSchedule", "Microsoft.DirectoryServices.UnifiedRoleAssignmentSchedule")
        .Instant("createdDateTime", a => a.CreatedDateTime)
        .String("createdUsing", a => a.Id)
        .Instant("modifiedDateTime", a => a.CreatedDateTime)
        .String("status", _ => "Provisioned")
        .String("assignmentType", a => a.AssignmentType)
        .String("memberType", _ => "Direct")
        .Complex("scheduleInfo", (w, a) => WriteScheduleInfo(w, a.StartDateTime, a.EndDateTime))
        .Filterable("id", "principalId", "roleDefinitionId", "directoryScopeId", "assignmentType");

    public static GraphResourceShape<RoleAssignment> RoleAssignmentScheduleInstance { get; } = RoleScheduleShape<RoleAssignment>("#microsoft.graph.unifiedRoleAssignmentScheduleInstance", "Microsoft.DirectoryServices.UnifiedRoleAssignmentScheduleInstance")
        .Instant("startDateTime", a => a.StartDateTime)
        .Instant("endDateTime", a => a.EndDateTime)
        .String("assignmentType", a => a.AssignmentType)
        .String("memberType", _ => "Direct")
        .String("roleAssignmentOriginId", a => a.Id)
        .String("roleAssignmentScheduleId", a => a.Id)
        .Filterable("id", "principalId", "roleDefinitionId", "directoryScopeId", "assignmentType");

    public static GraphResourceShape<RoleEligibility> RoleEligibilitySchedule { get; } = RoleScheduleShape<RoleEligibility>("#microsoft.graph.unifiedRoleEligibilitySchedule", "Microsoft.DirectoryServices.UnifiedRoleEligibilitySchedule")
        .Instant("createdDateTime", e => e.CreatedDateTime)
        .String("createdUsing", e => e.Id)
        .Instant("modifiedDateTime", e => e.CreatedDateTime)
        .String("status", _ => "Provisioned")
        .String("memberType", _ => "Direct")
        .Complex("scheduleInfo", (w, e) => WriteScheduleInfo(w, e.StartDateTime, e.EndDateTime))
        .Filterable("id", "principalId", "roleDefinitionId", "directoryScopeId");

    public static GraphResourceShape<RoleEligibility> RoleEligibilityScheduleInstance { get; } = RoleScheduleShape<RoleEligibility>("#microsoft.graph.unifiedRoleEligibilityScheduleInstance", "Microsoft.DirectoryServices.UnifiedRoleEligibilityScheduleInstance")
        .Instant("startDateTime", e => e.StartDateTime)
        .Instant("endDateTime", e => e.EndDateTime)
        .String("memberType", _ => "Direct")
        .String("roleEligibilityScheduleId", e => e.Id)
        .Filterable("id", "principalId", "roleDefinitionId", "directoryScopeId");

    public static GraphResourceShape<ScheduleRequest> RoleAssignmentScheduleRequest { get; } = ScheduleRequestShape(
        "#microsoft.graph.unifiedRoleAssignmentScheduleRequest", "Microsoft.DirectoryServices.UnifiedRoleAssignmentScheduleRequest");

    public static GraphResourceShape<ScheduleRequest> RoleEligibilityScheduleRequest { get; } = ScheduleRequestShape(
        "#microsoft.graph.unifiedRoleEligibilityScheduleRequest", "Microsoft.DirectoryServices.UnifiedRoleEligibilityScheduleRequest");

    public static GraphResourceShape<AppRoleAssignment> AppRoleAssignment { get; } = new GraphResourceShape<AppRoleAssignment>("#microsoft.graph.appRoleAssignment", "Microsoft.DirectoryServices.AppRoleAssignment")
        .String("id", a => a.Id)
        .String("appRoleId", a => a.AppRoleId.ToString())
        .Instant("createdDateTime", a => a.CreatedDateTime)
        .Instant("deletedDateTime", _ => null)
        .String("principalDisplayName", a => a.PrincipalDisplayName)
        .String("principalId", a => a.Principal.Id)
        .String("principalType", a => a.PrincipalType)
        .String("resourceDisplayName", a => a.Resource.DisplayName)
        .String("resourceId", a => a.Resource.Id)
        .Filterable("id", "principalId", "resourceId", "appRoleId", "principalType");

    public static GraphResourceShape<OAuth2PermissionGrant> OAuth2PermissionGrant { get; } = new GraphResourceShape<OAuth2PermissionGrant>("#microsoft.graph.oAuth2PermissionGrant", "Microsoft.DirectoryServices.OAuth2PermissionGrant")
        .String("id", g => g.Id)
        .String("clientId", g => g.ClientId)
        .String("consentType", g => g.ConsentType)
        .String("principalId", g => g.PrincipalId)
        .String("resourceId", g => g.ResourceId)
        .String("scope", g => g.Scope)
        .Filterable("id", "clientId", "principalId", "resourceId", "consentType");

    public static GraphResourceShape<PasswordMethod> PasswordMethod { get; } = new GraphResourceShape<PasswordMethod>("#microsoft.graph.passwordAuthenticationMethod", "Microsoft.DirectoryServices.PasswordAuthenticationMethod")
        .String("id", m => m.Id)
        .Instant("createdDateTime", m => m.CreatedDateTime)
        // Graph never returns the password itself.
        .String("password", _ => null);

    public static GraphResourceShape<MicrosoftAuthenticatorMethod> MicrosoftAuthenticatorMethod { get; } = new GraphResourceShape<MicrosoftAuthenticatorMethod>("#microsoft.graph.microsoftAuthenticatorAuthenticationMethod", "Microsoft.DirectoryServices.MicrosoftAuthenticatorAuthenticationMethod")
        .String("id", m => m.Id)
        .Instant("createdDateTime", m => m.CreatedDateTime)
        .String("displayName", m => m.DisplayName)
        .String("deviceTag", m => m.DeviceTag)
        .String("phoneAppVersion", m => m.PhoneAppVersion);

    public static GraphResourceShape<PhoneMethod> PhoneMethod { get; } = new GraphResourceShape<PhoneMethod>("#microsoft.graph.phoneAuthenticationMethod", "Microsoft.DirectoryServices.PhoneAuthenticationMethod")
        .String("id", m => m.Id)
        .String("phoneNumber", m => m.PhoneNumber)
        .String("phoneType", m => m.PhoneType)
        .String("smsSignInState", m => m.SmsSignInState);

    public static GraphResourceShape<Fido2Method> Fido2Method { get; } = new GraphResourceShape<Fido2Method>("#microsoft.graph.fido2AuthenticationMethod", "Microsoft.DirectoryServices.Fido2AuthenticationMethod")
        .String("id", m => m.Id)
        .Instant("createdDateTime", m => m.CreatedDateTime)
        .String("displayName", m => m.DisplayName)
        .String("aaGuid", m => m.AaGuid)
        .String("model", m => m.Model)
        .Strings("attestationCertificates", _ => [])
        .String("attestationLevel", m => m.AttestationLevel);

    public static GraphResourceShape<EmailMethod> EmailMethod { get; } = new GraphResourceShape<EmailMethod>("#microsoft.graph.emailAuthenticationMethod", "Microsoft.DirectoryServices.EmailAuthenticationMethod")
        .String("id", m => m.Id)
        .String("emailAddress", m => m.EmailAddress);

    public static GraphResourceShape<SoftwareOathMethod> SoftwareOathMethod { get; } = new GraphResourceShape<SoftwareOathMethod>("#microsoft.graph.softwareOathAuthenticationMethod", "Microsoft.DirectoryServices.SoftwareOathAuthenticationMethod")
        .String("id", m => m.Id)
        // Graph never returns the secret after registration.
        .String("secretKey", _ => null);

    public static GraphResourceShape<TemporaryAccessPassMethod> TemporaryAccessPassMethod { get; } = new GraphResourceShape<TemporaryAccessPassMethod>("#microsoft.graph.temporaryAccessPassAuthenticationMethod", "Microsoft.DirectoryServices.TemporaryAccessPassAuthenticationMethod")
        .String("id", m => m.Id)
        .Instant("createdDateTime", m => m.CreatedDateTime)
        .Instant("startDateTime", m => m.StartDateTime)
        .Number("lifetimeInMinutes", m => m.LifetimeInMinutes)
        .Boolean("isUsableOnce", m => m.IsUsableOnce)
        .Boolean("isUsable", m => m.IsUsable)
        .String("methodUsabilityReason", m => m.IsUsable ? "EnabledByPolicy" : m.StartDateTime > SandboxOrganisation.Now ? "NotYetValid" : "Expired")
        .String("temporaryAccessPass", m => m.Pass);

    public static PolymorphicShape<AuthenticationMethod> AuthenticationMethod { get; } = new PolymorphicShape<AuthenticationMethod>("Microsoft.DirectoryServices.AuthenticationMethod")
        .Include(PasswordMethod)
        .Include(MicrosoftAuthenticatorMethod)
        .Include(PhoneMethod)
        .Include(Fido2Method)
        .Include(EmailMethod)
        .Include(SoftwareOathMethod)
        .Include(TemporaryAccessPassMethod);

    public static GraphResourceShape<UserRegistration> UserRegistrationDetails { get; } = new GraphResourceShape<UserRegistration>("#microsoft.graph.userRegistrationDetails", "Microsoft.DirectoryServices.UserRegistrationDetails")
        .String("id", r => r.User.Id)
        .String("userPrincipalName", r => r.User.UserPrincipalName)
        .String("userDisplayName", r => r.User.DisplayName)
        .String("userType", r => r.User.UserType.ToLowerInvariant())
        .Boolean("isAdmin", r => r.IsAdmin)
        .Boolean("isMfaRegistered", r => r.User.AuthenticationMethods.Any(m => m.IsMfa))
        // Every method the sandbox generates is allowed by the tenant's policy, so capable follows registered.
        .Boolean("isMfaCapable", r => r.User.AccountEnabled && r.User.AuthenticationMethods.Any(m => m.IsMfa))
        .Boolean("isPasswordlessCapable", r => r.User.AuthenticationMethods.Any(m => m is Fido2Method))
        .Boolean("isSsprRegistered", r => IsSsprRegistered(r.User))
        .Boolean("isSsprEnabled", r => r.User.UserType == "Member")
        .Boolean("isSsprCapable", r => r.User.UserType == "Member" && IsSsprRegistered(r.User))
        .Boolean("isSystemPreferredAuthenticationMethodEnabled", _ => true)
        .Strings("methodsRegistered", r => r.User.AuthenticationMethods.Select(m => m.RegisteredAs).OfType<string>().Distinct())
        .Strings("systemPreferredAuthenticationMethods", r => r.User.DefaultMfaMethod switch
        {
            null => [],
            Directory.MicrosoftAuthenticatorMethod => ["push"],
            Directory.PhoneMethod => ["sms"],
            _ => ["oath"],
        })
        .String("userPreferredMethodForSecondaryAuthentication", r => r.User.DefaultMfaMethod?.PreferredForSecondaryAuthentication ?? "none")
        .Instant("lastUpdatedDateTime", r => r.User.AuthenticationMethods.Select(m => m.CreatedDateTime).Max() ?? r.User.CreatedDateTime)
        .Filterable("id", "userPrincipalName", "userDisplayName", "userType", "isAdmin", "isMfaRegistered", "isMfaCapable",
            "isPasswordlessCapable", "isSsprRegistered");

    private static bool IsSsprRegistered(DirectoryUser user) =>
        user.AuthenticationMethods.Any(m => m is Directory.PhoneMethod or Directory.EmailMethod or Directory.MicrosoftAuthenticatorMethod);

    /// <summary>The properties a role assignment, an eligibility and their schedules all begin with.</summary>
    private static GraphResourceShape<T> RoleScheduleShape<T>(string odataType, string graphTypeName)
        where T : RoleSchedule =>
        new GraphResourceShape<T>(odataType, graphTypeName)
            .String("id", s => s.Id)
            .String("principalId", s => s.Principal.Id)
            .String("roleDefinitionId", s => s.Role.Id)
            .String("directoryScopeId", s => s.DirectoryScopeId)
            .String("appScopeId", _ => null);

    private static GraphResourceShape<ScheduleRequest> ScheduleRequestShape(string odataType, string graphTypeName) =>
        new GraphResourceShape<ScheduleRequest>(odataType, graphTypeName)
            .String("id", r => r.Id)
            .String("action", r => r.Action)
            .String("status", r => r.Status)
            .String("principalId", r => r.PrincipalId)
            .String("roleDefinitionId", r => r.RoleDefinitionId)
            .String("directoryScopeId", r => r.DirectoryScopeId)
            .String("appScopeId", _ => null)
            .Boolean("isValidationOnly", _ => false)
            .String("targetScheduleId", r => r.TargetScheduleId)
            .String("justification", r => r.Justification)
            .Instant("createdDateTime", r => r.CreatedDateTime)
            .Instant("completedDateTime", r => r.CreatedDateTime)
            .String("approvalId", _ => null)
            .String("customData", _ => null)
            .Complex("scheduleInfo", (w, r) => WriteScheduleInfo(w, r.StartDateTime, r.EndDateTime));

    private static void WriteSignInActivity(Utf8JsonWriter writer, DirectoryUser user)
    {
        if (user.LastSignInDateTime is null && user.LastNonInteractiveSignInDateTime is null)
        {
            writer.WriteNullValue();
            return;
        }

        writer.WriteStartObject();
        WriteInstant(writer, "lastSignInDateTime", user.LastSignInDateTime);
        WriteInstant(writer, "lastNonInteractiveSignInDateTime", user.LastNonInteractiveSignInDateTime);
        WriteInstant(writer, "lastSuccessfulSignInDateTime", user.LastSuccessfulSignInDateTime);
        writer.WriteEndObject();
    }

    private static void WriteAssignedLicenses(Utf8JsonWriter writer, IReadOnlyList<AssignedLicense> licenses)
    {
        writer.WriteStartArray();
        foreach (AssignedLicense license in licenses)
        {
            writer.WriteStartObject();
            WriteGuids(writer, "disabledPlans", license.DisabledPlans);
            writer.WriteString("skuId", license.SkuId.ToString());
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteLicenseAssignmentStates(Utf8JsonWriter writer, DirectoryUser user)
    {
        writer.WriteStartArray();
        foreach (LicenseAssignmentState state in user.LicenseAssignmentStates())
        {
            writer.WriteStartObject();
            if (state.AssignedByGroup is null) { writer.WriteNull("assignedByGroup"); } else { writer.WriteString("assignedByGroup", state.AssignedByGroup); }
            WriteGuids(writer, "disabledPlans", state.DisabledPlans);
            writer.WriteString("error", "None");
            WriteInstant(writer, "lastUpdatedDateTime", state.LastUpdatedDateTime);
            writer.WriteString("skuId", state.SkuId.ToString());
            writer.WriteString("state", "Active");
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteServicePlans(Utf8JsonWriter writer, IReadOnlyList<ServicePlan> plans, IReadOnlyList<Guid> disabled)
    {
        writer.WriteStartArray();
        foreach (ServicePlan plan in plans)
        {
            writer.WriteStartObject();
            writer.WriteString("servicePlanId", plan.ServicePlanId.ToString());
            writer.WriteString("servicePlanName", plan.ServicePlanName);
            writer.WriteString("provisioningStatus", disabled.Contains(plan.ServicePlanId) ? "Disabled" : "Success");
            writer.WriteString("appliesTo", plan.AppliesTo);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteVerifiedDomains(Utf8JsonWriter writer, Tenant tenant)
    {
        writer.WriteStartArray();
        foreach (VerifiedDomain domain in tenant.VerifiedDomains)
        {
            writer.WriteStartObject();
            writer.WriteString("capabilities", domain.Capabilities);
            writer.WriteBoolean("isDefault", domain.IsDefault);
            writer.WriteBoolean("isInitial", domain.IsInitial);
            writer.WriteString("name", domain.Name);
            writer.WriteString("type", domain.Type);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteAppRoles(Utf8JsonWriter writer, ServicePrincipal app)
    {
        writer.WriteStartArray();
        foreach (AppRole role in app.AppRoles)
        {
            writer.WriteStartObject();
            writer.WriteStartArray("allowedMemberTypes");
            foreach (string type in role.AllowedMemberTypes) { writer.WriteStringValue(type); }
            writer.WriteEndArray();
            writer.WriteString("description", role.Description);
            writer.WriteString("displayName", role.DisplayName);
            writer.WriteString("id", role.Id.ToString());
            writer.WriteBoolean("isEnabled", true);
            writer.WriteString("origin", "Application");
            writer.WriteString("value", role.Value);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WritePermissionScopes(Utf8JsonWriter writer, ServicePrincipal app)
    {
        writer.WriteStartArray();
        foreach (PermissionScope scope in app.OAuth2PermissionScopes)
        {
            writer.WriteStartObject();
            writer.WriteString("adminConsentDescription", scope.AdminConsentDescription);
            writer.WriteString("adminConsentDisplayName", scope.AdminConsentDisplayName);
            writer.WriteString("id", scope.Id.ToString());
            writer.WriteBoolean("isEnabled", true);
            writer.WriteString("type", scope.Type);
            writer.WriteString("userConsentDescription", scope.AdminConsentDescription);
            writer.WriteString("userConsentDisplayName", scope.AdminConsentDisplayName);
            writer.WriteString("value", scope.Value);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }

    private static void WriteScheduleInfo(Utf8JsonWriter writer, DateTimeOffset start, DateTimeOffset? end)
    {
        writer.WriteStartObject();
        WriteInstant(writer, "startDateTime", start);
        writer.WriteNull("recurrence");
        writer.WriteStartObject("expiration");
        writer.WriteString("type", end is null ? "noExpiration" : "afterDateTime");
        WriteInstant(writer, "endDateTime", end);
        writer.WriteNull("duration");
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    private static void WriteGuids(Utf8JsonWriter writer, string name, IReadOnlyList<Guid> values)
    {
        writer.WriteStartArray(name);
        foreach (Guid value in values) { writer.WriteStringValue(value.ToString()); }
        writer.WriteEndArray();
    }

    private static void WriteInstant(Utf8JsonWriter writer, string name, DateTimeOffset? value)
    {
        if (GraphResourceShape<DirectoryUser>.Format(value) is { } text) { writer.WriteString(name, text); } else { writer.WriteNull(name); }
    }
}
