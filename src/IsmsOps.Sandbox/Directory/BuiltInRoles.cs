namespace IsmsOps.Sandbox.Directory;

/// <summary>
/// Entra ID's built-in roles under Microsoft's published template ids, which are the same in every tenant, so
/// IsmsOps can name privileged roles by id rather than by display name.
/// </summary>
public static class BuiltInRoles
{
    public const string GlobalAdministrator = "62e90394-69f5-4237-9190-012177145e10";
    public const string UserAdministrator = "fe930be7-5e62-47db-91af-98c3a49a38b1";
    public const string PrivilegedRoleAdministrator = "e8611ab8-c189-46e8-94e1-60213ab1f814";
    public const string SecurityAdministrator = "194ae4cb-b126-40b2-bd5b-6091b380977d";
    public const string GlobalReader = "f2ef992c-3afb-46b9-b7cf-a126ee74c451";
    public const string HelpdeskAdministrator = "729827e3-9c14-49f7-bb1b-9608f156bbb8";
    public const string ExchangeAdministrator = "29232cdf-9323-42fd-ade2-1d097af3e4de";
    public const string ApplicationAdministrator = "9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3";
    public const string CloudApplicationAdministrator = "158c047a-c907-4556-b7ef-446551a6b5f7";
    public const string PrivilegedAuthenticationAdministrator = "7be44c8a-adaf-4e2a-84d6-ab2649e08a13";
    public const string AuthenticationAdministrator = "c4e39bd9-1100-46d3-8c65-fb160da0071f";
    public const string ConditionalAccessAdministrator = "b1be1c3e-b65d-4f19-8427-f6fa0d97feb9";
    public const string SecurityReader = "5d6b6bb7-de71-4623-b4af-96380a352509";
    public const string GroupsAdministrator = "fdd7a751-b60b-444a-984c-02652fe8fa1c";
    public const string LicenseAdministrator = "4d6ac14f-3453-41d0-bef9-a3e0c569773a";
    public const string ReportsReader = "4a5d8f65-41da-4de4-8968-e035b65339cf";

    internal static IReadOnlyList<RoleDefinition> All { get; } =
    [
        Role(GlobalAdministrator, "Global Administrator", "Can manage all aspects of Microsoft Entra ID and Microsoft services that use Microsoft Entra identities.",
            "microsoft.directory/users/allProperties/allTasks", "microsoft.directory/groups/allProperties/allTasks", "microsoft.directory/roleAssignments/allProperties/allTasks"),
        Role(UserAdministrator, "User Administrator", "Can manage all aspects of users and groups, including resetting passwords for limited admins.",
            "microsoft.directory/users/allProperties/allTasks", "microsoft.directory/groups/allProperties/allTasks"),
        Role(PrivilegedRoleAdministrator, "Privileged Role Administrator", "Can manage role assignments in Microsoft Entra ID, and all aspects of Privileged Identity Management.",
            "microsoft.directory/roleAssignments/allProperties/allTasks", "microsoft.directory/roleDefinitions/allProperties/allTasks"),
        Role(SecurityAdministrator, "Security Administrator", "Can read security information and reports, and manage configuration in Microsoft Entra ID and Office 365.",
            "microsoft.directory/policies/standard/read", "microsoft.directory/conditionalAccessPolicies/allProperties/allTasks"),
        Role(GlobalReader, "Global Reader", "Can read everything that a Global Administrator can, but not update anything.",
            "microsoft.directory/users/allProperties/read", "microsoft.directory/groups/allProperties/read"),
        Role(HelpdeskAdministrator, "Helpdesk Administrator", "Can reset passwords for non-administrators and Helpdesk Administrators.",
            "microsoft.directory/users/password/update", "microsoft.directory/users/invalidateAllRefreshTokens"),
        Role(ExchangeAdministrator, "Exchange Administrator", "Can manage all aspects of the Exchange product.",
            "microsoft.office365.exchange/allEntities/basic/allTasks"),
        Role(ApplicationAdministrator, "Application Administrator", "Can create and manage all aspects of app registrations and enterprise apps.",
            "microsoft.directory/applications/allProperties/allTasks", "microsoft.directory/servicePrincipals/allProperties/allTasks"),
        Role(CloudApplicationAdministrator, "Cloud Application Administrator", "Can create and manage all aspects of app registrations and enterprise apps except App Proxy.",
            "microsoft.directory/applications/allProperties/allTasks"),
        Role(PrivilegedAuthenticationAdministrator, "Privileged Authentication Administrator", "Can access to view, set and reset authentication method information for any user (admin or non-admin).",
            "microsoft.directory/users/authenticationMethods/standard/update"),
        Role(AuthenticationAdministrator, "Authentication Administrator", "Can access to view, set and reset authentication method information for any non-admin user.",
            "microsoft.directory/users/authenticationMethods/standard/restrictedUpdate"),
        Role(ConditionalAccessAdministrator, "Conditional Access Administrator", "Can manage Conditional Access capabilities.",
            "microsoft.directory/conditionalAccessPolicies/allProperties/allTasks"),
        Role(SecurityReader, "Security Reader", "Can read security information and reports in Microsoft Entra ID and Office 365.",
            "microsoft.directory/auditLogs/allProperties/read"),
        Role(GroupsAdministrator, "Groups Administrator", "Members of this role can create/manage groups, create/manage groups settings like naming and expiration policies, and view groups activity and audit reports.",
            "microsoft.directory/groups/allProperties/allTasks"),
        Role(LicenseAdministrator, "License Administrator", "Can manage product licenses on users and groups.",
            "microsoft.directory/users/assignLicense", "microsoft.directory/groups/assignLicense"),
        Role(ReportsReader, "Reports Reader", "Can read sign-in and audit reports.",
            "microsoft.directory/auditLogs/allProperties/read", "microsoft.directory/signInReports/allProperties/read"),
    ];

    private static RoleDefinition Role(string templateId, string displayName, string description, params string[] actions) => new()
    {
        Id = templateId,
        DisplayName = displayName,
        Description = description,
        AllowedResourceActions = actions,
    };
}
