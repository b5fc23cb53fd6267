using System.Globalization;
using System.Text.RegularExpressions;

namespace IsmsOps.Engine.Policies;

/// <summary>
/// An ISO 8601 duration (<c>P1Y</c>, <c>P6M</c>, <c>P30D</c>, <c>PT24H</c>, <c>P1DT12H</c>). Years and months are
/// calendar units, added to a date as a calendar would (2026-01-31 + P1M is 2026-02-28); the other units are fixed
/// lengths, so only a duration without years or months converts to a <see cref="TimeSpan"/>.
/// </summary>
public readonly partial record struct IsoDuration(int Years, int Months, int Days, TimeSpan Time)
{
    /// <summary>True when the duration has no calendar part (years, months) and so a fixed length.</summary>
    public bool IsFixedLength => Years == 0 && Months == 0;

    /// <summary>Parses <paramref name="text"/>; false when it is not an ISO 8601 duration or is negative.</summary>
    public static bool TryParse(string? text, out IsoDuration duration)
    {
        duration = default;
        Match m = text is null ? Match.Empty : Format().Match(text);
        if (!m.Success || text == "P" || text!.EndsWith('T'))
        {
            return false;
        }

        try
        {
            int Part(string name) => m.Groups[name].Success ? int.Parse(m.Groups[name].Value, CultureInfo.InvariantCulture) : 0;
            double seconds = m.Groups["s"].Success ? double.Parse(m.Groups["s"].Value, CultureInfo.InvariantCulture) : 0;
            TimeSpan time = TimeSpan.FromHours(Part("h")) + TimeSpan.FromMinutes(Part("min")) + TimeSpan.FromSeconds(seconds);
            duration = new IsoDuration(Part("y"), Part("mon"), checked(Part("w") * 7 + Part("d")), time);
            return true;
        }
        catch (Exception ex) when (ex is OverflowException or FormatException)
        {
            return false;
        }
    }

    /// <summary>The fixed length; only for <see cref="IsFixedLength"/> durations.</summary>
    public TimeSpan ToTimeSpan() => IsFixedLength
        ? TimeSpan.FromDays(Days) + Time
        : throw new InvalidOperationException($"{this} has years or months, which have no fixed length.");

    /// <summary><paramref name="start"/> plus this duration, calendar parts first.</summary>
    public DateTimeOffset AddTo(DateTimeOffset start) => start.AddYears(Years).AddMonths(Months).AddDays(Days).Add(Time);

    /// <summary>
    /// <paramref name="start"/> plus <paramref name="times"/> of this duration at once, not one after another:
    /// 2026-01-31 + 2 × P1M is 2026-03-31 (adding P1M twice gives 2026-03-28).
    /// </summary>
    public DateTimeOffset AddTo(DateTimeOffset start, long times) =>
        new IsoDuration(checked((int)(Years * times)), checked((int)(Months * times)), checked((int)(Days * times)), Time * times).AddTo(start);

    /// <summary>
    /// The first of <paramref name="anchor"/> + k × this (k ≥ 1) that is later than <paramref name="after"/>: the next
    /// date of a schedule that counts whole periods from <paramref name="anchor"/>. For a positive duration only.
    /// </summary>
    public DateTimeOffset FirstAfter(DateTimeOffset anchor, DateTimeOffset after) => AddTo(anchor, PeriodsUpTo(anchor, after) + 1);

    /// <summary>
    /// The last of <paramref name="anchor"/> + k × this (k ≥ 1) at or before <paramref name="now"/>; null when the first
    /// period has not ended by then. For a positive duration only.
    /// </summary>
    public DateTimeOffset? LastAtOrBefore(DateTimeOffset anchor, DateTimeOffset now)
    {
        long periods = PeriodsUpTo(anchor, now);
        return periods == 0 ? null : AddTo(anchor, periods);
    }

    // The largest k ≥ 0 with anchor + k × this at or before the moment: by division for a fixed length, then a few
    // steps either way (a calendar duration is a handful of steps a year).
    private long PeriodsUpTo(DateTimeOffset anchor, DateTimeOffset moment)
    {
        if (moment < anchor)
        {
            return 0;
        }

        long periods = IsFixedLength ? (moment - anchor).Ticks / ToTimeSpan().Ticks : 0;
        while (AddTo(anchor, periods + 1) <= moment)
        {
            periods++;
        }

        while (periods > 0 && AddTo(anchor, periods) > moment)
        {
            periods--;
        }

        return periods;
    }

    /// <summary>The canonical text: P1Y6M, P30D, PT24H, PT0S.</summary>
    public override string ToString()
    {
        var text = new System.Text.StringBuilder("P");
        if (Years != 0) text.Append(CultureInfo.InvariantCulture, $"{Years}Y");
        if (Months != 0) text.Append(CultureInfo.InvariantCulture, $"{Months}M");
        if (Days != 0) text.Append(CultureInfo.InvariantCulture, $"{Days}D");
        if (Time != TimeSpan.Zero || text.Length == 1)
        {
            text.Append('T');
            if ((int)Time.TotalHours != 0) text.Append(CultureInfo.InvariantCulture, $"{(int)Time.TotalHours}H");
            if (Time.Minutes != 0) text.Append(CultureInfo.InvariantCulture, $"{Time.Minutes}M");
            double seconds = Time.Seconds + Time.Milliseconds / 1000.0;
            if (seconds != 0 || text[^1] == 'T') text.Append(CultureInfo.InvariantCulture, $"{seconds}S");
        }

        return text.ToString();
    }

    [GeneratedRegex(@"^P(?:(?<y>\d+)Y)?(?:(?<mon>\d+)M)?(?:(?<w>\d+)W)?(?:(?<d>\d+)D)?(?:T(?:(?<h>\d+)H)?(?:(?<min>\d+)M)?(?:(?<s>\d+(?:\.\d+)?)S)?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Format();
}
