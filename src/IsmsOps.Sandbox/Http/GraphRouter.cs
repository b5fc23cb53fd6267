using System.Globalization;
using System.Text;
using System.Text.Json;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Sandbox.Http;

/// <summary>
/// Maps one authenticated, fault-free request onto the tenant and writes Graph's answer. It holds the tenant's lock
/// for the whole request, which is cheap (no I/O happens inside) and keeps paging and membership changes consistent.
/// </summary>
internal sealed class GraphRouter
{
    private const int DefaultPageSize = 100;
    private const int MaximumPageSize = 999;
    private static readonly string[] UnsupportedOptions = ["$filter", "$orderby", "$expand", "$search"];

    private readonly Tenant _tenant;

    public GraphRouter(Tenant tenant) => _tenant = tenant;

    public GraphResponse Handle(GraphRequest request)
    {
        // Refusing what we do not implement beats silently ignoring it: a client would believe it had filtered.
        string? unsupported = UnsupportedOptions.FirstOrDefault(request.Query.ContainsKey);
        if (unsupported is not null)
        {
            return GraphResponse.Error(request, 400, "Request_UnsupportedQuery", $"The sandbox does not support {unsupported} yet.");
        }

        lock (_tenant.SyncRoot)
        {
            return Route(request);
        }
    }

    private GraphResponse Route(GraphRequest request)
    {
        var s = request.Segments;
        string method = request.Method.ToUpperInvariant();
        string collection = s.Count > 0 ? s[0].ToLowerInvariant() : "";

        return (collection, s.Count, method) switch
        {
            ("users", 1, "GET") => Collection(request, "users", _tenant.Users, withODataType: false),
            ("users", 2, "GET") => WithUser(request, s[1], user => Entity(request, "users/$entity", user, withODataType: false)),
            ("users", 2, "PATCH") => WithUser(request, s[1], user => UpdateUser(request, user)),
            ("users", 3, "GET") when Is(s[2], "manager") => WithUser(request, s[1], user => user.Manager is null
                ? NotFound(request, "manager")
                : Entity(request, "directoryObjects/$entity", user.Manager, withODataType: true)),
            ("groups", 1, "GET") => Collection(request, "groups", _tenant.Groups, withODataType: false),
            ("groups", 2, "GET") => WithGroup(request, s[1], group => Entity(request, "groups/$entity", group, withODataType: false)),
            ("groups", 3, "GET") when Is(s[2], "members") => WithGroup(request, s[1], g => Collection(request, "directoryObjects", g.Members, withODataType: true)),
            ("groups", 3, "GET") when Is(s[2], "transitiveMembers") => WithGroup(request, s[1], g => Collection(request, "directoryObjects", g.TransitiveMembers(), withODataType: true)),
            ("groups", 3, "GET") when Is(s[2], "owners") => WithGroup(request, s[1], g => Collection(request, "directoryObjects", g.Owners, withODataType: true)),
            ("groups", 4, "POST") when Is(s[2], "members") && Is(s[3], "$ref") => WithGroup(request, s[1], g => AddMember(request, g)),
            ("groups", 5, "DELETE") when Is(s[2], "members") && Is(s[4], "$ref") => WithGroup(request, s[1], g => RemoveMember(request, g, s[3])),
            ("users" or "groups", 1 or 2, _) => GraphResponse.Error(request, 405, "Request_BadRequest",
                "Specified HTTP method is not allowed for the request target."),
            _ => GraphResponse.Error(request, 400, "BadRequest",
                $"Resource not found for the segment '{(s.Count > 0 ? s[^1] : "")}'."),
        };
    }

    private static bool Is(string segment, string name) => string.Equals(segment, name, StringComparison.OrdinalIgnoreCase);

    private GraphResponse WithUser(GraphRequest request, string key, Func<DirectoryUser, GraphResponse> then) =>
        _tenant.FindUser(key) is { } user ? then(user) : NotFound(request, key);

    private GraphResponse WithGroup(GraphRequest request, string id, Func<DirectoryGroup, GraphResponse> then) =>
        _tenant.FindGroup(id) is { } group ? then(group) : NotFound(request, id);

    private static GraphResponse NotFound(GraphRequest request, string what) =>
        GraphResponse.Error(request, 404, "Request_ResourceNotFound",
            $"Resource '{what}' does not exist or one of its queried reference-property objects are not present.");

