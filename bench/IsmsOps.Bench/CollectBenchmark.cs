using System.Diagnostics;
using System.Globalization;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.Bench;

/// <summary>
/// The live collection: <see cref="DirectorySnapshotCollector"/> reading the whole sandbox tenant (100,000 users, 5,000
/// groups, about 500,000 memberships) over HTTP with 50 ms of injected latency on every request and every $batch item,
/// then writing the snapshot file. Three processes, so that each one's figures are its own: this one, the sandbox
/// (<see cref="SandboxChild"/>, started once for all runs), and a fresh collector per run (<see cref="ChildSwitch"/>),
/// whose peak resident memory is then that of one collection with its snapshot held.
/// </summary>
internal static class CollectBenchmark
{
    public const string ChildSwitch = "--child-collect";

    private const double TargetSeconds = 60;
    private const double TargetRequestRatio = 1.10;
    private const double MemoryBudgetMb = 400;

    private static Unit Ratio { get; } = new("×", v => v.ToString("0.000", CultureInfo.InvariantCulture) + "×");

    public static void Run(BenchOptions options, ResultTable report)
    {
        int runs = options.RunsOr(3);
        int concurrency = options.Concurrency ?? new GraphReaderOptions().MaxConcurrency;
        string work = Directory.CreateTempSubdirectory("ismsops-bench-collect-").FullName;
        Timing starting = Timing.Start();
        using SandboxChild sandbox = SandboxChild.Start(options.CollectUsers, options.LatencyMilliseconds);
        try
        {
            SandboxStats tenant = sandbox.Stats();
            RequestMinimum minimum = RequestMinimum.For(tenant);
            Console.Error.WriteLine(FormattableString.Invariant(
                $"collect: sandbox ready in {starting.Elapsed.TotalSeconds:N1} s: {tenant.Users:N0} users, {tenant.Groups:N0} groups, {tenant.Members:N0} memberships, {tenant.Owners:N0} owners, {tenant.ServicePrincipals:N0} service principals, {tenant.Devices:N0} devices"));
            Console.Error.WriteLine($"collect: minimum {minimum.Total:N0} requests = {minimum.Derivation}");
            Console.Error.WriteLine($"collect: GraphReaderOptions.MaxConcurrency = {concurrency}");

            var runResults = new List<CollectRun>();
            for (int run = 0; run <= runs; run++)
            {
                CollectRun result = Collect(sandbox, tenant, Path.Combine(work, "tenant.json.gz"), concurrency);
                Console.Error.WriteLine(FormattableString.Invariant(
                    $"collect: {(run == 0 ? "warm-up" : $"run {run}/{runs}")}: {result.Seconds:N2} s (CPU {result.CpuSeconds:N2} s), {result.ClientRequests:N0} sent, {result.ServerRequests:N0} received, {result.Retries:N0} retries, peak RSS {result.PeakMb:N0} MB ({result.PeakBeforeWriteMb:N0} before the write), heap {result.HeapMb:N0} MB, sandbox CPU {result.SandboxCpuSeconds:N1} s"));
                if (run > 0)
                {
                    runResults.Add(result);
                }
            }

            CollectRun any = runResults[0];
            string latency = options.LatencyMilliseconds.ToString(CultureInfo.InvariantCulture);
            report.Add($"collect {tenant.Users:N0} users, {tenant.Groups:N0} groups, {tenant.Members:N0} memberships, {latency} ms latency, {concurrency} requests in flight (fresh process each run)",
                new Samples(runResults.Select(r => r.Seconds), runResults.Select(r => r.CpuSeconds)), Unit.Seconds, Target.AtMost(TargetSeconds));
            report.Add($"  HTTP requests the sandbox received ÷ the minimum, {minimum.Total:N0}",
                new Samples(runResults.Select(r => r.ServerRequests / (double)minimum.Total)), Ratio, Target.AtMost(TargetRequestRatio));
            report.Add("  HTTP requests the sandbox received", new Samples(runResults.Select(r => (double)r.ServerRequests)), Unit.Requests);
            report.Add("  HTTP requests the collector sent (GraphReader.RequestCount)", new Samples(runResults.Select(r => (double)r.ClientRequests)), Unit.Requests);
            report.Add("  retries (handler and $batch items)", new Samples(runResults.Select(r => (double)r.Retries)), Unit.Requests);
            report.Add("  sandbox CPU during the collection (other process)", new Samples(runResults.Select(r => r.SandboxCpuSeconds)), Unit.Seconds);
            report.Add("peak resident memory of the collecting process, snapshot held", new Samples(runResults.Select(r => r.PeakMb)), Unit.Megabytes, Target.AtMost(MemoryBudgetMb));
            report.Add("  peak resident memory before writing the file", new Samples(runResults.Select(r => r.PeakBeforeWriteMb)), Unit.Megabytes);
            report.Add("  GC heap after a full collection, snapshot held", new Samples(runResults.Select(r => r.HeapMb)), Unit.Megabytes);
            report.Add(string.Create(CultureInfo.InvariantCulture, $"write the collected snapshot ({any.FileMb:N1} MB on disk, {any.JsonMb:N1} MB of JSON)"),
                new Samples(runResults.Select(r => r.WriteSeconds), runResults.Select(r => r.WriteCpuSeconds)), Unit.Seconds);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static CollectRun Collect(SandboxChild sandbox, SandboxStats tenant, string path, int concurrency)
    {
        var start = new ProcessStartInfo(ImportBenchmark.DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[] { typeof(CollectBenchmark).Assembly.Location, ChildSwitch, sandbox.Url, sandbox.AccessToken, path, concurrency.ToString(CultureInfo.InvariantCulture) })
        {
            start.ArgumentList.Add(arg);
        }

        using Process child = Process.Start(start) ?? throw new InvalidOperationException("Could not start the collector process.");
        string? ready = child.StandardOutput.ReadLine();
        if (ready != "CONNECTED")
        {
            child.Kill(entireProcessTree: true);
            throw new InvalidOperationException($"The collector process did not connect: '{ready}'.");
        }

        // Counted from here: the sign-in check of GraphConnection.ConnectAsync (one GET /organization) is the
        // session's, not the collection's.
        SandboxStats before = sandbox.Stats();
        child.StandardInput.WriteLine("go");
        child.StandardInput.Flush();
        string stdout = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        SandboxStats after = sandbox.Stats();
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"The collector process failed ({child.ExitCode}): {stdout}");
        }

        Dictionary<string, double> figures = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(l => l.Split('=', 2)).ToDictionary(kv => kv[0], kv => double.Parse(kv[1], CultureInfo.InvariantCulture));

        // The benchmark is only worth its figure if the snapshot holds the whole tenant.
        if (figures["users"] != tenant.Users || figures["groups"] != tenant.Groups || figures["members"] != tenant.Members
            || figures["owners"] != tenant.Owners || figures["service_principals"] != tenant.ServicePrincipals
            || figures["app_role_assignments"] != tenant.AppRoleAssignments || figures["devices"] != tenant.Devices || figures["evidence_gaps"] != 0)
        {
            throw new InvalidOperationException($"The collected snapshot is not the whole tenant: {stdout}");
        }

        return new CollectRun(
            figures["collect_s"], figures["collect_cpu_s"], figures["write_s"], figures["write_cpu_s"],
            (long)figures["client_requests"], after.Requests - before.Requests, (long)(figures["item_retries"] + figures["handler_retries"]),
            figures["peak_rss_mb"], figures["peak_rss_collect_mb"], figures["heap_mb"], figures["file_mb"], figures["json_mb"], after.CpuSeconds - before.CpuSeconds);
    }

