using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Storage;
using IsmsOps.Engine.Tests.Graph;

namespace IsmsOps.Engine.Tests.Offboarding;

/// <summary>
/// How often exporting and checking evidence read the whole audit trail, counted by a store wrapper (no timing): once
/// per command however many cases it handles, and again only when the store changed under it.
/// </summary>
public sealed class OffboardingEvidenceTrailReadTests
{
    private sealed record Counted(IIsmsStore Store, CountingStore Counter, AuditTrail Audit, OffboardingRegister Register);

    private static Counted Count(TempWorkspace home)
    {
        (IIsmsStore store, CountingStore counter) = CountingStore.Wrap(home.Workspace.Store);
        var audit = new AuditTrail(store, CheckpointSigner.LoadOrCreate(home.Location.SigningKeyPath), home.Location.HeadWitnessPath);
        return new Counted(store, counter, audit, new OffboardingRegister(store, audit));
    }

    // The scenario's leaver plus two more, all offboarded in the same store.
    private static async Task<List<string>> ThreeCasesAsync(EvidenceScenario s)
    {
        var service = new OffboardingService(s.Home.Workspace.Offboarding, s.Graph.Connection, SandboxGraph.FastRetries);
        var cases = new List<string> { s.Case.CaseId };
        for (int i = 0; i < 2; i++)
        {
            Leaver leaver = Leaver.Create(s.Graph.Sandbox.Tenant, cloudGroups: 2, appRoles: 1, directLicences: 1, everything: false);
            OffboardingPlan plan = await service.PlanAsync(leaver.User.Id, null, CancellationToken.None);
            cases.Add((await service.StartAsync(plan, null, OffboardingUrgency.Standard, null, TempWorkspace.Context, CancellationToken.None)).Case.CaseId);
        }

        return cases;
    }

    [Fact]
    public async Task Three_cases_exported_and_their_three_records_checked_read_the_whole_trail_once_per_command()
    {
        using EvidenceScenario s = await EvidenceScenario.CreateAsync();
        List<string> cases = await ThreeCasesAsync(s);
        Counted counted = Count(s.Home);
        string folder = Directory.CreateDirectory(Path.Combine(s.Home.Home, "three")).FullName;

        var exporting = new OffboardingTrailReading(counted.Audit, []);
        var exported = new List<OffboardingEvidenceExportResult>();
        foreach (string caseId in cases)
        {
            exported.Add(await OffboardingEvidenceExport.WriteAsync(counted.Register, exporting, caseId, folder, false, TempWorkspace.Context, CancellationToken.None));
        }

        int afterExport = counted.Counter.WholeTrailReads;
        var checking = new OffboardingTrailReading(counted.Audit, []);
        var checks = new List<OffboardingEvidenceCheck>();
        foreach (OffboardingEvidenceExportResult result in exported)
        {
            checks.Add(await OffboardingEvidenceChecker.CheckAgainstStoreAsync(result.JsonPath, checking, CancellationToken.None));
        }

        Assert.Equal(1, afterExport);
        Assert.Equal(1, exporting.TrailReads);
        Assert.Equal(2, counted.Counter.WholeTrailReads);
        Assert.Equal(1, checking.TrailReads);
        Assert.All(checks, c => Assert.True(c.Valid, c.Message));
        // Each record is the one its export audited, though the exports of the others came after the reading.
        Assert.All(checks, c => Assert.Contains(c.Findings, f => f.Field == "sha256" && f.Message.Contains("is the one exported at event", StringComparison.Ordinal)));
        Assert.Equal(cases, checks.Select(c => c.CaseId));
    }

