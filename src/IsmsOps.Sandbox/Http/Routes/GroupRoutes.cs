using System.Text.Json;
using IsmsOps.Sandbox.Directory;
using IsmsOps.Sandbox.Http.Query;

namespace IsmsOps.Sandbox.Http.Routes;

/// <summary>groups: the collection, one group, its members and owners, and the changes Graph refuses.</summary>
internal static class GroupRoutes
{
    private static readonly ListingOptions<DirectoryObject> DirectoryObjects = new() { WithODataType = true };

    public static void Map(RouteTable routes)
    {
        routes.Map("GET groups", call => Expanding(call) ?? GraphPayloads.Collection(call, "groups", call.Tenant.Groups, GraphShapes.Group, Groups(call.Tenant)));
        routes.Map("GET groups/{id}", call => call.WithGroup(group =>
            Expanding(call) ?? GraphPayloads.Entity(call, "groups/$entity", group, GraphShapes.Group, Groups(call.Tenant))));
        routes.Map("GET groups/{id}/members", call => call.WithGroup(group => Objects(call, group.Members)));
        routes.Map("GET groups/{id}/transitiveMembers", call => call.WithGroup(group => Objects(call, group.TransitiveMembers())));
        routes.Map("GET groups/{id}/memberOf", call => call.WithGroup(group => Objects(call, group.MemberOf)));
        routes.Map("GET groups/{id}/owners", call => call.WithGroup(group => Objects(call, group.Owners)));
        routes.Map("POST groups/{id}/members/$ref", call => call.WithGroup(group => call.WithBody(body => AddMember(call, group, body))));
        routes.Map("DELETE groups/{id}/members/{memberId}/$ref", call => call.WithGroup(group =>
            RefuseMembershipChange(call, group) ?? (group.RemoveMember(call["memberId"]) ? GraphResponse.NoContent() : call.NotFound(call["memberId"]))));
        routes.Map("POST groups/{id}/owners/$ref", call => call.WithGroup(group => call.WithBody(body => AddOwner(call, group, body))));
        routes.Map("DELETE groups/{id}/owners/{ownerId}/$ref", call => call.WithGroup(group => RemoveOwner(call, group, call["ownerId"])));
    }

    /// <summary>The relationships a group listing can expand (one per request, at most 20 objects each, as in Graph).</summary>
    private static ListingOptions<DirectoryGroup> Groups(Tenant tenant) => new()
    {
        Expansions =
        [
            new Expansion<DirectoryGroup>("members", g => g.Members),
            new Expansion<DirectoryGroup>("memberOf", g => g.MemberOf),
            new Expansion<DirectoryGroup>("owners", g => g.Owners),
            Expansion<DirectoryGroup>.Of("appRoleAssignments", tenant.AppRoleAssignmentsOf, GraphShapes.AppRoleAssignment),
        ],
    };

    /// <summary>
    /// Expanding a group's app role assignments needs what listing them needs (GET groups/{id}/appRoleAssignments), on
    /// top of reading groups; Graph allows one relationship per $expand on directory objects.
    /// </summary>
    private static GraphResponse? Expanding(RouteCall call)
    {
        if (!call.Request.Query.TryGetValue("$expand", out string? expand))
        {
            return null;
        }

        IReadOnlyList<ExpandOption> options;
        try
        {
            options = ExpandOption.ParseAll(expand);
        }
        catch (FilterException)
        {
            return null; // answered by the listing, with the parse error
        }

        if (options.Count > 1)
        {
            return call.Error(400, "Request_BadRequest", "Only one navigation property can be expanded in a request to directory objects.");
        }

        return options.Any(o => string.Equals(o.Name, "appRoleAssignments", StringComparison.OrdinalIgnoreCase))
            ? call.Demand(RoutePermissions.GroupAppRoleAssignmentRead)
            : null;
    }

    private static GraphResponse Objects(RouteCall call, IReadOnlyList<DirectoryObject> items) =>
        GraphPayloads.Collection(call, "directoryObjects", items, GraphShapes.DirectoryObject, DirectoryObjects);

    private static GraphResponse AddMember(RouteCall call, DirectoryGroup group, JsonElement body)
    {
        if (RouteCall.ReferencedId(body) is not { } memberId)
        {
            return call.BadRequest("The request body must carry an @odata.id that references a directory object.");
        }

        if (call.Tenant.FindObject(memberId) is not { } member)
        {
            return call.NotFound(memberId);
        }

        if (RefuseMembershipChange(call, group) is { } refusal)
        {
            return refusal;
        }

        return ReferenceEquals(member, group) || !group.AddMember(member)
            ? call.BadRequest("One or more added object references already exist for the following modified properties: 'members'.")
            : GraphResponse.NoContent();
    }

    private static GraphResponse AddOwner(RouteCall call, DirectoryGroup group, JsonElement body)
    {
        if (RouteCall.ReferencedId(body) is not { } ownerId)
        {
            return call.BadRequest("The request body must carry an @odata.id that references a user.");
        }

        if (call.Tenant.FindUser(ownerId) is not { } owner)
        {
            return call.NotFound(ownerId);
        }

        return group.AddOwner(owner)
            ? GraphResponse.NoContent()
            : call.BadRequest("One or more added object references already exist for the following modified properties: 'owners'.");
    }

    private static GraphResponse RemoveOwner(RouteCall call, DirectoryGroup group, string ownerId)
    {
        if (group.Owners.FirstOrDefault(o => string.Equals(o.Id, ownerId, StringComparison.OrdinalIgnoreCase)) is not { } owner)
        {
            return call.NotFound(ownerId);
        }

        // A Microsoft 365 group must keep an owner; an offboarding that removes the last one has to add a successor first.
        if (group.IsUnified && group.Owners.Count == 1)
        {
            return call.BadRequest("The group must have at least one owner, hence this owner cannot be removed.");
        }

        group.RemoveOwner(owner);
        return GraphResponse.NoContent();
    }

    /// <summary>
    /// The groups whose membership Graph will not change: the answer tells IsmsOps which other system must act.
    /// </summary>
    private static GraphResponse? RefuseMembershipChange(RouteCall call, DirectoryGroup group)
    {
        if (group.OnPremisesSyncEnabled == true)
        {
            return call.BadRequest("Unable to update the specified properties for on-premises mastered Directory Sync objects or objects currently undergoing migration.");
        }

        if (group.IsDynamic)
        {
            return call.BadRequest("Insufficient privileges to complete the operation: the membership of a dynamic group is computed from its membershipRule.");
        }

        if (group.MailEnabled && group.SecurityEnabled && !group.IsUnified)
        {
            return call.BadRequest("Cannot Update a mail-enabled security groups and or distribution list.");
        }

        return null;
    }
}