    /// <summary>
    /// The child: <c>--child-collect URL TOKEN PATH CONCURRENCY</c>. Connects, says CONNECTED, waits for a line on stdin, then
    /// collects, writes the file, and prints its figures as name=value lines with the snapshot still referenced.
    /// </summary>
    public static async Task<int> RunChildAsync(string[] args)
    {
        long handlerRetries = 0;
        using GraphConnection connection = await GraphConnection.ConnectAsync(new GraphConnectionOptions
        {
            Mode = GraphAuthenticationMode.AccessToken,
            AccessToken = SecretText.Protect(args[1]),
            GraphEndpoint = args[0],
            RetryNotice = _ => Interlocked.Increment(ref handlerRetries),
        }, CancellationToken.None).ConfigureAwait(false);
        Console.WriteLine("CONNECTED");
        Console.Out.Flush();
        _ = Console.ReadLine();

        var reader = new GraphReader(connection, new GraphReaderOptions { MaxConcurrency = int.Parse(args[3], CultureInfo.InvariantCulture) });
        Timing collecting = Timing.Start();
        DirectorySnapshot snapshot = await new DirectorySnapshotCollector(reader, "bench").CollectAsync(null, CancellationToken.None).ConfigureAwait(false);
        Measurement collected = collecting.Seconds();
        long peakCollecting;
        using (var process = Process.GetCurrentProcess())
        {
            peakCollecting = process.PeakWorkingSet64;
        }

        Timing writing = Timing.Start();
        SnapshotFileHeader header = DirectorySnapshotFile.Write(args[2], snapshot, overwrite: true, CancellationToken.None);
        Measurement written = writing.Seconds();

        long heap = GC.GetTotalMemory(forceFullCollection: true);
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        string[] lines =
        [
            FormattableString.Invariant($"collect_s={collected.Value}"),
            FormattableString.Invariant($"collect_cpu_s={collected.Cpu}"),
            FormattableString.Invariant($"write_s={written.Value}"),
            FormattableString.Invariant($"write_cpu_s={written.Cpu}"),
            FormattableString.Invariant($"client_requests={reader.RequestCount}"),
            FormattableString.Invariant($"item_retries={reader.ItemRetryCount}"),
            FormattableString.Invariant($"handler_retries={Interlocked.Read(ref handlerRetries)}"),
            FormattableString.Invariant($"heap_mb={heap / 1e6}"),
            FormattableString.Invariant($"peak_rss_mb={self.PeakWorkingSet64 / 1e6}"),
            FormattableString.Invariant($"peak_rss_collect_mb={peakCollecting / 1e6}"),
            FormattableString.Invariant($"file_mb={new FileInfo(args[2]).Length / 1e6}"),
            FormattableString.Invariant($"json_mb={header.ContentLength / 1e6}"),
            FormattableString.Invariant($"users={snapshot.Users.Count}"),
            FormattableString.Invariant($"groups={snapshot.Groups.Count}"),
            FormattableString.Invariant($"members={snapshot.Groups.Sum(g => (long)g.Members.Count)}"),
            FormattableString.Invariant($"owners={snapshot.Groups.Sum(g => (long)g.Owners.Count)}"),
            FormattableString.Invariant($"service_principals={snapshot.ServicePrincipals.Count}"),
            FormattableString.Invariant($"app_role_assignments={snapshot.AppRoleAssignments.Count}"),
            FormattableString.Invariant($"devices={snapshot.Devices.Count}"),
            FormattableString.Invariant($"evidence_gaps={snapshot.EvidenceGaps.Count}"),
        ];
        GC.KeepAlive(snapshot);
        foreach (string line in lines)
        {
            Console.WriteLine(line);
        }

        return 0;
    }

