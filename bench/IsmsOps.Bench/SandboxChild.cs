using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using IsmsOps.Sandbox;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Bench;

/// <summary>
/// Runs the Graph sandbox in a child process, so the collecting process's time, CPU and memory are its own (the
/// sandbox's 100,000-user tenant alone takes about 230 MB). The child prints one line, <c>READY url token</c>, answers
/// each <c>stats</c> line on its stdin with one line of JSON (<see cref="SandboxStats"/>), each <c>leavers N</c> line
/// with the ids and UPNs of N new leavers (<see cref="HrFeedLeavers"/>), each <c>denies N</c> line with N new Deny decisions'
/// removal requests (<see cref="DenyWorkload"/>), each <c>denied</c> line with how many of them the tenant still holds, each <c>reviewed N</c> and <c>reviewedleft</c> line likewise for
/// <see cref="ReviewWorkload"/>, each <c>left id,id,…</c> line with what those
/// accounts still hold, and exits when stdin closes.
/// </summary>
internal sealed class SandboxChild : IDisposable
{
    public const string ChildSwitch = "--child-sandbox";

    private readonly Process _process;

    private SandboxChild(Process process, string url, string token)
    {
        _process = process;
        Url = url;
        AccessToken = token;
    }

    /// <summary>The sandbox's Graph base URL.</summary>
    public string Url { get; }

    /// <summary>The bearer token the sandbox accepts.</summary>
    public string AccessToken { get; }

    /// <summary>
    /// Starts the child and waits until its tenant is generated and it listens. Every request and every $batch item
    /// waits <paramref name="latencyMilliseconds"/>; <paramref name="faultRate"/> of them also get one of the
    /// sandbox's default faults (429 with and without Retry-After, 503, extra latency).
    /// </summary>
    public static SandboxChild Start(int users, int latencyMilliseconds, double faultRate = 0, bool parallelBatchItems = false)
    {
        var start = new ProcessStartInfo(ImportBenchmark.DotnetHost())
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (string arg in new[]
        {
            typeof(SandboxChild).Assembly.Location, ChildSwitch,
            users.ToString(CultureInfo.InvariantCulture), latencyMilliseconds.ToString(CultureInfo.InvariantCulture), faultRate.ToString(CultureInfo.InvariantCulture),
            parallelBatchItems ? "parallel" : "serial",
        })
        {
            start.ArgumentList.Add(arg);
        }

        Process process = Process.Start(start) ?? throw new InvalidOperationException("Could not start the sandbox process.");
        string? line = process.StandardOutput.ReadLine();
        string[] parts = line?.Split(' ') ?? [];
        if (parts is not ["READY", _, _])
        {
            process.Kill(entireProcessTree: true);
            process.Dispose();
            throw new InvalidOperationException($"The sandbox process did not start: '{line}'.");
        }

        return new SandboxChild(process, parts[1], parts[2]);
    }

    /// <summary>The tenant's shape, the requests the sandbox has received so far and the CPU it has used.</summary>
    public SandboxStats Stats() =>
        JsonSerializer.Deserialize<SandboxStats>(Ask("stats")) ?? throw new InvalidOperationException("The sandbox sent no stats.");

    /// <summary>Adds <paramref name="count"/> leavers to the tenant (<see cref="HrFeedLeavers.Create"/>); their object ids and UPNs.</summary>
    public List<(string Id, string UserPrincipalName)> NewLeavers(int count) =>
        (JsonSerializer.Deserialize<List<string[]>>(Ask(string.Create(CultureInfo.InvariantCulture, $"leavers {count}"))) ?? [])
            .Select(pair => (pair[0], pair[1])).ToList();

    /// <summary>How many of <paramref name="ids"/> still hold removable access, and how many accesses in all (<see cref="HrFeedLeavers.RemovableLeft"/>).</summary>
    public (int Leavers, int Accesses) RemovableLeft(IEnumerable<string> ids)
    {
        int[] counts = JsonSerializer.Deserialize<int[]>(Ask("left " + string.Join(',', ids))) ?? [];
        return (counts[0], counts[1]);
    }

