using IsmsOps.Sandbox.Directory;
using IsmsOps.Sandbox.Http.Routes;

namespace IsmsOps.Sandbox.Http;

/// <summary>
/// Maps one authenticated, fault-free request onto the tenant: finds the route, checks the token's permissions and
/// the tenant's licences, and lets the route family answer. It holds the tenant's lock for the whole request, which is
/// cheap (no I/O happens inside) and keeps paging and changes consistent.
/// </summary>
internal sealed class GraphRouter
{
    // Refusing what we do not implement beats silently ignoring it: a client would believe it had sorted or searched.
    private static readonly string[] UnsupportedOptions = ["$orderby", "$search"];

    private readonly Tenant _tenant;
    private readonly SandboxOptions _options;
    private readonly RouteTable _routes;

    public GraphRouter(Tenant tenant, SandboxOptions options)
    {
        _tenant = tenant;
        _options = options;
        _routes = Routes();
    }

    /// <summary>Every endpoint the sandbox serves, one family per resource.</summary>
    public static RouteTable Routes()
    {
        var routes = new RouteTable();
        OrganizationRoutes.Map(routes);
        UserRoutes.Map(routes);
        AuthenticationMethodRoutes.Map(routes);
        GroupRoutes.Map(routes);
        RoleRoutes.Map(routes);
        ApplicationRoutes.Map(routes);
        DeviceRoutes.Map(routes);
        ReportRoutes.Map(routes);
        routes.EnsureEveryDeclaredEndpointIsServed();
        return routes;
    }

    public GraphResponse Handle(GraphRequest request)
    {
        string? unsupported = UnsupportedOptions.FirstOrDefault(request.Query.ContainsKey);
        if (unsupported is not null)
        {
            return GraphResponse.Error(request, 400, "Request_UnsupportedQuery", $"The sandbox does not support {unsupported} yet.");
        }

        var (route, values, pathExists) = _routes.Find(request.Method, request.Segments);
        if (route is null)
        {
            return pathExists
                ? GraphResponse.MethodNotAllowed(request)
                : GraphResponse.Error(request, 400, "BadRequest", $"Resource not found for the segment '{UnknownSegment(request.Segments)}'.");
        }

        if (!RoutePermissions.Allows(_options.GrantedPermissions, route.Requirement.Permissions))
        {
            return RoutePermissions.Denied(request);
        }

        bool licensed = route.Requirement.Licence switch
        {
            RequiredLicence.PremiumP1 => _options.PremiumP1,
            RequiredLicence.PremiumP2 => _options.PremiumP2,
            _ => true,
        };
        if (!licensed)
        {
            return RoutePermissions.Unlicensed(request, route.Requirement.Licence);
        }

        lock (_tenant.SyncRoot)
        {
            return route.Handler(new RouteCall(request, _tenant, _options, values!));
        }
    }

    /// <summary>The first segment no route knows at its position, which is what Graph's message names.</summary>
    private string UnknownSegment(IReadOnlyList<string> segments)
    {
        int known = 0;
        while (known < segments.Count && _routes.Routes.Any(r => r.MatchesPrefix(segments, known + 1)))
        {
            known++;
        }

        return known < segments.Count ? segments[known] : segments.Count > 0 ? segments[^1] : "";
    }
}
