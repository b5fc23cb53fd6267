namespace IsmsOps.Engine.Snapshots;

/// <summary>
/// One group a principal belongs to, directly or through nested groups. <see cref="Through"/> is the chain of groups
/// that carries an inherited membership, starting with the group the principal is a direct member of and ending with
/// the group that is a direct member of <see cref="Group"/>; it is empty for a direct membership.
/// </summary>
public sealed record GroupMembership(SnapshotGroup Group, IReadOnlyList<SnapshotGroup> Through)
{
    public bool IsDirect => Through.Count == 0;

    /// <summary>The principal's own direct group that carries an inherited membership; null for a direct one.</summary>
    public SnapshotGroup? InheritedFrom => Through.Count == 0 ? null : Through[0];
}

/// <summary>
/// Lookups over one <see cref="DirectorySnapshot"/>, built once: objects by id (users also by user principal name and
/// employee id), each principal's direct and transitive groups, and what is granted to or owned by each principal.
/// Every lookup is a hash probe or an array slice; the direct memberships are laid out on the first lookup by member,
/// and transitive memberships computed per group on first use, and both remembered. Safe to share between threads.
/// </summary>
/// <remarks>
/// Direct memberships are held in compressed form (one array of group numbers, sliced per member), which is what
/// keeps half a million memberships down to a few megabytes. Ids match case-insensitively, as Graph treats them.
/// </remarks>
public sealed class DirectoryIndex
{
    private static readonly StringComparer Ids = StringComparer.OrdinalIgnoreCase;

    private readonly Dictionary<string, SnapshotUser> _usersById;
    private readonly Dictionary<string, SnapshotUser> _usersByPrincipalName;
    private readonly Dictionary<string, SnapshotUser> _usersByEmployeeId;
    private readonly Dictionary<string, List<SnapshotUser>> _sharedEmployeeIds = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, int> _groupNumbers;
    private readonly SnapshotGroup[] _groups;
    private readonly Dictionary<string, SnapshotServicePrincipal> _servicePrincipals;
    private readonly Dictionary<string, SnapshotRoleDefinition> _roleDefinitions;
    private readonly Dictionary<string, SnapshotSku> _skus;
    private readonly Dictionary<string, SnapshotDevice> _devices;
    private readonly Dictionary<string, SnapshotAuthenticationRegistration> _registrations;

    // Direct memberships, laid out on first use.
    private readonly Lazy<Memberships> _memberships;

    // Per group, its transitive parent groups with the chain to each; filled on first use.
    private readonly GroupMembership[]?[] _ancestors;

    private readonly Dictionary<string, List<SnapshotRoleAssignment>> _roleAssignments;
    private readonly Dictionary<string, List<SnapshotAppRoleAssignment>> _appRoleAssignments;
    private readonly Dictionary<string, List<SnapshotDelegatedGrant>> _delegatedGrants;
    private readonly Dictionary<string, List<SnapshotGroup>> _ownedGroups;
    private readonly Dictionary<string, List<SnapshotDevice>> _ownedDevices;
    private readonly Dictionary<string, List<SnapshotDevice>> _registeredDevices;

