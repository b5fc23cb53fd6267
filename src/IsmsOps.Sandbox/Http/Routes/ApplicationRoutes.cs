using System.Text.Json;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Sandbox.Http.Routes;

/// <summary>Service principals, app role assignments (from either side) and delegated consents (oauth2PermissionGrants).</summary>
internal static class ApplicationRoutes
{
    public static void Map(RouteTable routes)
    {
        routes.Map("GET servicePrincipals", call =>
            GraphPayloads.Collection(call, "servicePrincipals", call.Tenant.ServicePrincipals, GraphShapes.ServicePrincipal));
        routes.Map("GET servicePrincipals/{id}", call => WithServicePrincipal(call, app =>
            GraphPayloads.Entity(call, "servicePrincipals/$entity", app, GraphShapes.ServicePrincipal)));
        routes.Map("GET servicePrincipals/{id}/appRoleAssignedTo", call => WithServicePrincipal(call, app =>
            Assignments(call, $"servicePrincipals('{app.Id}')/appRoleAssignedTo", call.Tenant.AppRoleAssignmentsTo(app))));
        routes.Map("GET servicePrincipals/{id}/appRoleAssignments", call => WithServicePrincipal(call, app =>
            Assignments(call, $"servicePrincipals('{app.Id}')/appRoleAssignments", call.Tenant.AppRoleAssignmentsOf(app))));
        routes.Map("DELETE servicePrincipals/{id}/appRoleAssignedTo/{assignmentId}", call => WithServicePrincipal(call, app =>
            Unassign(call, call.Tenant.AppRoleAssignmentsTo(app))));

        routes.Map("GET users/{id}/appRoleAssignments", call => call.WithUser(user =>
            Assignments(call, $"users('{user.Id}')/appRoleAssignments", call.Tenant.AppRoleAssignmentsOf(user))));
        routes.Map("POST users/{id}/appRoleAssignments", call => call.WithUser(user => call.WithBody(body => Assign(call, user, body))));
        routes.Map("DELETE users/{id}/appRoleAssignments/{assignmentId}", call => call.WithUser(user =>
            Unassign(call, call.Tenant.AppRoleAssignmentsOf(user))));
        routes.Map("GET groups/{id}/appRoleAssignments", call => call.WithGroup(group =>
            Assignments(call, $"groups('{group.Id}')/appRoleAssignments", call.Tenant.AppRoleAssignmentsOf(group))));

        routes.Map("GET oauth2PermissionGrants", call =>
            GraphPayloads.Collection(call, "oauth2PermissionGrants", call.Tenant.OAuth2PermissionGrants, GraphShapes.OAuth2PermissionGrant));
        routes.Map("GET oauth2PermissionGrants/{id}", call => WithGrant(call, grant =>
            GraphPayloads.Entity(call, "oauth2PermissionGrants/$entity", grant, GraphShapes.OAuth2PermissionGrant)));
        routes.Map("PATCH oauth2PermissionGrants/{id}", call => WithGrant(call, grant => call.WithBody(body => UpdateGrant(call, grant, body))));
        routes.Map("DELETE oauth2PermissionGrants/{id}", call => WithGrant(call, grant =>
        {
            call.Tenant.Remove(grant);
            return GraphResponse.NoContent();
        }));
        routes.Map("GET users/{id}/oauth2PermissionGrants", call => call.WithUser(user =>
            GraphPayloads.Collection(call, "oauth2PermissionGrants",
                call.Tenant.OAuth2PermissionGrants.Where(g => string.Equals(g.PrincipalId, user.Id, StringComparison.OrdinalIgnoreCase)).ToList(),
                GraphShapes.OAuth2PermissionGrant)));
    }

    private static GraphResponse WithServicePrincipal(RouteCall call, Func<ServicePrincipal, GraphResponse> then) =>
        call.Tenant.FindServicePrincipal(call["id"]) is { } app ? then(app) : call.NotFound(call["id"]);

    private static GraphResponse WithGrant(RouteCall call, Func<OAuth2PermissionGrant, GraphResponse> then) =>
        call.Tenant.FindGrant(call["id"]) is { } grant ? then(grant) : call.NotFound(call["id"]);

    private static GraphResponse Assignments(RouteCall call, string contextName, IReadOnlyList<AppRoleAssignment> assignments) =>
        GraphPayloads.Collection(call, contextName, assignments, GraphShapes.AppRoleAssignment);

    /// <summary>Deletes one assignment, which must belong to the collection the URL names (a user's, or a resource's).</summary>
    private static GraphResponse Unassign(RouteCall call, IReadOnlyList<AppRoleAssignment> scope)
    {
        string id = call["assignmentId"];
        AppRoleAssignment? assignment = scope.FirstOrDefault(a => a.Id == id);
        if (assignment is null)
        {
            return call.NotFound(id);
        }

        call.Tenant.Remove(assignment);
        return GraphResponse.NoContent();
    }

    private static GraphResponse Assign(RouteCall call, DirectoryUser user, JsonElement body)
    {
        string? principalId = RouteCall.String(body, "principalId");
        string? resourceId = RouteCall.String(body, "resourceId");
        if (!Guid.TryParse(RouteCall.String(body, "appRoleId"), out Guid appRoleId) || principalId is null || resourceId is null)
        {
            return call.BadRequest("principalId, resourceId and appRoleId are required.");
        }

        if (!string.Equals(principalId, user.Id, StringComparison.OrdinalIgnoreCase))
        {
            return call.BadRequest($"The principalId '{principalId}' must be the user the request is addressed to ('{user.Id}').");
        }

        if (call.Tenant.FindServicePrincipal(resourceId) is not { } resource)
        {
            return call.NotFound(resourceId);
        }

        // The default-access role (all zeros) is only for applications that define no user roles.
        bool known = appRoleId == AppRoleAssignment.DefaultAccessRoleId
            ? !resource.AppRoles.Any(r => r.AllowedMemberTypes.Contains("User"))
            : resource.FindAppRole(appRoleId) is { } role && role.AllowedMemberTypes.Contains("User");
        if (!known)
        {
            return call.BadRequest("Permission being assigned was not found on application");
        }

        if (call.Tenant.AppRoleAssignmentsOf(user).Any(a => a.Resource == resource && a.AppRoleId == appRoleId))
        {
            return call.BadRequest("Permission being assigned already exists on the object");
        }

        var assignment = new AppRoleAssignment
        {
            Id = call.Tenant.NewOpaqueId(),
            AppRoleId = appRoleId,
            Principal = user,
            Resource = resource,
            CreatedDateTime = call.Tenant.Stamp(),
        };
        call.Tenant.Add(assignment);
        return GraphPayloads.Entity(call, $"users('{user.Id}')/appRoleAssignments/$entity", assignment, GraphShapes.AppRoleAssignment, status: 201);
    }

    private static GraphResponse UpdateGrant(RouteCall call, OAuth2PermissionGrant grant, JsonElement body)
    {
        foreach (JsonProperty property in body.EnumerateObject())
        {
            if (property.Name != "scope" || property.Value.ValueKind != JsonValueKind.String)
            {
                return call.BadRequest($"Only 'scope' can be updated on an oAuth2PermissionGrant; '{property.Name}' cannot.");
            }
        }

        if (RouteCall.String(body, "scope") is { } scope)
        {
            grant.Scope = scope;
        }

        return GraphResponse.NoContent();
    }
}
