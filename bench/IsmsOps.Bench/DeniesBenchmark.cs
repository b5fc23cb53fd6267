using System.Globalization;
using System.Text.Json;
using IsmsOps.Engine.Access;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Bench;

/// <summary>
/// Issue 6's second benchmark: 10,000 Deny decisions (80% group memberships, 10% app role assignments, 10% direct
/// licences, ten for each of 1,000 people) applied through <see cref="AccessRemovalService"/> against the sandbox in its
/// own process, with 50 ms of latency on every request and every $batch item (items side by side, as Graph runs them).
/// Each run gets fresh people and fresh access (<see cref="DenyWorkload"/>), and a run that leaves any of it in the
/// sandbox, or reports anything but AppliedSuccessfully, is an error rather than a figure. Reported: the time, the HTTP
/// round trips the sandbox received against the minimum (one $batch per 20 removals); then, with --fault-rate of the
/// requests and items faulted, the same and what a re-run leaves; and, for one run, the time with one $batch in flight.
/// </summary>
internal static class DeniesBenchmark
{
    private const int TenantUsers = 1_000;

    public static async Task RunAsync(BenchOptions options, ResultTable report)
    {
        int runs = options.RunsOr(5);
        int denies = options.Denies;
        int concurrency = options.Concurrency ?? new GraphReaderOptions().MaxConcurrency;
        string latency = options.LatencyMilliseconds.ToString(CultureInfo.InvariantCulture);
        using SandboxChild sandbox = SandboxChild.Start(TenantUsers, options.LatencyMilliseconds, parallelBatchItems: true);
        Console.Error.WriteLine($"denies: sandbox of {TenantUsers:N0} users ready, {latency} ms latency");

        List<DenyRun> results = await Repeat.RunsAsync($"denies (concurrency {concurrency})", runs, _ => ApplyOnceAsync(sandbox, denies, concurrency),
            r => r.ToString()).ConfigureAwait(false);
        long minimum = (denies + GraphReaderOptions.MaximumBatchSize - 1) / GraphReaderOptions.MaximumBatchSize;
        report.Add(string.Create(CultureInfo.InvariantCulture, $"apply {denies:N0} Deny decisions (AccessRemovalService), {concurrency} batches in flight, {latency} ms latency"),
            new Samples(results.Select(r => r.Seconds), results.Select(r => r.CpuSeconds)), Unit.Seconds);
        report.Add("  HTTP round trips the sandbox received", new Samples(results.Select(r => (double)r.Requests)), Unit.Requests);
        report.Add(string.Create(CultureInfo.InvariantCulture, $"  minimum: ⌈{denies:N0} ÷ 20⌉ $batch requests"), new Samples([minimum]), Unit.Requests);
        report.Add("  round trips ÷ minimum", new Samples(results.Select(r => (double)r.Requests / minimum)), Unit.Ratio, Target.AtMost(1));
        report.Add("  removals per second", new Samples(results.Select(r => denies / r.Seconds)), Unit.Count);

        if (options.FaultRate > 0)
        {
            string share = options.FaultRate.ToString("P0", CultureInfo.InvariantCulture);
            using SandboxChild faulty = SandboxChild.Start(TenantUsers, options.LatencyMilliseconds, options.FaultRate, parallelBatchItems: true);
            Console.Error.WriteLine($"denies: sandbox with {share} faults ready");
            List<DenyRun> stormy = await Repeat.RunsAsync($"denies ({share} faults)", Math.Min(runs, 3), _ => ApplyOnceAsync(faulty, denies, concurrency, faults: true),
                r => r.ToString()).ConfigureAwait(false);
            report.Add(string.Create(CultureInfo.InvariantCulture,
                    $"apply {denies:N0} Deny decisions, {share} of requests and $batch items faulted (429 with and without Retry-After, 503, +200 ms), {concurrency} in flight"),
                new Samples(stormy.Select(r => r.Seconds), stormy.Select(r => r.CpuSeconds)), Unit.Seconds);
            report.Add("  HTTP round trips the sandbox received", new Samples(stormy.Select(r => (double)r.Requests)), Unit.Requests);
            report.Add("  round trips ÷ minimum", new Samples(stormy.Select(r => (double)r.Requests / minimum)), Unit.Ratio);
            report.Add("  requests Failed after the retries (run again)", new Samples(stormy.Select(r => (double)r.Failed)), Unit.Count);
            report.Add("  accesses left in the sandbox after one re-run of the same requests", new Samples(stormy.Select(r => (double)r.LeftAfterRerun)), Unit.Count, Target.AtMost(0));
        }

        if (options.SequentialRuns > 0)
        {
            var sequential = new List<DenyRun>();
            for (int run = 1; run <= options.SequentialRuns; run++)
            {
                DenyRun result = await ApplyOnceAsync(sandbox, denies, 1).ConfigureAwait(false);
                Console.Error.WriteLine($"denies (one batch in flight): run {run}/{options.SequentialRuns}: {result}");
                sequential.Add(result);
            }

            var one = new Samples(sequential.Select(r => r.Seconds), sequential.Select(r => r.CpuSeconds));
            report.Add($"apply {denies:N0} Deny decisions, one $batch in flight at a time, {latency} ms latency", one, Unit.Seconds);
            report.Add("  HTTP round trips the sandbox received", new Samples(sequential.Select(r => (double)r.Requests)), Unit.Requests);
            report.Add($"one in flight ÷ {concurrency} in flight, medians", new Samples([one.Median / new Samples(results.Select(r => r.Seconds)).Median]), Unit.Ratio);
        }
    }

