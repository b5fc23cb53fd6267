using System.Net;
using System.Net.Http.Headers;
using Azure.Core;
using Azure.Core.Pipeline;
using Azure.Identity;

namespace IsmsOps.Sandbox.Tests;

/// <summary>
/// Azure.Identity's ClientSecretCredential signing in to the sandbox. MSAL only accepts an https authority, so the
/// credential keeps https://login.microsoftonline.com and its transport rewrites every request to the sandbox root.
/// </summary>
public sealed class TokenEndpointTests
{
    private static readonly string[] GraphScope = ["https://graph.microsoft.com/.default"];

    [Fact]
    public async Task A_client_secret_credential_gets_a_token_that_graph_accepts()
    {
        using var client = new SandboxClient();
        var sandbox = client.Sandbox;
        using var redirect = new LoginRedirect(sandbox.Root);

        AccessToken token = await Credential(redirect, sandbox.TenantId, sandbox.ClientId, sandbox.ClientSecret)
            .GetTokenAsync(new TokenRequestContext(GraphScope), CancellationToken.None);
        using var graph = new HttpClient();
        graph.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Token);
        using var users = await graph.GetAsync(new Uri(sandbox.Url + "/users?$top=1"));

        Assert.Equal(sandbox.AccessToken, token.Token);
        Assert.True(token.ExpiresOn > DateTimeOffset.UtcNow.AddMinutes(30));
        Assert.Equal(HttpStatusCode.OK, users.StatusCode);
        Assert.Contains(redirect.Requests, r => r.StartsWith($"POST /{sandbox.TenantId}/oauth2/v2.0/token", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task The_tenant_may_be_named_by_its_domain()
    {
        using var client = new SandboxClient();
        using var redirect = new LoginRedirect(client.Sandbox.Root);

        AccessToken token = await Credential(redirect, client.Sandbox.Tenant.DefaultDomain, client.Sandbox.ClientId, client.Sandbox.ClientSecret)
            .GetTokenAsync(new TokenRequestContext(GraphScope), CancellationToken.None);

        Assert.Equal(client.Sandbox.AccessToken, token.Token);
    }

    [Theory]
    [InlineData("tenant", "AADSTS90002")]
    [InlineData("client", "AADSTS700016")]
    [InlineData("secret", "AADSTS7000215")]
    public async Task Wrong_credentials_fail_with_the_identity_platforms_code(string wrong, string code)
    {
        using var client = new SandboxClient();
        var sandbox = client.Sandbox;
        using var redirect = new LoginRedirect(sandbox.Root);
        string tenant = wrong == "tenant" ? Guid.NewGuid().ToString() : sandbox.TenantId;
        string clientId = wrong == "client" ? Guid.NewGuid().ToString() : sandbox.ClientId;
        string secret = wrong == "secret" ? "not-the-secret" : sandbox.ClientSecret;

        var failure = await Assert.ThrowsAsync<AuthenticationFailedException>(async () =>
            await Credential(redirect, tenant, clientId, secret).GetTokenAsync(new TokenRequestContext(GraphScope), CancellationToken.None));

        // Azure.Identity 1.21 leaves its own Message at "ClientSecretCredential authentication failed: " and carries the
        // identity platform's answer in the inner MSAL exception, so a client has to read InnerException (or ToString).
        Assert.StartsWith("ClientSecretCredential authentication failed", failure.Message, StringComparison.Ordinal);
        Assert.Contains(code + ":", failure.InnerException!.Message, StringComparison.Ordinal);
        Assert.Contains(code, failure.ToString(), StringComparison.Ordinal);
        Assert.Single(redirect.Requests, r => r.StartsWith("POST /", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Token_errors_use_the_identity_platforms_shape()
    {
        using var client = new SandboxClient();
        using var http = new HttpClient();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = client.Sandbox.ClientId,
            ["client_secret"] = "wrong",
            ["scope"] = GraphScope[0],
            ["grant_type"] = "client_credentials",
        });

        using var response = await http.PostAsync(new Uri($"{client.Sandbox.Root}/{client.Sandbox.TenantId}/oauth2/v2.0/token"), form);
        using var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = body.RootElement;

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_client", error.GetProperty("error").GetString());
        Assert.StartsWith("AADSTS7000215:", error.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        Assert.Equal(7000215, error.GetProperty("error_codes")[0].GetInt32());
        foreach (string name in new[] { "timestamp", "trace_id", "correlation_id" })
        {
            Assert.False(string.IsNullOrEmpty(error.GetProperty(name).GetString()), name);
        }
    }

    private static ClientSecretCredential Credential(LoginRedirect redirect, string tenantId, string clientId, string secret) =>
        new(tenantId, clientId, secret, new ClientSecretCredentialOptions
        {
            Transport = new HttpClientTransport(redirect),
            Retry = { MaxRetries = 0 },
        });

    /// <summary>Sends https://login.microsoftonline.com/... to the sandbox root instead, and remembers what MSAL asked for.</summary>
    private sealed class LoginRedirect(string sandboxRoot) : DelegatingHandler(new HttpClientHandler())
    {
        public List<string> Requests { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var original = request.RequestUri!;
            if (original.Host.Equals("login.microsoftonline.com", StringComparison.OrdinalIgnoreCase))
            {
                request.RequestUri = new Uri(sandboxRoot + original.PathAndQuery);
            }

            lock (Requests)
            {
                Requests.Add($"{request.Method} {original.PathAndQuery}");
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
