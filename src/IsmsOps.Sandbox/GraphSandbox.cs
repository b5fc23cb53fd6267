using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IsmsOps.Sandbox.Directory;
using IsmsOps.Sandbox.Http;
using IsmsOps.Sandbox.Identity;

namespace IsmsOps.Sandbox;

/// <summary>
/// A running Graph v1.0 look-alike on 127.0.0.1, holding a generated tenant in memory. Point a Graph client at
/// <see cref="Url"/> with <see cref="AccessToken"/> as its bearer token, or sign in as the sandbox's registered
/// application (<see cref="TenantId"/>, <see cref="ClientId"/>, <see cref="ClientSecret"/>) against <see cref="Root"/>
/// in place of https://login.microsoftonline.com.
/// </summary>
public sealed class GraphSandbox : IDisposable, IAsyncDisposable
{
    private const int PortAttempts = 20;

    private readonly HttpListener _listener;
    private readonly SandboxPipeline _pipeline;
    private readonly FaultInjector _faults;
    private readonly SandboxOptions _options;
    private readonly IdentityEndpoints _identity;
    private readonly Lazy<X509Certificate2> _clientCertificate;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _acceptLoop;
    private long _requestCount;

    private GraphSandbox(HttpListener listener, int port, Tenant tenant, SandboxOptions options)
    {
        _listener = listener;
        Tenant = tenant;
        Root = $"http://127.0.0.1:{port}";
        Url = Root + "/v1.0";
        AccessToken = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        ClientId = Guid.NewGuid().ToString();
        ClientSecret = "sbx~" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(30)).Replace('+', '.').Replace('/', '_');
        _options = options;
        _faults = new FaultInjector(options);
        _pipeline = new SandboxPipeline(AccessToken, _faults, new GraphRouter(tenant, options));
        _clientCertificate = new Lazy<X509Certificate2>(() => CreateClientCertificate(ClientId), LazyThreadSafetyMode.ExecutionAndPublication);
        ManagedIdentityHeader = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        _identity = new IdentityEndpoints(tenant.Id, tenant.DefaultDomain, ClientId, ClientSecret, AccessToken,
            () => _clientCertificate.IsValueCreated ? _clientCertificate.Value : null, ManagedIdentityHeader,
            (tenant.Users[0].Id, tenant.Users[0].UserPrincipalName, tenant.Users[0].DisplayName));
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>The Graph base URL, for example http://127.0.0.1:51234/v1.0.</summary>
    public string Url { get; }

    /// <summary>
    /// The listener's root, for example http://127.0.0.1:51234. It also answers as the identity platform: redirect
    /// https://login.microsoftonline.com/{rest} to {Root}/{rest}.
    /// </summary>
    public string Root { get; }

    /// <summary>The only bearer token this sandbox accepts; new for every sandbox.</summary>
    public string AccessToken { get; }

    /// <summary>The directory (tenant) id to sign in to; the same as <see cref="Directory.Tenant.Id"/>.</summary>
    public string TenantId => Tenant.Id;

    /// <summary>The application (client) id of the one confidential client registered in the sandbox; new for every sandbox.</summary>
    public string ClientId { get; }

    /// <summary>That application's client secret; new for every sandbox. Its token is <see cref="AccessToken"/>.</summary>
    public string ClientSecret { get; }

    /// <summary>
    /// The registered application's certificate, with its private key, for rehearsing certificate sign-in (export it
    /// with a password to a PFX for -CertificatePath). Made on first use, since RSA key generation takes a moment; until
    /// then the application has no certificate and a certificate sign-in fails with AADSTS700027.
    /// </summary>
    public X509Certificate2 ClientCertificate => _clientCertificate.Value;

    /// <summary>
    /// The managed identity endpoint, as App Service hosts it: set IDENTITY_ENDPOINT to this and IDENTITY_HEADER to
    /// <see cref="ManagedIdentityHeader"/>, and a managed-identity sign-in gets the sandbox's token.
    /// </summary>
    public string ManagedIdentityEndpoint => Root + "/msi/token";

    /// <summary>The secret header value the managed identity endpoint requires (IDENTITY_HEADER).</summary>
    public string ManagedIdentityHeader { get; }

    /// <summary>The in-memory directory the endpoints read and change.</summary>
    public Tenant Tenant { get; }

    /// <summary>
    /// HTTP requests received so far, whatever their answer (a $batch counts once, however many items it carries;
    /// token requests count too). Lets a benchmark count the requests a client really sent, retries included.
    /// </summary>
    public long RequestCount => Interlocked.Read(ref _requestCount);

