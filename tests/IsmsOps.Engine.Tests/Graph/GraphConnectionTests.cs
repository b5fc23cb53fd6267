using System.Net;
using IsmsOps.Engine.Graph;
using IsmsOps.Sandbox;
using Microsoft.Graph;
using Microsoft.Graph.Models;

namespace IsmsOps.Engine.Tests.Graph;

/// <summary>The real Microsoft.Graph SDK over real HTTP against the sandbox, through the connection's pipeline.</summary>
public sealed class GraphConnectionTests
{
    [Fact]
    public async Task An_access_token_connection_lists_every_user_with_select_and_top_999_following_nextLinks()
    {
        using var sandbox = GraphSandbox.Start(new SandboxOptions { UserCount = 2500 });
        using GraphConnection connection = await GraphTestSupport.ConnectAsync(sandbox);

        Assert.Equal(GraphAuthenticationMode.AccessToken, connection.AuthenticationMode);
        Assert.Equal(sandbox.Url, connection.GraphEndpoint);
        Assert.Equal(GraphEnvironment.Custom, connection.Environment);

        UserCollectionResponse? page = await connection.CallAsync(GraphOperation.ReadUsers, (c, ct) => c.Users.GetAsync(r =>
        {
            r.QueryParameters.Select = ["id", "displayName", "accountEnabled"];
            r.QueryParameters.Top = 999;
        }, ct), CancellationToken.None);
        var ids = new List<string>();
        var iterator = PageIterator<User, UserCollectionResponse>.CreatePageIterator(connection.Client, page!, user =>
        {
            ids.Add(user.Id!);
            return true;
        });
        await iterator.IterateAsync();

        Assert.Equal(sandbox.Tenant.Users.Select(u => u.Id), ids);
    }

