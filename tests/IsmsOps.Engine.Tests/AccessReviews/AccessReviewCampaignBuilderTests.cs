using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Access;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Snapshots;
using static IsmsOps.Engine.Tests.Snapshots.Tenant;

namespace IsmsOps.Engine.Tests.AccessReviews;

public sealed class AccessReviewCampaignBuilderTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 9, 0, 0, TimeSpan.Zero);

    private readonly string _roles = Directory.CreateTempSubdirectory("ismsops-review-roles-").FullName;

    public AccessReviewCampaignBuilderTests()
    {
        File.WriteAllText(Path.Combine(_roles, "roles.yaml"), """
            roles:
              - id: analyst
                title: Analyst
                screening:
                  level: Basic
                accessReview: P6M
                birthright:
                  groups:
                    - displayName: g-staff
                conflicts:
                  - group:
                      displayName: g-payments
                    reason: Analysts must not release payments.
              - id: admin
                title: Administrator
                privileged: true
                screening:
                  level: Enhanced
                accessReview: P3M
                birthright:
                  groups:
                    - displayName: g-admins
            """);
    }

    public void Dispose()
    {
        Directory.Delete(_roles, recursive: true);
        if (Directory.Exists(_roles + "-tags"))
        {
            Directory.Delete(_roles + "-tags", recursive: true);
        }
    }

    private RoleCatalog Catalog => RoleCatalog.Load(_roles);

    private static SnapshotUser Active(string id, string? manager = "u-boss", int daysAgo = 5) => User(id) with
    {
        AccountEnabled = true,
        ManagerId = manager,
        Mail = id[2..] + "@contoso.com",
        UserType = "Member",
        SignInActivity = new SnapshotSignInActivity { LastSignInDateTime = Now.AddDays(-daysAgo) },
    };

    private static AccessReviewDefinition Groups(params string[] names) => new()
    {
        Name = "Quarterly groups",
        Scope = new AccessReviewScope { GroupNames = names },
        Reviewers = new AccessReviewReviewers { Rule = AccessReviewerRule.Manager, Fallback = ["u-ciso"] },
    };

    private AccessReviewContent Build(DirectorySnapshot snapshot, AccessReviewDefinition definition, params Person[] people) =>
        AccessReviewCampaignBuilder.Build("AR-TEST", definition, DirectoryIndex.Build(snapshot), Catalog, people, Now);

    private static DirectorySnapshot Org(IEnumerable<SnapshotUser> users, IEnumerable<SnapshotGroup> groups) =>
        With(users.Concat([Active("u-boss", manager: null), Active("u-ciso", manager: null)]), groups);

    [Fact]
    public void A_group_scope_freezes_direct_members_and_members_of_nested_groups_naming_the_group_that_carries_them()
    {
        DirectorySnapshot snapshot = Org([Active("u-ada"), Active("u-bob")], [Group("g-finance", "u-ada", "g-team"), Group("g-team", "u-bob")]);

        AccessReviewContent content = Build(snapshot, Groups("g-fin*"));

        Assert.Equal(2, content.ItemCount);
        AccessReviewItem ada = Assert.Single(content.Items, i => i.PrincipalId == "u-ada");
        Assert.Equal(("g-finance", AccessReviewAccessKind.GroupMembership, AssignmentType.Direct), (ada.ResourceId, ada.AccessKind, ada.Assignment));
        Assert.Null(ada.InheritedFromGroupId);
        Assert.Equal(OffboardingStepKind.RemoveGroupMembership, ada.RemovalStepKind);
        AccessReviewItem bob = Assert.Single(content.Items, i => i.PrincipalId == "u-bob");
        Assert.Equal(("g-finance", AssignmentType.Inherited, "g-team"), (bob.ResourceId, bob.Assignment, bob.InheritedFromGroupId));
        Assert.Equal(OffboardingStepKind.ManualTask, bob.RemovalStepKind);
        Assert.Contains("g-team", bob.RemovalNote);
        Assert.Equal([1L, 2L], content.Items.Select(i => i.ItemId));
    }

    [Fact]
    public void A_denied_membership_becomes_the_same_step_the_offboarding_planner_plans_for_that_group()
    {
        DirectorySnapshot snapshot = Org([Active("u-ada")], [Group("g-finance", "u-ada"), Group("g-dyn", "u-ada") with { GroupTypes = ["DynamicMembership"] }]);

        AccessReviewContent content = Build(snapshot, Groups("g-*"));
        OffboardingPlan plan = OffboardingPlanner.Plan(DirectoryIndex.Build(snapshot), "u-ada");

        foreach (AccessReviewItem item in content.Items)
        {
            OffboardingStep planned = Assert.Single(plan.Steps, s => s.ResourceId == item.ResourceId);
            OffboardingStep step = item.ToRemovalStep(planned.Sequence);
            Assert.Equal(planned with { Detail = planned.Detail }, step with { Detail = planned.Detail });
            Assert.Equal(planned.Detail, step.Detail);
        }
    }

    [Fact]
    public void Privileged_directory_roles_include_PIM_eligible_ones_with_the_removal_the_runner_needs()
    {
        DirectorySnapshot snapshot = Org([Active("u-ada"), Active("u-bob")], []) with
        {
            RoleDefinitions = [new SnapshotRoleDefinition { Id = "r-ga", DisplayName = "Global Administrator", TemplateId = "62e90394" }],
            RoleAssignments =
            [
                new SnapshotRoleAssignment { Id = "ra-1", PrincipalId = "u-ada", RoleDefinitionId = "r-ga" },
                new SnapshotRoleAssignment { Id = "sch-2", PrincipalId = "u-bob", RoleDefinitionId = "r-ga", State = RoleAssignmentState.Eligible, FromSchedule = true },
            ],
        };

        AccessReviewContent content = Build(snapshot, Groups() with { Scope = new AccessReviewScope { PrivilegedDirectoryRoles = true } });

        AccessReviewItem active = Assert.Single(content.Items, i => i.PrincipalId == "u-ada");
        AccessReviewItem eligible = Assert.Single(content.Items, i => i.PrincipalId == "u-bob");
        Assert.All(content.Items, i => Assert.True(i.Privileged));
        Assert.Equal((OffboardingStepKind.RemoveDirectoryRole, "ra-1", AssignmentType.Direct), (active.RemovalStepKind, active.AssignmentId, active.Assignment));
        Assert.Equal((OffboardingStepKind.RemoveEligibleDirectoryRole, "sch-2", AssignmentType.Eligible), (eligible.RemovalStepKind, eligible.AssignmentId, eligible.Assignment));
        Assert.StartsWith(OffboardingPlanner.ScheduleSource, eligible.RemovalDetail);
        Assert.Equal("Global Administrator", active.ResourceDisplayName);
        foreach (AccessReviewItem item in content.Items)
        {
            OffboardingStep planned = Assert.Single(OffboardingPlanner.Plan(DirectoryIndex.Build(snapshot), item.PrincipalId).Steps, s => s.AssignmentId == item.AssignmentId);
            Assert.Equal(planned, item.ToRemovalStep(planned.Sequence));
        }
    }

    [Fact]
    public void App_role_scope_narrowed_to_one_app_reaches_group_members_as_inherited()
    {
        DirectorySnapshot snapshot = Org([Active("u-ada"), Active("u-bob")], [Group("g-hr", "u-bob")]) with
        {
            ServicePrincipals =
            [
                new SnapshotServicePrincipal { Id = "sp-hr", AppId = "app-hr", DisplayName = "HR Portal", AppRoles = [new SnapshotAppRole { Id = "role-1", Value = "Reader" }] },
                new SnapshotServicePrincipal { Id = "sp-crm", DisplayName = "CRM" },
            ],
            AppRoleAssignments =
            [
                new SnapshotAppRoleAssignment { Id = "ara-1", PrincipalId = "u-ada", ResourceId = "sp-hr", AppRoleId = "role-1", CreatedDateTime = Now.AddDays(-400) },
                new SnapshotAppRoleAssignment { Id = "ara-2", PrincipalId = "g-hr", PrincipalKind = DirectoryObjectKind.Group, ResourceId = "sp-hr", AppRoleId = "role-1" },
                new SnapshotAppRoleAssignment { Id = "ara-3", PrincipalId = "u-ada", ResourceId = "sp-crm", AppRoleId = "00000000-0000-0000-0000-000000000000" },
            ],
        };

        AccessReviewContent content = Build(snapshot, Groups() with { Scope = new AccessReviewScope { AppRoleAssignments = true, ApplicationNames = ["HR*"] } });

        Assert.Equal(2, content.ItemCount);
        AccessReviewItem direct = Assert.Single(content.Items, i => i.PrincipalId == "u-ada");
        Assert.Equal(("HR Portal: Reader", OffboardingStepKind.RemoveAppRoleAssignment, "ara-1", Now.AddDays(-400)),
            (direct.ResourceDisplayName, direct.RemovalStepKind, direct.AssignmentId, direct.Since));
        AccessReviewItem inherited = Assert.Single(content.Items, i => i.PrincipalId == "u-bob");
        Assert.Equal((AssignmentType.Inherited, "g-hr"), (inherited.Assignment, inherited.InheritedFromGroupId));
    }

    [Fact]
    public void Recommendations_carry_their_reasons_inactivity_never_signed_in_leavers_birthright_and_segregation_of_duties()
    {
        DirectorySnapshot snapshot = Org(
            [Active("u-recent"), Active("u-idle", daysAgo: 120), Active("u-never") with { SignInActivity = null }, Active("u-left"), Active("u-analyst"), Active("u-extra")],
            [Group("g-staff", "u-recent", "u-idle", "u-never", "u-left", "u-analyst"), Group("g-payments", "u-analyst"), Group("g-project", "u-extra")]);
        Person left = new() { PersonId = "E1", DisplayName = "Left", Status = PersonStatus.Left, DirectoryObjectId = "u-left" };
        Person analyst = new() { PersonId = "E2", DisplayName = "Analyst", Status = PersonStatus.Active, JobRole = "analyst", UserPrincipalName = "analyst@contoso.com" };
        Person extra = new() { PersonId = "E3", DisplayName = "Extra", Status = PersonStatus.Active, JobRole = "analyst", DirectoryObjectId = "u-extra" };

        AccessReviewContent content = Build(snapshot, Groups("g-*"), left, analyst, extra);
        AccessReviewItem Item(string user, string group) => Assert.Single(content.Items, i => i.PrincipalId == user && i.ResourceId == group);

        Assert.Equal(AccessReviewRecommendation.Approve, Item("u-recent", "g-staff").Recommendation);
        Assert.Equal([AccessReviewReason.SignedInRecently], Item("u-recent", "g-staff").Reasons);
        Assert.Equal(AccessReviewRecommendation.Deny, Item("u-idle", "g-staff").Recommendation);
        Assert.Contains(AccessReviewReason.NoRecentSignIn, Item("u-idle", "g-staff").Reasons);
        Assert.Contains("120 days", Item("u-idle", "g-staff").RecommendationNote);
        Assert.Contains(AccessReviewReason.NeverSignedIn, Item("u-never", "g-staff").Reasons);
        Assert.Equal(AccessReviewRecommendation.Deny, Item("u-never", "g-staff").Recommendation);
        Assert.Equal(("E1", AccessReviewRecommendation.Deny), (Item("u-left", "g-staff").PersonId, Item("u-left", "g-staff").Recommendation));
        Assert.Contains(AccessReviewReason.PersonLeft, Item("u-left", "g-staff").Reasons);
        Assert.Contains(AccessReviewReason.WithinBirthright, Item("u-analyst", "g-staff").Reasons);
        Assert.Equal(AccessReviewRecommendation.Approve, Item("u-analyst", "g-staff").Recommendation);
        AccessReviewItem conflict = Item("u-analyst", "g-payments");
        Assert.Contains(AccessReviewReason.SegregationOfDutiesConflict, conflict.Reasons);
        Assert.Equal(AccessReviewRecommendation.Deny, conflict.Recommendation);
        Assert.Contains("Analysts must not release payments", conflict.RecommendationNote);
        AccessReviewItem outside = Item("u-extra", "g-project");
        Assert.Contains(AccessReviewReason.OutsideBirthright, outside.Reasons);
        Assert.Equal(AccessReviewRecommendation.None, outside.Recommendation);
    }

    [Fact]
    public void Without_sign_in_evidence_nobody_is_called_inactive_and_the_gap_is_recorded()
    {
        DirectorySnapshot snapshot = Org([Active("u-ada") with { SignInActivity = null }], [Group("g-staff", "u-ada")]) with
        {
            EvidenceGaps = [new EvidenceGap { Area = EvidenceAreas.SignInActivity, Reason = EvidenceGapReason.NotLicensed }],
        };

        AccessReviewContent content = Build(snapshot, Groups("g-staff"));

        AccessReviewItem item = Assert.Single(content.Items);
        Assert.Equal(AccessReviewRecommendation.None, item.Recommendation);
        Assert.Equal([AccessReviewReason.SignInUnknown], item.Reasons);
        Assert.Contains(content.EvidenceGaps, g => g.Contains("sign-in", StringComparison.Ordinal));
    }

    [Fact]
    public void Guests_are_reviewed_as_accounts_that_a_denial_disables_and_missing_sponsors_are_a_recorded_gap_not_a_guess()
    {
        DirectorySnapshot snapshot = Org([Active("u-guest", manager: null) with { UserType = "Guest" }, Active("u-ada")], []);

        AccessReviewContent content = Build(snapshot, Groups() with { Scope = new AccessReviewScope { Guests = true } });

        AccessReviewItem guest = Assert.Single(content.Items);
        Assert.True(guest.IsGuest);
        Assert.Equal((AccessReviewAccessKind.GuestAccount, OffboardingStepKind.DisableAccount), (guest.AccessKind, guest.RemovalStepKind));
        Assert.Equal("u-guest", guest.ToRemovalStep(1).ResourceId);
        OffboardingStep planned = Assert.Single(OffboardingPlanner.Plan(DirectoryIndex.Build(snapshot), "u-guest").Steps, s => s.Kind == OffboardingStepKind.DisableAccount);
        Assert.Equal(planned, guest.ToRemovalStep(planned.Sequence));
        Assert.Contains(AccessReviewReason.SponsorUnknown, guest.Reasons);
        Assert.DoesNotContain(AccessReviewReason.GuestWithoutSponsor, guest.Reasons);
        Assert.Contains(content.EvidenceGaps, g => g.Contains("sponsors", StringComparison.Ordinal));
        Assert.Equal(["u-ciso"], guest.ReviewerIds);
        Assert.True(guest.ReviewedByFallback);
    }

    [Fact]
    public void With_sponsors_collected_a_guest_without_one_is_recommended_for_removal_and_a_sponsor_reviews_a_sponsored_guest()
    {
        DirectorySnapshot snapshot = Org(
        [
            Active("u-lone", manager: null) with { UserType = "Guest" },
            Active("u-visitor", manager: null) with { UserType = "Guest", SponsorIds = ["u-ada"] },
            Active("u-ada"),
        ], []) with { SponsorsCollected = true };

        AccessReviewContent content = Build(snapshot, Groups() with { Scope = new AccessReviewScope { Guests = true } });

        AccessReviewItem lone = Assert.Single(content.Items, i => i.PrincipalId == "u-lone");
        Assert.Equal(AccessReviewRecommendation.Deny, lone.Recommendation);
        Assert.Equal([AccessReviewReason.SignedInRecently, AccessReviewReason.GuestWithoutSponsor], lone.Reasons);
        Assert.Contains("Guest with no sponsor.", lone.RecommendationNote, StringComparison.Ordinal);
        Assert.Equal(["u-ciso"], lone.ReviewerIds);
        Assert.True(lone.ReviewedByFallback);
        AccessReviewItem visitor = Assert.Single(content.Items, i => i.PrincipalId == "u-visitor");
        Assert.Equal(AccessReviewRecommendation.Approve, visitor.Recommendation);
        Assert.Equal([AccessReviewReason.SignedInRecently], visitor.Reasons);
        Assert.Equal(["u-ada"], visitor.ReviewerIds);
        Assert.False(visitor.ReviewedByFallback);
        Assert.DoesNotContain(content.EvidenceGaps, g => g.Contains("sponsor", StringComparison.Ordinal));
    }

    [Fact]
    public void A_guest_whose_sponsors_are_all_disabled_Left_or_gone_is_recommended_for_removal_and_only_sponsors_who_can_answer_review()
    {
        DirectorySnapshot snapshot = Org(
        [
            Active("u-disabled-only", manager: null) with { UserType = "Guest", SponsorIds = ["u-off"] },
            Active("u-left-only", manager: null) with { UserType = "Guest", SponsorIds = ["u-gone-person"] },
            Active("u-vanished-only", manager: null) with { UserType = "Guest", SponsorIds = ["u-not-in-directory"] },
            Active("u-mixed", manager: null) with { UserType = "Guest", SponsorIds = ["u-off", "u-ada"] },
            Active("u-group-sponsored", manager: null) with { UserType = "Guest", SponsorIds = ["g-partners"] },
            Active("u-ada"),
            Active("u-off") with { AccountEnabled = false },
            Active("u-gone-person"),
        ], [Group("g-partners", "u-ada")]) with { SponsorsCollected = true };
        Person left = new() { PersonId = "E9", DisplayName = "Gone", Status = PersonStatus.Left, DirectoryObjectId = "u-gone-person" };

        AccessReviewContent content = Build(snapshot, Groups() with { Scope = new AccessReviewScope { Guests = true } }, left);

        foreach (string inactive in new[] { "u-disabled-only", "u-left-only", "u-vanished-only" })
        {
            AccessReviewItem item = Assert.Single(content.Items, i => i.PrincipalId == inactive);
            Assert.Equal(AccessReviewRecommendation.Deny, item.Recommendation);
            Assert.Equal([AccessReviewReason.SignedInRecently, AccessReviewReason.SponsorInactive], item.Reasons);
            Assert.Contains("sponsors are all disabled, Left or gone", item.RecommendationNote, StringComparison.Ordinal);
            // Nobody who cannot answer for the guest reviews it: the fallback does.
            Assert.Equal(["u-ciso"], item.ReviewerIds);
            Assert.True(item.ReviewedByFallback);
        }

        AccessReviewItem mixed = Assert.Single(content.Items, i => i.PrincipalId == "u-mixed");
        Assert.Equal(AccessReviewRecommendation.Approve, mixed.Recommendation);
        Assert.Equal(["u-ada"], mixed.ReviewerIds);
        AccessReviewItem grouped = Assert.Single(content.Items, i => i.PrincipalId == "u-group-sponsored");
        Assert.Equal([AccessReviewReason.SignedInRecently], grouped.Reasons);
        Assert.True(grouped.ReviewedByFallback);
    }

    [Fact]
    public void Catalog_privileged_scope_reviews_the_birthright_of_privileged_roles_and_marks_it_privileged()
    {
        DirectorySnapshot snapshot = Org([Active("u-ada"), Active("u-bob")], [Group("g-admins", "u-ada"), Group("g-staff", "u-bob")]);

        AccessReviewContent content = Build(snapshot, Groups() with { Scope = new AccessReviewScope { CatalogPrivileged = true } });

        AccessReviewItem item = Assert.Single(content.Items);
        Assert.Equal(("u-ada", "g-admins", true), (item.PrincipalId, item.ResourceId, item.Privileged));
    }

    [Fact]
    public void Managers_review_their_reports_and_fallback_reviewers_take_those_without_a_manager()
    {
        DirectorySnapshot snapshot = Org([Active("u-ada"), Active("u-orphan", manager: null), Active("u-gone-manager", manager: "u-nobody")],
            [Group("g-staff", "u-ada", "u-orphan", "u-gone-manager")]);

        AccessReviewContent content = Build(snapshot, Groups("g-staff"));

        Assert.Equal(["u-boss"], Assert.Single(content.Items, i => i.PrincipalId == "u-ada").ReviewerIds);
        Assert.False(Assert.Single(content.Items, i => i.PrincipalId == "u-ada").ReviewedByFallback);
        Assert.All(content.Items.Where(i => i.PrincipalId != "u-ada"), i =>
        {
            Assert.Equal(["u-ciso"], i.ReviewerIds);
            Assert.True(i.ReviewedByFallback);
        });
        Assert.Equal(["boss@contoso.com", "ciso@contoso.com"], content.Reviewers.Select(r => r.UserPrincipalName));
        Assert.True(content.Reviewers.Single(r => r.ReviewerId == "u-ciso").IsFallback);
    }

    [Fact]
    public void Resource_owners_never_review_their_own_membership_and_a_reviewer_without_mail_is_assigned_but_flagged()
    {
        SnapshotGroup group = Group("g-team", "u-owner", "u-ada") with
        {
            Owners = [new DirectoryObjectRef("u-owner", DirectoryObjectKind.User), new DirectoryObjectRef("u-nomail", DirectoryObjectKind.User)],
        };
        DirectorySnapshot snapshot = Org([Active("u-owner"), Active("u-ada"), Active("u-nomail") with { Mail = null }], [group]);

        AccessReviewContent content = Build(snapshot, Groups("g-team") with
        {
            Reviewers = new AccessReviewReviewers { Rule = AccessReviewerRule.ResourceOwner, Fallback = ["u-ciso"] },
        });

        Assert.Equal(["u-owner", "u-nomail"], Assert.Single(content.Items, i => i.PrincipalId == "u-ada").ReviewerIds);
        Assert.Equal(["u-nomail"], Assert.Single(content.Items, i => i.PrincipalId == "u-owner").ReviewerIds);
        Assert.True(content.Reviewers.Single(r => r.ReviewerId == "u-nomail").HasNoMail);
    }

    [Fact]
    public void Items_left_without_a_reviewer_and_no_fallback_fail_naming_the_first_and_why()
    {
        DirectorySnapshot snapshot = Org([Active("u-orphan", manager: null)], [Group("g-staff", "u-orphan")]);

        IsmsException error = Assert.Throws<IsmsException>(() => Build(snapshot, Groups("g-staff") with { Reviewers = new AccessReviewReviewers() }));

        Assert.Equal("IsmsOps.AccessReview.NoReviewer", error.ErrorId);
        Assert.Contains("orphan@contoso.com", error.Message);
        Assert.Contains("no manager", error.Message);
        Assert.Contains("-FallbackReviewer", error.RecommendedAction);
    }

    [Fact]
    public void A_named_or_fallback_reviewer_missing_from_the_snapshot_is_refused()
    {
        DirectorySnapshot snapshot = Org([Active("u-ada")], [Group("g-staff", "u-ada")]);

        IsmsException error = Assert.Throws<IsmsException>(() => Build(snapshot, Groups("g-staff") with
        {
            Reviewers = new AccessReviewReviewers { Rule = AccessReviewerRule.Named, Named = ["nobody@contoso.com"] },
        }));

        Assert.Equal("IsmsOps.AccessReview.ReviewerNotFound", error.ErrorId);
        Assert.Contains("nobody@contoso.com", error.Message);
    }

    [Fact]
    public void A_scope_that_matches_nothing_is_an_error_naming_the_scope_and_what_each_part_matched()
    {
        DirectorySnapshot snapshot = Org([Active("u-ada")], [Group("g-staff", "u-ada")]);

        IsmsException error = Assert.Throws<IsmsException>(() => Build(snapshot, Groups("Payroll*") with
        {
            Scope = new AccessReviewScope { GroupNames = ["Payroll*"], Guests = true },
        }));

        Assert.Equal("IsmsOps.AccessReview.EmptyScope", error.ErrorId);
        Assert.Contains("groups 'Payroll*' matched no group", error.Message);
        Assert.Contains("guests matched no guest account", error.Message);
        Assert.Contains("Quarterly groups", error.Message);
    }

    private GroupTagPolicy Tags(string yaml)
    {
        // Beside the roles folder, not in it: the catalog reads every .yaml there.
        string path = Path.Combine(_roles + "-tags", GroupTagPolicy.FileName);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, yaml);
        return GroupTagPolicy.Load(path);
    }

    private AccessReviewContent Build(DirectorySnapshot snapshot, AccessReviewDefinition definition, GroupTagPolicy tags) =>
        AccessReviewCampaignBuilder.Build("AR-TEST", definition, DirectoryIndex.Build(snapshot), Catalog, [], Now, tags);

    private static DirectorySnapshot Finance() => Org([Active("u-ada"), Active("u-bob"), Active("u-cy"), Active("u-dee")],
    [
        Group("g-finance-ap", "u-ada"),
        Group("g-payroll", "u-bob") with { DisplayName = "Payroll Approvers" },
        Group("g-staff", "u-cy"),
        Group("g-admins", "u-dee"),
        Group("g-team", "u-cy") with { DisplayName = "Finance Team", GroupTypes = ["Unified"], MailEnabled = true },
    ]);

    [Fact]
    public void A_tag_scope_reviews_the_groups_the_tag_file_names_and_only_those()
    {
        GroupTagPolicy tags = Tags("sox: [ 'g-finance*', 'Payroll Approvers' ]\npci: [ g-staff ]\n");

        AccessReviewContent content = Build(Finance(), Groups() with { Scope = new AccessReviewScope { GroupTags = ["SOX"] } }, tags);

        Assert.Equal([("u-ada", "g-finance-ap"), ("u-bob", "g-payroll")], content.Items.Select(i => (i.PrincipalId, i.ResourceId)).ToArray());
    }

    [Fact]
    public void The_built_in_privileged_tag_is_every_group_the_catalogs_privileged_roles_grant_and_tags_take_wildcards()
    {
        GroupTagPolicy tags = Tags("sox: [ 'Payroll Approvers' ]\n");

        AccessReviewContent privileged = Build(Finance(), Groups() with { Scope = new AccessReviewScope { GroupTags = ["privileged"] } }, tags);
        AccessReviewContent both = Build(Finance(), Groups() with { Scope = new AccessReviewScope { GroupTags = ["*"] } }, tags);

        AccessReviewItem item = Assert.Single(privileged.Items);
        Assert.Equal(("u-dee", "g-admins", true), (item.PrincipalId, item.ResourceId, item.Privileged));
        Assert.Equal(["g-payroll", "g-admins"], both.Items.Select(i => i.ResourceId).ToArray());
    }

    [Fact]
    public void An_unknown_tag_fails_naming_the_tags_there_are_and_the_file()
    {
        GroupTagPolicy tags = Tags("sox: [ 'g-finance*' ]\npci: [ g-staff ]\n");

        IsmsException error = Assert.Throws<IsmsException>(() => Build(Finance(), Groups() with { Scope = new AccessReviewScope { GroupTags = ["soc2"] } }, tags));

        Assert.Equal("IsmsOps.AccessReview.UnknownGroupTag", error.ErrorId);
        Assert.Contains("'soc2'", error.Message, StringComparison.Ordinal);
        Assert.Contains("'sox', 'pci', 'privileged'", error.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(_roles + "-tags", GroupTagPolicy.FileName), error.Message, StringComparison.Ordinal);
        IsmsException noFile = Assert.Throws<IsmsException>(() => Build(Finance(), Groups() with { Scope = new AccessReviewScope { GroupTags = ["sox"] } }, GroupTagPolicy.Default));
        Assert.Contains("The tags are 'privileged' (only the built-in one: the policy folder holds no group-tags.yaml)", noFile.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_tag_that_matches_no_group_counts_toward_the_empty_scope_error_with_what_it_names()
    {
        GroupTagPolicy tags = Tags("pci: [ 'Cardholder*' ]\n");

        IsmsException error = Assert.Throws<IsmsException>(() => Build(Finance(), Groups() with
        {
            Scope = new AccessReviewScope { GroupTags = ["pci"], GroupFilter = "startswith(displayName,'Treasury')" },
        }, tags));

        Assert.Equal("IsmsOps.AccessReview.EmptyScope", error.ErrorId);
        Assert.Contains("groups tagged 'pci' ('Cardholder*' in ", error.Message, StringComparison.Ordinal);
        Assert.Contains(") matched no group", error.Message, StringComparison.Ordinal);
        Assert.Contains("the group filter \"startswith(displayName,'Treasury')\" matched no group", error.Message, StringComparison.Ordinal);
        Assert.Contains("groups tagged 'pci'; groups matching the filter", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_filter_scope_reviews_the_members_of_exactly_the_groups_it_selects()
    {
        AccessReviewDefinition definition = Groups() with
        {
            Scope = new AccessReviewScope { GroupFilter = "startswith(displayName,'g-') and not endswith(displayName,'-ap') or groupTypes/any(t:t eq 'Unified')" },
        };

        AccessReviewContent content = Build(Finance(), definition, GroupTagPolicy.Default);

        Assert.Equal([("u-cy", "g-staff"), ("u-dee", "g-admins"), ("u-cy", "g-team")], content.Items.Select(i => (i.PrincipalId, i.ResourceId)).ToArray());
        Assert.Contains("groups matching the filter", definition.Scope.Describe(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_filter_that_does_not_parse_fails_before_the_snapshot_is_searched()
    {
        IsmsException error = Assert.Throws<IsmsException>(() => AccessReviewRegister.Validate(Groups() with
        {
            Scope = new AccessReviewScope { GroupFilter = "displayName eq 'x' and" },
        }, Now));

        Assert.Equal("IsmsOps.GroupFilter.Syntax", error.ErrorId);
        Assert.Contains("column 23", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(AccessReviewDefaultDecision.Deny)]
    [InlineData(AccessReviewDefaultDecision.Recommendation)]
    public void Auto_apply_with_a_removing_default_needs_Force_and_says_why(AccessReviewDefaultDecision decision)
    {
        AccessReviewDefinition definition = Groups("g-staff") with { AutoApply = true, DefaultDecision = decision };

        IsmsException error = Assert.Throws<IsmsException>(() => AccessReviewRegister.Validate(definition, Now));

        Assert.Equal("IsmsOps.AccessReview.AutoApplyNeedsForce", error.ErrorId);
        Assert.Contains("revoke everyone's access", error.Message);
        Assert.Contains("-Force", error.RecommendedAction);
        Assert.Equal(decision, AccessReviewRegister.Validate(definition with { Force = true }, Now).DefaultDecision);
        AccessReviewRegister.Validate(definition with { DefaultDecision = AccessReviewDefaultDecision.Approve }, Now);
    }

    [Fact]
    public void Dates_default_to_now_and_two_weeks_and_a_bad_recurrence_or_a_due_date_before_the_start_is_refused()
    {
        AccessReviewDefinition valid = AccessReviewRegister.Validate(Groups("g") with { Recurrence = "P3M" }, Now);
        Assert.Equal((Now, Now.AddDays(14)), (valid.StartDate, valid.DueDate));

        Assert.Equal("IsmsOps.AccessReview.InvalidRecurrence",
            Assert.Throws<IsmsException>(() => AccessReviewRegister.Validate(Groups("g") with { Recurrence = "quarterly" }, Now)).ErrorId);
        Assert.Equal("IsmsOps.AccessReview.InvalidDates",
            Assert.Throws<IsmsException>(() => AccessReviewRegister.Validate(Groups("g") with { StartDate = Now.AddDays(3), DueDate = Now.AddDays(1) }, Now)).ErrorId);
    }
}
