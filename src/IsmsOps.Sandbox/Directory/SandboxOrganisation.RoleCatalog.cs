using System.Security.Cryptography;
using System.Text;

namespace IsmsOps.Sandbox.Directory;

public static partial class SandboxOrganisation
{
    /// <summary>The groups the shipped role catalog (policies/roles) grants as birthright access, so onboarding can run against the sandbox.</summary>
    internal static readonly string[] CatalogGroups =
        ["Engineering", "Source Code Readers", "Engineering Managers", "Contractors", "Finance", "Payroll Approvers", "Payments Release"];

    /// <summary>The Issue Tracker application the engineering roles name, with the app id policies/roles/engineering.yaml uses.</summary>
    internal const string IssueTrackerAppId = "3f0c2b7e-5a41-4d8e-9c3a-1b2d4e6f8a90";

    // Ids come from the names rather than the seed sequence, so adding these objects leaves every other generated id
    // (and every test that relies on them) as it was.
    private static void GenerateRoleCatalogObjects(Tenant tenant)
    {
        foreach (string name in CatalogGroups)
        {
            tenant.Add(new DirectoryGroup(NameId("group", name))
            {
                DisplayName = name,
                Description = $"Birthright group of the role catalog: {name}.",
                MailNickname = new string(name.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray()),
                SecurityEnabled = true,
                CreatedDateTime = Now.AddYears(-2),
            });
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
