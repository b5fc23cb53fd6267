using System.Diagnostics;
using System.Net;

namespace IsmsOps.Sandbox.Tests;

public sealed class FaultInjectionTests
{
    [Fact]
    public async Task A_fault_rate_of_a_fifth_throttles_about_a_fifth_of_requests_with_retry_after()
    {
        using var client = new SandboxClient(new SandboxOptions { UserCount = 100, FaultRate = 0.2, Faults = [SandboxFault.TooManyRequests], RetryAfterSeconds = 2 });

        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 400; i++)
        {
            var (response, body) = await client.GetAsync("users?$top=1&$select=id");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.Equal(TimeSpan.FromSeconds(2), response.Headers.RetryAfter?.Delta);
                Assert.Equal("TooManyRequests", body.GetProperty("error").GetProperty("code").GetString());
            }
        }

        double throttled = statuses.Count(s => s == HttpStatusCode.TooManyRequests) / (double)statuses.Count;
        Assert.InRange(throttled, 0.15, 0.25);
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task A_fault_rate_of_zero_never_faults()
    {
        using var client = new SandboxClient(new SandboxOptions { UserCount = 100, FaultRate = 0 });

        for (int i = 0; i < 200; i++)
        {
            var (response, _) = await client.GetAsync("groups?$top=1&$select=id");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task Setting_the_fault_rate_while_running_starts_and_ends_a_storm()
    {
        using var client = new SandboxClient(new SandboxOptions { UserCount = 100, Faults = [SandboxFault.ServiceUnavailable] });

        client.Sandbox.FaultRate = 1;
        var (during, _) = await client.GetAsync("users?$top=1&$select=id");
        client.Sandbox.FaultRate = 0;
        var (after, _) = await client.GetAsync("users?$top=1&$select=id");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, during.StatusCode);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
        Assert.Throws<ArgumentOutOfRangeException>(() => client.Sandbox.FaultRate = 1.5);
    }

    [Fact]
    public async Task The_same_seed_faults_the_same_requests()
    {
        var options = new SandboxOptions { UserCount = 100, FaultRate = 0.3, Faults = [SandboxFault.ServiceUnavailable] };

        Assert.Equal(await StatusSequence(options), await StatusSequence(options));
        Assert.NotEqual(await StatusSequence(options), await StatusSequence(new SandboxOptions
        {
            UserCount = 100, FaultRate = 0.3, Faults = [SandboxFault.ServiceUnavailable], Seed = 42,
        }));
    }

    [Fact]
    public async Task Throttling_without_retry_after_and_503_are_both_served()
    {
        using var client = new SandboxClient(new SandboxOptions
        {
            UserCount = 100, FaultRate = 1, Faults = [SandboxFault.TooManyRequestsWithoutRetryAfter, SandboxFault.ServiceUnavailable],
        });

        var responses = new List<HttpResponseMessage>();
        for (int i = 0; i < 40; i++)
        {
            responses.Add((await client.GetAsync("users?$top=1")).Response);
        }

        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.ServiceUnavailable);
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.All(responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests), r => Assert.Null(r.Headers.RetryAfter));
    }

    [Fact]
    public async Task Injected_latency_delays_the_answer_but_does_not_change_it()
    {
        using var client = new SandboxClient(new SandboxOptions
        {
            UserCount = 100, FaultRate = 1, Faults = [SandboxFault.Latency], FaultLatency = TimeSpan.FromMilliseconds(60),
        });

        var clock = Stopwatch.StartNew();
        var (response, body) = await client.GetAsync("users?$top=3");

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(55), $"answered after {clock.Elapsed.TotalMilliseconds} ms");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, body.GetProperty("value").GetArrayLength());
    }

    [Fact]
    public async Task Faults_hit_individual_batch_items()
    {
        using var client = new SandboxClient(new SandboxOptions { UserCount = 100, FaultRate = 0.2, Faults = [SandboxFault.TooManyRequests] });
        var batch = new { requests = Enumerable.Range(1, 20).Select(i => new { id = $"{i}", method = "GET", url = "/users?$top=1" }).ToArray() };

        var itemStatuses = new List<int>();
        for (int i = 0; i < 10; i++)
        {
            var (response, body) = await client.SendAsync(HttpMethod.Post, "$batch", batch);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                itemStatuses.AddRange(body.GetProperty("responses").EnumerateArray().Select(r => r.GetProperty("status").GetInt32()));
                Assert.All(body.GetProperty("responses").EnumerateArray().Where(r => r.GetProperty("status").GetInt32() == 429),
                    r => Assert.True(r.GetProperty("headers").TryGetProperty("Retry-After", out _)));
            }
        }

        Assert.Contains(429, itemStatuses);
        Assert.Contains(200, itemStatuses);
    }

    [Fact]
    public async Task A_connection_reset_drops_the_request_without_an_answer()
    {
        using var client = new SandboxClient(new SandboxOptions { UserCount = 100, FaultRate = 1, Faults = [SandboxFault.ConnectionReset] });

        await Assert.ThrowsAsync<HttpRequestException>(() => client.GetAsync("users?$top=1"));
    }

    [Fact]
    public async Task A_timeout_holds_the_request_until_the_client_gives_up()
    {
        using var client = new SandboxClient(new SandboxOptions
        {
            UserCount = 100, FaultRate = 1, Faults = [SandboxFault.Timeout], FaultTimeout = TimeSpan.FromSeconds(5),
        });
        client.Http.Timeout = TimeSpan.FromMilliseconds(200);

        await Assert.ThrowsAsync<TaskCanceledException>(() => client.GetAsync("users?$top=1"));
    }

    private static async Task<List<HttpStatusCode>> StatusSequence(SandboxOptions options)
    {
        using var client = new SandboxClient(options);
        var statuses = new List<HttpStatusCode>();
        for (int i = 0; i < 50; i++)
        {
            statuses.Add((await client.GetAsync("users?$top=1")).Response.StatusCode);
        }

        return statuses;
    }
}
