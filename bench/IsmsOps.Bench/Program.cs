using System.Globalization;

namespace IsmsOps.Bench;

/// <summary>
/// Entry point: <c>import | append | verify | snapshot | collect | offboard | onboard | leavers | denies | campaign | complete | hrfeed | tables | reports | assessment | all</c>, plus the internal child modes that some
/// benchmarks start in fresh processes (<c>--child-import</c>, <c>--child-snapshot-load</c>, <c>--child-sandbox</c>,
/// <c>--child-collect</c>, <c>--child-hrfeed</c>, <c>--child-campaign</c>). Results go to stdout as a markdown table; progress goes to stderr.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: IsmsOps.Bench import|append|verify|snapshot|collect|offboard|onboard|leavers|denies|campaign|complete|hrfeed|tables|reports|assessment|store|all [options]
          --runs N             measured runs per figure, after one discarded warm-up (default: import 10, append 5, verify 3, snapshot 3, collect 3, offboard 10, onboard 10, leavers 3, denies 5, campaign 3, complete 5, hrfeed 3, tables 5, reports 3, assessment 5, store 3)
          --events N           events per append run (default 50000; batch size 1, and the store benchmark, use N/25)
          --verify-events N    events in the verification store (default 1000000)
          --build-batch N      events per append while building the verification store (default 10000)
          --store DIR          keep the verification store in DIR and reuse it on the next run
          --module PSD1        the module manifest to import (default: the one this build assembled in out/)
          --snapshot-users N   users in the synthetic snapshot (default 100000; 5,000 groups and 500,000 memberships); assessment also adds a person per member
          --keep-snapshot FILE also write the synthetic snapshot to FILE and keep it (for measuring it in a PowerShell host)
          --users N            users in the sandbox tenant that collect reads (default 100000, at most 100000)
          --latency-ms N       latency the sandbox adds to every request and every $batch item (default 50; 0 for none)
          --offboard-users N   users in the sandbox tenant the offboard leavers and onboard joiners are added to (default 2000)
          --concurrency N      requests collect keeps in flight, and $batch requests denies keeps in flight (default: GraphReaderOptions.MaxConcurrency's default)
          --denies N           Deny decisions per denies run (default 10000)
          --leavers N          leavers per HR-feed run (default 100)
          --throttle-limits L  comma-separated ThrottleLimits the leavers benchmark measures (default 8,16,1)
          --sequential-runs N  measured runs at ThrottleLimit 1 (leavers) and with one $batch in flight (denies), which take minutes each (default 1)
          --fault-rate R       share of requests faulted in the leavers benchmark's fault runs (default 0.2; 0 skips them)
          --hr-people N        people in the hrfeed benchmark's feed and users in its snapshot (default 50000)
          --table-rows N       rows the tables benchmark writes, reads back and compares in CSV and XLSX (default 100000)
          --report-findings N  findings in the run the reports benchmark writes in every format (default 100000)
          --review-users N     users in the campaign benchmark's snapshot (default 100000)
          --groups-per-user N  groups each of them is a direct member of, one campaign item each (default 20)
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args.Length >= 2 && args[0] == ImportBenchmark.ChildSwitch)
        {
            return ImportBenchmark.RunChild(args[1]);
        }

        if (args.Length >= 2 && args[0] == HrFeedBenchmark.ChildSwitch)
        {
            return HrFeedBenchmark.RunChild(args[1]);
        }

        if (args.Length >= 4 && args[0] == CampaignBenchmark.ChildSwitch)
        {
            return CampaignBenchmark.RunChild(args[1..]);
        }

        if (args.Length >= 2 && args[0] == SnapshotBenchmark.ChildSwitch)
        {
            return SnapshotBenchmark.RunChild(args[1..]);
        }

        if (args.Length >= 3 && args[0] == SandboxChild.ChildSwitch)
        {
            return SandboxChild.Run(args[1..]);
        }

        if (args.Length >= 5 && args[0] == CollectBenchmark.ChildSwitch)
        {
            return await CollectBenchmark.RunChildAsync(args[1..]).ConfigureAwait(false);
        }

        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }

        var report = new ResultTable();
        if (options.Command is "import" or "all")
        {
            ImportBenchmark.Run(options, report);
        }

        if (options.Command is "append" or "all")
        {
            await AppendBenchmark.RunAsync(options, report).ConfigureAwait(false);
        }

        if (options.Command is "verify" or "all")
        {
            await VerifyBenchmark.RunAsync(options, report).ConfigureAwait(false);
        }

        if (options.Command is "snapshot" or "all")
        {
            SnapshotBenchmark.Run(options, report);
        }

        if (options.Command is "collect" or "all")
        {
            CollectBenchmark.Run(options, report);
        }

        if (options.Command is "offboard" or "all")
        {
            await OffboardBenchmark.RunAsync(options, report).ConfigureAwait(false);
        }

        if (options.Command is "onboard" or "all")
        {
            await OnboardBenchmark.RunAsync(options, report).ConfigureAwait(false);
        }

        if (options.Command is "leavers" or "all")
        {
            await LeaversBenchmark.RunAsync(options, report).ConfigureAwait(false);
        }

        if (options.Command is "denies" or "all")
        {
            await DeniesBenchmark.RunAsync(options, report).ConfigureAwait(false);
        }

        if (options.Command is "campaign" or "all")
        {
            CampaignBenchmark.Run(options, report);
        }

        if (options.Command is "complete" or "all")
        {
            await CompleteBenchmark.RunAsync(options, report).ConfigureAwait(false);
        }

        if (options.Command is "hrfeed" or "all")
        {
            HrFeedBenchmark.Run(options, report);
        }

        if (options.Command is "tables" or "all")
        {
            await TablesBenchmark.RunAsync(options, report).ConfigureAwait(false);
        }

        if (options.Command is "reports" or "all")
        {
            await ReportsBenchmark.RunAsync(options, report).ConfigureAwait(false);
        }

        if (options.Command is "assessment" or "all")
        {
            AssessmentBenchmark.Run(options, report);
        }

        if (options.Command is "store" or "all")
        {
            await StoreBenchmark.RunAsync(options, report).ConfigureAwait(false);
        }

        Console.WriteLine(MachineInfo.Describe());
        Console.WriteLine();
        Console.WriteLine(report.ToMarkdown());
        return report.AllTargetsMet ? 0 : 1;
    }
}

