using System.Globalization;
using System.Text;
using System.Text.Json;
using IsmsOps.Sandbox.Directory;
using IsmsOps.Sandbox.Http.Query;

namespace IsmsOps.Sandbox.Http;

/// <summary>A navigation property a listing lets $expand pull in, e.g. a user's manager or a device's registered owners.</summary>
internal sealed record Expansion<T>(string Name, Func<T, IReadOnlyList<DirectoryObject>> Targets, bool SingleValued = false)
{
    /// <summary>For a relationship to something other than directory objects (a group's appRoleAssignments); null otherwise.</summary>
    public TypedExpansion<T>? Typed { get; init; }

    /// <summary>A collection-valued relationship whose targets are written with their own <paramref name="shape"/>.</summary>
    public static Expansion<T> Of<TTarget>(string name, Func<T, IReadOnlyList<TTarget>> targets, GraphResourceShape<TTarget> shape)
        where TTarget : class =>
        new(name, _ => [])
        {
            Typed = new TypedExpansion<T>(shape.GraphTypeName, shape.Resolve, (writer, item, select, limit) =>
            {
                foreach (TTarget target in targets(item).Take(limit))
                {
                    writer.WriteStartObject();
                    shape.Write(writer, target, select);
                    writer.WriteEndObject();
                }
            }),
        };
}

/// <summary>How to check a nested $select against, and write, the targets of a relationship that are not directory objects.</summary>
internal sealed record TypedExpansion<T>(string GraphTypeName, Func<string, string?> Resolve, Action<Utf8JsonWriter, T, IReadOnlyList<string>?, int> Write);

/// <summary>How a collection is listed beyond its items and shape.</summary>
internal sealed record ListingOptions<T>
{
    /// <summary>Tags each item with @odata.type, as Graph does in directoryObject collections.</summary>
    public bool WithODataType { get; init; }

    /// <summary>Graph's own cap on $top for this collection.</summary>
    public int MaximumTop { get; init; } = GraphPayloads.MaximumPageSize;

    public IReadOnlyList<Expansion<T>> Expansions { get; init; } = [];
}

/// <summary>
/// Writes collections and entities the way Graph does: $select, $filter, $expand, $top, $skiptoken and $count applied
/// in one place, so every endpoint pages, selects and refuses alike.
/// </summary>
internal static class GraphPayloads
{
    public const int DefaultPageSize = 100;
    public const int MaximumPageSize = 999;

    /// <summary>
    /// Graph returns at most this many objects of an expanded collection of a directory object, with no link to the
    /// rest (Graph's known issue 13635), so a client must not take an expansion of this length as complete.
    /// </summary>
    public const int ExpandLimit = 20;

    public static GraphResponse Collection<T>(RouteCall call, string contextName, IReadOnlyList<T> items, IGraphShape<T> shape, ListingOptions<T>? options = null)
        where T : class
    {
        options ??= new ListingOptions<T>();
        GraphRequest request = call.Request;
        if (!TryReadSelection(request, shape, out var selection, out var error)
            || !TryReadExpansions(request, options.Expansions, out var expansions, out error)
            || !TryReadPage(request, options.MaximumTop, out int top, out int offset, out error)
            || !TryReadCount(request, out bool count, out error)
            || !TryFilter(request, shape, ref items, out error))
        {
            return error!;
        }

        int end = Math.Min(items.Count, offset + top);
        string? nextLink = end < items.Count ? NextLink(request, end) : null;
        IReadOnlyList<T> page = items;
        return GraphResponse.Json(200, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("@odata.context", Context(request, contextName, selection));
            if (count)
            {
                writer.WriteNumber("@odata.count", page.Count);
            }

            if (nextLink is not null)
            {
                writer.WriteString("@odata.nextLink", nextLink);
            }

            writer.WriteStartArray("value");
            for (int i = offset; i < end; i++)
            {
                writer.WriteStartObject();
                WriteItem(writer, page[i], shape, selection, options.WithODataType, expansions);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    }

    public static GraphResponse Entity<T>(RouteCall call, string contextName, T item, IGraphShape<T> shape, ListingOptions<T>? options = null, int status = 200)
        where T : class
    {
        options ??= new ListingOptions<T>();
        GraphRequest request = call.Request;
        if (request.Query.ContainsKey("$filter"))
        {
            return call.Error(400, "Request_UnsupportedQuery", "$filter is not supported on a single entity.");
        }

        if (!TryReadSelection(request, shape, out var selection, out var error)
            || !TryReadExpansions(request, options.Expansions, out var expansions, out error))
        {
            return error!;
        }

        return GraphResponse.Json(status, writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("@odata.context", Context(request, contextName, selection));
            WriteItem(writer, item, shape, selection, options.WithODataType, expansions);
            writer.WriteEndObject();
        });
    }

    /// <summary>The $select the request names, validated against the shape; null means Graph's default properties.</summary>
    public static bool TryReadSelection<T>(GraphRequest request, IGraphShape<T> shape, out IReadOnlyList<string>? selection, out GraphResponse? error)
    {
        selection = null;
        error = null;
        if (!request.Query.TryGetValue("$select", out string? select) || string.IsNullOrWhiteSpace(select))
        {
            return true;
        }

        if (Resolve(select.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), shape, out var names) is { } unknown)
        {
            error = GraphResponse.Error(request, 400, "Request_BadRequest", $"Could not find a property named '{unknown}' on type '{shape.GraphTypeName}'.");
            return false;
        }

        selection = names;
        return true;
    }

