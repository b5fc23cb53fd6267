using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace IsmsOps.Sandbox.Http;

/// <summary>
/// What happens to every request before the router sees it, in Graph's order: authentication, then throttling and
/// other faults, then $batch fan-out (each item faulted on its own, as Graph throttles items independently).
/// </summary>
internal sealed class SandboxPipeline
{
    private const int MaximumBatchSize = 20;

    private readonly byte[] _expectedAuthorization;
    private readonly FaultInjector _faults;
    private readonly GraphRouter _router;

    public SandboxPipeline(string accessToken, FaultInjector faults, GraphRouter router)
    {
        _expectedAuthorization = Encoding.UTF8.GetBytes("Bearer " + accessToken);
        _faults = faults;
        _router = router;
    }

    public async Task<GraphResponse> HandleAsync(GraphRequest request, CancellationToken cancellationToken)
    {
        string? authorization = request.Header("Authorization");
        if (string.IsNullOrEmpty(authorization))
        {
            return GraphResponse.Error(request, 401, "InvalidAuthenticationToken", "Access token is empty.");
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization), _expectedAuthorization))
        {
            return GraphResponse.Error(request, 401, "InvalidAuthenticationToken", "Access token validation failure.");
        }

        if (await InjectFaultAsync(request, cancellationToken).ConfigureAwait(false) is { } fault)
        {
            return fault;
        }

        return request.Segments is ["$batch"]
            ? await BatchAsync(request, cancellationToken).ConfigureAwait(false)
            : _router.Handle(request);
    }

    private async Task<GraphResponse?> InjectFaultAsync(GraphRequest request, CancellationToken cancellationToken)
    {
        await _faults.DelayAsync(cancellationToken).ConfigureAwait(false);
        return _faults.Next() is { } fault ? await _faults.RespondAsync(fault, request, cancellationToken).ConfigureAwait(false) : null;
    }

    /// <summary>
    /// A $batch item can be throttled, unavailable or slow on its own, but a dropped connection or a request that never
    /// answers belongs to the HTTP request that carries the batch (decided once, above), not to one item of it. An
    /// item that draws one is answered normally.
    /// </summary>
    private SandboxFault? NextItemFault() =>
        _faults.Next() is { } fault and not (SandboxFault.ConnectionReset or SandboxFault.Timeout) ? fault : null;

    private async Task<GraphResponse> BatchAsync(GraphRequest batch, CancellationToken cancellationToken)
    {
        if (!string.Equals(batch.Method, "POST", StringComparison.OrdinalIgnoreCase))
        {
            return GraphResponse.MethodNotAllowed(batch);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(batch.Body);
        }
        catch (JsonException)
        {
            return GraphResponse.Error(batch, 400, "BadRequest", "Invalid batch payload format.");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("requests", out JsonElement requests)
                || requests.ValueKind != JsonValueKind.Array)
            {
                return GraphResponse.Error(batch, 400, "BadRequest", "Invalid batch payload format.");
            }

            if (requests.GetArrayLength() > MaximumBatchSize)
            {
                return GraphResponse.Error(batch, 400, "BadRequest",
                    $"Batch request contains {requests.GetArrayLength()} requests; at most {MaximumBatchSize} are allowed.");
            }

            var parsed = new List<(string Id, GraphRequest Request, IReadOnlyList<string> DependsOn)>();
            foreach (JsonElement item in requests.EnumerateArray())
            {
                if (ReadBatchItem(batch, item) is not { } one)
                {
                    return GraphResponse.Error(batch, 400, "BadRequest", "Each batch request needs a string id, a method and a url.");
                }

                if (parsed.Any(p => p.Id == one.Id))
                {
                    return GraphResponse.Error(batch, 400, "BadRequest", $"Batch request ids must be unique; '{one.Id}' is used twice.");
                }

                // Items run in order here, so a dependency must come earlier; Graph refuses one that names no item.
                if (one.DependsOn.FirstOrDefault(d => parsed.All(p => p.Id != d)) is { } unknown)
                {
                    return GraphResponse.Error(batch, 400, "BadRequest",
                        $"Request '{one.Id}' depends on '{unknown}', which is not an earlier request of this batch.");
                }

                parsed.Add(one);
            }

            // Graph runs a batch fully in sequence or fully side by side: once any item names a dependency, every item
            // after the first must name one, and a mix is refused whole.
            if (parsed.Any(p => p.DependsOn.Count > 0) && parsed.Skip(1).Any(p => p.DependsOn.Count == 0))
            {
                return GraphResponse.Error(batch, 400, "BadRequest", "Batch should be either fully sequential or fully parallel.");
            }

            var answered = new Dictionary<string, (GraphResponse Response, TimeSpan ReadyAt)>(StringComparer.Ordinal);
            var items = new List<(string Id, GraphResponse Response)>();
            TimeSpan batchTakes = TimeSpan.Zero;
            foreach (var (id, request, dependsOn) in parsed)
            {
                // A request whose dependency failed is not run: Graph answers it 424.
                TimeSpan readyAt = dependsOn.Select(d => answered[d].ReadyAt).DefaultIfEmpty(TimeSpan.Zero).Max();
                GraphResponse response;
                if (dependsOn.Any(d => answered[d].Response.Status is < 200 or >= 300))
                {
                    response = GraphResponse.Error(request, 424, "FailedDependency", "The request this one depends on failed.");
                }
                else
                {
                    // Every item pays the round trip (SandboxOptions.Latency): side by side, or one after another.
                    if (_faults.ParallelBatchItems)
                    {
                        readyAt += _faults.BaseLatency;
                    }
                    else
                    {
                        await _faults.DelayAsync(cancellationToken).ConfigureAwait(false);
                    }

                    SandboxFault? fault = NextItemFault();
                    GraphResponse? faulted = null;
                    if (fault == SandboxFault.Latency && _faults.ParallelBatchItems)
                    {
                        readyAt += _faults.Latency;
                    }
                    else if (fault is { } drawn)
                    {
                        faulted = await _faults.RespondAsync(drawn, request, cancellationToken).ConfigureAwait(false);
                    }

                    response = faulted ?? (request.Segments is ["$batch"]
                        ? GraphResponse.Error(request, 400, "BadRequest", "A batch cannot contain another batch.")
                        : _router.Handle(request));
                }

                answered[id] = (response, readyAt);
                batchTakes = batchTakes > readyAt ? batchTakes : readyAt;
                items.Add((id, response));
            }

            // Side by side, the batch answers when its slowest dependency chain is done.
            if (batchTakes > TimeSpan.Zero)
            {
                await Task.Delay(batchTakes, cancellationToken).ConfigureAwait(false);
            }

            return GraphResponse.Json(200, writer => WriteBatchResponse(writer, items));
        }
    }

    private static (string Id, GraphRequest Request, IReadOnlyList<string> DependsOn)? ReadBatchItem(GraphRequest batch, JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object
            || !item.TryGetProperty("id", out JsonElement id) || id.ValueKind != JsonValueKind.String
            || !item.TryGetProperty("method", out JsonElement method) || method.ValueKind != JsonValueKind.String
            || !item.TryGetProperty("url", out JsonElement url) || url.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (item.TryGetProperty("headers", out JsonElement itemHeaders) && itemHeaders.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty header in itemHeaders.EnumerateObject())
            {
                headers[header.Name] = header.Value.ToString();
            }
        }

        var dependsOn = new List<string>();
        if (item.TryGetProperty("dependsOn", out JsonElement dependencies))
        {
            if (dependencies.ValueKind != JsonValueKind.Array || dependencies.EnumerateArray().Any(d => d.ValueKind != JsonValueKind.String))
            {
                return null;
            }

            dependsOn.AddRange(dependencies.EnumerateArray().Select(d => d.GetString()!));
        }

        var (segments, query) = GraphRequest.ParseTarget(url.GetString()!);
        byte[] body = item.TryGetProperty("body", out JsonElement itemBody) ? Encoding.UTF8.GetBytes(itemBody.GetRawText()) : [];
        return (id.GetString()!, new GraphRequest
        {
            Method = method.GetString()!,
            Segments = segments,
            Query = query,
            Headers = headers,
            Body = body,
            RequestId = Guid.NewGuid().ToString(),
            ClientRequestId = batch.ClientRequestId,
            BaseUrl = batch.BaseUrl,
        }, dependsOn);
    }

    private static void WriteBatchResponse(Utf8JsonWriter writer, List<(string Id, GraphResponse Response)> items)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("responses");
        foreach (var (id, response) in items)
        {
            writer.WriteStartObject();
            writer.WriteString("id", id);
            writer.WriteNumber("status", response.Status);
            writer.WriteStartObject("headers");
            foreach (var (name, value) in response.Headers)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
            if (response.Body.Length > 0)
            {
                writer.WritePropertyName("body");
                writer.WriteRawValue(response.Body, skipInputValidation: true);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