/// <summary>What the command line asked for.</summary>
internal sealed record BenchOptions
{
    public required string Command { get; init; }

    public int? Runs { get; init; }

    public int AppendEvents { get; init; } = 50_000;

    public int VerifyEvents { get; init; } = 1_000_000;

    public int BuildBatch { get; init; } = 10_000;

    public string? StoreDirectory { get; init; }

    public int SnapshotUsers { get; init; } = 100_000;

    public string? KeepSnapshot { get; init; }

    public int CollectUsers { get; init; } = 100_000;

    public int LatencyMilliseconds { get; init; } = 50;

    public int OffboardUsers { get; init; } = 2_000;

    public int? Concurrency { get; init; }

    public int Leavers { get; init; } = 100;

    public int Denies { get; init; } = 10_000;

    public IReadOnlyList<int> ThrottleLimits { get; init; } = [8, 16, 1];

    public int SequentialRuns { get; init; } = 1;

    public double FaultRate { get; init; } = 0.2;

    public int HrPeople { get; init; } = 50_000;

    public int TableRows { get; init; } = 100_000;

    public int ReportFindings { get; init; } = 100_000;

    public int ReviewUsers { get; init; } = 100_000;

    public int GroupsPerUser { get; init; } = 20;

    public string ModuleManifest { get; init; } = ImportBenchmark.DefaultManifest();

    public int RunsOr(int fallback) => Runs ?? fallback;

