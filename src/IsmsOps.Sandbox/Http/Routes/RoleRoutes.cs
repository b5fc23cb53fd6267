using System.Globalization;
using System.Text.Json;
using System.Xml;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Sandbox.Http.Routes;

/// <summary>roleManagement/directory: role definitions, active assignments, and PIM schedules and requests.</summary>
internal static class RoleRoutes
{
    private const string Root = "roleManagement/directory";

    public static void Map(RouteTable routes)
    {
        routes.Map($"GET {Root}/roleDefinitions", call =>
            GraphPayloads.Collection(call, "roleManagement/directory/roleDefinitions", call.Tenant.RoleDefinitions, GraphShapes.RoleDefinition));
        routes.Map($"GET {Root}/roleDefinitions/{{id}}", call => call.Tenant.FindRoleDefinition(call["id"]) is { } role
            ? GraphPayloads.Entity(call, "roleManagement/directory/roleDefinitions/$entity", role, GraphShapes.RoleDefinition)
            : call.NotFound(call["id"]));

        routes.Map($"GET {Root}/roleAssignments", call =>
            GraphPayloads.Collection(call, "roleManagement/directory/roleAssignments", call.Tenant.RoleAssignments, GraphShapes.RoleAssignment));
        routes.Map($"GET {Root}/roleAssignments/{{id}}", call => call.Tenant.FindRoleAssignment(call["id"]) is { } assignment
            ? GraphPayloads.Entity(call, "roleManagement/directory/roleAssignments/$entity", assignment, GraphShapes.RoleAssignment)
            : call.NotFound(call["id"]));
        routes.Map($"DELETE {Root}/roleAssignments/{{id}}", call => call.Tenant.FindRoleAssignment(call["id"]) is { } assignment
            && call.Tenant.Remove(assignment)
                ? GraphResponse.NoContent()
                : call.NotFound(call["id"]));

        routes.Map($"GET {Root}/roleAssignmentSchedules", call =>
            GraphPayloads.Collection(call, "roleManagement/directory/roleAssignmentSchedules", call.Tenant.RoleAssignments, GraphShapes.RoleAssignmentSchedule));
        routes.Map($"GET {Root}/roleAssignmentScheduleInstances", call =>
            GraphPayloads.Collection(call, "roleManagement/directory/roleAssignmentScheduleInstances", call.Tenant.RoleAssignments, GraphShapes.RoleAssignmentScheduleInstance));
        routes.Map($"GET {Root}/roleEligibilitySchedules", call =>
            GraphPayloads.Collection(call, "roleManagement/directory/roleEligibilitySchedules", call.Tenant.RoleEligibilities, GraphShapes.RoleEligibilitySchedule));
        routes.Map($"GET {Root}/roleEligibilityScheduleInstances", call =>
            GraphPayloads.Collection(call, "roleManagement/directory/roleEligibilityScheduleInstances", call.Tenant.RoleEligibilities, GraphShapes.RoleEligibilityScheduleInstance));

        routes.Map($"POST {Root}/roleAssignmentScheduleRequests", call => call.WithBody(body => RequestAssignment(call, body)));
        routes.Map($"POST {Root}/roleEligibilityScheduleRequests", call => call.WithBody(body => RequestEligibility(call, body)));
    }

    private static GraphResponse RequestAssignment(RouteCall call, JsonElement body)
    {
        if (ReadRequest(call, body, out var request) is { } error)
        {
            return error;
        }

        Tenant tenant = call.Tenant;
        RoleAssignment? existing = tenant.RoleAssignments.FirstOrDefault(a => a.Principal == request.Principal && a.Role == request.Role
            && string.Equals(a.DirectoryScopeId, request.Scope, StringComparison.OrdinalIgnoreCase));
        if (request.Action == "adminRemove")
        {
            if (existing is null)
            {
                return call.Error(400, "RoleAssignmentDoesNotExist", "The Role assignment does not exist.");
            }

            tenant.Remove(existing);
            return Answer(call, GraphShapes.RoleAssignmentScheduleRequest, request, "Revoked", existing.Id);
        }

        if (existing is not null)
        {
            return call.Error(400, "RoleAssignmentExists", "The Role assignment already exists.");
        }

        var assignment = new RoleAssignment
        {
            Id = tenant.NewOpaqueId(),
            Principal = request.Principal,
            Role = request.Role,
            DirectoryScopeId = request.Scope,
            StartDateTime = request.Start,
            EndDateTime = request.End,
            CreatedDateTime = request.Created,
        };
        tenant.Add(assignment);
        return Answer(call, GraphShapes.RoleAssignmentScheduleRequest, request, "Provisioned", assignment.Id);
    }

