using System.Text.Json;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.Engine.Graph.Collection;

/// <summary>
/// A GET about the collected user that a caller wants answered in the collector's first $batch rather than in requests
/// of its own: <see cref="PathAfterUser"/> follows <c>/users/{id or UPN}</c> (for example <c>/authentication/methods</c>,
/// or <c>?$select=id,signInSessionsValidFromDateTime</c>), and <see cref="OnItem"/> receives each element of the
/// answer (every page), or the entity itself. A refusal fails the collection, as a request of the caller's own would.
/// </summary>
public sealed record UserRead(GraphOperation Operation, string PathAfterUser, Action<JsonElement> OnItem);

/// <summary>
/// Collects a snapshot scoped to one user, live: the account, every group it is in (directly or through nesting) with
/// the nesting edges between them, the groups it owns, and every role, app role, delegated grant, licence and device
/// granted to it or to its groups. An offboarding reads this moments before it removes anything, and reads it again to
/// prove what is gone.
/// </summary>
/// <remarks>
/// <para>The result has the same shape as a whole-tenant snapshot (with <see cref="DirectorySnapshot.ScopedToUserId"/>
/// set), so the one access inventory works on both. Group member lists in it hold only the edges that lead to this
/// user: the user in its direct groups, and each nested group in its parents.</para>
/// <para>Every GET goes through JSON $batch, in rounds: first everything about the user that needs nothing else (one
/// $batch), then what depends on it: the nesting edges, app roles and owners of the user's groups, read 15 groups at a
/// time with <c>/groups?$filter=id in (…)&amp;$expand=…</c> (Graph's limit for <c>in</c>), and the roles of
/// role-assignable groups; last the service principals that name the applications. Graph returns at most 20 objects
/// of an expanded relationship and no link to the rest, so a group whose expansion comes back with 20 is read again in
/// full in the next round. docs/access-inventory.md counts the requests.</para>
/// </remarks>
public sealed class UserAccessCollector
{
    /// <summary>The most objects Graph returns for an expanded relationship of a directory object, with no link to more.</summary>
    internal const int ExpandLimit = 20;

    /// <summary>The most values Graph takes in one <c>in (…)</c> of a $filter (without advanced queries).</summary>
    internal const int FilterInLimit = 15;

    private const string PageSize = "$top=999";
    private const string RoleRoot = "/roleManagement/directory/";

    private readonly GraphReader _reader;
    private readonly string? _collectorVersion;

    public UserAccessCollector(GraphReader reader, string? collectorVersion = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        _reader = reader;
        _collectorVersion = collectorVersion;
    }

    /// <summary>Reads one user's access. <paramref name="userIdOrPrincipalName"/> is an object id or a UPN.</summary>
    public Task<DirectorySnapshot> CollectAsync(string userIdOrPrincipalName, CancellationToken cancellationToken) =>
        CollectAsync(userIdOrPrincipalName, [], cancellationToken);

