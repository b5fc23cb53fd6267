namespace IsmsOps.Sandbox.Directory;

/// <summary>A user in the sandbox tenant, holding the Graph v1.0 user properties the sandbox serves.</summary>
public sealed class DirectoryUser : DirectoryObject
{
    // Navigation lists start null: at 100,000 users most of them stay empty, and empty lists would cost megabytes.
    private List<DirectoryUser>? _directReports;
    private List<DirectoryGroup>? _ownedGroups;
    private List<DirectoryDevice>? _ownedDevices;
    private List<DirectoryDevice>? _registeredDevices;
    private List<AssignedLicense>? _directLicenses;
    private List<AuthenticationMethod>? _methods;
    private List<DirectoryUser>? _sponsors;
    private List<DirectoryUser>? _sponsorOf;

    public DirectoryUser(string id, string userPrincipalName) : base(id) => UserPrincipalName = userPrincipalName;

    public override string ODataType => "#microsoft.graph.user";

    public string UserPrincipalName { get; }
    public required string DisplayName { get; init; }
    public string? GivenName { get; init; }
    public string? Surname { get; init; }
    public string? Mail { get; init; }
    public string? MailNickname { get; init; }
    public string? Department { get; set; }
    public string? JobTitle { get; set; }
    public string? EmployeeId { get; set; }
    public bool AccountEnabled { get; set; } = true;

    /// <summary>Member or Guest.</summary>
    public required string UserType { get; init; }

    /// <summary>Two-letter country code; Graph refuses to license a user without one.</summary>
    public string? UsageLocation { get; set; }

    public DirectoryUser? Manager { get; private set; }
    public IReadOnlyList<DirectoryUser> DirectReports => _directReports ?? (IReadOnlyList<DirectoryUser>)[];

    public DateTimeOffset CreatedDateTime { get; init; }
    public DateTimeOffset? EmployeeHireDate { get; set; }
    public DateTimeOffset? EmployeeLeaveDateTime { get; init; }

    /// <summary>True when mastered in on-premises AD; Graph leaves it null for cloud-only users.</summary>
    public bool? OnPremisesSyncEnabled { get; init; }

    /// <summary>Last interactive sign-in; null when the user never signed in.</summary>
    public DateTimeOffset? LastSignInDateTime { get; init; }
    public DateTimeOffset? LastNonInteractiveSignInDateTime { get; init; }

    /// <summary>Last sign-in that succeeded; older than the last attempt when later attempts failed.</summary>
    public DateTimeOffset? LastSuccessfulSignInDateTime { get; init; }

    /// <summary>Tokens issued before this instant are refused; revokeSignInSessions moves it forward.</summary>
    public DateTimeOffset? SignInSessionsValidFromDateTime { get; internal set; }

    public IReadOnlyList<DirectoryGroup> OwnedGroups => _ownedGroups ?? (IReadOnlyList<DirectoryGroup>)[];
    public IReadOnlyList<DirectoryDevice> OwnedDevices => _ownedDevices ?? (IReadOnlyList<DirectoryDevice>)[];
    public IReadOnlyList<DirectoryDevice> RegisteredDevices => _registeredDevices ?? (IReadOnlyList<DirectoryDevice>)[];

    /// <summary>Licences assigned to the user directly; inherited ones come from <see cref="DirectoryObject.MemberOf"/>.</summary>
    public IReadOnlyList<AssignedLicense> DirectLicenses => _directLicenses ?? (IReadOnlyList<AssignedLicense>)[];

    /// <summary>
    /// Graph's sponsors: who is responsible for this guest. Graph also allows groups; the sandbox keeps users, which is
    /// what IsmsOps reads and what the seeded guests have.
    /// </summary>
    public IReadOnlyList<DirectoryUser> Sponsors => _sponsors ?? (IReadOnlyList<DirectoryUser>)[];

    /// <summary>The guests this user sponsors (Graph's sponsorOf), so deleting the user can drop it from their sponsors.</summary>
    public IReadOnlyList<DirectoryUser> SponsorOf => _sponsorOf ?? (IReadOnlyList<DirectoryUser>)[];

