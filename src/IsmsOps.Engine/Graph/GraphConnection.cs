using System.Net;
using Azure.Core;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions.Authentication;
using KiotaRetryHandler = Microsoft.Kiota.Http.HttpClientLibrary.Middleware.RetryHandler;

namespace IsmsOps.Engine.Graph;

/// <summary>
/// A signed-in, validated connection to Microsoft Graph: one long-lived <see cref="GraphServiceClient"/> and one
/// <see cref="HttpClient"/> over a single handler pipeline (our retry, the bearer token, throttle priority, Kiota's
/// redirect and telemetry handlers). The SDK leaks when a client is made per call (msgraph-sdk-dotnet #3132, #3147),
/// so everything that talks to Graph for this connection uses these two until <see cref="Dispose"/>.
/// The public members describe the connection and hold no secret; the clients are internal to the engine.
/// </summary>
/// <remarks>
/// Engine code (the snapshot collector, offboarding) takes a <see cref="GraphConnection"/> from its caller and uses:
/// <list type="bullet">
/// <item><see cref="Client"/> for typed SDK calls, wrapped in <see cref="CallAsync{T}"/> so failures become
/// <see cref="IsmsException"/>s that name the operation and its permission;</item>
/// <item><see cref="Http"/> for raw calls ($batch, nextLink pages, reports), with relative URLs against
/// <see cref="GraphEndpoint"/>; <see cref="SendAsync"/> adds the same error translation.</item>
/// </list>
/// Both retry throttling and transient failures already (<see cref="GraphRetryHandler"/>); items inside a $batch
/// answer are not retried by the pipeline and must be by the caller.
/// </remarks>
public sealed class GraphConnection : IDisposable
{
    private readonly HttpClient _http;
    private readonly GraphServiceClient _client;
    private int _disposed;

    private GraphConnection(HttpClient http, GraphServiceClient client, GraphConnectionOptions options, Uri baseUrl, Uri authorityHost, GraphEnvironment environment)
    {
        _http = http;
        _client = client;
        AuthenticationMode = options.Mode;
        TenantId = options.TenantId;
        ClientId = options.ClientId;
        Environment = environment;
        GraphEndpoint = baseUrl.ToString().TrimEnd('/');
        AuthorityHost = options.Mode is GraphAuthenticationMode.AccessToken or GraphAuthenticationMode.Sandbox ? null : authorityHost.ToString();
        ThrottlePriority = options.ThrottlePriority;
    }

    public GraphAuthenticationMode AuthenticationMode { get; }

    /// <summary>The tenant signed in to: as given, or read from the token or the organization.</summary>
    public string? TenantId { get; private set; }

    /// <summary>The app (client) id: as given, or read from the token.</summary>
    public string? ClientId { get; private set; }

    /// <summary>The tenant's display name, when the app may read the organization.</summary>
    public string? OrganizationName { get; private set; }

    /// <summary>The national cloud, or Custom when -GraphEndpoint pointed elsewhere.</summary>
    public GraphEnvironment Environment { get; }

    /// <summary>The Graph base URL every request goes to, with its version segment (https://graph.microsoft.com/v1.0).</summary>
    public string GraphEndpoint { get; }

    /// <summary>Where the credential signs in (https://login.microsoftonline.com/); null for a given token.</summary>
    public string? AuthorityHost { get; }

    public DateTimeOffset ConnectedAt { get; private set; }

    /// <summary>Application permissions the token carries (its <c>roles</c> claim); empty when the token is not a JWT.</summary>
    public IReadOnlyList<string> Roles { get; private set; } = [];

    /// <summary>Delegated permissions the token carries (its <c>scp</c> claim); empty for app-only or opaque tokens.</summary>
    public IReadOnlyList<string> Scopes { get; private set; } = [];

    /// <summary>When the current token expires, if known. The credential renews it (except a given -AccessToken).</summary>
    public DateTimeOffset? TokenExpiresOn { get; private set; }

    public GraphThrottlePriority ThrottlePriority { get; }

    /// <summary>False once disposed (Disconnect-IsmsGraph, or replaced by a new Connect-IsmsGraph).</summary>
    public bool IsConnected => Volatile.Read(ref _disposed) == 0;

