using IsmsOps.Engine.Acknowledgements;
using IsmsOps.Engine.Assessment;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Snapshots;
using IsmsOps.Engine.Tests.Graph;
using IsmsOps.Engine.Tests.Roles;
using IsmsOps.Sandbox;

namespace IsmsOps.Engine.Tests.Assessment;

/// <summary>
/// ISMS-GST-001 (every guest has a sponsor) against the sandbox tenant, which sponsors two guests in three: judged
/// per guest when the snapshot collected sponsors, Skipped (NoEvidence) on a snapshot written before it did.
/// </summary>
public sealed class GuestSponsorAssessmentTests
{
    private static readonly string Policies = Path.Combine(RoleCatalogFileTests.RepoRoot(), "policies");

    [Fact]
    public async Task A_live_assessment_passes_sponsored_guests_and_fails_exactly_the_unsponsored_ones()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 150 });
        using var temp = new TempWorkspace();

        ControlResult result = await RunAsync(temp, new LiveDirectorySource(graph.Connection));

        var guests = graph.Sandbox.Tenant.Users.Where(u => u.UserType == "Guest" && u.AccountEnabled).ToList();
        string[] unsponsored = guests.Where(g => g.Sponsors.Count == 0).Select(g => g.Id).Order(StringComparer.Ordinal).ToArray();
        string[] sponsored = guests.Where(g => g.Sponsors.Count > 0).Select(g => g.Id).Order(StringComparer.Ordinal).ToArray();
        Assert.NotEmpty(unsponsored);
        Assert.NotEmpty(sponsored);
        Assert.Equal(AssessmentOutcome.Fail, result.Outcome);
        Assert.Equal(unsponsored, Ids(result, AssessmentOutcome.Fail));
        Assert.Equal(sponsored, Ids(result, AssessmentOutcome.Pass));
    }

    [Fact]
    public async Task A_snapshot_written_before_sponsors_were_collected_leaves_the_sponsor_control_skipped_for_lack_of_evidence()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 100 });
        using var temp = new TempWorkspace();
        DirectorySnapshot collected = await new LiveDirectorySource(graph.Connection).CollectTenantAsync(null, CancellationToken.None);
        // What an older file reads as: no sponsorsCollected, and no sponsorIds on any guest.
        DirectorySnapshot older = collected with { SponsorsCollected = false, Users = collected.Users.Select(u => u with { SponsorIds = [] }).ToList() };

        string file = Path.Combine(temp.Home, "older.json.gz");
        DirectorySnapshotFile.Write(file, older, false, CancellationToken.None);

        ControlResult result = await RunAsync(temp, new SnapshotDirectorySource(DirectorySnapshotFile.Read(file, CancellationToken.None)));

        Assert.Equal(AssessmentOutcome.Skipped, result.Outcome);
        Assert.Equal(AssessmentSkipReason.NoEvidence, result.SkipReason);
        Assert.Empty(result.Findings);
    }

    private static async Task<ControlResult> RunAsync(TempWorkspace temp, IDirectorySource directory)
    {
        ControlSet controls = ControlSelection.Resolve(["ISMS-GST-001"], Path.Combine(Policies, "controls"), Policies);
        RoleCatalog catalog = RoleCatalog.Load(Path.Combine(Policies, "roles"));
        AcknowledgementPolicy acknowledgements = AcknowledgementPolicy.Load(Path.Combine(Policies, "acknowledgements.yaml"));
        var request = new AssessmentRequest { Controls = controls, EvaluatedAt = DateTimeOffset.UtcNow };
        AssessmentOutput output = await AssessmentService.RunAsync(request, temp.Workspace, directory, catalog, acknowledgements, null, CancellationToken.None);
        return Assert.Single(output.Results);
    }

    private static string[] Ids(ControlResult result, AssessmentOutcome outcome) =>
        result.Findings.Where(f => f.Outcome == outcome).Select(f => f.ResourceId).Order(StringComparer.Ordinal).ToArray();
}
