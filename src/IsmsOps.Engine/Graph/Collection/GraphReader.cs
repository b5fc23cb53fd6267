using System.Globalization;
using System.Text.Json;
using Microsoft.Graph.Models.ODataErrors;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Serialization;

namespace IsmsOps.Engine.Graph.Collection;

/// <summary>How hard <see cref="GraphReader"/> pushes Graph, and how patiently it retries.</summary>
public sealed record GraphReaderOptions
{
    /// <summary>Graph's own limit for requests in one JSON $batch.</summary>
    public const int MaximumBatchSize = 20;

    /// <summary>
    /// HTTP requests in flight at once. A whole-tenant snapshot is mostly the group fan-out (one $batch per 20 groups'
    /// members and owners), and a $batch answers only when its slowest item does, so its time is roughly batches ×
    /// batch latency ÷ this figure: at 6, 100,000 users took 106 s against 50 ms of latency per item, at 16 about 46 s
    /// (docs/performance.md). Graph throttles by resource units per app and tenant, not by connections; throttled
    /// items are retried after Retry-After, so a busy tenant slows the collection down rather than failing it.
    /// </summary>
    public int MaxConcurrency { get; init; } = 16;

    /// <summary>Requests per $batch, at most 20.</summary>
    public int BatchSize { get; init; } = MaximumBatchSize;

    /// <summary>Attempts per item of a $batch before the item (and so the collection) fails.</summary>
    public int MaxItemAttempts { get; init; } = 8;

    /// <summary>First backoff step when an item is throttled without Retry-After; doubled per attempt, with full jitter.</summary>
    public TimeSpan BackoffBase { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between attempts, whatever Retry-After or the backoff says.</summary>
    public TimeSpan BackoffCap { get; init; } = TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        if (MaxConcurrency < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxConcurrency), MaxConcurrency, "MaxConcurrency must be at least 1.");
        }

        if (BatchSize is < 1 or > MaximumBatchSize)
        {
            throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize, $"A $batch holds 1 to {MaximumBatchSize} requests.");
        }

        if (MaxItemAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxItemAttempts), MaxItemAttempts, "MaxItemAttempts must be at least 1.");
        }
    }
}

/// <summary>
/// A request that failed inside a $batch after its retries, with what Graph said about it. It travels as the
/// InnerException of the <see cref="IsmsException"/> the reader throws, for callers that decide on the status.
/// </summary>
public sealed class GraphBatchItemException : Exception
{
    public GraphBatchItemException(string method, string url, int status, string? code, string? graphMessage, string? requestId)
        : base($"{method} {url} failed with {status} {code}: {graphMessage}")
    {
        Method = method;
        Url = url;
        Status = status;
        Code = code;
        GraphMessage = graphMessage;
        RequestId = requestId;
    }

    public string Method { get; }

    public string Url { get; }

    public int Status { get; }

    public string? Code { get; }

    public string? GraphMessage { get; }

    public string? RequestId { get; }
}

/// <summary>
/// Reads Graph collections at scale through the SDK's request adapter (so the connection's authentication, retry
/// handler and throttle-priority header apply): pages that follow <c>@odata.nextLink</c> verbatim, and fan-out of many
/// small collection reads through JSON <c>$batch</c> with a retry of each throttled item, which the SDK does not do
/// (msgraph-sdk-dotnet #1759).
/// </summary>
/// <remarks>
/// Responses are parsed as raw JSON rather than into the SDK's models: a snapshot needs a dozen properties of 100,000
/// users, and the models' backing stores cost several times the memory and time for nothing.
/// </remarks>
public sealed class GraphReader
{
    private static readonly Dictionary<string, ParsableFactory<IParsable>> ErrorMapping = new()
    {
        ["XXX"] = ODataError.CreateFromDiscriminatorValue,
    };

    private readonly IRequestAdapter _adapter;
    private readonly GraphReaderOptions _options;
    private readonly SemaphoreSlim _slots;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;
    private long _requests;
    private long _itemRetries;

