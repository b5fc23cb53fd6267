using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Tests.Graph;
using IsmsOps.Sandbox;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Engine.Tests.Offboarding;

/// <summary>
/// A leaver offboarded for real against the sandbox through <see cref="OffboardingService"/>, with manual tasks
/// (dynamic, synced and mail-enabled groups), one of them confirmed by a person, and the evidence exported to a folder.
/// </summary>
internal sealed class EvidenceScenario : IDisposable
{
    /// <summary>A group name written by someone hostile, as anyone who can rename a group could.</summary>
    public const string HostileName = "<script>alert('pwned')</script><img src=x onerror=alert(2)> & \"Finance\"";

    private EvidenceScenario(SandboxGraph graph, TempWorkspace home, Leaver leaver, string folder)
    {
        Graph = graph;
        Home = home;
        Leaver = leaver;
        Folder = folder;
    }

    public SandboxGraph Graph { get; }

    public TempWorkspace Home { get; }

    public Leaver Leaver { get; }

    public string Folder { get; }

    public OffboardingOutcome Outcome { get; private set; } = null!;

    /// <summary>The case after the confirmation.</summary>
    public OffboardingCase Case { get; private set; } = null!;

    public OffboardingEvidenceExportResult Export { get; private set; } = null!;

    /// <summary>The step a person confirmed.</summary>
    public int ConfirmedSequence { get; private set; }

    public static async Task<EvidenceScenario> CreateAsync(OffboardingUrgency urgency = OffboardingUrgency.Standard, DateTimeOffset? effectiveDate = null)
    {
        SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 120 });
        var home = new TempWorkspace();
        var scenario = new EvidenceScenario(graph, home, Leaver.Create(graph.Sandbox.Tenant, cloudGroups: 4, appRoles: 2), home.Home + "/evidence");
        try
        {
            Directory.CreateDirectory(scenario.Folder);
            Tenant tenant = graph.Sandbox.Tenant;
            var hostile = new DirectoryGroup(tenant.NewId())
            {
                DisplayName = HostileName, MailNickname = "hostile", SecurityEnabled = true, GroupTypes = [], CreatedDateTime = SandboxOrganisation.Now.AddYears(-1),
            };
            tenant.Add(hostile);
            hostile.AddMember(scenario.Leaver.User);

            var service = new OffboardingService(home.Workspace.Offboarding, graph.Connection, SandboxGraph.FastRetries);
            OffboardingPlan plan = await service.PlanAsync(scenario.Leaver.User.Id, null, CancellationToken.None);
            scenario.Outcome = await service.StartAsync(plan, null, urgency, effectiveDate, TempWorkspace.Context, CancellationToken.None);
            OffboardingStep task = scenario.Outcome.Case.Steps.First(s => s.Status == OffboardingStepStatus.ManualTask);
            scenario.ConfirmedSequence = task.Sequence;
            var confirmer = new IsmsOps.Engine.Audit.OperationContext("service.desk@host", null, Guid.NewGuid().ToString("D"));
            scenario.Case = await home.Workspace.Offboarding.ConfirmManualTaskAsync(scenario.Outcome.Case.CaseId, task.Sequence, "Removed in AD, CHG0042",
                confirmer, CancellationToken.None);
            scenario.Export = await scenario.ExportAsync(overwrite: false);
            return scenario;
        }
        catch
        {
            scenario.Dispose();
            throw;
        }
    }

    public Task<OffboardingEvidenceExportResult> ExportAsync(bool overwrite, string? folder = null) =>
        OffboardingEvidenceExport.WriteAsync(Home.Workspace.Offboarding, Home.Workspace.Audit, [], Case.CaseId, folder ?? Folder, overwrite,
            TempWorkspace.Context, CancellationToken.None);

    public Task<OffboardingEvidenceCheck> CheckAsync(string path) =>
        OffboardingEvidenceChecker.CheckAgainstStoreAsync(path, Home.Workspace.Audit, [], CancellationToken.None);

    public void Dispose()
    {
        Home.Dispose();
        Graph.Dispose();
    }
}

/// <summary>One scenario shared by the read-only tests of a class (an offboarding takes a few seconds).</summary>
public sealed class EvidenceFixture : IAsyncLifetime
{
    internal EvidenceScenario Scenario { get; private set; } = null!;

    public async Task InitializeAsync() => Scenario = await EvidenceScenario.CreateAsync();

    public Task DisposeAsync()
    {
        Scenario.Dispose();
        return Task.CompletedTask;
    }
}
