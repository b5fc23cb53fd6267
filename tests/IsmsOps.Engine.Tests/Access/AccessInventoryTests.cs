using IsmsOps.Engine.Access;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Snapshots;
using IsmsOps.Engine.Tests.Snapshots;
using static IsmsOps.Engine.Tests.Snapshots.Tenant;

namespace IsmsOps.Engine.Tests.Access;

public sealed class AccessInventoryTests
{
    private static readonly DateTimeOffset Start = new(2026, 10, 1, 9, 0, 0, TimeSpan.Zero);

    private static IReadOnlyList<AccessGrant> AccessOf(DirectorySnapshot snapshot, string user = "u-ada") => AccessInventory.For(DirectoryIndex.Build(snapshot), user);

    private static AccessGrant Only(IEnumerable<AccessGrant> grants, AccessKind kind, string resourceId) => Assert.Single(grants, g => g.Kind == kind && g.ResourceId == resourceId);

    [Fact]
    public void A_direct_membership_of_a_cloud_security_group_is_removable_through_Graph()
    {
        AccessGrant grant = Assert.Single(AccessOf(With([User("u-ada")], [Group("g-eng", "u-ada")])));

        Assert.Equal(AccessKind.GroupMembership, grant.Kind);
        Assert.Equal(AssignmentType.Direct, grant.Assignment);
        Assert.Equal(RemovalPath.Graph, grant.Removal);
        Assert.Equal("g-eng", grant.ResourceDisplayName);
        Assert.Equal("ada@contoso.com", grant.UserPrincipalName);
        Assert.Null(grant.Since);
        Assert.Contains("/groups/g-eng/members/u-ada/$ref", grant.RemovalNote, StringComparison.Ordinal);
    }

    [Fact]
    public void A_membership_inherited_through_a_nested_group_is_removed_via_the_group()
    {
        IReadOnlyList<AccessGrant> grants = AccessOf(With([User("u-ada")], [Group("g-eng", "u-ada"), Group("g-staff", "g-eng"), Group("g-vpn", "g-staff")]));

        AccessGrant vpn = Only(grants, AccessKind.GroupMembership, "g-vpn");
        Assert.Equal(AssignmentType.Inherited, vpn.Assignment);
        Assert.Equal(RemovalPath.ViaGroup, vpn.Removal);
        Assert.Equal("g-eng", vpn.InheritedFromGroupId);
        Assert.Equal("g-eng", vpn.InheritedFromGroupName);
        Assert.Equal("g-eng > g-staff > g-vpn", vpn.InheritancePath);
        Assert.Contains("leaves that group", vpn.RemovalNote, StringComparison.Ordinal);
        Assert.Equal(AssignmentType.Inherited, Only(grants, AccessKind.GroupMembership, "g-staff").Assignment);
    }

    [Fact]
    public void A_group_reached_both_directly_and_through_nesting_is_listed_for_each_since_removing_one_leaves_the_other()
    {
        IReadOnlyList<AccessGrant> grants = AccessOf(With([User("u-ada")], [Group("g-eng", "u-ada"), Group("g-vpn", "g-eng", "u-ada")]));

        var vpn = grants.Where(g => g.ResourceId == "g-vpn").Select(g => (g.Assignment, g.InheritedFromGroupId)).ToList();
        Assert.Equal([(AssignmentType.Direct, null), (AssignmentType.Inherited, "g-eng")], vpn);
    }

    [Fact]
    public void Groups_nested_in_a_cycle_give_each_membership_once()
    {
        IReadOnlyList<AccessGrant> grants = AccessOf(With([User("u-ada")], [Group("g-a", "u-ada", "g-b"), Group("g-b", "g-a")]));

        Assert.Equal([("g-a", AssignmentType.Direct), ("g-b", AssignmentType.Inherited)], grants.Select(g => (g.ResourceId, g.Assignment)));
    }

    [Fact]
    public void A_dynamic_group_membership_is_removed_by_changing_its_rule_or_the_users_attributes()
    {
        SnapshotGroup dynamic = Group("g-sales", "u-ada") with { GroupTypes = ["DynamicMembership"], MembershipRule = "user.department -eq \"Sales\"" };
        AccessGrant grant = Assert.Single(AccessOf(With([User("u-ada")], [dynamic])));

        Assert.Equal(RemovalPath.DynamicRule, grant.Removal);
        Assert.Contains("user.department -eq \"Sales\"", grant.RemovalNote, StringComparison.Ordinal);
    }

