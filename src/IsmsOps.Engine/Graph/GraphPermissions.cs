using System.Text;

namespace IsmsOps.Engine.Graph;

/// <summary>Each kind of call IsmsOps makes to Microsoft Graph; the unit a permission is granted for.</summary>
public enum GraphOperation
{
    ReadOrganization,
    ReadUsers,
    ReadSignInActivity,
    ReadGroups,
    ReadGroupMembers,
    ReadRoleAssignments,
    ReadRoleSchedules,
    ReadServicePrincipals,
    ReadAppRoleAssignments,
    ReadDelegatedGrants,
    ReadLicenses,
    ReadAuthenticationMethodsReport,
    ReadAuthenticationMethods,
    ReadDevices,
    DisableUser,
    RevokeSessions,
    RemoveGroupMember,
    RemoveGroupOwner,
    RemoveRoleAssignment,
    RemoveAppRoleAssignment,
    RemoveDelegatedGrant,
    RemoveLicense,
    RemoveAuthenticationMethod,
    DisableDevice,
    SetManager,
    CreateUser,
    SetUserAttributes,
    AddGroupMember,
    AssignLicense,
    AssignAppRole,
    IssueTemporaryAccessPass,
}

/// <summary>
/// What one <see cref="GraphOperation"/> needs: the least-privilege application permissions (all of them), the
/// delegated ones, a phrase for error messages ("list role assignments"), and the cmdlets that perform it.
/// </summary>
public sealed record GraphPermission(
    GraphOperation Operation,
    string Description,
    IReadOnlyList<string> ApplicationPermissions,
    IReadOnlyList<string> DelegatedPermissions,
    IReadOnlyList<string> Cmdlets,
    string? Note = null);

/// <summary>
/// The one catalog of Graph permissions. Error messages for a 403 and docs/graph-permissions.md both come from it, so
/// what the docs ask an administrator to grant is what the code needs.
/// </summary>
public static class GraphPermissions
{
    private const string Connect = "Connect-IsmsGraph";
    private const string Snapshot = "Export-IsmsDirectorySnapshot";
    private const string Access = "Get-IsmsAccess";
    private const string Offboard = "Start-IsmsOffboarding";
    private const string ResumeOffboard = "Resume-IsmsOffboarding";
    private const string Onboard = "Start-IsmsOnboarding";
    private const string Move = "Start-IsmsMove";
    private const string ExitReview = "Get-IsmsOrphanedAccount";
    private const string Lifecycle = "Invoke-IsmsLifecycle";
    private const string Review = "New-IsmsAccessReview";
    private const string CompleteReview = "Complete-IsmsAccessReview";
    private const string ReviewCycle = "Invoke-IsmsAccessReviewCycle";
    private const string Assess = "Invoke-IsmsAssessment";

    // New-IsmsAccessReview and Invoke-IsmsAssessment read what Export-IsmsDirectorySnapshot reads: live, they collect the
    // whole tenant first. So does the review cycle when it starts a recurring campaign's next period without a snapshot.
    private static readonly string[] Reads = [Snapshot, Access, Offboard, ResumeOffboard, Lifecycle, Review, ReviewCycle, Assess];
    private static readonly string[] Writes = [Offboard, ResumeOffboard, Lifecycle];

    /// <summary>Cmdlets named in the catalog that a later release adds; the docs mark them as planned.</summary>
    public static IReadOnlyList<string> PlannedCmdlets { get; } = [];

