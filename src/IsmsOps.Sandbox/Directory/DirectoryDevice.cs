namespace IsmsOps.Sandbox.Directory;

/// <summary>A registered or joined device: Graph's device, with the users who own and use it.</summary>
public sealed class DirectoryDevice : DirectoryObject
{
    private readonly List<DirectoryUser> _registeredOwners = [];
    private readonly List<DirectoryUser> _registeredUsers = [];

    public DirectoryDevice(string id) : base(id) { }

    public override string ODataType => "#microsoft.graph.device";

    /// <summary>The id the device itself reports, distinct from the directory object id.</summary>
    public required string DeviceId { get; init; }

    public required string DisplayName { get; init; }
    public bool AccountEnabled { get; set; } = true;
    public required string OperatingSystem { get; init; }
    public required string OperatingSystemVersion { get; init; }

    /// <summary>AzureAd (joined), ServerAd (hybrid joined) or Workplace (registered, typically a personal phone).</summary>
    public required string TrustType { get; init; }

    public DateTimeOffset? ApproximateLastSignInDateTime { get; init; }
    public required DateTimeOffset RegistrationDateTime { get; init; }
    public bool? IsCompliant { get; init; }
    public bool? IsManaged { get; init; }

    public IReadOnlyList<DirectoryUser> RegisteredOwners => _registeredOwners;
    public IReadOnlyList<DirectoryUser> RegisteredUsers => _registeredUsers;

    internal void AddOwner(DirectoryUser owner)
    {
        _registeredOwners.Add(owner);
        owner.OwnsDevice(this);
    }

    internal void AddUser(DirectoryUser user)
    {
        _registeredUsers.Add(user);
        user.UsesDevice(this);
    }

    internal void Forget(DirectoryUser user)
    {
        _registeredOwners.Remove(user);
        _registeredUsers.Remove(user);
    }
}
