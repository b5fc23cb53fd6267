using IsmsOps.Engine.Acknowledgements;
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

    [Fact]
    public void A_guests_sponsors_come_from_the_snapshot_and_count_group_sponsors_and_the_evidence_is_present_only_when_collected()
    {
        DirectorySnapshot collected = Snapshot() with
        {
            SponsorsCollected = true,
            Users = Snapshot().Users.Select(u => u.Id == "u4" ? u with { SponsorIds = ["u1", "group-without-account"] } : u).ToList(),
        };

        ResourceSet set = ResourceBuilder.Build(DirectoryIndex.Build(collected), RegisterEvidence.Empty, RoleCatalog.Empty, Now);
        ResourceSet older = ResourceBuilder.Build(DirectoryIndex.Build(Snapshot()), RegisterEvidence.Empty, RoleCatalog.Empty, Now);

        AccountResource guest = One<AccountResource>(set, "account", "u4");
        Assert.Equal(["u1"], guest.Sponsors.Select(a => a.Id));
        Assert.Equal(2, guest.SponsorCount);
        Assert.Equal(0, One<AccountResource>(set, "account", "u1").SponsorCount);
        Assert.Null(set.Missing(EvidenceKinds.GuestSponsors));
        Assert.Equal(AssessmentSkipReason.NoEvidence, older.Missing(EvidenceKinds.GuestSponsors));
    }

    [Fact]
    public void A_persons_current_and_missing_policies_follow_the_versions_in_force_and_expiry()
    {
        var policy = new AcknowledgementPolicy
        {
            CurrentVersions =
            [
                new CurrentDocumentVersion(AcknowledgementKind.Policy, "Acceptable Use Policy", "4", "test"),
                new CurrentDocumentVersion(AcknowledgementKind.Policy, "Information Security Policy", "2", "test"),
            ],
        };
        DateTime day = Now.UtcDateTime.Date;
        Acknowledgement Ack(string person, string name, string version, DateTime? expires = null) => new()
        {
            PersonId = person, Kind = AcknowledgementKind.Policy, Name = name, DocumentVersion = version, AcknowledgedOn = day.AddDays(-10), ExpiresOn = expires,
        };
        var register = new RegisterEvidence
        {
            People =
            [
                new Person { PersonId = "E1", DisplayName = "Ada", Status = PersonStatus.Active },
                new Person { PersonId = "E2", DisplayName = "Bob", Status = PersonStatus.Active },
                new Person { PersonId = "E3", DisplayName = "Cy", Status = PersonStatus.Active },
            ],
            Acknowledgements =
            [
                Ack("E1", "acceptable use policy", "4"), Ack("E1", "Information Security Policy", "1"), Ack("E1", "Clean Desk Policy", "0.9"),
                Ack("E2", "Acceptable Use Policy", "4", expires: day.AddDays(-1)), Ack("E2", "Information Security Policy", "2"), Ack("E2", "Acceptable Use Policy", "3"),
            ],
            AcknowledgementPolicy = policy,
        };

        ResourceSet set = ResourceBuilder.Build(null, register, RoleCatalog.Empty, Now);

        PersonResource ada = One<PersonResource>(set, "person", "E1");
        Assert.Equal(["acceptable use policy", "Clean Desk Policy"], ada.CurrentPolicies);
        Assert.Equal(["Information Security Policy"], ada.MissingPolicies);
        PersonResource bob = One<PersonResource>(set, "person", "E2");
        Assert.Equal(["Information Security Policy"], bob.CurrentPolicies);
        Assert.Equal(["Acceptable Use Policy"], bob.MissingPolicies);
        PersonResource cy = One<PersonResource>(set, "person", "E3");
        Assert.Empty(cy.CurrentPolicies);
        Assert.Equal(["Acceptable Use Policy", "Information Security Policy"], cy.MissingPolicies);
    }

    [Fact]
    public void Devices_are_resources_linked_to_their_owners_and_users_in_both_directions()
    {
        DirectorySnapshot snapshot = Snapshot() with
        {
            Devices =
            [
                new SnapshotDevice { Id = "d1", DeviceId = "dev-1", DisplayName = "ADA-LAPTOP", AccountEnabled = true, OperatingSystem = "Windows", TrustType = "AzureAd",
                    ApproximateLastSignInDateTime = Now.AddDays(-2), RegisteredOwnerIds = ["u1", "owner-not-in-snapshot"], RegisteredUserIds = ["u1", "u2"] },
                new SnapshotDevice { Id = "d2", DisplayName = "KIOSK", AccountEnabled = false },
            ],
        };

        ResourceSet set = ResourceBuilder.Build(DirectoryIndex.Build(snapshot), RegisterEvidence.Empty, RoleCatalog.Empty, Now);

        DeviceResource laptop = One<DeviceResource>(set, "device", "d1");
        Assert.Equal(("ADA-LAPTOP", "dev-1", "Windows", "AzureAd", true), (laptop.Name, laptop.DeviceId, laptop.OperatingSystem, laptop.TrustType, laptop.AccountEnabled));
        Assert.Equal(Now.AddDays(-2), laptop.LastSignIn);
        Assert.Equal(["u1"], laptop.Owners.Select(a => a.Id));
        Assert.Equal(2, laptop.OwnerCount);
        Assert.Equal(["u1", "u2"], laptop.Users.Select(a => a.Id));
        Assert.Equal(["d1"], One<AccountResource>(set, "account", "u1").OwnedDevices.Select(d => d.Id));
        Assert.Empty(One<AccountResource>(set, "account", "u2").OwnedDevices);
        Assert.Equal(0, One<DeviceResource>(set, "device", "d2").OwnerCount);
    }
}
