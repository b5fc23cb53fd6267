using IsmsOps.Engine.Snapshots;
using static IsmsOps.Engine.Tests.Snapshots.Tenant;

namespace IsmsOps.Engine.Tests.Snapshots;

public sealed class DirectoryIndexTests
{
    [Fact]
    public void Users_are_found_by_id_by_principal_name_in_any_case_and_by_employee_id()
    {
        var index = DirectoryIndex.Build(With([User("u-ada", "Ada@Contoso.com", "E1"), User("u-bob", employeeId: "E2"), User("u-bob2", employeeId: "E2")], []));

        Assert.Equal("u-ada", index.UserById("U-ADA")!.Id);
        Assert.Equal("u-ada", index.UserByPrincipalName("ada@contoso.COM")!.Id);
        Assert.Equal("u-ada", index.FindUser("ada@contoso.com")!.Id);
        Assert.Equal("u-ada", index.FindUser("u-ada")!.Id);
        Assert.Equal(["u-ada"], index.UsersByEmployeeId("E1").Select(u => u.Id));
        Assert.Equal(["u-bob", "u-bob2"], index.UsersByEmployeeId("E2").Select(u => u.Id));
        Assert.Empty(index.UsersByEmployeeId("E3"));
        Assert.Null(index.FindUser("nobody"));
    }

    [Fact]
    public void Direct_groups_of_a_principal_are_every_group_that_lists_it_as_a_member()
    {
        var index = DirectoryIndex.Build(With([User("u-ada")], [Group("g-a", "u-ada"), Group("g-b"), Group("g-c", "u-ada", "g-a")]));

        Assert.Equal(["g-a", "g-c"], index.DirectGroupsOf("u-ada").Select(g => g.Id));
        Assert.Equal(["g-c"], index.DirectGroupsOf("g-a").Select(g => g.Id));
        Assert.Empty(index.DirectGroupsOf("g-b"));
        Assert.Empty(index.DirectGroupsOf("unknown"));
    }

    [Fact]
    public void Transitive_groups_follow_nesting_and_record_the_chain_that_carries_each()
    {
        // ada -> eng -> staff -> vpn; ada -> vpn directly too.
        var index = DirectoryIndex.Build(With([User("u-ada")],
            [Group("g-eng", "u-ada"), Group("g-staff", "g-eng"), Group("g-vpn", "g-staff", "u-ada")]));

        var memberships = index.TransitiveGroupsOf("u-ada").Select(m => (m.Group.Id, string.Join(">", m.Through.Select(t => t.Id)))).ToList();

        Assert.Equal([("g-eng", ""), ("g-staff", "g-eng"), ("g-vpn", "g-eng>g-staff"), ("g-vpn", "")], memberships);
        Assert.Equal("g-eng", index.TransitiveGroupsOf("u-ada")[2].InheritedFrom!.Id);
    }

    [Fact]
    public void A_cycle_of_groups_ends_and_no_group_contains_itself()
    {
        var index = DirectoryIndex.Build(With([User("u-ada")], [Group("g-a", "u-ada", "g-c"), Group("g-b", "g-a"), Group("g-c", "g-b")]));

        var memberships = index.TransitiveGroupsOf("u-ada").Select(m => (m.Group.Id, string.Join(">", m.Through.Select(t => t.Id)))).ToList();

        Assert.Equal([("g-a", ""), ("g-b", "g-a"), ("g-c", "g-a>g-b")], memberships);
        Assert.DoesNotContain(index.TransitiveGroupsOf("g-a"), m => m.Group.Id == "g-a");
    }

    [Fact]
    public void Grants_ownerships_and_devices_are_found_by_principal()
    {
        DirectorySnapshot snapshot = SnapshotFixtures.Full() with
        {
            DelegatedGrants =
            [
                new SnapshotDelegatedGrant { Id = "dg-mine", ClientId = "sp-hr", ConsentType = "Principal", PrincipalId = "u-ada", ResourceId = "sp-graph" },
                new SnapshotDelegatedGrant { Id = "dg-all", ClientId = "sp-hr", ConsentType = "AllPrincipals", ResourceId = "sp-graph" },
            ],
        };
        var index = DirectoryIndex.Build(snapshot);

        Assert.Equal(["ra-1"], index.RoleAssignmentsOf("u-ada").Select(a => a.Id));
        Assert.Equal(["ara-1"], index.AppRoleAssignmentsOf("g-eng").Select(a => a.Id));
        Assert.Equal(["dg-mine"], index.DelegatedGrantsOf("u-ada").Select(g => g.Id));
        Assert.Equal(["dg-all"], index.AllPrincipalsDelegatedGrants.Select(g => g.Id));
        Assert.Equal(["g-all"], index.GroupsOwnedBy("u-grace").Select(g => g.Id));
        Assert.Equal(["d-1"], index.DevicesOwnedBy("u-ada").Select(d => d.Id));
        Assert.Equal(["d-1"], index.DevicesRegisteredTo("u-ada").Select(d => d.Id));
        Assert.Equal("Global Administrator", index.RoleDefinitionById("62e90394-69f5-4237-9190-012177145e10")!.DisplayName);
        Assert.Equal("SPE_E5", index.SkuById("sku-e5")!.SkuPartNumber);
        Assert.Equal("HR Portal", index.DisplayNameOf("sp-hr"));
        Assert.True(index.AuthenticationRegistrationOf("u-ada")!.IsMfaRegistered);
        Assert.Empty(index.RoleAssignmentsOf("u-grace"));
    }
}