    /// <summary>
    /// The in-process sandbox of the offboard and onboard benchmarks: <see cref="OffboardUsers"/> users and
    /// <see cref="LatencyMilliseconds"/> on every request and $batch item, the items of a batch waiting side by side
    /// (as Graph runs them) or one after another.
    /// </summary>
    /// <summary>
    /// The two ways the in-process sandbox adds up the latency of a $batch's items, as the offboard and onboard
    /// benchmarks report them: Graph's (side by side), which their targets are measured against, with all
    /// <paramref name="runs"/>; and the sandbox's pessimistic default (one after another), for information, with at most 3.
    /// </summary>
    public static IReadOnlyList<(bool Parallel, int Runs, string Description)> BatchLatencyModels(int runs) =>
    [
        (true, runs, "batch items side by side, as Graph runs them"),
        (false, Math.Min(runs, 3), "batch items one after another (sandbox default, pessimistic)"),
    ];

    public IsmsOps.Sandbox.SandboxOptions LatencySandbox(bool parallelBatchItems) => new()
    {
        UserCount = OffboardUsers, Latency = TimeSpan.FromMilliseconds(LatencyMilliseconds), ParallelBatchItems = parallelBatchItems,
    };

    public static BenchOptions Parse(string[] args)
    {
        if (args.Length == 0 || args[0] is not ("import" or "append" or "verify" or "snapshot" or "collect" or "offboard" or "onboard" or "leavers" or "denies" or "campaign" or "complete" or "hrfeed" or "tables" or "reports" or "assessment" or "store" or "all"))
        {
            throw new ArgumentException("Name a benchmark.");
        }

        var options = new BenchOptions { Command = args[0] };
        for (int i = 1; i < args.Length; i++)
        {
            string value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value.");
            options = args[i] switch
            {
                "--runs" => options with { Runs = Positive(args[i], value) },
                "--events" => options with { AppendEvents = Positive(args[i], value) },
                "--verify-events" => options with { VerifyEvents = Positive(args[i], value) },
                "--build-batch" => options with { BuildBatch = Positive(args[i], value) },
                "--store" => options with { StoreDirectory = Path.GetFullPath(value) },
                "--keep-snapshot" => options with { KeepSnapshot = Path.GetFullPath(value) },
                "--snapshot-users" => options with { SnapshotUsers = Positive(args[i], value) },
                "--users" => options with { CollectUsers = Positive(args[i], value) },
                "--offboard-users" => options with { OffboardUsers = Positive(args[i], value) },
                "--latency-ms" => options with { LatencyMilliseconds = NonNegative(args[i], value) },
                "--concurrency" => options with { Concurrency = Positive(args[i], value) },
                "--module" => options with { ModuleManifest = Path.GetFullPath(value) },
                "--leavers" => options with { Leavers = Positive(args[i], value) },
                "--denies" => options with { Denies = Positive(args[i], value) },
                "--throttle-limits" => options with { ThrottleLimits = value.Split(',').Select(v => Positive(args[i], v.Trim())).ToArray() },
                "--sequential-runs" => options with { SequentialRuns = Positive(args[i], value) },
                "--fault-rate" => options with { FaultRate = Share(args[i], value) },
                "--hr-people" => options with { HrPeople = Positive(args[i], value) },
                "--table-rows" => options with { TableRows = Positive(args[i], value) },
                "--report-findings" => options with { ReportFindings = Positive(args[i], value) },

                "--review-users" => options with { ReviewUsers = Positive(args[i], value) },
                "--groups-per-user" => options with { GroupsPerUser = Positive(args[i], value) },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
            i++;
        }

        return options;
    }

    private static int Positive(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n > 0
            ? n
            : throw new ArgumentException($"{name} takes a positive whole number, not '{value}'.");

    private static double Share(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double share) && share is >= 0 and <= 1
            ? share
            : throw new ArgumentException($"{name} takes a share between 0 and 1, such as 0.2, not '{value}'.");

    private static int NonNegative(string name, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) && n >= 0
            ? n
            : throw new ArgumentException($"{name} takes a whole number of 0 or more, not '{value}'.");
}
