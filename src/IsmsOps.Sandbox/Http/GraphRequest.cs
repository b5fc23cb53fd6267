namespace IsmsOps.Sandbox.Http;

/// <summary>One request, from the wire or from inside a $batch, in the form the router understands.</summary>
internal sealed record GraphRequest
{
    public required string Method { get; init; }

    /// <summary>Unescaped path segments after the version, e.g. ["groups", "{id}", "members", "$ref"].</summary>
    public required IReadOnlyList<string> Segments { get; init; }

    /// <summary>Query options by name; names compare case-insensitively, as Graph's do.</summary>
    public required IReadOnlyDictionary<string, string> Query { get; init; }

    public required IReadOnlyDictionary<string, string> Headers { get; init; }
    public ReadOnlyMemory<byte> Body { get; init; }
    public required string RequestId { get; init; }
    public required string ClientRequestId { get; init; }

    /// <summary>The sandbox's base URL (http://127.0.0.1:PORT/v1.0), for @odata.context and @odata.nextLink.</summary>
    public required string BaseUrl { get; init; }

    public string? Header(string name) => Headers.GetValueOrDefault(name);

    /// <summary>Parses "users/abc?$top=5" (with or without a leading slash or version) into segments and query.</summary>
    public static (IReadOnlyList<string> Segments, IReadOnlyDictionary<string, string> Query) ParseTarget(string target)
    {
        int questionMark = target.IndexOf('?', StringComparison.Ordinal);
        string path = questionMark < 0 ? target : target[..questionMark];
        string query = questionMark < 0 ? "" : target[(questionMark + 1)..];

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToList();
        var options = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int equals = pair.IndexOf('=', StringComparison.Ordinal);
            string name = Uri.UnescapeDataString(equals < 0 ? pair : pair[..equals]);
            options[name] = equals < 0 ? "" : Uri.UnescapeDataString(pair[(equals + 1)..].Replace('+', ' '));
        }

        return (segments, options);
    }
}
