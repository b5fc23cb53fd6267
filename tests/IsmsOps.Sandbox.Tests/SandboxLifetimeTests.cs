using System.Net;

namespace IsmsOps.Sandbox.Tests;

public sealed class SandboxLifetimeTests
{
    [Fact]
    public async Task Parallel_clients_paging_at_once_each_see_every_user_once()
    {
        using var client = new SandboxClient(new SandboxOptions { UserCount = 500 });

        var walks = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.GetAllAsync("users?$top=37&$select=id")));

        Assert.All(walks, walk => Assert.Equal(500, walk.Select(u => u.GetProperty("id").GetString()).Distinct().Count()));
    }

    [Fact]
    public async Task The_request_count_counts_each_http_request_once_a_batch_and_a_refusal_included()
    {
        using var client = new SandboxClient(new SandboxOptions { UserCount = 100 });
        Assert.Equal(0, client.Sandbox.RequestCount);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => client.GetAsync("users?$top=1&$select=id")));
        var (batch, _) = await client.SendAsync(HttpMethod.Post, "$batch", new
        {
            requests = Enumerable.Range(0, 20).Select(i => new { id = i.ToString(System.Globalization.CultureInfo.InvariantCulture), method = "GET", url = "/groups?$top=1" }),
        });
        using var unauthenticated = new HttpClient();
        using var refused = await unauthenticated.GetAsync(new Uri(client.Sandbox.Url + "/users"));

        Assert.Equal(HttpStatusCode.OK, batch.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal(10, client.Sandbox.RequestCount);
    }

    [Fact]
    public async Task Two_sandboxes_run_side_by_side_on_their_own_ports_and_tokens()
    {
        using var first = new SandboxClient();
        using var second = new SandboxClient();

        Assert.NotEqual(first.Sandbox.Url, second.Sandbox.Url);
        Assert.NotEqual(first.Sandbox.AccessToken, second.Sandbox.AccessToken);
        Assert.Matches(@"^http://127\.0\.0\.1:\d+/v1\.0$", first.Sandbox.Url);
        using var crossed = new HttpRequestMessage(HttpMethod.Get, new Uri(second.Sandbox.Url + "/users"));
        crossed.Headers.Authorization = new("Bearer", first.Sandbox.AccessToken);
        using var response = await first.Http.SendAsync(crossed);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_stopped_sandbox_no_longer_answers()
    {
        var client = new SandboxClient();
        string url = client.Sandbox.Url + "/users";
        string token = client.Sandbox.AccessToken;
        client.Sandbox.Stop();
        client.Sandbox.Stop();

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => http.GetAsync(new Uri(url)));
        client.Dispose();
    }
}
