namespace IsmsOps.Engine.Snapshots;

/// <summary>
/// Everything IsmsOps knows about a tenant's identities and their access at one instant: the single document that
/// access inventories, offboarding plans, access reviews and policy evaluation read, whether it was collected live a
/// moment ago or imported from a file an auditor was given.
/// </summary>
/// <remarks>
/// Only direct relationships are stored. Transitive group membership is derived from the direct members (DirectoryIndex):
/// with every group's direct members in hand the closure is exact, and it saves both the requests and the file size
/// that <c>transitiveMembers</c> would cost.
/// </remarks>
public sealed record DirectorySnapshot
{
    /// <summary>The version of this document's shape. Readers refuse versions they do not know.</summary>
    public const int CurrentFormatVersion = 1;

    public int FormatVersion { get; init; } = CurrentFormatVersion;

    public required SnapshotTenant Tenant { get; init; }

    /// <summary>When collection started (UTC). Every fact in the snapshot is at least this recent.</summary>
    public required DateTimeOffset CollectedAt { get; init; }

    /// <summary>When collection finished (UTC).</summary>
    public DateTimeOffset CompletedAt { get; init; }

    /// <summary>The Graph base URL it was collected from, e.g. https://graph.microsoft.com/v1.0.</summary>
    public required string Source { get; init; }

    /// <summary>The IsmsOps version that collected it.</summary>
    public string? CollectorVersion { get; init; }

    /// <summary>
    /// The user the snapshot is scoped to, or null for the whole tenant. A scoped snapshot holds that user, their groups
    /// and everything granted to them, but not the rest of the tenant.
    /// </summary>
    public string? ScopedToUserId { get; init; }

    /// <summary>Evidence the collector could not gather, and why. Absent evidence is recorded, never guessed.</summary>
    public IReadOnlyList<EvidenceGap> EvidenceGaps { get; init; } = [];

    /// <summary>
    /// True when the collector read guests' sponsors, so a guest with an empty <see cref="SnapshotUser.SponsorIds"/> has
    /// none. False in snapshots written before sponsors were collected (the property is then absent from the file):
    /// there an empty list means "not known", never "no sponsor".
    /// </summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingDefault)]
    public bool SponsorsCollected { get; init; }

    public IReadOnlyList<SnapshotUser> Users { get; init; } = [];

    public IReadOnlyList<SnapshotGroup> Groups { get; init; } = [];

    public IReadOnlyList<SnapshotRoleDefinition> RoleDefinitions { get; init; } = [];

    /// <summary>Directory role assignments: active (permanent or time-bound) and PIM-eligible.</summary>
    public IReadOnlyList<SnapshotRoleAssignment> RoleAssignments { get; init; } = [];

    public IReadOnlyList<SnapshotServicePrincipal> ServicePrincipals { get; init; } = [];

    public IReadOnlyList<SnapshotAppRoleAssignment> AppRoleAssignments { get; init; } = [];

    public IReadOnlyList<SnapshotDelegatedGrant> DelegatedGrants { get; init; } = [];

    /// <summary>The tenant's subscribed SKUs, so licences can be shown by name.</summary>
    public IReadOnlyList<SnapshotSku> Skus { get; init; } = [];

    /// <summary>MFA registration per user, from the authentication methods registration report.</summary>
    public IReadOnlyList<SnapshotAuthenticationRegistration> AuthenticationRegistrations { get; init; } = [];

    public IReadOnlyList<SnapshotDevice> Devices { get; init; } = [];

    /// <summary>True when <paramref name="area"/> could not be collected (see <see cref="EvidenceAreas"/>).</summary>
    public bool IsMissing(string area) => EvidenceGaps.Any(g => string.Equals(g.Area, area, StringComparison.OrdinalIgnoreCase));
}

/// <summary>The tenant a snapshot describes.</summary>
public sealed record SnapshotTenant
{
    public required string TenantId { get; init; }

    public string? DisplayName { get; init; }

    public IReadOnlyList<string> VerifiedDomains { get; init; } = [];
}

