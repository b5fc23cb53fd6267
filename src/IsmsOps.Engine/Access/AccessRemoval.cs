namespace IsmsOps.Engine.Access;

/// <summary>
/// One piece of access to take from one principal, as an access review's Deny decision names it. The caller's
/// <see cref="Key"/> comes back on the result, so thousands of requests can be matched to their outcomes.
/// </summary>
public sealed record AccessRemovalRequest
{
    /// <summary>The caller's id for this request (a review item id); unique within one call.</summary>
    public required string Key { get; init; }

    /// <summary>The principal's directory object id.</summary>
    public required string UserId { get; init; }

    public required AccessKind Kind { get; init; }

    /// <summary>
    /// The group, the role definition, the resource service principal of an app role, the client of a delegated grant,
    /// or the SKU id of a licence (as <see cref="AccessGrant.ResourceId"/>).
    /// </summary>
    public required string ResourceId { get; init; }

    public string? ResourceDisplayName { get; init; }

    /// <summary>How the principal holds it. Only direct (and, for roles, eligible) access is removed per principal.</summary>
    public AssignmentType Assignment { get; init; } = AssignmentType.Direct;

    /// <summary>
    /// The id Graph removes by: the role assignment id of a permanent directory role, the app role assignment id, the
    /// delegated grant id. Required for those kinds.
    /// </summary>
    public string? AssignmentId { get; init; }

    /// <summary>For inherited access: the principal's own group that carries it, named in the NotRemovableByGraph reason.</summary>
    public string? InheritedFromGroupId { get; init; }

    public string? InheritedFromGroupName { get; init; }

    /// <summary>
    /// Who can remove it, where the caller already knows (from a snapshot's <see cref="AccessGrant.Removal"/>).
    /// Anything but <see cref="RemovalPath.Graph"/> is reported NotRemovableByGraph without a call; a group whose
    /// rule, sync or mail settings the caller did not know is found out by Graph's refusal instead.
    /// </summary>
    public RemovalPath Removal { get; init; } = RemovalPath.Graph;

    /// <summary>
    /// For a directory role: a PIM schedule or a time-bound assignment (as OffboardingPlanner writes a role step's
    /// Detail, or an ISO 8601 end date) is removed with an adminRemove request; otherwise DELETE roleAssignments/{id}.
    /// </summary>
    public string? Detail { get; init; }

    /// <summary>A request for <paramref name="grant"/> from a snapshot or live inventory, under the caller's <paramref name="key"/>.</summary>
    public static AccessRemovalRequest From(AccessGrant grant, string key)
    {
        ArgumentNullException.ThrowIfNull(grant);
        return new AccessRemovalRequest
        {
            Key = key,
            UserId = grant.UserId,
            Kind = grant.Kind,
            ResourceId = grant.ResourceId,
            ResourceDisplayName = grant.ResourceDisplayName,
            Assignment = grant.InheritedFromGroupId is null ? grant.Assignment : AssignmentType.Inherited,
            AssignmentId = grant.AssignmentId,
            InheritedFromGroupId = grant.InheritedFromGroupId,
            InheritedFromGroupName = grant.InheritedFromGroupName,
            Removal = grant.Removal,
            Detail = grant.Kind == AccessKind.DirectoryRole && grant.Until is { } until ? until.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture) : null,
        };
    }
}

/// <summary>What became of one <see cref="AccessRemovalRequest"/>.</summary>
public enum AccessRemovalOutcome
{
    /// <summary>Graph removed it in this run.</summary>
    AppliedSuccessfully,

    /// <summary>It was already gone (removed by an earlier run, by hand, or never there): nothing changed.</summary>
    AlreadyRemoved,

    /// <summary>Graph refused or never answered; <see cref="AccessRemovalResult.Reason"/> says why. Running again may succeed.</summary>
    Failed,

    /// <summary>Graph cannot remove it from this principal; <see cref="AccessRemovalResult.NotRemovableBecause"/> names who can.</summary>
    NotRemovableByGraph,
}

/// <summary>Why Graph cannot remove a piece of access from the principal.</summary>
public enum NotRemovableReason
{
    /// <summary>A dynamic group's rule holds the principal in it.</summary>
    DynamicRule,

    /// <summary>The group is synced from on-premises Active Directory.</summary>
    OnPremisesSync,

    /// <summary>A mail-enabled security group or distribution list, which Exchange Online manages.</summary>
    ExchangeOnline,

    /// <summary>Held through a group: it goes when the direct membership it comes through goes.</summary>
    Inherited,

    /// <summary>A licence assigned through a group (group-based licensing): it goes with the group membership.</summary>
    GroupBasedLicense,

    /// <summary>The principal is a group's last owner and no successor was named.</summary>
    LastOwner,

    /// <summary>Not a piece of access that is removed from a person (a device is disabled or re-owned instead).</summary>
    UnsupportedKind,
}

/// <summary>
/// The result of one <see cref="AccessRemovalRequest"/>: its outcome, why, Graph's request-id and the before and after
/// state, which together are the evidence of the removal.
/// </summary>
public sealed record AccessRemovalResult
{
    public required AccessRemovalRequest Request { get; init; }

    /// <summary>The caller's key, from the request.</summary>
    public string Key => Request.Key;

    public required AccessRemovalOutcome Outcome { get; init; }

    /// <summary>Set when the outcome is NotRemovableByGraph.</summary>
    public NotRemovableReason? NotRemovableBecause { get; init; }

    /// <summary>Why it failed, or who can remove it, in words an administrator can act on; null on success.</summary>
    public string? Reason { get; init; }

    /// <summary>Graph's request-id for the call that settled it (null when no call was made).</summary>
    public string? GraphRequestId { get; init; }

    /// <summary>Times the removal was sent, retries included (0 when no call was made).</summary>
    public int Attempts { get; init; }

    /// <summary>What Graph held before and after (compact JSON), as an offboarding step records it.</summary>
    public string? BeforeState { get; init; }

    public string? AfterState { get; init; }

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }
}

/// <summary>Every request's result, in the order of the requests, and what it took.</summary>
public sealed record AccessRemovalSummary
{
    public required IReadOnlyList<AccessRemovalResult> Results { get; init; }

    /// <summary>HTTP requests sent to Graph by this call (a $batch counts once).</summary>
    public required long GraphRequests { get; init; }

    public int Count(AccessRemovalOutcome outcome) => Results.Count(r => r.Outcome == outcome);
}
