using System.Diagnostics;
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
    private const int MaximumLeavers = 16;

    // Start the case, or carry on the one there is: what a scheduled job re-run after a crash does. A kill can land
    // after the case closed and before the process ended, so the case found may be closed already.
    private const string Script = """
        $ErrorActionPreference = 'Stop'
        Connect-IsmsGraph -Sandbox @{ Url = $env:ISMS_TEST_GRAPH_URL; AccessToken = $env:ISMS_TEST_GRAPH_TOKEN }
        $cases = @(Get-IsmsOffboarding | Where-Object { $_.UserId -eq $env:ISMS_TEST_LEAVER })
        if ($cases.Count -gt 0) {
            $case = Resume-IsmsOffboarding -CaseId $cases[0].CaseId -Confirm:$false
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
            output.WriteLine($"The unkilled run: {unkilled.RequestsSeen} requests in {unkilled.Elapsed.TotalMilliseconds:F0} ms; kills are drawn within that.");
            LeaverFootprint expected = LeaverFootprint.Of(sandbox.Tenant, reference);

            var leavers = new List<Leaver>();
            var log = new List<string>();
            int kills = 0, killsMidSteps = 0;
            while ((kills < KillsWanted || killsMidSteps < 2 || leavers.Count < 3) && leavers.Count < MaximumLeavers)
            {
                Leaver leaver = Leaver.Create(sandbox.Tenant, cloudGroups: 20);
                leavers.Add(leaver);
                int killsOfThisLeaver = 0;
                bool stepsLeft = false;
                for (int run = 1; ; run++)
                {
                    Assert.True(run <= 30, $"Leaver {leavers.Count} was not offboarded in 30 runs.\n{string.Join('\n', log)}");
                    // A resumed run goes straight to the steps, so aim early when steps were left to run.
                    KillPoint? kill = killsOfThisLeaver < KillsPerLeaver ? KillPoint.Draw(random, stepsLeft, unkilled) : null;
                    HostRun result = RunHost(sandbox, home, leaver.User.Id, kill);
                    string left = result.Killed ? StoredProgress(home, leaver.User.Id) : "";
                    log.Add($"leaver {leavers.Count} run {run}: {kill?.ToString() ?? "no kill"} -> {(result.Killed ? $"killed after {result.RequestsSeen} requests; {left}" : $"exit {result.ExitCode}")}");
                    if (result.Killed)
                    {
                        kills++;
                        killsOfThisLeaver++;
                        stepsLeft = left.StartsWith("case Running", StringComparison.Ordinal) && !left.Contains("all settled", StringComparison.Ordinal);
                        killsMidSteps += stepsLeft ? 1 : 0;
                        continue;
                    }

                    Assert.True(result.ExitCode == 0, $"{result}\n{string.Join('\n', log)}");
                    Assert.Contains("STATUS=Completed", result.Output, StringComparison.Ordinal);
                    break;
                }
            }

            output.WriteLine(string.Join('\n', log));
            output.WriteLine($"{kills} kills across {leavers.Count} leavers, {killsMidSteps} of them leaving an open case with steps still to run.");
            Assert.True(kills >= 10, $"Only {kills} kills landed.\n{string.Join('\n', log)}");
            Assert.True(killsMidSteps >= 2, $"Only {killsMidSteps} kills left an open case with steps still to run.\n{string.Join('\n', log)}");

            using IsmsWorkspace workspace = IsmsWorkspace.Open(new StoreLocation(home));
            AuditVerificationResult trail = await workspace.Audit.VerifyAsync([], CancellationToken.None);
            Assert.True(trail.IsValid, trail.Message);
            foreach (Leaver leaver in leavers.Prepend(reference))
            {
                Assert.Equal(expected, LeaverFootprint.Of(sandbox.Tenant, leaver));
                OffboardingCase stored = Assert.Single(await workspace.Offboarding.FindAsync(new OffboardingCaseQuery { UserId = leaver.User.Id }, CancellationToken.None));
                Assert.Equal(OffboardingCaseStatus.CompletedWithManualTasks, stored.Status);
                OffboardingAssert.OneSettlingEventPerStep(workspace, stored);
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

    // What a kill left in the store, read the way the next run will find it (this open recovers the WAL, as the next
    // run's would).
    private static string StoredProgress(string home, string leaverId)
    {
        string database = Path.Combine(home, StoreLocation.DatabaseFileName);
        if (!File.Exists(database))
        {
            return "no store yet";
        }

        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Pooling=false");
        connection.Open();
        using Microsoft.Data.Sqlite.SqliteCommand command = connection.CreateCommand();
        command.CommandText = """
            SELECT c.status, COUNT(s.sequence), SUM(CASE WHEN s.status IN ('Done', 'Skipped', 'ManualTask') THEN 1 ELSE 0 END)
            FROM offboarding_case c JOIN offboarding_step s ON s.case_id = c.case_id
            WHERE c.user_id = $user GROUP BY c.case_id
            """;
        command.Parameters.AddWithValue("$user", leaverId);
        try
        {
            using Microsoft.Data.Sqlite.SqliteDataReader reader = command.ExecuteReader();
            if (!reader.Read())
            {
                return "no case yet";
            }

            long steps = reader.GetInt64(1), settled = reader.GetInt64(2);
            return $"case {reader.GetString(0)}, {(settled == steps ? "all settled" : $"{settled}/{steps} steps settled")}";
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
            return "no tables yet";
        }
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
        return new HostRun(killed, process.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult(), sandbox.RequestCount - before, clock.Elapsed);
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
        /// <summary>
        /// A point inside a run shaped like <paramref name="reference"/> (the unkilled run: how many requests it made and
        /// how long it took), so kills keep landing mid-run however few requests a run comes to take.
        /// </summary>
        public static KillPoint Draw(Random random, bool early, HostRun reference)
        {
            int requests = (int)Math.Max(2, reference.RequestsSeen);
            int milliseconds = (int)Math.Max(400, reference.Elapsed.TotalMilliseconds);
            return random.Next(3) == 0
                ? new KillPoint(null, TimeSpan.FromMilliseconds(random.Next(milliseconds / 3, early ? milliseconds * 2 / 3 : milliseconds)), TimeSpan.Zero)
                : new KillPoint(random.Next(1, early ? Math.Max(2, requests / 2) : requests), TimeSpan.Zero, TimeSpan.FromMilliseconds(random.Next(0, 25)));
        }

        public override string ToString() => AfterRequests is int requests
            ? $"kill after {requests} requests + {ExtraDelay.TotalMilliseconds} ms"
            : $"kill at {AfterTime.TotalMilliseconds} ms";
    }

    private sealed record HostRun(bool Killed, int ExitCode, string Output, string Error, long RequestsSeen, TimeSpan Elapsed)
    {
        public override string ToString() => $"exit code {ExitCode}\n--- stdout\n{Output}\n--- stderr\n{Error}";
    }
}
