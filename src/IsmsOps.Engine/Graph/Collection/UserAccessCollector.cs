using System.Collections.Concurrent;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.Engine.Graph.Collection;

/// <summary>
/// Collects a snapshot scoped to one user, live: the account, every group it is in (directly or through nesting) with
/// the nesting edges between them, the groups it owns, and every role, app role, delegated grant, licence and device
/// granted to it or to its groups. An offboarding reads this moments before it removes anything, and reads it again to
/// prove what is gone; about a dozen requests, whatever the tenant's size.
/// </summary>
/// <remarks>
/// The result has the same shape as a whole-tenant snapshot (with <see cref="DirectorySnapshot.ScopedToUserId"/>
/// set), so the one access inventory works on both. Group member lists in it hold only the edges that lead to this
/// user: the user in its direct groups, and each nested group in its parents.
/// </remarks>
public sealed class UserAccessCollector
{
    private const string PageSize = "$top=999";

    private readonly GraphReader _reader;
    private readonly string? _collectorVersion;

    public UserAccessCollector(GraphReader reader, string? collectorVersion = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _reader = reader;
        _collectorVersion = collectorVersion;
    }

    /// <summary>Reads one user's access. <paramref name="userIdOrPrincipalName"/> is an object id or a UPN.</summary>
    public async Task<DirectorySnapshot> CollectAsync(string userIdOrPrincipalName, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userIdOrPrincipalName);
        DateTimeOffset started = DateTimeOffset.UtcNow;
        var map = new SnapshotMapper();
        var gaps = new ConcurrentBag<EvidenceGap>
        {
            new() { Area = EvidenceAreas.SignInActivity, Reason = EvidenceGapReason.Excluded, Detail = "Not read for a single user's access inventory." },
        };

        string key = Uri.EscapeDataString(userIdOrPrincipalName);
        SnapshotUser user;
        try
        {
            user = await _reader.GetAsync(GraphOperation.ReadUsers,
                $"/users/{key}?$select={SnapshotMapper.UserProperties}&$expand=manager($select=id)", map.User, cancellationToken).ConfigureAwait(false);
        }
        catch (IsmsException error) when (error.ErrorId == "IsmsOps.Graph.NotFound")
        {
            throw new UserNotFoundException(userIdOrPrincipalName, error);
        }
        string userPath = $"/users/{user.Id}";

        Task<SnapshotTenant> tenant = _reader.GetAsync(GraphOperation.ReadOrganization, "/organization?$select=id,displayName,verifiedDomains", map.Tenant, cancellationToken);
        Task<List<SnapshotGroup>> transitive = ListGroupsAsync(GraphOperation.ReadGroupMembers, $"{userPath}/transitiveMemberOf?$select={SnapshotMapper.GroupProperties}&{PageSize}", map, cancellationToken);
        Task<List<string>> direct = ListIdsAsync(GraphOperation.ReadGroupMembers, $"{userPath}/memberOf?$select=id&{PageSize}", map, cancellationToken);
        Task<List<SnapshotGroup>> owned = ListGroupsAsync(GraphOperation.ReadGroupMembers, $"{userPath}/ownedObjects?$select={SnapshotMapper.GroupProperties}&{PageSize}", map, cancellationToken);
        Task<List<SnapshotRoleDefinition>> definitions = _reader.ListAllAsync(GraphOperation.ReadRoleAssignments,
            $"/roleManagement/directory/roleDefinitions?$select={SnapshotMapper.RoleDefinitionProperties}", map.RoleDefinition, cancellationToken);
        Task<List<SnapshotDelegatedGrant>> grants = _reader.ListAllAsync(GraphOperation.ReadDelegatedGrants,
            $"/oauth2PermissionGrants?$filter={PrincipalFilter(user.Id)}&$select={SnapshotMapper.DelegatedGrantProperties}", map.DelegatedGrant, cancellationToken);
        Task<List<SnapshotSku>> skus = _reader.ListAllAsync(GraphOperation.ReadLicenses, "/subscribedSkus?$select=skuId,skuPartNumber", map.Sku, cancellationToken);
        Task<List<SnapshotDevice>> ownedDevices = _reader.ListAllAsync(GraphOperation.ReadDevices, $"{userPath}/ownedDevices?$select={SnapshotMapper.DeviceProperties}&{PageSize}", map.Device, cancellationToken);
        Task<List<SnapshotDevice>> registeredDevices = _reader.ListAllAsync(GraphOperation.ReadDevices, $"{userPath}/registeredDevices?$select={SnapshotMapper.DeviceProperties}&{PageSize}", map.Device, cancellationToken);
        Task<SnapshotAuthenticationRegistration?> registration = ReadRegistrationAsync(user.Id, map, gaps, cancellationToken);

        await Task.WhenAll(tenant, transitive, direct, owned, definitions, grants, skus, ownedDevices, registeredDevices, registration).ConfigureAwait(false);