/// <summary>Names of the evidence areas a snapshot can lack; used in <see cref="EvidenceGap.Area"/>.</summary>
public static class EvidenceAreas
{
    /// <summary>Last sign-in dates (Graph's signInActivity; needs Entra ID P1 and AuditLog.Read.All).</summary>
    public const string SignInActivity = "signInActivity";

    /// <summary>MFA registration (reports/authenticationMethods/userRegistrationDetails; needs Entra ID P1).</summary>
    public const string AuthenticationRegistration = "authenticationRegistration";

    /// <summary>PIM eligible and time-bound role schedules (needs Entra ID P2).</summary>
    public const string RoleSchedules = "roleSchedules";

    public const string Devices = "devices";

    public const string AppRoleAssignments = "appRoleAssignments";

    public const string DelegatedGrants = "delegatedGrants";
}

/// <summary>Why a piece of evidence is missing from a snapshot.</summary>
public enum EvidenceGapReason
{
    /// <summary>The tenant lacks the licence Graph requires for it.</summary>
    NotLicensed,

    /// <summary>The connection lacks the Graph permission it needs.</summary>
    MissingPermission,

    /// <summary>The collection was asked to leave it out.</summary>
    Excluded,
}

/// <summary>One kind of evidence a snapshot lacks, and why (for example signInActivity on a tenant without P1).</summary>
public sealed record EvidenceGap
{
    public required string Area { get; init; }

    public required EvidenceGapReason Reason { get; init; }

    /// <summary>What Graph said (error code and message), or what to do about it.</summary>
    public string? Detail { get; init; }
}

/// <summary>The kinds of directory object that can be a member, owner or principal.</summary>
public enum DirectoryObjectKind
{
    User,
    Group,
    ServicePrincipal,
    Device,
    OrgContact,
    Other,
}

/// <summary>A reference to a directory object: its id and kind.</summary>
public readonly record struct DirectoryObjectRef(string Id, DirectoryObjectKind Kind);

/// <summary>A user account, with the properties that matter to joiners, leavers and reviews.</summary>
public sealed record SnapshotUser
{
    public required string Id { get; init; }

    public required string UserPrincipalName { get; init; }

    public string? DisplayName { get; init; }

    public string? Mail { get; init; }

    public bool AccountEnabled { get; init; }

    /// <summary>Member or Guest.</summary>
    public string? UserType { get; init; }

    public string? EmployeeId { get; init; }

    public DateTimeOffset? EmployeeHireDate { get; init; }

    public DateTimeOffset? EmployeeLeaveDateTime { get; init; }

    public string? Department { get; init; }

    public string? JobTitle { get; init; }

    /// <summary>The manager's object id, or null when none is set.</summary>
    public string? ManagerId { get; init; }

    /// <summary>True when the account is synced from on-premises AD, which then owns most of its properties.</summary>
    public bool OnPremisesSyncEnabled { get; init; }

    public DateTimeOffset? CreatedDateTime { get; init; }

    /// <summary>Last sign-ins, or null when never signed in or when the snapshot lacks sign-in evidence.</summary>
    public SnapshotSignInActivity? SignInActivity { get; init; }

    /// <summary>Licences, each direct or inherited from a group.</summary>
    public IReadOnlyList<SnapshotLicenseAssignment> Licenses { get; init; } = [];

    /// <summary>
    /// A guest's sponsors (Graph's <c>sponsors</c>: the users and groups responsible for the guest), by object id.
    /// Meaningful only when <see cref="DirectorySnapshot.SponsorsCollected"/> is true; the collector reads them for guests
    /// only, so a member's list is empty.
    /// </summary>
    public IReadOnlyList<string> SponsorIds { get; init; } = [];
}

/// <summary>A user's last sign-ins as Graph reports them.</summary>
public sealed record SnapshotSignInActivity
{
    public DateTimeOffset? LastSignInDateTime { get; init; }

    public DateTimeOffset? LastNonInteractiveSignInDateTime { get; init; }

    public DateTimeOffset? LastSuccessfulSignInDateTime { get; init; }

    /// <summary>The latest of the three, or null when the user never signed in.</summary>
    public DateTimeOffset? Latest => new[] { LastSignInDateTime, LastNonInteractiveSignInDateTime, LastSuccessfulSignInDateTime }.Max();
}