    private static GraphResponse RequestEligibility(RouteCall call, JsonElement body)
    {
        if (ReadRequest(call, body, out var request) is { } error)
        {
            return error;
        }

        Tenant tenant = call.Tenant;
        RoleEligibility? existing = tenant.RoleEligibilities.FirstOrDefault(e => e.Principal == request.Principal && e.Role == request.Role
            && string.Equals(e.DirectoryScopeId, request.Scope, StringComparison.OrdinalIgnoreCase));
        if (request.Action == "adminRemove")
        {
            // PIM answers a missing eligibility with the same code as a missing assignment.
            if (existing is null)
            {
                return call.Error(400, "RoleAssignmentDoesNotExist", "The Role assignment does not exist.");
            }

            tenant.Remove(existing);
            return Answer(call, GraphShapes.RoleEligibilityScheduleRequest, request, "Revoked", existing.Id);
        }

        if (existing is not null)
        {
            return call.Error(400, "RoleAssignmentExists", "The Role assignment already exists.");
        }

        var eligibility = new RoleEligibility
        {
            Id = tenant.NewOpaqueId(),
            Principal = request.Principal,
            Role = request.Role,
            DirectoryScopeId = request.Scope,
            StartDateTime = request.Start,
            EndDateTime = request.End,
            CreatedDateTime = request.Created,
        };
        tenant.Add(eligibility);
        return Answer(call, GraphShapes.RoleEligibilityScheduleRequest, request, "Provisioned", eligibility.Id);
    }

    private sealed record ParsedRequest(string Action, DirectoryObject Principal, RoleDefinition Role, string Scope, string? Justification,
        DateTimeOffset Start, DateTimeOffset? End, DateTimeOffset Created);

    private static GraphResponse? ReadRequest(RouteCall call, JsonElement body, out ParsedRequest request)
    {
        request = null!;
        string? action = RouteCall.String(body, "action");
        if (action is not ("adminAssign" or "adminRemove"))
        {
            return call.Error(400, "InvalidRequest", $"The sandbox supports the actions adminAssign and adminRemove; '{action}' is not one of them.");
        }

        string? principalId = RouteCall.String(body, "principalId");
        string? roleId = RouteCall.String(body, "roleDefinitionId");
        if (principalId is null || roleId is null)
        {
            return call.Error(400, "InvalidRequest", "principalId and roleDefinitionId are required.");
        }

        if (call.Tenant.FindObject(principalId) is not ({ } principal and (DirectoryUser or DirectoryGroup or ServicePrincipal)))
        {
            return call.NotFound(principalId);
        }

        if (call.Tenant.FindRoleDefinition(roleId) is not { } role)
        {
            return call.NotFound(roleId);
        }

        DateTimeOffset created = call.Tenant.Stamp();
        DateTimeOffset start = created;
        DateTimeOffset? end = null;
        if (body.TryGetProperty("scheduleInfo", out JsonElement schedule) && schedule.ValueKind == JsonValueKind.Object)
        {
            if (RouteCall.String(schedule, "startDateTime") is { } startText
                && DateTimeOffset.TryParse(startText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsedStart))
            {
                start = parsedStart;
            }

            if (schedule.TryGetProperty("expiration", out JsonElement expiration) && expiration.ValueKind == JsonValueKind.Object)
            {
                switch (RouteCall.String(expiration, "type"))
                {
                    case "afterDateTime" when RouteCall.String(expiration, "endDateTime") is { } endText
                        && DateTimeOffset.TryParse(endText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsedEnd):
                        end = parsedEnd;
                        break;
                    case "afterDuration" when RouteCall.String(expiration, "duration") is { } duration:
                        try
                        {
                            end = start + XmlConvert.ToTimeSpan(duration);
                        }
                        catch (FormatException)
                        {
                            return call.Error(400, "InvalidRequest", $"'{duration}' is not an ISO 8601 duration.");
                        }

                        break;
                    case null or "noExpiration":
                        break;
                    default:
                        return call.Error(400, "InvalidRequest", "scheduleInfo.expiration needs endDateTime for afterDateTime or duration for afterDuration.");
                }
            }
        }

        if (end <= start)
        {
            return call.Error(400, "InvalidRequest", "The schedule ends before it starts.");
        }

        request = new ParsedRequest(action, principal, role, RouteCall.String(body, "directoryScopeId") ?? "/", RouteCall.String(body, "justification"),
            start, end, created);
        return null;
    }

    private static GraphResponse Answer(RouteCall call, GraphResourceShape<ScheduleRequest> shape, ParsedRequest request, string status, string scheduleId)
    {
        var answer = new ScheduleRequest(call.Tenant.NewId(), request.Action, status, request.Principal.Id, request.Role.Id, request.Scope,
            scheduleId, request.Justification, request.Start, request.End, request.Created);
        string set = shape == GraphShapes.RoleAssignmentScheduleRequest ? "roleAssignmentScheduleRequests" : "roleEligibilityScheduleRequests";
        return GraphPayloads.Entity(call, $"roleManagement/directory/{set}/$entity", answer, shape, status: 201);
    }
}