    /// <summary>
    /// The share of requests (0 to 1) that get one of the faults the sandbox was started with. Starts at
    /// <see cref="SandboxOptions.FaultRate"/>; changing it while clients run starts or ends a storm, for example to show
    /// that a run failed by throttling finishes once the throttling stops.
    /// </summary>
    public double FaultRate
    {
        get => _faults.FaultRate;
        set
        {
            if (double.IsNaN(value) || value is < 0 or > 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "FaultRate is a share of requests between 0 and 1.");
            }

            if (value > 0 && _options.Faults.Count == 0)
            {
                throw new ArgumentException("The sandbox was started with no faults to inject; list them in SandboxOptions.Faults.", nameof(value));
            }

            _faults.FaultRate = value;
        }
    }

    /// <summary>Generates the organisation and starts listening on a free loopback port.</summary>
    public static GraphSandbox Start(SandboxOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Tenant tenant = SandboxOrganisation.Generate(options.UserCount, options.Seed);

        // HttpListener cannot bind port 0, so borrow a free port from the OS and retry if someone takes it first.
        for (int attempt = 1; ; attempt++)
        {
            int port = FreeLoopbackPort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                return new GraphSandbox(listener, port, tenant, options);
            }
            catch (HttpListenerException) when (attempt < PortAttempts)
            {
                listener.Close();
            }
        }
    }

    private static X509Certificate2 CreateClientCertificate(string clientId)
    {
        using RSA key = RSA.Create(2048);
        var request = new CertificateRequest($"CN=IsmsOps sandbox app {clientId}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(2));
    }

    public void Stop()
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        _stopping.Cancel();
        _listener.Close();
        try
        {
            _acceptLoop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends by its listener closing under it; nothing to report.
        }
    }

    public void Dispose()
    {
        Stop();
        _stopping.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private static int FreeLoopbackPort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            Interlocked.Increment(ref _requestCount);

            // Each request on its own task, so injected latency on one does not hold up the others.
            _ = Task.Run(() => ServeAsync(context));
        }
    }

    private async Task ServeAsync(HttpListenerContext context)
    {
        HttpListenerResponse response = context.Response;
        try
        {
            GraphRequest request = await ReadRequestAsync(context.Request).ConfigureAwait(false);
            GraphResponse answer;
            try
            {
                answer = request.Segments is ["v1.0", ..]
                    ? await _pipeline.HandleAsync(Unversioned(request), _stopping.Token).ConfigureAwait(false)
                    : _identity.Handle(request) ?? GraphResponse.Error(request, 400, "BadRequest", "Invalid version.");
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                answer = GraphResponse.Error(request, 500, "generalException", "The sandbox failed: " + e.Message);
            }

            if (answer.DropsConnection)
            {
                // HttpListener cannot close a socket silently (Abort still sends headers), so promise a body and
                // hang up before it arrives: the client sees the connection end mid-response, as on a reset.
                response.ContentLength64 = 1024;
                await response.OutputStream.FlushAsync(_stopping.Token).ConfigureAwait(false);
                response.Abort();
                return;
            }

            response.StatusCode = answer.Status;
            response.AddHeader("request-id", request.RequestId);
            response.AddHeader("client-request-id", request.ClientRequestId);
            foreach (var (name, value) in answer.Headers)
            {
                if (string.Equals(name, "Content-Type", StringComparison.OrdinalIgnoreCase))
                {
                    response.ContentType = value;
                }
                else
                {
                    response.AddHeader(name, value);
                }
            }

            // Always a known length: HttpListener's chunked fallback costs about 43 ms a response on this machine.
            response.ContentLength64 = answer.Body.Length;
            await response.OutputStream.WriteAsync(answer.Body, _stopping.Token).ConfigureAwait(false);
            response.Close();
        }
        catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            // The client went away or the sandbox is stopping.
            response.Abort();
        }
    }

    private async Task<GraphRequest> ReadRequestAsync(HttpListenerRequest request)
    {
        var body = new MemoryStream();
        await request.InputStream.CopyToAsync(body, _stopping.Token).ConfigureAwait(false);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string? name in request.Headers.AllKeys)
        {
            if (name is not null && request.Headers[name] is { } value)
            {
                headers[name] = value;
            }
        }

        var (segments, query) = GraphRequest.ParseTarget(request.RawUrl ?? "/");
        return new GraphRequest
        {
            Method = request.HttpMethod,
            Segments = segments,
            Query = query,
            Headers = headers,
            Body = body.ToArray(),
            RequestId = Guid.NewGuid().ToString(),
            ClientRequestId = headers.GetValueOrDefault("client-request-id") ?? Guid.NewGuid().ToString(),
            BaseUrl = Url,
        };
    }

    private static GraphRequest Unversioned(GraphRequest request) => request with { Segments = request.Segments.Skip(1).ToList() };
}