    [Fact]
    public void A_synced_group_membership_is_removed_in_on_premises_AD()
    {
        AccessGrant grant = Assert.Single(AccessOf(With([User("u-ada")], [Group("g-fin", "u-ada") with { OnPremisesSyncEnabled = true }])));

        Assert.Equal(RemovalPath.OnPremisesDirectory, grant.Removal);
        Assert.Contains("on-premises Active Directory", grant.RemovalNote, StringComparison.Ordinal);
    }

    [Fact]
    public void A_group_both_synced_and_mail_enabled_is_removed_in_on_premises_AD_not_Exchange_Online()
    {
        SnapshotGroup group = Group("g-dl", "u-ada") with { OnPremisesSyncEnabled = true, MailEnabled = true, SecurityEnabled = false, Mail = "dl@contoso.com" };
        AccessGrant grant = Assert.Single(AccessOf(With([User("u-ada")], [group])));

        Assert.Equal(RemovalPath.OnPremisesDirectory, grant.Removal);
        Assert.Contains("Exchange Online cannot change a synced group", grant.RemovalNote, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, "mail-enabled security group")]
    [InlineData(false, "distribution list")]
    public void A_cloud_mail_enabled_group_membership_is_removed_in_Exchange_Online(bool securityEnabled, string kind)
    {
        SnapshotGroup group = Group("g-mail", "u-ada") with { MailEnabled = true, SecurityEnabled = securityEnabled, Mail = "team@contoso.com" };
        AccessGrant grant = Assert.Single(AccessOf(With([User("u-ada")], [group])));

        Assert.Equal(RemovalPath.ExchangeOnline, grant.Removal);
        Assert.Contains(kind, grant.RemovalNote, StringComparison.Ordinal);
        Assert.Contains("Remove-DistributionGroupMember -Identity 'team@contoso.com' -Member 'ada@contoso.com'", grant.RemovalNote, StringComparison.Ordinal);
    }

    [Fact]
    public void A_Microsoft_365_group_is_mail_enabled_yet_removable_through_Graph()
    {
        SnapshotGroup group = Group("g-team", "u-ada") with { MailEnabled = true, SecurityEnabled = false, GroupTypes = ["Unified"] };
        Assert.Equal(RemovalPath.Graph, Assert.Single(AccessOf(With([User("u-ada")], [group]))).Removal);
    }

    [Fact]
    public void An_inherited_membership_says_how_the_carrying_membership_goes_when_Graph_cannot_remove_it()
    {
        SnapshotGroup synced = Group("g-fin", "u-ada") with { OnPremisesSyncEnabled = true };
        AccessGrant grant = Only(AccessOf(With([User("u-ada")], [synced, Group("g-erp", "g-fin")])), AccessKind.GroupMembership, "g-erp");

        Assert.Equal(RemovalPath.ViaGroup, grant.Removal);
        Assert.Contains("synced from on-premises AD", grant.RemovalNote, StringComparison.Ordinal);
    }

    [Fact]
    public void Group_ownership_is_removed_through_Graph_except_for_mail_enabled_groups()
    {
        SnapshotGroup security = Group("g-sec") with { Owners = [new DirectoryObjectRef("u-ada", DirectoryObjectKind.User)] };
        SnapshotGroup list = Group("g-dl") with { MailEnabled = true, SecurityEnabled = false, Owners = [new DirectoryObjectRef("u-ada", DirectoryObjectKind.User)] };
        IReadOnlyList<AccessGrant> grants = AccessOf(With([User("u-ada")], [security, list]));

        Assert.Equal(RemovalPath.Graph, Only(grants, AccessKind.GroupOwnership, "g-sec").Removal);
        Assert.Equal(RemovalPath.ExchangeOnline, Only(grants, AccessKind.GroupOwnership, "g-dl").Removal);
        Assert.DoesNotContain(grants, g => g.Kind == AccessKind.GroupMembership);
    }

