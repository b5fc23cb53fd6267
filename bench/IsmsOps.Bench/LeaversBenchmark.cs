using System.Globalization;
using IsmsOps.Engine;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Storage;

namespace IsmsOps.Bench;

/// <summary>
/// The HR feed: 100 leavers offboarded in one run through <see cref="OffboardingFeed"/> (what
/// <c>Import-Csv leavers.csv | Start-IsmsOffboarding</c> runs), against the sandbox in its own process with 50 ms of
/// latency on every request and every $batch item (items side by side, as Graph runs them). Each run gets fresh leavers (<see cref="HrFeedLeavers"/>) and a
/// fresh store; half are fed as register persons, half by account. Measured with ThrottleLimit 8 (the default), 16 and
/// 1 (one leaver after another, as the cmdlet ran before), then with 20% of requests faulted, where the figure that
/// counts is the removable access the sandbox says is left.
/// </summary>
internal static class LeaversBenchmark
{
    private const double TargetSeconds = 60;
    private const int TenantUsers = 1_000;

    public static async Task RunAsync(BenchOptions options, ResultTable report)
    {
        int runs = options.RunsOr(3);
        int leavers = options.Leavers;
        string latency = options.LatencyMilliseconds.ToString(CultureInfo.InvariantCulture);
        var medians = new Dictionary<int, double>();
        using (SandboxChild sandbox = SandboxChild.Start(TenantUsers, options.LatencyMilliseconds, parallelBatchItems: true))
        {
            Console.Error.WriteLine($"leavers: sandbox of {TenantUsers:N0} users ready, {latency} ms latency");
            await FeedAsync(sandbox, Math.Max(1, leavers / 5), OffboardingFeed.DefaultThrottleLimit).ConfigureAwait(false);
            foreach (int limit in options.ThrottleLimits)
            {
                // One leaver at a time takes minutes per run; --sequential-runs says how many of those to measure.
                int measured = limit == 1 ? options.SequentialRuns : runs;
                var results = new List<FeedRun>();
                for (int run = 1; run <= measured; run++)
                {
                    FeedRun result = await FeedAsync(sandbox, leavers, limit).ConfigureAwait(false);
                    Console.Error.WriteLine(FormattableString.Invariant($"leavers: ThrottleLimit {limit}, run {run}/{measured}: {result}"));
                    results.Add(result);
                }

                medians[limit] = new Samples(results.Select(r => r.Seconds)).Median;
                report.Add($"{leavers} leavers in one run (HR feed), ThrottleLimit {limit}, {latency} ms latency, fault-free",
                    new Samples(results.Select(r => r.Seconds), results.Select(r => r.CpuSeconds)), Unit.Seconds,
                    limit == OffboardingFeed.DefaultThrottleLimit ? Target.AtMost(TargetSeconds) : null);
                report.Add("  HTTP requests the sandbox received", new Samples(results.Select(r => (double)r.Requests)), Unit.Requests);
                report.Add("  cases closed by the run (every leaver's)", new Samples(results.Select(r => (double)r.Closed)), Unit.Count, Target.AtLeast(leavers));
                report.Add("  leavers left holding removable access (the sandbox's count)", new Samples(results.Select(r => (double)r.LeaversWithAccess)), Unit.Count, Target.AtMost(0));
            }
        }

        foreach (int limit in options.ThrottleLimits.Where(l => l != 1 && medians.ContainsKey(1)))
        {
            report.Add($"ThrottleLimit 1 ÷ ThrottleLimit {limit}, medians (how much faster the feed is)", new Samples([medians[1] / medians[limit]]), Unit.Ratio);
        }

        if (options.FaultRate == 0)
        {
            return;
        }

        using SandboxChild faulty = SandboxChild.Start(TenantUsers, options.LatencyMilliseconds, options.FaultRate, parallelBatchItems: true);
        string share = options.FaultRate.ToString("P0", CultureInfo.InvariantCulture);
        Console.Error.WriteLine($"leavers: sandbox with {share} faults ready");
        // Retry waits, not requests, set the pace under faults, and waits overlap: so every limit but 1 is measured.
        foreach (int limit in options.ThrottleLimits.Where(l => l != 1))
        {
            var results = new List<FeedRun>();
            for (int run = 1; run <= runs; run++)
            {
                FeedRun result = await FeedAsync(faulty, leavers, limit, resumeOnce: true).ConfigureAwait(false);
                Console.Error.WriteLine(FormattableString.Invariant($"leavers: {share} faults, ThrottleLimit {limit}, run {run}/{runs}: {result}"));
                results.Add(result);
            }

            report.Add($"{leavers} leavers, {share} of requests and $batch items faulted (429 with and without Retry-After, 503, +200 ms), ThrottleLimit {limit}, {latency} ms latency",
                new Samples(results.Select(r => r.Seconds), results.Select(r => r.CpuSeconds)), Unit.Seconds);
            report.Add("  HTTP requests the sandbox received", new Samples(results.Select(r => (double)r.Requests)), Unit.Requests);
            report.Add("  retries by the connection's handler (429, 503; $batch items are retried apart)", new Samples(results.Select(r => (double)r.HandlerRetries)), Unit.Requests);
            report.Add("  cases closed by the first run", new Samples(results.Select(r => (double)r.Closed)), Unit.Count);
            report.Add("  leavers holding removable access after the first run (the sandbox's count)", new Samples(results.Select(r => (double)r.LeaversWithAccess)), Unit.Count);
            report.Add("  leavers holding removable access after one Resume pass of the open cases", new Samples(results.Select(r => (double)r.LeaversWithAccessAfterResume)), Unit.Count, Target.AtMost(0));
        }
    }

