namespace IsmsOps.Sandbox.Directory;

/// <summary>
/// The sandbox's in-memory directory. The HTTP side takes <see cref="SyncRoot"/> around each request, so readers
/// outside a request (tests) see a consistent state only between requests.
/// </summary>
public sealed class Tenant
{
    private readonly List<DirectoryUser> _users = [];
    private readonly List<DirectoryGroup> _groups = [];
    private readonly Dictionary<string, DirectoryUser> _usersByKey = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, DirectoryObject> _objectsById = new(StringComparer.OrdinalIgnoreCase);

    internal Tenant(string id, string defaultDomain)
    {
        Id = id;
        DefaultDomain = defaultDomain;
    }

    public string Id { get; }

    /// <summary>The onmicrosoft.com-style domain every member UPN ends with.</summary>
    public string DefaultDomain { get; }

    /// <summary>Users in creation order, which is also the paging order.</summary>
    public IReadOnlyList<DirectoryUser> Users => _users;

    public IReadOnlyList<DirectoryGroup> Groups => _groups;

    internal object SyncRoot { get; } = new();

    /// <summary>Finds a user by object id or by userPrincipalName, as Graph's /users/{id|userPrincipalName} does.</summary>
    public DirectoryUser? FindUser(string idOrUserPrincipalName) =>
        _usersByKey.GetValueOrDefault(idOrUserPrincipalName);

    public DirectoryGroup? FindGroup(string id) => _objectsById.GetValueOrDefault(id) as DirectoryGroup;

    public DirectoryObject? FindObject(string id) => _objectsById.GetValueOrDefault(id);

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
}