    [Fact]
    public void Active_eligible_and_time_bound_roles_show_how_they_are_held_and_until_when()
    {
        DirectorySnapshot snapshot = With([User("u-ada")], []) with
        {
            RoleDefinitions = [Role("r-ga", "Global Administrator"), Role("r-ua", "User Administrator"), Role("r-gr", "Global Reader")],
            RoleAssignments =
            [
                new SnapshotRoleAssignment { Id = "ra-perm", PrincipalId = "u-ada", RoleDefinitionId = "r-gr" },
                new SnapshotRoleAssignment { Id = "ra-elig", PrincipalId = "u-ada", RoleDefinitionId = "r-ga", State = RoleAssignmentState.Eligible, FromSchedule = true, StartDateTime = Start },
                new SnapshotRoleAssignment
                {
                    Id = "ra-tb", PrincipalId = "u-ada", RoleDefinitionId = "r-ua", FromSchedule = true, StartDateTime = Start, EndDateTime = Start.AddDays(7),
                    DirectoryScopeId = "/administrativeUnits/au-emea",
                },
            ],
        };
        IReadOnlyList<AccessGrant> grants = AccessOf(snapshot);

        AccessGrant reader = Only(grants, AccessKind.DirectoryRole, "r-gr");
        Assert.Equal((AssignmentType.Direct, RemovalPath.Graph, (DateTimeOffset?)null, (DateTimeOffset?)null), (reader.Assignment, reader.Removal, reader.Since, reader.Until));
        Assert.Contains("roleAssignments/ra-perm", reader.RemovalNote, StringComparison.Ordinal);

        AccessGrant admin = Only(grants, AccessKind.DirectoryRole, "r-ga");
        Assert.Equal(AssignmentType.Eligible, admin.Assignment);
        Assert.Equal(Start, admin.Since);
        Assert.Contains("roleEligibilityScheduleRequest", admin.RemovalNote, StringComparison.Ordinal);

        AccessGrant timeBound = Only(grants, AccessKind.DirectoryRole, "r-ua");
        Assert.Equal(AssignmentType.Direct, timeBound.Assignment);
        Assert.Equal(Start.AddDays(7), timeBound.Until);
        Assert.Equal("scope /administrativeUnits/au-emea", timeBound.Detail);
        Assert.Equal("User Administrator", timeBound.ResourceDisplayName);
    }

    [Fact]
    public void A_role_held_by_a_role_assignable_group_is_inherited_by_its_members_with_the_groups_end_date()
    {
        SnapshotGroup admins = Group("g-admins", "u-ada") with { IsAssignableToRole = true };
        DirectorySnapshot snapshot = With([User("u-ada")], [admins]) with
        {
            RoleDefinitions = [Role("r-ex", "Exchange Administrator"), Role("r-ga", "Global Administrator")],
            RoleAssignments =
            [
                new SnapshotRoleAssignment { Id = "ra-g", PrincipalId = "g-admins", RoleDefinitionId = "r-ex", StartDateTime = Start, EndDateTime = Start.AddDays(90), FromSchedule = true },
                new SnapshotRoleAssignment { Id = "ra-ge", PrincipalId = "g-admins", RoleDefinitionId = "r-ga", State = RoleAssignmentState.Eligible },
            ],
        };
        IReadOnlyList<AccessGrant> grants = AccessOf(snapshot);

        AccessGrant exchange = Only(grants, AccessKind.DirectoryRole, "r-ex");
        Assert.Equal(AssignmentType.Inherited, exchange.Assignment);
        Assert.Equal(RemovalPath.ViaGroup, exchange.Removal);
        Assert.Equal("g-admins", exchange.InheritedFromGroupId);
        Assert.Null(exchange.Since);
        Assert.Equal(Start.AddDays(90), exchange.Until);

        AccessGrant global = Only(grants, AccessKind.DirectoryRole, "r-ga");
        Assert.Equal(AssignmentType.Eligible, global.Assignment);
        Assert.Equal("g-admins", global.InheritedFromGroupId);
        Assert.Equal(RemovalPath.Graph, Only(grants, AccessKind.GroupMembership, "g-admins").Removal);
    }

