using IsmsOps.Engine.Snapshots;

namespace IsmsOps.Bench;

/// <summary>
/// A tenant-sized snapshot made up in memory, shaped like a real one: GUID ids, departments, managers, licences (some
/// group-based), nested groups, MFA registrations, one device per user, app roles and consents. Seeded, so every run
/// builds the same snapshot and the same file.
/// </summary>
internal static class SyntheticTenant
{
    private static readonly string[] Departments =
        ["Engineering", "Sales", "Finance", "Marketing", "Operations", "Legal", "Human Resources", "Support", "Research", "Facilities"];

    /// <param name="users">Users in the tenant.</param>
    /// <param name="groups">Groups in the tenant.</param>
    /// <param name="memberships">Group memberships, spread over the groups at random.</param>
    /// <param name="seed">The random seed; the same seed builds the same snapshot.</param>
    /// <param name="guestEvery">Every this many users is a guest (no employee id); 0 for a tenant of members only.</param>
    /// <param name="groupsPerUser">
    /// When set, <paramref name="memberships"/> is ignored: every user is a direct member of exactly this many distinct
    /// groups, and no group holds another, so a review of every group has exactly users × groupsPerUser items.
    /// </param>
    public static DirectorySnapshot Build(int users, int groups, int memberships, int seed = 42, int guestEvery = 20, int? groupsPerUser = null)
    {
        var random = new Random(seed);
        string Id() => new Guid(Bytes(random)).ToString();
        var at = new DateTimeOffset(2026, 11, 23, 20, 0, 0, TimeSpan.Zero);
        string[] skus = Enumerable.Range(0, 20).Select(_ => Id()).ToArray();
        string[] groupIds = Enumerable.Range(0, groups).Select(_ => Id()).ToArray();
        string[] userIds = Enumerable.Range(0, users).Select(_ => Id()).ToArray();

        var userList = new SnapshotUser[users];
        for (int i = 0; i < users; i++)
        {
            bool guest = guestEvery > 0 && i % guestEvery == 0;
            userList[i] = new SnapshotUser
            {
                Id = userIds[i],
                UserPrincipalName = guest ? $"guest{i}_partner.example#EXT#@contoso.onmicrosoft.com" : $"user{i}@contoso.com",
                DisplayName = i % 97 == 0 ? $"Zoë O'Connor-Łukasiewicz {i}" : $"User {i}",
                Mail = $"user{i}@contoso.com",
                AccountEnabled = i % 50 != 0,
                UserType = guest ? "Guest" : "Member",
                EmployeeId = guest ? null : $"E{i:D6}",
                EmployeeHireDate = at.AddDays(-random.Next(30, 4000)),
                Department = Departments[i % Departments.Length],
                JobTitle = "Specialist",
                ManagerId = i > 10 ? userIds[random.Next(0, i / 10 + 1)] : null,
                OnPremisesSyncEnabled = i % 3 == 0,
                CreatedDateTime = at.AddDays(-random.Next(30, 4000)),
                SignInActivity = new SnapshotSignInActivity { LastSignInDateTime = at.AddDays(-random.Next(0, 400)), LastNonInteractiveSignInDateTime = at.AddHours(-random.Next(0, 2000)) },
                Licenses = guest ? [] : [new SnapshotLicenseAssignment { SkuId = skus[0], AssignedByGroupId = groupIds[0], State = "Active" }, new SnapshotLicenseAssignment { SkuId = skus[1 + i % 19], State = "Active" }],
            };
        }

        // Memberships spread over the groups; one group in ten also holds one to three other groups (nesting, and now and then a cycle).
        var members = new List<DirectoryObjectRef>[groups];
        for (int g = 0; g < groups; g++)
        {
            members[g] = [];
        }

        if (groupsPerUser is int each)
        {
            var chosen = new HashSet<int>();
            for (int u = 0; u < users; u++)
            {
                chosen.Clear();
                while (chosen.Count < each)
                {
                    chosen.Add(random.Next(groups));
                }

                foreach (int g in chosen)
                {
                    members[g].Add(new DirectoryObjectRef(userIds[u], DirectoryObjectKind.User));
                }
            }
        }

        for (int m = 0; groupsPerUser is null && m < memberships; m++)
        {
            members[random.Next(groups)].Add(new DirectoryObjectRef(userIds[random.Next(users)], DirectoryObjectKind.User));
        }

        for (int g = 0; groupsPerUser is null && g < groups; g += 10)
        {
            for (int n = random.Next(1, 4); n > 0; n--)
            {
                members[g].Add(new DirectoryObjectRef(groupIds[random.Next(groups)], DirectoryObjectKind.Group));
            }
        }

        var groupList = new SnapshotGroup[groups];
        for (int g = 0; g < groups; g++)
        {
            groupList[g] = new SnapshotGroup
            {
                Id = groupIds[g],
                DisplayName = $"{Departments[g % Departments.Length]} group {g}",
                SecurityEnabled = g % 7 != 0,
                MailEnabled = g % 7 == 0 || g % 5 == 0,
                GroupTypes = g % 5 == 0 ? ["Unified"] : g % 11 == 0 ? ["DynamicMembership"] : [],
                MembershipRule = g % 11 == 0 && g % 5 != 0 ? $"user.department -eq \"{Departments[g % Departments.Length]}\"" : null,
                OnPremisesSyncEnabled = g % 4 == 0,
                IsAssignableToRole = g < 20,
                CreatedDateTime = at.AddDays(-g),
                Members = members[g],
                Owners = [new DirectoryObjectRef(userIds[random.Next(users)], DirectoryObjectKind.User)],
            };
        }

        string[] roleIds = Enumerable.Range(0, 60).Select(_ => Id()).ToArray();
        var servicePrincipals = Enumerable.Range(0, 300).Select(s => new SnapshotServicePrincipal
        {
            Id = Id(),
            AppId = Id(),
            DisplayName = $"App {s}",
            ServicePrincipalType = "Application",
            AppRoles = [new SnapshotAppRole { Id = Id(), Value = "User", DisplayName = "User" }, new SnapshotAppRole { Id = Id(), Value = "Admin", DisplayName = "Administrator" }],
        }).ToArray();

        return new DirectorySnapshot
        {
            Tenant = new SnapshotTenant { TenantId = Id(), DisplayName = "Contoso", VerifiedDomains = ["contoso.com"] },
            CollectedAt = at,
            CompletedAt = at.AddMinutes(1),
            Source = "http://127.0.0.1/v1.0",
            CollectorVersion = "bench",
            Users = userList,
            Groups = groupList,
            RoleDefinitions = roleIds.Select((id, r) => new SnapshotRoleDefinition { Id = id, DisplayName = $"Role {r}", TemplateId = id, IsBuiltIn = true }).ToArray(),
            RoleAssignments = Enumerable.Range(0, 400).Select(r => new SnapshotRoleAssignment
            {
                Id = Id(),
                PrincipalId = r < 40 ? groupIds[r % 20] : userIds[random.Next(users)],
                RoleDefinitionId = roleIds[r % roleIds.Length],
                State = r % 3 == 0 ? RoleAssignmentState.Eligible : RoleAssignmentState.Active,
                FromSchedule = r % 2 == 0,
                StartDateTime = at.AddDays(-r),
                EndDateTime = r % 5 == 0 ? at.AddDays(r) : null,
            }).ToArray(),
            ServicePrincipals = servicePrincipals,
            AppRoleAssignments = Enumerable.Range(0, 20_000).Select(a => new SnapshotAppRoleAssignment
            {
                Id = Id(),
                PrincipalId = a % 10 == 0 ? groupIds[random.Next(groups)] : userIds[random.Next(users)],
                PrincipalKind = a % 10 == 0 ? DirectoryObjectKind.Group : DirectoryObjectKind.User,
                ResourceId = servicePrincipals[a % servicePrincipals.Length].Id,
                AppRoleId = servicePrincipals[a % servicePrincipals.Length].AppRoles[a % 2].Id,
                CreatedDateTime = at.AddDays(-(a % 900)),
            }).ToArray(),
            DelegatedGrants = Enumerable.Range(0, 5_000).Select(d => new SnapshotDelegatedGrant
            {
                Id = Id(),
                ClientId = servicePrincipals[d % servicePrincipals.Length].Id,
                ConsentType = d % 100 == 0 ? "AllPrincipals" : "Principal",
                PrincipalId = d % 100 == 0 ? null : userIds[random.Next(users)],
                ResourceId = servicePrincipals[0].Id,
                Scope = "User.Read Mail.Read",
            }).ToArray(),
            Skus = skus.Select((id, s) => new SnapshotSku { SkuId = id, SkuPartNumber = $"SKU_{s}" }).ToArray(),
            AuthenticationRegistrations = userIds.Select((id, i) => new SnapshotAuthenticationRegistration
            {
                UserId = id,
                IsMfaRegistered = i % 10 != 0,
                IsMfaCapable = i % 10 != 0,
                MethodsRegistered = i % 10 == 0 ? [] : ["microsoftAuthenticatorPush", "mobilePhone"],
                DefaultMfaMethod = i % 10 == 0 ? null : "microsoftAuthenticatorPush",
                LastUpdatedDateTime = at.AddDays(-(i % 365)),
            }).ToArray(),
            Devices = userIds.Select((id, i) => new SnapshotDevice
            {
                Id = Id(),
                DeviceId = Id(),
                DisplayName = $"PC-{i:D6}",
                AccountEnabled = true,
                OperatingSystem = i % 4 == 0 ? "MacMDM" : "Windows",
                TrustType = "AzureAd",
                ApproximateLastSignInDateTime = at.AddDays(-(i % 60)),
                RegisteredOwnerIds = [id],
                RegisteredUserIds = [id],
            }).ToArray(),
        };
    }

    private static byte[] Bytes(Random random)
    {
        byte[] bytes = new byte[16];
        random.NextBytes(bytes);
        return bytes;
    }
}