    /// <summary>Adds the access of <paramref name="count"/> Deny decisions to the tenant (<see cref="DenyWorkload.Create"/>); the removal requests.</summary>
    public List<IsmsOps.Engine.Access.AccessRemovalRequest> NewDenies(int count) =>
        (JsonSerializer.Deserialize<List<string?[]>>(Ask(string.Create(CultureInfo.InvariantCulture, $"denies {count}"))) ?? [])
            .Select(DenyWorkload.ToRequest).ToList();

    /// <summary>Adds the memberships of <paramref name="count"/> access review items to the tenant (<see cref="ReviewWorkload.Create"/>); the groups' name prefix.</summary>
    public string NewReviewedAccess(int count) => Ask(string.Create(CultureInfo.InvariantCulture, $"reviewed {count}"));

    /// <summary>How many of the last <see cref="NewReviewedAccess"/> memberships the sandbox still holds.</summary>
    public int ReviewedAccessLeft() => int.Parse(Ask("reviewedleft"), CultureInfo.InvariantCulture);

    /// <summary>How many of the last <see cref="NewDenies"/> accesses the sandbox still holds.</summary>
    public int DeniedLeft() => int.Parse(Ask("denied"), CultureInfo.InvariantCulture);

    private string Ask(string command)
    {
        _process.StandardInput.WriteLine(command);
        _process.StandardInput.Flush();
        return _process.StandardOutput.ReadLine() ?? throw new InvalidOperationException("The sandbox process exited.");
    }

    public void Dispose()
    {
        _process.StandardInput.Close();
        if (!_process.WaitForExit(10_000))
        {
            _process.Kill(entireProcessTree: true);
        }

        _process.Dispose();
    }

    /// <summary>The child's side: <c>--child-sandbox USERS LATENCY_MS [FAULT_RATE [parallel|serial]]</c>.</summary>
    public static int Run(string[] args)
    {
        int users = int.Parse(args[0], CultureInfo.InvariantCulture);
        int latency = int.Parse(args[1], CultureInfo.InvariantCulture);
        double faultRate = args.Length > 2 ? double.Parse(args[2], CultureInfo.InvariantCulture) : 0;
        bool parallel = args.Length > 3 && args[3] == "parallel";

        // Latency on every request and on every $batch item; without a fault rate no throttling, so a correct client
        // retries nothing.
        var options = new SandboxOptions
        {
            UserCount = users, Latency = TimeSpan.FromMilliseconds(latency), FaultRate = faultRate, ParallelBatchItems = parallel,
        };
        using GraphSandbox sandbox = GraphSandbox.Start(options);
        Console.WriteLine($"READY {sandbox.Url} {sandbox.AccessToken}");
        while (Console.ReadLine() is { } command)
        {
            if (command == "stats")
            {
                Console.WriteLine(JsonSerializer.Serialize(SandboxStats.Describe(sandbox)));
            }
            else if (command.StartsWith("leavers ", StringComparison.Ordinal))
            {
                Console.WriteLine(JsonSerializer.Serialize(HrFeedLeavers.Create(sandbox.Tenant, int.Parse(command[8..], CultureInfo.InvariantCulture))));
            }
            else if (command.StartsWith("denies ", StringComparison.Ordinal))
            {
                Console.WriteLine(DenyWorkload.Serialize(DenyWorkload.Create(sandbox.Tenant, int.Parse(command[7..], CultureInfo.InvariantCulture))));
            }
            else if (command.StartsWith("reviewed ", StringComparison.Ordinal))
            {
                Console.WriteLine(ReviewWorkload.Create(sandbox.Tenant, int.Parse(command[9..], CultureInfo.InvariantCulture)));
            }
            else if (command == "reviewedleft")
            {
                Console.WriteLine(ReviewWorkload.Left(sandbox.Tenant).ToString(CultureInfo.InvariantCulture));
            }
            else if (command == "denied")
            {
                Console.WriteLine(DenyWorkload.Left(sandbox.Tenant).ToString(CultureInfo.InvariantCulture));
            }
            else if (command.StartsWith("left ", StringComparison.Ordinal))
            {
                (int leavers, int accesses) = HrFeedLeavers.RemovableLeft(sandbox.Tenant, command[5..].Split(','));
                Console.WriteLine(JsonSerializer.Serialize(new[] { leavers, accesses }));
            }
        }

        return 0;
    }
}

