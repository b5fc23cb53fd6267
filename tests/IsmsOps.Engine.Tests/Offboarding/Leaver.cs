using IsmsOps.Engine.Offboarding;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Engine.Tests.Offboarding;

/// <summary>
/// A leaver placed in the sandbox tenant holding every kind of access an offboarding meets, and the steps a plan would
/// hold for them, written by hand (the planner is built elsewhere). Built before any request, through the tenant's own
/// methods, so the sandbox's answers are the only judge of what the runner removed.
/// </summary>
internal sealed class Leaver
{
    private Leaver(DirectoryUser user, DirectoryUser manager) => (User, Manager) = (user, manager);

    public DirectoryUser User { get; }

    public DirectoryUser Manager { get; }

    public List<DirectoryGroup> CloudGroups { get; } = [];

    public DirectoryGroup DynamicGroup { get; private set; } = null!;

    public DirectoryGroup SyncedGroup { get; private set; } = null!;

    public DirectoryGroup MailEnabledGroup { get; private set; } = null!;

    public DirectoryGroup LicensingGroup { get; private set; } = null!;

    /// <summary>A Microsoft 365 group whose only owner is the leaver.</summary>
    public DirectoryGroup OwnedTeam { get; private set; } = null!;

    public RoleAssignment PermanentRole { get; private set; } = null!;

    public RoleAssignment TimeBoundRole { get; private set; } = null!;

    public RoleEligibility EligibleRole { get; private set; } = null!;

    public List<AppRoleAssignment> AppRoles { get; } = [];

    public OAuth2PermissionGrant? DelegatedGrant { get; private set; }

    public DirectoryDevice? Device { get; private set; }

    public List<DirectoryUser> Reports { get; } = [];

