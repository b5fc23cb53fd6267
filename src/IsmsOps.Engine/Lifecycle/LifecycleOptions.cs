namespace IsmsOps.Engine.Lifecycle;

/// <summary>
/// When a joiner's onboarding and a leaver's offboarding fall due. Dates in the register are calendar dates; these
/// rules turn them into instants, in <see cref="TimeZone"/>.
/// </summary>
/// <remarks>
/// A leaver is due once now is at or past <c>EndDate + LeaverDueAfter</c> (midnight of the end date in
/// <see cref="TimeZone"/>, plus the offset). The default offset of one day reads the end date as the last working day:
/// access goes at the end of it, not at its start. Zero makes the leaver due from the first moment of the end date.
/// The test is a window (at or past), never an exact-date match: a run missed for a week still finds every leaver
/// whose date went by meanwhile.
/// A joiner is due once now is at or past <c>StartDate - JoinerLead</c> (midnight of the start date in
/// <see cref="TimeZone"/>), or at once when there is no start date.
/// </remarks>
public sealed record LifecycleOptions
{
    /// <summary>How long before the first moment of the start date a joiner's onboarding may start (1 day by default).</summary>
    public TimeSpan JoinerLead { get; init; } = TimeSpan.FromDays(1);

    /// <summary>How long after the first moment of the end date a leaver's offboarding falls due (1 day by default: the end of that day).</summary>
    public TimeSpan LeaverDueAfter { get; init; } = TimeSpan.FromDays(1);

    /// <summary>The zone the register's calendar dates are read in (UTC by default).</summary>
    public TimeZoneInfo TimeZone { get; init; } = TimeZoneInfo.Utc;

    /// <summary>The defaults: joiners a day ahead, leavers at the end of their last day, dates in UTC.</summary>
    public static LifecycleOptions Default { get; } = new();

    /// <summary>The instant a leaver with <paramref name="endDate"/> falls due.</summary>
    public DateTimeOffset LeaverDueAt(DateTime endDate) => StartOf(endDate) + LeaverDueAfter;

    /// <summary>The instant a joiner starting on <paramref name="startDate"/> may be onboarded from.</summary>
    public DateTimeOffset JoinerDueAt(DateTime startDate) => StartOf(startDate) - JoinerLead;

    // GetUtcOffset never throws on a time a DST change skips, which a plain conversion would.
    private DateTimeOffset StartOf(DateTime date)
    {
        DateTime local = DateTime.SpecifyKind(date.Date, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, TimeZone.GetUtcOffset(local)).ToUniversalTime();
    }
}
