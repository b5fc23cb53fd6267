using System.Security.Cryptography;
using System.Text;

namespace IsmsOps.Sandbox.Directory;

public static partial class SandboxOrganisation
{
    /// <summary>
    /// The groups the shipped role catalog (policies/roles/*.yaml) grants as birthright access, so onboarding anyone
    /// into any shipped role runs end to end against the sandbox. A group the catalog names by object id gets that id;
    /// the others get ids derived from their names. They count towards the tenant's one group per twenty users (the
    /// project groups fill up to that), so the tenant's group count stays in proportion to its users.
    /// </summary>
    internal static readonly (string Name, string? ObjectId)[] CatalogGroups =
    [
        ("Engineering", null),
        ("Source Code Readers", null),
        ("Engineering Managers", null),
        ("Radio Lab", null),
        ("Finance", null),
        ("Finance System Admins", "7d2a9c41-0b6e-4f3a-8e15-2c9b7a4d6e01"),
        ("Payroll Approvers", null),
        ("Payments Release", null),
        ("Contractors", null),
        ("Information Security", null),
        ("Security Leadership", null),
    ];

    /// <summary>The Issue Tracker application the engineering roles name, with the app id policies/roles/engineering.yaml uses.</summary>
    internal const string IssueTrackerAppId = "3f0c2b7e-5a41-4d8e-9c3a-1b2d4e6f8a90";

    /// <summary>The applications the shipped roles assign app roles of: name, app id as the role files give it, and role values.</summary>
    internal static readonly (string Name, string AppId, (string Value, string DisplayName, string Description)[] Roles)[] CatalogApplications =
    [
        ("Issue Tracker", IssueTrackerAppId, [("Developer", "Developer", "Works on issues."), ("ProjectAdmin", "Project admin", "Administers projects.")]),
        ("Finance System", "9b4e1f27-6c3d-4a85-b0e2-5d7f8a1c3e46", [("Administrator", "Administrator", "Administers the ledger."), ("User", "User", "Posts and reads journals.")]),
        ("Payroll", "c1e8a3d5-2f47-4b96-8a0c-6e3d9f2b7a18", [("Approver", "Approver", "Approves payroll runs."), ("Preparer", "Preparer", "Prepares payroll runs.")]),
        ("Banking Portal", "5a7d2e9c-8b13-4f60-a4c2-0e1b3d5f7a92", [("Releaser", "Releaser", "Releases approved payment batches."), ("Viewer", "Viewer", "Reads statements.")]),
    ];

    // Ids come from the names rather than the seed sequence, so adding these objects leaves every other generated id
    // (and every test that relies on them) as it was.
    private static void GenerateRoleCatalogObjects(Tenant tenant)
    {
        // Every group has an owner, as a governed tenant's would: the first engineering manager, else the first member user.
        DirectoryUser owner = tenant.Users.FirstOrDefault(u => u.UserType == "Member" && u.JobTitle == "Engineering Manager")
            ?? tenant.Users.First(u => u.UserType == "Member");
        foreach ((string name, string? objectId) in CatalogGroups)
        {
            var group = new DirectoryGroup(objectId ?? NameId("group", name))
            {
                DisplayName = name,
                Description = $"Birthright group of the role catalog: {name}.",
                MailNickname = new string(name.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray()),
                SecurityEnabled = true,
                CreatedDateTime = Now.AddYears(-2),
            };
            tenant.Add(group);
            group.AddOwner(owner);
        }

        foreach ((string name, string appId, (string Value, string DisplayName, string Description)[] roles) in CatalogApplications)
        {
            tenant.Add(new ServicePrincipal(NameId("servicePrincipal", name))
            {
                AppId = appId,
                DisplayName = name,
                AppOwnerOrganizationId = tenant.Id,
                Tags = ["WindowsAzureActiveDirectoryIntegratedApp"],
                AppRoleAssignmentRequired = true,
                // The Issue Tracker's role ids were derived from the value alone before the other applications came;
                // they keep those ids, and the others are qualified by application so two "Administrator"s differ.
                AppRoles = roles.Select(r => new AppRole(Guid.Parse(NameId("appRole", name == "Issue Tracker" ? r.Value : name + "/" + r.Value)),
                    r.Value, r.DisplayName, r.Description, ["User"])).ToArray(),
            });
        }
    }

    private static string NameId(string kind, string name) =>
        new Guid(SHA256.HashData(Encoding.UTF8.GetBytes("ismssandbox/" + kind + "/" + name)).AsSpan(0, 16)).ToString();
}
