using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Sandbox;
using Microsoft.Graph;
using Microsoft.Kiota.Abstractions.Authentication;

namespace IsmsOps.Engine.Tests.Graph;

/// <summary>A running sandbox and a real Graph SDK client pointed at it, over real HTTP.</summary>
internal sealed class SandboxGraph : IDisposable
{
    public SandboxGraph(SandboxOptions options, GraphReaderOptions? readerOptions = null)
    {
        Sandbox = GraphSandbox.Start(options);
        var authentication = new BaseBearerTokenAuthenticationProvider(new FixedToken(Sandbox.AccessToken));
        Http = GraphClientFactory.Create(version: "v1.0");
        Client = new GraphServiceClient(Http, authentication, Sandbox.Url);
        Reader = new GraphReader(Client.RequestAdapter, readerOptions ?? FastRetries);
    }

    /// <summary>Retries at millisecond scale, so fault-injection tests take seconds, not minutes.</summary>
    public static GraphReaderOptions FastRetries { get; } = new() { BackoffBase = TimeSpan.FromMilliseconds(5), BackoffCap = TimeSpan.FromMilliseconds(50) };

    public GraphSandbox Sandbox { get; }

    public HttpClient Http { get; }

    public GraphServiceClient Client { get; }

    public GraphReader Reader { get; }

    public void Dispose()
    {
        Http.Dispose();
        Sandbox.Dispose();
    }

    private sealed class FixedToken(string token) : IAccessTokenProvider
    {
        public AllowedHostsValidator AllowedHostsValidator { get; } = new(["127.0.0.1"]);

        public Task<string> GetAuthorizationTokenAsync(Uri uri, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(token);
    }
}
