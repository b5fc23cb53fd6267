using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Snapshots;
using static IsmsOps.Engine.Tests.Snapshots.Tenant;

namespace IsmsOps.Engine.Tests.Offboarding;

public sealed class OffboardingPlannerTests
{
    private static readonly DateTimeOffset Until = new(2026, 12, 31, 0, 0, 0, TimeSpan.Zero);

    private static SnapshotUser Ada => User("u-ada") with { ManagerId = "u-grace", Mail = "ada@contoso.com" };

    private static OffboardingPlan PlanFor(DirectorySnapshot snapshot, OffboardingPlanOptions? options = null) =>
        OffboardingPlanner.Plan(DirectoryIndex.Build(snapshot), "u-ada", options);

    private static List<OffboardingStep> Steps(OffboardingPlan plan, OffboardingStepKind kind) => plan.Steps.Where(s => s.Kind == kind).ToList();

    [Fact]
    public void A_user_with_no_access_still_gets_sign_in_disabled_sessions_revoked_methods_removed_and_reports_reassigned()
    {
        OffboardingPlan plan = PlanFor(With([Ada], []));

        Assert.Equal(
            [OffboardingStepKind.DisableAccount, OffboardingStepKind.RevokeSessions, OffboardingStepKind.RemoveAuthenticationMethod, OffboardingStepKind.ReassignDirectReports],
            plan.Steps.Select(s => s.Kind));
        Assert.Equal([1, 2, 3, 4], plan.Steps.Select(s => s.Sequence));
        Assert.All(plan.Steps, s => Assert.Equal("u-ada", s.UserId));
        Assert.All(plan.Steps, s => Assert.Equal(OffboardingStepStatus.Pending, s.Status));
        Assert.Equal("u-grace", Assert.Single(Steps(plan, OffboardingStepKind.ReassignDirectReports)).Detail);
        Assert.Equal("ada@contoso.com", plan.UserPrincipalName);
    }

    [Fact]
    public void Steps_run_in_the_order_of_the_step_kinds_whatever_order_the_access_was_read_in()
    {
        DirectorySnapshot snapshot = With([Ada], [Group("g-eng", "u-ada") with { Owners = [new DirectoryObjectRef("u-ada", DirectoryObjectKind.User)] }]) with
        {
            RoleDefinitions = [new SnapshotRoleDefinition { Id = "r-ga", DisplayName = "Global Administrator" }],
            RoleAssignments =
            [
                new SnapshotRoleAssignment { Id = "ra-e", PrincipalId = "u-ada", RoleDefinitionId = "r-ga", State = RoleAssignmentState.Eligible, FromSchedule = true },
                new SnapshotRoleAssignment { Id = "ra-a", PrincipalId = "u-ada", RoleDefinitionId = "r-ga" },
            ],
            AppRoleAssignments = [new SnapshotAppRoleAssignment { Id = "ara-1", PrincipalId = "u-ada", ResourceId = "sp-hr", AppRoleId = "00000000-0000-0000-0000-000000000000" }],
            DelegatedGrants = [new SnapshotDelegatedGrant { Id = "dg-1", ClientId = "sp-cli", ConsentType = "Principal", PrincipalId = "u-ada", ResourceId = "sp-graph", Scope = "User.Read" }],
            Devices = [new SnapshotDevice { Id = "d-1", DisplayName = "ADA-LAPTOP", RegisteredOwnerIds = ["u-ada"] }],
            Users = [Ada with { Licenses = [new SnapshotLicenseAssignment { SkuId = "sku-e5" }] }],
        };

        OffboardingPlan plan = PlanFor(snapshot);

        Assert.Equal(Enum.GetValues<OffboardingStepKind>().Where(k => k != OffboardingStepKind.ManualTask), plan.Steps.Select(s => s.Kind));
        Assert.Equal(Enumerable.Range(1, plan.Steps.Count), plan.Steps.Select(s => s.Sequence));
    }

    [Fact]
    public void Only_direct_group_memberships_are_planned_since_nested_ones_go_with_their_group()
    {
        OffboardingPlan plan = PlanFor(With([Ada], [Group("g-eng", "u-ada"), Group("g-staff", "g-eng"), Group("g-vpn", "g-staff")]));

        OffboardingStep step = Assert.Single(Steps(plan, OffboardingStepKind.RemoveGroupMembership));
        Assert.Equal("g-eng", step.ResourceId);
        Assert.Equal("g-eng", step.ResourceDisplayName);
        Assert.DoesNotContain(plan.Steps, s => s.ResourceId is "g-staff" or "g-vpn");
    }

