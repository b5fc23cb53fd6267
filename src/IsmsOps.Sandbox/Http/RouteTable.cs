namespace IsmsOps.Sandbox.Http;

internal delegate GraphResponse RouteHandler(RouteCall call);

/// <summary>One endpoint: "GET users/{id}/memberOf", what it requires, and the code that answers it.</summary>
internal sealed class Route
{
    private readonly string[] _segments;

    public Route(string method, string template, RouteRequirement requirement, RouteHandler handler)
    {
        Method = method;
        Template = template;
        Requirement = requirement;
        Handler = handler;
        _segments = template.Split('/');
        LiteralCount = _segments.Count(s => !IsParameter(s));
    }

    public string Method { get; }
    public string Template { get; }
    public RouteRequirement Requirement { get; }
    public RouteHandler Handler { get; }

    /// <summary>More literal segments wins: users/{id}/authentication/methods beats users/{id}/authentication/{type}.</summary>
    public int LiteralCount { get; }

    public Dictionary<string, string>? Match(IReadOnlyList<string> segments)
    {
        if (segments.Count != _segments.Length)
        {
            return null;
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < _segments.Length; i++)
        {
            if (IsParameter(_segments[i]))
            {
                values[_segments[i][1..^1]] = segments[i];
            }
            else if (!string.Equals(_segments[i], segments[i], StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
        }

        return values;
    }

    /// <summary>Whether the first <paramref name="length"/> segments fit this route's template.</summary>
    public bool MatchesPrefix(IReadOnlyList<string> segments, int length) =>
        length <= _segments.Length && Enumerable.Range(0, length).All(i =>
            IsParameter(_segments[i]) || string.Equals(_segments[i], segments[i], StringComparison.OrdinalIgnoreCase));

    private static bool IsParameter(string segment) => segment.StartsWith('{') && segment.EndsWith('}');
}

/// <summary>
/// Every endpoint the sandbox serves. Route families (Routes/*.cs) add handlers; what each endpoint requires comes
/// from <see cref="RoutePermissions"/>, and the table refuses to start if the two disagree, so no endpoint can be
/// served without a declared permission.
/// </summary>
internal sealed class RouteTable
{
    private readonly List<Route> _routes = [];

    public IReadOnlyList<Route> Routes => _routes;

    /// <summary>Adds "METHOD template", e.g. "GET users/{id}/memberOf".</summary>
    public void Map(string endpoint, RouteHandler handler)
    {
        int space = endpoint.IndexOf(' ', StringComparison.Ordinal);
        string method = endpoint[..space], template = endpoint[(space + 1)..];
        RouteRequirement requirement = RoutePermissions.For(endpoint)
            ?? throw new InvalidOperationException($"'{endpoint}' has no entry in RoutePermissions; declare the permissions Graph accepts for it.");
        _routes.Add(new Route(method, template, requirement, handler));
    }

    /// <summary>Fails when RoutePermissions names an endpoint nothing serves (a typo in either place).</summary>
    public void EnsureEveryDeclaredEndpointIsServed()
    {
        var served = _routes.Select(r => $"{r.Method} {r.Template}").ToHashSet(StringComparer.Ordinal);
        string[] orphans = RoutePermissions.Endpoints.Where(e => !served.Contains(e)).ToArray();
        if (orphans.Length > 0)
        {
            throw new InvalidOperationException("RoutePermissions declares endpoints no route serves: " + string.Join(", ", orphans));
        }
    }

    /// <summary>The best route for the request, or whether the path exists under another method (a 405).</summary>
    public (Route? Route, Dictionary<string, string>? Values, bool PathExists) Find(string method, IReadOnlyList<string> segments)
    {
        Route? best = null;
        Dictionary<string, string>? bestValues = null;
        bool pathExists = false;
        foreach (Route route in _routes)
        {
            if (route.Match(segments) is not { } values)
            {
                continue;
            }

            pathExists = true;
            if (string.Equals(route.Method, method, StringComparison.OrdinalIgnoreCase) && (best is null || route.LiteralCount > best.LiteralCount))
            {
                best = route;
                bestValues = values;
            }
        }

        return (best, bestValues, pathExists);
    }
}
