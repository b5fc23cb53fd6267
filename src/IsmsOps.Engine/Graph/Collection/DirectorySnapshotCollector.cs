using System.Collections.Concurrent;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.Engine.Graph.Collection;

/// <summary>How far a collection has got, for progress bars.</summary>
/// <param name="Stage">What is being read, e.g. "Users" or "Group members".</param>
/// <param name="Completed">Objects (or requests, for fan-out stages) done so far in that stage.</param>
/// <param name="Total">The stage's total when known in advance.</param>
public sealed record SnapshotProgress(string Stage, long Completed, long? Total);

/// <summary>
/// Collects a whole-tenant <see cref="DirectorySnapshot"/> from Graph with close to the fewest requests the API allows:
/// collections are listed 999 at a time with <c>$select</c>, per-object relationships (group members and owners, app
/// role assignments) go 20 to a <c>$batch</c>, and transitive membership is derived rather than requested. See
/// docs/directory-snapshot.md for the request budget.
/// </summary>
/// <remarks>
/// Evidence that needs a licence the tenant may lack (sign-in activity and MFA registration need Entra ID P1, PIM
/// schedules need P2) is probed or read separately, and its absence is recorded as an <see cref="EvidenceGap"/>
/// instead of failing the run. Anything else that fails fails the whole collection: a partial snapshot must never pass
/// for a complete one.
/// </remarks>
public sealed class DirectorySnapshotCollector
{
    private const string PageSize = "$top=999";

    private readonly GraphReader _reader;
    private readonly string? _collectorVersion;
    private readonly SnapshotMapper _map = new();

    public DirectorySnapshotCollector(GraphReader reader, string? collectorVersion = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _reader = reader;
        _collectorVersion = collectorVersion;
    }

    /// <summary>Reads the whole tenant. Throws on anything but a licence gap; never returns a partial snapshot.</summary>
    public async Task<DirectorySnapshot> CollectAsync(IProgress<SnapshotProgress>? progress, CancellationToken cancellationToken)
    {
        DateTimeOffset started = DateTimeOffset.UtcNow;
        var gaps = new ConcurrentBag<EvidenceGap>();

        SnapshotTenant tenant = await _reader.GetAsync(GraphOperation.ReadOrganization, "/organization?$select=id,displayName,verifiedDomains", _map.Tenant, cancellationToken).ConfigureAwait(false);
        bool signIns = await ProbeSignInActivityAsync(gaps, cancellationToken).ConfigureAwait(false);

        Task<List<SnapshotUser>> users = ReadUsersAsync(signIns, progress, cancellationToken);
        Task<List<SnapshotGroup>> groups = ReadGroupsAsync(progress, cancellationToken);
        Task<(List<SnapshotRoleDefinition>, List<SnapshotRoleAssignment>)> roles = ReadRolesAsync(gaps, cancellationToken);
        Task<(List<SnapshotServicePrincipal>, List<SnapshotAppRoleAssignment>)> apps = ReadApplicationsAsync(progress, cancellationToken);
        Task<List<SnapshotDelegatedGrant>> grants = _reader.ListAllAsync(GraphOperation.ReadDelegatedGrants, $"/oauth2PermissionGrants?$select={SnapshotMapper.DelegatedGrantProperties}&{PageSize}", _map.DelegatedGrant, cancellationToken);
        Task<List<SnapshotSku>> skus = _reader.ListAllAsync(GraphOperation.ReadLicenses, "/subscribedSkus?$select=skuId,skuPartNumber", _map.Sku, cancellationToken);
        Task<List<SnapshotAuthenticationRegistration>> registrations = ReadRegistrationsAsync(gaps, progress, cancellationToken);
        Task<List<SnapshotDevice>> devices = ReadDevicesAsync(progress, cancellationToken);
        Task<Dictionary<string, IReadOnlyList<string>>> sponsors = ReadSponsorsAsync(progress, cancellationToken);

        await Task.WhenAll(users, groups, roles, apps, grants, skus, registrations, devices, sponsors).ConfigureAwait(false);

        // Everything in id order, whatever order pages and batches came back in: the same directory then gives the
        // same content digest, so an unchanged tenant is provably unchanged.
        return new DirectorySnapshot
        {
            Tenant = tenant,
            CollectedAt = started,
            CompletedAt = DateTimeOffset.UtcNow,
            Source = _reader.BaseUrl,
            CollectorVersion = _collectorVersion,
            EvidenceGaps = gaps.OrderBy(g => g.Area, StringComparer.Ordinal).ToList(),
            SponsorsCollected = true,
            Users = ById(WithSponsors(users.Result, sponsors.Result), u => u.Id),
            Groups = ById(groups.Result, g => g.Id),
            RoleDefinitions = ById(roles.Result.Item1, r => r.Id),
            RoleAssignments = ById(roles.Result.Item2, r => r.Id),
            ServicePrincipals = ById(apps.Result.Item1, p => p.Id),
            AppRoleAssignments = ById(apps.Result.Item2, a => a.Id),
            DelegatedGrants = ById(grants.Result, g => g.Id),
            Skus = ById(skus.Result, s => s.SkuId),
            AuthenticationRegistrations = ById(registrations.Result, r => r.UserId),
            Devices = ById(devices.Result, d => d.Id),
        };
    }