    /// <summary>Every operation, in <see cref="GraphOperation"/> order.</summary>
    public static IReadOnlyList<GraphPermission> All { get; } =
    [
        new(GraphOperation.ReadOrganization, "read the organization", ["Organization.Read.All"], ["User.Read"], [Connect, .. Reads],
            "Connect-IsmsGraph falls back to reading one user (User.Read.All) when the app cannot read the organization."),
        new(GraphOperation.ReadUsers, "list users", ["User.Read.All"], ["User.Read.All"], [.. Reads, Onboard, ExitReview],
            "Covers guests' sponsors too (users?$expand=sponsors, users/{id}/sponsors); a sponsor that is a group comes back with its id only, which is all IsmsOps reads."),
        new(GraphOperation.ReadSignInActivity, "read users' sign-in activity", ["User.Read.All", "AuditLog.Read.All"], ["User.Read.All", "AuditLog.Read.All"], Reads,
            "Needs Microsoft Entra ID P1; without it the snapshot records the evidence as missing instead of failing."),
        new(GraphOperation.ReadGroups, "list groups", ["GroupMember.Read.All"], ["GroupMember.Read.All"], [.. Reads, Onboard, Move]),
        new(GraphOperation.ReadGroupMembers, "list group members and owners", ["GroupMember.Read.All"], ["GroupMember.Read.All"], Reads),
        new(GraphOperation.ReadRoleAssignments, "list role assignments", ["RoleManagement.Read.Directory"], ["RoleManagement.Read.Directory"], Reads),
        new(GraphOperation.ReadRoleSchedules, "list PIM role schedules", ["RoleEligibilitySchedule.Read.Directory", "RoleAssignmentSchedule.Read.Directory"],
            ["RoleEligibilitySchedule.Read.Directory", "RoleAssignmentSchedule.Read.Directory"], Reads, "Needs Microsoft Entra ID P2 (PIM)."),
        new(GraphOperation.ReadServicePrincipals, "list service principals", ["Application.Read.All"], ["Application.Read.All"], [.. Reads, Onboard, Move]),
        new(GraphOperation.ReadAppRoleAssignments, "list app role assignments", ["Application.Read.All"], ["Application.Read.All"], [.. Reads, Move],
            "Read per service principal (appRoleAssignedTo), which needs fewer calls than per user; Start-IsmsMove reads one user's to find the assignment to remove."),
        new(GraphOperation.ReadDelegatedGrants, "list delegated permission grants", ["DelegatedPermissionGrant.Read.All"], ["DelegatedPermissionGrant.Read.All"], Reads),
        new(GraphOperation.ReadLicenses, "read license assignments", ["LicenseAssignment.Read.All"], ["LicenseAssignment.Read.All"], [.. Reads, Onboard, Move]),
        new(GraphOperation.ReadAuthenticationMethodsReport, "read the authentication methods registration report", ["AuditLog.Read.All"], ["AuditLog.Read.All"], Reads,
            "Delegated access also needs a reader role such as Reports Reader."),
        new(GraphOperation.ReadAuthenticationMethods, "read a user's authentication methods", ["UserAuthenticationMethod.Read.All"], ["UserAuthenticationMethod.Read.All"], [Offboard, ResumeOffboard, Lifecycle]),
        new(GraphOperation.ReadDevices, "list devices", ["Device.Read.All"], ["Device.Read.All"], Reads),
        new(GraphOperation.DisableUser, "disable a user", ["User.EnableDisableAccount.All"], ["User.EnableDisableAccount.All"], [.. Writes, CompleteReview, ReviewCycle],
            "Completing an access review disables the accounts of denied guests."),
        new(GraphOperation.RevokeSessions, "revoke a user's sign-in sessions", ["User.RevokeSessions.All"], ["User.RevokeSessions.All"], Writes),
        new(GraphOperation.RemoveGroupMember, "remove a group member", ["GroupMember.ReadWrite.All"], ["GroupMember.ReadWrite.All"], [.. Writes, Move, CompleteReview, ReviewCycle]),
        new(GraphOperation.RemoveGroupOwner, "remove a group owner", ["Group.ReadWrite.All"], ["Group.ReadWrite.All"], Writes),
        new(GraphOperation.RemoveRoleAssignment, "remove a directory role assignment", ["RoleManagement.ReadWrite.Directory"], ["RoleManagement.ReadWrite.Directory"], [.. Writes, CompleteReview, ReviewCycle]),
        new(GraphOperation.RemoveAppRoleAssignment, "remove an app role assignment", ["AppRoleAssignment.ReadWrite.All"], ["AppRoleAssignment.ReadWrite.All"], [.. Writes, Move, CompleteReview, ReviewCycle]),
        new(GraphOperation.RemoveDelegatedGrant, "remove a delegated permission grant", ["DelegatedPermissionGrant.ReadWrite.All"], ["DelegatedPermissionGrant.ReadWrite.All"], Writes),
        new(GraphOperation.RemoveLicense, "remove a license", ["LicenseAssignment.ReadWrite.All"], ["LicenseAssignment.ReadWrite.All"], [.. Writes, Move]),
        new(GraphOperation.RemoveAuthenticationMethod, "remove an authentication method", ["UserAuthenticationMethod.ReadWrite.All"], ["UserAuthenticationMethod.ReadWrite.All"], Writes,
            "Delegated access also needs the Privileged Authentication Administrator role for admins' methods."),
        new(GraphOperation.DisableDevice, "disable a device", ["Device.ReadWrite.All"], ["Device.ReadWrite.All"], Writes,
            "Delegated access also needs the Cloud Device Administrator role."),
        new(GraphOperation.SetManager, "change a user's manager", ["User.ReadWrite.All"], ["User.ReadWrite.All"], [.. Writes, Onboard]),
        new(GraphOperation.CreateUser, "create a user", ["User.ReadWrite.All"], ["User.ReadWrite.All"], [Onboard, Lifecycle],
            "Delegated access also needs the User Administrator role."),
        new(GraphOperation.SetUserAttributes, "set a user's employeeId and hire date", ["User.ReadWrite.All"], ["User.ReadWrite.All"], [Onboard, Lifecycle]),
        new(GraphOperation.AddGroupMember, "add a group member", ["GroupMember.ReadWrite.All"], ["GroupMember.ReadWrite.All"], [Onboard, Move, Lifecycle]),
        new(GraphOperation.AssignLicense, "assign a license", ["LicenseAssignment.ReadWrite.All"], ["LicenseAssignment.ReadWrite.All"], [Onboard, Move, Lifecycle]),
        new(GraphOperation.AssignAppRole, "assign an app role", ["AppRoleAssignment.ReadWrite.All"], ["AppRoleAssignment.ReadWrite.All"], [Onboard, Move, Lifecycle]),
        new(GraphOperation.IssueTemporaryAccessPass, "issue a Temporary Access Pass", ["UserAuthenticationMethod.ReadWrite.All"], ["UserAuthenticationMethod.ReadWrite.All"], [Onboard],
            "The Temporary Access Pass method must be enabled in the tenant's authentication methods policy."),
    ];