    /// <summary>
    /// Reads one user's access, and answers <paramref name="alongside"/> in the same first $batch (the offboarding
    /// verifier's account, methods and reports), so a caller that needs a few more facts about the user pays no extra
    /// round trip for them.
    /// </summary>
    public async Task<DirectorySnapshot> CollectAsync(string userIdOrPrincipalName, IReadOnlyList<UserRead> alongside, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userIdOrPrincipalName);
        ArgumentNullException.ThrowIfNull(alongside);
        var read = new Collection(this, userIdOrPrincipalName, cancellationToken);
        return await read.RunAsync(alongside).ConfigureAwait(false);
    }

    /// <summary>Graph has no user with the id or UPN asked for; the caller says where it looked.</summary>
    public sealed class UserNotFoundException(string user, Exception inner) : Exception($"Graph has no user '{user}'.", inner);

    /// <summary>An OData filter on principalId, escaped for a URL (ids are GUIDs, so no quote needs doubling).</summary>
    private static string PrincipalFilter(string principalId) => Uri.EscapeDataString($"principalId eq '{principalId}'");

    /// <summary>An OData filter on id for a handful of ids, escaped for a URL.</summary>
    private static string IdFilter(IEnumerable<string> ids) => Uri.EscapeDataString($"id in ({string.Join(',', ids.Select(id => $"'{id}'"))})");

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

    /// <summary>
    /// One GET of a round: what to call, what to do with each element, and, for an optional area, the evidence area a
    /// refusal becomes a gap in. <see cref="FeedsApplications"/> marks reads that find service principals to name.
    /// </summary>
    private sealed class Read(GraphOperation operation, string url, Action<JsonElement> onItem)
    {
        public GraphOperation Operation { get; } = operation;

        public string Url { get; } = url;

        public Action<JsonElement> OnItem { get; } = onItem;

        public string? GapArea { get; init; }

        public bool FeedsApplications { get; init; }

        /// <summary>The PIM schedule reads, whose refusal drops every schedule, not just their own.</summary>
        public bool IsSchedule { get; init; }
    }

    /// <summary>The state of one collection: what has been read so far, and what the next round has to read.</summary>
    private sealed class Collection(UserAccessCollector owner, string userIdOrPrincipalName, CancellationToken cancellationToken)
    {
        private readonly SnapshotMapper _map = new();
        private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
        private readonly List<EvidenceGap> _gaps =
        [
            new() { Area = EvidenceAreas.SignInActivity, Reason = EvidenceGapReason.Excluded, Detail = "Not read for a single user's access inventory." },
        ];

        private readonly List<Read> _next = [];
        private readonly List<(Read Read, IsmsException Error)> _failures = [];
        private readonly HashSet<string> _applicationsAsked = new(StringComparer.Ordinal);

        private SnapshotUser? _user;
        private SnapshotTenant? _tenant;
        private SnapshotAuthenticationRegistration? _registration;
        private readonly List<SnapshotGroup> _transitive = [];
        private readonly List<string> _direct = [];
        private readonly List<SnapshotGroup> _owned = [];
        private readonly List<SnapshotRoleDefinition> _definitions = [];
        private readonly List<SnapshotDelegatedGrant> _grants = [];
        private readonly List<SnapshotSku> _skus = [];
        private readonly List<SnapshotDevice> _ownedDevices = [];
        private readonly List<SnapshotDevice> _registeredDevices = [];
        private readonly List<SnapshotAppRoleAssignment> _appRoles = [];
        private readonly List<SnapshotRoleAssignment> _activeRoles = [];
        private readonly List<SnapshotRoleAssignment> _activeSchedules = [];
        private readonly List<SnapshotRoleAssignment> _eligible = [];
        private readonly List<SnapshotServicePrincipal> _applications = [];
        private readonly Dictionary<string, List<string>> _parents = new(StringComparer.Ordinal);
        private readonly Dictionary<string, List<DirectoryObjectRef>> _owners = new(StringComparer.Ordinal);
        private bool _schedulesMissing;

        public async Task<DirectorySnapshot> RunAsync(IReadOnlyList<UserRead> alongside)
        {
            // Reads that need the object id ($filter on principalId, the report row) wait for the user when given a UPN.
            bool idKnown = Guid.TryParse(userIdOrPrincipalName, out _);
            string userPath = "/users/" + Uri.EscapeDataString(userIdOrPrincipalName);
            var first = new List<Read>
            {
                new(GraphOperation.ReadUsers, $"{userPath}?$select={SnapshotMapper.UserProperties}&$expand=manager($select=id)", item => _user = _map.User(item)),
                new(GraphOperation.ReadOrganization, "/organization?$select=id,displayName,verifiedDomains", item => _tenant ??= _map.Organization(item)),
                new(GraphOperation.ReadGroupMembers, $"{userPath}/transitiveMemberOf?$select={SnapshotMapper.GroupProperties}&{PageSize}", item => AddGroup(_transitive, item)),
                new(GraphOperation.ReadGroupMembers, $"{userPath}/memberOf?$select=id&{PageSize}", item =>
                {
                    if (GraphJson.Kind(item) == DirectoryObjectKind.Group)
                    {
                        _direct.Add(_map.Intern(GraphJson.RequiredString(item, "id")));
                    }
                }),
                new(GraphOperation.ReadGroupMembers, $"{userPath}/ownedObjects?$select={SnapshotMapper.GroupProperties}&{PageSize}", item => AddGroup(_owned, item)),
                new(GraphOperation.ReadRoleAssignments, $"{RoleRoot}roleDefinitions?$select={SnapshotMapper.RoleDefinitionProperties}", item => _definitions.Add(_map.RoleDefinition(item))),
                new(GraphOperation.ReadLicenses, "/subscribedSkus?$select=skuId,skuPartNumber", item => _skus.Add(_map.Sku(item))),
                new(GraphOperation.ReadDevices, $"{userPath}/ownedDevices?$select={SnapshotMapper.DeviceProperties}&{PageSize}", item => _ownedDevices.Add(_map.Device(item))),
                new(GraphOperation.ReadDevices, $"{userPath}/registeredDevices?$select={SnapshotMapper.DeviceProperties}&{PageSize}", item => _registeredDevices.Add(_map.Device(item))),
                new(GraphOperation.ReadAppRoleAssignments, $"{userPath}/appRoleAssignments?$select={SnapshotMapper.AppRoleAssignmentProperties}&{PageSize}",
                    item => _appRoles.Add(_map.AppRoleAssignment(item))) { FeedsApplications = true },
            };
            if (idKnown)
            {
                first.AddRange(ReadsByUserId(userIdOrPrincipalName));
            }

            first.AddRange(alongside.Select(a => new Read(a.Operation, userPath + a.PathAfterUser, a.OnItem)));
            await RoundAsync(first).ConfigureAwait(false);
            if (_failures.FirstOrDefault(f => ReferenceEquals(f.Read, first[0])) is { Error: { } refused })
            {
                throw refused;
            }

            if (_user is null)
            {
                throw new UserNotFoundException(userIdOrPrincipalName, GraphErrors.FromStatus(404, "Request_ResourceNotFound",
                    $"Resource '{userIdOrPrincipalName}' does not exist.", null, null, $"GET {userPath}", GraphOperation.ReadUsers, null));
            }

            SettleFailures();
            string userId = _user.Id;
            if (!idKnown)
            {
                _next.AddRange(ReadsByUserId(userId));
            }

            var transitiveIds = _transitive.Select(g => g.Id).ToList();
            List<SnapshotGroup> groups = Groups();
            _next.AddRange(Chunks(transitiveIds).Select(ids => new Read(GraphOperation.ReadGroupMembers,
                $"/groups?$filter={IdFilter(ids)}&$select=id&$expand=memberOf($select=id)", item => Expanded(item, "memberOf", ParentsRead, AddParent))));
            _next.AddRange(Chunks(transitiveIds).Select(ids => new Read(GraphOperation.ReadAppRoleAssignments,
                $"/groups?$filter={IdFilter(ids)}&$select=id&$expand=appRoleAssignments", item => Expanded(item, "appRoleAssignments", AppRolesRead, (_, a) => _appRoles.Add(_map.AppRoleAssignment(a))))
            {
                FeedsApplications = true,
            }));
            _next.AddRange(Chunks(_owned.Select(g => g.Id)).Select(ids => new Read(GraphOperation.ReadGroupMembers,
                $"/groups?$filter={IdFilter(ids)}&$select=id&$expand=owners($select=id)", item => Expanded(item, "owners", OwnersRead, AddOwner))));

            // Only role-assignable groups can hold directory roles.
            foreach (SnapshotGroup group in groups.Where(g => g.IsAssignableToRole && !string.Equals(g.Id, userId, StringComparison.Ordinal)))
            {
                _next.AddRange(RoleReads(group.Id));
            }

            while (_next.Count > 0 || ApplicationsToName().Any())
            {
                // The applications are named once every read that can find one is in, so they take one round between them.
                if (!_next.Any(r => r.FeedsApplications))
                {
                    var applications = ApplicationsToName().ToList();
                    _next.AddRange(Chunks(applications).Select(ids => new Read(GraphOperation.ReadServicePrincipals,
                        $"/servicePrincipals?$filter={IdFilter(ids)}&$select={SnapshotMapper.ServicePrincipalProperties}", item => _applications.Add(_map.ServicePrincipal(item)))));
                    _applicationsAsked.UnionWith(applications);
                }

                var round = _next.ToList();
                _next.Clear();
                await RoundAsync(round).ConfigureAwait(false);
                SettleFailures();
            }

            return Snapshot(userId, groups);
        }

        private IEnumerable<Read> ReadsByUserId(string userId)
        {
            yield return new Read(GraphOperation.ReadDelegatedGrants,
                $"/oauth2PermissionGrants?$filter={PrincipalFilter(userId)}&$select={SnapshotMapper.DelegatedGrantProperties}", item => _grants.Add(_map.DelegatedGrant(item)))
            {
                FeedsApplications = true,
            };
            yield return new Read(GraphOperation.ReadAuthenticationMethodsReport, $"/reports/authenticationMethods/userRegistrationDetails/{Uri.EscapeDataString(userId)}",
                item => _registration = _map.Registration(item))
            {
                GapArea = EvidenceAreas.AuthenticationRegistration,
            };
            foreach (Read role in RoleReads(userId))
            {
                yield return role;
            }
        }

        private IEnumerable<Read> RoleReads(string principalId)
        {
            yield return new Read(GraphOperation.ReadRoleAssignments,
                $"{RoleRoot}roleAssignments?$filter={PrincipalFilter(principalId)}&$select={SnapshotMapper.RoleAssignmentProperties}", item => _activeRoles.Add(_map.RoleAssignment(item)));
            yield return new Read(GraphOperation.ReadRoleSchedules,
                $"{RoleRoot}roleAssignmentSchedules?$filter={PrincipalFilter(principalId)}&$select={SnapshotMapper.RoleScheduleProperties}",
                item => _activeSchedules.Add(_map.RoleSchedule(item, RoleAssignmentState.Active)))
            {
                GapArea = EvidenceAreas.RoleSchedules,
                IsSchedule = true,
            };
            yield return new Read(GraphOperation.ReadRoleSchedules,
                $"{RoleRoot}roleEligibilitySchedules?$filter={PrincipalFilter(principalId)}&$select={SnapshotMapper.RoleScheduleProperties}",
                item => _eligible.Add(_map.RoleSchedule(item, RoleAssignmentState.Eligible)))
            {
                GapArea = EvidenceAreas.RoleSchedules,
                IsSchedule = true,
            };
        }

        private Read ParentsRead(string groupId) =>
            new(GraphOperation.ReadGroupMembers, $"/groups/{Uri.EscapeDataString(groupId)}/memberOf?$select=id&{PageSize}", item => AddParent(groupId, item));

        private Read AppRolesRead(string groupId) =>
            new(GraphOperation.ReadAppRoleAssignments, $"/groups/{Uri.EscapeDataString(groupId)}/appRoleAssignments?$select={SnapshotMapper.AppRoleAssignmentProperties}&{PageSize}",
                item => _appRoles.Add(_map.AppRoleAssignment(item)))
            {
                FeedsApplications = true,
            };

        private Read OwnersRead(string groupId) =>
            new(GraphOperation.ReadGroupMembers, $"/groups/{Uri.EscapeDataString(groupId)}/owners?$select=id&{PageSize}", item => AddOwner(groupId, item));

        /// <summary>
        /// One group of a <c>$filter=id in (…)&amp;$expand=…</c> answer: its expanded relationship, unless Graph may have
        /// cut it short, in which case the whole relationship is read in the next round instead.
        /// </summary>
        private void Expanded(JsonElement group, string relationship, Func<string, Read> full, Action<string, JsonElement> add)
        {
            string id = _map.Intern(GraphJson.RequiredString(group, "id"));
            if (!group.TryGetProperty(relationship, out JsonElement related) || related.ValueKind != JsonValueKind.Array)
            {
                return;
            }

            if (related.GetArrayLength() >= ExpandLimit)
            {
                _next.Add(full(id));
                return;
            }

            foreach (JsonElement item in related.EnumerateArray())
            {
                add(id, item);
            }
        }

        private void AddParent(string child, JsonElement item)
        {
            if (GraphJson.Kind(item) == DirectoryObjectKind.Group)
            {
                (_parents.TryGetValue(child, out var list) ? list : _parents[child] = []).Add(_map.Intern(GraphJson.RequiredString(item, "id")));
            }
        }

        private void AddOwner(string group, JsonElement item) =>
            (_owners.TryGetValue(group, out var list) ? list : _owners[group] = []).Add(_map.Reference(item));

        private void AddGroup(List<SnapshotGroup> groups, JsonElement item)
        {
            // Directory roles and administrative units in memberOf and ownedObjects are not groups.
            if (GraphJson.Kind(item) == DirectoryObjectKind.Group)
            {
                groups.Add(_map.Group(item));
            }
        }

        /// <summary>The applications the grants and app roles read so far point at, not yet asked for.</summary>
        private IEnumerable<string> ApplicationsToName() => _appRoles.Select(a => a.ResourceId)
            .Concat(_grants.SelectMany(g => new[] { g.ClientId, g.ResourceId }))
            .Distinct(StringComparer.Ordinal)
            .Where(id => !_applicationsAsked.Contains(id));

        private async Task RoundAsync(List<Read> reads)
        {
            // A 404 is "nothing here": the user (checked by the caller), a report row not made yet, a group deleted meanwhile.
            await owner._reader.ReadInBatchesAsync(reads.Select(r => (r, r.Operation, r.Url)), (r, item) => r.OnItem(item),
                (r, error) =>
                {
                    _failures.Add((r, error));
                    return true;
                },
                cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Refusals of optional areas become evidence gaps; any other failure fails the collection, as before.</summary>
        private void SettleFailures()
        {
            foreach ((Read read, IsmsException error) in _failures)
            {
                if (read.GapArea is not { } area || EvidenceGaps.From(error, area) is not { } gap)
                {
                    throw error;
                }

                if (read.IsSchedule)
                {
                    _schedulesMissing = true;
                }

                if (!_gaps.Any(g => g.Area == gap.Area))
                {
                    _gaps.Add(gap);
                }
            }

            _failures.Clear();
        }

        private List<SnapshotGroup> Groups() =>
            _transitive.Concat(_owned).GroupBy(g => g.Id).Select(g => g.First()).ToList();

        private static IEnumerable<string[]> Chunks(IEnumerable<string> ids) => ids.Distinct(StringComparer.Ordinal).Chunk(FilterInLimit);

        private DirectorySnapshot Snapshot(string userId, List<SnapshotGroup> groups)
        {
            // Nesting edges among the user's groups, and the user in its direct groups.
            var directSet = _direct.ToHashSet(StringComparer.Ordinal);
            var members = groups.ToDictionary(g => g.Id, _ => new List<DirectoryObjectRef>(), StringComparer.Ordinal);
            foreach (SnapshotGroup group in groups.Where(g => directSet.Contains(g.Id)))
            {
                members[group.Id].Add(new DirectoryObjectRef(userId, DirectoryObjectKind.User));
            }

            foreach ((string child, List<string> childParents) in _parents)
            {
                foreach (string parent in childParents.Where(members.ContainsKey))
                {
                    members[parent].Add(new DirectoryObjectRef(child, DirectoryObjectKind.Group));
                }
            }

            groups = groups
                .Select(g => g with { Members = members[g.Id], Owners = _owners.TryGetValue(g.Id, out var o) ? o : [] })
                .ToList();

            // Without the schedules (no P2, no permission) the plain assignments are all there is, as in a snapshot.
            List<SnapshotRoleAssignment> roles = _schedulesMissing
                ? _activeRoles
                : SnapshotMapper.MergeRoleSchedules(_activeRoles, _activeSchedules, _eligible);

            return new DirectorySnapshot
            {
                Tenant = _tenant ?? throw new InvalidDataException("Graph returned no organization for the tenant."),
                CollectedAt = _started,
                CompletedAt = DateTimeOffset.UtcNow,
                Source = owner._reader.BaseUrl,
                CollectorVersion = owner._collectorVersion,
                ScopedToUserId = userId,
                EvidenceGaps = _gaps.OrderBy(g => g.Area, StringComparer.Ordinal).ToList(),
                Users = [_user!],
                Groups = groups,
                RoleDefinitions = _definitions,
                RoleAssignments = roles,
                ServicePrincipals = _applications.GroupBy(a => a.Id, StringComparer.Ordinal).Select(g => g.First()).ToList(),
                AppRoleAssignments = _appRoles,
                DelegatedGrants = _grants,
                Skus = _skus,
                AuthenticationRegistrations = _registration is { } r ? [r] : [],
                Devices = MergeDevices(userId, _ownedDevices, _registeredDevices),
            };
        }
    }
}
