using IsmsOps.Engine.Access;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.Tests.Graph;
using IsmsOps.Engine.Tests.Offboarding;
using IsmsOps.Sandbox;
using IsmsOps.Sandbox.Directory;
using Xunit.Abstractions;

namespace IsmsOps.Engine.Tests.Access;

/// <summary>
/// Deny decisions applied through the offboarding removal machinery, for many principals at once, judged by what the
/// sandbox tenant holds afterwards.
/// </summary>
public sealed class AccessRemovalServiceTests(ITestOutputHelper output)
{
    private const int Leavers = 12;

    [Fact]
    public async Task A_mix_of_kinds_across_many_users_is_removed_twenty_to_a_batch_and_each_request_gets_exactly_one_result()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 200 });
        List<Leaver> leavers = CreateLeavers(graph.Sandbox.Tenant);
        List<AccessRemovalRequest> requests = leavers.SelectMany(Requests).ToList();
        var reported = new List<AccessRemovalResult>();
        var service = new AccessRemovalService(graph.Connection, SandboxGraph.FastRetries);

        AccessRemovalSummary summary = await service.RemoveAsync(requests, (settled, _) =>
        {
            reported.AddRange(settled);
            return Task.CompletedTask;
        }, CancellationToken.None);

        Tenant tenant = graph.Sandbox.Tenant;
        foreach (Leaver leaver in leavers)
        {
            AssertDeniedAccessIsGone(tenant, leaver);
        }

        Assert.Equal(requests.Select(r => r.Key), summary.Results.Select(r => r.Key));
        Assert.Equal(requests.Select(r => r.Key).Order(), reported.Select(r => r.Key).Order());
        AccessRemovalResult[] notRemovable = summary.Results.Where(r => r.Outcome == AccessRemovalOutcome.NotRemovableByGraph).ToArray();
        Assert.Equal(Leavers * 6, notRemovable.Length);
        Assert.All(summary.Results.Except(notRemovable), r => Assert.Equal(AccessRemovalOutcome.AppliedSuccessfully, r.Outcome));
        Assert.All(summary.Results.Except(notRemovable), r =>
        {
            Assert.NotNull(r.GraphRequestId);
            Assert.True(r.Attempts >= 1);
            Assert.NotNull(r.CompletedAt);
        });

        Leaver first = leavers[0];
        Assert.Equal(NotRemovableReason.DynamicRule, Result(summary, first, first.DynamicGroup.Id).NotRemovableBecause);
        Assert.Equal(NotRemovableReason.OnPremisesSync, Result(summary, first, first.SyncedGroup.Id).NotRemovableBecause);
        Assert.Equal(NotRemovableReason.ExchangeOnline, Result(summary, first, first.MailEnabledGroup.Id).NotRemovableBecause);
        Assert.Contains("Exchange Online", Result(summary, first, first.MailEnabledGroup.Id).Reason);
        Assert.Equal(NotRemovableReason.GroupBasedLicense, Result(summary, first, LicenceCatalogue.Microsoft365E5.ToString()).NotRemovableBecause);
        Assert.Equal(NotRemovableReason.LastOwner, Result(summary, first, first.OwnedTeam.Id, "owner").NotRemovableBecause);
        AccessRemovalResult inherited = Result(summary, first, first.CloudGroups[0].Id, "inherited");
        Assert.Equal(NotRemovableReason.Inherited, inherited.NotRemovableBecause);
        Assert.Contains(first.LicensingGroup.DisplayName, inherited.Reason);
        Assert.Equal(0, inherited.Attempts);

        // The inherited item was answered without Graph; every other went out in a full $batch but the last.
        int sent = requests.Count - Leavers;
        output.WriteLine($"{requests.Count} requests, {sent} sent, {summary.GraphRequests} HTTP requests");
        Assert.Equal((sent + GraphReaderOptions.MaximumBatchSize - 1) / GraphReaderOptions.MaximumBatchSize, summary.GraphRequests);
    }

    [Fact]
    public async Task Running_the_same_requests_again_after_a_crash_changes_nothing_twice_and_reports_what_is_gone_as_already_removed()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 200 });
        List<Leaver> leavers = CreateLeavers(graph.Sandbox.Tenant);
        List<AccessRemovalRequest> requests = leavers.SelectMany(Requests).ToList();
        var service = new AccessRemovalService(graph.Connection, SandboxGraph.FastRetries with { MaxConcurrency = 2 });

        // The caller's store fails after a few batches: the run stops, and some removals were made but never stored.
        int calls = 0;
        await Assert.ThrowsAsync<IOException>(() => service.RemoveAsync(requests, (_, _) =>
            ++calls > 3 ? throw new IOException("disk full") : Task.CompletedTask, CancellationToken.None));

        AccessRemovalSummary second = await service.RemoveAsync(requests, null, CancellationToken.None);
        foreach (Leaver leaver in leavers)
        {
            AssertDeniedAccessIsGone(graph.Sandbox.Tenant, leaver);
        }

        Assert.Contains(second.Results, r => r.Outcome == AccessRemovalOutcome.AlreadyRemoved);
        Assert.Contains(second.Results, r => r.Outcome == AccessRemovalOutcome.AppliedSuccessfully);
        Assert.DoesNotContain(second.Results, r => r.Outcome == AccessRemovalOutcome.Failed);
        string state = TenantState(graph.Sandbox.Tenant, leavers);

        AccessRemovalSummary third = await service.RemoveAsync(requests, null, CancellationToken.None);

        Assert.Equal(state, TenantState(graph.Sandbox.Tenant, leavers));
        Assert.All(third.Results, r => Assert.True(r.Outcome is AccessRemovalOutcome.AlreadyRemoved or AccessRemovalOutcome.NotRemovableByGraph,
            $"{r.Key}: {r.Outcome} {r.Reason}"));
        Assert.Equal(second.Results.Count(r => r.Outcome != AccessRemovalOutcome.NotRemovableByGraph), third.Count(AccessRemovalOutcome.AlreadyRemoved));
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public async Task In_a_storm_of_429_and_503_every_request_settles_and_the_tenant_ends_as_without_the_storm(int seed)
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions
        {
            UserCount = 200, Seed = seed, Faults = [SandboxFault.TooManyRequests, SandboxFault.TooManyRequestsWithoutRetryAfter, SandboxFault.ServiceUnavailable],
            RetryAfterSeconds = 0,
        }, retry: GraphTestSupport.FastRetry(maxAttempts: 10));
        List<Leaver> leavers = CreateLeavers(graph.Sandbox.Tenant);
        List<AccessRemovalRequest> requests = leavers.SelectMany(Requests).ToList();
        var service = new AccessRemovalService(graph.Connection, SandboxGraph.FastRetries with { MaxItemAttempts = 12 });
        var reported = new List<string>();

        graph.Sandbox.FaultRate = 0.3;
        AccessRemovalSummary summary = await service.RemoveAsync(requests, (settled, _) =>
        {
            reported.AddRange(settled.Select(r => r.Key));
            return Task.CompletedTask;
        }, CancellationToken.None);
        graph.Sandbox.FaultRate = 0;

        output.WriteLine($"{requests.Count} requests: {summary.GraphRequests} HTTP requests, {summary.Results.Sum(r => r.Attempts)} item attempts");
        Assert.Equal(requests.Select(r => r.Key).Order(), reported.Order());
        Assert.All(summary.Results, r => Assert.True(r.Outcome != AccessRemovalOutcome.Failed, $"{r.Key}: {r.Reason}"));
        Assert.Contains(summary.Results, r => r.Attempts > 1);
        foreach (Leaver leaver in leavers)
        {
            AssertDeniedAccessIsGone(graph.Sandbox.Tenant, leaver);
        }

        AccessRemovalSummary again = await service.RemoveAsync(requests, null, CancellationToken.None);
        Assert.DoesNotContain(again.Results, r => r.Outcome is AccessRemovalOutcome.AppliedSuccessfully or AccessRemovalOutcome.Failed);
    }

    [Fact]
    public async Task A_missing_permission_fails_only_the_requests_that_need_it_with_the_permission_and_request_id()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions
        {
            UserCount = 200,
            GrantedPermissions =
            [
                "Organization.Read.All", "User.ReadWrite.All", "GroupMember.ReadWrite.All", "Group.ReadWrite.All",
                "AppRoleAssignment.ReadWrite.All", "DelegatedPermissionGrant.ReadWrite.All", "LicenseAssignment.ReadWrite.All",
            ],
        });
        List<Leaver> leavers = CreateLeavers(graph.Sandbox.Tenant, count: 4);
        List<AccessRemovalRequest> requests = leavers.SelectMany(Requests).ToList();

        AccessRemovalSummary summary = await new AccessRemovalService(graph.Connection, SandboxGraph.FastRetries).RemoveAsync(requests, null, CancellationToken.None);

        AccessRemovalResult[] roles = summary.Results.Where(r => r.Request.Kind == AccessKind.DirectoryRole).ToArray();
        Assert.Equal(leavers.Count * 3, roles.Length);
        Assert.All(roles, r =>
        {
            Assert.Equal(AccessRemovalOutcome.Failed, r.Outcome);
            Assert.Contains("RoleManagement.ReadWrite.Directory", r.Reason);
            Assert.NotNull(r.GraphRequestId);
        });
        Assert.DoesNotContain(summary.Results.Except(roles), r => r.Outcome == AccessRemovalOutcome.Failed);
        Tenant tenant = graph.Sandbox.Tenant;
        foreach (Leaver leaver in leavers)
        {
            Assert.Contains(leaver.PermanentRole, tenant.RoleAssignments);
            Assert.Contains(leaver.TimeBoundRole, tenant.RoleAssignments);
            Assert.Contains(leaver.EligibleRole, tenant.RoleEligibilities);
            Assert.All(leaver.CloudGroups, g => Assert.False(g.HasMember(leaver.User.Id)));
            Assert.Empty(tenant.AppRoleAssignmentsOf(leaver.User));
            Assert.Empty(leaver.User.DirectLicenses);
        }
    }

    [Fact]
    public async Task Two_requests_with_one_key_are_refused_before_anything_is_sent()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 200 });
        Leaver leaver = Leaver.Create(graph.Sandbox.Tenant, cloudGroups: 2, everything: false);
        List<AccessRemovalRequest> requests = Requests(leaver).Where(r => r.Kind == AccessKind.GroupMembership).ToList();
        requests.Add(requests[0] with { ResourceId = leaver.CloudGroups[1].Id });
        var service = new AccessRemovalService(graph.Connection, SandboxGraph.FastRetries);

        IsmsException error = await Assert.ThrowsAsync<IsmsException>(() => service.RemoveAsync(requests, null, CancellationToken.None));

        Assert.Equal("IsmsOps.AccessRemoval.DuplicateKey", error.ErrorId);
        Assert.Contains($"Request {requests.Count} repeats the key", error.Message);
        Assert.Equal(0, service.RequestCount);
        Assert.All(leaver.CloudGroups, g => Assert.True(g.HasMember(leaver.User.Id)));
    }

    private static List<Leaver> CreateLeavers(Tenant tenant, int count = Leavers) =>
        Enumerable.Range(0, count).Select(_ => Leaver.Create(tenant, cloudGroups: 8, appRoles: 2)).ToList();

    /// <summary>
    /// Every kind of access the leaver holds, as Deny decisions: the removable ones, the groups another system owns
    /// (not flagged, so Graph's refusal has to reveal them), the group-based licence, the last ownership of a team, and
    /// one membership flagged as inherited through the licensing group.
    /// </summary>
    private static IEnumerable<AccessRemovalRequest> Requests(Leaver leaver)
    {
        string user = leaver.User.Id;
        AccessRemovalRequest Request(string what, AccessKind kind, string resource, string? assignment = null) => new()
        {
            Key = $"{user}/{what}/{resource}", UserId = user, Kind = kind, ResourceId = resource, AssignmentId = assignment,
        };

        // The licensing group's membership is kept, so the licence it gives is still there to be refused.
        foreach (DirectoryGroup group in leaver.User.MemberOf.Where(g => g != leaver.LicensingGroup).ToList())
        {
            yield return Request("member", AccessKind.GroupMembership, group.Id);
        }

        if (leaver.OwnedTeam is not null)
        {
            yield return Request("owner", AccessKind.GroupOwnership, leaver.OwnedTeam.Id);
            yield return Request("inherited", AccessKind.GroupMembership, leaver.CloudGroups[0].Id) with
            {
                Assignment = AssignmentType.Inherited, InheritedFromGroupId = leaver.LicensingGroup.Id, InheritedFromGroupName = leaver.LicensingGroup.DisplayName,
            };
            yield return Request("licence", AccessKind.License, LicenceCatalogue.Microsoft365E5.ToString());
        }

        yield return Request("role", AccessKind.DirectoryRole, leaver.PermanentRole.Role.Id, leaver.PermanentRole.Id);
        yield return Request("role", AccessKind.DirectoryRole, leaver.TimeBoundRole.Role.Id, leaver.TimeBoundRole.Id) with
        {
            Detail = leaver.TimeBoundRole.EndDateTime!.Value.ToString("O"),
        };
        yield return Request("eligible", AccessKind.DirectoryRole, leaver.EligibleRole.Role.Id, leaver.EligibleRole.Id) with { Assignment = AssignmentType.Eligible };
        foreach (AppRoleAssignment appRole in leaver.AppRoles)
        {
            yield return Request("app", AccessKind.AppRole, appRole.Resource.Id, appRole.Id);
        }

        if (leaver.DelegatedGrant is { } grant)
        {
            yield return Request("grant", AccessKind.DelegatedGrant, grant.ClientId, grant.Id);
        }

        foreach (AssignedLicense licence in leaver.User.DirectLicenses.ToList())
        {
            yield return Request("licence", AccessKind.License, licence.SkuId.ToString());
        }
    }

    private static AccessRemovalResult Result(AccessRemovalSummary summary, Leaver leaver, string resource, string? what = null) =>
        summary.Results.Single(r => r.Request.UserId == leaver.User.Id && r.Request.ResourceId == resource && (what is null || r.Key.Contains($"/{what}/", StringComparison.Ordinal)));

    private static void AssertDeniedAccessIsGone(Tenant tenant, Leaver leaver)
    {
        DirectoryUser user = leaver.User;
        Assert.Equal(new[] { leaver.DynamicGroup, leaver.SyncedGroup, leaver.MailEnabledGroup, leaver.LicensingGroup }.Select(g => g.Id).Order(),
            user.MemberOf.Select(g => g.Id).Order());
        Assert.Equal([LicenceCatalogue.Microsoft365E5], user.AssignedLicenses().Select(l => l.SkuId));
        Assert.Equal([user], leaver.OwnedTeam.Owners);
        Assert.DoesNotContain(tenant.RoleAssignments, a => a.Principal == user);
        Assert.DoesNotContain(tenant.RoleEligibilities, e => e.Principal == user);
        Assert.Empty(tenant.AppRoleAssignmentsOf(user));
        Assert.DoesNotContain(tenant.OAuth2PermissionGrants, g => g.PrincipalId == user.Id);
        Assert.Empty(user.DirectLicenses);
        Assert.True(user.AccountEnabled, "a Deny removes access; it does not disable the account");
    }

    private static string TenantState(Tenant tenant, IEnumerable<Leaver> leavers) => string.Join("\n", leavers.Select(leaver =>
    {
        DirectoryUser user = leaver.User;
        return string.Join(";",
            "memberOf=" + string.Join(",", user.MemberOf.Select(g => g.Id).Order()),
            "owns=" + string.Join(",", user.OwnedGroups.Select(g => g.Id).Order()),
            "roles=" + tenant.RoleAssignments.Count(a => a.Principal == user) + "/" + tenant.RoleEligibilities.Count(e => e.Principal == user),
            "appRoles=" + tenant.AppRoleAssignmentsOf(user).Count,
            "grants=" + tenant.OAuth2PermissionGrants.Count(g => g.PrincipalId == user.Id),
            "licences=" + string.Join(",", user.AssignedLicenses().Select(l => l.SkuId).Order()));
    }));
}
