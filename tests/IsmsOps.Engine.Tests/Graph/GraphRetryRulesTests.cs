using System.Net.Http.Headers;
using IsmsOps.Engine.Graph;

namespace IsmsOps.Engine.Tests.Graph;

public sealed class GraphRetryRulesTests
{
    [Theory]
    [InlineData(429, "GET", GraphRetryReason.Throttled)]
    [InlineData(429, "POST", GraphRetryReason.Throttled)]
    [InlineData(503, "POST", GraphRetryReason.ServiceUnavailable)]
    [InlineData(503, "PATCH", GraphRetryReason.ServiceUnavailable)]
    [InlineData(504, "GET", GraphRetryReason.ServerError)]
    [InlineData(500, "DELETE", GraphRetryReason.ServerError)]
    [InlineData(502, "PUT", GraphRetryReason.ServerError)]
    public void Throttling_and_unavailability_retry_any_method_and_server_errors_retry_idempotent_ones(int status, string method, GraphRetryReason reason) =>
        Assert.Equal(reason, GraphRetryRules.ForStatus(status, new HttpMethod(method)));

    [Theory]
    [InlineData(500, "POST")]
    [InlineData(502, "PATCH")]
    [InlineData(504, "POST")]
    [InlineData(400, "GET")]
    [InlineData(401, "GET")]
    [InlineData(403, "GET")]
    [InlineData(404, "GET")]
    [InlineData(200, "GET")]
    public void A_write_that_may_have_happened_and_a_client_error_are_not_retried(int status, string method) =>
        Assert.Null(GraphRetryRules.ForStatus(status, new HttpMethod(method)));

    [Theory]
    [InlineData("GET", true)]
    [InlineData("DELETE", true)]
    [InlineData("PUT", true)]
    [InlineData("POST", false)]
    [InlineData("PATCH", false)]
    public void After_a_dropped_connection_only_idempotent_methods_repeat(string method, bool retries) =>
        Assert.Equal(retries, GraphRetryRules.RetriesWithoutAnswer(new HttpMethod(method)));

    [Fact]
    public void A_batch_of_reads_marked_replay_safe_repeats_after_a_dropped_connection_or_a_server_error()
    {
        Assert.True(GraphRetryRules.RetriesWithoutAnswer(HttpMethod.Post, replaySafe: true));
        Assert.Equal(GraphRetryReason.ServerError, GraphRetryRules.ForStatus(502, HttpMethod.Post, replaySafe: true));
    }

    [Fact]
    public void Retry_after_in_seconds_or_as_a_date_is_honoured_and_never_negative()
    {
        var now = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(TimeSpan.FromSeconds(7), GraphRetryRules.RetryAfter(new RetryConditionHeaderValue(TimeSpan.FromSeconds(7)), now));
        Assert.Equal(TimeSpan.FromSeconds(90), GraphRetryRules.RetryAfter(new RetryConditionHeaderValue(now.AddSeconds(90)), now));
        Assert.Equal(TimeSpan.Zero, GraphRetryRules.RetryAfter(new RetryConditionHeaderValue(now.AddSeconds(-5)), now));
        Assert.Null(GraphRetryRules.RetryAfter(null, now));
    }

    [Fact]
    public void Backoff_has_full_jitter_under_an_exponential_ceiling_that_stops_at_the_cap()
    {
        TimeSpan baseDelay = TimeSpan.FromSeconds(1), cap = TimeSpan.FromSeconds(30);
        Assert.Equal(TimeSpan.Zero, GraphRetryRules.Backoff(3, baseDelay, cap, 0));
        Assert.Equal(TimeSpan.FromSeconds(1), GraphRetryRules.Backoff(1, baseDelay, cap, 1));
        Assert.Equal(TimeSpan.FromSeconds(4), GraphRetryRules.Backoff(3, baseDelay, cap, 1));
        Assert.Equal(TimeSpan.FromSeconds(8), GraphRetryRules.Backoff(5, baseDelay, cap, 0.5));
        Assert.Equal(cap, GraphRetryRules.Backoff(6, baseDelay, cap, 1));
        Assert.Equal(cap, GraphRetryRules.Backoff(60, baseDelay, cap, 1));
    }

    [Fact]
    public void Retry_after_wins_over_backoff()
    {
        var options = new GraphRetryOptions();
        Assert.Equal((TimeSpan.FromSeconds(3), true), GraphRetryRules.DelayBefore(4, TimeSpan.FromSeconds(3), options, 0.9));
        Assert.False(GraphRetryRules.DelayBefore(4, null, options, 0.9).FromRetryAfter);
    }

    [Fact]
    public void Request_lines_keep_OData_options_and_hide_other_query_values()
    {
        string line = GraphRequestLine.Redact(new Uri("https://graph.microsoft.com/v1.0/users?$select=id,displayName&$top=999&$skiptoken=secret-state&sig=abc"));
        Assert.Equal("https://graph.microsoft.com/v1.0/users?$select=id,displayName&$top=999&$skiptoken=***&sig=***", line);
    }
}
