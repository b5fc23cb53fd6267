using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Tests.Graph;
using IsmsOps.Sandbox;
using Xunit.Abstractions;

namespace IsmsOps.Engine.Tests.Offboarding;

/// <summary>
/// Issue 4's storm guarantee, at the level a job uses (OffboardingService over a workspace): with half of all requests
/// and $batch items answered 429 (with and without Retry-After) or 503, each case either removes everything or ends
/// Failed with every remaining access listed and reported, never silently; the audit trail loses and duplicates
/// nothing; and once the storm ends, Resume finishes every case.
/// </summary>
public sealed class OffboardingFaultStormTests(ITestOutputHelper output)
{
    // Fewer retries than a real connection makes, so that a storm of this strength outlasts some of them and the
    // Failed and Interrupted paths are taken, not only the one where retries win.
    private static readonly GraphReaderOptions FewItemRetries = SandboxGraph.FastRetries with { MaxItemAttempts = 4 };

    [Theory]
    [InlineData(27001)]
    [InlineData(4242)]
    public async Task In_a_storm_of_429_and_503_each_case_is_removed_or_failed_with_what_remains_listed_and_resume_after_the_storm_finishes_it(int seed)
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(
            new SandboxOptions
            {
                UserCount = 100,
                Seed = seed,
                Faults = [SandboxFault.TooManyRequests, SandboxFault.TooManyRequestsWithoutRetryAfter, SandboxFault.ServiceUnavailable],
            },
            FewItemRetries, GraphTestSupport.FastRetry(maxAttempts: 4));
        using var home = new TempWorkspace();
        var service = new OffboardingService(home.Workspace.Offboarding, graph.Connection, FewItemRetries);

        Leaver reference = Leaver.Create(graph.Sandbox.Tenant, cloudGroups: 20);
        await service.StartAsync(await service.PlanAsync(reference.User.Id, null, CancellationToken.None), null, OffboardingUrgency.Standard, null,
            TempWorkspace.Context, CancellationToken.None);
        LeaverFootprint clean = LeaverFootprint.Of(graph.Sandbox.Tenant, reference);

        // Planned before the storm: a plan stores nothing, so one that fails to read is simply made again.
        var leavers = new List<(Leaver Leaver, OffboardingPlan Plan)>();
        for (int i = 0; i < 4; i++)
        {
            Leaver leaver = Leaver.Create(graph.Sandbox.Tenant, cloudGroups: 20);
            leavers.Add((leaver, await service.PlanAsync(leaver.User.Id, null, CancellationToken.None)));
        }

        graph.Sandbox.FaultRate = 0.5;
        var outcomes = new List<string>();
        foreach ((Leaver leaver, OffboardingPlan plan) in leavers)
        {
            OffboardingOutcome outcome;
            try
            {
                outcome = await service.StartAsync(plan, null, OffboardingUrgency.Standard, null, TempWorkspace.Context, CancellationToken.None);
            }
            catch (IsmsException interrupted)
            {
                // Graph stopped answering before the case could be verified: said loudly, and the case is stored Failed.
                Assert.Equal("IsmsOps.Offboarding.Interrupted", interrupted.ErrorId);
                OffboardingCase stored = Assert.Single(await home.Workspace.Offboarding.FindAsync(new OffboardingCaseQuery { UserId = leaver.User.Id }, CancellationToken.None));
                Assert.Equal(OffboardingCaseStatus.Failed, stored.Status);
                Assert.Contains(stored.CaseId, interrupted.RecommendedAction, StringComparison.Ordinal);
                OffboardingAssert.OneSettlingEventPerStep(home.Workspace, stored);
                outcomes.Add($"{stored.CaseId}: interrupted ({interrupted.InnerException?.Message})");
                continue;
            }

            OffboardingAssert.EveryRemovableAccessIsListed(graph.Sandbox.Tenant, leaver, outcome.Verification);
            OffboardingAssert.OneSettlingEventPerStep(home.Workspace, outcome.Case);
            if (outcome.Case.Status == OffboardingCaseStatus.Failed)
            {
                IsmsException error = Assert.IsType<IsmsException>(outcome.ToError());
                Assert.Equal("IsmsOps.Offboarding.StepsFailed", error.ErrorId);
                Assert.All(outcome.Case.Steps.Where(s => !s.IsSettled).Take(10), s => Assert.Contains($"Step {s.Sequence} ", error.Message, StringComparison.Ordinal));
            }
            else
            {
                Assert.True(outcome.Verification.NothingRemovableRemains);
                Assert.Null(outcome.ToError());
            }

            outcomes.Add($"{outcome.Case.CaseId}: {outcome.Case.Status}, {outcome.Case.Steps.Count(s => !s.IsSettled)} step(s) unsettled, "
                + $"{outcome.Verification.Remaining.Count(r => r.RemovableThroughGraph)} removable access(es) listed");
        }

        output.WriteLine(string.Join('\n', outcomes));
        Assert.True(outcomes.Any(o => !o.Contains("Completed", StringComparison.Ordinal)), "The storm was too weak to fail any case: " + string.Join("; ", outcomes));
        graph.Sandbox.FaultRate = 0;
        foreach ((Leaver leaver, _) in leavers)
        {
            OffboardingCase stored = Assert.Single(await home.Workspace.Offboarding.FindAsync(new OffboardingCaseQuery { UserId = leaver.User.Id }, CancellationToken.None));
            OffboardingOutcome resumed = await service.ResumeAsync(stored.CaseId, TempWorkspace.Context, CancellationToken.None);

            Assert.Equal(OffboardingCaseStatus.CompletedWithManualTasks, resumed.Case.Status);
            Assert.True(resumed.Verification.NothingRemovableRemains);
            Assert.Equal(clean, LeaverFootprint.Of(graph.Sandbox.Tenant, leaver));
            OffboardingAssert.OneSettlingEventPerStep(home.Workspace, resumed.Case);
        }

        AuditVerificationResult trail = await home.VerifyAsync();
        Assert.True(trail.IsValid, trail.Message);
    }
}
