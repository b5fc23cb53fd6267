using IsmsOps.Engine.AccessReviews;

namespace IsmsOps.Engine.Tests.AccessReviews;

/// <summary>The scheduler's arithmetic on a predecessor campaign: when and under what name its successor starts, and what it carries on.</summary>
public sealed class AccessReviewScheduleTests
{
    // A guest review with one item: the fields every predecessor here shares.
    private static AccessReviewCampaign Predecessor(string campaignId, string name, DateTimeOffset startDate, DateTimeOffset dueDate, DateTimeOffset createdAt) => new()
    {
        CampaignId = campaignId, Name = name, Scope = new AccessReviewScope { Guests = true }, Reviewers = new AccessReviewReviewers(),
        StartDate = startDate, DueDate = dueDate, SnapshotCollectedAt = createdAt, ItemCount = 1, ItemsSha256 = "x", CreatedAt = createdAt,
    };

    [Fact]
    public void The_review_length_is_the_first_campaigns_start_to_due_date_whenever_it_was_created_and_stays_whole_down_the_series()
    {
        DateTimeOffset At(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        // Created on 20 January for a period that began on the 1st and ends with the 31st (a date-only -DueDate).
        AccessReviewCampaign first = Predecessor("AR-20270120-000001", "Quarterly", At("2027-01-01T00:00Z"), At("2027-01-31T23:59:59.9999999Z"), At("2027-01-20T15:00Z"))
            with { Recurrence = "P3M" };
        DateTimeOffset run = At("2027-04-01T06:00Z");

        AccessReviewDefinition second = AccessReviewScheduler.SuccessorDefinition(first, run);

        Assert.Equal(At("2027-04-01T00:00Z"), second.StartDate);
        Assert.Equal(run + TimeSpan.FromDays(31), second.DueDate);

        // The register stamps a successor's creation a few milliseconds after the scheduler read the clock: the length
        // handed on stays the same.
        AccessReviewCampaign stored = first with
        {
            CampaignId = "AR-20270401-000002", PredecessorId = first.CampaignId, ScheduleStartDate = first.StartDate,
            StartDate = second.StartDate!.Value, DueDate = second.DueDate!.Value, CreatedAt = run.AddMilliseconds(7),
        };
        DateTimeOffset later = At("2027-07-01T09:30Z");
        Assert.Equal(later + TimeSpan.FromDays(31), AccessReviewScheduler.SuccessorDefinition(stored, later).DueDate);
    }

    [Theory]
    [InlineData("2026-01-31T08:00Z", "P1M", "2026-04-02T00:00Z", "2026-03-31T08:00Z")]
    [InlineData("2026-01-31T08:00Z", "P1M", "2026-02-27T00:00Z", "2026-02-27T00:00Z")]
    [InlineData("2026-01-01T00:00Z", "P7D", "2026-03-01T12:00Z", "2026-02-26T00:00Z")]
    [InlineData("2026-01-01T00:00Z", "PT6H", "2026-01-03T05:59Z", "2026-01-03T00:00Z")]
    [InlineData("2026-01-01T00:00Z", "P1Y", "2029-06-01T00:00Z", "2029-01-01T00:00Z")]
    public void The_scheduled_start_counts_whole_periods_from_the_series_and_is_now_before_the_next_period(string start, string every, string now, string expected)
    {
        DateTimeOffset From(string text) => DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        AccessReviewCampaign predecessor = Predecessor("AR-20260101-000001", "Series", From(start), From(start).AddDays(1), From(start))
            with { Recurrence = every };

        Assert.Equal(From(expected), AccessReviewScheduler.ScheduledStart(predecessor, From(now)));
    }

    [Theory]
    [InlineData("Privileged access", "P3M", "2027-02-24", "Privileged access 2027-Q1")]
    [InlineData("Privileged access 2026-Q4", "P3M", "2027-02-24", "Privileged access 2027-Q1")]
    [InlineData("Everything else 2026-H2", "P6M", "2027-05-24", "Everything else 2027-H1")]
    [InlineData("Guests 2026", "P1Y", "2027-11-24", "Guests 2027")]
    [InlineData("Payroll", "P1M", "2027-01-24", "Payroll 2027-01")]
    [InlineData("Odd from 2026-11-24", "P10D", "2026-12-04", "Odd from 2026-12-04")]
    [InlineData("Office 2019", "P3M", "2027-02-24", "Office 2019 2027-Q1")]
    [InlineData("Windows 2026-Q3", "P3M", "2027-02-24", "Windows 2026-Q3 2027-Q1")]
    [InlineData("2026-Q4", "P3M", "2027-02-24", "Access review 2027-Q1")]
    public void A_successor_is_named_after_the_series_and_the_period_it_starts_in(string predecessorName, string recurrence, string start, string expected)
    {
        AccessReviewCampaign predecessor = Predecessor(
            "AR-20261124-000001", predecessorName,
            DateTimeOffset.Parse("2026-11-24T00:00Z", System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.Parse("2026-12-08T00:00Z", System.Globalization.CultureInfo.InvariantCulture),
            DateTimeOffset.UnixEpoch) with { Recurrence = recurrence };

        Assert.Equal(expected, AccessReviewScheduler.SuccessorName(predecessor, DateTimeOffset.Parse(start + "T09:00Z", System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void A_successor_of_an_auto_apply_campaign_with_a_deny_default_carries_the_force_its_series_was_created_with()
    {
        AccessReviewCampaign predecessor = Predecessor("AR-20261124-000002", "Guests", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddDays(10), DateTimeOffset.UnixEpoch)
            with { Recurrence = "P3M", DefaultDecision = AccessReviewDefaultDecision.Recommendation, AutoApply = true };
        DateTimeOffset now = DateTimeOffset.UtcNow;

        AccessReviewDefinition definition = AccessReviewScheduler.SuccessorDefinition(predecessor, now);

        Assert.True(definition.Force);
        AccessReviewDefinition validated = AccessReviewRegister.Validate(definition, now);
        Assert.Equal(now.AddDays(10), validated.DueDate);
        Assert.InRange(validated.StartDate!.Value, now.AddMonths(-3), now);
        Assert.False(AccessReviewScheduler.SuccessorDefinition(predecessor with { AutoApply = false }, now).Force);
    }
}