/// <summary>One licence on a user: direct when <see cref="AssignedByGroupId"/> is null, otherwise inherited from that group.</summary>
public sealed record SnapshotLicenseAssignment
{
    public required string SkuId { get; init; }

    public string? AssignedByGroupId { get; init; }

    /// <summary>Graph's state: Active, ActiveWithError, Disabled, Error.</summary>
    public string? State { get; init; }

    public IReadOnlyList<string> DisabledPlans { get; init; } = [];
}

/// <summary>A group, its kind, and its direct members and owners.</summary>
public sealed record SnapshotGroup
{
    public required string Id { get; init; }

    public string? DisplayName { get; init; }

    public string? Description { get; init; }

    public string? Mail { get; init; }

    public bool MailEnabled { get; init; }

    public bool SecurityEnabled { get; init; }

    /// <summary>Graph's groupTypes: "Unified" for Microsoft 365 groups, "DynamicMembership" for rule-based ones.</summary>
    /// <remarks>Older snapshots may hold <c>"groupTypes": null</c>; it reads as empty so filters and resources never meet a null.</remarks>
    public IReadOnlyList<string> GroupTypes { get => _groupTypes; init => _groupTypes = value ?? []; }

    private readonly IReadOnlyList<string> _groupTypes = [];

    public string? MembershipRule { get; init; }

    public bool OnPremisesSyncEnabled { get; init; }

    public bool IsAssignableToRole { get; init; }

    public DateTimeOffset? CreatedDateTime { get; init; }

    /// <summary>SKU ids this group assigns to its members (group-based licensing).</summary>
    public IReadOnlyList<string> AssignedLicenseSkuIds { get; init; } = [];

    public IReadOnlyList<DirectoryObjectRef> Members { get; init; } = [];

    public IReadOnlyList<DirectoryObjectRef> Owners { get; init; } = [];

    public bool IsMicrosoft365 => GroupTypes.Contains("Unified", StringComparer.OrdinalIgnoreCase);

    public bool IsDynamic => GroupTypes.Contains("DynamicMembership", StringComparer.OrdinalIgnoreCase);

    /// <summary>A distribution list or mail-enabled security group: Exchange Online owns its membership.</summary>
    public bool IsExchangeManaged => MailEnabled && !IsMicrosoft365;

    /// <summary>The group's kinds, most specific first.</summary>
    public GroupKinds Kinds =>
        (IsMicrosoft365 ? GroupKinds.Microsoft365 : 0)
        | (SecurityEnabled && !MailEnabled ? GroupKinds.Security : 0)
        | (SecurityEnabled && MailEnabled && !IsMicrosoft365 ? GroupKinds.MailEnabledSecurity : 0)
        | (!SecurityEnabled && MailEnabled && !IsMicrosoft365 ? GroupKinds.Distribution : 0)
        | (IsDynamic ? GroupKinds.Dynamic : 0)
        | (OnPremisesSyncEnabled ? GroupKinds.OnPremisesSynced : 0)
        | (IsAssignableToRole ? GroupKinds.RoleAssignable : 0);
}

/// <summary>What kind of group a group is; several can apply at once.</summary>
[Flags]
public enum GroupKinds
{
    None = 0,
    Security = 1,
    Microsoft365 = 2,
    MailEnabledSecurity = 4,
    Distribution = 8,
    Dynamic = 16,
    OnPremisesSynced = 32,
    RoleAssignable = 64,
}

/// <summary>A directory role (Global Administrator and so on).</summary>
public sealed record SnapshotRoleDefinition
{
    public required string Id { get; init; }

    public required string DisplayName { get; init; }

    public string? TemplateId { get; init; }

    public bool IsBuiltIn { get; init; }
}

/// <summary>Whether a role assignment is in force now or can be activated through PIM.</summary>
public enum RoleAssignmentState
{
    Active,
    Eligible,
}

/// <summary>A directory role granted to a principal, active or eligible, permanent or time-bound.</summary>
public sealed record SnapshotRoleAssignment
{
    /// <summary>The assignment or schedule id Graph uses to remove it.</summary>
    public required string Id { get; init; }

    public required string PrincipalId { get; init; }

    public required string RoleDefinitionId { get; init; }

