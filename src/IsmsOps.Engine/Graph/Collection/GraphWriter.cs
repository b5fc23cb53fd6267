using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IsmsOps.Engine.Graph.Collection;

/// <summary>One change to send to Graph: a method, a URL relative to the version root, and an optional JSON body.</summary>
internal sealed record GraphWrite(GraphOperation Operation, HttpMethod Method, string Url, JsonObject? Body = null)
{
    /// <summary>The request line as error messages show it ("DELETE /groups/…/members/…/$ref").</summary>
    public string Line => $"{Method.Method} {Url}";
}

/// <summary>
/// What Graph answered to one <see cref="GraphWrite"/>, after retries: its status, error code and message (for a
/// failure), the request-id, and how many times it was sent. Status 0 means no answer at all (<see cref="Error"/>).
/// </summary>
internal sealed record GraphWriteResult(int Status, string? Code, string? Message, string? RequestId, string? Body, int Attempts, IsmsException? Error = null)
{
    public bool Succeeded => Status is >= 200 and < 300;

    /// <summary>The failure as the rest of IsmsOps words it: the operation and, on a 403, the permission it needs.</summary>
    public IsmsException ToException(GraphWrite write) =>
        Error ?? GraphErrors.FromStatus(Status, Code, Message, RequestId, null, write.Line, write.Operation, null);
}

/// <summary>
/// Sends changes to Graph, one by one or many at once through JSON <c>$batch</c>, and returns each answer rather than
/// throwing, because an offboarding decides per step what a 400 or 404 means. Throttled and failed $batch items are
/// sent again with the same rules as <see cref="GraphReader"/> (<see cref="GraphRetryRules.BatchItemDelay"/>,
/// <see cref="GraphReaderOptions"/>), which the SDK does not do for $batch items (msgraph-sdk-dotnet #1759).
/// </summary>
/// <remarks>
/// Only writes whose repetition is harmless come here: a removal sent twice is answered "not found" or "does not
/// exist", which the caller reads as done. So a $batch of them, or a POST whose connection dropped, may be sent again
/// like a GET (<see cref="ReplaySafeOption"/>), which the connection's retry handler would otherwise refuse.
/// </remarks>
internal sealed class GraphWriter
{
    private readonly GraphConnection _connection;
    private readonly GraphReaderOptions _options;
    private readonly Func<TimeSpan, CancellationToken, Task> _delay;

    // As GraphReader: at most MaxConcurrency requests in flight, however many callers share this writer, so a caller
    // waiting out a Retry-After holds no slot.
    private readonly SemaphoreSlim _slots;
    private long _requests;

    public GraphWriter(GraphConnection connection, GraphReaderOptions? options = null, Func<TimeSpan, CancellationToken, Task>? delay = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _connection = connection;
        _options = options ?? new GraphReaderOptions();
        _options.Validate();
        _delay = delay ?? Task.Delay;
        _slots = new SemaphoreSlim(_options.MaxConcurrency);
    }

    /// <summary>HTTP requests sent (a $batch counts once; retries inside the handler pipeline are not seen).</summary>
    public long RequestCount => Interlocked.Read(ref _requests);

    /// <summary>
    /// Sends one change; the answer is returned, not thrown. Retrying a throttled, failed or dropped request is the
    /// connection's retry handler's work (Retry-After, backoff, attempts), which the request is marked safe to repeat
    /// for; retrying here as well would multiply the attempts.
    /// </summary>
    public Task<GraphWriteResult> SendAsync(GraphWrite write, CancellationToken cancellationToken) => SendOnceAsync(write, 1, cancellationToken);