    [Theory]
    [InlineData("dynamic", "DynamicRule", "dynamic group")]
    [InlineData("synced", "OnPremisesDirectory", "Active Directory")]
    [InlineData("distribution", "ExchangeOnline", "Exchange Online")]
    [InlineData("mail-enabled security", "ExchangeOnline", "Exchange Online")]
    public void A_membership_Graph_cannot_change_becomes_a_manual_task_naming_the_system_that_can(string kind, string system, string named)
    {
        SnapshotGroup group = Group("g-x", "u-ada");
        group = kind switch
        {
            "dynamic" => group with { GroupTypes = ["DynamicMembership"], MembershipRule = "user.department -eq \"Eng\"" },
            "synced" => group with { OnPremisesSyncEnabled = true },
            "distribution" => group with { SecurityEnabled = false, MailEnabled = true, Mail = "x@contoso.com" },
            _ => group with { MailEnabled = true, Mail = "x@contoso.com" },
        };

        OffboardingPlan plan = PlanFor(With([Ada], [group]));

        Assert.Empty(Steps(plan, OffboardingStepKind.RemoveGroupMembership));
        OffboardingStep task = Assert.Single(Steps(plan, OffboardingStepKind.ManualTask));
        Assert.Equal(OffboardingStepStatus.ManualTask, task.Status);
        Assert.Equal("g-x", task.ResourceId);
        Assert.Equal("groupMembership; " + system, task.Detail);
        Assert.Contains(named, task.Reason, StringComparison.Ordinal);
        Assert.Equal(OffboardingStepKind.ManualTask, plan.Steps[^1].Kind);
    }

    [Fact]
    public void A_group_the_leaver_is_last_owner_of_goes_to_their_manager()
    {
        SnapshotGroup owned = Group("g-proj") with { Owners = [new DirectoryObjectRef("u-ada", DirectoryObjectKind.User)] };

        OffboardingStep step = Assert.Single(Steps(PlanFor(With([Ada], [owned])), OffboardingStepKind.RemoveGroupOwnership));

        Assert.Equal("g-proj", step.ResourceId);
        Assert.Equal("u-grace", step.Detail);
    }

    [Fact]
    public void A_group_with_another_owner_or_a_leaver_without_a_manager_gets_no_new_owner_but_is_still_planned()
    {
        SnapshotGroup shared = Group("g-shared") with
        {
            Owners = [new DirectoryObjectRef("u-ada", DirectoryObjectKind.User), new DirectoryObjectRef("u-bob", DirectoryObjectKind.User)],
        };
        SnapshotGroup alone = Group("g-alone") with { Owners = [new DirectoryObjectRef("u-ada", DirectoryObjectKind.User)] };

        Assert.Null(Assert.Single(Steps(PlanFor(With([Ada], [shared])), OffboardingStepKind.RemoveGroupOwnership)).Detail);
        Assert.Null(Assert.Single(Steps(PlanFor(With([Ada with { ManagerId = null }], [alone])), OffboardingStepKind.RemoveGroupOwnership)).Detail);
    }

    [Fact]
    public void Ownership_of_a_distribution_list_is_a_manual_task_in_Exchange_Online()
    {
        SnapshotGroup list = Group("g-dl") with { SecurityEnabled = false, MailEnabled = true, Owners = [new DirectoryObjectRef("u-ada", DirectoryObjectKind.User)] };

        OffboardingPlan plan = PlanFor(With([Ada], [list]));

        Assert.Empty(Steps(plan, OffboardingStepKind.RemoveGroupOwnership));
        Assert.Equal("groupOwnership; ExchangeOnline", Assert.Single(Steps(plan, OffboardingStepKind.ManualTask)).Detail);
    }