    private static string? Resolve<T>(IEnumerable<string> raw, IGraphShape<T> shape, out List<string> names)
    {
        names = [];
        foreach (string name in raw)
        {
            if (shape.Resolve(name) is not { } canonical)
            {
                return name;
            }

            if (!names.Contains(canonical))
            {
                names.Add(canonical);
            }
        }

        return null;
    }

    private static void WriteItem<T>(Utf8JsonWriter writer, T item, IGraphShape<T> shape, IReadOnlyList<string>? selection, bool withODataType,
        IReadOnlyList<(Expansion<T> Expansion, IReadOnlyList<string>? Select)> expansions)
    {
        // Graph tags each entry of a directoryObject collection with its concrete type; clients dispatch on it.
        if (withODataType)
        {
            writer.WriteString("@odata.type", shape.ODataTypeOf(item));
        }

        shape.Write(writer, item, selection);
        foreach (var (expansion, select) in expansions)
        {
            IReadOnlyList<DirectoryObject> targets = expansion.Targets(item);
            if (expansion.SingleValued)
            {
                // Graph leaves the property out when there is nothing to expand (a user without a manager).
                if (targets.Count > 0)
                {
                    writer.WriteStartObject(expansion.Name);
                    WriteItem(writer, targets[0], GraphShapes.DirectoryObject, select, withODataType: true, []);
                    writer.WriteEndObject();
                }

                continue;
            }

            writer.WriteStartArray(expansion.Name);
            if (expansion.Typed is { } typed)
            {
                typed.Write(writer, item, select, ExpandLimit);
                writer.WriteEndArray();
                continue;
            }

            foreach (DirectoryObject target in targets.Take(ExpandLimit))
            {
                writer.WriteStartObject();
                WriteItem(writer, target, GraphShapes.DirectoryObject, select, withODataType: true, []);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        }
    }

    private static bool TryReadExpansions<T>(GraphRequest request, IReadOnlyList<Expansion<T>> allowed,
        out IReadOnlyList<(Expansion<T> Expansion, IReadOnlyList<string>? Select)> expansions, out GraphResponse? error)
    {
        expansions = [];
        error = null;
        if (!request.Query.TryGetValue("$expand", out string? text))
        {
            return true;
        }

        var result = new List<(Expansion<T>, IReadOnlyList<string>?)>();
        try
        {
            foreach (ExpandOption option in ExpandOption.ParseAll(text))
            {
                Expansion<T>? expansion = allowed.FirstOrDefault(e => string.Equals(e.Name, option.Name, StringComparison.OrdinalIgnoreCase));
                if (expansion is null)
                {
                    string offered = allowed.Count == 0 ? "none here" : string.Join(", ", allowed.Select(e => e.Name));
                    error = GraphResponse.Error(request, 400, "Request_UnsupportedQuery",
                        $"The sandbox cannot expand '{option.Name}' on this resource (expandable: {offered}).");
                    return false;
                }

                List<string>? select = null;
                if (option.Select is not null && expansion.Typed is { } typed)
                {
                    select = [];
                    foreach (string name in option.Select)
                    {
                        if (typed.Resolve(name) is not { } canonical)
                        {
                            error = GraphResponse.Error(request, 400, "Request_BadRequest", $"Could not find a property named '{name}' on type '{typed.GraphTypeName}'.");
                            return false;
                        }

                        select.Add(canonical);
                    }
                }
                else if (option.Select is not null && Resolve(option.Select, GraphShapes.DirectoryObject, out select) is { } unknown)
                {
                    error = GraphResponse.Error(request, 400, "Request_BadRequest",
                        $"Could not find a property named '{unknown}' on type '{GraphShapes.DirectoryObject.GraphTypeName}'.");
                    return false;
                }

                result.Add((expansion, select));
            }
        }
        catch (FilterException e)
        {
            error = GraphResponse.Error(request, 400, e.Code, e.Message);
            return false;
        }

        expansions = result;
        return true;
    }

    private static bool TryFilter<T>(GraphRequest request, IGraphShape<T> shape, ref IReadOnlyList<T> items, out GraphResponse? error)
    {
        error = null;
        if (!request.Query.TryGetValue("$filter", out string? text))
        {
            return true;
        }

        try
        {
            Func<T, bool> keep = ODataFilter.Parse(text).Bind(shape);
            items = items.Where(keep).ToList();
            return true;
        }
        catch (FilterException e)
        {
            error = GraphResponse.Error(request, 400, e.Code, e.Message);
            return false;
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

    private static bool TryReadPage(GraphRequest request, int maximumTop, out int top, out int offset, out GraphResponse? error)
    {
        top = Math.Min(DefaultPageSize, maximumTop);
        offset = 0;
        error = null;
        if (request.Query.TryGetValue("$top", out string? topText)
            && (!int.TryParse(topText, NumberStyles.None, CultureInfo.InvariantCulture, out top) || top < 1 || top > maximumTop))
        {
            error = GraphResponse.Error(request, 400, "Request_UnsupportedQuery",
                $"Invalid page size specified: '{topText}'. Must be between 1 and {maximumTop} inclusive.");
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
        foreach (var (name, value) in request.Query.Where(q => !string.Equals(q.Key, "$skiptoken", StringComparison.OrdinalIgnoreCase)))
        {
            link.Append(separator).Append(name).Append('=').Append(Uri.EscapeDataString(value));
            separator = '&';
        }

        return link.Append(separator).Append("$skiptoken=").Append(SkipToken.Encode(nextOffset)).ToString();
    }
}
