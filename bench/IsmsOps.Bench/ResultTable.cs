using System.Globalization;
using System.Text;

namespace IsmsOps.Bench;

/// <summary>The measured runs of one figure (the warm-up run is never among them).</summary>
internal sealed class Samples
{
    private readonly double[] _sorted;

    public Samples(IEnumerable<double> values)
    {
        _sorted = values.Order().ToArray();
        if (_sorted.Length == 0)
        {
            throw new ArgumentException("No samples.", nameof(values));
        }
    }

    public int Count => _sorted.Length;

    public double Min => _sorted[0];

    public double Max => _sorted[^1];

    public double Median => _sorted.Length % 2 == 1
        ? _sorted[_sorted.Length / 2]
        : (_sorted[(_sorted.Length / 2) - 1] + _sorted[_sorted.Length / 2]) / 2;
}

/// <summary>How a figure is printed: milliseconds, seconds or a rate.</summary>
internal sealed record Unit(string Name, Func<double, string> Format)
{
    public static Unit Milliseconds { get; } = new("ms", v => v.ToString("N0", CultureInfo.InvariantCulture) + " ms");

    public static Unit Seconds { get; } = new("s", v => v.ToString("N2", CultureInfo.InvariantCulture) + " s");

    public static Unit EventsPerSecond { get; } = new("events/s", v => v.ToString("N0", CultureInfo.InvariantCulture) + " ev/s");
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
            ratio = (samples.Median / target.Value).ToString("0.00", CultureInfo.InvariantCulture) + "×";
            bool ok = target.IsMetBy(samples.Median);
            met = ok ? "**yes**" : "**NO**";
            AllTargetsMet &= ok;
        }

        _rows.Add([figure, samples.Count.ToString(CultureInfo.InvariantCulture), unit.Format(samples.Median), unit.Format(samples.Min),
            unit.Format(samples.Max), target?.Describe(unit) ?? "—", ratio, met]);
        Console.Error.WriteLine($"  {figure}: median {unit.Format(samples.Median)} (min {unit.Format(samples.Min)}, max {unit.Format(samples.Max)})");
    }

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        text.AppendLine("| figure | runs | median | min | max | target | median ÷ target | met |");
        text.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
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
    public static async Task<Samples> MeasureAsync(string label, int runs, Func<int, Task<double>> measure)
    {
        Console.Error.WriteLine($"{label}: warm-up");
        await measure(0).ConfigureAwait(false);
        var values = new List<double>(runs);
        for (int run = 1; run <= runs; run++)
        {
            double value = await measure(run).ConfigureAwait(false);
            Console.Error.WriteLine($"{label}: run {run}/{runs}: {value.ToString("N1", CultureInfo.InvariantCulture)}");
            values.Add(value);
        }

        return new Samples(values);
    }
}
