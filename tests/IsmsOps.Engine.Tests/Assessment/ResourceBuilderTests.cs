using IsmsOps.Engine.Assessment;
using IsmsOps.Engine.Assessment.Resources;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.Engine.Tests.Assessment;

/// <summary>How a run's resources are built from a snapshot and the register: the links and the computed fields controls rely on.</summary>
public sealed class ResourceBuilderTests
{
    private static readonly DateTimeOffset Now = ConditionCompilerTests.Now;

    private static DirectorySnapshot Snapshot() => new()
    {
        Tenant = new SnapshotTenant { TenantId = "t1", DisplayName = "Contoso" },
        CollectedAt = Now.AddHours(-1),
        Source = "test",
        Users =
        [
            new SnapshotUser { Id = "u1", UserPrincipalName = "ada@contoso.com", AccountEnabled = true, UserType = "Member" },
            new SnapshotUser { Id = "u2", UserPrincipalName = "bob@contoso.com", AccountEnabled = true, UserType = "Member" },
            new SnapshotUser { Id = "u3", UserPrincipalName = "cy@contoso.com", AccountEnabled = false, UserType = "Member", EmployeeId = "E3" },
            new SnapshotUser { Id = "u4", UserPrincipalName = "guest#EXT#@contoso.com", AccountEnabled = true, UserType = "Guest" },
        ],
        Groups =
        [
            new SnapshotGroup { Id = "g1", DisplayName = "Tier 0 admins", SecurityEnabled = true, IsAssignableToRole = true, Members = [new("u2", DirectoryObjectKind.User)], Owners = [new("u1", DirectoryObjectKind.User)] },
        ],
        RoleDefinitions = [new SnapshotRoleDefinition { Id = "rd-ga", DisplayName = "Global Administrator", TemplateId = PrivilegedDirectoryRoles.GlobalAdministratorTemplateId, IsBuiltIn = true }],
        RoleAssignments =
        [
            new SnapshotRoleAssignment { Id = "ra1", PrincipalId = "u1", RoleDefinitionId = "rd-ga" },
            new SnapshotRoleAssignment { Id = "ra2", PrincipalId = "g1", RoleDefinitionId = "rd-ga" },
            new SnapshotRoleAssignment { Id = "ra3", PrincipalId = "u4", RoleDefinitionId = "rd-ga", State = RoleAssignmentState.Eligible, EndDateTime = Now.AddDays(30) },
        ],
    };

    private static ResourceSet Build() => ResourceBuilder.Build(DirectoryIndex.Build(Snapshot()), new RegisterEvidence
    {
        People =
        [
            new Person { PersonId = "E1", DisplayName = "Ada", Status = PersonStatus.Active, DirectoryObjectId = "u1" },
            new Person { PersonId = "E2", DisplayName = "Bob", Status = PersonStatus.Left, UserPrincipalName = "BOB@contoso.com" },
            new Person { PersonId = "E3", DisplayName = "Cy", Status = PersonStatus.Active },
        ],
    }, RoleCatalog.Empty, Now);

    private static T One<T>(ResourceSet set, string type, string id) where T : PolicyResource => (T)set.Of(type).Single(r => r.Id == id);

    [Fact]
    public void A_person_is_linked_to_accounts_by_object_id_user_principal_name_or_employee_id_and_back()
    {
        ResourceSet set = Build();

        Assert.Equal(["u1"], One<PersonResource>(set, "person", "E1").Accounts.Select(a => a.Id));
        Assert.Equal(["u2"], One<PersonResource>(set, "person", "E2").Accounts.Select(a => a.Id));
        PersonResource cy = One<PersonResource>(set, "person", "E3");
        Assert.Equal(["u3"], cy.Accounts.Select(a => a.Id));
        Assert.Equal(0, cy.EnabledAccountCount);
        Assert.Equal("E2", One<AccountResource>(set, "account", "u2").Person!.Id);
        Assert.False(One<AccountResource>(set, "account", "u4").HasPerson);
    }

    [Fact]
    public void Privilege_and_global_administrator_counts_include_role_assignable_group_members_and_keep_eligible_apart()
    {
        ResourceSet set = Build();
        TenantResource tenant = One<TenantResource>(set, "tenant", "tenant");

        Assert.True(One<AccountResource>(set, "account", "u2").Privileged);
        Assert.True(One<AccountResource>(set, "account", "u4").Privileged);
        Assert.False(One<AccountResource>(set, "account", "u3").Privileged);
        Assert.Equal((2, 2, 1, 3), (tenant.GlobalAdministratorCount, tenant.StandingGlobalAdministratorCount, tenant.EligibleGlobalAdministratorCount, tenant.PrivilegedUserCount));
        Assert.Equal("Group", One<RoleAssignmentResource>(set, "roleAssignment", "ra2").PrincipalType);
        Assert.Equal(["u1"], One<GroupResource>(set, "group", "g1").Owners.Select(o => o.Id));
        Assert.Equal(["g1"], One<AccountResource>(set, "account", "u1").OwnedGroups.Select(g => g.Id));
    }

    [Fact]
    public void Evidence_the_run_lacks_is_recorded_with_its_reason()
    {
        ResourceSet set = ResourceBuilder.Build(DirectoryIndex.Build(Snapshot() with
        {
            EvidenceGaps = [new EvidenceGap { Area = EvidenceAreas.SignInActivity, Reason = EvidenceGapReason.NotLicensed }],
        }), RegisterEvidence.Empty, RoleCatalog.Empty, Now);
        ResourceSet offline = ResourceBuilder.Build(null, RegisterEvidence.Empty, RoleCatalog.Empty, Now);

        Assert.Equal(AssessmentSkipReason.NotLicensed, set.Missing(EvidenceAreas.SignInActivity));
        Assert.Equal(AssessmentSkipReason.NoEvidence, set.Missing(EvidenceKinds.People));
        Assert.Equal(AssessmentSkipReason.NoEvidence, set.Missing(EvidenceKinds.GuestSponsors));
        Assert.Null(set.Missing(EvidenceKinds.Directory));
        Assert.Equal(AssessmentSkipReason.NotConnected, offline.Missing(EvidenceKinds.Directory));
    }
}
