namespace IsmsOps.Sandbox.Directory;

/// <summary>Licences, directory roles and applications: who may do what in the generated tenant.</summary>
public static partial class SandboxOrganisation
{
    private static readonly string[] SaasNames =
    [
        "Salesforce", "ServiceNow", "Workday", "Zoom", "Slack", "GitHub Enterprise Cloud", "Atlassian Cloud", "AWS IAM Identity Center",
        "Dropbox Business", "DocuSign", "Box", "Miro", "Adobe Creative Cloud", "Tableau Cloud", "SAP Concur", "Okta Workflows Bridge",
        "Zendesk", "HubSpot", "Figma", "Notion",
    ];

    private static readonly string[] SaasRoleNames = ["User", "Administrator", "Read Only"];

    private static void GenerateLicences(Tenant tenant, SeedSequence random)
    {
        foreach (SubscribedSku sku in LicenceCatalogue.For(tenant.Users.Count))
        {
            tenant.Add(sku);
        }

        foreach (DirectoryUser user in tenant.Users.Where(u => u.UserType == "Member"))
        {
            DateTimeOffset assigned = user.CreatedDateTime.AddDays(random.Next(1, 5));
            bool inheritsE5 = user.MemberOf.Any(g => g.AssignedLicenses.Count > 0 && g.AssignedLicenses[0].SkuId == LicenceCatalogue.Microsoft365E5);
            if (!inheritsE5 && random.Chance(0.85))
            {
                // A tenth have Teams switched off in their E3, so disabledPlans is not always empty.
                IReadOnlyList<Guid> disabled = random.Chance(0.1) ? [LicenceCatalogue.TeamsPlanId] : [];
                user.AddDirectLicense(new AssignedLicense(LicenceCatalogue.Office365E3, disabled, assigned));
            }
            else if (inheritsE5 && random.Chance(0.05))
            {
                // Left over from before group-based licensing: the same SKU directly and through a group.
                user.AddDirectLicense(new AssignedLicense(LicenceCatalogue.Microsoft365E5, [], assigned));
            }

            if (random.Chance(0.1))
            {
                user.AddDirectLicense(new AssignedLicense(LicenceCatalogue.EntraIdP1, [], assigned));
            }
        }
    }

