namespace IsmsOps.Engine.Access;

/// <summary>What kind of access a grant is.</summary>
public enum AccessKind
{
    GroupMembership,
    GroupOwnership,
    DirectoryRole,
    AppRole,
    DelegatedGrant,
    License,
    Device,

    /// <summary>
    /// The principal's account itself (an access review's guest item, whose resource is the tenant). Removing it
    /// disables the account, as offboarding's DisableAccount step does; IsmsOps never deletes an account.
    /// </summary>
    Account,
}

/// <summary>How the person holds a grant.</summary>
public enum AssignmentType
{
    /// <summary>Assigned to the person themselves.</summary>
    Direct,

    /// <summary>Held through a group the person is in; <see cref="AccessGrant.InheritedFromGroupId"/> names it.</summary>
    Inherited,

    /// <summary>A PIM-eligible role: not in force until the person activates it (directly or through a group).</summary>
    Eligible,
}

/// <summary>Who can take a grant away.</summary>
public enum RemovalPath
{
    /// <summary>Microsoft Graph can remove it (what IsmsOps offboarding does).</summary>
    Graph,

    /// <summary>It goes when the group membership it is inherited through goes.</summary>
    ViaGroup,

    /// <summary>A dynamic group's rule decides: change the rule, or the user's attributes it tests.</summary>
    DynamicRule,

    /// <summary>The group is synced from on-premises Active Directory: remove it there.</summary>
    OnPremisesDirectory,

    /// <summary>A mail-enabled security group or distribution list: Exchange Online manages its membership.</summary>
    ExchangeOnline,
}

/// <summary>
/// One piece of access a person holds, in terms an access reviewer and an offboarding checklist both read: what it is,
/// how it is held, since and until when, and who can remove it.
/// </summary>
public sealed record AccessGrant
{
    public required string UserId { get; init; }

    public required string UserPrincipalName { get; init; }

    public required AccessKind Kind { get; init; }

    /// <summary>
    /// The object granted: the group, the role definition, the resource service principal of an app role, the client
    /// service principal of a delegated grant, the SKU, or the device.
    /// </summary>
    public required string ResourceId { get; init; }

    /// <summary>Group name, role name, "App name: role value", "Client app: scopes", SKU part number, or device name.</summary>
    public required string ResourceDisplayName { get; init; }

    public required AssignmentType Assignment { get; init; }

    /// <summary>For inherited grants: the person's own direct group that carries it.</summary>
    public string? InheritedFromGroupId { get; init; }

    public string? InheritedFromGroupName { get; init; }

    /// <summary>
    /// For grants inherited through nested groups: the chain of group names from the person's direct group up to the
    /// resource, e.g. "Engineering > All staff > VPN users".
    /// </summary>
    public string? InheritancePath { get; init; }

    /// <summary>
    /// When this principal got it, where Graph records that: a role schedule's start, an app role assignment's
    /// creation. Null otherwise: Graph does not date group memberships, so inherited grants have no date either.
    /// </summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>When a time-bound role assignment ends; null when it does not.</summary>
    public DateTimeOffset? Until { get; init; }

    public required RemovalPath Removal { get; init; }

    /// <summary>How to remove it, naming the other system when Graph cannot.</summary>
    public required string RemovalNote { get; init; }

    /// <summary>The Graph object that records the grant (role assignment, app role assignment or permission grant id), when there is one.</summary>
    public string? AssignmentId { get; init; }

    /// <summary>More about the grant: a role's directory scope, delegated scopes, a licence's state, how a device is tied to the person.</summary>
    public string? Detail { get; init; }

    /// <summary>The content SHA-256 of the snapshot this was read from, for evidence; null when read live.</summary>
    public string? SnapshotSha256 { get; init; }
}
