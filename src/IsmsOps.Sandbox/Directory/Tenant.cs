namespace IsmsOps.Sandbox.Directory;

/// <summary>A domain the tenant has proven it owns: Graph's verifiedDomain.</summary>
public sealed record VerifiedDomain(string Name, bool IsDefault, bool IsInitial, string Type = "Managed", string Capabilities = "Email, OfficeCommunicationsOnline");

/// <summary>
/// The sandbox's in-memory directory. The HTTP side takes <see cref="SyncRoot"/> around each request, so readers
/// outside a request (tests) see a consistent state only between requests.
/// </summary>
public sealed class Tenant
{
    private readonly List<DirectoryUser> _users = [];
    private readonly List<DirectoryGroup> _groups = [];
    private readonly List<DirectoryDevice> _devices = [];
    private readonly List<ServicePrincipal> _servicePrincipals = [];
    private readonly List<SubscribedSku> _subscribedSkus = [];
    private readonly List<RoleDefinition> _roleDefinitions = [];
    private readonly List<RoleAssignment> _roleAssignments = [];
    private readonly List<RoleEligibility> _roleEligibilities = [];
    private readonly List<AppRoleAssignment> _appRoleAssignments = [];
    private readonly List<OAuth2PermissionGrant> _grants = [];
    private readonly Dictionary<string, DirectoryUser> _usersByKey = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, DirectoryObject> _objectsById = new(StringComparer.OrdinalIgnoreCase);

    // App role assignments run to tens of thousands at 100,000 users; both directions are looked up per request.
    private readonly Dictionary<string, List<AppRoleAssignment>> _appRoleAssignmentsByPrincipal = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, List<AppRoleAssignment>> _appRoleAssignmentsByResource = new(StringComparer.OrdinalIgnoreCase);
    private readonly SeedSequence _ids;
    private long _ticks;

    internal Tenant(string id, string defaultDomain, string displayName)
    {
        Id = id;
        DefaultDomain = defaultDomain;
        DisplayName = displayName;
        // Objects created over HTTP take their ids from the tenant's own sequence, so replaying the same requests
        // against the same seed creates the same ids.
        _ids = new SeedSequence(BitConverter.ToUInt64(Guid.Parse(id).ToByteArray()));
        VerifiedDomains =
        [
            new VerifiedDomain(defaultDomain, IsDefault: true, IsInitial: true),
            new VerifiedDomain(SandboxOrganisation.CustomDomain, IsDefault: false, IsInitial: false),
        ];
    }

    public string Id { get; }

    /// <summary>The onmicrosoft.com-style domain every member UPN ends with.</summary>
    public string DefaultDomain { get; }

    /// <summary>The organisation's name, as /organization reports it.</summary>
    public string DisplayName { get; }

    public IReadOnlyList<VerifiedDomain> VerifiedDomains { get; }

    /// <summary>When the tenant was created, as /organization reports it.</summary>
    public DateTimeOffset CreatedDateTime { get; init; }

    /// <summary>Users in creation order, which is also the paging order.</summary>
    public IReadOnlyList<DirectoryUser> Users => _users;

    public IReadOnlyList<DirectoryGroup> Groups => _groups;
    public IReadOnlyList<DirectoryDevice> Devices => _devices;
    public IReadOnlyList<ServicePrincipal> ServicePrincipals => _servicePrincipals;
    public IReadOnlyList<SubscribedSku> SubscribedSkus => _subscribedSkus;
    public IReadOnlyList<RoleDefinition> RoleDefinitions => _roleDefinitions;

    /// <summary>Active role assignments, permanent and time-bound, in creation order.</summary>
    public IReadOnlyList<RoleAssignment> RoleAssignments => _roleAssignments;

    /// <summary>PIM eligibilities in creation order.</summary>
    public IReadOnlyList<RoleEligibility> RoleEligibilities => _roleEligibilities;

    public IReadOnlyList<AppRoleAssignment> AppRoleAssignments => _appRoleAssignments;
    public IReadOnlyList<OAuth2PermissionGrant> OAuth2PermissionGrants => _grants;

    internal object SyncRoot { get; } = new();

    /// <summary>Finds a user by object id or by userPrincipalName, as Graph's /users/{id|userPrincipalName} does.</summary>
    public DirectoryUser? FindUser(string idOrUserPrincipalName) =>
        _usersByKey.GetValueOrDefault(idOrUserPrincipalName);

    public DirectoryGroup? FindGroup(string id) => _objectsById.GetValueOrDefault(id) as DirectoryGroup;
    public DirectoryDevice? FindDevice(string id) => _objectsById.GetValueOrDefault(id) as DirectoryDevice;
    public ServicePrincipal? FindServicePrincipal(string id) => _objectsById.GetValueOrDefault(id) as ServicePrincipal;
    public DirectoryObject? FindObject(string id) => _objectsById.GetValueOrDefault(id);
    public SubscribedSku? FindSku(Guid skuId) => _subscribedSkus.Find(s => s.SkuId == skuId);

    public RoleDefinition? FindRoleDefinition(string id) =>
        _roleDefinitions.Find(r => string.Equals(r.Id, id, StringComparison.OrdinalIgnoreCase));

    public RoleAssignment? FindRoleAssignment(string id) => _roleAssignments.Find(a => a.Id == id);
    public OAuth2PermissionGrant? FindGrant(string id) => _grants.Find(g => g.Id == id);