    /// <summary>"/" for the whole tenant, or an administrative unit or object scope.</summary>
    public string DirectoryScopeId { get; init; } = "/";

    public RoleAssignmentState State { get; init; } = RoleAssignmentState.Active;

    /// <summary>True when the assignment came from a PIM schedule; removal then goes through a schedule request.</summary>
    public bool FromSchedule { get; init; }

    public DateTimeOffset? StartDateTime { get; init; }

    /// <summary>When a time-bound assignment ends; null for permanent ones.</summary>
    public DateTimeOffset? EndDateTime { get; init; }
}

/// <summary>An application's identity in the tenant, with the app roles it defines.</summary>
public sealed record SnapshotServicePrincipal
{
    public required string Id { get; init; }

    public string? AppId { get; init; }

    public string? DisplayName { get; init; }

    public string? ServicePrincipalType { get; init; }

    public IReadOnlyList<SnapshotAppRole> AppRoles { get; init; } = [];
}

/// <summary>A role an application defines for users, groups or other applications.</summary>
public sealed record SnapshotAppRole
{
    public required string Id { get; init; }

    public string? Value { get; init; }

    public string? DisplayName { get; init; }
}

/// <summary>An app role granted to a user, group or service principal.</summary>
public sealed record SnapshotAppRoleAssignment
{
    public required string Id { get; init; }

    public required string PrincipalId { get; init; }

    public DirectoryObjectKind PrincipalKind { get; init; } = DirectoryObjectKind.User;

    /// <summary>The service principal that defines the role.</summary>
    public required string ResourceId { get; init; }

    /// <summary>The app role id; all zeros for the default access role.</summary>
    public required string AppRoleId { get; init; }

    public DateTimeOffset? CreatedDateTime { get; init; }
}

/// <summary>A delegated permission grant (OAuth2 consent).</summary>
public sealed record SnapshotDelegatedGrant
{
    public required string Id { get; init; }

    /// <summary>The client service principal the consent was given to.</summary>
    public required string ClientId { get; init; }

    /// <summary>AllPrincipals (admin consent for everyone) or Principal (one user).</summary>
    public required string ConsentType { get; init; }

    /// <summary>The consenting user for Principal grants; null for AllPrincipals.</summary>
    public string? PrincipalId { get; init; }

    public required string ResourceId { get; init; }

    /// <summary>Space-separated delegated permissions, e.g. "User.Read Mail.Read".</summary>
    public string? Scope { get; init; }
}

/// <summary>A licence SKU the tenant subscribes to.</summary>
public sealed record SnapshotSku
{
    public required string SkuId { get; init; }

    public required string SkuPartNumber { get; init; }
}

/// <summary>A user's MFA registration, from the authentication methods registration report.</summary>
public sealed record SnapshotAuthenticationRegistration
{
    public required string UserId { get; init; }

    public bool IsMfaRegistered { get; init; }

    public bool IsMfaCapable { get; init; }

    public bool IsPasswordlessCapable { get; init; }

    public bool IsAdmin { get; init; }

    /// <summary>Graph's method names, e.g. microsoftAuthenticatorPush, fido2, mobilePhone.</summary>
    public IReadOnlyList<string> MethodsRegistered { get; init; } = [];

    /// <summary>The second factor the user prefers (Graph v1.0's userPreferredMethodForSecondaryAuthentication: push, sms, oath, none).</summary>
    public string? DefaultMfaMethod { get; init; }

    public DateTimeOffset? LastUpdatedDateTime { get; init; }
}

/// <summary>A device registered or joined to the tenant.</summary>
public sealed record SnapshotDevice
{
    public required string Id { get; init; }

    public string? DeviceId { get; init; }

    public string? DisplayName { get; init; }

    public bool AccountEnabled { get; init; }

    public string? OperatingSystem { get; init; }

    /// <summary>Workplace (registered), AzureAd (joined) or ServerAd (hybrid joined).</summary>
    public string? TrustType { get; init; }

    public DateTimeOffset? ApproximateLastSignInDateTime { get; init; }

    public IReadOnlyList<string> RegisteredOwnerIds { get; init; } = [];

    public IReadOnlyList<string> RegisteredUserIds { get; init; } = [];
}