    private DirectoryIndex(DirectorySnapshot snapshot)
    {
        Snapshot = snapshot;
        _groups = snapshot.Groups.ToArray();
        // Laying out the direct memberships is most of the work (two million of them take half a second) and only the
        // lookups by member need it, which a campaign over groups never makes: it is done on first use.
        SnapshotGroup[] groups = _groups;
        _memberships = new Lazy<Memberships>(() => IndexMemberships(groups), LazyThreadSafetyMode.ExecutionAndPublication);
        _usersById = new Dictionary<string, SnapshotUser>(snapshot.Users.Count, Ids);
        _usersByPrincipalName = new Dictionary<string, SnapshotUser>(snapshot.Users.Count, Ids);
        _usersByEmployeeId = new Dictionary<string, SnapshotUser>(Ids);
        foreach (SnapshotUser user in snapshot.Users)
        {
            _usersById.TryAdd(user.Id, user);
            _usersByPrincipalName.TryAdd(user.UserPrincipalName, user);
            if (!string.IsNullOrEmpty(user.EmployeeId) && !_usersByEmployeeId.TryAdd(user.EmployeeId, user))
            {
                // HR data is not always clean: keep every holder of a shared employee id rather than pick one.
                if (!_sharedEmployeeIds.TryGetValue(user.EmployeeId, out List<SnapshotUser>? holders))
                {
                    _sharedEmployeeIds[user.EmployeeId] = holders = [_usersByEmployeeId[user.EmployeeId]];
                }

                holders.Add(user);
            }
        }

        _groupNumbers = new Dictionary<string, int>(_groups.Length, Ids);
        for (int g = 0; g < _groups.Length; g++)
        {
            _groupNumbers.TryAdd(_groups[g].Id, g);
        }

        _servicePrincipals = ById(snapshot.ServicePrincipals, sp => sp.Id);
        _roleDefinitions = ById(snapshot.RoleDefinitions, r => r.Id);
        foreach (SnapshotRoleDefinition role in snapshot.RoleDefinitions)
        {
            // Unified RBAC names built-in roles by template id in assignments; accept either.
            if (role.TemplateId is not null)
            {
                _roleDefinitions.TryAdd(role.TemplateId, role);
            }
        }

        _skus = ById(snapshot.Skus, s => s.SkuId);
        _devices = ById(snapshot.Devices, d => d.Id);
        _registrations = ById(snapshot.AuthenticationRegistrations, r => r.UserId);

        _ancestors = new GroupMembership[]?[_groups.Length];

        _roleAssignments = GroupBy(snapshot.RoleAssignments, a => a.PrincipalId);
        _appRoleAssignments = GroupBy(snapshot.AppRoleAssignments, a => a.PrincipalId);
        _delegatedGrants = GroupBy(snapshot.DelegatedGrants.Where(g => !IsAllPrincipals(g)), g => g.PrincipalId);
        AllPrincipalsDelegatedGrants = snapshot.DelegatedGrants.Where(IsAllPrincipals).ToArray();
        _ownedGroups = GroupByMany(snapshot.Groups, g => g.Owners.Select(o => o.Id));
        _ownedDevices = GroupByMany(snapshot.Devices, d => d.RegisteredOwnerIds);
        _registeredDevices = GroupByMany(snapshot.Devices, d => d.RegisteredUserIds);
    }

    /// <summary>Indexes <paramref name="snapshot"/>. At 100,000 users and 500,000 memberships this takes well under a second (docs/performance.md).</summary>
    public static DirectoryIndex Build(DirectorySnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return new DirectoryIndex(snapshot);
    }

    public DirectorySnapshot Snapshot { get; }

    /// <summary>The user with this object id, or else this user principal name; null when neither matches.</summary>
    public SnapshotUser? FindUser(string idOrUserPrincipalName) =>
        UserById(idOrUserPrincipalName) ?? UserByPrincipalName(idOrUserPrincipalName);

    public SnapshotUser? UserById(string id) => _usersById.GetValueOrDefault(id);

    /// <summary>The user with this sign-in name, compared case-insensitively.</summary>
    public SnapshotUser? UserByPrincipalName(string userPrincipalName) => _usersByPrincipalName.GetValueOrDefault(userPrincipalName);

    /// <summary>Users whose employeeId is <paramref name="employeeId"/>: usually one, none, or (in untidy tenants) several.</summary>
    public IReadOnlyList<SnapshotUser> UsersByEmployeeId(string employeeId) =>
        _sharedEmployeeIds.TryGetValue(employeeId, out List<SnapshotUser>? several) ? several
        : _usersByEmployeeId.TryGetValue(employeeId, out SnapshotUser? one) ? [one]
        : [];

    public SnapshotGroup? GroupById(string id) => _groupNumbers.TryGetValue(id, out int g) ? _groups[g] : null;

    public SnapshotServicePrincipal? ServicePrincipalById(string id) => _servicePrincipals.GetValueOrDefault(id);

    /// <summary>The role definition with this id or template id.</summary>
    public SnapshotRoleDefinition? RoleDefinitionById(string idOrTemplateId) => _roleDefinitions.GetValueOrDefault(idOrTemplateId);