        // Groups the user is in or owns; directory roles and administrative units in memberOf are not groups.
        var groups = transitive.Result.Concat(owned.Result).GroupBy(g => g.Id).Select(g => g.First()).ToList();
        var memberOf = transitive.Result.Select(g => g.Id).ToHashSet(StringComparer.Ordinal);
        var ownedIds = owned.Result.Select(g => g.Id).ToHashSet(StringComparer.Ordinal);

        // Nesting edges among the user's groups, and the owners of every group the user owns (is it the last one?).
        var parents = new ConcurrentDictionary<string, List<string>>(StringComparer.Ordinal);
        var owners = new Dictionary<string, List<DirectoryObjectRef>>(StringComparer.Ordinal);
        var relationships = memberOf
            .Select(id => ((id, Owners: false), $"/groups/{id}/memberOf?$select=id&{PageSize}"))
            .Concat(ownedIds.Select(id => ((id, Owners: true), $"/groups/{id}/owners?$select=id&{PageSize}")));
        await _reader.FanOutAsync(GraphOperation.ReadGroupMembers, relationships, (k, item) =>
        {
            if (k.Owners)
            {
                (owners.TryGetValue(k.id, out var list) ? list : owners[k.id] = []).Add(map.Reference(item));
            }
            else if (GraphJson.Kind(item) == DirectoryObjectKind.Group)
            {
                parents.GetOrAdd(k.id, _ => []).Add(map.Intern(GraphJson.RequiredString(item, "id")));
            }
        }, cancellationToken).ConfigureAwait(false);

        var directSet = direct.Result.ToHashSet(StringComparer.Ordinal);
        var members = groups.ToDictionary(g => g.Id, _ => new List<DirectoryObjectRef>(), StringComparer.Ordinal);
        foreach (SnapshotGroup group in groups.Where(g => directSet.Contains(g.Id)))
        {
            members[group.Id].Add(new DirectoryObjectRef(user.Id, DirectoryObjectKind.User));
        }

        foreach ((string child, List<string> childParents) in parents)
        {
            foreach (string parent in childParents.Where(members.ContainsKey))
            {
                members[parent].Add(new DirectoryObjectRef(child, DirectoryObjectKind.Group));
            }
        }

        groups = groups
            .Select(g => g with { Members = members[g.Id], Owners = owners.TryGetValue(g.Id, out var o) ? o : [] })
            .ToList();

        // Roles and app roles reach a user directly or through any group it is in.
        var principals = new[] { user.Id }.Concat(memberOf).ToList();
        List<SnapshotRoleAssignment> roles = await ReadRoleAssignmentsAsync(user.Id, groups, map, gaps, cancellationToken).ConfigureAwait(false);
        List<SnapshotAppRoleAssignment> appRoles = await _reader.FanOutAllAsync(GraphOperation.ReadAppRoleAssignments,
            principals.Select(p => (p, p == user.Id
                ? $"{userPath}/appRoleAssignments?$select={SnapshotMapper.AppRoleAssignmentProperties}&{PageSize}"
                : $"/groups/{p}/appRoleAssignments?$select={SnapshotMapper.AppRoleAssignmentProperties}&{PageSize}")),
            map.AppRoleAssignment, cancellationToken).ConfigureAwait(false);

        // The applications those grants point at, so the inventory can name them.
        var applicationIds = appRoles.Select(a => a.ResourceId)
            .Concat(grants.Result.SelectMany(g => new[] { g.ClientId, g.ResourceId }))
            .Distinct(StringComparer.Ordinal);
        List<SnapshotServicePrincipal> applications = await _reader.FanOutAllAsync(GraphOperation.ReadServicePrincipals,
            applicationIds.Select(id => (id, $"/servicePrincipals/{id}?$select={SnapshotMapper.ServicePrincipalProperties}")),
            map.ServicePrincipal, cancellationToken).ConfigureAwait(false);

        List<SnapshotDevice> devices = MergeDevices(user.Id, ownedDevices.Result, registeredDevices.Result);