    /// <summary>The catalog entry for <paramref name="operation"/>.</summary>
    public static GraphPermission For(GraphOperation operation) => All[(int)operation];

    /// <summary>
    /// docs/graph-permissions.md, as generated from the catalog. A test compares the committed file with this, so
    /// regenerate the file (see the test's message) after changing the catalog.
    /// </summary>
    public static string ToMarkdown()
    {
        var text = new StringBuilder();
        text.Append("# Microsoft Graph permissions\n\n");
        text.Append("Generated from `GraphPermissions` in `src/IsmsOps.Engine/Graph/GraphPermissions.cs`; a test fails when this file and the\n");
        text.Append("catalog differ. Grant the application permissions (app-only sign-in: certificate, client secret, managed identity) or\n");
        text.Append("the delegated ones (device code), with admin consent, then run `Connect-IsmsGraph` again: a token carries the\n");
        text.Append("permissions it was issued with. A 403 from Graph names the permission from this table.\n\n");
        text.Append("Cmdlets marked *(planned)* come with later releases.\n\n");

        text.Append("## Per cmdlet\n\n| cmdlet | application permissions | delegated permissions |\n| --- | --- | --- |\n");
        text.Append("| New-IsmsPerson, Get-IsmsPerson, Set-IsmsPerson, Get-IsmsAuditEvent, Test-IsmsAuditTrail, Export-IsmsAuditTrail | none (IsmsOps store only) | none |\n");
        text.Append("| Get-IsmsGraphConnection, Disconnect-IsmsGraph, Start-IsmsSandbox, Stop-IsmsSandbox, Connect-IsmsStore, Get-IsmsStore, Copy-IsmsStore | none | none |\n");
        text.Append("| Test-IsmsControl; Invoke-IsmsAssessment with -SnapshotPath or an imported snapshot | none (files and the IsmsOps store only) | none |\n");
        foreach (string cmdlet in All.SelectMany(p => p.Cmdlets).Distinct())
        {
            GraphPermission[] uses = All.Where(p => p.Cmdlets.Contains(cmdlet)).ToArray();
            string application = string.Join(", ", uses.SelectMany(p => p.ApplicationPermissions).Distinct().Order(StringComparer.Ordinal));
            string delegated = string.Join(", ", uses.SelectMany(p => p.DelegatedPermissions).Distinct().Order(StringComparer.Ordinal));
            string name = PlannedCmdlets.Contains(cmdlet) ? cmdlet + " *(planned)*" : cmdlet;
            text.Append($"| {name} | {application} | {delegated} |\n");
        }

        text.Append("\n## Per operation\n\n| operation | what it does | application | delegated | used by | note |\n| --- | --- | --- | --- | --- | --- |\n");
        foreach (GraphPermission p in All)
        {
            text.Append($"| {p.Operation} | {p.Description} | {string.Join(", ", p.ApplicationPermissions)} | {string.Join(", ", p.DelegatedPermissions)} | {string.Join(", ", p.Cmdlets)} | {p.Note ?? ""} |\n");
        }

        return text.ToString();
    }
}
