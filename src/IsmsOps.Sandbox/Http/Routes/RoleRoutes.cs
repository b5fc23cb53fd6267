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

        routes.Map($"POST {Root}/roleAssignmentScheduleRequests", call => call.WithBody(body => Request(call, body, Assignments)));
        routes.Map($"POST {Root}/roleEligibilityScheduleRequests", call => call.WithBody(body => Request(call, body, Eligibilities)));
    }

    /// <summary>What differs between the two PIM request endpoints: the records they change and the entity set they answer as.</summary>
    private sealed record ScheduleKind<T>(string RequestSet, GraphResourceShape<ScheduleRequest> Shape, Func<Tenant, IReadOnlyList<T>> Held,
        Func<string, ParsedRequest, T> Create, Action<Tenant, T> Add, Func<Tenant, T, bool> Remove)
        where T : RoleSchedule;

    private static readonly ScheduleKind<RoleAssignment> Assignments = new("roleAssignmentScheduleRequests", GraphShapes.RoleAssignmentScheduleRequest,
        tenant => tenant.RoleAssignments,
        (id, request) => new RoleAssignment
        {
            Id = id,
            Principal = request.Principal,
            Role = request.Role,
            DirectoryScopeId = request.Scope,
            StartDateTime = request.Start,
            EndDateTime = request.End,
            CreatedDateTime = request.Created,
        },
        (tenant, assignment) => tenant.Add(assignment),
        (tenant, assignment) => tenant.Remove(assignment));

    private static readonly ScheduleKind<RoleEligibility> Eligibilities = new("roleEligibilityScheduleRequests", GraphShapes.RoleEligibilityScheduleRequest,
        tenant => tenant.RoleEligibilities,
        (id, request) => new RoleEligibility
        {
            Id = id,
            Principal = request.Principal,
            Role = request.Role,
            DirectoryScopeId = request.Scope,
            StartDateTime = request.Start,
            EndDateTime = request.End,
            CreatedDateTime = request.Created,
        },
        (tenant, eligibility) => tenant.Add(eligibility),
        (tenant, eligibility) => tenant.Remove(eligibility));

    private static GraphResponse Request<T>(RouteCall call, JsonElement body, ScheduleKind<T> kind)
        where T : RoleSchedule
    {
        if (ReadRequest(call, body, out var request) is { } error)
        {
            return error;
        }

        Tenant tenant = call.Tenant;
        T? existing = kind.Held(tenant).FirstOrDefault(s => s.Principal == request.Principal && s.Role == request.Role
            && string.Equals(s.DirectoryScopeId, request.Scope, StringComparison.OrdinalIgnoreCase));
        if (request.Action == "adminRemove")
        {
            // PIM answers a missing eligibility with the same code as a missing assignment.
            if (existing is null)
            {
                return call.Error(400, "RoleAssignmentDoesNotExist", "The Role assignment does not exist.");
            }

            kind.Remove(tenant, existing);
            return Answer(call, kind, request, "Revoked", existing.Id);
        }

        if (existing is not null)
        {
            return call.Error(400, "RoleAssignmentExists", "The Role assignment already exists.");
        }

        T schedule = kind.Create(tenant.NewOpaqueId(), request);
        kind.Add(tenant, schedule);
        return Answer(call, kind, request, "Provisioned", schedule.Id);
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

    private static GraphResponse Answer<T>(RouteCall call, ScheduleKind<T> kind, ParsedRequest request, string status, string scheduleId)
        where T : RoleSchedule
    {
        var answer = new ScheduleRequest(call.Tenant.NewId(), request.Action, status, request.Principal.Id, request.Role.Id, request.Scope,
            scheduleId, request.Justification, request.Start, request.End, request.Created);
        return GraphPayloads.Entity(call, $"{Root}/{kind.RequestSet}/$entity", answer, kind.Shape, status: 201);
    }
}