    [Fact]
    public void Directory_roles_carry_their_assignment_id_and_say_whether_they_come_from_a_schedule_and_until_when()
    {
        DirectorySnapshot snapshot = With([Ada], []) with
        {
            RoleDefinitions = [new SnapshotRoleDefinition { Id = "r-ua", DisplayName = "User Administrator" }],
            RoleAssignments =
            [
                new SnapshotRoleAssignment { Id = "ra-plain", PrincipalId = "u-ada", RoleDefinitionId = "r-ua" },
                new SnapshotRoleAssignment { Id = "ras-bound", PrincipalId = "u-ada", RoleDefinitionId = "r-ua", FromSchedule = true, EndDateTime = Until, DirectoryScopeId = "/administrativeUnits/au-1" },
                new SnapshotRoleAssignment { Id = "res-elig", PrincipalId = "u-ada", RoleDefinitionId = "r-ua", State = RoleAssignmentState.Eligible, FromSchedule = true },
            ],
        };

        OffboardingPlan plan = PlanFor(snapshot);

        List<OffboardingStep> active = Steps(plan, OffboardingStepKind.RemoveDirectoryRole);
        Assert.Equal(["ra-plain", "ras-bound"], active.Select(s => s.AssignmentId).Order());
        Assert.Equal("assignment; scope /", active.Single(s => s.AssignmentId == "ra-plain").Detail);
        Assert.Equal("schedule; until 2026-12-31T00:00:00Z; scope /administrativeUnits/au-1", active.Single(s => s.AssignmentId == "ras-bound").Detail);
        Assert.All(active, s => Assert.Equal("r-ua", s.ResourceId));
        OffboardingStep eligible = Assert.Single(Steps(plan, OffboardingStepKind.RemoveEligibleDirectoryRole));
        Assert.Equal("res-elig", eligible.AssignmentId);
        Assert.Equal("schedule; scope /", eligible.Detail);
    }

    [Fact]
    public void Roles_app_roles_and_licences_held_through_a_group_are_not_planned_separately()
    {
        DirectorySnapshot snapshot = With([Ada with { Licenses = [new SnapshotLicenseAssignment { SkuId = "sku-e5", AssignedByGroupId = "g-admins" }] }],
            [Group("g-admins", "u-ada") with { IsAssignableToRole = true }]) with
        {
            RoleDefinitions = [new SnapshotRoleDefinition { Id = "r-ga", DisplayName = "Global Administrator" }],
            RoleAssignments =
            [
                new SnapshotRoleAssignment { Id = "ra-g", PrincipalId = "g-admins", RoleDefinitionId = "r-ga" },
                new SnapshotRoleAssignment { Id = "re-g", PrincipalId = "g-admins", RoleDefinitionId = "r-ga", State = RoleAssignmentState.Eligible },
            ],
            AppRoleAssignments = [new SnapshotAppRoleAssignment { Id = "ara-g", PrincipalId = "g-admins", PrincipalKind = DirectoryObjectKind.Group, ResourceId = "sp-hr", AppRoleId = "ar-1" }],
        };

        OffboardingPlan plan = PlanFor(snapshot);

        Assert.Equal("g-admins", Assert.Single(Steps(plan, OffboardingStepKind.RemoveGroupMembership)).ResourceId);
        Assert.Empty(Steps(plan, OffboardingStepKind.RemoveDirectoryRole));
        Assert.Empty(Steps(plan, OffboardingStepKind.RemoveEligibleDirectoryRole));
        Assert.Empty(Steps(plan, OffboardingStepKind.RemoveAppRoleAssignment));
        Assert.Empty(Steps(plan, OffboardingStepKind.RemoveLicense));
    }

    [Fact]
    public void Direct_app_roles_the_users_own_consents_and_direct_licences_are_planned_with_the_id_Graph_removes_by()
    {
        DirectorySnapshot snapshot = With([Ada with { Licenses = [new SnapshotLicenseAssignment { SkuId = "sku-e5" }] }], []) with
        {
            Skus = [new SnapshotSku { SkuId = "sku-e5", SkuPartNumber = "SPE_E5" }],
            AppRoleAssignments = [new SnapshotAppRoleAssignment { Id = "ara-1", PrincipalId = "u-ada", ResourceId = "sp-hr", AppRoleId = "00000000-0000-0000-0000-000000000000" }],
            DelegatedGrants =
            [
                new SnapshotDelegatedGrant { Id = "dg-own", ClientId = "sp-cli", ConsentType = "Principal", PrincipalId = "u-ada", ResourceId = "sp-graph", Scope = "Mail.Read" },
                new SnapshotDelegatedGrant { Id = "dg-all", ClientId = "sp-cli", ConsentType = "AllPrincipals", ResourceId = "sp-graph", Scope = "User.Read" },
            ],
        };

        OffboardingPlan plan = PlanFor(snapshot);

        OffboardingStep app = Assert.Single(Steps(plan, OffboardingStepKind.RemoveAppRoleAssignment));
        Assert.Equal(("sp-hr", "ara-1"), (app.ResourceId, app.AssignmentId));
        OffboardingStep consent = Assert.Single(Steps(plan, OffboardingStepKind.RemoveDelegatedGrant));
        Assert.Equal(("sp-cli", "dg-own"), (consent.ResourceId, consent.AssignmentId));
        OffboardingStep licence = Assert.Single(Steps(plan, OffboardingStepKind.RemoveLicense));
        Assert.Equal(("sku-e5", "SPE_E5"), (licence.ResourceId, licence.ResourceDisplayName));
    }