    /// <summary>
    /// Sends many changes through $batch, <see cref="GraphReaderOptions.BatchSize"/> at a time, one batch after another
    /// (a leaver's removals are a few hundred at most). Items answered 429 or 5xx, or left unanswered, go out again in
    /// a later batch after their Retry-After or backoff. The answers come back in the order of <paramref name="writes"/>.
    /// </summary>
    /// <param name="writes">The changes (and reads: a GET is harmless to repeat as well).</param>
    /// <param name="dependsOn">
    /// Null for independent writes, or a chain: null for the first write and, for each later one, the index of the write
    /// before it. Graph runs such a write only after that one succeeded (they travel in the same $batch with
    /// <c>dependsOn</c>, or the dependent waits for a later one); when it failed for good, the dependent is not sent and
    /// its answer is 424 FailedDependency. Graph refuses a batch that mixes a chain with independent items ("fully
    /// sequential or fully parallel"), so anything else is refused here before it is sent.
    /// </param>
    /// <param name="cancellationToken">Stops between batches and during a wait.</param>
    public async Task<GraphWriteResult[]> SendBatchAsync(IReadOnlyList<GraphWrite> writes, CancellationToken cancellationToken, IReadOnlyList<int?>? dependsOn = null)
    {
        if (dependsOn is not null && (dependsOn.Count != writes.Count || dependsOn.Select((d, i) => i == 0 ? d is not null : d != i - 1).Any(bad => bad)))
        {
            throw new ArgumentException("The writes must form a chain: none for the first, and the one before it for each later write.", nameof(dependsOn));
        }

        int? DependencyOf(int i) => dependsOn?[i];
        var results = new GraphWriteResult?[writes.Count];
        var attempts = new int[writes.Count];
        var notBefore = new DateTimeOffset[writes.Count];
        var pending = Enumerable.Range(0, writes.Count).ToList();
        while (pending.Count > 0)
        {
            // A write whose dependency failed for good is not sent at all.
            foreach (int i in pending.ToList())
            {
                if (DependencyOf(i) is int d && results[d] is { Succeeded: false } failed)
                {
                    results[i] = new GraphWriteResult(424, "FailedDependency", $"Not sent: the request it depends on ({writes[d].Line}) failed with {failed.Status}.",
                        null, null, attempts[i]);
                    pending.Remove(i);
                }
            }

            if (pending.Count == 0)
            {
                break;
            }

            DateTimeOffset now = DateTimeOffset.UtcNow;
            var batch = new List<int>(_options.BatchSize);
            foreach (int i in pending)
            {
                if (batch.Count == _options.BatchSize)
                {
                    break;
                }

                bool ready = DependencyOf(i) is not int d || results[d] is { Succeeded: true } || batch.Contains(d);
                if (ready && notBefore[i] <= now)
                {
                    batch.Add(i);
                }
            }

            if (batch.Count == 0)
            {
                TimeSpan wait = pending.Min(i => notBefore[i]) - now;
                await _delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
                continue;
            }

            foreach (int i in batch)
            {
                attempts[i]++;
            }

            Dictionary<int, (int Status, JsonElement Answer, string? Body)> answers;
            string? batchRequestId;
            try
            {
                var positions = batch.Select(i => DependencyOf(i) is int d && batch.IndexOf(d) is int p && p >= 0 ? p : (int?)null).ToList();
                (answers, batchRequestId) = await SendBatchOnceAsync(batch.Select(i => writes[i]).ToList(), positions, cancellationToken).ConfigureAwait(false);
            }
            catch (IsmsException error)
            {
                // The whole $batch went unanswered or failed after the handler's own retries: every item in it is
                // still to do, and sending it again is harmless.
                foreach (int i in batch)
                {
                    if (attempts[i] >= _options.MaxItemAttempts)
                    {
                        results[i] = new GraphWriteResult(0, null, error.Message, null, null, attempts[i], error);
                        pending.Remove(i);
                    }
                    else
                    {
                        notBefore[i] = DateTimeOffset.UtcNow + GraphRetryRules.Backoff(attempts[i], _options.BackoffBase, _options.BackoffCap, Random.Shared.NextDouble());
                    }
                }

                continue;
            }

            for (int position = 0; position < batch.Count; position++)
            {
                int i = batch[position];
                if (!answers.TryGetValue(position, out var answer))
                {
                    // Graph answers every item; one it left out is sent again rather than silently lost.
                    if (attempts[i] >= _options.MaxItemAttempts)
                    {
                        results[i] = new GraphWriteResult(502, "MissingBatchResponse", "Graph did not answer this request in its $batch.", batchRequestId, null, attempts[i]);
                        pending.Remove(i);
                    }

                    continue;
                }

                // 424 because the dependency in this batch is to be sent again: the dependent goes again with it.
                if (answer.Status == 424 && DependencyOf(i) is int dependency && results[dependency] is null)
                {
                    notBefore[i] = notBefore[dependency];
                    continue;
                }

                if (GraphRetryRules.IsTransientBatchItem(answer.Status) && attempts[i] < _options.MaxItemAttempts)
                {
                    notBefore[i] = DateTimeOffset.UtcNow + GraphRetryRules.BatchItemDelay(answer.Answer, attempts[i], _options);
                    continue;
                }

                (string? code, string? message, string? requestId, _) = answer.Answer.TryGetProperty("body", out JsonElement body)
                    ? GraphErrors.ReadErrorBody(body)
                    : default;
                results[i] = new GraphWriteResult(answer.Status, code, message, requestId ?? batchRequestId, answer.Body, attempts[i]);
                pending.Remove(i);
            }
        }

        return results.Select(r => r!).ToArray();
    }

