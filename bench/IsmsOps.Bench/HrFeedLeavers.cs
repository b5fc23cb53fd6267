using System.Globalization;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Bench;

/// <summary>
/// The leavers of the HR-feed benchmark, built inside the sandbox process through the tenant's own methods, and the
/// sandbox's own count of what they still hold. Each leaver has a realistic handful: five team groups (out of a pool of
/// twenty that every batch of leavers shares, so groups gain members as a real tenant's do), an app role, a direct
/// licence, a phone and an authenticator app (the default method) besides the password, and a manager; one in ten
/// also holds a directory role.
/// </summary>
internal static class HrFeedLeavers
{
    private const int TeamGroups = 20;
    private const int GroupsEach = 5;

    /// <summary>Adds <paramref name="count"/> fresh leavers to <paramref name="tenant"/>; returns their object ids and UPNs.</summary>
    public static List<string[]> Create(Tenant tenant, int count)
    {
        lock (tenant.SyncRoot)
        {
            List<DirectoryGroup> teams = Teams(tenant);
            DirectoryUser manager = tenant.Users.First(u => u.UserType == "Member" && u.AccountEnabled);
            ServicePrincipal[] applications = tenant.ServicePrincipals.Where(p => p.AppRoles.Any(r => r.AllowedMemberTypes.Contains("User"))).Take(5).ToArray();
            var created = new List<string[]>(count);
            for (int i = 0; i < count; i++)
            {
                int n = tenant.Users.Count;
                var user = new DirectoryUser(tenant.NewId(), string.Create(CultureInfo.InvariantCulture, $"hr.leaver.{n}@{tenant.DefaultDomain}"))
                {
                    DisplayName = string.Create(CultureInfo.InvariantCulture, $"HR Leaver {n}"),
                    MailNickname = string.Create(CultureInfo.InvariantCulture, $"hr.leaver.{n}"),
                    UserType = "Member",
                    UsageLocation = "GB",
                    CreatedDateTime = SandboxOrganisation.Now.AddYears(-1),
                };
                tenant.Add(user);
                user.SetManager(manager);
                for (int g = 0; g < GroupsEach; g++)
                {
                    teams[(n + g) % TeamGroups].AddMember(user);
                }

                ServicePrincipal application = applications[n % applications.Length];
                tenant.Add(new AppRoleAssignment
                {
                    Id = tenant.NewOpaqueId(),
                    AppRoleId = application.AppRoles.First(r => r.AllowedMemberTypes.Contains("User")).Id,
                    Principal = user,
                    Resource = application,
                    CreatedDateTime = user.CreatedDateTime,
                });
                user.AddDirectLicense(new AssignedLicense(LicenceCatalogue.Office365E3, [], user.CreatedDateTime));
                user.AddMethod(new PasswordMethod(PasswordMethod.WellKnownId) { CreatedDateTime = user.CreatedDateTime });
                user.AddMethod(new PhoneMethod(PhoneMethod.MobileId) { PhoneNumber = "+44 7700 900456", PhoneType = "mobile" });
                var authenticator = new MicrosoftAuthenticatorMethod(tenant.NewId()) { DisplayName = "Phone" };
                user.AddMethod(authenticator);
                user.DefaultMfaMethod = authenticator;
                if (n % 10 == 0)
                {
                    RoleDefinition role = tenant.RoleDefinitions[n / 10 % 3];
                    tenant.Add(new RoleAssignment
                    {
                        Id = tenant.NewOpaqueId(), Principal = user, Role = role, StartDateTime = user.CreatedDateTime, CreatedDateTime = user.CreatedDateTime,
                    });
                }

                created.Add([user.Id, user.UserPrincipalName]);
            }

            return created;
        }
    }

    /// <summary>
    /// How many of the accounts <paramref name="ids"/> still hold anything Graph can remove (an enabled account,
    /// unrevoked sessions, a membership, ownership, role, app role, consent, direct licence or method besides the
    /// password), and how many such accesses there are in all.
    /// </summary>
    public static (int Leavers, int Accesses) RemovableLeft(Tenant tenant, IEnumerable<string> ids)
    {
        lock (tenant.SyncRoot)
        {
            int leavers = 0, accesses = 0;
            foreach (string id in ids)
            {
                DirectoryUser user = tenant.FindUser(id) ?? throw new InvalidOperationException($"The sandbox has no user {id}.");
                int held = (user.AccountEnabled ? 1 : 0) + (user.SignInSessionsValidFromDateTime is null ? 1 : 0)
                    + user.MemberOf.Count + user.OwnedGroups.Count
                    + tenant.RoleAssignments.Count(a => a.Principal == user) + tenant.RoleEligibilities.Count(e => e.Principal == user)
                    + tenant.AppRoleAssignmentsOf(user).Count
                    + tenant.OAuth2PermissionGrants.Count(g => string.Equals(g.PrincipalId, user.Id, StringComparison.OrdinalIgnoreCase))
                    + user.DirectLicenses.Count + user.AuthenticationMethods.Count(m => m is not PasswordMethod);
                leavers += held > 0 ? 1 : 0;
                accesses += held;
            }

            return (leavers, accesses);
        }
    }

    private static List<DirectoryGroup> Teams(Tenant tenant)
    {
        var teams = tenant.Groups.Where(g => g.DisplayName.StartsWith("HR feed team ", StringComparison.Ordinal)).ToList();
        for (int i = teams.Count; i < TeamGroups; i++)
        {
            var group = new DirectoryGroup(tenant.NewId())
            {
                DisplayName = string.Create(CultureInfo.InvariantCulture, $"HR feed team {i:00}"),
                MailNickname = string.Create(CultureInfo.InvariantCulture, $"hrfeedteam{i:00}"),
                MailEnabled = false,
                SecurityEnabled = true,
                GroupTypes = [],
                CreatedDateTime = SandboxOrganisation.Now.AddYears(-2),
            };
            tenant.Add(group);
            teams.Add(group);
        }

        return teams;
    }
}
