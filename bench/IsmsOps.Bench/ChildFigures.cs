using System.Diagnostics;
using System.Globalization;

namespace IsmsOps.Bench;

/// <summary>
/// The plumbing between a benchmark and the fresh child process it measures in: the parent starts the bench again
/// with a child switch and reads back one key=value line per figure; the child works in a store of its own, prints
/// its figures and deletes the store.
/// </summary>
internal static class ChildFigures
{
    /// <summary>Runs the bench in a child process with <paramref name="args"/> and returns its figures; <paramref name="label"/> names it in errors.</summary>
    public static Dictionary<string, double> Start(string label, params string[] args)
    {
        string app = typeof(ChildFigures).Assembly.Location;
        var start = new ProcessStartInfo(ImportBenchmark.DotnetHost()) { RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(app);
        foreach (string arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using Process child = Process.Start(start) ?? throw new InvalidOperationException($"Could not start the {label} child.");
        string stdout = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0)
        {
            throw new InvalidOperationException($"The {label} child failed ({child.ExitCode}): {stdout}");
        }

        return stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(l => l.Split('=', 2))
            .ToDictionary(kv => kv[0], kv => double.Parse(kv[1], CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// The child's side: <paramref name="work"/> fills the figures using the store at <paramref name="home"/>, then the
    /// store's size is added, every figure printed as a key=value line and the store deleted.
    /// </summary>
    public static int RunInStore(string home, Action<Dictionary<string, double>> work)
    {
        try
        {
            var figures = new Dictionary<string, double>();
            work(figures);
            figures["store_mb"] = Directory.EnumerateFiles(home, "*.db*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) / 1e6;
            foreach ((string key, double value) in figures)
            {
                Console.WriteLine(FormattableString.Invariant($"{key}={value}"));
            }

            return 0;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>A phase's wall-clock and CPU seconds, as <c>PHASE_s</c> and <c>PHASE_cpu_s</c>.</summary>
    public static void Record(Dictionary<string, double> figures, string phase, Measurement m)
    {
        figures[phase + "_s"] = m.Value;
        figures[phase + "_cpu_s"] = m.Cpu ?? 0;
    }

    public static double PeakWorkingSetMegabytes()
    {
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        return self.PeakWorkingSet64 / 1e6;
    }
}
