using IsmsOps.Engine.Snapshots;

namespace IsmsOps.Engine.Tests.Snapshots;

/// <summary>Hand-built snapshots for the tests.</summary>
internal static class SnapshotFixtures
{
    public const string TenantId = "7d9e2f10-0000-4000-8000-00000000aaaa";

    public static readonly DateTimeOffset Collected = new(2026, 11, 23, 20, 40, 0, TimeSpan.Zero);

    /// <summary>A snapshot of only what is given; the rest empty.</summary>
    public static DirectorySnapshot Empty() => new()
    {
        Tenant = new SnapshotTenant { TenantId = TenantId, DisplayName = "Contoso" },
        CollectedAt = Collected,
        CompletedAt = Collected.AddMinutes(3),
        Source = "https://graph.microsoft.com/v1.0",
    };

    /// <summary>Every collection holds something and every property has a value other than its default.</summary>
    public static DirectorySnapshot Full() => new()
    {
        FormatVersion = DirectorySnapshot.CurrentFormatVersion,
        Tenant = new SnapshotTenant { TenantId = TenantId, DisplayName = "Contoso Ltd", VerifiedDomains = ["contoso.com", "contoso.co.uk"] },
        CollectedAt = Collected,
        CompletedAt = Collected.AddMinutes(3),
        Source = "https://graph.microsoft.com/v1.0",
        CollectorVersion = "0.1.0",
        ScopedToUserId = "u-ada",
        EvidenceGaps = [new EvidenceGap { Area = EvidenceAreas.SignInActivity, Reason = EvidenceGapReason.MissingPermission, Detail = "Authentication_RequestFromNonPremiumTenantOrB2CTenant" }],
        SponsorsCollected = true,
        Users =
        [
            new SnapshotUser
            {
                Id = "u-ada", UserPrincipalName = "ada@contoso.com", DisplayName = "Ada O'Brien-Łukasiewicz", Mail = "ada@contoso.com",
                AccountEnabled = true, UserType = "Member", EmployeeId = "E1001", EmployeeHireDate = Collected.AddYears(-2),
                EmployeeLeaveDateTime = Collected.AddDays(30), Department = "Engineering", JobTitle = "Engineer", ManagerId = "u-grace",
                OnPremisesSyncEnabled = true, CreatedDateTime = Collected.AddYears(-3),
                SignInActivity = new SnapshotSignInActivity
                {
                    LastSignInDateTime = Collected.AddDays(-1), LastNonInteractiveSignInDateTime = Collected.AddHours(-2), LastSuccessfulSignInDateTime = Collected.AddDays(-1),
                },
                Licenses = [new SnapshotLicenseAssignment { SkuId = "sku-e5", AssignedByGroupId = "g-all", State = "Active", DisabledPlans = ["plan-yammer"] }],
                SponsorIds = ["u-grace"],
            },
            new SnapshotUser { Id = "u-grace", UserPrincipalName = "grace@contoso.com" },
        ],
        Groups =
        [
            new SnapshotGroup
            {
                Id = "g-all", DisplayName = "All staff", Description = "Everyone", Mail = "all@contoso.com", MailEnabled = true, SecurityEnabled = true,
                GroupTypes = ["DynamicMembership"], MembershipRule = "user.accountEnabled -eq true", OnPremisesSyncEnabled = true, IsAssignableToRole = true,
                CreatedDateTime = Collected.AddYears(-5), AssignedLicenseSkuIds = ["sku-e5"],
                Members = [new DirectoryObjectRef("u-ada", DirectoryObjectKind.User), new DirectoryObjectRef("g-eng", DirectoryObjectKind.Group)],
                Owners = [new DirectoryObjectRef("u-grace", DirectoryObjectKind.User)],
            },
            new SnapshotGroup { Id = "g-eng", DisplayName = "Engineering", Members = [new DirectoryObjectRef("u-ada", DirectoryObjectKind.User)] },
        ],
        RoleDefinitions = [new SnapshotRoleDefinition { Id = "r-ga", DisplayName = "Global Administrator", TemplateId = "62e90394-69f5-4237-9190-012177145e10", IsBuiltIn = true }],
        RoleAssignments =
        [
            new SnapshotRoleAssignment
            {
                Id = "ra-1", PrincipalId = "u-ada", RoleDefinitionId = "r-ga", DirectoryScopeId = "/administrativeUnits/au-1", State = RoleAssignmentState.Eligible,
                FromSchedule = true, StartDateTime = Collected.AddDays(-10), EndDateTime = Collected.AddDays(20),
            },
        ],
        ServicePrincipals =
        [
            new SnapshotServicePrincipal
            {
                Id = "sp-hr", AppId = "app-hr", DisplayName = "HR Portal", ServicePrincipalType = "Application",
                AppRoles = [new SnapshotAppRole { Id = "ar-admin", Value = "Admin", DisplayName = "Administrator" }],
            },
        ],
        AppRoleAssignments =
        [
            new SnapshotAppRoleAssignment
            {
                Id = "ara-1", PrincipalId = "g-eng", PrincipalKind = DirectoryObjectKind.Group, ResourceId = "sp-hr", AppRoleId = "ar-admin", CreatedDateTime = Collected.AddDays(-3),
            },
        ],
        DelegatedGrants = [new SnapshotDelegatedGrant { Id = "dg-1", ClientId = "sp-hr", ConsentType = "Principal", PrincipalId = "u-ada", ResourceId = "sp-graph", Scope = "User.Read Mail.Read" }],
        Skus = [new SnapshotSku { SkuId = "sku-e5", SkuPartNumber = "SPE_E5" }],
        AuthenticationRegistrations =
        [
            new SnapshotAuthenticationRegistration
            {
                UserId = "u-ada", IsMfaRegistered = true, IsMfaCapable = true, IsPasswordlessCapable = true, IsAdmin = true,
                MethodsRegistered = ["microsoftAuthenticatorPush", "fido2"], DefaultMfaMethod = "microsoftAuthenticatorPush", LastUpdatedDateTime = Collected.AddDays(-7),
            },
        ],
        Devices =
        [
            new SnapshotDevice
            {
                Id = "d-1", DeviceId = "dev-1", DisplayName = "ADA-LAPTOP", AccountEnabled = true, OperatingSystem = "Windows", TrustType = "AzureAd",
                ApproximateLastSignInDateTime = Collected.AddDays(-1), RegisteredOwnerIds = ["u-ada"], RegisteredUserIds = ["u-ada"],
            },
        ],
    };
}

/// <summary>Terse builders for small hand-made tenants.</summary>
internal static class Tenant
{
    public static SnapshotUser User(string id, string? upn = null, string? employeeId = null) =>
        new() { Id = id, UserPrincipalName = upn ?? (id.StartsWith("u-", StringComparison.Ordinal) ? id[2..] : id) + "@contoso.com", DisplayName = id, EmployeeId = employeeId };

    public static SnapshotGroup Group(string id, params string[] memberIds) => new()
    {
        Id = id,
        DisplayName = id,
        SecurityEnabled = true,
        Members = memberIds.Select(m => new DirectoryObjectRef(m, m.StartsWith("g-", StringComparison.Ordinal) ? DirectoryObjectKind.Group : DirectoryObjectKind.User)).ToArray(),
    };

    public static DirectorySnapshot With(IEnumerable<SnapshotUser> users, IEnumerable<SnapshotGroup> groups) =>
        SnapshotFixtures.Empty() with { Users = users.ToArray(), Groups = groups.ToArray() };
}