    /// <summary>
    /// The full leaver: <paramref name="cloudGroups"/> ordinary memberships plus a dynamic, a synced, a mail-enabled and a
    /// licensing group; the last ownership of a team; three roles; <paramref name="appRoles"/> app roles; a delegated
    /// grant; two direct licences; a phone, an authenticator (the default) and a FIDO2 key; a device; two reports.
    /// </summary>
    public static Leaver Create(Tenant tenant, int cloudGroups = 30, int appRoles = 3, int directLicences = 2, bool everything = true)
    {
        DirectoryUser manager = tenant.Users.First(u => u.UserType == "Member");
        var user = new DirectoryUser(tenant.NewId(), $"leaver.{tenant.Users.Count}@{tenant.DefaultDomain}")
        {
            DisplayName = "Lee Leaver",
            MailNickname = "lee.leaver",
            UserType = "Member",
            UsageLocation = "GB",
            CreatedDateTime = SandboxOrganisation.Now.AddYears(-2),
        };
        tenant.Add(user);
        user.SetManager(manager);
        var leaver = new Leaver(user, manager);

        for (int i = 0; i < cloudGroups; i++)
        {
            DirectoryGroup group = NewGroup(tenant, $"Project {i:000}");
            group.AddMember(user);
            leaver.CloudGroups.Add(group);
        }

        RoleDefinition[] roles = tenant.RoleDefinitions.Take(3).ToArray();
        leaver.PermanentRole = new RoleAssignment
        {
            Id = tenant.NewOpaqueId(), Principal = user, Role = roles[0], StartDateTime = user.CreatedDateTime, CreatedDateTime = user.CreatedDateTime,
        };
        tenant.Add(leaver.PermanentRole);
        leaver.EligibleRole = new RoleEligibility
        {
            Id = tenant.NewOpaqueId(), Principal = user, Role = roles[1], StartDateTime = user.CreatedDateTime, CreatedDateTime = user.CreatedDateTime,
        };
        tenant.Add(leaver.EligibleRole);
        leaver.TimeBoundRole = new RoleAssignment
        {
            Id = tenant.NewOpaqueId(), Principal = user, Role = roles[2], StartDateTime = SandboxOrganisation.Now.AddDays(-1),
            EndDateTime = SandboxOrganisation.Now.AddDays(30), CreatedDateTime = SandboxOrganisation.Now.AddDays(-1),
        };
        tenant.Add(leaver.TimeBoundRole);

        foreach (ServicePrincipal application in tenant.ServicePrincipals.Take(appRoles))
        {
            AppRole? role = application.AppRoles.FirstOrDefault(r => r.AllowedMemberTypes.Contains("User"));
            var assignment = new AppRoleAssignment
            {
                Id = tenant.NewOpaqueId(),
                AppRoleId = role?.Id ?? AppRoleAssignment.DefaultAccessRoleId,
                Principal = user,
                Resource = application,
                CreatedDateTime = user.CreatedDateTime,
            };
            tenant.Add(assignment);
            leaver.AppRoles.Add(assignment);
        }

        Guid[] skus = [LicenceCatalogue.Office365E3, LicenceCatalogue.EntraIdP1, LicenceCatalogue.Microsoft365E5, LicenceCatalogue.EntraIdP2];
        foreach (Guid sku in skus.Take(directLicences))
        {
            user.AddDirectLicense(new AssignedLicense(sku, [], user.CreatedDateTime));
        }

        user.AddMethod(new PasswordMethod(PasswordMethod.WellKnownId) { CreatedDateTime = user.CreatedDateTime });
        user.AddMethod(new PhoneMethod(PhoneMethod.MobileId) { PhoneNumber = "+44 7700 900123", PhoneType = "mobile" });
        var authenticator = new MicrosoftAuthenticatorMethod(tenant.NewId()) { DisplayName = "Lee's phone" };
        user.AddMethod(authenticator);
        user.AddMethod(new Fido2Method(tenant.NewId()) { DisplayName = "Security key", AaGuid = "cb69481e-8ff7-4039-93ec-0a2729a154a8", Model = "YubiKey 5" });
        user.DefaultMfaMethod = authenticator;

        if (!everything)
        {
            return leaver;
        }

        leaver.DynamicGroup = NewGroup(tenant, "Dynamic - Leavers' department", rule: "(user.department -eq \"Leaving\")");
        leaver.SyncedGroup = NewGroup(tenant, "Dept - Synced", synced: true);
        leaver.MailEnabledGroup = NewGroup(tenant, "Mail - Alerts", mailEnabled: true);
        leaver.LicensingGroup = NewGroup(tenant, "Licensing - E5 for leavers");
        leaver.LicensingGroup.AddLicense(new AssignedLicense(LicenceCatalogue.Microsoft365E5, [], user.CreatedDateTime));
        leaver.OwnedTeam = NewGroup(tenant, "Team - Leaver's project", unified: true);
        foreach (DirectoryGroup group in new[] { leaver.DynamicGroup, leaver.SyncedGroup, leaver.MailEnabledGroup, leaver.LicensingGroup, leaver.OwnedTeam })
        {
            group.AddMember(user);
        }

        leaver.OwnedTeam.AddOwner(user);

        ServicePrincipal client = tenant.ServicePrincipals.First(), api = tenant.ServicePrincipals.Last();
        leaver.DelegatedGrant = new OAuth2PermissionGrant
        {
            Id = tenant.NewOpaqueId(), ClientId = client.Id, ConsentType = "Principal", PrincipalId = user.Id, ResourceId = api.Id, Scope = "User.Read",
        };
        tenant.Add(leaver.DelegatedGrant);

        leaver.Device = new DirectoryDevice(tenant.NewId())
        {
            DeviceId = tenant.NewId(), DisplayName = "LEE-LAPTOP", OperatingSystem = "Windows", OperatingSystemVersion = "10.0.26100",
            TrustType = "AzureAd", RegistrationDateTime = user.CreatedDateTime,
        };
        tenant.Add(leaver.Device);
        leaver.Device.AddOwner(user);
        leaver.Device.AddUser(user);

        foreach (DirectoryUser report in tenant.Users.Where(u => u.UserType == "Member" && u != manager && u != user && u.DirectReports.Count == 0).Take(2))
        {
            report.SetManager(user);
            leaver.Reports.Add(report);
        }

        return leaver;
    }