    public SnapshotSku? SkuById(string skuId) => _skus.GetValueOrDefault(skuId);

    public SnapshotDevice? DeviceById(string id) => _devices.GetValueOrDefault(id);

    public SnapshotAuthenticationRegistration? AuthenticationRegistrationOf(string userId) => _registrations.GetValueOrDefault(userId);

    /// <summary>The groups <paramref name="principalId"/> (a user, group, service principal or device) is a direct member of.</summary>
    public IReadOnlyList<SnapshotGroup> DirectGroupsOf(string principalId)
    {
        Memberships memberships = _memberships.Value;
        if (!memberships.Numbers.TryGetValue(principalId, out int m))
        {
            return [];
        }

        var groups = new SnapshotGroup[memberships.Start[m + 1] - memberships.Start[m]];
        for (int i = 0; i < groups.Length; i++)
        {
            groups[i] = _groups[memberships.MemberOf[memberships.Start[m] + i]];
        }

        return groups;
    }

    /// <summary>
    /// Every group <paramref name="principalId"/> belongs to: its direct groups, then for each of them the groups
    /// reached through nesting, with the chain that carries each. A group reached through two of the principal's
    /// direct groups appears once for each, since leaving one still leaves the other. Cycles are tolerated: a group is
    /// never its own ancestor. Graph's transitiveMemberOf gives the same set of groups.
    /// </summary>
    public IReadOnlyList<GroupMembership> TransitiveGroupsOf(string principalId)
    {
        Memberships memberships = _memberships.Value;
        if (!memberships.Numbers.TryGetValue(principalId, out int m))
        {
            return [];
        }

        var result = new List<GroupMembership>();
        for (int i = memberships.Start[m]; i < memberships.Start[m + 1]; i++)
        {
            int direct = memberships.MemberOf[i];
            result.Add(new GroupMembership(_groups[direct], []));
            foreach (GroupMembership ancestor in AncestorsOf(direct))
            {
                // In a cycle a group reaches itself; that is not a membership.
                if (!Ids.Equals(ancestor.Group.Id, principalId))
                {
                    result.Add(ancestor);
                }
            }
        }

        return result;
    }

    /// <summary>Directory role assignments (active and eligible) whose principal is <paramref name="principalId"/>.</summary>
    public IReadOnlyList<SnapshotRoleAssignment> RoleAssignmentsOf(string principalId) => Slice(_roleAssignments, principalId);

    /// <summary>App role assignments whose principal is <paramref name="principalId"/>.</summary>
    public IReadOnlyList<SnapshotAppRoleAssignment> AppRoleAssignmentsOf(string principalId) => Slice(_appRoleAssignments, principalId);

    /// <summary>Delegated permission grants a user consented to for themselves (consentType Principal).</summary>
    public IReadOnlyList<SnapshotDelegatedGrant> DelegatedGrantsOf(string userId) => Slice(_delegatedGrants, userId);

    /// <summary>Admin consents for every user (consentType AllPrincipals): the tenant's, not any one user's.</summary>
    public IReadOnlyList<SnapshotDelegatedGrant> AllPrincipalsDelegatedGrants { get; }

    public IReadOnlyList<SnapshotGroup> GroupsOwnedBy(string principalId) => Slice(_ownedGroups, principalId);

    /// <summary>Devices whose registered owners include <paramref name="userId"/>.</summary>
    public IReadOnlyList<SnapshotDevice> DevicesOwnedBy(string userId) => Slice(_ownedDevices, userId);

    /// <summary>Devices whose registered users include <paramref name="userId"/>.</summary>
    public IReadOnlyList<SnapshotDevice> DevicesRegisteredTo(string userId) => Slice(_registeredDevices, userId);

    /// <summary>The display name of any object in the snapshot (user, group, service principal, device), or null.</summary>
    public string? DisplayNameOf(string id) =>
        UserById(id)?.DisplayName ?? GroupById(id)?.DisplayName ?? ServicePrincipalById(id)?.DisplayName ?? DeviceById(id)?.DisplayName;