    private async Task<GraphWriteResult> SendOnceAsync(GraphWrite write, int attempt, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(write.Method, write.Url.TrimStart('/'));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (write.Body is not null)
        {
            request.Content = new StringContent(write.Body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        ReplaySafeOption.SetOn(request);
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        HttpResponseMessage? response = null;
        string body;
        try
        {
            Interlocked.Increment(ref _requests);
            response = await _connection.Http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            response?.Dispose();
            IsmsException error = GraphErrors.Translate(e, write.Operation);
            return new GraphWriteResult(0, null, error.Message, null, null, attempt, error);
        }
        finally
        {
            _slots.Release();
        }

        using (response)
        {
            string? requestId = response.Headers.TryGetValues("request-id", out var ids) ? ids.FirstOrDefault() : null;
            string? code = null, message = null;
            if (!response.IsSuccessStatusCode && body.Length > 0)
            {
                try
                {
                    using JsonDocument document = JsonDocument.Parse(body);
                    (code, message, string? bodyRequestId, _) = GraphErrors.ReadErrorBody(document.RootElement);
                    requestId ??= bodyRequestId;
                }
                catch (JsonException)
                {
                    message = response.ReasonPhrase;
                }
            }

            return new GraphWriteResult((int)response.StatusCode, code, message ?? (response.IsSuccessStatusCode ? null : response.ReasonPhrase), requestId,
                body.Length == 0 ? null : body, attempt);
        }
    }

    private async Task<(Dictionary<int, (int, JsonElement, string?)> Answers, string? RequestId)> SendBatchOnceAsync(List<GraphWrite> batch, List<int?> dependsOn,
        CancellationToken cancellationToken)
    {
        var requests = new JsonArray();
        for (int position = 0; position < batch.Count; position++)
        {
            GraphWrite write = batch[position];
            var item = new JsonObject
            {
                ["id"] = position.ToString(CultureInfo.InvariantCulture),
                ["method"] = write.Method.Method,
                ["url"] = write.Url.StartsWith('/') ? write.Url : "/" + write.Url,
            };
            if (dependsOn[position] is int dependency)
            {
                item["dependsOn"] = new JsonArray(dependency.ToString(CultureInfo.InvariantCulture));
            }

            if (write.Body is not null)
            {
                item["headers"] = new JsonObject { ["Content-Type"] = "application/json" };
                item["body"] = write.Body.DeepClone();
            }

            requests.Add(item);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "$batch")
        {
            Content = new StringContent(new JsonObject { ["requests"] = requests }.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        ReplaySafeOption.SetOn(request);
        // A batch may mix operations; a failure of the whole $batch is named after its first, and each item's own
        // failure after its own operation (GraphWriteResult.ToException).
        GraphOperation operation = batch[0].Operation;
        string? requestId;
        byte[] bytes;
        await _slots.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            Interlocked.Increment(ref _requests);
            using HttpResponseMessage response = await _connection.SendAsync(operation, request, cancellationToken).ConfigureAwait(false);
            requestId = response.Headers.TryGetValues("request-id", out var ids) ? ids.FirstOrDefault() : null;
            bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _slots.Release();
        }

        using JsonDocument document = JsonDocument.Parse(bytes);
        var answers = new Dictionary<int, (int, JsonElement, string?)>();
        if (document.RootElement.TryGetProperty("responses", out JsonElement responses) && responses.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement answer in responses.EnumerateArray())
            {
                if (int.TryParse(GraphJson.String(answer, "id"), NumberStyles.None, CultureInfo.InvariantCulture, out int position)
                    && position >= 0 && position < batch.Count && !answers.ContainsKey(position))
                {
                    int status = answer.TryGetProperty("status", out JsonElement s) && s.TryGetInt32(out int code) ? code : 0;
                    string? body = answer.TryGetProperty("body", out JsonElement b) && b.ValueKind == JsonValueKind.Object ? b.GetRawText() : null;
                    answers[position] = (status, answer.Clone(), body);
                }
            }
        }

        return (answers, requestId);
    }
}