    [Fact]
    public async Task The_raw_client_shares_the_token_and_base_address()
    {
        using var sandbox = GraphSandbox.Start(new SandboxOptions { UserCount = 100 });
        using GraphConnection connection = await GraphTestSupport.ConnectAsync(sandbox);

        using HttpResponseMessage response = await connection.SendAsync(GraphOperation.ReadGroups, new HttpRequestMessage(HttpMethod.Get, "groups?$select=id&$top=1"), CancellationToken.None);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task With_low_priority_every_request_carries_the_throttle_priority_header()
    {
        using var sandbox = GraphSandbox.Start(new SandboxOptions { UserCount = 100 });
        var seen = new List<string?>();
        var transport = new ObservingHandler(r => seen.Add(r.Headers.TryGetValues("x-ms-throttle-priority", out var v) ? v.Single() : null));

        using (GraphConnection low = await GraphTestSupport.ConnectAsync(sandbox, priority: GraphThrottlePriority.Low, transport: transport))
        {
            await low.CallAsync(GraphOperation.ReadUsers, (c, ct) => c.Users.GetAsync(r => r.QueryParameters.Top = 1, ct), CancellationToken.None);
            Assert.Equal(GraphThrottlePriority.Low, low.ThrottlePriority);
        }

        Assert.NotEmpty(seen);
        Assert.All(seen, v => Assert.Equal("Low", v));

        seen.Clear();
        using GraphConnection normal = await GraphTestSupport.ConnectAsync(sandbox, transport: new ObservingHandler(r => seen.Add(r.Headers.TryGetValues("x-ms-throttle-priority", out var v) ? v.Single() : null)));
        Assert.NotEmpty(seen);
        Assert.All(seen, Assert.Null);
    }

    [Fact]
    public async Task The_token_goes_only_to_the_Graph_host()
    {
        using var sandbox = GraphSandbox.Start(new SandboxOptions { UserCount = 100 });
        var authorizations = new List<(string Host, string? Authorization)>();
        using GraphConnection connection = await GraphTestSupport.ConnectAsync(sandbox, transport: new ObservingHandler(r => authorizations.Add((r.RequestUri!.Authority, r.Headers.Authorization?.Parameter))));

        await Assert.ThrowsAsync<IsmsException>(() => connection.SendAsync(GraphOperation.ReadUsers, new HttpRequestMessage(HttpMethod.Get, "http://127.0.0.2:9/v1.0/users"), CancellationToken.None));

        Assert.Contains(authorizations, a => a.Host == new Uri(sandbox.Url).Authority && a.Authorization == sandbox.AccessToken);
        Assert.Contains(authorizations, a => a.Host == "127.0.0.2:9" && a.Authorization is null);
    }

    [Fact]
    public async Task A_JWT_access_token_tells_the_tenant_app_permissions_and_expiry()
    {
        var expires = DateTimeOffset.UtcNow.AddHours(1);
        string token = GraphTestSupport.Jwt($$"""{"tid":"11111111-2222-3333-4444-555555555555","appid":"app-1","roles":["User.Read.All","GroupMember.Read.All"],"exp":{{expires.ToUnixTimeSeconds()}}}""");
        var graph = new RecordingHandler(r => r.RequestUri!.AbsolutePath.EndsWith("/organization", StringComparison.Ordinal)
            ? RecordingHandler.Json(HttpStatusCode.OK, """{"value":[{"id":"11111111-2222-3333-4444-555555555555","displayName":"Contoso"}]}""")
            : RecordingHandler.Json(HttpStatusCode.NotFound, "{}"));

        using GraphConnection connection = await GraphConnection.ConnectAsync(new GraphConnectionOptions
        {
            Mode = GraphAuthenticationMode.AccessToken, AccessToken = SecretText.Protect(token), GraphTransport = graph,
        }, CancellationToken.None);

        Assert.Equal("11111111-2222-3333-4444-555555555555", connection.TenantId);
        Assert.Equal("app-1", connection.ClientId);
        Assert.Equal("Contoso", connection.OrganizationName);
        Assert.Equal(["User.Read.All", "GroupMember.Read.All"], connection.Roles);
        Assert.Equal(expires.ToUnixTimeSeconds(), connection.TokenExpiresOn!.Value.ToUnixTimeSeconds());
        Assert.Equal("https://graph.microsoft.com/v1.0", connection.GraphEndpoint);
        Assert.Equal(GraphEnvironment.Global, connection.Environment);
        Assert.Equal("Bearer " + token, graph.Requests.Single().Headers.Authorization!.ToString());
        Assert.Contains("$select=id,displayName", Uri.UnescapeDataString(graph.Requests.Single().RequestUri!.Query), StringComparison.Ordinal);
        Assert.DoesNotContain(token, connection.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_expired_JWT_is_refused_before_any_request()
    {
        string token = GraphTestSupport.Jwt($$"""{"tid":"t","exp":{{DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds()}}}""");
        var graph = new RecordingHandler(_ => throw new InvalidOperationException("no request expected"));

        var error = await Assert.ThrowsAsync<IsmsException>(() => GraphConnection.ConnectAsync(new GraphConnectionOptions
        {
            Mode = GraphAuthenticationMode.AccessToken, AccessToken = SecretText.Protect(token), GraphTransport = graph,
        }, CancellationToken.None));

        Assert.Equal("IsmsOps.Graph.TokenExpired", error.ErrorId);
        Assert.Empty(graph.Requests);
    }

    [Fact]
    public async Task A_token_the_sandbox_does_not_accept_fails_at_connect_with_a_clear_401()
    {
        using var sandbox = GraphSandbox.Start(new SandboxOptions { UserCount = 100 });
        var error = await Assert.ThrowsAsync<IsmsException>(() => GraphConnection.ConnectAsync(new GraphConnectionOptions
        {
            Mode = GraphAuthenticationMode.AccessToken, AccessToken = SecretText.Protect("not-the-token"), GraphEndpoint = sandbox.Url, Retry = GraphTestSupport.FastRetry(),
        }, CancellationToken.None));

        Assert.Equal("IsmsOps.Graph.Unauthorized", error.ErrorId);
        Assert.Contains("401 InvalidAuthenticationToken", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-token", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_disposed_connection_refuses_further_calls()
    {
        using var sandbox = GraphSandbox.Start(new SandboxOptions { UserCount = 100 });
        GraphConnection connection = await GraphTestSupport.ConnectAsync(sandbox);
        connection.Dispose();

        Assert.False(connection.IsConnected);
        Assert.Equal("IsmsOps.Graph.NotConnected", Assert.Throws<IsmsException>(() => connection.Client).ErrorId);
    }

    [Theory]
    [InlineData(GraphEnvironment.Global, "https://graph.microsoft.com/v1.0", "https://login.microsoftonline.com/", "https://graph.microsoft.com/.default")]
    [InlineData(GraphEnvironment.USGov, "https://graph.microsoft.us/v1.0", "https://login.microsoftonline.us/", "https://graph.microsoft.us/.default")]
    [InlineData(GraphEnvironment.USGovDoD, "https://dod-graph.microsoft.us/v1.0", "https://login.microsoftonline.us/", "https://dod-graph.microsoft.us/.default")]
    [InlineData(GraphEnvironment.China, "https://microsoftgraph.chinacloudapi.cn/v1.0", "https://login.chinacloudapi.cn/", "https://microsoftgraph.chinacloudapi.cn/.default")]
    public void Each_cloud_has_its_endpoint_authority_and_scope(GraphEnvironment environment, string endpoint, string authority, string scope)
    {
        Assert.Equal(endpoint, GraphClouds.BaseUrl(environment, null).ToString().TrimEnd('/'));
        Assert.Equal(authority, GraphClouds.AuthorityHost(environment).ToString());
        Assert.Equal(scope, GraphClouds.DefaultScope(environment));
    }

    [Fact]
    public void A_custom_endpoint_keeps_its_path_gets_v1_when_bare_and_must_be_https_off_this_machine()
    {
        Assert.Equal("http://127.0.0.1:5000/v1.0", GraphClouds.BaseUrl(GraphEnvironment.Global, "http://127.0.0.1:5000/v1.0/").ToString());
        Assert.Equal("https://proxy.contoso.com/v1.0", GraphClouds.BaseUrl(GraphEnvironment.Global, "https://proxy.contoso.com").ToString());
        Assert.Equal("IsmsOps.Graph.InsecureEndpoint", Assert.Throws<IsmsException>(() => GraphClouds.BaseUrl(GraphEnvironment.Global, "http://proxy.contoso.com/v1.0")).ErrorId);
        Assert.Equal("IsmsOps.Graph.InvalidEndpoint", Assert.Throws<IsmsException>(() => GraphClouds.BaseUrl(GraphEnvironment.Global, "graph")).ErrorId);
    }

    /// <summary>Calls a callback for every request, then sends it on over real HTTP.</summary>
    private sealed class ObservingHandler(Action<HttpRequestMessage> observe) : DelegatingHandler(new SocketsHttpHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (this)
            {
                observe(request);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
