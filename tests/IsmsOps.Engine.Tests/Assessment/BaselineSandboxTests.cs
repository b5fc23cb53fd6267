using IsmsOps.Engine.Acknowledgements;
using IsmsOps.Engine.Assessment;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.Roles;
using IsmsOps.Sandbox;
using IsmsOps.Engine.Snapshots;
using IsmsOps.Engine.Tests.Graph;
using IsmsOps.Engine.Tests.Roles;

namespace IsmsOps.Engine.Tests.Assessment;

/// <summary>
/// The whole shipped baseline against the Graph sandbox's generated tenant, live and from a snapshot of it: every
/// control gives an outcome (none errors), the two sources agree, and the tenant's known weaknesses show as failures.
/// </summary>
public sealed class BaselineSandboxTests
{
    private static readonly string Policies = Path.Combine(RoleCatalogFileTests.RepoRoot(), "policies");

    [Fact]
    public async Task The_baseline_evaluates_live_and_from_a_snapshot_with_the_same_outcome_and_no_errors()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 150 });
        using var temp = new TempWorkspace();
        await temp.AddPersonAsync("E1001", "Ada");
        ControlSet baseline = ControlReader.Load([Path.Combine(Policies, "controls")], Policies);
        RoleCatalog catalog = RoleCatalog.Load(Path.Combine(Policies, "roles"));
        AcknowledgementPolicy acknowledgements = AcknowledgementPolicy.Load(Path.Combine(Policies, "acknowledgements.yaml"));
        DateTimeOffset at = DateTimeOffset.UtcNow;
        var request = new AssessmentRequest { Controls = baseline, EvaluatedAt = at };

        AssessmentOutput live = await AssessmentService.RunAsync(request, temp.Workspace, new LiveDirectorySource(graph.Connection), catalog, acknowledgements, null, CancellationToken.None);
        DirectorySnapshot snapshot = await new LiveDirectorySource(graph.Connection).CollectTenantAsync(null, CancellationToken.None);
        string file = Path.Combine(temp.Home, "tenant.json.gz");
        DirectorySnapshotFile.Write(file, snapshot, false, CancellationToken.None);
        AssessmentOutput offline = await AssessmentService.RunAsync(request, temp.Workspace,
            new SnapshotDirectorySource(DirectorySnapshotFile.Read(file, CancellationToken.None)), catalog, acknowledgements, null, CancellationToken.None);

        Assert.Equal(baseline.Controls.Count, live.Results.Count);
        Assert.Empty(live.Results.Where(r => r.Outcome == AssessmentOutcome.Error).Select(r => $"{r.Control.Id}: {r.Message}"));
        Assert.DoesNotContain(live.Results, r => r.SkipReason == AssessmentSkipReason.NotConnected);
        Assert.Equal(Outcomes(live), Outcomes(offline));
        // The generated tenant has accounts no register person owns, and the register holds no review campaigns.
        Assert.Equal(AssessmentOutcome.Fail, live.Results.Single(r => r.Control.Id == "ISMS-ACC-001").Outcome);
        Assert.Equal(AssessmentOutcome.Fail, live.Results.Single(r => r.Control.Id == "ISMS-REV-004").Outcome);
        Assert.True(live.Results.Count(r => r.Outcome is AssessmentOutcome.Pass or AssessmentOutcome.Fail) >= 30,
            "Most of the baseline should be judged against a P2 tenant with a register: " + string.Join(", ", live.Results.Select(r => $"{r.Control.Id}={r.Outcome}{(r.SkipReason == AssessmentSkipReason.None ? "" : "/" + r.SkipReason)}")));
    }

    private static string[] Outcomes(AssessmentOutput output) =>
        output.Results.OrderBy(r => r.Control.Id, StringComparer.Ordinal)
            .Select(r => $"{r.Control.Id}={r.Outcome}/{r.SkipReason}/{r.Findings.Count(f => f.Outcome == AssessmentOutcome.Fail)}").ToArray();
}