    /// <summary>A reader over <paramref name="connection"/>'s client: its token, retry handler and throttle priority.</summary>
    public GraphReader(GraphConnection connection, GraphReaderOptions? options = null)
        : this(connection.Client.RequestAdapter, options)
    {
    }

    internal GraphReader(IRequestAdapter adapter, GraphReaderOptions? options = null, Func<TimeSpan, CancellationToken, Task>? delay = null)
    {
        ArgumentNullException.ThrowIfNull(adapter);
        _adapter = adapter;
        _options = options ?? new GraphReaderOptions();
        _options.Validate();
        _slots = new SemaphoreSlim(_options.MaxConcurrency);
        _delay = delay ?? Task.Delay;
        BaseUrl = (adapter.BaseUrl ?? throw new ArgumentException("The request adapter has no base URL.", nameof(adapter))).TrimEnd('/');
    }

    /// <summary>The Graph base URL, e.g. https://graph.microsoft.com/v1.0, without a trailing slash.</summary>
    public string BaseUrl { get; }

    /// <summary>HTTP requests this reader sent (a $batch counts once; retries inside the handler pipeline are not seen).</summary>
    public long RequestCount => Interlocked.Read(ref _requests);

    /// <summary>Items of a $batch that were sent again after 429 or 5xx.</summary>
    public long ItemRetryCount => Interlocked.Read(ref _itemRetries);

    /// <summary>GETs one resource (not a collection) and hands its JSON to <paramref name="read"/>.</summary>
    public async Task<T> GetAsync<T>(GraphOperation operation, string url, Func<JsonElement, T> read, CancellationToken cancellationToken)
    {
        using JsonDocument document = await SendAsync(operation, Method.GET, url, body: null, consistencyLevel: false, cancellationToken).ConfigureAwait(false);
        return read(document.RootElement);
    }