    private static void GenerateRoles(Tenant tenant, Dictionary<string, List<DirectoryUser>> byDepartment, SeedSequence random)
    {
        foreach (RoleDefinition role in BuiltInRoles.All)
        {
            tenant.Add(role);
        }

        tenant.Add(new RoleDefinition
        {
            Id = random.NextGuid().ToString(),
            DisplayName = "ISMS Evidence Reader",
            Description = "Custom role: reads the directory evidence the ISMS collects.",
            IsBuiltIn = false,
            AllowedResourceActions = ["microsoft.directory/users/standard/read", "microsoft.directory/groups/standard/read"],
        });

        RoleDefinition Role(string id) => tenant.FindRoleDefinition(id)!;
        DirectoryUser chief = tenant.Users.First(u => u.UserType == "Member");
        var operators = byDepartment["IT Operations"].Concat(byDepartment["Information Security"]).Where(u => u.AccountEnabled).ToList();
        var serviceDesk = byDepartment["IT Operations"].Where(u => u.JobTitle == "Service Desk Analyst").ToList();

        void Assign(DirectoryObject principal, string roleId, DateTimeOffset? end = null, string type = "Assigned")
        {
            DateTimeOffset start = type == "Activated" ? Now.AddHours(-random.Next(1, 6)) : Now.AddDays(-random.Next(10, 900));
            tenant.Add(new RoleAssignment
            {
                Id = OpaqueId(random),
                Principal = principal,
                Role = Role(roleId),
                StartDateTime = start,
                EndDateTime = end,
                AssignmentType = type,
                CreatedDateTime = start,
            });
        }

        Assign(chief, BuiltInRoles.GlobalAdministrator);
        foreach (DirectoryGroup group in tenant.Groups.Where(g => g.IsAssignableToRole == true))
        {
            string roleId = group.DisplayName switch
            {
                var n when n.Contains("Global", StringComparison.Ordinal) => BuiltInRoles.GlobalAdministrator,
                var n when n.Contains("Security", StringComparison.Ordinal) => BuiltInRoles.SecurityAdministrator,
                _ => BuiltInRoles.UserAdministrator,
            };
            Assign(group, roleId);
        }

        if (operators.Count > 0)
        {
            Assign(operators[0], BuiltInRoles.GlobalAdministrator);
            Assign(random.Pick(operators), BuiltInRoles.GlobalAdministrator, end: Now.AddDays(30));
            Assign(random.Pick(operators), BuiltInRoles.ExchangeAdministrator);
            Assign(random.Pick(operators), BuiltInRoles.ApplicationAdministrator, end: Now.AddDays(7));
            Assign(random.Pick(operators), BuiltInRoles.PrivilegedRoleAdministrator, end: Now.AddHours(random.Next(2, 8)), type: "Activated");
            Assign(random.Pick(operators), BuiltInRoles.SecurityAdministrator, end: Now.AddHours(random.Next(2, 8)), type: "Activated");
        }

        foreach (DirectoryUser analyst in serviceDesk.Take(Math.Max(3, tenant.Users.Count / 2_000)))
        {
            Assign(analyst, BuiltInRoles.HelpdeskAdministrator);
        }

        // Findings an access review should raise: an auditor's guest account reading everything, and a leaver still
        // holding an administrator role.
        if (tenant.Users.FirstOrDefault(u => u.UserType == "Guest") is { } auditor)
        {
            Assign(auditor, BuiltInRoles.GlobalReader, end: Now.AddDays(90));
        }

        if (tenant.Users.FirstOrDefault(u => !u.AccountEnabled && u.UserType == "Member") is { } leaver)
        {
            Assign(leaver, BuiltInRoles.UserAdministrator);
        }

        string[] spreadRoles = [BuiltInRoles.UserAdministrator, BuiltInRoles.GroupsAdministrator, BuiltInRoles.SecurityReader,
            BuiltInRoles.ReportsReader, BuiltInRoles.AuthenticationAdministrator, BuiltInRoles.LicenseAdministrator];
        var members = tenant.Users.Where(u => u.UserType == "Member").ToList();
        for (int i = 0; i < tenant.Users.Count / 1_000; i++)
        {
            Assign(random.Pick(members), random.Pick(spreadRoles), end: random.Chance(0.3) ? Now.AddDays(random.Next(1, 180)) : null);
        }

        string[] eligibleRoles = [BuiltInRoles.GlobalAdministrator, BuiltInRoles.PrivilegedRoleAdministrator, BuiltInRoles.SecurityAdministrator,
            BuiltInRoles.UserAdministrator, BuiltInRoles.ApplicationAdministrator, BuiltInRoles.PrivilegedAuthenticationAdministrator];
        foreach (DirectoryUser user in operators.Take(Math.Max(5, tenant.Users.Count / 500)))
        {
            DateTimeOffset start = Now.AddDays(-random.Next(10, 400));
            tenant.Add(new RoleEligibility
            {
                Id = OpaqueId(random),
                Principal = user,
                Role = Role(random.Pick(eligibleRoles)),
                StartDateTime = start,
                EndDateTime = random.Chance(0.5) ? Now.AddDays(random.Next(14, 365)) : null,
                CreatedDateTime = start,
            });
        }
    }

