using System.Text.Json;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Sandbox.Http;

/// <summary>One request matched to a route: the request, the values from the path and the tenant to answer from.</summary>
internal sealed class RouteCall
{
    private readonly IReadOnlyDictionary<string, string> _values;

    public RouteCall(GraphRequest request, Tenant tenant, SandboxOptions options, IReadOnlyDictionary<string, string> values)
    {
        Request = request;
        Tenant = tenant;
        Options = options;
        _values = values;
    }

    public GraphRequest Request { get; }
    public Tenant Tenant { get; }
    public SandboxOptions Options { get; }

    /// <summary>A value from the path, e.g. call["id"] for users/{id}.</summary>
    public string this[string name] => _values[name];

    public GraphResponse Error(int status, string code, string message) => GraphResponse.Error(Request, status, code, message);

    public GraphResponse BadRequest(string message) => Error(400, "Request_BadRequest", message);

    public GraphResponse NotFound(string what) =>
        Error(404, "Request_ResourceNotFound", $"Resource '{what}' does not exist or one of its queried reference-property objects are not present.");

    public GraphResponse MethodNotAllowed() => GraphResponse.MethodNotAllowed(Request);

    /// <summary>403 unless the token holds one of <paramref name="permissions"/>; for requirements that depend on the query.</summary>
    public GraphResponse? Demand(IReadOnlyList<string> permissions) =>
        RoutePermissions.Allows(Options.GrantedPermissions, permissions) ? null : RoutePermissions.Denied(Request);

    public GraphResponse WithUser(Func<DirectoryUser, GraphResponse> then) =>
        Tenant.FindUser(this["id"]) is { } user ? then(user) : NotFound(this["id"]);

    public GraphResponse WithGroup(Func<DirectoryGroup, GraphResponse> then) =>
        Tenant.FindGroup(this["id"]) is { } group ? then(group) : NotFound(this["id"]);

    /// <summary>Parses the JSON object body, or answers Graph's 400 for an unreadable payload.</summary>
    public GraphResponse WithBody(Func<JsonElement, GraphResponse> then)
    {
        JsonElement? root = null;
        try
        {
            using var document = JsonDocument.Parse(Request.Body);
            root = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            // Answered below, like a body that is valid JSON but not an object.
        }

        return root is { ValueKind: JsonValueKind.Object } body
            ? then(body)
            : Error(400, "BadRequest", "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.");
    }

    /// <summary>The id at the end of a body's "@odata.id" reference (…/directoryObjects/{id}), or null.</summary>
    public static string? ReferencedId(JsonElement body)
    {
        if (!body.TryGetProperty("@odata.id", out JsonElement reference) || reference.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        string url = reference.GetString()!.TrimEnd('/');
        string id = url[(url.LastIndexOf('/') + 1)..];
        return id.Length > 0 ? Uri.UnescapeDataString(id) : null;
    }

    public static string? String(JsonElement body, string name) =>
        body.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