    // Breadth-first up the member-of edges from one group, so each ancestor gets a shortest chain. The start group is
    // visited first, so a cycle back to it ends there.
    private GroupMembership[] AncestorsOf(int group)
    {
        GroupMembership[]? known = Volatile.Read(ref _ancestors[group]);
        if (known is not null)
        {
            return known;
        }

        Memberships memberships = _memberships.Value;
        var chainTo = new Dictionary<int, SnapshotGroup[]> { [group] = [_groups[group]] };
        var queue = new Queue<int>();
        queue.Enqueue(group);
        var found = new List<GroupMembership>();
        while (queue.Count > 0)
        {
            int child = queue.Dequeue();
            if (!memberships.Numbers.TryGetValue(_groups[child].Id, out int asMember))
            {
                continue;
            }

            SnapshotGroup[] through = chainTo[child];
            for (int i = memberships.Start[asMember]; i < memberships.Start[asMember + 1]; i++)
            {
                int parent = memberships.MemberOf[i];
                if (chainTo.ContainsKey(parent))
                {
                    continue;
                }

                chainTo[parent] = [.. through, _groups[parent]];
                found.Add(new GroupMembership(_groups[parent], through));
                queue.Enqueue(parent);
            }
        }

        GroupMembership[] ancestors = found.ToArray();
        Volatile.Write(ref _ancestors[group], ancestors);
        return ancestors;
    }

    /// <summary>Direct memberships: the groups of member m are <c>MemberOf[Start[m] .. Start[m + 1])</c>, m from <c>Numbers</c>.</summary>
    private sealed record Memberships(Dictionary<string, int> Numbers, int[] Start, int[] MemberOf);

    private static Memberships IndexMemberships(SnapshotGroup[] groups)
    {
        int total = 0;
        foreach (SnapshotGroup group in groups)
        {
            total += group.Members.Count;
        }

        // One pass numbers the members and counts their groups; the second lays the group numbers out per member.
        var numbers = new Dictionary<string, int>(Ids);
        int[] memberOfEach = new int[total];
        int[] counts = new int[total + 1];
        int k = 0;
        foreach (SnapshotGroup group in groups)
        {
            foreach (DirectoryObjectRef member in group.Members)
            {
                ref int number = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(numbers, member.Id, out bool exists);
                if (!exists)
                {
                    number = numbers.Count - 1;
                }

                memberOfEach[k++] = number;
                counts[number]++;
            }
        }

        int[] start = new int[numbers.Count + 1];
        for (int m = 0; m < numbers.Count; m++)
        {
            start[m + 1] = start[m] + counts[m];
        }

        int[] next = counts;
        Array.Copy(start, next, numbers.Count);
        int[] memberOf = new int[total];
        k = 0;
        for (int g = 0; g < groups.Length; g++)
        {
            foreach (DirectoryObjectRef _ in groups[g].Members)
            {
                memberOf[next[memberOfEach[k++]]++] = g;
            }
        }

        return new Memberships(numbers, start, memberOf);
    }

    private static bool IsAllPrincipals(SnapshotDelegatedGrant grant) =>
        string.Equals(grant.ConsentType, "AllPrincipals", StringComparison.OrdinalIgnoreCase) || grant.PrincipalId is null;

    private static Dictionary<string, T> ById<T>(IReadOnlyList<T> items, Func<T, string> id)
    {
        var map = new Dictionary<string, T>(items.Count, Ids);
        foreach (T item in items)
        {
            map.TryAdd(id(item), item);
        }

        return map;
    }

    private static Dictionary<string, List<T>> GroupBy<T>(IEnumerable<T> items, Func<T, string?> key) => GroupByMany(items, i => key(i) is string k ? [k] : []);

    private static Dictionary<string, List<T>> GroupByMany<T>(IEnumerable<T> items, Func<T, IEnumerable<string>> keys)
    {
        var map = new Dictionary<string, List<T>>(Ids);
        foreach (T item in items)
        {
            foreach (string key in keys(item))
            {
                if (!map.TryGetValue(key, out List<T>? list))
                {
                    map[key] = list = [];
                }

                list.Add(item);
            }
        }

        return map;
    }

    private static IReadOnlyList<T> Slice<T>(Dictionary<string, List<T>> map, string key) => map.TryGetValue(key, out List<T>? list) ? list : [];
}
