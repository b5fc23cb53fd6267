using System.Diagnostics;
using System.Net;

namespace IsmsOps.Sandbox.Tests;

public sealed class SandboxLatencyTests
{
    [Fact]
    public async Task Latency_is_paid_even_by_a_request_that_then_gets_a_fault()
    {
        using var client = new SandboxClient(new SandboxOptions
        {
            UserCount = 100, Latency = TimeSpan.FromMilliseconds(40), FaultRate = 1, Faults = [SandboxFault.ServiceUnavailable],
        });

        var clock = Stopwatch.StartNew();
        var (single, _) = await client.GetAsync("users?$top=1");
        TimeSpan singleTook = clock.Elapsed;

        Assert.Equal(HttpStatusCode.ServiceUnavailable, single.StatusCode);
        // A lower bound only: the latency is paid even by a request that then gets a fault.
        Assert.True(singleTook >= TimeSpan.FromMilliseconds(35), $"answered after {singleTook.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task Latency_is_paid_once_by_the_batch_request_and_once_by_each_of_its_items()
    {
        using var client = new SandboxClient(new SandboxOptions { UserCount = 100, Latency = TimeSpan.FromMilliseconds(40) });
        var batch = new { requests = Enumerable.Range(1, 3).Select(i => new { id = $"{i}", method = "GET", url = "/users?$top=1" }).ToArray() };

        var clock = Stopwatch.StartNew();
        var (response, body) = await client.SendAsync(HttpMethod.Post, "$batch", batch);
        TimeSpan took = clock.Elapsed;

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.All(body.GetProperty("responses").EnumerateArray(), r => Assert.Equal(200, r.GetProperty("status").GetInt32()));
        Assert.True(took >= TimeSpan.FromMilliseconds(4 * 35), $"answered after {took.TotalMilliseconds} ms");
    }

    [Fact]
    public void A_negative_latency_is_refused() =>
        Assert.Equal("Latency", Assert.Throws<ArgumentOutOfRangeException>(() => GraphSandbox.Start(new SandboxOptions { Latency = TimeSpan.FromMilliseconds(-1) })).ParamName);
}