    /// <summary>
    /// Reads every page of a collection, calling <paramref name="onItem"/> for each element of <c>value</c> in order.
    /// <c>@odata.nextLink</c> is followed exactly as Graph wrote it, and ConsistencyLevel is sent on every page when
    /// asked, because Graph forgets it between pages.
    /// </summary>
    public async Task ListAsync(GraphOperation operation, string url, Action<JsonElement> onItem, CancellationToken cancellationToken, bool consistencyLevel = false)
    {
        string? next = url;
        while (next is not null)
        {
            using JsonDocument page = await SendAsync(operation, Method.GET, next, body: null, consistencyLevel, cancellationToken).ConfigureAwait(false);
            if (page.RootElement.TryGetProperty("value", out JsonElement values) && values.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement item in values.EnumerateArray())
                {
                    onItem(item);
                }
            }

            next = NextLink(page.RootElement);
        }
    }

    /// <summary>Reads every page of a collection into a list, mapping each element with <paramref name="read"/>.</summary>
    internal async Task<List<T>> ListAllAsync<T>(GraphOperation operation, string url, Func<JsonElement, T> read, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        await ListAsync(operation, url, item => items.Add(read(item)), cancellationToken).ConfigureAwait(false);
        return items;
    }

    /// <summary>
    /// <see cref="FanOutAsync"/> into one list, mapping each element with <paramref name="read"/>, for callers that do
    /// not care which request an element came from nor which resources vanished.
    /// </summary>
    internal async Task<List<T>> FanOutAllAsync<T>(GraphOperation operation, IEnumerable<(string Key, string Url)> requests, Func<JsonElement, T> read, CancellationToken cancellationToken)
    {
        var items = new List<T>();
        await FanOutAsync(operation, requests, (_, item) => items.Add(read(item)), cancellationToken).ConfigureAwait(false);
        return items;
    }

    /// <summary>
    /// Reads many collections (every page of each) through JSON $batch, at most <see cref="GraphReaderOptions.BatchSize"/>
    /// requests per batch and <see cref="GraphReaderOptions.MaxConcurrency"/> batches in flight. Items answered 429 or
    /// 5xx are sent again after Retry-After, or after exponential backoff with full jitter when Graph gives none.
    /// <paramref name="onItem"/> is called for each element (or once with the entity, for a request that reads one
    /// object), never concurrently.
    /// </summary>
    /// <returns>The keys whose resource no longer exists (404), for the caller to drop.</returns>
    public Task<IReadOnlyCollection<TKey>> FanOutAsync<TKey>(
        GraphOperation operation,
        IEnumerable<(TKey Key, string Url)> requests,
        Action<TKey, JsonElement> onItem,
        CancellationToken cancellationToken)
        where TKey : notnull =>
        ReadInBatchesAsync(requests.Select(r => (r.Key, operation, r.Url)), onItem, onFailure: null, cancellationToken);

    /// <summary>
    /// <see cref="FanOutAsync"/> for GETs of different kinds in the same batches: each request names its own operation
    /// (so a refusal names the permission that request needs), and <paramref name="onFailure"/>, when given, sees each
    /// request that failed for good (after its retries; not a 404, which is returned as vanished) and returns true when
    /// it accounts for it (an optional area recorded as an evidence gap), false to fail the whole read with it. It is
    /// called under the same lock as <paramref name="onItem"/>.
    /// </summary>
    /// <returns>The keys whose resource no longer exists (404), for the caller to drop.</returns>
    public async Task<IReadOnlyCollection<TKey>> ReadInBatchesAsync<TKey>(
        IEnumerable<(TKey Key, GraphOperation Operation, string Url)> requests,
        Action<TKey, JsonElement> onItem,
        Func<TKey, IsmsException, bool>? onFailure,
        CancellationToken cancellationToken)
        where TKey : notnull
    {
        var pending = new Queue<PendingItem<TKey>>(requests.Select(r => new PendingItem<TKey>(r.Key, r.Operation, RelativeUrl(r.Url), 1, DateTimeOffset.MinValue)));
        var vanished = new List<TKey>();
        var gate = new object();
        var inFlight = new List<Task<BatchOutcome<TKey>>>();

        while (pending.Count > 0 || inFlight.Count > 0)
        {
            // Fill the free slots with batches of items whose retry time has come.
            while (pending.Count > 0 && inFlight.Count < _options.MaxConcurrency)
            {
                DateTimeOffset now = DateTimeOffset.UtcNow;
                var batch = new List<PendingItem<TKey>>(_options.BatchSize);
                int scan = pending.Count;
                while (scan-- > 0 && batch.Count < _options.BatchSize)
                {
                    PendingItem<TKey> item = pending.Dequeue();
                    if (item.NotBefore <= now)
                    {
                        batch.Add(item);
                    }
                    else
                    {
                        pending.Enqueue(item);
                    }
                }

                if (batch.Count == 0)
                {
                    break;
                }

                inFlight.Add(SendBatchAsync(batch, onItem, onFailure, gate, cancellationToken));
            }

            if (inFlight.Count == 0)
            {
                // Everything left is waiting out a Retry-After.
                TimeSpan wait = pending.Min(p => p.NotBefore) - DateTimeOffset.UtcNow;
                await _delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
                continue;
            }

            Task<BatchOutcome<TKey>> done = await Task.WhenAny(inFlight).ConfigureAwait(false);
            inFlight.Remove(done);
            BatchOutcome<TKey> outcome = await done.ConfigureAwait(false);
            foreach (PendingItem<TKey> follow in outcome.Requeue)
            {
                pending.Enqueue(follow);
            }

            vanished.AddRange(outcome.Vanished);
        }

        return vanished;
    }

    private async Task<BatchOutcome<TKey>> SendBatchAsync<TKey>(
        List<PendingItem<TKey>> batch, Action<TKey, JsonElement> onItem, Func<TKey, IsmsException, bool>? onFailure, object gate, CancellationToken cancellationToken)
        where TKey : notnull
    {
        byte[] body = BatchBody(batch);
        // A failure of the whole $batch is named after its first item's operation.
        using JsonDocument response = await SendAsync(batch[0].Operation, Method.POST, "/$batch", body, consistencyLevel: false, cancellationToken).ConfigureAwait(false);

        var requeue = new List<PendingItem<TKey>>();
        var vanished = new List<TKey>();
        var answered = new HashSet<int>();
        if (response.RootElement.TryGetProperty("responses", out JsonElement responses) && responses.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement answer in responses.EnumerateArray())
            {
                if (!int.TryParse(GraphJson.String(answer, "id"), NumberStyles.None, CultureInfo.InvariantCulture, out int index)
                    || index < 0 || index >= batch.Count || !answered.Add(index))
                {
                    continue;
                }

                PendingItem<TKey> item = batch[index];
                int status = answer.TryGetProperty("status", out JsonElement s) && s.TryGetInt32(out int code) ? code : 0;
                answer.TryGetProperty("body", out JsonElement itemBody);
                if (status is >= 200 and < 300)
                {
                    lock (gate)
                    {
                        if (itemBody.ValueKind == JsonValueKind.Object && itemBody.TryGetProperty("value", out JsonElement values) && values.ValueKind == JsonValueKind.Array)
                        {
                            foreach (JsonElement value in values.EnumerateArray())
                            {
                                onItem(item.Key, value);
                            }
                        }
                        else if (itemBody.ValueKind == JsonValueKind.Object)
                        {
                            // A single entity (GET /servicePrincipals/{id}) rather than a collection page.
                            onItem(item.Key, itemBody);
                        }
                    }

                    string? next = itemBody.ValueKind == JsonValueKind.Object ? NextLink(itemBody) : null;
                    if (next is not null)
                    {
                        requeue.Add(item with { Url = RelativeUrl(next), Attempt = 1, NotBefore = DateTimeOffset.MinValue });
                    }
                }
                else if (status == 404)
                {
                    vanished.Add(item.Key);
                }
                else if (GraphRetryRules.IsTransientBatchItem(status) && item.Attempt < _options.MaxItemAttempts)
                {
                    Interlocked.Increment(ref _itemRetries);
                    TimeSpan wait = GraphRetryRules.BatchItemDelay(answer, item.Attempt, _options);
                    requeue.Add(item with { Attempt = item.Attempt + 1, NotBefore = DateTimeOffset.UtcNow + wait });
                }
                else
                {
                    Fail(item, ItemFailure(item.Operation, item.Url, status, answer, itemBody));
                }
            }
        }

        // Graph answers every item; one it left out is retried rather than silently lost.
        for (int index = 0; index < batch.Count; index++)
        {
            if (!answered.Contains(index))
            {
                PendingItem<TKey> item = batch[index];
                if (item.Attempt >= _options.MaxItemAttempts)
                {
                    var missing = new GraphBatchItemException("GET", item.Url, 0, "MissingBatchResponse", "Graph did not answer this request in its $batch.", null);
                    Fail(item, GraphErrors.FromStatus(502, missing.Code, missing.GraphMessage, null, null, "GET " + item.Url, item.Operation, missing));
                    continue;
                }

                requeue.Add(item with { Attempt = item.Attempt + 1 });
            }
        }

        return new BatchOutcome<TKey>(requeue, vanished);

        void Fail(PendingItem<TKey> item, IsmsException error)
        {
            lock (gate)
            {
                if (onFailure is null || !onFailure(item.Key, error))
                {
                    throw error;
                }
            }
        }
    }

    private async Task<JsonDocument> SendAsync(GraphOperation operation, Method method, string url, byte[]? body, bool consistencyLevel, CancellationToken cancellationToken)
    {
        var request = new RequestInformation { HttpMethod = method, URI = new Uri(AbsoluteUrl(url)) };
        request.Headers.Add("Accept", "application/json");
        if (consistencyLevel)
        {
            request.Headers.Add("ConsistencyLevel", "eventual");
        }

        if (body is not null)
        {
            // Only batches of GETs go through here, so a lost connection may be retried like a GET.
            request.SetStreamContent(new MemoryStream(body, writable: false), "application/json");
            request.AddRequestOptions([ReplaySafeOption.Instance]);
        }

        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Interlocked.Increment(ref _requests);
            Stream? stream = await _adapter.SendPrimitiveAsync<Stream>(request, ErrorMapping, cancellationToken).ConfigureAwait(false);
            if (stream is null)
            {
                return JsonDocument.Parse("{}");
            }

            await using (stream.ConfigureAwait(false))
            {
                return await JsonDocument.ParseAsync(stream, default, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The SDK's exception stays inside as InnerException, where optional areas look for Graph's status and code.
            throw GraphErrors.Translate(error, operation);
        }
        finally
        {
            _slots.Release();
        }
    }

    private static IsmsException ItemFailure(GraphOperation operation, string url, int status, JsonElement answer, JsonElement body)
    {
        (string? code, string? message, string? requestId, _) = GraphErrors.ReadErrorBody(body);
        if (requestId is null && answer.TryGetProperty("headers", out JsonElement headers) && headers.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty header in headers.EnumerateObject())
            {
                if (string.Equals(header.Name, "request-id", StringComparison.OrdinalIgnoreCase))
                {
                    requestId = header.Value.ToString();
                }
            }
        }

        var item = new GraphBatchItemException("GET", url, status, code, message, requestId);
        return GraphErrors.FromStatus(status, code, message, requestId, null, "GET " + url + " (in $batch)", operation, item);
    }

    private static byte[] BatchBody<TKey>(List<PendingItem<TKey>> batch)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("requests");
            for (int index = 0; index < batch.Count; index++)
            {
                writer.WriteStartObject();
                writer.WriteString("id", index.ToString(CultureInfo.InvariantCulture));
                writer.WriteString("method", "GET");
                writer.WriteString("url", batch[index].Url);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static string? NextLink(JsonElement page) =>
        page.TryGetProperty("@odata.nextLink", out JsonElement next) && next.ValueKind == JsonValueKind.String ? next.GetString() : null;

    private string AbsoluteUrl(string url) => IsAbsoluteHttp(url) ? url : BaseUrl + (url.StartsWith('/') ? url : "/" + url);

    // Not Uri.TryCreate: on Unix it reads "/groups/x" as an absolute file path.
    private static bool IsAbsoluteHttp(string url) =>
        url.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || url.StartsWith("https://", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A $batch item's URL is relative to the version root. A nextLink is absolute; strip exactly the base URL and keep
    /// the rest (path, $skiptoken and all) as Graph wrote it.
    /// </summary>
    internal string RelativeUrl(string url)
    {
        if (url.StartsWith(BaseUrl, StringComparison.OrdinalIgnoreCase))
        {
            return url[BaseUrl.Length..];
        }

        if (IsAbsoluteHttp(url) && Uri.TryCreate(url, UriKind.Absolute, out Uri? absolute))
        {
            // Graph may answer with a different host spelling (graph.microsoft.com vs the base); the version segment
            // is the anchor.
            string path = absolute.PathAndQuery;
            int version = path.IndexOf('/', 1);
            return version > 0 ? path[version..] : path;
        }

        return url.StartsWith('/') ? url : "/" + url;
    }

    private sealed record PendingItem<TKey>(TKey Key, GraphOperation Operation, string Url, int Attempt, DateTimeOffset NotBefore);

    private sealed record BatchOutcome<TKey>(IReadOnlyList<PendingItem<TKey>> Requeue, IReadOnlyList<TKey> Vanished);
}