    private static GraphResponse Collection(GraphRequest request, string contextName, IReadOnlyList<DirectoryObject> items, bool withODataType)
    {
        if (!TryReadSelection(request, items is IReadOnlyList<DirectoryUser>, items is IReadOnlyList<DirectoryGroup>, out var selection, out var error)
            || !TryReadPage(request, out int top, out int offset, out error)
            || !TryReadCount(request, out bool count, out error))
        {
            return error!;
        }

        int end = Math.Min(items.Count, offset + top);
        string? nextLink = end < items.Count ? NextLink(request, end) : null;
        return GraphResponse.Json(200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("@odata.context", Context(request, contextName, selection));
            if (count)
            {
                writer.WriteNumber("@odata.count", items.Count);
            }

            if (nextLink is not null)
            {
                writer.WriteString("@odata.nextLink", nextLink);
            }

            writer.WriteStartArray("value");
            for (int i = offset; i < end; i++)
            {
                writer.WriteStartObject();
                WriteObject(writer, items[i], selection, withODataType);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    private static GraphResponse Entity(GraphRequest request, string contextName, DirectoryObject item, bool withODataType)
    {
        if (!TryReadSelection(request, item is DirectoryUser, item is DirectoryGroup, out var selection, out var error))
        {
            return error!;
        }

        return GraphResponse.Json(200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("@odata.context", Context(request, contextName, selection));
            WriteObject(writer, item, selection, withODataType);
            writer.WriteEndObject();
        });
    }

    private static void WriteObject(Utf8JsonWriter writer, DirectoryObject item, IReadOnlyList<string>? selection, bool withODataType)
    {
        // Graph tags each entry of a directoryObject collection with its concrete type; clients dispatch on it.
        if (withODataType)
        {
            writer.WriteString("@odata.type", item.ODataType);
        }

        switch (item)
        {
            case DirectoryUser user: GraphShapes.User.Write(writer, user, selection); break;
            case DirectoryGroup group: GraphShapes.Group.Write(writer, group, selection); break;
        }
    }

    private static string Context(GraphRequest request, string contextName, IReadOnlyList<string>? selection)
    {
        if (selection is null)
        {
            return $"{request.BaseUrl}/$metadata#{contextName}";
        }

        // users(displayName,id) and users(displayName,id)/$entity, as Graph writes them.
        int slash = contextName.IndexOf('/', StringComparison.Ordinal);
        string set = slash < 0 ? contextName : contextName[..slash];
        string rest = slash < 0 ? "" : contextName[slash..];
        return $"{request.BaseUrl}/$metadata#{set}({string.Join(',', selection)}){rest}";
    }

    /// <summary>Null selection means Graph's default properties. Unknown names are a 400, as in Graph.</summary>
    private static bool TryReadSelection(GraphRequest request, bool usersOnly, bool groupsOnly,
        out IReadOnlyList<string>? selection, out GraphResponse? error)
    {
        selection = null;
        error = null;
        if (!request.Query.TryGetValue("$select", out string? select) || string.IsNullOrWhiteSpace(select))
        {
            return true;
        }

        var names = new List<string>();
        foreach (string raw in select.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string? name = (groupsOnly ? null : GraphShapes.User.Resolve(raw)) ?? (usersOnly ? null : GraphShapes.Group.Resolve(raw));
            if (name is null)
            {
                string type = groupsOnly ? GraphShapes.Group.GraphTypeName : GraphShapes.User.GraphTypeName;
                error = GraphResponse.Error(request, 400, "Request_BadRequest", $"Could not find a property named '{raw}' on type '{type}'.");
                return false;
            }

            if (!names.Contains(name))
            {
                names.Add(name);
            }
        }

        selection = names;
        return true;
    }

    private static bool TryReadPage(GraphRequest request, out int top, out int offset, out GraphResponse? error)
    {
        top = DefaultPageSize;
        offset = 0;
        error = null;
        if (request.Query.TryGetValue("$top", out string? topText)
            && (!int.TryParse(topText, NumberStyles.None, CultureInfo.InvariantCulture, out top) || top is < 1 or > MaximumPageSize))
        {
            error = GraphResponse.Error(request, 400, "Request_UnsupportedQuery",
                $"Invalid page size specified: '{topText}'. Must be between 1 and {MaximumPageSize} inclusive.");
            return false;
        }

        if (request.Query.TryGetValue("$skiptoken", out string? token) && !SkipToken.TryDecode(token, out offset))
        {
            error = GraphResponse.Error(request, 400, "Request_BadRequest", "The specified page token value has expired or is invalid.");
            return false;
        }

        return true;
    }

    private static bool TryReadCount(GraphRequest request, out bool count, out GraphResponse? error)
    {
        error = null;
        count = request.Query.TryGetValue("$count", out string? text) && string.Equals(text, "true", StringComparison.OrdinalIgnoreCase);
        // Graph only counts directory objects on the advanced-query path, which the ConsistencyLevel header selects.
        if (count && !string.Equals(request.Header("ConsistencyLevel"), "eventual", StringComparison.OrdinalIgnoreCase))
        {
            error = GraphResponse.Error(request, 400, "Request_BadRequest", "$count is not currently supported.");
            return false;
        }

        return true;
    }

    private static string NextLink(GraphRequest request, int nextOffset)
    {
        var link = new StringBuilder(request.BaseUrl);
        foreach (string segment in request.Segments)
        {
            link.Append('/').Append(Uri.EscapeDataString(segment));
        }

        char separator = '?';
        foreach (var (name, value) in request.Query.Where(q => !Is(q.Key, "$skiptoken")))
        {
            link.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }

        return link.Append(separator).Append("$skiptoken=").Append(SkipToken.Encode(nextOffset)).ToString();
    }

    private static GraphResponse UpdateUser(GraphRequest request, DirectoryUser user)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(request.Body);
        }
        catch (JsonException)
        {
            return GraphResponse.Error(request, 400, "BadRequest", "Unable to read JSON request payload.");
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return GraphResponse.Error(request, 400, "BadRequest", "Unable to read JSON request payload.");
            }

            // Validate everything first so a bad property leaves the user untouched, as Graph does.
            var changes = new List<Action>();
            foreach (JsonProperty property in document.RootElement.EnumerateObject())
            {
                JsonElement value = property.Value;
                Action? change = property.Name switch
                {
                    "accountEnabled" when value.ValueKind is JsonValueKind.True or JsonValueKind.False => () => user.AccountEnabled = value.GetBoolean(),
                    "department" when value.ValueKind is JsonValueKind.String or JsonValueKind.Null => () => user.Department = value.GetString(),
                    "jobTitle" when value.ValueKind is JsonValueKind.String or JsonValueKind.Null => () => user.JobTitle = value.GetString(),
                    _ => null,
                };
                if (change is null)
                {
                    return GraphResponse.Error(request, 400, "Request_BadRequest",
                        $"The sandbox cannot update property '{property.Name}' with a {value.ValueKind} value; it supports accountEnabled, department and jobTitle.");
                }

                changes.Add(change);
            }

            changes.ForEach(change => change());
            return GraphResponse.NoContent();
        }
    }

    private GraphResponse AddMember(GraphRequest request, DirectoryGroup group)
    {
        string? memberId = ReadReferencedId(request);
        if (memberId is null)
        {
            return GraphResponse.Error(request, 400, "Request_BadRequest", "The request body must carry an @odata.id that references a directory object.");
        }

        if (_tenant.FindObject(memberId) is not { } member)
        {
            return NotFound(request, memberId);
        }

        if (RefuseMembershipChange(request, group) is { } refusal)
        {
            return refusal;
        }

        if (ReferenceEquals(member, group) || !group.AddMember(member))
        {
            return GraphResponse.Error(request, 400, "Request_BadRequest",
                "One or more added object references already exist for the following modified properties: 'members'.");
        }

        return GraphResponse.NoContent();
    }

    private static GraphResponse RemoveMember(GraphRequest request, DirectoryGroup group, string memberId)
    {
        if (RefuseMembershipChange(request, group) is { } refusal)
        {
            return refusal;
        }

        return group.RemoveMember(memberId) ? GraphResponse.NoContent() : NotFound(request, memberId);
    }

    /// <summary>
    /// The groups whose membership Graph will not change: the answer tells IsmsOps which other system must act.
    /// </summary>
    private static GraphResponse? RefuseMembershipChange(GraphRequest request, DirectoryGroup group)
    {
        if (group.OnPremisesSyncEnabled == true)
        {
            return GraphResponse.Error(request, 400, "Request_BadRequest",
                "Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.");
        }

        if (group.IsDynamic)
        {
            return GraphResponse.Error(request, 400, "Request_BadRequest",
                "Insufficient privileges to complete the operation: the membership of a dynamic group is computed from its membershipRule.");
        }

        if (group.MailEnabled && group.SecurityEnabled && !group.GroupTypes.Contains("Unified"))
        {
            return GraphResponse.Error(request, 400, "Request_BadRequest",
                "Cannot Update a mail-enabled security groups and or distribution list.");
        }

        return null;
    }

    private static string? ReadReferencedId(GraphRequest request)
    {
        try
        {
            using var document = JsonDocument.Parse(request.Body);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("@odata.id", out JsonElement reference)
                && reference.ValueKind == JsonValueKind.String)
            {
                string url = reference.GetString()!.TrimEnd('/');
                string id = url[(url.LastIndexOf('/') + 1)..];
                return id.Length > 0 ? Uri.UnescapeDataString(id) : null;
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }
}
