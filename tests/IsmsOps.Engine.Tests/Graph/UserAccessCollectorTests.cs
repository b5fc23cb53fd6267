using IsmsOps.Engine.Access;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.Snapshots;
using IsmsOps.Sandbox;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Engine.Tests.Graph;

public sealed class UserAccessCollectorTests
{
    [Fact]
    public async Task Relationships_graph_cuts_at_20_in_an_expansion_are_read_in_full_and_the_live_inventory_matches_the_whole_tenant_one()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 200 });
        Tenant tenant = graph.Sandbox.Tenant;
        DirectoryUser user = tenant.Users.First(u => u.UserType == "Member" && u.MemberOf.Count > 0);
        // More groups than one 'id in (...)' holds; one of them nested in 25 others and holding 25 app roles; a
        // group the user owns with 25 owners.
        var groups = Enumerable.Range(0, 18).Select(i => NewGroup(tenant, $"Wide {i}")).ToList();
        groups.ForEach(g => g.AddMember(user));
        DirectoryGroup nested = groups[0];
        var parents = Enumerable.Range(0, 25).Select(i => NewGroup(tenant, $"Parent {i}")).ToList();
        parents.ForEach(p => p.AddMember(nested));
        for (int i = 0; i < 25; i++)
        {
            ServicePrincipal application = tenant.ServicePrincipals[i % tenant.ServicePrincipals.Count];
            tenant.Add(new AppRoleAssignment
            {
                Id = tenant.NewOpaqueId(), AppRoleId = AppRoleAssignment.DefaultAccessRoleId, Principal = nested, Resource = application, CreatedDateTime = SandboxOrganisation.Now,
            });
        }

        DirectoryGroup team = NewGroup(tenant, "Owned by many");
        team.AddOwner(user);
        foreach (DirectoryUser owner in tenant.Users.Where(u => u != user).Take(24))
        {
            team.AddOwner(owner);
        }

        DirectoryIndex whole = DirectoryIndex.Build(await new DirectorySnapshotCollector(graph.Reader).CollectAsync(null, CancellationToken.None));
        DirectorySnapshot live = await new UserAccessCollector(graph.Reader).CollectAsync(user.Id, CancellationToken.None);

        Assert.Equal(Describe(AccessInventory.For(whole, user.Id)), Describe(AccessInventory.For(DirectoryIndex.Build(live), user.Id)));
        Assert.Equal(25, AccessInventory.For(DirectoryIndex.Build(live), user.Id)
            .Count(g => g.Kind == AccessKind.AppRole && g.InheritedFromGroupId == nested.Id));
        Assert.All(parents, p => Assert.Contains(live.Groups.Single(g => g.Id == p.Id).Members, m => m.Id == nested.Id));
        Assert.Equal(25, live.Groups.Single(g => g.Id == team.Id).Owners.Count);
    }

    [Fact]
    public async Task Without_p1_and_p2_a_live_read_records_the_gaps_and_keeps_the_plain_role_assignments()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 200, PremiumP1 = false, PremiumP2 = false });
        DirectoryUser admin = graph.Sandbox.Tenant.RoleAssignments.Select(a => a.Principal).OfType<DirectoryUser>().First();

        DirectorySnapshot live = await new UserAccessCollector(graph.Reader).CollectAsync(admin.Id, CancellationToken.None);

        Assert.Equal([EvidenceAreas.AuthenticationRegistration, EvidenceAreas.RoleSchedules, EvidenceAreas.SignInActivity],
            live.EvidenceGaps.Select(g => g.Area).Order(StringComparer.Ordinal));
        Assert.Equal(EvidenceGapReason.NotLicensed, live.EvidenceGaps.Single(g => g.Area == EvidenceAreas.RoleSchedules).Reason);
        Assert.Equal(graph.Sandbox.Tenant.RoleAssignments.Count(a => a.Principal == admin), live.RoleAssignments.Count(r => r.PrincipalId == admin.Id));
        Assert.Empty(live.AuthenticationRegistrations);
    }

    [Fact]
    public async Task Throttled_and_failing_batch_items_are_sent_again_and_the_live_read_is_what_it_is_without_faults()
    {
        // The same seed builds the same tenant; only the second one throttles a third of requests and batch items.
        using SandboxGraph calm = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 300 });
        using SandboxGraph stormy = await SandboxGraph.StartAsync(new SandboxOptions
        {
            UserCount = 300, FaultRate = 0.3, Faults = [SandboxFault.TooManyRequests, SandboxFault.TooManyRequestsWithoutRetryAfter, SandboxFault.ServiceUnavailable],
            RetryAfterSeconds = 0,
        });
        DirectoryUser user = calm.Sandbox.Tenant.Users.MaxBy(u => u.TransitiveMemberOf().Count() + calm.Sandbox.Tenant.AppRoleAssignmentsOf(u).Count)!;

        DirectorySnapshot expected = await new UserAccessCollector(calm.Reader).CollectAsync(user.Id, CancellationToken.None);
        DirectorySnapshot actual = await new UserAccessCollector(stormy.Reader).CollectAsync(user.Id, CancellationToken.None);

        Assert.True(stormy.Reader.ItemRetryCount > 0);
        Assert.Equal(Describe(AccessInventory.For(DirectoryIndex.Build(expected), user.Id)), Describe(AccessInventory.For(DirectoryIndex.Build(actual), user.Id)));
        Assert.Equal(expected.EvidenceGaps.Select(g => g.Area), actual.EvidenceGaps.Select(g => g.Area));
    }

    [Fact]
    public async Task An_object_id_that_is_no_user_is_reported_as_an_unknown_user()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 100 });
        string nobody = Guid.NewGuid().ToString();

        var error = await Assert.ThrowsAsync<IsmsException>(() => new LiveDirectorySource(graph.Connection).GetForUserAsync(nobody, CancellationToken.None));

        Assert.Equal("IsmsOps.Access.UserNotFound", error.ErrorId);
        Assert.Contains(nobody, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_refused_read_of_a_required_area_fails_the_read_and_names_the_permission()
    {
        var granted = new[] { "User.Read.All", "GroupMember.Read.All", "Organization.Read.All", "RoleManagement.Read.Directory", "LicenseAssignment.Read.All",
            "Device.Read.All", "AuditLog.Read.All", "DelegatedPermissionGrant.Read.All" };
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 100, GrantedPermissions = granted });

        var error = await Assert.ThrowsAsync<IsmsException>(() =>
            new UserAccessCollector(graph.Reader).CollectAsync(graph.Sandbox.Tenant.Users.First(u => u.MemberOf.Count > 0).Id, CancellationToken.None));

        Assert.Equal("IsmsOps.Graph.Forbidden", error.ErrorId);
        Assert.Contains("Application.Read.All", error.Message, StringComparison.Ordinal);
    }

    private static DirectoryGroup NewGroup(Tenant tenant, string name)
    {
        var group = new DirectoryGroup(tenant.NewId())
        {
            DisplayName = name, MailNickname = new string(name.Where(char.IsLetterOrDigit).ToArray()), SecurityEnabled = true, CreatedDateTime = SandboxOrganisation.Now,
        };
        tenant.Add(group);
        return group;
    }

    private static IReadOnlyList<string> Describe(IReadOnlyList<AccessGrant> grants) => grants
        .Select(g => $"{g.Kind}|{g.ResourceId}|{g.Assignment}|{g.InheritedFromGroupId}|{g.Since:O}|{g.Until:O}|{g.Removal}")
        .Order(StringComparer.Ordinal)
        .ToList();
}