    public IReadOnlyList<AuthenticationMethod> AuthenticationMethods => _methods ?? (IReadOnlyList<AuthenticationMethod>)[];

    /// <summary>The method Entra ID prompts with first; null when the user has no MFA method.</summary>
    public AuthenticationMethod? DefaultMfaMethod { get; internal set; }

    /// <summary>Direct licences, then one row per licence each licensed group the user belongs to hands down.</summary>
    public IReadOnlyList<LicenseAssignmentState> LicenseAssignmentStates()
    {
        var states = new List<LicenseAssignmentState>();
        foreach (AssignedLicense direct in DirectLicenses)
        {
            states.Add(new LicenseAssignmentState(direct.SkuId, direct.DisabledPlans, null, direct.AssignedDateTime));
        }

        foreach (DirectoryGroup group in MemberOf)
        {
            foreach (AssignedLicense inherited in group.AssignedLicenses)
            {
                DateTimeOffset since = inherited.AssignedDateTime > CreatedDateTime ? inherited.AssignedDateTime : CreatedDateTime;
                states.Add(new LicenseAssignmentState(inherited.SkuId, inherited.DisabledPlans, group.Id, since));
            }
        }

        return states;
    }

    /// <summary>assignedLicenses: each SKU once, however many paths grant it.</summary>
    public IReadOnlyList<AssignedLicense> AssignedLicenses()
    {
        if (_directLicenses is null && MemberOf.All(g => g.AssignedLicenses.Count == 0))
        {
            return [];
        }

        return LicenseAssignmentStates()
            .GroupBy(s => s.SkuId)
            .Select(g => new AssignedLicense(g.Key, g.First().DisabledPlans, g.Min(s => s.LastUpdatedDateTime)))
            .ToList();
    }

    internal void SetManager(DirectoryUser? manager)
    {
        Manager?._directReports?.Remove(this);
        Manager = manager;
        if (manager is not null)
        {
            (manager._directReports ??= []).Add(this);
        }
    }

    internal void OwnsGroup(DirectoryGroup group) => (_ownedGroups ??= []).Add(group);
    internal void DisownsGroup(DirectoryGroup group) => _ownedGroups?.Remove(group);
    internal void OwnsDevice(DirectoryDevice device) => (_ownedDevices ??= []).Add(device);
    internal void UsesDevice(DirectoryDevice device) => (_registeredDevices ??= []).Add(device);

    internal void AddDirectLicense(AssignedLicense license) => (_directLicenses ??= []).Add(license);
    internal bool RemoveDirectLicense(Guid skuId) => _directLicenses?.RemoveAll(l => l.SkuId == skuId) > 0;

    /// <summary>Adds <paramref name="sponsor"/>; false when already a sponsor or this user itself.</summary>
    internal bool AddSponsor(DirectoryUser sponsor)
    {
        if (ReferenceEquals(sponsor, this) || Sponsors.Contains(sponsor))
        {
            return false;
        }

        (_sponsors ??= []).Add(sponsor);
        (sponsor._sponsorOf ??= []).Add(this);
        return true;
    }

    /// <summary>Removes the sponsor with object id <paramref name="sponsorId"/>; false when there is none.</summary>
    internal bool RemoveSponsor(string sponsorId)
    {
        DirectoryUser? sponsor = _sponsors?.Find(s => string.Equals(s.Id, sponsorId, StringComparison.OrdinalIgnoreCase));
        if (sponsor is null)
        {
            return false;
        }

        _sponsors!.Remove(sponsor);
        sponsor._sponsorOf?.Remove(this);
        return true;
    }

    internal void AddMethod(AuthenticationMethod method) => (_methods ??= []).Add(method);
    internal void RemoveMethod(AuthenticationMethod method)
    {
        _methods?.Remove(method);
        if (ReferenceEquals(DefaultMfaMethod, method))
        {
            DefaultMfaMethod = null;
        }
    }
}
