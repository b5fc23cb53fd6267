using System.Net;
using Azure.Core.Pipeline;
using IsmsOps.Engine.Graph;
using IsmsOps.Sandbox;

namespace IsmsOps.Engine.Tests.Graph;

/// <summary>Failures become IsmsExceptions that say what Graph or Entra ID said, and how to fix it; never a secret.</summary>
public sealed class GraphErrorTests
{
    private const string BareSdkMessage = "Exception of type";

    [Fact]
    public async Task A_missing_user_is_NotFound_with_Graphs_code_message_and_request_id()
    {
        using var sandbox = GraphSandbox.Start(new SandboxOptions { UserCount = 100 });
        using GraphConnection connection = await GraphTestSupport.ConnectAsync(sandbox);

        var error = await Assert.ThrowsAsync<IsmsException>(() => connection.CallAsync(GraphOperation.ReadUsers,
            (c, ct) => c.Users["no-such-user"].GetAsync(r => r.QueryParameters.Select = ["id"], ct), CancellationToken.None));

        Assert.Equal("IsmsOps.Graph.NotFound", error.ErrorId);
        Assert.Equal(IsmsErrorKind.NotFound, error.Kind);
        Assert.Contains("404 Request_ResourceNotFound", error.Message, StringComparison.Ordinal);
        Assert.Matches("request-id [0-9a-f-]{36}", error.Message);
        Assert.Contains("client-request-id", error.Message, StringComparison.Ordinal);
        Assert.Contains("Resource 'no-such-user' does not exist", error.Message, StringComparison.Ordinal);
        Assert.Contains($"GET {sandbox.Url}/users/no-such-user?$select=id", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(BareSdkMessage, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_403_names_the_least_privilege_permission_the_operation_needs()
    {
        var graph = new RecordingHandler(r => r.RequestUri!.AbsolutePath.EndsWith("/organization", StringComparison.Ordinal)
            ? RecordingHandler.Json(HttpStatusCode.OK, """{"value":[{"id":"t1","displayName":"Contoso"}]}""")
            : RecordingHandler.Json(HttpStatusCode.Forbidden,
                """{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{"date":"2026-11-23T12:00:00","request-id":"0f6a1c2e-1111-2222-3333-444455556666","client-request-id":"9d9d9d9d-1111-2222-3333-444455556666"}}}""",
                ("request-id", "0f6a1c2e-1111-2222-3333-444455556666")));
        using GraphConnection connection = await GraphConnection.ConnectAsync(new GraphConnectionOptions
        {
            Mode = GraphAuthenticationMode.AccessToken, AccessToken = SecretText.Protect("opaque"), GraphTransport = graph,
        }, CancellationToken.None);

        var error = await Assert.ThrowsAsync<IsmsException>(() => connection.CallAsync(GraphOperation.ReadRoleAssignments,
            (c, ct) => c.RoleManagement.Directory.RoleAssignments.GetAsync(cancellationToken: ct), CancellationToken.None));

        Assert.Equal("IsmsOps.Graph.Forbidden", error.ErrorId);
        Assert.Equal(IsmsErrorKind.PermissionDenied, error.Kind);
        Assert.StartsWith("Graph refused to list role assignments (403 Authorization_RequestDenied, request-id 0f6a1c2e-1111-2222-3333-444455556666", error.Message, StringComparison.Ordinal);
        Assert.Contains("The app needs the application permission RoleManagement.Read.Directory; grant it with admin consent and reconnect.", error.Message, StringComparison.Ordinal);
        Assert.Contains("RoleManagement.Read.Directory", error.RecommendedAction, StringComparison.Ordinal);
        Assert.DoesNotContain(BareSdkMessage, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_raw_call_that_fails_is_translated_from_Graphs_error_body()
    {
        using var sandbox = GraphSandbox.Start(new SandboxOptions { UserCount = 100 });
        using GraphConnection connection = await GraphTestSupport.ConnectAsync(sandbox);

        var error = await Assert.ThrowsAsync<IsmsException>(() => connection.SendAsync(GraphOperation.ReadGroupMembers,
            new HttpRequestMessage(HttpMethod.Get, "groups/00000000-0000-0000-0000-000000000000/members?$select=id"), CancellationToken.None));

        Assert.Equal("IsmsOps.Graph.NotFound", error.ErrorId);
        Assert.Contains("Graph found nothing to list group members and owners (404 Request_ResourceNotFound, request-id", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_operation_has_a_catalog_entry_with_an_application_permission()
    {
        Assert.Equal(Enum.GetValues<GraphOperation>(), GraphPermissions.All.Select(p => p.Operation));
        Assert.All(GraphPermissions.All, p =>
        {
            Assert.NotEmpty(p.ApplicationPermissions);
            Assert.NotEmpty(p.DelegatedPermissions);
            Assert.NotEmpty(p.Cmdlets);
            Assert.False(string.IsNullOrWhiteSpace(p.Description));
        });
    }

    [Fact]
    public void The_permissions_doc_is_the_one_generated_from_the_catalog()
    {
        string path = Path.Combine(RepoRoot(), "docs", "graph-permissions.md");
        if (Environment.GetEnvironmentVariable("ISMSOPS_WRITE_DOCS") == "1")
        {
            File.WriteAllText(path, GraphPermissions.ToMarkdown());
        }

        Assert.True(File.Exists(path) && File.ReadAllText(path).ReplaceLineEndings("\n") == GraphPermissions.ToMarkdown(),
            "docs/graph-permissions.md differs from GraphPermissions.ToMarkdown(). Regenerate it: ISMSOPS_WRITE_DOCS=1 dotnet test tests/IsmsOps.Engine.Tests --filter The_permissions_doc");
    }

    private static string RepoRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IsmsOps.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("IsmsOps.sln not found");
    }
}

/// <summary>
/// Sign-in failures, with Entra ID answered in-process: the credential's own Azure.Core transport is pointed at a
/// handler that plays login.microsoftonline.com, so MSAL's real requests are seen and answered.
/// </summary>
public sealed class GraphSignInErrorTests
{
    private const string Secret = "Sup3r-Secret~Value.0123456789abcdefghij";

    private static RecordingHandler EntraId(HttpStatusCode status, string tokenError) => new(request =>
    {
        string path = request.RequestUri!.AbsolutePath;
        if (path.EndsWith("/discovery/instance", StringComparison.Ordinal))
        {
            return RecordingHandler.Json(HttpStatusCode.OK, """{"tenant_discovery_endpoint":"https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration","api-version":"1.1","metadata":[{"preferred_network":"login.microsoftonline.com","preferred_cache":"login.windows.net","aliases":["login.microsoftonline.com","login.windows.net","login.microsoft.com","sts.windows.net"]}]}""");
        }

        if (path.EndsWith("/openid-configuration", StringComparison.Ordinal))
        {
            return RecordingHandler.Json(HttpStatusCode.OK, """{"token_endpoint":"https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token","authorization_endpoint":"https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/authorize","issuer":"https://login.microsoftonline.com/{tenantid}/v2.0"}""");
        }

        return RecordingHandler.Json(status, tokenError);
    });

    private static Task<GraphConnection> ConnectWithSecretAsync(RecordingHandler entraId, string tenant = "contoso.onmicrosoft.com") =>
        GraphConnection.ConnectAsync(new GraphConnectionOptions
        {
            Mode = GraphAuthenticationMode.ClientSecret,
            TenantId = tenant,
            ClientId = "8a6c0d0e-1111-2222-3333-444455556666",
            ClientSecret = SecretText.Protect(Secret),
            AuthorityTransport = new HttpClientTransport(new HttpClient(entraId)),
            GraphTransport = new RecordingHandler(_ => throw new InvalidOperationException("Graph must not be called when sign-in fails.")),
        }, CancellationToken.None);

    [Fact]
    public async Task A_wrong_client_secret_is_InvalidClient_keeping_the_AADSTS_code_and_never_the_secret()
    {
        var entraId = EntraId(HttpStatusCode.Unauthorized,
            """{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '8a6c0d0e-1111-2222-3333-444455556666'. Trace ID: 3f2a1b4c-0000-1111-2222-333344445555 Correlation ID: 7e6d5c4b-0000-1111-2222-333344445555 Timestamp: 2026-11-23 12:00:00Z","error_codes":[7000215],"timestamp":"2026-11-23 12:00:00Z","trace_id":"3f2a1b4c-0000-1111-2222-333344445555","correlation_id":"7e6d5c4b-0000-1111-2222-333344445555"}""");

        var error = await Assert.ThrowsAsync<IsmsException>(() => ConnectWithSecretAsync(entraId));

        Assert.Equal("IsmsOps.Graph.InvalidClient", error.ErrorId);
        Assert.Contains("AADSTS7000215: Invalid client secret provided.", error.Message, StringComparison.Ordinal);
        Assert.Contains("Correlation ID: 7e6d5c4b-0000-1111-2222-333344445555", error.Message, StringComparison.Ordinal);
        Assert.Contains("secret's Value", error.RecommendedAction, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.RecommendedAction, StringComparison.Ordinal);

        // What MSAL asked for, for the record: the token endpoint of the tenant (instance discovery is known for this host).
        Assert.Contains(entraId.Requests, r => r.Method == HttpMethod.Post && r.RequestUri!.AbsolutePath == "/contoso.onmicrosoft.com/oauth2/v2.0/token");
    }

    [Fact]
    public async Task An_unknown_tenant_is_TenantNotFound()
    {
        var entraId = EntraId(HttpStatusCode.BadRequest,
            """{"error":"invalid_request","error_description":"AADSTS90002: Tenant 'nosuchtenant.onmicrosoft.com' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Trace ID: 3f2a1b4c-0000-1111-2222-333344445555","error_codes":[90002]}""");

        var error = await Assert.ThrowsAsync<IsmsException>(() => ConnectWithSecretAsync(entraId, "nosuchtenant.onmicrosoft.com"));

        Assert.Equal("IsmsOps.Graph.TenantNotFound", error.ErrorId);
        Assert.Contains("AADSTS90002", error.Message, StringComparison.Ordinal);
        Assert.Contains("-TenantId", error.RecommendedAction, StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_echoed_by_any_layer_is_blanked_out_of_the_message()
    {
        var echoed = new InvalidOperationException($"AADSTS50000: something went wrong with client_secret={Secret} in the request.");

        IsmsException error = GraphErrors.FromSignIn(echoed, GraphAuthenticationMode.ClientSecret, "t", "c", new Uri("https://login.microsoftonline.com/"), [Secret]);

        Assert.Equal("IsmsOps.Graph.AuthenticationFailed", error.ErrorId);
        Assert.DoesNotContain(Secret, error.ToString(), StringComparison.Ordinal);
        Assert.Null(error.InnerException);
    }

    [Fact]
    public async Task A_certificate_file_with_a_wrong_password_fails_without_quoting_the_password()
    {
        string file = Path.Combine(Path.GetTempPath(), "ismsops-cert-" + Guid.NewGuid().ToString("N") + ".pfx");
        using (var key = System.Security.Cryptography.RSA.Create(2048))
        {
            var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=IsmsOps test", key, System.Security.Cryptography.HashAlgorithmName.SHA256, System.Security.Cryptography.RSASignaturePadding.Pkcs1);
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1));
            File.WriteAllBytes(file, certificate.Export(System.Security.Cryptography.X509Certificates.X509ContentType.Pfx, "right-password"));
        }

        try
        {
            var error = await Assert.ThrowsAsync<IsmsException>(() => GraphConnection.ConnectAsync(new GraphConnectionOptions
            {
                Mode = GraphAuthenticationMode.Certificate, TenantId = "t", ClientId = "c", CertificatePath = file, CertificatePassword = SecretText.Protect("wrong-password-123"),
            }, CancellationToken.None));

            Assert.Equal("IsmsOps.Graph.CertificateUnreadable", error.ErrorId);
            Assert.DoesNotContain("wrong-password-123", error.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
