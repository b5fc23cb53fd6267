namespace IsmsOps.Sandbox.Http;

/// <summary>The Entra ID licence an endpoint needs before Graph will serve it.</summary>
internal enum RequiredLicence
{
    None,

    /// <summary>Entra ID P1: sign-in activity and the authentication methods reports.</summary>
    PremiumP1,

    /// <summary>Entra ID P2: Privileged Identity Management schedules.</summary>
    PremiumP2,
}

/// <summary>What an endpoint requires: any one of the application permissions, and a licence.</summary>
internal sealed record RouteRequirement(IReadOnlyList<string> Permissions, RequiredLicence Licence = RequiredLicence.None);

/// <summary>
/// Every endpoint the sandbox serves, with the application permissions Microsoft's Graph v1.0 reference accepts for
/// it (any one suffices) and the licence it needs. This is the one place to read or change them; RouteTable refuses
/// to start when an endpoint is missing here.
/// </summary>
internal static class RoutePermissions
{
    private static readonly string[] Organization = ["Organization.Read.All", "Organization.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];
    private static readonly string[] SubscribedSkus = [.. Organization, "LicenseAssignment.Read.All", "LicenseAssignment.ReadWrite.All"];
    private static readonly string[] UserRead = ["User.Read.All", "User.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];
    private static readonly string[] UserWrite = ["User.ReadWrite.All", "Directory.ReadWrite.All"];
    private static readonly string[] UserMemberOf = [.. UserRead, "GroupMember.Read.All", "GroupMember.ReadWrite.All"];
    private static readonly string[] UserLicenseRead = [.. UserRead, "LicenseAssignment.Read.All", "LicenseAssignment.ReadWrite.All"];
    private static readonly string[] UserLicenseWrite = [.. UserWrite, "LicenseAssignment.ReadWrite.All"];
    private static readonly string[] RevokeSessions = [.. UserWrite, "User.RevokeSessions.All"];
    private static readonly string[] UserDelete = [.. UserWrite, "User.DeleteRestore.All"];
    private static readonly string[] GroupRead = ["Group.Read.All", "Group.ReadWrite.All", "GroupMember.Read.All", "GroupMember.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];
    private static readonly string[] GroupMemberWrite = ["GroupMember.ReadWrite.All", "Group.ReadWrite.All", "Directory.ReadWrite.All"];
    private static readonly string[] GroupOwnerWrite = ["Group.ReadWrite.All", "Directory.ReadWrite.All"];
    private static readonly string[] RoleRead = ["RoleManagement.Read.Directory", "RoleManagement.Read.All", "RoleManagement.ReadWrite.Directory", "Directory.Read.All"];
    private static readonly string[] RoleWrite = ["RoleManagement.ReadWrite.Directory"];
    private static readonly string[] EligibilityRead = ["RoleEligibilitySchedule.Read.Directory", "RoleEligibilitySchedule.ReadWrite.Directory", "RoleManagement.Read.Directory", "RoleManagement.Read.All", "RoleManagement.ReadWrite.Directory"];
    private static readonly string[] EligibilityWrite = ["RoleEligibilitySchedule.ReadWrite.Directory", "RoleManagement.ReadWrite.Directory"];
    private static readonly string[] AssignmentScheduleRead = ["RoleAssignmentSchedule.Read.Directory", "RoleAssignmentSchedule.ReadWrite.Directory", "RoleManagement.Read.Directory", "RoleManagement.Read.All", "RoleManagement.ReadWrite.Directory"];
    private static readonly string[] AssignmentScheduleWrite = ["RoleAssignmentSchedule.ReadWrite.Directory", "RoleManagement.ReadWrite.Directory"];
    private static readonly string[] ApplicationRead = ["Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];
    private static readonly string[] AppRoleAssignmentRead = ["AppRoleAssignment.ReadWrite.All", "Application.Read.All", "Application.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];
    private static readonly string[] UserAppRoleAssignmentRead = [.. AppRoleAssignmentRead, "User.Read.All", "User.ReadWrite.All"];
    private static readonly string[] GroupAppRoleAssignmentReadList = [.. AppRoleAssignmentRead, "Group.Read.All", "Group.ReadWrite.All"];

    /// <summary>What listing, or expanding, a group's app role assignments needs.</summary>
    public static IReadOnlyList<string> GroupAppRoleAssignmentRead => GroupAppRoleAssignmentReadList;
    private static readonly string[] AppRoleAssignmentWrite = ["AppRoleAssignment.ReadWrite.All"];
    private static readonly string[] GrantRead = ["DelegatedPermissionGrant.Read.All", "DelegatedPermissionGrant.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];
    private static readonly string[] GrantWrite = ["DelegatedPermissionGrant.ReadWrite.All", "Directory.ReadWrite.All"];
    private static readonly string[] DeviceRead = ["Device.Read.All", "Device.ReadWrite.All", "Directory.Read.All", "Directory.ReadWrite.All"];
    private static readonly string[] DeviceWrite = ["Device.ReadWrite.All", "Directory.ReadWrite.All"];
    private static readonly string[] UserDevices = [.. UserRead, "Device.Read.All"];
    private static readonly string[] MethodRead = ["UserAuthenticationMethod.Read.All", "UserAuthenticationMethod.ReadWrite.All"];
    private static readonly string[] MethodWrite = ["UserAuthenticationMethod.ReadWrite.All"];
    private static readonly string[] Reports = ["AuditLog.Read.All"];

    /// <summary>What selecting users' signInActivity needs on top of reading users.</summary>
    public static IReadOnlyList<string> SignInActivity { get; } = ["AuditLog.Read.All"];

    private static readonly Dictionary<string, RouteRequirement> Table = new(StringComparer.Ordinal)
    {
        ["GET organization"] = new(Organization),
        ["GET organization/{id}"] = new(Organization),
        ["GET subscribedSkus"] = new(SubscribedSkus),

        ["GET users"] = new(UserRead),
        ["POST users"] = new(UserWrite),
        ["GET users/{id}"] = new(UserRead),
        ["PATCH users/{id}"] = new(UserWrite),
        ["DELETE users/{id}"] = new(UserDelete),
        ["GET users/{id}/manager"] = new(UserRead),
        ["PUT users/{id}/manager/$ref"] = new(UserWrite),
        ["DELETE users/{id}/manager/$ref"] = new(UserWrite),
        ["GET users/{id}/sponsors"] = new(UserRead),
        ["POST users/{id}/sponsors/$ref"] = new(UserWrite),
        ["DELETE users/{id}/sponsors/{sponsorId}/$ref"] = new(UserWrite),
        ["GET users/{id}/directReports"] = new(UserRead),
        ["GET users/{id}/memberOf"] = new(UserMemberOf),
        ["GET users/{id}/transitiveMemberOf"] = new(UserMemberOf),
        ["GET users/{id}/ownedObjects"] = new(UserRead),
        ["GET users/{id}/ownedDevices"] = new(UserDevices),
        ["GET users/{id}/registeredDevices"] = new(UserDevices),
        ["GET users/{id}/licenseDetails"] = new(UserLicenseRead),
        ["POST users/{id}/assignLicense"] = new(UserLicenseWrite),
        ["POST users/{id}/revokeSignInSessions"] = new(RevokeSessions),
        ["GET users/{id}/oauth2PermissionGrants"] = new(GrantRead),
        ["GET users/{id}/appRoleAssignments"] = new(UserAppRoleAssignmentRead),
        ["POST users/{id}/appRoleAssignments"] = new(AppRoleAssignmentWrite),
        ["DELETE users/{id}/appRoleAssignments/{assignmentId}"] = new(AppRoleAssignmentWrite),

        ["GET users/{id}/authentication/methods"] = new(MethodRead),
        ["GET users/{id}/authentication/methods/{methodId}"] = new(MethodRead),
        ["GET users/{id}/authentication/{collection}"] = new(MethodRead),
        ["GET users/{id}/authentication/{collection}/{methodId}"] = new(MethodRead),
        ["DELETE users/{id}/authentication/{collection}/{methodId}"] = new(MethodWrite),
        ["POST users/{id}/authentication/temporaryAccessPassMethods"] = new(MethodWrite),

        ["GET groups"] = new(GroupRead),
        ["GET groups/{id}"] = new(GroupRead),
        ["GET groups/{id}/members"] = new(GroupRead),
        ["GET groups/{id}/transitiveMembers"] = new(GroupRead),
        ["GET groups/{id}/memberOf"] = new(GroupRead),
        ["GET groups/{id}/owners"] = new(GroupRead),
        ["POST groups/{id}/members/$ref"] = new(GroupMemberWrite),
        ["DELETE groups/{id}/members/{memberId}/$ref"] = new(GroupMemberWrite),
        ["POST groups/{id}/owners/$ref"] = new(GroupOwnerWrite),
        ["DELETE groups/{id}/owners/{ownerId}/$ref"] = new(GroupOwnerWrite),
        ["GET groups/{id}/appRoleAssignments"] = new(GroupAppRoleAssignmentReadList),

        ["GET roleManagement/directory/roleDefinitions"] = new(RoleRead),
        ["GET roleManagement/directory/roleDefinitions/{id}"] = new(RoleRead),
        ["GET roleManagement/directory/roleAssignments"] = new(RoleRead),
        ["GET roleManagement/directory/roleAssignments/{id}"] = new(RoleRead),
        ["DELETE roleManagement/directory/roleAssignments/{id}"] = new(RoleWrite),
        ["GET roleManagement/directory/roleEligibilitySchedules"] = new(EligibilityRead, RequiredLicence.PremiumP2),
        ["GET roleManagement/directory/roleEligibilityScheduleInstances"] = new(EligibilityRead, RequiredLicence.PremiumP2),
        ["POST roleManagement/directory/roleEligibilityScheduleRequests"] = new(EligibilityWrite, RequiredLicence.PremiumP2),
        ["GET roleManagement/directory/roleAssignmentSchedules"] = new(AssignmentScheduleRead, RequiredLicence.PremiumP2),
        ["GET roleManagement/directory/roleAssignmentScheduleInstances"] = new(AssignmentScheduleRead, RequiredLicence.PremiumP2),
        ["POST roleManagement/directory/roleAssignmentScheduleRequests"] = new(AssignmentScheduleWrite, RequiredLicence.PremiumP2),

        ["GET servicePrincipals"] = new(ApplicationRead),
        ["GET servicePrincipals/{id}"] = new(ApplicationRead),
        ["GET servicePrincipals/{id}/appRoleAssignedTo"] = new(AppRoleAssignmentRead),
        ["GET servicePrincipals/{id}/appRoleAssignments"] = new(AppRoleAssignmentRead),
        ["DELETE servicePrincipals/{id}/appRoleAssignedTo/{assignmentId}"] = new(AppRoleAssignmentWrite),

        ["GET oauth2PermissionGrants"] = new(GrantRead),
        ["GET oauth2PermissionGrants/{id}"] = new(GrantRead),
        ["PATCH oauth2PermissionGrants/{id}"] = new(GrantWrite),
        ["DELETE oauth2PermissionGrants/{id}"] = new(GrantWrite),

        ["GET devices"] = new(DeviceRead),
        ["GET devices/{id}"] = new(DeviceRead),
        ["PATCH devices/{id}"] = new(DeviceWrite),
        ["GET devices/{id}/registeredOwners"] = new(DeviceRead),
        ["GET devices/{id}/registeredUsers"] = new(DeviceRead),

        ["GET reports/authenticationMethods/userRegistrationDetails"] = new(Reports, RequiredLicence.PremiumP1),
        ["GET reports/authenticationMethods/userRegistrationDetails/{id}"] = new(Reports, RequiredLicence.PremiumP1),
    };

    public static IEnumerable<string> Endpoints => Table.Keys;

    public static RouteRequirement? For(string endpoint) => Table.GetValueOrDefault(endpoint);

    /// <summary>True when no permissions are configured (everything granted) or the token holds any one accepted.</summary>
    public static bool Allows(IReadOnlyCollection<string>? granted, IReadOnlyList<string> accepted) =>
        granted is null || accepted.Any(p => granted.Contains(p, StringComparer.OrdinalIgnoreCase));

    /// <summary>Graph's answer to a token without the permission. It does not say which one; the client has to.</summary>
    public static GraphResponse Denied(GraphRequest request) =>
        GraphResponse.Error(request, 403, "Authorization_RequestDenied", "Insufficient privileges to complete the operation.");

    /// <summary>Graph's answers for a tenant without the licence an endpoint needs.</summary>
    public static GraphResponse Unlicensed(GraphRequest request, RequiredLicence licence) => licence == RequiredLicence.PremiumP2
        ? GraphResponse.Error(request, 403, "AadPremiumLicenseRequired",
            "The tenant needs an AAD Premium 2 license (Microsoft Entra ID P2 or Microsoft Entra ID Governance) to use Privileged Identity Management.")
        : GraphResponse.Error(request, 403, "Authentication_RequestFromNonPremiumTenantOrB2CTenant",
            "Neither tenant is B2C or tenant doesn't have premium license");
}