    [Fact]
    public void App_roles_name_the_app_and_role_are_dated_when_direct_and_reach_only_direct_members_of_a_group()
    {
        DirectorySnapshot snapshot = With([User("u-ada")], [Group("g-eng", "u-ada"), Group("g-all", "g-eng")]) with
        {
            ServicePrincipals =
            [
                new SnapshotServicePrincipal { Id = "sp-hr", DisplayName = "HR Portal", AppRoles = [new SnapshotAppRole { Id = "ar-admin", Value = "Admin" }] },
                new SnapshotServicePrincipal { Id = "sp-wiki", DisplayName = "Wiki" },
                new SnapshotServicePrincipal { Id = "sp-crm", DisplayName = "CRM" },
            ],
            AppRoleAssignments =
            [
                new SnapshotAppRoleAssignment { Id = "a-1", PrincipalId = "u-ada", ResourceId = "sp-hr", AppRoleId = "ar-admin", CreatedDateTime = Start },
                new SnapshotAppRoleAssignment { Id = "a-2", PrincipalId = "g-eng", PrincipalKind = DirectoryObjectKind.Group, ResourceId = "sp-wiki", AppRoleId = "00000000-0000-0000-0000-000000000000", CreatedDateTime = Start },
                new SnapshotAppRoleAssignment { Id = "a-3", PrincipalId = "g-all", PrincipalKind = DirectoryObjectKind.Group, ResourceId = "sp-crm", AppRoleId = "00000000-0000-0000-0000-000000000000" },
            ],
        };
        IReadOnlyList<AccessGrant> grants = AccessOf(snapshot);

        AccessGrant hr = Only(grants, AccessKind.AppRole, "sp-hr");
        Assert.Equal(("HR Portal: Admin", AssignmentType.Direct, RemovalPath.Graph, (DateTimeOffset?)Start), (hr.ResourceDisplayName, hr.Assignment, hr.Removal, hr.Since));
        Assert.Equal("a-1", hr.AssignmentId);

        AccessGrant wiki = Only(grants, AccessKind.AppRole, "sp-wiki");
        Assert.Equal(("Wiki: default access", AssignmentType.Inherited, RemovalPath.ViaGroup, "g-eng"), (wiki.ResourceDisplayName, wiki.Assignment, wiki.Removal, wiki.InheritedFromGroupId));
        Assert.Null(wiki.Since);

        // Entra ID does not pass app role assignments on to members of nested groups.
        Assert.DoesNotContain(grants, g => g.ResourceId == "sp-crm");
    }

    [Fact]
    public void A_users_own_consent_is_listed_and_admin_consent_for_everyone_is_not()
    {
        DirectorySnapshot snapshot = With([User("u-ada")], []) with
        {
            ServicePrincipals = [new SnapshotServicePrincipal { Id = "sp-app", DisplayName = "Mail Merge" }, new SnapshotServicePrincipal { Id = "sp-graph", DisplayName = "Microsoft Graph" }],
            DelegatedGrants =
            [
                new SnapshotDelegatedGrant { Id = "dg-1", ClientId = "sp-app", ConsentType = "Principal", PrincipalId = "u-ada", ResourceId = "sp-graph", Scope = " Mail.Send User.Read " },
                new SnapshotDelegatedGrant { Id = "dg-2", ClientId = "sp-app", ConsentType = "AllPrincipals", ResourceId = "sp-graph", Scope = "User.Read" },
            ],
        };
        AccessGrant grant = Assert.Single(AccessOf(snapshot));

        Assert.Equal(AccessKind.DelegatedGrant, grant.Kind);
        Assert.Equal("Mail Merge: Mail.Send User.Read on Microsoft Graph", grant.ResourceDisplayName);
        Assert.Equal("dg-1", grant.AssignmentId);
        Assert.Equal(RemovalPath.Graph, grant.Removal);
    }

    [Fact]
    public void A_licence_is_direct_or_inherited_from_the_group_that_assigns_it()
    {
        SnapshotUser ada = User("u-ada") with
        {
            Licenses =
            [
                new SnapshotLicenseAssignment { SkuId = "sku-e5", State = "Active" },
                new SnapshotLicenseAssignment { SkuId = "sku-e5", AssignedByGroupId = "g-lic", State = "Active", DisabledPlans = ["p1"] },
            ],
        };
        DirectorySnapshot snapshot = With([ada], [Group("g-lic", "u-ada") with { GroupTypes = ["DynamicMembership"] }]) with
        {
            Skus = [new SnapshotSku { SkuId = "sku-e5", SkuPartNumber = "SPE_E5" }],
        };
        var licences = AccessOf(snapshot).Where(g => g.Kind == AccessKind.License).ToList();

        Assert.Equal([(AssignmentType.Direct, RemovalPath.Graph, null), (AssignmentType.Inherited, RemovalPath.ViaGroup, "g-lic")],
            licences.Select(l => (l.Assignment, l.Removal, l.InheritedFromGroupId)));
        Assert.All(licences, l => Assert.Equal("SPE_E5", l.ResourceDisplayName));
        Assert.Contains("dynamic group", licences[1].RemovalNote, StringComparison.Ordinal);
        Assert.Equal("Active; 1 plan(s) disabled", licences[1].Detail);
    }