    /// <summary>
    /// Offboards <paramref name="count"/> fresh leavers with a fresh store and connection, times the feed alone, and
    /// checks the sandbox and the audit trail afterwards. With <paramref name="resumeOnce"/>, the cases the run left
    /// open are resumed once, as a scheduled job's next step would, and the sandbox is counted again.
    /// </summary>
    private static async Task<FeedRun> FeedAsync(SandboxChild sandbox, int count, int throttleLimit, bool resumeOnce = false)
    {
        string home = Directory.CreateTempSubdirectory("ismsops-bench-leavers-").FullName;
        try
        {
            long handlerRetries = 0;
            using var workspace = IsmsWorkspace.Open(new StoreLocation(home));
            using GraphConnection connection = await GraphConnection.ConnectAsync(new GraphConnectionOptions
            {
                Mode = GraphAuthenticationMode.AccessToken,
                AccessToken = SecretText.Protect(sandbox.AccessToken),
                GraphEndpoint = sandbox.Url,
                RetryNotice = _ => Interlocked.Increment(ref handlerRetries),
            }, CancellationToken.None).ConfigureAwait(false);
            OperationContext context = OperationContext.ForCurrentUser();
            List<(string Id, string UserPrincipalName)> accounts = sandbox.NewLeavers(count);
            var feed = new List<OffboardingLeaver>(count);
            for (int i = 0; i < accounts.Count; i++)
            {
                if (i % 2 == 0)
                {
                    string personId = string.Create(CultureInfo.InvariantCulture, $"HR{i:0000}");
                    await workspace.People.CreateAsync(new Person { PersonId = personId, DisplayName = "Leaver " + personId, DirectoryObjectId = accounts[i].Id },
                        context, CancellationToken.None).ConfigureAwait(false);
                    feed.Add(OffboardingLeaver.Person(personId));
                }
                else
                {
                    feed.Add(OffboardingLeaver.Account(accounts[i].UserPrincipalName));
                }
            }

            var service = new OffboardingService(workspace.Offboarding, connection);
            SandboxStats before = sandbox.Stats();
            Timing timing = Timing.Start();
            IReadOnlyList<OffboardingFeedResult> results = await OffboardingFeed.RunAsync(workspace.People, service, context, feed, throttleLimit, CancellationToken.None)
                .ConfigureAwait(false);
            Measurement took = timing.Seconds();
            SandboxStats after = sandbox.Stats();
            (int withAccess, _) = sandbox.RemovableLeft(accounts.Select(a => a.Id));

            int afterResume = withAccess;
            if (resumeOnce)
            {
                foreach (OffboardingCase open in await workspace.Offboarding.FindAsync(new OffboardingCaseQuery { OpenOnly = true }, CancellationToken.None).ConfigureAwait(false))
                {
                    await service.ResumeAsync(open.CaseId, context, CancellationToken.None).ConfigureAwait(false);
                }

                (afterResume, _) = sandbox.RemovableLeft(accounts.Select(a => a.Id));
            }

            AuditVerificationResult trail = await workspace.Audit.VerifyAsync([], CancellationToken.None).ConfigureAwait(false);
            if (!trail.IsValid)
            {
                throw new InvalidOperationException($"The audit trail of the run does not verify: {trail.Message}");
            }

            return new FeedRun(took.Value, took.Cpu ?? 0, after.Requests - before.Requests, Interlocked.Read(ref handlerRetries),
                results.Count(r => r.Outcome?.Case.IsOpen == false), results.Count(r => r.Error is not null), withAccess, afterResume);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    private sealed record FeedRun(double Seconds, double CpuSeconds, long Requests, long HandlerRetries, int Closed, int Errors, int LeaversWithAccess,
        int LeaversWithAccessAfterResume)
    {
        public override string ToString() => FormattableString.Invariant(
            $"{Seconds:N2} s (CPU {CpuSeconds:N2} s), {Requests:N0} requests, {HandlerRetries:N0} handler retries, {Closed} closed, {Errors} errors, {LeaversWithAccess} with access left ({LeaversWithAccessAfterResume} after a resume pass)");
    }
}