    /// <summary>
    /// signInActivity needs Entra ID P1 and AuditLog.Read.All. Asking for it in the main user listing would fail the
    /// whole listing on a tenant without either, so one cheap request finds out first.
    /// </summary>
    private async Task<bool> ProbeSignInActivityAsync(ConcurrentBag<EvidenceGap> gaps, CancellationToken cancellationToken)
    {
        try
        {
            await _reader.GetAsync(GraphOperation.ReadSignInActivity, "/users?$select=id,signInActivity&$top=1", _ => true, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (IsmsException error) when (EvidenceGaps.From(error, EvidenceAreas.SignInActivity) is { } gap)
        {
            gaps.Add(gap);
            return false;
        }
    }

    /// <summary>Reads every user (without sign-in activity) and nothing else: what a review of accounts needs, at a fraction of a full collection.</summary>
    public Task<List<SnapshotUser>> CollectUsersAsync(CancellationToken cancellationToken) => ReadUsersAsync(signIns: false, progress: null, cancellationToken);

    private async Task<List<SnapshotUser>> ReadUsersAsync(bool signIns, IProgress<SnapshotProgress>? progress, CancellationToken cancellationToken)
    {
        var users = new List<SnapshotUser>();
        string select = signIns ? SnapshotMapper.UserProperties + ",signInActivity" : SnapshotMapper.UserProperties;
        await _reader.ListAsync(signIns ? GraphOperation.ReadSignInActivity : GraphOperation.ReadUsers, $"/users?$select={select}&$expand=manager($select=id)&{PageSize}", item =>
        {
            users.Add(_map.User(item));
            if (users.Count % 999 == 0)
            {
                progress?.Report(new SnapshotProgress("Users", users.Count, null));
            }
        }, cancellationToken).ConfigureAwait(false);
        progress?.Report(new SnapshotProgress("Users", users.Count, users.Count));
        return users;
    }

    /// <summary>
    /// Every guest's sponsors, by guest id. Graph expands one relationship per request and the user listing already
    /// expands the manager, so the guests are listed once more with <c>$expand=sponsors</c>: ⌈guests/999⌉ requests.
    /// An expanded collection stops at 20 objects without a link to the rest, so a guest showing 20 is read in full
    /// through <c>/users/{id}/sponsors</c>, 20 to a <c>$batch</c>.
    /// </summary>
    private async Task<Dictionary<string, IReadOnlyList<string>>> ReadSponsorsAsync(IProgress<SnapshotProgress>? progress, CancellationToken cancellationToken)
    {
        const int ExpandLimit = 20;
        var sponsors = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        string guests = Uri.EscapeDataString("userType eq 'Guest'");
        await _reader.ListAsync(GraphOperation.ReadUsers, $"/users?$filter={guests}&$select=id&$expand=sponsors($select=id)&{PageSize}",
            item => sponsors[_map.Intern(GraphJson.RequiredString(item, "id"))] = _map.ExpandedIds(item, "sponsors"),
            cancellationToken).ConfigureAwait(false);

        string[] cut = sponsors.Where(s => s.Value.Count >= ExpandLimit).Select(s => s.Key).ToArray();
        if (cut.Length > 0)
        {
            var full = cut.ToDictionary(id => id, _ => new List<string>(), StringComparer.Ordinal);
            await _reader.FanOutAsync(GraphOperation.ReadUsers, cut.Select(id => (id, $"/users/{id}/sponsors?$select=id&{PageSize}")),
                (id, item) => full[id].Add(_map.Intern(GraphJson.RequiredString(item, "id"))), cancellationToken).ConfigureAwait(false);
            foreach ((string id, List<string> all) in full)
            {
                sponsors[id] = all;
            }
        }

        progress?.Report(new SnapshotProgress("Guest sponsors", sponsors.Count, sponsors.Count));
        return sponsors;
    }

    // A guest created between the two listings has no entry and keeps an empty list: as if listed a moment earlier.
    private static List<SnapshotUser> WithSponsors(List<SnapshotUser> users, Dictionary<string, IReadOnlyList<string>> sponsors)
    {
        for (int i = 0; i < users.Count; i++)
        {
            if (sponsors.TryGetValue(users[i].Id, out IReadOnlyList<string>? ids) && ids.Count > 0)
            {
                users[i] = users[i] with { SponsorIds = ids.Order(StringComparer.Ordinal).ToList() };
            }
        }

        return users;
    }

    private async Task<List<SnapshotGroup>> ReadGroupsAsync(IProgress<SnapshotProgress>? progress, CancellationToken cancellationToken)
    {
        List<SnapshotGroup> groups = await _reader.ListAllAsync(GraphOperation.ReadGroups, $"/groups?$select={SnapshotMapper.GroupProperties}&{PageSize}", _map.Group, cancellationToken).ConfigureAwait(false);
        progress?.Report(new SnapshotProgress("Groups", groups.Count, groups.Count));

        var members = groups.ToDictionary(g => g.Id, _ => new List<DirectoryObjectRef>(), StringComparer.Ordinal);
        var owners = groups.ToDictionary(g => g.Id, _ => new List<DirectoryObjectRef>(), StringComparer.Ordinal);
        long done = 0;
        var relationships = groups.SelectMany(g => new[]
        {
            ((g.Id, Owners: false), $"/groups/{g.Id}/members?$select=id&{PageSize}"),
            ((g.Id, Owners: true), $"/groups/{g.Id}/owners?$select=id&{PageSize}"),
        });
        IReadOnlyCollection<(string Id, bool Owners)> vanished = await _reader.FanOutAsync(GraphOperation.ReadGroupMembers, relationships, (key, item) =>
        {
            (key.Owners ? owners : members)[key.Id].Add(_map.Reference(item));
            if (++done % 10_000 == 0)
            {
                progress?.Report(new SnapshotProgress("Group members and owners", done, null));
            }
        }, cancellationToken).ConfigureAwait(false);

        // A group deleted while we read it is simply not in the snapshot, as if listed a moment later.
        var gone = vanished.Select(v => v.Id).ToHashSet(StringComparer.Ordinal);
        return groups
            .Where(g => !gone.Contains(g.Id))
            .Select(g => g with { Members = ById(members[g.Id], m => m.Id), Owners = ById(owners[g.Id], o => o.Id) })
            .ToList();
    }

    private async Task<(List<SnapshotRoleDefinition>, List<SnapshotRoleAssignment>)> ReadRolesAsync(
        ConcurrentBag<EvidenceGap> gaps, CancellationToken cancellationToken)
    {
        const string roles = "/roleManagement/directory/";
        List<SnapshotRoleDefinition> definitions = await _reader.ListAllAsync(GraphOperation.ReadRoleAssignments,
            $"{roles}roleDefinitions?$select={SnapshotMapper.RoleDefinitionProperties}", _map.RoleDefinition, cancellationToken).ConfigureAwait(false);
        List<SnapshotRoleAssignment> active = await _reader.ListAllAsync(GraphOperation.ReadRoleAssignments,
            $"{roles}roleAssignments?$select={SnapshotMapper.RoleAssignmentProperties}", _map.RoleAssignment, cancellationToken).ConfigureAwait(false);
        try
        {
            List<SnapshotRoleAssignment> activeSchedules = await _reader.ListAllAsync(GraphOperation.ReadRoleSchedules,
                $"{roles}roleAssignmentSchedules?$select={SnapshotMapper.RoleScheduleProperties}",
                item => _map.RoleSchedule(item, RoleAssignmentState.Active), cancellationToken).ConfigureAwait(false);
            List<SnapshotRoleAssignment> eligible = await _reader.ListAllAsync(GraphOperation.ReadRoleSchedules,
                $"{roles}roleEligibilitySchedules?$select={SnapshotMapper.RoleScheduleProperties}",
                item => _map.RoleSchedule(item, RoleAssignmentState.Eligible), cancellationToken).ConfigureAwait(false);
            return (definitions, SnapshotMapper.MergeRoleSchedules(active, activeSchedules, eligible));
        }
        catch (IsmsException error) when (EvidenceGaps.From(error, EvidenceAreas.RoleSchedules) is { } gap)
        {
            gaps.Add(gap);
            return (definitions, active);
        }
    }

    private async Task<(List<SnapshotServicePrincipal>, List<SnapshotAppRoleAssignment>)> ReadApplicationsAsync(
        IProgress<SnapshotProgress>? progress, CancellationToken cancellationToken)
    {
        List<SnapshotServicePrincipal> principals = await _reader.ListAllAsync(GraphOperation.ReadServicePrincipals,
            $"/servicePrincipals?$select={SnapshotMapper.ServicePrincipalProperties}&{PageSize}", _map.ServicePrincipal, cancellationToken).ConfigureAwait(false);

        List<SnapshotAppRoleAssignment> assignments = await _reader.FanOutAllAsync(GraphOperation.ReadAppRoleAssignments,
            principals.Select(p => (p.Id, $"/servicePrincipals/{p.Id}/appRoleAssignedTo?$select={SnapshotMapper.AppRoleAssignmentProperties}&{PageSize}")),
            _map.AppRoleAssignment, cancellationToken).ConfigureAwait(false);
        progress?.Report(new SnapshotProgress("App role assignments", assignments.Count, assignments.Count));
        return (principals, assignments);
    }

    private async Task<List<SnapshotAuthenticationRegistration>> ReadRegistrationsAsync(
        ConcurrentBag<EvidenceGap> gaps, IProgress<SnapshotProgress>? progress, CancellationToken cancellationToken)
    {
        try
        {
            List<SnapshotAuthenticationRegistration> registrations = await _reader.ListAllAsync(GraphOperation.ReadAuthenticationMethodsReport,
                $"/reports/authenticationMethods/userRegistrationDetails?$select={SnapshotMapper.RegistrationProperties}&{PageSize}",
                _map.Registration, cancellationToken).ConfigureAwait(false);
            progress?.Report(new SnapshotProgress("MFA registration", registrations.Count, registrations.Count));
            return registrations;
        }
        catch (IsmsException error) when (EvidenceGaps.From(error, EvidenceAreas.AuthenticationRegistration) is { } gap)
        {
            gaps.Add(gap);
            return [];
        }
    }

    private async Task<List<SnapshotDevice>> ReadDevicesAsync(IProgress<SnapshotProgress>? progress, CancellationToken cancellationToken)
    {
        // Graph expands one relationship per request, so owners and registered users take one listing each.
        List<SnapshotDevice> devices = await _reader.ListAllAsync(GraphOperation.ReadDevices,
            $"/devices?$select={SnapshotMapper.DeviceProperties}&$expand=registeredOwners($select=id)&{PageSize}", _map.Device, cancellationToken).ConfigureAwait(false);

        var registeredUsers = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        await _reader.ListAsync(GraphOperation.ReadDevices, $"/devices?$select=id&$expand=registeredUsers($select=id)&{PageSize}",
            item => registeredUsers[GraphJson.RequiredString(item, "id")] = _map.ExpandedIds(item, "registeredUsers"),
            cancellationToken).ConfigureAwait(false);

        progress?.Report(new SnapshotProgress("Devices", devices.Count, devices.Count));
        return devices
            .Select(d => registeredUsers.TryGetValue(d.Id, out IReadOnlyList<string>? users) ? d with { RegisteredUserIds = users } : d)
            .ToList();
    }

    private static List<T> ById<T>(List<T> items, Func<T, string> id)
    {
        items.Sort((a, b) => string.CompareOrdinal(id(a), id(b)));
        return items;
    }
}