    /// <summary>App role assignments held by a user, group or service principal.</summary>
    public IReadOnlyList<AppRoleAssignment> AppRoleAssignmentsOf(DirectoryObject principal) =>
        _appRoleAssignmentsByPrincipal.GetValueOrDefault(principal.Id) ?? (IReadOnlyList<AppRoleAssignment>)[];

    /// <summary>App role assignments granted on a resource application (its appRoleAssignedTo).</summary>
    public IReadOnlyList<AppRoleAssignment> AppRoleAssignmentsTo(ServicePrincipal resource) =>
        _appRoleAssignmentsByResource.GetValueOrDefault(resource.Id) ?? (IReadOnlyList<AppRoleAssignment>)[];

    /// <summary>
    /// The sandbox's clock for changes made over HTTP: it starts at the generated organisation's "now" and moves one
    /// second per stamp, so the same requests against the same seed write the same timestamps.
    /// </summary>
    internal DateTimeOffset Stamp() => SandboxOrganisation.Now.AddSeconds(Interlocked.Increment(ref _ticks));

    internal string NewId() => _ids.NextGuid().ToString();

    internal string NewOpaqueId() => SandboxOrganisation.OpaqueId(_ids);

    internal void Add(DirectoryUser user)
    {
        _users.Add(user);
        _usersByKey.Add(user.Id, user);
        _usersByKey.Add(user.UserPrincipalName, user);
        _objectsById.Add(user.Id, user);
    }

    internal void Add(DirectoryGroup group)
    {
        _groups.Add(group);
        _objectsById.Add(group.Id, group);
    }

    internal void Add(DirectoryDevice device)
    {
        _devices.Add(device);
        _objectsById.Add(device.Id, device);
    }

    internal void Add(ServicePrincipal servicePrincipal)
    {
        _servicePrincipals.Add(servicePrincipal);
        _objectsById.Add(servicePrincipal.Id, servicePrincipal);
    }

    internal void Add(SubscribedSku sku) => _subscribedSkus.Add(sku);
    internal void Add(RoleDefinition role) => _roleDefinitions.Add(role);
    internal void Add(RoleAssignment assignment) => _roleAssignments.Add(assignment);
    internal void Add(RoleEligibility eligibility) => _roleEligibilities.Add(eligibility);
    internal void Add(OAuth2PermissionGrant grant) => _grants.Add(grant);

    internal void Add(AppRoleAssignment assignment)
    {
        _appRoleAssignments.Add(assignment);
        Index(_appRoleAssignmentsByPrincipal, assignment.Principal.Id).Add(assignment);
        Index(_appRoleAssignmentsByResource, assignment.Resource.Id).Add(assignment);
    }

    internal bool Remove(RoleAssignment assignment) => _roleAssignments.Remove(assignment);
    internal bool Remove(RoleEligibility eligibility) => _roleEligibilities.Remove(eligibility);
    internal bool Remove(OAuth2PermissionGrant grant) => _grants.Remove(grant);

    internal bool Remove(AppRoleAssignment assignment)
    {
        if (!_appRoleAssignments.Remove(assignment))
        {
            return false;
        }

        _appRoleAssignmentsByPrincipal[assignment.Principal.Id].Remove(assignment);
        _appRoleAssignmentsByResource[assignment.Resource.Id].Remove(assignment);
        return true;
    }

    /// <summary>
    /// Deletes a user the way Graph does: every membership, ownership, role, app role, consent and device link that
    /// pointed at the user goes with it, and the user's reports lose their manager.
    /// </summary>
    internal void Remove(DirectoryUser user)
    {
        foreach (DirectoryGroup group in user.MemberOf.ToList())
        {
            group.RemoveMember(user.Id);
        }

        foreach (DirectoryGroup group in user.OwnedGroups.ToList())
        {
            group.RemoveOwner(user);
        }

        foreach (DirectoryUser report in user.DirectReports.ToList())
        {
            report.SetManager(null);
        }

        user.SetManager(null);
        foreach (DirectoryUser guest in user.SponsorOf.ToList())
        {
            guest.RemoveSponsor(user.Id);
        }

        foreach (DirectoryUser sponsor in user.Sponsors.ToList())
        {
            user.RemoveSponsor(sponsor.Id);
        }

        foreach (DirectoryDevice device in user.OwnedDevices.Concat(user.RegisteredDevices).Distinct().ToList())
        {
            device.Forget(user);
        }

        _roleAssignments.RemoveAll(a => a.Principal == user);
        _roleEligibilities.RemoveAll(e => e.Principal == user);
        _grants.RemoveAll(g => string.Equals(g.PrincipalId, user.Id, StringComparison.OrdinalIgnoreCase));
        foreach (AppRoleAssignment assignment in AppRoleAssignmentsOf(user).ToList())
        {
            Remove(assignment);
        }

        _users.Remove(user);
        _usersByKey.Remove(user.Id);
        _usersByKey.Remove(user.UserPrincipalName);
        _objectsById.Remove(user.Id);
    }

    private static List<AppRoleAssignment> Index(Dictionary<string, List<AppRoleAssignment>> index, string key)
    {
        if (!index.TryGetValue(key, out var list))
        {
            list = [];
            index.Add(key, list);
        }

        return list;
    }
}
