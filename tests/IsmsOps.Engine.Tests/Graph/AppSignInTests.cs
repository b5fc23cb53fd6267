using Azure.Core.Pipeline;
using IsmsOps.Engine.Graph;
using IsmsOps.Sandbox;

namespace IsmsOps.Engine.Tests.Graph;

/// <summary>
/// App-only sign-in (client secret, certificate) end to end over real HTTP: Azure.Identity and MSAL ask the sandbox's token endpoint (the
/// authority's host is rewritten to it, since MSAL insists on https), then the SDK calls the sandbox's Graph with the
/// token it issued.
/// </summary>
public sealed class AppSignInTests
{
    [Fact]
    public async Task The_right_tenant_client_and_secret_sign_in_and_reach_graph()
    {
        using var sandbox = GraphSandbox.Start(new SandboxOptions { UserCount = 100 });

        using GraphConnection connection = await ConnectAsync(sandbox, sandbox.TenantId, sandbox.ClientId, sandbox.ClientSecret);

        Assert.Equal(GraphAuthenticationMode.ClientSecret, connection.AuthenticationMode);
        Assert.Equal(sandbox.TenantId, connection.TenantId);
        Assert.Equal("ISMS Sandbox Ltd", connection.OrganizationName);
    }

    [Fact]
    public async Task A_wrong_secret_fails_at_connect_as_InvalidClient_with_the_AADSTS_code_and_without_the_secret()
    {
        using var sandbox = GraphSandbox.Start(new SandboxOptions { UserCount = 100 });
        const string wrong = "not-the-secret-~Q8x";

        var error = await Assert.ThrowsAsync<IsmsException>(() => ConnectAsync(sandbox, sandbox.TenantId, sandbox.ClientId, wrong));

        Assert.Equal("IsmsOps.Graph.InvalidClient", error.ErrorId);
        Assert.Contains("AADSTS7000215", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(sandbox.ClientSecret, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_tenant_fails_at_connect_as_TenantNotFound()
    {
        using var sandbox = GraphSandbox.Start(new SandboxOptions { UserCount = 100 });

        var error = await Assert.ThrowsAsync<IsmsException>(() =>
            ConnectAsync(sandbox, "00000000-1111-2222-3333-444444444444", sandbox.ClientId, sandbox.ClientSecret));

        Assert.Equal("IsmsOps.Graph.TenantNotFound", error.ErrorId);
        Assert.Contains("AADSTS90002", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_client_id_fails_at_connect_as_InvalidClient_naming_the_client()
    {
        using var sandbox = GraphSandbox.Start(new SandboxOptions { UserCount = 100 });

        var error = await Assert.ThrowsAsync<IsmsException>(() =>
            ConnectAsync(sandbox, sandbox.TenantId, "99999999-8888-7777-6666-555555555555", sandbox.ClientSecret));

        Assert.Equal("IsmsOps.Graph.InvalidClient", error.ErrorId);
        Assert.Contains("AADSTS700016", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_apps_certificate_from_a_pfx_file_signs_in_with_a_signed_assertion_and_reaches_graph()
    {
        using var sandbox = GraphSandbox.Start(new SandboxOptions { UserCount = 100 });
        string pfx = WritePfx(sandbox.ClientCertificate, "pfx-pass-1!");

        using GraphConnection connection = await ConnectWithCertificateAsync(sandbox, pfx, "pfx-pass-1!");

        Assert.Equal(GraphAuthenticationMode.Certificate, connection.AuthenticationMode);
        Assert.Equal("ISMS Sandbox Ltd", connection.OrganizationName);
    }

    [Fact]
    public async Task A_certificate_the_app_does_not_have_fails_at_connect_as_InvalidClient_with_AADSTS700027()
    {
        using var sandbox = GraphSandbox.Start(new SandboxOptions { UserCount = 100 });
        _ = sandbox.ClientCertificate; // the app has a certificate, just not this one
        using var other = System.Security.Cryptography.RSA.Create(2048);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=someone else", other,
            System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
        using var stranger = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        string pfx = WritePfx(stranger, "pfx-pass-2!");

        var error = await Assert.ThrowsAsync<IsmsException>(() => ConnectWithCertificateAsync(sandbox, pfx, "pfx-pass-2!"));

        Assert.Equal("IsmsOps.Graph.InvalidClient", error.ErrorId);
        Assert.Contains("AADSTS700027", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pfx-pass-2!", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_apps_certificate_found_by_thumbprint_in_the_users_store_signs_in()
    {
        using var sandbox = GraphSandbox.Start(new SandboxOptions { UserCount = 100 });
        // Through a PFX round trip, so the store gets a persisted key it can hand back.
        byte[] pfx = sandbox.ClientCertificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12, "store-pass");
        using var certificate = System.Security.Cryptography.X509Certificates.X509CertificateLoader.LoadPkcs12(pfx, "store-pass",
            System.Security.Cryptography.X509Certificates.X509KeyStorageFlags.PersistKeySet | System.Security.Cryptography.X509Certificates.X509KeyStorageFlags.Exportable);
        using var store = new System.Security.Cryptography.X509Certificates.X509Store(
            System.Security.Cryptography.X509Certificates.StoreName.My, System.Security.Cryptography.X509Certificates.StoreLocation.CurrentUser);
        store.Open(System.Security.Cryptography.X509Certificates.OpenFlags.ReadWrite);
        store.Add(certificate);
        try
        {
            using GraphConnection connection = await GraphConnection.ConnectAsync(new GraphConnectionOptions
            {
                Mode = GraphAuthenticationMode.Certificate,
                TenantId = sandbox.TenantId,
                ClientId = sandbox.ClientId,
                CertificateThumbprint = certificate.Thumbprint.ToLowerInvariant(),
                GraphEndpoint = sandbox.Url,
                AuthorityTransport = new HttpClientTransport(new HttpClient(new LoginRedirect(sandbox.Root))),
                Retry = GraphTestSupport.FastRetry(),
            }, CancellationToken.None);

            Assert.Equal("ISMS Sandbox Ltd", connection.OrganizationName);
        }
        finally
        {
            store.Remove(certificate);
        }
    }

    [Fact]
    public async Task A_managed_identity_signs_in_through_the_hosts_identity_endpoint()
    {
        using var sandbox = GraphSandbox.Start(new SandboxOptions { UserCount = 100 });
        // What App Service or Functions sets for a managed identity; the process's environment is shared, so restore it.
        string? endpoint = Environment.GetEnvironmentVariable("IDENTITY_ENDPOINT");
        string? header = Environment.GetEnvironmentVariable("IDENTITY_HEADER");
        Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", sandbox.ManagedIdentityEndpoint);
        Environment.SetEnvironmentVariable("IDENTITY_HEADER", sandbox.ManagedIdentityHeader);
        try
        {
            using GraphConnection connection = await GraphConnection.ConnectAsync(new GraphConnectionOptions
            {
                Mode = GraphAuthenticationMode.ManagedIdentity,
                GraphEndpoint = sandbox.Url,
                Retry = GraphTestSupport.FastRetry(),
            }, CancellationToken.None);

            Assert.Equal(GraphAuthenticationMode.ManagedIdentity, connection.AuthenticationMode);
            Assert.Equal("ISMS Sandbox Ltd", connection.OrganizationName);
        }
        finally
        {
            Environment.SetEnvironmentVariable("IDENTITY_ENDPOINT", endpoint);
            Environment.SetEnvironmentVariable("IDENTITY_HEADER", header);
        }
    }

    [Fact]
    public async Task A_device_code_sign_in_shows_the_prompt_polls_until_approved_and_reaches_graph()
    {
        using var sandbox = GraphSandbox.Start(new SandboxOptions { UserCount = 100 });
        var prompts = new List<string>();

        using GraphConnection connection = await GraphConnection.ConnectAsync(new GraphConnectionOptions
        {
            Mode = GraphAuthenticationMode.DeviceCode,
            TenantId = sandbox.TenantId,
            ClientId = sandbox.ClientId,
            DeviceCodePrompt = prompts.Add,
            GraphEndpoint = sandbox.Url,
            AuthorityTransport = new HttpClientTransport(new HttpClient(new LoginRedirect(sandbox.Root))),
            Retry = GraphTestSupport.FastRetry(),
        }, CancellationToken.None);

        Assert.Equal(GraphAuthenticationMode.DeviceCode, connection.AuthenticationMode);
        Assert.Equal("ISMS Sandbox Ltd", connection.OrganizationName);
        string prompt = Assert.Single(prompts);
        Assert.Contains("https://microsoft.com/devicelogin", prompt, StringComparison.Ordinal);
    }

    private static string WritePfx(System.Security.Cryptography.X509Certificates.X509Certificate2 certificate, string password)
    {
        string path = Path.Combine(Path.GetTempPath(), $"ismsops-app-{Guid.NewGuid():N}.pfx");
        File.WriteAllBytes(path, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pkcs12, password));
        return path;
    }

    private static Task<GraphConnection> ConnectWithCertificateAsync(GraphSandbox sandbox, string pfx, string password) =>
        GraphConnection.ConnectAsync(new GraphConnectionOptions
        {
            Mode = GraphAuthenticationMode.Certificate,
            TenantId = sandbox.TenantId,
            ClientId = sandbox.ClientId,
            CertificatePath = pfx,
            CertificatePassword = SecretText.Protect(password),
            GraphEndpoint = sandbox.Url,
            AuthorityTransport = new HttpClientTransport(new HttpClient(new LoginRedirect(sandbox.Root))),
            Retry = GraphTestSupport.FastRetry(),
        }, CancellationToken.None);

    private static Task<GraphConnection> ConnectAsync(GraphSandbox sandbox, string tenant, string client, string secret) =>
        GraphConnection.ConnectAsync(new GraphConnectionOptions
        {
            Mode = GraphAuthenticationMode.ClientSecret,
            TenantId = tenant,
            ClientId = client,
            ClientSecret = SecretText.Protect(secret),
            GraphEndpoint = sandbox.Url,
            AuthorityTransport = new HttpClientTransport(new HttpClient(new LoginRedirect(sandbox.Root))),
            Retry = GraphTestSupport.FastRetry(),
        }, CancellationToken.None);

    /// <summary>Sends https://login.microsoftonline.com/... to the sandbox root.</summary>
    private sealed class LoginRedirect(string sandboxRoot) : DelegatingHandler(new HttpClientHandler())
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Uri original = request.RequestUri!;
            if (original.Host.Equals("login.microsoftonline.com", StringComparison.OrdinalIgnoreCase))
            {
                request.RequestUri = new Uri(sandboxRoot + original.PathAndQuery);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}
