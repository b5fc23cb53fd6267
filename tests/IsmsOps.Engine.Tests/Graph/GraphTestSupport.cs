using System.Collections.Concurrent;
using System.Net;
using System.Text;
using IsmsOps.Engine.Graph;
using IsmsOps.Sandbox;

namespace IsmsOps.Engine.Tests.Graph;

/// <summary>Connections for tests: the real SDK and pipeline, fast retry timing, delays recorded.</summary>
internal static class GraphTestSupport
{
    public static GraphRetryOptions FastRetry(List<TimeSpan>? delays = null, int maxAttempts = 6) => new()
    {
        MaxAttempts = maxAttempts,
        BaseDelay = TimeSpan.FromMilliseconds(10),
        MaxDelay = TimeSpan.FromMilliseconds(50),
        AttemptTimeout = TimeSpan.FromSeconds(10),
        Delay = (delay, ct) =>
        {
            lock (delays ?? [])
            {
                delays?.Add(delay);
            }

            return Task.CompletedTask;
        },
    };

    public static Task<GraphConnection> ConnectAsync(GraphSandbox sandbox, GraphRetryOptions? retry = null, GraphThrottlePriority priority = GraphThrottlePriority.Normal,
        HttpMessageHandler? transport = null, Action<GraphRetryNotice>? notices = null) =>
        GraphConnection.ConnectAsync(new GraphConnectionOptions
        {
            Mode = GraphAuthenticationMode.AccessToken,
            AccessToken = SecretText.Protect(sandbox.AccessToken),
            GraphEndpoint = sandbox.Url,
            ThrottlePriority = priority,
            Retry = retry ?? FastRetry(),
            GraphTransport = transport,
            RetryNotice = notices,
        }, CancellationToken.None);

    /// <summary>An unsigned JWT with the given payload, as Entra ID's tokens look to a client.</summary>
    public static string Jwt(string payloadJson) =>
        Base64Url("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + Base64Url(payloadJson) + ".c2ln";

    private static string Base64Url(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>
/// An in-process stand-in for Graph or Entra ID: answers each request from a function of it and records what it saw.
/// </summary>
internal sealed class RecordingHandler(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
{
    public ConcurrentQueue<HttpRequestMessage> Requests { get; } = new();

    public static HttpResponseMessage Json(HttpStatusCode status, string json, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Enqueue(request);
        HttpResponseMessage response = answer(request);
        response.RequestMessage = request;
        return Task.FromResult(response);
    }
}

/// <summary>Shared pieces of test transports.</summary>
internal static class CuttingTransport
{
    /// <summary>
    /// A transport that forwards every request through <paramref name="forward"/> and cancels <paramref name="cut"/>
    /// once the <paramref name="writes"/>th write has reached the directory, as Ctrl+C or a killed process would stop
    /// a run. A write is any Graph request but a GET, and a $batch only when it carries something other than GETs
    /// (the live inventory sends $batch requests of GETs).
    /// </summary>
    public static RecordingHandler CancelAfterWrites(int writes, CancellationTokenSource cut, HttpClient forward)
    {
        int seen = 0;
        return new RecordingHandler(request =>
        {
            string body = request.Content?.ReadAsStringAsync().GetAwaiter().GetResult() ?? "";
            bool write = request.Method != HttpMethod.Get && request.RequestUri!.AbsolutePath.Contains("/v1.0/", StringComparison.Ordinal)
                && (!request.RequestUri.AbsolutePath.EndsWith("$batch", StringComparison.Ordinal) || !body.Contains("\"GET\"", StringComparison.Ordinal));
            if (write && Interlocked.Increment(ref seen) == writes)
            {
                cut.Cancel();
            }

            var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Content = request.Content };
            foreach (var header in request.Headers)
            {
                copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            return forward.Send(copy);
        });
    }
}