    [Fact]
    public async Task Records_checked_offline_in_one_command_read_the_exported_trail_once_so_later_records_need_no_file()
    {
        using EvidenceScenario s = await EvidenceScenario.CreateAsync();
        List<string> cases = await ThreeCasesAsync(s);
        string folder = Directory.CreateDirectory(Path.Combine(s.Home.Home, "offline")).FullName;
        var exporting = new OffboardingTrailReading(s.Home.Workspace.Audit, []);
        var paths = new List<string>();
        foreach (string caseId in cases)
        {
            paths.Add((await OffboardingEvidenceExport.WriteAsync(s.Home.Workspace.Offboarding, exporting, caseId, folder, false, TempWorkspace.Context,
                CancellationToken.None)).JsonPath);
        }

        string trail = Path.Combine(s.Home.Home, "trail.jsonl");
        AuditExportResult written = await s.Home.Workspace.Audit.ExportAsync(trail, overwrite: false, CancellationToken.None);
        var offline = OffboardingTrailReading.OfExport(trail, [s.Home.Workspace.Audit.SigningKeyId]);

        OffboardingEvidenceCheck first = await OffboardingEvidenceChecker.CheckAgainstReadingAsync(paths[0], offline, CancellationToken.None);
        // Gone after the first record: the others can only be judged from the reading the command already holds.
        File.Delete(trail);
        File.Delete(AuditExport.ManifestPathFor(trail));
        OffboardingEvidenceCheck second = await OffboardingEvidenceChecker.CheckAgainstReadingAsync(paths[1], offline, CancellationToken.None);
        OffboardingEvidenceCheck third = await OffboardingEvidenceChecker.CheckAgainstReadingAsync(paths[2], offline, CancellationToken.None);

        Assert.All(new[] { first, second, third }, c => Assert.True(c.Valid, c.Message));
        Assert.All(new[] { first, second, third }, c => Assert.Equal(trail, c.TrailSource));
        Assert.Equal(1, offline.TrailReads);
        Assert.True(written.EventCount > 0);
    }

    [Fact]
    public async Task One_case_exported_or_checked_on_its_own_reads_the_whole_trail_once_not_twice()
    {
        using EvidenceScenario s = await EvidenceScenario.CreateAsync();
        Counted counted = Count(s.Home);
        string folder = Directory.CreateDirectory(Path.Combine(s.Home.Home, "one")).FullName;

        OffboardingEvidenceExportResult result = await OffboardingEvidenceExport.WriteAsync(counted.Register, counted.Audit, [], s.Case.CaseId, folder, false,
            TempWorkspace.Context, CancellationToken.None);
        int afterExport = counted.Counter.WholeTrailReads;
        OffboardingEvidenceCheck check = await OffboardingEvidenceChecker.CheckAgainstStoreAsync(result.JsonPath, counted.Audit, [], CancellationToken.None);

        Assert.True(check.Valid, check.Message);
        Assert.Equal(1, afterExport);
        Assert.Equal(2, counted.Counter.WholeTrailReads);
    }

    [Fact]
    public async Task A_case_changed_after_the_command_read_the_trail_is_exported_from_a_fresh_read_not_refused_as_edited()
    {
        using EvidenceScenario s = await EvidenceScenario.CreateAsync();
        List<string> cases = await ThreeCasesAsync(s);
        Counted counted = Count(s.Home);
        string folder = Directory.CreateDirectory(Path.Combine(s.Home.Home, "changed")).FullName;
        var reading = new OffboardingTrailReading(counted.Audit, []);

        await OffboardingEvidenceExport.WriteAsync(counted.Register, reading, cases[1], folder, false, TempWorkspace.Context, CancellationToken.None);
        // Another administrator confirms a manual task of the first case while the command runs.
        OffboardingStep open = s.Case.Steps.First(st => st.Status == OffboardingStepStatus.ManualTask);
        await s.Home.Workspace.Offboarding.ConfirmManualTaskAsync(s.Case.CaseId, open.Sequence, "Removed by hand, CHG0043",
            new OperationContext("second.admin@host", null, Guid.NewGuid().ToString("D")), CancellationToken.None);
        OffboardingEvidenceExportResult fresh = await OffboardingEvidenceExport.WriteAsync(counted.Register, reading, s.Case.CaseId, folder, false,
            TempWorkspace.Context, CancellationToken.None);
        await OffboardingEvidenceExport.WriteAsync(counted.Register, reading, cases[2], folder, false, TempWorkspace.Context, CancellationToken.None);

        OffboardingEvidence record = OffboardingEvidenceFile.Read(fresh.JsonPath).Record;
        Assert.Equal("second.admin@host", record.Steps.Single(st => st.Sequence == open.Sequence).ConfirmedBy);
        Assert.Equal(2, reading.TrailReads);
        Assert.Equal(2, counted.Counter.WholeTrailReads);
        Assert.True((await OffboardingEvidenceChecker.CheckAgainstStoreAsync(fresh.JsonPath, s.Home.Workspace.Audit, [], CancellationToken.None)).Valid);
    }
}