    [Fact]
    public void Devices_the_leaver_owns_are_disabled_but_devices_they_only_used_are_not_and_the_option_turns_it_off()
    {
        DirectorySnapshot snapshot = With([Ada], []) with
        {
            Devices =
            [
                new SnapshotDevice { Id = "d-own", DisplayName = "ADA-LAPTOP", RegisteredOwnerIds = ["u-ada"], RegisteredUserIds = ["u-ada"] },
                new SnapshotDevice { Id = "d-kiosk", DisplayName = "KIOSK", RegisteredOwnerIds = ["u-bob"], RegisteredUserIds = ["u-ada"] },
            ],
        };

        Assert.Equal(["d-own"], Steps(PlanFor(snapshot), OffboardingStepKind.DisableDevice).Select(s => s.ResourceId));
        Assert.Empty(Steps(PlanFor(snapshot, new OffboardingPlanOptions { DisableDevices = false }), OffboardingStepKind.DisableDevice));
    }

    [Fact]
    public void Direct_reports_the_read_knows_are_counted_and_the_step_can_be_turned_off()
    {
        DirectorySnapshot snapshot = With([Ada, User("u-bob") with { ManagerId = "u-ada" }, User("u-cy") with { ManagerId = "u-ada" }], []);

        OffboardingStep step = Assert.Single(Steps(PlanFor(snapshot), OffboardingStepKind.ReassignDirectReports));
        Assert.Equal("2 direct report(s)", step.ResourceDisplayName);
        Assert.Equal("u-grace", step.Detail);
        Assert.Empty(Steps(PlanFor(snapshot, new OffboardingPlanOptions { ReassignDirectReports = false }), OffboardingStepKind.ReassignDirectReports));
    }

    [Fact]
    public void Mailbox_hand_off_and_deletion_are_planned_only_when_asked_as_the_last_manual_tasks()
    {
        Assert.Empty(Steps(PlanFor(With([Ada], [])), OffboardingStepKind.ManualTask));

        OffboardingPlan plan = PlanFor(With([Ada], [Group("g-dyn", "u-ada") with { GroupTypes = ["DynamicMembership"] }]),
            new OffboardingPlanOptions { HandOffMailbox = true, DeleteAccount = true });

        Assert.Equal(["groupMembership; DynamicRule", OffboardingPlanner.MailboxHandOffTask, OffboardingPlanner.DeleteAccountTask],
            plan.Steps.TakeLast(3).Select(s => s.Detail));
        Assert.Contains("u-grace", plan.Steps[^2].Reason, StringComparison.Ordinal);
        Assert.Contains("DELETE /users/u-ada", plan.Steps[^1].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_scoped_snapshot_from_the_access_collector_plans_the_same_as_a_whole_tenant()
    {
        DirectorySnapshot tenant = With([Ada, User("u-bob")], [Group("g-eng", "u-ada", "u-bob"), Group("g-other", "u-bob")]);
        DirectorySnapshot scoped = tenant with { ScopedToUserId = "u-ada", Users = [Ada], Groups = [Group("g-eng", "u-ada")] };

        Assert.Equal(PlanFor(tenant).Steps.Select(s => (s.Kind, s.ResourceId)), PlanFor(scoped).Steps.Select(s => (s.Kind, s.ResourceId)));
    }

    [Fact]
    public void An_unknown_user_is_refused_with_the_access_inventory_error()
    {
        IsmsException error = Assert.Throws<IsmsException>(() => OffboardingPlanner.Plan(DirectoryIndex.Build(With([Ada], [])), "u-nobody"));

        Assert.Equal("IsmsOps.Access.UserNotFound", error.ErrorId);
    }

    [Fact]
    public void The_plan_carries_the_reads_evidence_gaps_so_a_missing_area_is_not_mistaken_for_no_access()
    {
        var gap = new EvidenceGap { Area = EvidenceAreas.RoleSchedules, Reason = EvidenceGapReason.NotLicensed };

        Assert.Equal([gap], PlanFor(With([Ada], []) with { EvidenceGaps = [gap] }).EvidenceGaps);
    }
}
