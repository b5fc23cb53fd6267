using System.Security.Cryptography;
using System.Text;

namespace IsmsOps.Sandbox.Directory;

public static partial class SandboxOrganisation
{
    /// <summary>
    /// The groups the shipped engineering roles (policies/roles/engineering.yaml) grant as birthright access, so
    /// onboarding a software engineer runs end to end against the sandbox. Only these three, so the tenant's group
    /// count stays in proportion to its users.
    /// </summary>
    internal static readonly string[] CatalogGroups = ["Engineering", "Source Code Readers", "Engineering Managers"];

    /// <summary>The Issue Tracker application the engineering roles name, with the app id policies/roles/engineering.yaml uses.</summary>
    internal const string IssueTrackerAppId = "3f0c2b7e-5a41-4d8e-9c3a-1b2d4e6f8a90";

    // Ids come from the names rather than the seed sequence, so adding these objects leaves every other generated id
    // (and every test that relies on them) as it was.
    private static void GenerateRoleCatalogObjects(Tenant tenant)
    {
        // Every group has an owner, as a governed tenant's would: the first engineering manager, else the first member user.
        DirectoryUser owner = tenant.Users.FirstOrDefault(u => u.UserType == "Member" && u.JobTitle == "Engineering Manager")
            ?? tenant.Users.First(u => u.UserType == "Member");
        foreach (string name in CatalogGroups)
        {
            var group = new DirectoryGroup(NameId("group", name))
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

        tenant.Add(new ServicePrincipal(NameId("servicePrincipal", "Issue Tracker"))
        {
            AppId = IssueTrackerAppId,
            DisplayName = "Issue Tracker",
            AppOwnerOrganizationId = tenant.Id,
            Tags = ["WindowsAzureActiveDirectoryIntegratedApp"],
            AppRoleAssignmentRequired = true,
            AppRoles =
            [
                new AppRole(Guid.Parse(NameId("appRole", "Developer")), "Developer", "Developer", "Works on issues.", ["User"]),
                new AppRole(Guid.Parse(NameId("appRole", "ProjectAdmin")), "ProjectAdmin", "Project admin", "Administers projects.", ["User"]),
            ],
        });
    }

    private static string NameId(string kind, string name) =>
        new Guid(SHA256.HashData(Encoding.UTF8.GetBytes("ismssandbox/" + kind + "/" + name)).AsSpan(0, 16)).ToString();
}