    /// <summary>
    /// One timed run over fresh access. With <paramref name="faults"/>, requests that Failed after their retries are
    /// allowed, and the same requests are run once more (as a caller resumes), untimed, before the sandbox is counted.
    /// </summary>
    private static async Task<DenyRun> ApplyOnceAsync(SandboxChild sandbox, int denies, int concurrency, bool faults = false)
    {
        List<AccessRemovalRequest> requests = sandbox.NewDenies(denies);
        using GraphConnection connection = await GraphConnection.ConnectAsync(new GraphConnectionOptions
        {
            Mode = GraphAuthenticationMode.AccessToken,
            AccessToken = SecretText.Protect(sandbox.AccessToken),
            GraphEndpoint = sandbox.Url,
        }, CancellationToken.None).ConfigureAwait(false);
        var service = new AccessRemovalService(connection, new GraphReaderOptions { MaxConcurrency = concurrency });
        long before = sandbox.Stats().Requests;
        int reported = 0;

        Timing timing = Timing.Start();
        AccessRemovalSummary summary = await service.RemoveAsync(requests, (settled, _) =>
        {
            // Stands in for the caller's store: every result is handed over once, one $batch's at a time.
            reported += settled.Count;
            return Task.CompletedTask;
        }, CancellationToken.None).ConfigureAwait(false);
        Measurement took = timing.Seconds();

        long received = sandbox.Stats().Requests - before;
        int failed = summary.Count(AccessRemovalOutcome.Failed);
        if (faults)
        {
            AccessRemovalSummary again = await service.RemoveAsync(requests, null, CancellationToken.None).ConfigureAwait(false);
            int left = sandbox.DeniedLeft();
            if (reported != denies || again.Count(AccessRemovalOutcome.AppliedSuccessfully) + again.Count(AccessRemovalOutcome.Failed) > failed)
            {
                throw new InvalidOperationException($"The re-run applied more than the first run failed, or results went unreported ({reported} of {denies}).");
            }

            return new DenyRun(took.Value, took.Cpu ?? 0, received, service.RequestCount, failed, left);
        }

        int remaining = sandbox.DeniedLeft();
        int applied = summary.Count(AccessRemovalOutcome.AppliedSuccessfully);
        if (remaining != 0 || applied != denies || reported != denies)
        {
            throw new InvalidOperationException($"The run did not remove everything: {remaining} left in the sandbox, {applied} of {denies} applied, {reported} reported.");
        }

        return new DenyRun(took.Value, took.Cpu ?? 0, received, service.RequestCount, failed, 0);
    }

    private sealed record DenyRun(double Seconds, double CpuSeconds, long Requests, long ServiceRequests, int Failed, int LeftAfterRerun)
    {
        public override string ToString() => FormattableString.Invariant(
            $"{Seconds:N2} s (CPU {CpuSeconds:N2} s), {Requests} HTTP requests received (service counted {ServiceRequests} in all), {Failed} failed, {LeftAfterRerun} left after a re-run");
    }
}

