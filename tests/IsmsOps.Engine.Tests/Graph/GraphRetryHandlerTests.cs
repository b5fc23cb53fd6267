using System.Net;
using System.Net.Http.Headers;
using IsmsOps.Engine.Graph;
using IsmsOps.Sandbox;

namespace IsmsOps.Engine.Tests.Graph;

/// <summary>The retry handler against the real sandbox and its fault injection, over real HTTP.</summary>
public sealed class GraphRetryHandlerTests
{
    private static HttpClient Client(GraphSandbox sandbox, GraphRetryOptions options, List<GraphRetryNotice> notices)
    {
        var handler = new GraphRetryHandler(options, n => { lock (notices) { notices.Add(n); } }) { InnerHandler = new SocketsHttpHandler() };
        var client = new HttpClient(handler) { BaseAddress = new Uri(sandbox.Url + "/") };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", sandbox.AccessToken);
        return client;
    }

    private static async Task Every_GET_succeeds(SandboxOptions sandboxOptions, List<TimeSpan> delays, List<GraphRetryNotice> notices, GraphRetryOptions? retry = null)
    {
        using var sandbox = GraphSandbox.Start(sandboxOptions);
        using HttpClient client = Client(sandbox, retry ?? GraphTestSupport.FastRetry(delays), notices);
        for (int i = 0; i < 30; i++)
        {
            using HttpResponseMessage response = await client.GetAsync("users?$top=5&$select=id");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.NotEmpty(notices);
        Assert.All(notices, n => Assert.InRange(n.Attempt, 1, 5));
    }

    [Fact]
    public async Task Throttled_GETs_wait_the_Retry_After_Graph_sent_and_then_succeed()
    {
        List<TimeSpan> delays = [];
        List<GraphRetryNotice> notices = [];
        await Every_GET_succeeds(new SandboxOptions { UserCount = 100, FaultRate = 0.4, Faults = [SandboxFault.TooManyRequests], RetryAfterSeconds = 2 }, delays, notices);

        Assert.All(delays, d => Assert.Equal(TimeSpan.FromSeconds(2), d));
        Assert.All(notices, n => Assert.True(n.FromRetryAfter && n.Status == 429 && n.Reason == GraphRetryReason.Throttled));
    }

    [Fact]
    public async Task Throttled_GETs_without_Retry_After_back_off_with_jitter_under_the_cap()
    {
        List<TimeSpan> delays = [];
        List<GraphRetryNotice> notices = [];
        await Every_GET_succeeds(new SandboxOptions { UserCount = 100, FaultRate = 0.4, Faults = [SandboxFault.TooManyRequestsWithoutRetryAfter] }, delays, notices);

        Assert.All(delays, d => Assert.InRange(d, TimeSpan.Zero, TimeSpan.FromMilliseconds(50)));
        Assert.All(notices, n => Assert.False(n.FromRetryAfter));
    }

    [Fact]
    public async Task GETs_answered_503_are_retried_until_they_succeed()
    {
        List<GraphRetryNotice> notices = [];
        await Every_GET_succeeds(new SandboxOptions { UserCount = 100, FaultRate = 0.4, Faults = [SandboxFault.ServiceUnavailable] }, [], notices);
        Assert.All(notices, n => Assert.Equal(GraphRetryReason.ServiceUnavailable, n.Reason));
    }

    [Fact]
    public async Task GETs_whose_connection_is_reset_are_retried_until_they_succeed()
    {
        List<GraphRetryNotice> notices = [];
        await Every_GET_succeeds(new SandboxOptions { UserCount = 100, FaultRate = 0.4, Faults = [SandboxFault.ConnectionReset] }, [], notices);
        Assert.All(notices, n => Assert.Equal(GraphRetryReason.ConnectionFailed, n.Reason));
    }

    [Fact]
    public async Task A_GET_that_outlasts_its_attempt_timeout_is_tried_again()
    {
        List<GraphRetryNotice> notices = [];
        var retry = new GraphRetryOptions
        {
            BaseDelay = TimeSpan.FromMilliseconds(1), MaxDelay = TimeSpan.FromMilliseconds(5), AttemptTimeout = TimeSpan.FromMilliseconds(300),
        };
        using var sandbox = GraphSandbox.Start(new SandboxOptions { UserCount = 100, FaultRate = 0.3, Faults = [SandboxFault.Timeout], FaultTimeout = TimeSpan.FromSeconds(5) });
        using HttpClient client = Client(sandbox, retry, notices);
        for (int i = 0; i < 8; i++)
        {
            using HttpResponseMessage response = await client.GetAsync("users?$top=1&$select=id");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Contains(notices, n => n.Reason == GraphRetryReason.Timeout);
    }

    [Fact]
    public async Task Attempts_are_bounded_and_the_last_answer_is_returned()
    {
        List<GraphRetryNotice> notices = [];
        using var sandbox = GraphSandbox.Start(new SandboxOptions { UserCount = 100, FaultRate = 1, Faults = [SandboxFault.TooManyRequests] });
        using HttpClient client = Client(sandbox, GraphTestSupport.FastRetry(maxAttempts: 4), notices);

        using HttpResponseMessage response = await client.GetAsync("users?$top=1");

        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal(3, notices.Count);
        Assert.Equal("GET " + sandbox.Url + "/users?$top=1", response.Headers.GetValues(GraphRetryHandler.RequestLineHeader).Single());
    }

    [Fact]
    public async Task A_batch_POST_whose_connection_is_reset_is_not_repeated()
    {
        List<GraphRetryNotice> notices = [];
        using var sandbox = GraphSandbox.Start(new SandboxOptions { UserCount = 100, FaultRate = 1, Faults = [SandboxFault.ConnectionReset] });
        using HttpClient client = Client(sandbox, GraphTestSupport.FastRetry(), notices);
        using var body = new StringContent("""{"requests":[{"id":"1","method":"GET","url":"/users?$top=1"}]}""", System.Text.Encoding.UTF8, "application/json");

        await Assert.ThrowsAsync<HttpRequestException>(() => client.PostAsync("$batch", body));
        Assert.Empty(notices);
    }

    [Fact]
    public async Task A_throttled_batch_POST_is_repeated_because_nothing_in_it_ran()
    {
        List<GraphRetryNotice> notices = [];
        using var sandbox = GraphSandbox.Start(new SandboxOptions { UserCount = 100, FaultRate = 0.5, Faults = [SandboxFault.TooManyRequests], Seed = 3 });
        using HttpClient client = Client(sandbox, GraphTestSupport.FastRetry(), notices);
        for (int i = 0; i < 5; i++)
        {
            using var body = new StringContent("""{"requests":[{"id":"1","method":"GET","url":"/users?$top=1"}]}""", System.Text.Encoding.UTF8, "application/json");
            using HttpResponseMessage response = await client.PostAsync("$batch", body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Contains(notices, n => n.Method == "POST" && n.Status == 429);
    }

    [Fact]
    public async Task Cancellation_stops_the_wait_for_a_retry()
    {
        using var sandbox = GraphSandbox.Start(new SandboxOptions { UserCount = 100, FaultRate = 1, Faults = [SandboxFault.TooManyRequests], RetryAfterSeconds = 60 });
        using HttpClient client = Client(sandbox, new GraphRetryOptions(), []);
        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        var clock = System.Diagnostics.Stopwatch.StartNew();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.GetAsync("users?$top=1", cancellation.Token));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"Cancelling took {clock.Elapsed}.");
    }
}
