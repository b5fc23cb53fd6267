using IsmsOps.Engine.Acknowledgements;
using IsmsOps.Engine.Assessment;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Snapshots;
using IsmsOps.Engine.Tests.Graph;
using IsmsOps.Engine.Tests.Roles;
using IsmsOps.Sandbox;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Engine.Tests.Assessment;

/// <summary>The shipped controls evaluated end to end: from a snapshot file, live against the sandbox, and with no directory at all.</summary>
public sealed class AssessmentServiceTests : IDisposable
{
    private static readonly string Root = RoleCatalogFileTests.RepoRoot();
    private readonly TempWorkspace _workspace = new();

    public void Dispose() => _workspace.Dispose();

    private static ControlSet Shipped() => ControlReader.Load([Path.Combine(Root, "policies", "controls")], Path.Combine(Root, "policies"));

    private Task<AssessmentOutput> RunAsync(IDirectorySource? directory) =>
        AssessmentService.RunAsync(new AssessmentRequest { Controls = Shipped() }, _workspace.Workspace, directory, RoleCatalog.Empty, AcknowledgementPolicy.Default, null, CancellationToken.None);

    private static ControlResult Result(AssessmentOutput output, string id) => output.Results.Single(r => r.Control.Id == id);

    [Fact]
    public async Task The_shipped_controls_evaluate_the_same_from_a_snapshot_file_and_live_against_the_sandbox()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 150 });
        Tenant tenant = graph.Sandbox.Tenant;
        DirectoryUser owned = tenant.Users.First(u => u.UserType == "Member" && u.AccountEnabled);
        await _workspace.Workspace.People.CreateAsync(new Person
        {
            PersonId = "E1", DisplayName = "Owned", Status = PersonStatus.Active, DirectoryObjectId = owned.Id,
        }, TempWorkspace.Context, CancellationToken.None);
        string file = Path.Combine(_workspace.Home, "tenant.json.gz");
        DirectorySnapshotFile.Write(file, await new DirectorySnapshotCollector(graph.Reader).CollectAsync(null, CancellationToken.None), overwrite: false, CancellationToken.None);

        AssessmentOutput fromSnapshot = await RunAsync(new SnapshotDirectorySource(DirectorySnapshotFile.Read(file, CancellationToken.None)));
        AssessmentOutput live = await RunAsync(new LiveDirectorySource(graph.Connection));

        Assert.Equal(file, fromSnapshot.Run.Source);
        Assert.Equal("live", live.Run.Source);
        Assert.Equal(graph.Sandbox.TenantId, fromSnapshot.Run.TenantId);
        Assert.Equal(["collect", "build", "compile", "evaluate"], fromSnapshot.Run.PhaseTimings.Select(p => p.Key));
        Assert.Equal(fromSnapshot.Results.Select(r => (r.Control.Id, r.Outcome, r.PassCount, r.FailCount)), live.Results.Select(r => (r.Control.Id, r.Outcome, r.PassCount, r.FailCount)));

        // What the sandbox itself holds: enabled member accounts other than break-glass ones, all but one without a person.
        var expectedFails = tenant.Users.Where(u => u.UserType == "Member" && u.AccountEnabled && u.Id != owned.Id && !u.UserPrincipalName.StartsWith("breakglass", StringComparison.OrdinalIgnoreCase))
            .Select(u => u.Id).Order(StringComparer.OrdinalIgnoreCase);
        ControlResult exitReview = Result(fromSnapshot, "ISMS-ACC-001");
        Assert.Equal(expectedFails, exitReview.Findings.Where(f => f.Outcome == AssessmentOutcome.Fail).Select(f => f.ResourceId).Order(StringComparer.OrdinalIgnoreCase));
        Assert.Equal(AssessmentOutcome.Pass, exitReview.Findings.Single(f => f.ResourceId == owned.Id).Outcome);
        Assert.Contains("person.status = (none)", exitReview.Findings.First(f => f.Outcome == AssessmentOutcome.Fail).Message, StringComparison.Ordinal);

        // Held directly, or as a direct member of a group the role is assigned to.
        int globalAdmins = tenant.RoleAssignments.Where(a => a.Role.Id == BuiltInRoles.GlobalAdministrator)
            .SelectMany(a => a.Principal is DirectoryGroup g ? g.Members.OfType<DirectoryUser>() : a.Principal is DirectoryUser u ? [u] : [])
            .Select(u => u.Id).Distinct().Count();
        AssessmentFinding admins = Assert.Single(Result(fromSnapshot, "ISMS-PRV-001").Findings);
        Assert.Contains($"globalAdministratorCount = {globalAdmins}", admins.Message, StringComparison.Ordinal);
        Assert.Equal(globalAdmins is >= 2 and <= 5 ? AssessmentOutcome.Pass : AssessmentOutcome.Fail, admins.Outcome);

        Assert.Equal(AssessmentOutcome.Pass, Result(fromSnapshot, "ISMS-AUD-001").Outcome);
        Assert.Equal((AssessmentOutcome.Skipped, AssessmentSkipReason.NoEvidence), (Result(fromSnapshot, "ISMS-PEO-001").Outcome, Result(fromSnapshot, "ISMS-PEO-001").SkipReason));
        Assert.Equal((AssessmentOutcome.Skipped, AssessmentSkipReason.NoEvidence), (Result(fromSnapshot, "ISMS-REV-001").Outcome, Result(fromSnapshot, "ISMS-REV-001").SkipReason));
    }

    [Fact]
    public async Task Without_a_snapshot_or_a_connection_directory_controls_are_skipped_as_not_connected_and_register_controls_still_run()
    {
        await _workspace.AddPersonAsync("E1");

        AssessmentOutput output = await RunAsync(null);

        Assert.Equal("none", output.Run.Source);
        Assert.All(output.Results.Where(r => r.Control.ResourceType is "account" or "tenant"), r =>
            Assert.Equal((AssessmentOutcome.Skipped, AssessmentSkipReason.NotConnected), (r.Outcome, r.SkipReason)));
        Assert.Equal(AssessmentOutcome.Pass, Result(output, "ISMS-AUD-001").Outcome);
    }

    [Fact]
    public async Task An_edited_audit_trail_fails_the_integrity_control()
    {
        await _workspace.AddPersonAsync("E1");
        await _workspace.AddPersonAsync("E2");
        _workspace.Sql("UPDATE audit_event SET details = details || ' ' WHERE seq = 1;");

        AssessmentOutput output = await RunAsync(null);

        ControlResult trail = Result(output, "ISMS-AUD-001");
        Assert.Equal(AssessmentOutcome.Fail, trail.Outcome);
        Assert.Contains("chainValid = false", Assert.Single(trail.Findings).Message, StringComparison.Ordinal);
    }
}