    /// <summary>Raised on every retry (throttling, 5xx, a dropped connection), for verbose output or logs.</summary>
    public event EventHandler<GraphRetryNotice>? Retrying;

    /// <summary>The SDK client; engine-only. Wrap calls in <see cref="CallAsync{T}"/>.</summary>
    internal GraphServiceClient Client => IsConnected ? _client : throw Disposed();

    /// <summary>
    /// The raw client over the same pipeline and token as <see cref="Client"/>; engine-only. Its BaseAddress is
    /// <see cref="GraphEndpoint"/> plus a slash, so relative URLs such as <c>users?$select=id</c> work, and absolute
    /// nextLinks are followed verbatim. It has no overall timeout (each attempt has its own).
    /// </summary>
    internal HttpClient Http => IsConnected ? _http : throw Disposed();

    /// <summary>
    /// Signs in with <paramref name="options"/>, builds the client and proves the connection works by reading the
    /// organization (or, if the app may not, one user), so a wrong tenant, credential or endpoint fails here.
    /// </summary>
    public static async Task<GraphConnection> ConnectAsync(GraphConnectionOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        Uri baseUrl = GraphClouds.BaseUrl(options.Environment, options.GraphEndpoint);
        Uri authorityHost = GraphClouds.AuthorityHost(options.Environment);
        GraphEnvironment environment = string.IsNullOrWhiteSpace(options.GraphEndpoint) || baseUrl == GraphClouds.BaseUrl(options.Environment, null)
            ? options.Environment
            : GraphEnvironment.Custom;

        TokenCredential credential = GraphCredentials.Create(options, authorityHost);
        GraphConnection? connection = null;
        var auth = new GraphAuthenticationHandler(credential, GraphClouds.DefaultScope(options.Environment), baseUrl);
        HttpClient http = CreateHttpClient(options, baseUrl, auth, notice => connection?.OnRetry(notice, options));
        try
        {
            var client = new GraphServiceClient(http, new AnonymousAuthenticationProvider(), baseUrl.ToString().TrimEnd('/'));
            connection = new GraphConnection(http, client, options, baseUrl, authorityHost, environment);
            await connection.SignInAsync(auth, options, authorityHost, cancellationToken).ConfigureAwait(false);
            await connection.ValidateAsync(options, cancellationToken).ConfigureAwait(false);
            connection.ConnectedAt = DateTimeOffset.UtcNow;
            return connection;
        }
        catch
        {
            if (connection is null)
            {
                http.Dispose();
            }
            else
            {
                connection.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Runs one SDK call for <paramref name="operation"/>; any failure but the caller's cancellation becomes an
    /// <see cref="IsmsException"/> (<see cref="GraphErrors.Translate"/>).
    /// </summary>
    internal async Task<T> CallAsync<T>(GraphOperation operation, Func<GraphServiceClient, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        try
        {
            return await call(Client, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw GraphErrors.Translate(e, operation);
        }
    }

    /// <summary>
    /// Sends a raw request for <paramref name="operation"/> and returns the successful response (the caller disposes
    /// it); a failed one becomes an <see cref="IsmsException"/> from Graph's error body.
    /// </summary>
    internal async Task<HttpResponseMessage> SendAsync(GraphOperation operation, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await Http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw GraphErrors.Translate(e, operation);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await GraphErrors.FromResponseAsync(response, operation, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Disposes the client and its connections; later calls fail with IsmsOps.Graph.NotConnected.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _client.Dispose();
            _http.Dispose();
        }
    }

    public override string ToString() =>
        $"{AuthenticationMode} connection to {GraphEndpoint}{(TenantId is null ? "" : " (tenant " + TenantId + ")")}";

    private static HttpClient CreateHttpClient(GraphConnectionOptions options, Uri baseUrl, GraphAuthenticationHandler auth, Action<GraphRetryNotice> notify)
    {
        // The SDK's own handler chain, with our retry handler in place of Kiota's, then the token, so every retry
        // (after a wait that may outlive a token) asks for a fresh one.
        var handlers = GraphClientFactory.CreateDefaultHandlers().ToList();
        int retryAt = handlers.FindIndex(h => h is KiotaRetryHandler);
        if (retryAt < 0)
        {
            retryAt = 0;
        }
        else
        {
            handlers.RemoveAt(retryAt);
        }

        handlers.Insert(retryAt, new GraphRetryHandler(options.Retry, notify));
        handlers.Insert(retryAt + 1, auth);
        if (options.ThrottlePriority == GraphThrottlePriority.Low)
        {
            handlers.Insert(0, new ThrottlePriorityHandler());
        }

        HttpMessageHandler transport = options.GraphTransport ?? new SocketsHttpHandler
        {
            // Kiota's RedirectHandler follows redirects and drops the token when the host changes.
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.All,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        };
        HttpMessageHandler pipeline = GraphClientFactory.CreatePipeline(handlers, transport);
        return new HttpClient(pipeline, disposeHandler: true)
        {
            BaseAddress = new Uri(baseUrl.ToString().TrimEnd('/') + "/"),
            // Retries with Retry-After waits can outlast any fixed total; each attempt has its own timeout instead.
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    private void OnRetry(GraphRetryNotice notice, GraphConnectionOptions options)
    {
        options.RetryNotice?.Invoke(notice);
        Retrying?.Invoke(this, notice);
    }

    private async Task SignInAsync(GraphAuthenticationHandler auth, GraphConnectionOptions options, Uri authorityHost, CancellationToken cancellationToken)
    {
        AccessToken token;
        string? given = options.AccessToken is null ? null : SecretText.Reveal(options.AccessToken);
        try
        {
            token = await auth.GetTokenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            string? secret = options.ClientSecret is null ? null : SecretText.Reveal(options.ClientSecret);
            string? password = options.CertificatePassword is null ? null : SecretText.Reveal(options.CertificatePassword);
            throw GraphErrors.FromSignIn(e, options.Mode, options.TenantId, options.ClientId, authorityHost, [secret, password, given]);
        }

        if (JwtClaims.TryRead(token.Token) is { } claims)
        {
            TenantId ??= claims.TenantId;
            ClientId ??= claims.ClientId;
            Roles = claims.Roles;
            Scopes = claims.Scopes;
        }

        TenantId ??= options.SandboxTenantId;
        TokenExpiresOn = options.Mode == GraphAuthenticationMode.Sandbox ? null : token.ExpiresOn;
    }

    private async Task ValidateAsync(GraphConnectionOptions options, CancellationToken cancellationToken)
    {
        try
        {
            var organizations = await CallAsync(GraphOperation.ReadOrganization, (c, ct) => c.Organization.GetAsync(r => r.QueryParameters.Select = ["id", "displayName"], ct), cancellationToken)
                .ConfigureAwait(false);
            if (organizations?.Value?.FirstOrDefault() is { } organization)
            {
                TenantId ??= organization.Id;
                OrganizationName = organization.DisplayName;
            }

            return;
        }
        catch (IsmsException e) when (e.ErrorId is "IsmsOps.Graph.Forbidden" or "IsmsOps.Graph.NotFound" || IsMissingEndpoint(e))
        {
            // An app without Organization.Read.All, or a Graph look-alike without /organization: one user proves the
            // token and endpoint work just as well.
        }

        await CallAsync(GraphOperation.ReadOrganization, (c, ct) => c.Users.GetAsync(r =>
        {
            r.QueryParameters.Top = 1;
            r.QueryParameters.Select = ["id"];
        }, ct), cancellationToken).ConfigureAwait(false);
    }

    // GraphErrors.Translate keeps the SDK's exception, and so Graph's status, as the InnerException.
    private static bool IsMissingEndpoint(IsmsException e) =>
        e.ErrorId == "IsmsOps.Graph.RequestFailed" && e.InnerException is Microsoft.Kiota.Abstractions.ApiException { ResponseStatusCode: 400 };

    private static IsmsException Disposed() =>
        new("IsmsOps.Graph.NotConnected", IsmsErrorKind.InvalidArgument, "This Graph connection was closed (Disconnect-IsmsGraph, or a newer Connect-IsmsGraph).",
            "Run Connect-IsmsGraph again.");
}
