using System.Globalization;
using System.Text.Json;

namespace IsmsOps.Sandbox.Http;

/// <summary>A finished answer: status, headers and the whole body, so Content-Length is always known up front.</summary>
internal sealed class GraphResponse
{
    public const string JsonContentType = "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

    private GraphResponse(int status, byte[] body)
    {
        Status = status;
        Body = body;
    }

    public int Status { get; }
    public byte[] Body { get; }
    public Dictionary<string, string> Headers { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>True when the connection should be dropped instead of answered (an injected network fault).</summary>
    public bool DropsConnection { get; private init; }

    public static GraphResponse DroppedConnection() => new(0, []) { DropsConnection = true };

    public static GraphResponse NoContent() => new(204, []);

    public static GraphResponse Json(int status, Action<Utf8JsonWriter> writeBody)
    {
        var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writeBody(writer);
        }

        var response = new GraphResponse(status, buffer.ToArray());
        response.Headers["Content-Type"] = JsonContentType;
        return response;
    }

    /// <summary>Graph's answer to a path that exists under another method.</summary>
    public static GraphResponse MethodNotAllowed(GraphRequest request) =>
        Error(request, 405, "Request_BadRequest", "Specified HTTP method is not allowed for the request target.");

    /// <summary>Graph's error shape, with the request ids a support case would ask for.</summary>
    public static GraphResponse Error(GraphRequest request, int status, string code, string message) =>
        Error(status, code, message, request.RequestId, request.ClientRequestId);

    public static GraphResponse Error(int status, string code, string message, string requestId, string clientRequestId) =>
        Json(status, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error");
            writer.WriteString("code", code);
            writer.WriteString("message", message);
            writer.WriteStartObject("innerError");
            writer.WriteString("date", DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture));
            writer.WriteString("request-id", requestId);
            writer.WriteString("client-request-id", clientRequestId);
            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.WriteEndObject();
        });
}