    private static void GenerateApplications(Tenant tenant, SeedSequence random)
    {
        var graph = new ServicePrincipal(random.NextGuid().ToString())
        {
            AppId = MicrosoftGraphApplication.AppId,
            DisplayName = "Microsoft Graph",
            AppOwnerOrganizationId = MicrosoftGraphApplication.MicrosoftTenantId,
            AppRoles = MicrosoftGraphApplication.AppRoles,
            OAuth2PermissionScopes = MicrosoftGraphApplication.Scopes,
        };
        tenant.Add(graph);
        tenant.Add(FirstParty(random, "00000002-0000-0ff1-ce00-000000000000", "Office 365 Exchange Online"));
        tenant.Add(FirstParty(random, "00000003-0000-0ff1-ce00-000000000000", "Office 365 SharePoint Online"));

        var saas = new List<ServicePrincipal>();
        foreach (string name in SaasNames)
        {
            bool hasRoles = random.Chance(0.6);
            var app = new ServicePrincipal(random.NextGuid().ToString())
            {
                AppId = random.NextGuid().ToString(),
                DisplayName = name,
                AppOwnerOrganizationId = random.NextGuid().ToString(),
                Tags = ["WindowsAzureActiveDirectoryIntegratedApp"],
                AppRoleAssignmentRequired = hasRoles,
                // One vendor's application was switched off after an incident but never removed.
                AccountEnabled = name != "Okta Workflows Bridge",
                AppRoles = hasRoles
                    ? SaasRoleNames.Select(role => new AppRole(random.NextGuid(), role.Replace(" ", "", StringComparison.Ordinal),
                        role, $"{role} access to {name}.", ["User"])).ToList()
                    : [],
            };
            tenant.Add(app);
            saas.Add(app);
        }

        // Daemons holding Graph application permissions: the consents a permissions review is really about.
        (string Name, string Type, string[] Permissions)[] daemons =
        [
            ("HR Sync Connector", "Application", ["User.ReadWrite.All"]),
            ("Backup Service", "Application", ["Files.ReadWrite.All", "Mail.Read"]),
            ("Reporting Dashboard", "Application", ["Directory.Read.All", "AuditLog.Read.All"]),
            ("Legacy Mail Relay", "Application", ["Mail.Send"]),
            ("mi-automation-prod", "ManagedIdentity", ["Group.Read.All", "User.Read.All"]),
        ];
        foreach (var (name, type, permissions) in daemons)
        {
            var daemon = new ServicePrincipal(random.NextGuid().ToString())
            {
                AppId = random.NextGuid().ToString(),
                DisplayName = name,
                ServicePrincipalType = type,
                AppOwnerOrganizationId = type == "Application" ? tenant.Id : null,
            };
            tenant.Add(daemon);
            foreach (string permission in permissions)
            {
                AssignAppRole(tenant, random, daemon, graph, graph.AppRoles.First(r => r.Value == permission).Id);
            }
        }

        var members = tenant.Users.Where(u => u.UserType == "Member").ToList();
        foreach (DirectoryUser user in tenant.Users)
        {
            if (random.Chance(0.3))
            {
                ServicePrincipal app = random.Pick(saas);
                AssignAppRole(tenant, random, user, app, app.AppRoles.Count == 0 ? AppRoleAssignment.DefaultAccessRoleId : random.Pick(app.AppRoles).Id);
            }
        }

        foreach (DirectoryGroup group in tenant.Groups.Where(g => g.DisplayName.StartsWith("Dept - ", StringComparison.Ordinal)))
        {
            ServicePrincipal app = random.Pick(saas);
            AssignAppRole(tenant, random, group, app, app.AppRoles.Count == 0 ? AppRoleAssignment.DefaultAccessRoleId : app.AppRoles[0].Id);
        }

        // Tenant-wide consent for a few apps' sign-in scopes, and individual users consenting to mail and files.
        foreach (ServicePrincipal app in saas.Take(5))
        {
            tenant.Add(new OAuth2PermissionGrant
            {
                Id = OpaqueId(random),
                ClientId = app.Id,
                ConsentType = "AllPrincipals",
                ResourceId = graph.Id,
                Scope = "openid profile email offline_access User.Read",
            });
        }

        string[] userScopes = ["User.Read Mail.Read offline_access", "User.Read Calendars.Read", "User.Read Files.Read.All offline_access"];
        foreach (DirectoryUser user in members)
        {
            if (random.Chance(0.02))
            {
                tenant.Add(new OAuth2PermissionGrant
                {
                    Id = OpaqueId(random),
                    ClientId = random.Pick(saas).Id,
                    ConsentType = "Principal",
                    PrincipalId = user.Id,
                    ResourceId = graph.Id,
                    Scope = random.Pick(userScopes),
                });
            }
        }
    }

    private static ServicePrincipal FirstParty(SeedSequence random, string appId, string displayName) => new(random.NextGuid().ToString())
    {
        AppId = appId,
        DisplayName = displayName,
        AppOwnerOrganizationId = MicrosoftGraphApplication.MicrosoftTenantId,
    };

    private static void AssignAppRole(Tenant tenant, SeedSequence random, DirectoryObject principal, ServicePrincipal resource, Guid appRoleId) =>
        tenant.Add(new AppRoleAssignment
        {
            Id = OpaqueId(random),
            AppRoleId = appRoleId,
            Principal = principal,
            Resource = resource,
            CreatedDateTime = Now.AddDays(-random.Next(1, 1_000)),
        });

    /// <summary>A 43-character base64url id, the form Graph gives role assignments, app role assignments and grants.</summary>
    internal static string OpaqueId(SeedSequence random)
    {
        Span<byte> bytes = stackalloc byte[32];
        random.NextGuid().TryWriteBytes(bytes);
        random.NextGuid().TryWriteBytes(bytes[16..]);
        return Base64Url.Encode(bytes);
    }
}
