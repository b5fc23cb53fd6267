using System.Diagnostics;
using System.Globalization;
using IsmsOps.Engine.Access;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.Bench;

/// <summary>
/// Directory snapshots at the issue's size (100,000 users, 5,000 groups, 500,000 memberships): writing the file,
/// reading and verifying it, building the <see cref="DirectoryIndex"/>, and the memory a session holds with the
/// snapshot loaded and indexed. Memory is measured in a fresh child process that does only the load, so nothing the
/// parent built counts.
/// </summary>
internal static class SnapshotBenchmark
{
    public const string ChildSwitch = "--child-snapshot-load";

    private const double IndexBudgetSeconds = 2.0;
    private const double MemoryBudgetMb = 400;

    public static void Run(BenchOptions options, ResultTable report)
    {
        int runs = options.RunsOr(3);
        string work = Directory.CreateTempSubdirectory("ismsops-bench-snapshot-").FullName;
        try
        {
            Timing building = Timing.Start();
            DirectorySnapshot snapshot = SyntheticTenant.Build(options.SnapshotUsers, 5_000, 500_000);
            Console.Error.WriteLine($"snapshot: built the synthetic tenant in {building.Elapsed.TotalSeconds:N1} s");
            string path = Path.Combine(work, "tenant.json.gz");
            SnapshotFileHeader header = null!;

            Samples write = Repeat.MeasureAsync("snapshot write", runs, _ =>
            {
                Timing timing = Timing.Start();
                header = DirectorySnapshotFile.Write(path, snapshot, overwrite: true, CancellationToken.None);
                return Task.FromResult(timing.Seconds());
            }).GetAwaiter().GetResult();
            string size = string.Create(CultureInfo.InvariantCulture,
                $"{new FileInfo(path).Length / 1e6:N1} MB on disk, {header.ContentLength / 1e6:N1} MB of JSON");
            report.Add($"write a {options.SnapshotUsers:N0}-user snapshot ({size})", write, Unit.Seconds);

            Samples read = Repeat.MeasureAsync("snapshot read", runs, _ =>
            {
                Timing timing = Timing.Start();
                LoadedSnapshot loaded = DirectorySnapshotFile.Read(path, CancellationToken.None);
                Measurement seconds = timing.Seconds();
                if (loaded.Snapshot.Users.Count != options.SnapshotUsers)
                {
                    throw new InvalidOperationException("The snapshot read back is not the one written.");
                }

                return Task.FromResult(seconds);
            }).GetAwaiter().GetResult();
            if (options.KeepSnapshot is not null)
            {
                File.Copy(path, options.KeepSnapshot, overwrite: true);
            }

            report.Add("read and verify it (decompress, SHA-256, parse, intern ids)", read, Unit.Seconds);

            Samples index = Repeat.MeasureAsync("index build", Math.Max(runs, 5), _ =>
            {
                Timing timing = Timing.Start();
                DirectoryIndex built = DirectoryIndex.Build(snapshot);
                // The direct memberships are laid out on the first look-up by member: part of the index's cost.
                GC.KeepAlive(built.DirectGroupsOf(snapshot.Users[0].Id));
                Measurement seconds = timing.Seconds();
                GC.KeepAlive(built);
                return Task.FromResult(seconds);
            }).GetAwaiter().GetResult();
            report.Add("build the DirectoryIndex, memberships laid out (first look-up by member)", index, Unit.Seconds, Target.AtMost(IndexBudgetSeconds));

            var heap = new List<double>();
            var peak = new List<double>();
            var cpu = new List<double>();
            for (int run = 0; run <= runs; run++)
            {
                Dictionary<string, double> child = RunChild(path);
                Console.Error.WriteLine(FormattableString.Invariant(
                    $"snapshot load child {run}: peak RSS {child["peak_rss_mb"]:N0} MB, heap {child["heap_mb"]:N0} MB, RSS {child["rss_mb"]:N0} MB, {child["load_s"]:N2} s"));
                if (run > 0)
                {
                    heap.Add(child["heap_mb"]);
                    peak.Add(child["peak_rss_mb"]);
                    cpu.Add(child["load_s"]);
                }
            }

            report.Add("fresh process: peak resident memory, read + verify + index + one inventory", new Samples(peak), Unit.Megabytes, Target.AtMost(MemoryBudgetMb));
            report.Add("  GC heap after a full collection, snapshot and index held", new Samples(heap), Unit.Megabytes);
            report.Add("  read + index + inventory in that process", new Samples(cpu), Unit.Seconds);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static Dictionary<string, double> RunChild(string path) => ChildFigures.Start("snapshot", ChildSwitch, path);

    /// <summary>The child: what Import-IsmsDirectorySnapshot then Get-IsmsAccess do, and the memory it takes.</summary>
    public static int RunChild(string[] args)
    {
        Timing timing = Timing.Start();
        LoadedSnapshot loaded = DirectorySnapshotFile.Read(args[0], CancellationToken.None);
        DirectoryIndex index = DirectoryIndex.Build(loaded.Snapshot);
        IReadOnlyList<AccessGrant> grants = AccessInventory.For(index, loaded.Snapshot.Users[12_345 % loaded.Snapshot.Users.Count].Id, loaded.ContentSha256);
        double seconds = timing.Elapsed.TotalSeconds;
        long heap = GC.GetTotalMemory(forceFullCollection: true);
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        GC.KeepAlive(index);
        Console.WriteLine(FormattableString.Invariant($"load_s={seconds}"));
        Console.WriteLine(FormattableString.Invariant($"heap_mb={heap / 1e6}"));
        Console.WriteLine(FormattableString.Invariant($"rss_mb={self.WorkingSet64 / 1e6}"));
        Console.WriteLine(FormattableString.Invariant($"peak_rss_mb={self.PeakWorkingSet64 / 1e6}"));
        Console.WriteLine(FormattableString.Invariant($"grants={grants.Count}"));
        return 0;
    }
}
