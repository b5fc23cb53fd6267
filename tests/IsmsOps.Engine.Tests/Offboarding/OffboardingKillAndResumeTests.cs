using System.Diagnostics;
using System.Text.Json;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Storage;
using IsmsOps.Sandbox;
using IsmsOps.Sandbox.Directory;
using Xunit.Abstractions;

namespace IsmsOps.Engine.Tests.Offboarding;

/// <summary>
/// Issue 4's crash guarantee, with real crashes: the bundled host (<c>dotnet out/isms/isms.dll</c>) offboards a leaver
/// against a sandbox in this process and is killed (SIGKILL, whole process tree) at seeded random points, then run
/// again until the case is closed. The sandbox's own state, the stored case and the audit trail are then checked
/// against a run that was never killed.
/// </summary>
public sealed class OffboardingKillAndResumeTests(ITestOutputHelper output)
{
    private const int KillsWanted = 12;
    private const int KillsPerLeaver = 4;
    private const int MaximumLeavers = 8;

    // Start the case, or carry on the open one: what a scheduled job re-run after a crash does.
    private const string Script = """
        $ErrorActionPreference = 'Stop'
        Connect-IsmsGraph -Sandbox @{ Url = $env:ISMS_TEST_GRAPH_URL; AccessToken = $env:ISMS_TEST_GRAPH_TOKEN }
        $open = @(Get-IsmsOffboarding -Open | Where-Object { $_.UserId -eq $env:ISMS_TEST_LEAVER })
        if ($open.Count -gt 0) {
            $case = Resume-IsmsOffboarding -CaseId $open[0].CaseId -Confirm:$false
        } else {
            $case = Start-IsmsOffboarding -UserId $env:ISMS_TEST_LEAVER -Confirm:$false
        }
        "CASE=$($case.CaseId) STATUS=$($case.Status)"
        """;

