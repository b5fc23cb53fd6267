using IsmsOps.Engine.Roles;

namespace IsmsOps.Engine.Tests.Roles;

public sealed class SegregationOfDutiesTests
{
    private static readonly Guid Payroll = Guid.Parse("c1e8a3d5-2f47-4b96-8a0c-6e3d9f2b7a18");

    private static RoleCatalog Shipped() => RoleCatalog.Load(Path.Combine(RoleCatalogFileTests.RepoRoot(), "policies", "roles"));

    [Fact]
    public void Roles_without_conflicts_between_them_pass()
    {
        Assert.Empty(Shipped().CheckSegregationOfDuties(["software-engineer", "engineering-manager", "finance-controller"]));
    }

    [Fact]
    public void Holding_two_conflicting_roles_is_one_breach_whichever_role_declares_it()
    {
        SegregationOfDutiesViolation breach = Assert.Single(Shipped().CheckSegregationOfDuties(["Payments-Operator", "payroll-approver"]));

        Assert.Equal("payroll-approver", breach.RoleId);
        Assert.Equal("role 'payments-operator'", breach.ConflictsWith);
        Assert.Null(breach.Via);
        Assert.Contains("two people", breach.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_conflict_declared_on_both_sides_is_reported_once()
    {
        string folder = Directory.CreateTempSubdirectory("ismsops-sod-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "r.yaml"),
                "roles:\n" +
                "  - { id: a, title: A, screening: { level: Basic }, accessReview: P1Y, conflicts: [ { role: b } ] }\n" +
                "  - { id: b, title: B, screening: { level: Basic }, accessReview: P1Y, conflicts: [ { role: a } ] }\n");

            Assert.Single(RoleCatalog.Load(folder).CheckSegregationOfDuties(["b", "a"]));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void A_conflicting_app_role_held_directly_is_a_breach()
    {
        RoleCatalog catalog = Shipped();

        SegregationOfDutiesViolation breach = Assert.Single(catalog.CheckSegregationOfDuties(["payroll-approver"],
            appRoles: [new AppRoleReference(Payroll, null, "Preparer", null)]));

        Assert.Equal("app role 'Preparer' of Payroll", breach.ConflictsWith);
        Assert.Empty(catalog.CheckSegregationOfDuties(["payroll-approver"], appRoles: [new AppRoleReference(Payroll, null, "Approver", null)]));
    }

    [Fact]
    public void A_conflicting_group_counts_when_another_held_role_grants_it()
    {
        string folder = Directory.CreateTempSubdirectory("ismsops-sod-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(folder, "r.yaml"),
                "roles:\n" +
                "  - { id: auditor, title: Auditor, screening: { level: Basic }, accessReview: P1Y, conflicts: [ { group: { displayName: Ledger Writers } } ] }\n" +
                "  - { id: clerk, title: Clerk, screening: { level: Basic }, accessReview: P1Y, birthright: { groups: [ { displayName: ledger writers } ] } }\n");
            RoleCatalog catalog = RoleCatalog.Load(folder);

            SegregationOfDutiesViolation viaRole = Assert.Single(catalog.CheckSegregationOfDuties(["auditor", "clerk"]));
            SegregationOfDutiesViolation direct = Assert.Single(catalog.CheckSegregationOfDuties(["auditor"], groups: [new GroupReference(null, "LEDGER WRITERS")]));

            Assert.Equal("clerk", viaRole.Via);
            Assert.Equal("role 'auditor' conflicts with group 'Ledger Writers' (granted by role 'clerk')", viaRole.ToString());
            Assert.Null(direct.Via);
            Assert.Empty(catalog.CheckSegregationOfDuties(["auditor"], groups: [new GroupReference(null, "Ledger Readers")]));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Groups_match_by_object_id_when_both_sides_have_one_even_if_names_differ()
    {
        var id = Guid.NewGuid();

        Assert.True(new GroupReference(id, "Old name").Matches(new GroupReference(id, "New name")));
        Assert.False(new GroupReference(id, "Same").Matches(new GroupReference(Guid.NewGuid(), "Same")));
        Assert.True(new GroupReference(id, "Same").Matches(new GroupReference(null, "same")));
    }

    [Fact]
    public void An_unknown_role_cannot_be_checked_and_is_refused()
    {
        IsmsException error = Assert.Throws<IsmsException>(() => Shipped().CheckSegregationOfDuties(["payroll-approver", "chief-wizard"]));

        Assert.Equal("IsmsOps.Role.NotFound", error.ErrorId);
    }
}
