namespace IsmsOps.Sandbox.Directory;

/// <summary>
/// Microsoft Graph's own service principal as it appears in every tenant: its well-known appId and the ids of the
/// application permissions (app roles) and delegated scopes the sandbox's generated consents refer to.
/// </summary>
public static class MicrosoftGraphApplication
{
    public const string AppId = "00000003-0000-0000-c000-000000000000";

    /// <summary>Microsoft's own tenant, which owns every first-party application.</summary>
    public const string MicrosoftTenantId = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";

    internal static IReadOnlyList<AppRole> AppRoles { get; } =
    [
        Application("df021288-bdef-4463-88db-98f22de89214", "User.Read.All", "Read all users' full profiles"),
        Application("741f803b-c850-494e-b5df-cde7c675a1ca", "User.ReadWrite.All", "Read and write all users' full profiles"),
        Application("7ab1d382-f21e-4acd-a863-ba3e13f7da61", "Directory.Read.All", "Read directory data"),
        Application("19dbc75e-c2e2-444c-a770-ec69d8559fc7", "Directory.ReadWrite.All", "Read and write directory data"),
        Application("5b567255-7703-4780-807c-7be8301ae99b", "Group.Read.All", "Read all groups"),
        Application("62a82d76-70ea-41e2-9197-370581804d09", "Group.ReadWrite.All", "Read and write all groups"),
        Application("98830695-27a2-44f7-8c18-0c3ebc9698f6", "GroupMember.Read.All", "Read all group memberships"),
        Application("b0afded3-3588-46d8-8b3d-9842eff778da", "AuditLog.Read.All", "Read all audit log data"),
        Application("483bed4a-2ad3-4361-a73b-c83ccdbdc53c", "RoleManagement.Read.Directory", "Read all directory RBAC settings"),
        Application("9a5d68dd-52b0-4cc2-bd40-abcf44ac3a30", "Application.Read.All", "Read all applications"),
        Application("7438b122-aefc-4978-80ed-43db9fcc7715", "Device.Read.All", "Read all devices"),
        Application("810c84a8-4a9e-49e6-bf7d-12d183f40d01", "Mail.Read", "Read mail in all mailboxes"),
        Application("b633e1c5-b582-4048-a93e-9f11b44c7e96", "Mail.Send", "Send mail as any user"),
        Application("75359482-378d-4052-8f01-80520e7db3cd", "Files.ReadWrite.All", "Read and write files in all site collections"),
    ];

    internal static IReadOnlyList<PermissionScope> Scopes { get; } =
    [
        Delegated("37f7f235-527c-4136-accd-4a02d197296e", "openid", "User", "Sign users in"),
        Delegated("14dad69e-099b-42c9-810b-d002981feec1", "profile", "User", "View users' basic profile"),
        Delegated("64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0", "email", "User", "View users' email address"),
        Delegated("7427e0e9-2fba-42fe-b0c0-848c9e6a8182", "offline_access", "User", "Maintain access to data you have given it access to"),
        Delegated("e1fe6dd8-ba31-4d61-89e7-88639da4683d", "User.Read", "User", "Sign in and read user profile"),
        Delegated("570282fd-fa5d-430d-a7fd-fc8dc98a9dca", "Mail.Read", "User", "Read user mail"),
        Delegated("465a38f9-76ea-45b9-9f34-9e8b0d4b0b42", "Calendars.Read", "User", "Read user calendars"),
        Delegated("df85f4d6-205c-4ac5-a5ea-6bf408dba283", "Files.Read.All", "User", "Read all files that user can access"),
        Delegated("06da0dbc-49e2-44d2-8312-53f166ab848a", "Directory.Read.All", "Admin", "Read directory data"),
    ];

    private static AppRole Application(string id, string value, string displayName) =>
        new(new Guid(id), value, displayName, $"Allows the app to {char.ToLowerInvariant(displayName[0])}{displayName[1..]} without a signed-in user.", ["Application"]);

    private static PermissionScope Delegated(string id, string value, string type, string displayName) =>
        new(new Guid(id), value, type, displayName, $"Allows the app to {char.ToLowerInvariant(displayName[0])}{displayName[1..]} on behalf of the signed-in user.");
}
