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
    private async Task<GraphResponse?> InjectItemFaultAsync(GraphRequest request, CancellationToken cancellationToken)
    {
        await _faults.DelayAsync(cancellationToken).ConfigureAwait(false);
        return _faults.Next() is { } fault and not (SandboxFault.ConnectionReset or SandboxFault.Timeout)
            ? await _faults.RespondAsync(fault, request, cancellationToken).ConfigureAwait(false)
            : null;
    }

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

            var items = new List<(string Id, GraphResponse Response)>();
            foreach (JsonElement item in requests.EnumerateArray())
            {
                if (ReadBatchItem(batch, item) is not { } parsed)
                {
                    return GraphResponse.Error(batch, 400, "BadRequest", "Each batch request needs a string id, a method and a url.");
                }

                // Items are answered in order, which also honours any dependsOn the client sent.
                GraphResponse response = await InjectItemFaultAsync(parsed.Request, cancellationToken).ConfigureAwait(false)
                    ?? (parsed.Request.Segments is ["$batch"]
                        ? GraphResponse.Error(parsed.Request, 400, "BadRequest", "A batch cannot contain another batch.")
                        : _router.Handle(parsed.Request));
                items.Add((parsed.Id, response));
            }

            return GraphResponse.Json(200, writer => WriteBatchResponse(writer, items));
        }
    }

    private static (string Id, GraphRequest Request)? ReadBatchItem(GraphRequest batch, JsonElement item)
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
        });
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