/// <summary>
/// The access the denies benchmark removes, built inside the sandbox process through the tenant's own methods: for
/// each of count ÷ 10 new people, eight memberships of a pool of 100 groups made for the run, one app role assignment
/// and one direct licence. The sandbox remembers the last set's requests, so it can count which of them are still held.
/// </summary>
internal static class DenyWorkload
{
    private const int GroupsPerRun = 100;
    private static readonly List<Func<bool>> Held = [];

    /// <summary>Creates the access; returns one removal request per item as [key, userId, kind, resourceId, assignmentId].</summary>
    public static List<string?[]> Create(Tenant tenant, int count)
    {
        lock (tenant.SyncRoot)
        {
            Held.Clear();
            int run = tenant.Groups.Count;
            var groups = Enumerable.Range(0, GroupsPerRun).Select(i =>
            {
                var group = new DirectoryGroup(tenant.NewId())
                {
                    DisplayName = string.Create(CultureInfo.InvariantCulture, $"Review {run} group {i:000}"),
                    MailNickname = string.Create(CultureInfo.InvariantCulture, $"review{run}g{i:000}"),
                    SecurityEnabled = true,
                    GroupTypes = [],
                    CreatedDateTime = SandboxOrganisation.Now.AddYears(-1),
                };
                tenant.Add(group);
                return group;
            }).ToArray();
            ServicePrincipal[] applications = tenant.ServicePrincipals.Where(p => p.AppRoles.Any(r => r.AllowedMemberTypes.Contains("User"))).Take(5).ToArray();
            var requests = new List<string?[]>(count);
            for (int person = 0; requests.Count < count; person++)
            {
                int n = tenant.Users.Count;
                var user = new DirectoryUser(tenant.NewId(), string.Create(CultureInfo.InvariantCulture, $"reviewed.{n}@{tenant.DefaultDomain}"))
                {
                    DisplayName = string.Create(CultureInfo.InvariantCulture, $"Reviewed {n}"),
                    MailNickname = string.Create(CultureInfo.InvariantCulture, $"reviewed.{n}"),
                    UserType = "Member",
                    UsageLocation = "GB",
                    CreatedDateTime = SandboxOrganisation.Now.AddYears(-1),
                };
                tenant.Add(user);
                DirectoryGroup[] memberOf = Enumerable.Range(0, 8).Select(g => groups[(person + (g * 11)) % GroupsPerRun]).ToArray();
                foreach (DirectoryGroup group in memberOf)
                {
                    group.AddMember(user);
                    Add([$"{user.Id}/member/{group.Id}", user.Id, nameof(AccessKind.GroupMembership), group.Id, null], () => group.HasMember(user.Id));
                }

                ServicePrincipal application = applications[person % applications.Length];
                var assignment = new AppRoleAssignment
                {
                    Id = tenant.NewOpaqueId(),
                    AppRoleId = application.AppRoles.First(r => r.AllowedMemberTypes.Contains("User")).Id,
                    Principal = user,
                    Resource = application,
                    CreatedDateTime = user.CreatedDateTime,
                };
                tenant.Add(assignment);
                Add([$"{user.Id}/app/{assignment.Id}", user.Id, nameof(AccessKind.AppRole), application.Id, assignment.Id],
                    () => tenant.AppRoleAssignmentsOf(user).Contains(assignment));
                user.AddDirectLicense(new AssignedLicense(LicenceCatalogue.Office365E3, [], user.CreatedDateTime));
                Add([$"{user.Id}/licence", user.Id, nameof(AccessKind.License), LicenceCatalogue.Office365E3.ToString(), null],
                    () => user.DirectLicenses.Count > 0);
            }

            return requests;

            void Add(string?[] request, Func<bool> held)
            {
                if (requests.Count < count)
                {
                    requests.Add(request);
                    Held.Add(held);
                }
            }
        }
    }

    /// <summary>How many of the last set's accesses the sandbox still holds.</summary>
    public static int Left(Tenant tenant)
    {
        lock (tenant.SyncRoot)
        {
            return Held.Count(held => held());
        }
    }

    /// <summary>The parent's side: a request from one of <see cref="Create"/>'s rows.</summary>
    public static AccessRemovalRequest ToRequest(string?[] row) => new()
    {
        Key = row[0]!, UserId = row[1]!, Kind = Enum.Parse<AccessKind>(row[2]!), ResourceId = row[3]!, AssignmentId = row[4],
    };

    public static string Serialize(List<string?[]> rows) => JsonSerializer.Serialize(rows);
}