    private sealed record CollectRun(
        double Seconds, double CpuSeconds, double WriteSeconds, double WriteCpuSeconds, long ClientRequests, long ServerRequests, long Retries,
        double PeakMb, double PeakBeforeWriteMb, double HeapMb, double FileMb, double JsonMb, double SandboxCpuSeconds);
}

/// <summary>
/// The fewest HTTP requests that read everything the collector reads, when every top-level collection is listed
/// directly at Graph's largest page (999) and every per-object relationship (group members and owners, assignments
/// to a service principal) goes 20 to a $batch. See docs/performance.md for why this is the minimum we hold to.
/// </summary>
internal sealed record RequestMinimum(long Total, string Derivation)
{
    public static RequestMinimum For(SandboxStats t)
    {
        const int batch = GraphReaderOptions.MaximumBatchSize;
        long P(long n) => SandboxStats.Pages(n);
        long B(long items) => (items + batch - 1) / batch;
        (string Name, long Requests)[] parts =
        [
            ("organization", 1),
            ($"users ⌈{t.Users}/999⌉", P(t.Users)),
            ($"groups ⌈{t.Groups}/999⌉", P(t.Groups)),
            ($"members+owners ⌈({t.MemberPages}+{t.OwnerPages})/20⌉", B(t.MemberPages + t.OwnerPages)),
            ($"roleDefinitions ⌈{t.RoleDefinitions}/999⌉", P(t.RoleDefinitions)),
            ($"roleAssignments ⌈{t.RoleAssignments}/999⌉", P(t.RoleAssignments)),
            ($"roleAssignmentSchedules ⌈{t.RoleAssignments}/999⌉", P(t.RoleAssignments)),
            ($"roleEligibilitySchedules ⌈{t.RoleEligibilities}/999⌉", P(t.RoleEligibilities)),
            ($"servicePrincipals ⌈{t.ServicePrincipals}/999⌉", P(t.ServicePrincipals)),
            ($"appRoleAssignedTo ⌈{t.AppRoleAssignmentPages}/20⌉", B(t.AppRoleAssignmentPages)),
            ($"oauth2PermissionGrants ⌈{t.DelegatedGrants}/999⌉", P(t.DelegatedGrants)),
            ("subscribedSkus", 1),
            ($"userRegistrationDetails ⌈{t.Users}/999⌉", P(t.Users)),
            ($"devices 2·⌈{t.Devices}/999⌉", 2 * P(t.Devices)),
            ($"guests with sponsors ⌈{t.Guests}/999⌉", P(t.Guests)),
            ($"long sponsor lists ⌈{t.SponsorPages}/20⌉", B(t.SponsorPages)),
        ];
        return new RequestMinimum(parts.Sum(p => p.Requests), string.Join(" + ", parts.Select(p => $"{p.Requests} {p.Name}")));
    }
}