    [Fact]
    public async Task A_host_killed_at_random_points_at_least_ten_times_resumes_every_case_to_the_state_of_an_unkilled_run()
    {
        int seed = Environment.GetEnvironmentVariable("ISMSOPS_KILL_SEED") is { Length: > 0 } fixedSeed
            ? int.Parse(fixedSeed, System.Globalization.CultureInfo.InvariantCulture)
            : Random.Shared.Next();
        output.WriteLine($"Kill seed {seed} (set ISMSOPS_KILL_SEED={seed} to replay the same kill points).");
        var random = new Random(seed);

        // Every request (and every $batch item) takes 5 ms longer, which widens the windows a kill can land in: inside
        // a Graph call, between Graph's answer and the store write, and inside the write.
        using var sandbox = GraphSandbox.Start(new SandboxOptions
        {
            UserCount = 100, FaultRate = 1, Faults = [SandboxFault.Latency], FaultLatency = TimeSpan.FromMilliseconds(5),
        });
        string home = Directory.CreateTempSubdirectory("ismsops-kill-").FullName;
        try
        {
            Leaver reference = Leaver.Create(sandbox.Tenant, cloudGroups: 20);
            HostRun unkilled = RunHost(sandbox, home, reference.User.Id, kill: null);
            Assert.True(unkilled.ExitCode == 0, unkilled.ToString());
            Footprint expected = Footprint.Of(sandbox.Tenant, reference);

            var leavers = new List<Leaver>();
            var log = new List<string>();
            int kills = 0;
            while ((kills < KillsWanted || leavers.Count < 3) && leavers.Count < MaximumLeavers)
            {
                Leaver leaver = Leaver.Create(sandbox.Tenant, cloudGroups: 20);
                leavers.Add(leaver);
                int killsOfThisLeaver = 0;
                for (int run = 1; ; run++)
                {
                    Assert.True(run <= 30, $"Leaver {leavers.Count} was not offboarded in 30 runs.\n{string.Join('\n', log)}");
                    KillPoint? kill = killsOfThisLeaver < KillsPerLeaver ? KillPoint.Draw(random) : null;
                    HostRun result = RunHost(sandbox, home, leaver.User.Id, kill);
                    log.Add($"leaver {leavers.Count} run {run}: {kill?.ToString() ?? "no kill"} -> {(result.Killed ? $"killed after {result.RequestsSeen} requests" : $"exit {result.ExitCode}")}");
                    if (result.Killed)
                    {
                        kills++;
                        killsOfThisLeaver++;
                        continue;
                    }

                    Assert.True(result.ExitCode == 0, $"{result}\n{string.Join('\n', log)}");
                    Assert.Contains("STATUS=Completed", result.Output, StringComparison.Ordinal);
                    break;
                }
            }

            output.WriteLine(string.Join('\n', log));
            output.WriteLine($"{kills} kills across {leavers.Count} leavers.");
            Assert.True(kills >= 10, $"Only {kills} kills landed.\n{string.Join('\n', log)}");

            using IsmsWorkspace workspace = IsmsWorkspace.Open(new StoreLocation(home));
            AuditVerificationResult trail = await workspace.Audit.VerifyAsync([], CancellationToken.None);
            Assert.True(trail.IsValid, trail.Message);
            foreach (Leaver leaver in leavers.Prepend(reference))
            {
                Assert.Equal(expected, Footprint.Of(sandbox.Tenant, leaver));
                OffboardingCase stored = Assert.Single(await workspace.Offboarding.FindAsync(new OffboardingCaseQuery { UserId = leaver.User.Id }, CancellationToken.None));
                Assert.Equal(OffboardingCaseStatus.CompletedWithManualTasks, stored.Status);
                AssertOneSettlingEventPerStep(workspace, stored);
            }

            Assert.False(expected.AccountEnabled);
            Assert.Equal(0, expected.RoleAssignments + expected.RoleEligibilities + expected.AppRoles + expected.DelegatedGrants + expected.DirectLicences + expected.DirectReports);
            Assert.Equal("Dept - Synced, Dynamic - Leavers' department, Mail - Alerts", expected.Groups);
        }
        finally
        {
            try
            {
                Directory.Delete(home, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>
    /// One CaseOpened, one CaseClosed, and for every settled step exactly one event that settled it, matching what is
    /// stored: the StepSettled of the run that settled it, or the CaseOpened event for a manual task the plan itself
    /// settled (the planner hands some work to people from the start). An unsettled step has none.
    /// </summary>
    internal static void AssertOneSettlingEventPerStep(IsmsWorkspace workspace, OffboardingCase stored)
    {
        List<AuditEvent> events = workspace.Audit.Find(new AuditEventQuery(), ["Offboarding.*"], [OffboardingRegister.Target(stored.CaseId)], CancellationToken.None).ToList();
        AuditEvent opened = Assert.Single(events, e => e.Action == "Offboarding.CaseOpened");
        Assert.Equal(stored.IsOpen ? 0 : 1, events.Count(e => e.Action == "Offboarding.CaseClosed"));
        var settling = events.Where(e => e.Action == "Offboarding.StepSettled").Select(SequenceAndStatus).ToList();
        Dictionary<int, string> planned = PlannedStatuses(opened);
        foreach (OffboardingStep step in stored.Steps)
        {
            var forStep = settling.Where(s => s.Sequence == step.Sequence).Select(s => s.Status).ToList();
            if (planned[step.Sequence] is "ManualTask" or "Done" or "Skipped")
            {
                forStep.Add(planned[step.Sequence]);
            }

            if (step.IsSettled)
            {
                Assert.True(forStep.Count == 1, $"Case {stored.CaseId} step {step.Sequence} ({step.Kind}) has {forStep.Count} settling events.");
                Assert.Equal(step.Status.ToString(), forStep[0]);
            }
            else
            {
                Assert.True(forStep.Count == 0, $"Case {stored.CaseId} step {step.Sequence} is {step.Status} but has a settling event.");
            }
        }
    }

    private static (int Sequence, string? Status) SequenceAndStatus(AuditEvent e)
    {
        using JsonDocument details = JsonDocument.Parse(e.Details);
        JsonElement root = details.RootElement;
        return (root.GetProperty("Sequence").GetInt32(), root.GetProperty("changes").GetProperty("Status").GetProperty("to").ToString());
    }

    // CaseOpened lists every planned step as "Kind resource assignment [Status]" under its three-digit sequence.
    private static Dictionary<int, string> PlannedStatuses(AuditEvent opened)
    {
        using JsonDocument details = JsonDocument.Parse(opened.Details);
        return details.RootElement.GetProperty("Steps").EnumerateObject().ToDictionary(
            p => int.Parse(p.Name, System.Globalization.CultureInfo.InvariantCulture),
            p => p.Value.GetString()![(p.Value.GetString()!.LastIndexOf('[') + 1)..^1]);
    }

    private static HostRun RunHost(GraphSandbox sandbox, string home, string leaverId, KillPoint? kill)
    {
        string host = Path.Combine(RepoRoot, "out", "isms", "isms.dll");
        Assert.True(File.Exists(host), $"The host is not built at {host}. Build the solution first (dotnet build IsmsOps.sln).");
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = home,
        };
        start.ArgumentList.Add(host);
        start.ArgumentList.Add("-Command");
        start.ArgumentList.Add(Script.ReplaceLineEndings("\n"));
        start.Environment["ISMSOPS_HOME"] = home;
        start.Environment.Remove("ISMSOPS_AUDIT_KEY");
        start.Environment.Remove("ISMSOPS_MODULE_PATH");
        // The token goes by environment, not the command line, where any user could read it.
        start.Environment["ISMS_TEST_GRAPH_URL"] = sandbox.Url;
        start.Environment["ISMS_TEST_GRAPH_TOKEN"] = sandbox.AccessToken;
        start.Environment["ISMS_TEST_LEAVER"] = leaverId;

        long before = sandbox.RequestCount;
        var clock = Stopwatch.StartNew();
        using Process process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        process.StandardInput.Close();
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        bool killed = false;
        long seen = 0;
        while (!process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(1))
        {
            seen = sandbox.RequestCount - before;
            if (kill is not null && (kill.AfterRequests is int requests ? seen >= requests : clock.Elapsed >= kill.AfterTime))
            {
                if (kill.ExtraDelay > TimeSpan.Zero)
                {
                    Thread.Sleep(kill.ExtraDelay);
                }

                try
                {
                    process.Kill(entireProcessTree: true);
                    killed = true;
                }
                catch (InvalidOperationException)
                {
                    // It exited on its own in the meantime.
                }

                break;
            }

            Thread.Sleep(1);
        }

        if (!process.WaitForExit(TimeSpan.FromMinutes(1)))
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"The host did not finish within a minute for leaver {leaverId}.");
        }

        // A kill that raced a normal exit is not a kill.
        killed &= process.ExitCode != 0;
        return new HostRun(killed, process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult(), sandbox.RequestCount - before);
    }

    private static string RepoRoot { get; } = FindRepoRoot();

    private static string FindRepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IsmsOps.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("IsmsOps.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>Where to kill: once the sandbox has seen so many of the child's requests, or at a time after its start; then a little later still.</summary>
    private sealed record KillPoint(int? AfterRequests, TimeSpan AfterTime, TimeSpan ExtraDelay)
    {
        public static KillPoint Draw(Random random) => random.Next(3) == 0
            ? new KillPoint(null, TimeSpan.FromMilliseconds(random.Next(300, 2500)), TimeSpan.Zero)
            : new KillPoint(random.Next(1, 40), TimeSpan.Zero, TimeSpan.FromMilliseconds(random.Next(0, 25)));

        public override string ToString() => AfterRequests is int requests
            ? $"kill after {requests} requests + {ExtraDelay.TotalMilliseconds} ms"
            : $"kill at {AfterTime.TotalMilliseconds} ms";
    }

    private sealed record HostRun(bool Killed, int ExitCode, string Output, string Error, long RequestsSeen)
    {
        public override string ToString() => $"exit code {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
    }

    /// <summary>What the sandbox says a leaver still holds, in terms that two leavers built alike can be compared by.</summary>
    private sealed record Footprint(bool AccountEnabled, bool SessionsRevoked, string Groups, int OwnedGroups, int RoleAssignments, int RoleEligibilities,
        int AppRoles, int DelegatedGrants, int DirectLicences, string Methods, bool? DeviceEnabled, int DirectReports)
    {
        public static Footprint Of(Tenant tenant, Leaver leaver)
        {
            DirectoryUser user = leaver.User;
            return new Footprint(
                user.AccountEnabled,
                user.SignInSessionsValidFromDateTime is not null,
                string.Join(", ", user.MemberOf.Select(g => g.DisplayName).Order(StringComparer.Ordinal)),
                user.OwnedGroups.Count,
                tenant.RoleAssignments.Count(a => a.Principal == user),
                tenant.RoleEligibilities.Count(e => e.Principal == user),
                tenant.AppRoleAssignmentsOf(user).Count,
                tenant.OAuth2PermissionGrants.Count(g => string.Equals(g.PrincipalId, user.Id, StringComparison.OrdinalIgnoreCase)),
                user.DirectLicenses.Count,
                string.Join(", ", user.AuthenticationMethods.Select(m => m.ODataType).Order(StringComparer.Ordinal)),
                leaver.Device?.AccountEnabled,
                user.DirectReports.Count);
        }
    }
}
