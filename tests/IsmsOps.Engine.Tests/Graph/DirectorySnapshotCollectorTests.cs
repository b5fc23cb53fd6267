using IsmsOps.Engine.Access;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.Snapshots;
using IsmsOps.Engine.Storage;
using IsmsOps.Sandbox;

namespace IsmsOps.Engine.Tests.Graph;

public sealed class DirectorySnapshotCollectorTests
{
    [Fact]
    public async Task A_snapshot_holds_every_user_group_membership_owner_role_app_role_grant_and_device_of_the_tenant()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 400 });
        Sandbox.Directory.Tenant tenant = graph.Sandbox.Tenant;

        DirectorySnapshot snapshot = await new DirectorySnapshotCollector(graph.Reader).CollectAsync(null, CancellationToken.None);

        Assert.Equal(tenant.Id, snapshot.Tenant.TenantId);
        Assert.Empty(snapshot.EvidenceGaps);
        Assert.Equal(tenant.Users.Select(u => u.Id).Order(StringComparer.Ordinal), snapshot.Users.Select(u => u.Id));
        Assert.Equal(tenant.Groups.Count, snapshot.Groups.Count);
        foreach (Sandbox.Directory.DirectoryGroup group in tenant.Groups)
        {
            SnapshotGroup collected = snapshot.Groups.Single(g => g.Id == group.Id);
            Assert.Equal(group.Members.Select(m => m.Id).Order(StringComparer.Ordinal), collected.Members.Select(m => m.Id));
            Assert.Equal(group.Owners.Select(m => m.Id).Order(StringComparer.Ordinal), collected.Owners.Select(m => m.Id));
        }

        Assert.Equal(tenant.Users.Count(u => u.Manager is not null), snapshot.Users.Count(u => u.ManagerId is not null));
        Assert.All(snapshot.Users.Where(u => u.ManagerId is not null), u => Assert.Equal(tenant.FindUser(u.Id)!.Manager!.Id, u.ManagerId));
        Assert.Equal(tenant.RoleAssignments.Select(a => a.Id).Order(), snapshot.RoleAssignments.Where(a => a.State == RoleAssignmentState.Active).Select(a => a.Id).Order());
        Assert.Equal(tenant.RoleEligibilities.Count, snapshot.RoleAssignments.Count(a => a.State == RoleAssignmentState.Eligible));
        Assert.Contains(snapshot.RoleAssignments, a => a.State == RoleAssignmentState.Active && a.EndDateTime is not null);
        Assert.Equal(tenant.AppRoleAssignments.Select(a => a.Id).Order(), snapshot.AppRoleAssignments.Select(a => a.Id).Order());
        Assert.Equal(tenant.OAuth2PermissionGrants.Count, snapshot.DelegatedGrants.Count);
        Assert.Equal(tenant.Devices.Count, snapshot.Devices.Count);
        Assert.Equal(tenant.Users.Count, snapshot.AuthenticationRegistrations.Count);
        Assert.Contains(snapshot.Users, u => u.SignInActivity is not null);
        Assert.Contains(snapshot.Users, u => u.Licenses.Any(l => l.AssignedByGroupId is not null));
        Assert.Contains(snapshot.Users, u => u.Licenses.Any(l => l.AssignedByGroupId is null));
        Assert.Contains(snapshot.Devices, d => d.RegisteredOwnerIds.Count > 0 && d.RegisteredUserIds.Count > 0);
    }

    [Fact]
    public async Task With_a_fifth_of_requests_faulted_the_snapshot_is_identical_to_the_fault_free_one()
    {
        string clean;
        using (SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 300 }))
        {
            clean = Digest(await new DirectorySnapshotCollector(graph.Reader).CollectAsync(null, CancellationToken.None));
        }

        // Every kind of fault, at 20% of requests and of batch items: throttling with and without Retry-After, 503,
        // latency, dropped connections and requests that never answer.
        using SandboxGraph faulty = await SandboxGraph.StartAsync(
            new SandboxOptions
            {
                UserCount = 300,
                FaultRate = 0.2,
                Faults = Enum.GetValues<SandboxFault>(),
                RetryAfterSeconds = 0,
                FaultLatency = TimeSpan.FromMilliseconds(20),
                FaultTimeout = TimeSpan.FromSeconds(2),
            },
            retry: new GraphRetryOptions
            {
                MaxAttempts = 10,
                BaseDelay = TimeSpan.FromMilliseconds(5),
                MaxDelay = TimeSpan.FromMilliseconds(50),
                AttemptTimeout = TimeSpan.FromMilliseconds(500),
            });
        int retried = 0;
        faulty.Connection.Retrying += (_, _) => Interlocked.Increment(ref retried);

        DirectorySnapshot withFaults = await new DirectorySnapshotCollector(faulty.Reader).CollectAsync(null, CancellationToken.None);

        Assert.True(retried > 0, "requests should have been retried by the handler");
        Assert.True(faulty.Reader.ItemRetryCount > 0, "batch items should have been retried by the reader");
        Assert.Equal(clean, Digest(withFaults));
    }

    [Fact]
    public async Task A_tenant_without_P1_or_P2_still_snapshots_and_records_which_evidence_is_missing()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 200, PremiumP1 = false, PremiumP2 = false });

        DirectorySnapshot snapshot = await new DirectorySnapshotCollector(graph.Reader).CollectAsync(null, CancellationToken.None);

        Assert.Equal(200, snapshot.Users.Count);
        Assert.All(snapshot.Users, u => Assert.Null(u.SignInActivity));
        Assert.Empty(snapshot.AuthenticationRegistrations);
        Assert.DoesNotContain(snapshot.RoleAssignments, a => a.State == RoleAssignmentState.Eligible);
        Assert.NotEmpty(snapshot.RoleAssignments);
        Assert.Equal(
            [EvidenceAreas.AuthenticationRegistration, EvidenceAreas.RoleSchedules, EvidenceAreas.SignInActivity],
            snapshot.EvidenceGaps.Select(g => g.Area).Order(StringComparer.Ordinal));
        Assert.All(snapshot.EvidenceGaps, g => Assert.Equal(EvidenceGapReason.NotLicensed, g.Reason));
    }

    [Theory]
    [InlineData("Export-IsmsDirectorySnapshot")]
    [InlineData("Get-IsmsAccess")]
    public async Task The_permissions_the_docs_list_for_a_cmdlet_are_enough_for_it(string cmdlet)
    {
        // The sandbox holds Graph's own table of which permissions each endpoint accepts; granting exactly what
        // docs/graph-permissions.md lists must be enough for the whole collection, with no evidence missing.
        var listed = GraphPermissions.All.Where(p => p.Cmdlets.Contains(cmdlet)).SelectMany(p => p.ApplicationPermissions).ToHashSet();
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 150, GrantedPermissions = listed });

        DirectorySnapshot snapshot = cmdlet == "Get-IsmsAccess"
            ? (await new UserAccessCollector(graph.Reader).CollectAsync(graph.Sandbox.Tenant.Users[0].Id, CancellationToken.None))
            : await new DirectorySnapshotCollector(graph.Reader).CollectAsync(null, CancellationToken.None);

        Assert.DoesNotContain(snapshot.EvidenceGaps, g => g.Reason == EvidenceGapReason.MissingPermission);
    }

    [Fact]
    public async Task A_missing_permission_stops_the_export_names_the_permission_and_writes_no_file()
    {
        var granted = GraphPermissions.All.SelectMany(p => p.ApplicationPermissions)
            .Concat(["Directory.Read.All", "User.Read.All", "Group.Read.All", "GroupMember.Read.All", "AuditLog.Read.All", "Application.Read.All",
                "DelegatedPermissionGrant.Read.All", "Device.Read.All", "Organization.Read.All", "UserAuthenticationMethod.Read.All", "LicenseAssignment.Read.All"])
            .Where(p => !p.StartsWith("RoleManagement.", StringComparison.Ordinal) && p != "Directory.Read.All")
            .ToHashSet();
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 100, GrantedPermissions = granted });
        using var home = new TempWorkspace();
        string file = Path.Combine(home.Home, "tenant.json.gz");

        var error = await Assert.ThrowsAsync<IsmsException>(() => DirectorySnapshotExport.ExportAsync(
            graph.Connection, file, overwrite: false, home.Workspace.Audit, OperationContext.ForCurrentUser(), null, CancellationToken.None, SandboxGraph.FastRetries));

        Assert.Equal("IsmsOps.Graph.Forbidden", error.ErrorId);
        Assert.Contains("RoleManagement.Read.Directory", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
        Assert.Empty(Directory.GetFiles(home.Home, "tenant*"));
        Assert.Empty(home.Workspace.Audit.Find(new AuditEventQuery(), [DirectorySnapshotExport.AuditAction], [], CancellationToken.None));
    }

    [Fact]
    public async Task An_export_round_trips_through_the_file_and_the_audit_trail_cites_its_digest()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 200 });
        using var home = new TempWorkspace();
        string file = Path.Combine(home.Home, "tenant.json.gz");

        DirectorySnapshotSummary summary = await DirectorySnapshotExport.ExportAsync(
            graph.Connection, file, overwrite: false, home.Workspace.Audit, OperationContext.ForCurrentUser(), null, CancellationToken.None);
        LoadedSnapshot read = DirectorySnapshotFile.Read(file, CancellationToken.None);

        Assert.Equal(summary.ContentSha256, read.ContentSha256);
        Assert.True(summary.SponsorsCollected);
        Assert.True(read.Snapshot.SponsorsCollected);
        Assert.Contains(read.Snapshot.Users, u => u.SponsorIds.Count > 0);
        Assert.Equal(200, read.Snapshot.Users.Count);
        Assert.Equal(graph.Sandbox.Tenant.Groups.Sum(g => g.Members.Count), read.Snapshot.Groups.Sum(g => g.Members.Count));
        AuditEvent exported = Assert.Single(home.Workspace.Audit.Find(new AuditEventQuery(), [DirectorySnapshotExport.AuditAction], [], CancellationToken.None));
        Assert.Contains(read.ContentSha256, exported.Details, StringComparison.Ordinal);
        Assert.DoesNotContain(graph.Sandbox.AccessToken, exported.Details, StringComparison.Ordinal);

        var again = await Assert.ThrowsAsync<IsmsException>(() => DirectorySnapshotExport.ExportAsync(
            graph.Connection, file, overwrite: false, home.Workspace.Audit, OperationContext.ForCurrentUser(), null, CancellationToken.None));
        Assert.Equal("IsmsOps.Snapshot.Exists", again.ErrorId);
    }

    [Fact]
    public async Task A_users_live_access_is_the_same_as_that_users_access_in_a_whole_tenant_snapshot()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 300 });
        DirectoryIndex whole = DirectoryIndex.Build(await new DirectorySnapshotCollector(graph.Reader).CollectAsync(null, CancellationToken.None));

        // Users whose access is most tangled: nested groups, roles through role-assignable groups, app roles, devices.
        var users = graph.Sandbox.Tenant.Users
            .OrderByDescending(u => u.TransitiveMemberOf().Count() + graph.Sandbox.Tenant.AppRoleAssignmentsOf(u).Count + u.OwnedGroups.Count)
            .Take(5)
            .Concat(graph.Sandbox.Tenant.Users.Where(u => graph.Sandbox.Tenant.RoleEligibilities.Any(e => e.Principal == u)).Take(2))
            .Concat(graph.Sandbox.Tenant.Users.Where(u => graph.Sandbox.Tenant.RoleAssignments.Any(a => a.Principal == u && a.EndDateTime is not null)).Take(2));
        var source = new LiveDirectorySource(graph.Connection);
        foreach (Sandbox.Directory.DirectoryUser user in users)
        {
            DirectoryIndex live = await source.GetForUserAsync(user.UserPrincipalName, CancellationToken.None);

            Assert.Equal(Describe(AccessInventory.For(whole, user.Id)), Describe(AccessInventory.For(live, user.Id)));
        }
    }

    [Fact]
    public async Task Asking_graph_live_for_a_user_that_does_not_exist_names_the_user_and_the_source()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 100 });

        var error = await Assert.ThrowsAsync<IsmsException>(() =>
            new LiveDirectorySource(graph.Connection).GetForUserAsync("nobody@ismssandbox.onmicrosoft.com", CancellationToken.None));

        Assert.Equal("IsmsOps.Access.UserNotFound", error.ErrorId);
        Assert.Contains("nobody@ismssandbox.onmicrosoft.com", error.Message, StringComparison.Ordinal);
        Assert.Contains(graph.Sandbox.Url, error.Message, StringComparison.Ordinal);
    }

    private static IReadOnlyList<string> Describe(IReadOnlyList<AccessGrant> grants) => grants
        .Select(g => $"{g.Kind}|{g.ResourceId}|{g.Assignment}|{g.InheritedFromGroupId}|{g.Since:O}|{g.Until:O}|{g.Removal}")
        .Order(StringComparer.Ordinal)
        .ToList();

    /// <summary>The content digest of a snapshot, with the collection times and the source URL (a new port per sandbox) held fixed.</summary>
    private static string Digest(DirectorySnapshot snapshot)
    {
        string file = Path.Combine(Path.GetTempPath(), $"ismsops-digest-{Guid.NewGuid():N}.json.gz");
        try
        {
            var fixedTimes = snapshot with { CollectedAt = DateTimeOffset.UnixEpoch, CompletedAt = DateTimeOffset.UnixEpoch, Source = "sandbox" };
            return DirectorySnapshotFile.Write(file, fixedTimes, overwrite: false, CancellationToken.None).ContentSha256;
        }
        finally
        {
            File.Delete(file);
        }
    }
}