/// <summary>
/// What the request minimum is computed from: how many objects each collection the collector reads holds, and how
/// many pages the per-object relationships take at Graph's largest page (999). Read from the sandbox's own tenant,
/// not from what the collector brought back, so a collector that missed something cannot lower its own minimum.
/// </summary>
internal sealed record SandboxStats
{
    /// <summary>The largest $top Graph (and the sandbox) accepts on the directory collections.</summary>
    public const int PageSize = 999;

    public long Requests { get; init; }

    public double CpuSeconds { get; init; }

    public int Users { get; init; }

    public int Groups { get; init; }

    public long Members { get; init; }

    public long Owners { get; init; }

    /// <summary>Σ over groups of max(1, ⌈members/999⌉): an empty group still takes one request to find out.</summary>
    public long MemberPages { get; init; }

    /// <summary>Σ over groups of max(1, ⌈owners/999⌉).</summary>
    public long OwnerPages { get; init; }

    public int RoleDefinitions { get; init; }

    public int RoleAssignments { get; init; }

    public int RoleEligibilities { get; init; }

    public int ServicePrincipals { get; init; }

    public int AppRoleAssignments { get; init; }

    /// <summary>Σ over service principals of max(1, ⌈assignments to it/999⌉).</summary>
    public long AppRoleAssignmentPages { get; init; }

    public int DelegatedGrants { get; init; }

    public int Skus { get; init; }

    public int Devices { get; init; }

    public int Guests { get; init; }

    /// <summary>
    /// Σ over guests with at least 20 sponsors (Graph's cap on an expanded collection, so the collector reads their
    /// sponsors separately) of max(1, ⌈sponsors/999⌉).
    /// </summary>
    public long SponsorPages { get; init; }

    /// <summary>Pages of a listing of <paramref name="count"/> objects: an empty listing is still one request.</summary>
    public static long Pages(long count) => Math.Max(1, (count + PageSize - 1) / PageSize);

    public static SandboxStats Describe(GraphSandbox sandbox)
    {
        Tenant tenant = sandbox.Tenant;
        using var self = Process.GetCurrentProcess();
        return new SandboxStats
        {
            Requests = sandbox.RequestCount,
            CpuSeconds = self.TotalProcessorTime.TotalSeconds,
            Users = tenant.Users.Count,
            Groups = tenant.Groups.Count,
            Members = tenant.Groups.Sum(g => (long)g.Members.Count),
            Owners = tenant.Groups.Sum(g => (long)g.Owners.Count),
            MemberPages = tenant.Groups.Sum(g => Pages(g.Members.Count)),
            OwnerPages = tenant.Groups.Sum(g => Pages(g.Owners.Count)),
            RoleDefinitions = tenant.RoleDefinitions.Count,
            RoleAssignments = tenant.RoleAssignments.Count,
            RoleEligibilities = tenant.RoleEligibilities.Count,
            ServicePrincipals = tenant.ServicePrincipals.Count,
            AppRoleAssignments = tenant.AppRoleAssignments.Count,
            AppRoleAssignmentPages = tenant.ServicePrincipals.Sum(p => Pages(tenant.AppRoleAssignmentsTo(p).Count)),
            DelegatedGrants = tenant.OAuth2PermissionGrants.Count,
            Skus = tenant.SubscribedSkus.Count,
            Devices = tenant.Devices.Count,
            Guests = tenant.Users.Count(u => u.UserType == "Guest"),
            SponsorPages = tenant.Users.Where(u => u.Sponsors.Count >= 20).Sum(u => Pages(u.Sponsors.Count)),
        };
    }
}