        return new DirectorySnapshot
        {
            Tenant = tenant.Result,
            CollectedAt = started,
            CompletedAt = DateTimeOffset.UtcNow,
            Source = _reader.BaseUrl,
            CollectorVersion = _collectorVersion,
            ScopedToUserId = user.Id,
            EvidenceGaps = gaps.OrderBy(g => g.Area, StringComparer.Ordinal).ToList(),
            Users = [user],
            Groups = groups,
            RoleDefinitions = definitions.Result,
            RoleAssignments = roles,
            ServicePrincipals = applications,
            AppRoleAssignments = appRoles,
            DelegatedGrants = grants.Result,
            Skus = skus.Result,
            AuthenticationRegistrations = registration.Result is { } r ? [r] : [],
            Devices = devices,
        };
    }

    private async Task<List<SnapshotRoleAssignment>> ReadRoleAssignmentsAsync(
        string userId, List<SnapshotGroup> groups, SnapshotMapper map, ConcurrentBag<EvidenceGap> gaps, CancellationToken cancellationToken)
    {
        // Only role-assignable groups can hold directory roles.
        var principals = new[] { userId }.Concat(groups.Where(g => g.IsAssignableToRole).Select(g => g.Id)).Distinct().ToList();
        const string roles = "/roleManagement/directory/";
        List<SnapshotRoleAssignment> active = await _reader.FanOutAllAsync(GraphOperation.ReadRoleAssignments,
            principals.Select(p => (p, $"{roles}roleAssignments?$filter={PrincipalFilter(p)}&$select={SnapshotMapper.RoleAssignmentProperties}")),
            map.RoleAssignment, cancellationToken).ConfigureAwait(false);
        try
        {
            List<SnapshotRoleAssignment> activeSchedules = await _reader.FanOutAllAsync(GraphOperation.ReadRoleSchedules,
                principals.Select(p => (p, $"{roles}roleAssignmentSchedules?$filter={PrincipalFilter(p)}&$select={SnapshotMapper.RoleScheduleProperties}")),
                item => map.RoleSchedule(item, RoleAssignmentState.Active), cancellationToken).ConfigureAwait(false);
            List<SnapshotRoleAssignment> eligible = await _reader.FanOutAllAsync(GraphOperation.ReadRoleSchedules,
                principals.Select(p => (p, $"{roles}roleEligibilitySchedules?$filter={PrincipalFilter(p)}&$select={SnapshotMapper.RoleScheduleProperties}")),
                item => map.RoleSchedule(item, RoleAssignmentState.Eligible), cancellationToken).ConfigureAwait(false);
            return SnapshotMapper.MergeRoleSchedules(active, activeSchedules, eligible);
        }
        catch (IsmsException error) when (EvidenceGaps.From(error, EvidenceAreas.RoleSchedules) is { } gap)
        {
            gaps.Add(gap);
            return active;
        }
    }

    private async Task<SnapshotAuthenticationRegistration?> ReadRegistrationAsync(
        string userId, SnapshotMapper map, ConcurrentBag<EvidenceGap> gaps, CancellationToken cancellationToken)
    {
        try
        {
            return await _reader.GetAsync(GraphOperation.ReadAuthenticationMethodsReport, $"/reports/authenticationMethods/userRegistrationDetails/{userId}", map.Registration, cancellationToken).ConfigureAwait(false);
        }
        catch (IsmsException error) when (error.ErrorId == "IsmsOps.Graph.NotFound")
        {
            // The report has no row yet for an account created in the last few hours.
            return null;
        }
        catch (IsmsException error) when (EvidenceGaps.From(error, EvidenceAreas.AuthenticationRegistration) is { } gap)
        {
            gaps.Add(gap);
            return null;
        }
    }

    /// <summary>Graph has no user with the id or UPN asked for; the caller says where it looked.</summary>
    public sealed class UserNotFoundException(string user, Exception inner) : Exception($"Graph has no user '{user}'.", inner);

    /// <summary>An OData filter on principalId, escaped for a URL (ids are GUIDs, so no quote needs doubling).</summary>
    private static string PrincipalFilter(string principalId) => Uri.EscapeDataString($"principalId eq '{principalId}'");

    private static List<SnapshotDevice> MergeDevices(string userId, List<SnapshotDevice> owned, List<SnapshotDevice> registered)
    {
        var ownedIds = owned.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        var registeredIds = registered.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        return owned.Concat(registered)
            .GroupBy(d => d.Id, StringComparer.Ordinal)
            .Select(g => g.First() with
            {
                RegisteredOwnerIds = ownedIds.Contains(g.Key) ? [userId] : [],
                RegisteredUserIds = registeredIds.Contains(g.Key) ? [userId] : [],
            })
            .ToList();
    }

    private async Task<List<SnapshotGroup>> ListGroupsAsync(GraphOperation operation, string url, SnapshotMapper map, CancellationToken cancellationToken)
    {
        var groups = new List<SnapshotGroup>();
        await _reader.ListAsync(operation, url, item =>
        {
            if (GraphJson.Kind(item) == DirectoryObjectKind.Group)
            {
                groups.Add(map.Group(item));
            }
        }, cancellationToken).ConfigureAwait(false);
        return groups;
    }

    private async Task<List<string>> ListIdsAsync(GraphOperation operation, string url, SnapshotMapper map, CancellationToken cancellationToken)
    {
        var ids = new List<string>();
        await _reader.ListAsync(operation, url, item =>
        {
            if (GraphJson.Kind(item) == DirectoryObjectKind.Group)
            {
                ids.Add(map.Intern(GraphJson.RequiredString(item, "id")));
            }
        }, cancellationToken).ConfigureAwait(false);
        return ids;
    }
}