    /// <summary>The steps a plan would hold for this leaver, in the order a plan runs them.</summary>
    public List<OffboardingStep> Steps(bool transferOwnership = true)
    {
        var steps = new List<OffboardingStep>();
        void Add(OffboardingStepKind kind, string? resource = null, string? name = null, string? assignment = null, string? detail = null) =>
            steps.Add(new OffboardingStep
            {
                Sequence = steps.Count + 1, Kind = kind, UserId = User.Id, ResourceId = resource, ResourceDisplayName = name, AssignmentId = assignment, Detail = detail,
            });

        Add(OffboardingStepKind.DisableAccount);
        Add(OffboardingStepKind.RevokeSessions);
        foreach (DirectoryGroup group in User.MemberOf.Where(g => g != LicensingGroup))
        {
            Add(OffboardingStepKind.RemoveGroupMembership, group.Id, group.DisplayName);
        }

        if (LicensingGroup is not null)
        {
            Add(OffboardingStepKind.RemoveGroupMembership, LicensingGroup.Id, LicensingGroup.DisplayName);
        }

        foreach (DirectoryGroup group in User.OwnedGroups)
        {
            Add(OffboardingStepKind.RemoveGroupOwnership, group.Id, group.DisplayName, detail: transferOwnership ? Manager.Id : null);
        }

        Add(OffboardingStepKind.RemoveDirectoryRole, PermanentRole.Role.Id, PermanentRole.Role.DisplayName, PermanentRole.Id);
        Add(OffboardingStepKind.RemoveDirectoryRole, TimeBoundRole.Role.Id, TimeBoundRole.Role.DisplayName, TimeBoundRole.Id, TimeBoundRole.EndDateTime!.Value.ToString("O"));
        Add(OffboardingStepKind.RemoveEligibleDirectoryRole, EligibleRole.Role.Id, EligibleRole.Role.DisplayName, EligibleRole.Id);
        foreach (AppRoleAssignment appRole in AppRoles)
        {
            Add(OffboardingStepKind.RemoveAppRoleAssignment, appRole.Resource.Id, appRole.Resource.DisplayName, appRole.Id);
        }

        if (DelegatedGrant is not null)
        {
            Add(OffboardingStepKind.RemoveDelegatedGrant, DelegatedGrant.ResourceId, "Delegated consent", DelegatedGrant.Id);
        }

        foreach (AssignedLicense licence in User.DirectLicenses)
        {
            Add(OffboardingStepKind.RemoveLicense, licence.SkuId.ToString(), licence.SkuId.ToString());
        }

        // The default method last, as a plan orders it; the runner copes with any order.
        foreach (AuthenticationMethod method in User.AuthenticationMethods.OrderBy(m => ReferenceEquals(m, User.DefaultMfaMethod)))
        {
            Add(OffboardingStepKind.RemoveAuthenticationMethod, method.Id, method.ODataType, method.Id, method.CollectionSegment);
        }

        if (Device is not null)
        {
            Add(OffboardingStepKind.DisableDevice, Device.Id, Device.DisplayName);
        }

        if (Reports.Count > 0)
        {
            Add(OffboardingStepKind.ReassignDirectReports);
        }

        return steps;
    }

    private static DirectoryGroup NewGroup(Tenant tenant, string name, string? rule = null, bool synced = false, bool mailEnabled = false, bool unified = false)
    {
        string nickname = new(name.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());
        var group = new DirectoryGroup(tenant.NewId())
        {
            DisplayName = name,
            MailNickname = nickname,
            MailEnabled = mailEnabled || unified,
            SecurityEnabled = !unified,
            GroupTypes = unified ? ["Unified"] : rule is null ? [] : ["DynamicMembership"],
            MembershipRule = rule,
            MembershipRuleProcessingState = rule is null ? null : "On",
            OnPremisesSyncEnabled = synced ? true : null,
            CreatedDateTime = SandboxOrganisation.Now.AddYears(-1),
        };
        tenant.Add(group);
        return group;
    }
}
