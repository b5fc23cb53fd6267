using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace IsmsOps.Bench;

/// <summary>The measured runs of one figure (the warm-up run is never among them).</summary>
/// <remarks>
/// Where a figure is a duration, the CPU time the process spent in each run is kept too (in the same unit). On a
/// shared machine the wall-clock figure rises when other work takes the cores; the CPU figure mostly does not, so
/// the two together tell a slow change from a busy neighbour.
/// </remarks>
internal sealed class Samples
{
    private readonly double[] _sorted;
    private readonly double[] _cpuSorted;

    public Samples(IEnumerable<double> values, IEnumerable<double>? cpu = null)
    {
        _sorted = values.Order().ToArray();
        _cpuSorted = (cpu ?? []).Order().ToArray();
        if (_sorted.Length == 0)
        {
            throw new ArgumentException("No samples.", nameof(values));
        }
    }

    public double? CpuMedian => _cpuSorted.Length == 0 ? null : MedianOf(_cpuSorted);

    public int Count => _sorted.Length;

    public double Min => _sorted[0];

    public double Max => _sorted[^1];

    public double Median => MedianOf(_sorted);

    private static double MedianOf(double[] sorted) => sorted.Length % 2 == 1
        ? sorted[sorted.Length / 2]
        : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

/// <summary>One run: its figure and, for durations, the process CPU time it took (same unit).</summary>
internal readonly record struct Measurement(double Value, double? Cpu = null);

/// <summary>Wall-clock and process CPU time of a piece of work.</summary>
internal readonly struct Timing
{
    private readonly long _started;
    private readonly TimeSpan _cpuStarted;

    private Timing(long started, TimeSpan cpuStarted)
    {
        _started = started;
        _cpuStarted = cpuStarted;
    }

    public static Timing Start() => new(Stopwatch.GetTimestamp(), ProcessCpu());

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_started);

    public TimeSpan Cpu => ProcessCpu() - _cpuStarted;

    /// <summary>The elapsed and CPU seconds so far.</summary>
    public Measurement Seconds() => new(Elapsed.TotalSeconds, Cpu.TotalSeconds);

    private static TimeSpan ProcessCpu()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }
}

/// <summary>How a figure is printed: milliseconds, seconds, a rate, megabytes or a request count.</summary>
internal sealed record Unit(string Name, Func<double, string> Format)
{
    public static Unit Milliseconds { get; } = new("ms", v => v.ToString("N0", CultureInfo.InvariantCulture) + " ms");

    public static Unit Seconds { get; } = new("s", v => v.ToString("N2", CultureInfo.InvariantCulture) + " s");

    public static Unit EventsPerSecond { get; } = new("events/s", v => v.ToString("N0", CultureInfo.InvariantCulture) + " ev/s");

    public static Unit Megabytes { get; } = new("MB", v => v.ToString("N0", CultureInfo.InvariantCulture) + " MB");

    /// <summary>A count of HTTP requests (or retries), shared by the benchmarks that run against the sandbox.</summary>
    public static Unit Requests { get; } = new("requests", v => v.ToString("N0", CultureInfo.InvariantCulture));

    /// <summary>A plain count (items, rows, findings).</summary>
    public static Unit Count { get; } = new("", v => v.ToString("N0", CultureInfo.InvariantCulture));

    /// <summary>A ratio to two decimals, such as round trips against their minimum.</summary>
    public static Unit Ratio { get; } = new("×", v => v.ToString("0.00", CultureInfo.InvariantCulture) + "×");
}

/// <summary>A target from the issue: an upper bound (time) or a lower bound (rate).</summary>
internal sealed record Target(double Value, bool HigherIsBetter)
{
    public static Target AtMost(double value) => new(value, false);

    public static Target AtLeast(double value) => new(value, true);

    public bool IsMetBy(double median) => HigherIsBetter ? median >= Value : median <= Value;

    public string Describe(Unit unit) => (HigherIsBetter ? "≥ " : "≤ ") + unit.Format(Value);
}

/// <summary>Collects figures and prints them as one markdown table.</summary>
internal sealed class ResultTable
{
    private readonly List<string[]> _rows = [];

    public bool AllTargetsMet { get; private set; } = true;

    public void Add(string figure, Samples samples, Unit unit, Target? target = null)
    {
        string ratio = "—";
        string met = "info";
        if (target is not null)
        {
            // A target of zero (nothing left behind) has no meaningful ratio.
            ratio = target.Value == 0 ? "—" : (samples.Median / target.Value).ToString("0.00", CultureInfo.InvariantCulture) + "×";
            bool ok = target.IsMetBy(samples.Median);
            met = ok ? "**yes**" : "**NO**";
            AllTargetsMet &= ok;
        }

        string cpu = samples.CpuMedian is double c ? unit.Format(c) : "—";
        _rows.Add([figure, samples.Count.ToString(CultureInfo.InvariantCulture), unit.Format(samples.Median), unit.Format(samples.Min),
            unit.Format(samples.Max), cpu, target?.Describe(unit) ?? "—", ratio, met]);
        Console.Error.WriteLine($"  {figure}: median {unit.Format(samples.Median)} (min {unit.Format(samples.Min)}, max {unit.Format(samples.Max)})");
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| figure | runs | median | min | max | CPU (median) | target | median ÷ target | met |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (string[] row in _rows)
        {
            text.AppendLine("| " + string.Join(" | ", row) + " |");
        }

        return text.ToString();
    }
}

/// <summary>Runs a measurement once to warm up (discarded), then <paramref name="runs"/> times.</summary>
internal static class Repeat
{
    /// <summary>
    /// Runs <paramref name="measure"/> once to warm up and then <paramref name="runs"/> times, logging each result with
    /// <paramref name="describe"/>, and returns the measured results (the warm-up's never among them).
    /// </summary>
    public static async Task<List<T>> RunsAsync<T>(string label, int runs, Func<int, Task<T>> measure, Func<T, string> describe)
    {
        var results = new List<T>(runs);
        for (int run = 0; run <= runs; run++)
        {
            T result = await measure(run).ConfigureAwait(false);
            Console.Error.WriteLine(FormattableString.Invariant($"{label}: {(run == 0 ? "warm-up" : $"run {run}/{runs}")}: {describe(result)}"));
            if (run > 0)
            {
                results.Add(result);
            }
        }

        return results;
    }

    public static async Task<Samples> MeasureAsync(string label, int runs, Func<int, Task<Measurement>> measure)
    {
        Console.Error.WriteLine($"{label}: warm-up");
        await measure(0).ConfigureAwait(false);
        var values = new List<double>(runs);
        var cpu = new List<double>(runs);
        for (int run = 1; run <= runs; run++)
        {
            Measurement m = await measure(run).ConfigureAwait(false);
            Console.Error.WriteLine(FormattableString.Invariant($"{label}: run {run}/{runs}: {m.Value:N2}{(m.Cpu is double c ? $" (CPU {c:N2})" : "")}"));
            values.Add(m.Value);
            if (m.Cpu is double used)
            {
                cpu.Add(used);
            }
        }

        return new Samples(values, cpu.Count == runs ? cpu : null);
    }
}