    [Fact]
    public void A_device_the_user_owns_and_uses_is_one_grant()
    {
        DirectorySnapshot snapshot = With([User("u-ada")], []) with
        {
            Devices =
            [
                new SnapshotDevice { Id = "d-1", DisplayName = "ADA-LAPTOP", OperatingSystem = "Windows", RegisteredOwnerIds = ["u-ada"], RegisteredUserIds = ["u-ada"] },
                new SnapshotDevice { Id = "d-2", DisplayName = "SHARED-IPAD", RegisteredUserIds = ["u-ada", "u-bob"] },
            ],
        };
        IReadOnlyList<AccessGrant> grants = AccessOf(snapshot);

        Assert.Equal(["ADA-LAPTOP", "SHARED-IPAD"], grants.Select(g => g.ResourceDisplayName));
        Assert.Equal("registered owner and user; Windows", grants[0].Detail);
        Assert.Equal("registered user", grants[1].Detail);
        Assert.Contains("registeredUsers/u-ada/$ref", grants[1].RemovalNote, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_user_is_found_by_UPN_too_and_an_unknown_user_is_an_error_naming_the_source()
    {
        DirectorySnapshot snapshot = With([User("u-ada")], [Group("g-eng", "u-ada")]);
        Assert.Single(AccessOf(snapshot, "ADA@contoso.com"));

        IsmsException error = Assert.Throws<IsmsException>(() => AccessOf(snapshot, "nobody@contoso.com"));
        Assert.Equal("IsmsOps.Access.UserNotFound", error.ErrorId);
        Assert.Contains("nobody@contoso.com", error.Message, StringComparison.Ordinal);

        var source = new SnapshotDirectorySource(new LoadedSnapshot
        {
            Snapshot = snapshot,
            Path = "/evidence/tenant.json.gz",
            FileLength = 1,
            Header = new SnapshotFileHeader
            {
                Format = DirectorySnapshotFile.FormatName, FormatVersion = 1, TenantId = SnapshotFixtures.TenantId, CollectedAt = SnapshotFixtures.Collected,
                Counts = SnapshotCounts.Of(snapshot), ContentSha256 = new string('a', 64), ContentLength = 1,
            },
        });
        var missing = await Assert.ThrowsAsync<IsmsException>(() => source.GetForUserAsync("nobody", CancellationToken.None));
        Assert.Contains("/evidence/tenant.json.gz", missing.Message, StringComparison.Ordinal);
        Assert.Same(await source.GetForUserAsync("u-ada", CancellationToken.None), await source.GetForUserAsync("ada@contoso.com", CancellationToken.None));
    }

    [Fact]
    public void A_person_is_found_in_the_directory_by_object_id_else_by_UPN_and_needs_one_of_them()
    {
        Assert.Equal("0b6f4a1e-8c2d-4e7f-9a3b-1c5d7e9f2a4b",
            AccessInventory.DirectoryKeyOf(new Person { PersonId = "E1", DisplayName = "Ada", DirectoryObjectId = "0b6f4a1e-8c2d-4e7f-9a3b-1c5d7e9f2a4b", UserPrincipalName = "ada@contoso.com" }));
        Assert.Equal("ada@contoso.com", AccessInventory.DirectoryKeyOf(new Person { PersonId = "E1", DisplayName = "Ada", UserPrincipalName = "ada@contoso.com" }));
        Assert.Equal("IsmsOps.Access.PersonNotLinked",
            Assert.Throws<IsmsException>(() => AccessInventory.DirectoryKeyOf(new Person { PersonId = "E1", DisplayName = "Ada" })).ErrorId);
    }

    private static SnapshotRoleDefinition Role(string id, string name) => new() { Id = id, DisplayName = name };
}
