using IsmsOps.Engine.Policies;

namespace IsmsOps.Engine.AccessReviews;

/// <summary>What happens to an item nobody decided by the due date (applied when the campaign is completed).</summary>
public enum AccessReviewDefaultDecision
{
    /// <summary>Leave the access as it is and record the item as not reviewed.</summary>
    None,

    /// <summary>Keep the access.</summary>
    Approve,

    /// <summary>Remove the access. With auto-apply this can revoke everyone's access, so it needs -Force.</summary>
    Deny,

    /// <summary>Follow the item's recommendation (Approve, Deny, or leave it for None).</summary>
    Recommendation,
}

/// <summary>Where a campaign stands.</summary>
public enum AccessReviewCampaignStatus
{
    /// <summary>Created; decisions are taken from the start date on.</summary>
    Active,

    /// <summary>Completed: decisions were applied and no more are taken.</summary>
    Completed,
}

/// <summary>Who reviews an item.</summary>
public enum AccessReviewerRule
{
    /// <summary>The principal's manager, from the directory snapshot.</summary>
    Manager,

    /// <summary>The owners of the resource: a group's owners. Applications and directory roles have none in a snapshot.</summary>
    ResourceOwner,

    /// <summary>The users named in <see cref="AccessReviewReviewers.Named"/>, for every item.</summary>
    Named,
}

/// <summary>
/// What a campaign reviews, read from a directory snapshot. Each part adds items; an item reached by two parts is
/// listed once. See docs/access-reviews.md for what each part covers.
/// </summary>
public sealed record AccessReviewScope
{
    /// <summary>Groups by display name or object id, with wildcards: their members (direct, and through nested groups).</summary>
    public IReadOnlyList<string> GroupNames { get; init; } = [];

    /// <summary>
    /// Groups by tag (wildcards allowed): the groups <c>policies/group-tags.yaml</c> gives a matching tag, and for the
    /// built-in <c>privileged</c> tag the groups the role catalog's privileged roles grant.
    /// </summary>
    public IReadOnlyList<string> GroupTags { get; init; } = [];

    /// <summary>
    /// Groups by an OData-style filter on their properties (<see cref="Snapshots.GroupFilter"/>), e.g.
    /// <c>startswith(displayName,'Finance') and securityEnabled eq true</c>; null for none.
    /// </summary>
    public string? GroupFilter { get; init; }

    /// <summary>Directory role assignments, active and PIM-eligible; <see cref="DirectoryRoleNames"/> narrows them.</summary>
    public bool PrivilegedDirectoryRoles { get; init; }

    /// <summary>Role names or template ids (wildcards) to keep; every role when empty.</summary>
    public IReadOnlyList<string> DirectoryRoleNames { get; init; } = [];

    /// <summary>App role assignments to users and groups; <see cref="ApplicationNames"/> narrows them.</summary>
    public bool AppRoleAssignments { get; init; }

    /// <summary>Applications by display name, app id or service principal id (wildcards); every application when empty.</summary>
    public IReadOnlyList<string> ApplicationNames { get; init; } = [];

    /// <summary>Every guest account (userType Guest): the item is the guest's access to the tenant.</summary>
    public bool Guests { get; init; }

    /// <summary>The groups and app roles that the role catalog's privileged roles grant as birthright: everyone holding them.</summary>
    public bool CatalogPrivileged { get; init; }

    /// <summary>True when no part was asked for.</summary>
    public bool IsEmpty =>
        GroupNames.Count == 0 && GroupTags.Count == 0 && string.IsNullOrWhiteSpace(GroupFilter) && !PrivilegedDirectoryRoles && !AppRoleAssignments && !Guests && !CatalogPrivileged;

    /// <summary>The scope in words, for messages: "groups 'Finance*'; privileged directory roles".</summary>
    public string Describe()
    {
        var parts = new List<string>();
        if (GroupNames.Count > 0)
        {
            parts.Add("groups " + string.Join(", ", GroupNames.Select(n => $"'{n}'")));
        }

        if (GroupTags.Count > 0)
        {
            parts.Add("groups tagged " + string.Join(", ", GroupTags.Select(n => $"'{n}'")));
        }

        if (!string.IsNullOrWhiteSpace(GroupFilter))
        {
            parts.Add($"groups matching the filter \"{GroupFilter}\"");
        }

        if (PrivilegedDirectoryRoles)
        {
            parts.Add("directory roles (active and eligible)" + (DirectoryRoleNames.Count == 0 ? "" : " " + string.Join(", ", DirectoryRoleNames.Select(n => $"'{n}'"))));
        }

        if (AppRoleAssignments)
        {
            parts.Add("app role assignments" + (ApplicationNames.Count == 0 ? "" : " of " + string.Join(", ", ApplicationNames.Select(n => $"'{n}'"))));
        }

        if (Guests)
        {
            parts.Add("guests");
        }

        if (CatalogPrivileged)
        {
            parts.Add("access the role catalog marks privileged");
        }

        return parts.Count == 0 ? "nothing" : string.Join("; ", parts);
    }
}

/// <summary>How reviewers are chosen, and who takes the items that rule leaves without one.</summary>
public sealed record AccessReviewReviewers
{
    public AccessReviewerRule Rule { get; init; } = AccessReviewerRule.Manager;

    /// <summary>Object ids or user principal names of the reviewers for <see cref="AccessReviewerRule.Named"/>.</summary>
    public IReadOnlyList<string> Named { get; init; } = [];

    /// <summary>Object ids or user principal names of those who review items the rule gives nobody (no manager, no owner).</summary>
    public IReadOnlyList<string> Fallback { get; init; } = [];
}

/// <summary>Everything <c>New-IsmsAccessReview</c> asks for: what to create, before the snapshot is read.</summary>
public sealed record AccessReviewDefinition
{
    public required string Name { get; init; }

    public required AccessReviewScope Scope { get; init; }

    public AccessReviewReviewers Reviewers { get; init; } = new();

    /// <summary>When decisions may start; now when null.</summary>
    public DateTimeOffset? StartDate { get; init; }

    /// <summary>When decisions are due; 14 days after the start when null.</summary>
    public DateTimeOffset? DueDate { get; init; }

    /// <summary>How often the campaign recurs, as an ISO 8601 duration (P3M); null for a one-off.</summary>
    public string? Recurrence { get; init; }

    public AccessReviewDefaultDecision DefaultDecision { get; init; } = AccessReviewDefaultDecision.None;

    /// <summary>Apply the decisions (and the default for undecided items) when the campaign completes, without asking.</summary>
    public bool AutoApply { get; init; }

    /// <summary>Days without a sign-in after which an item is recommended for removal (90 by default).</summary>
    public int InactiveDays { get; init; } = 90;

    /// <summary>Allows auto-apply with a Deny or Recommendation default, which can remove everyone's access.</summary>
    public bool Force { get; init; }
}

/// <summary>One person who reviews items of a campaign, as the snapshot described them when it was created.</summary>
public sealed record AccessReviewer
{
    /// <summary>The reviewer's directory object id.</summary>
    public required string ReviewerId { get; init; }

    public required string UserPrincipalName { get; init; }

    public string? DisplayName { get; init; }

    public string? Mail { get; init; }

    /// <summary>True when the reviewer has no mail address: still assignable, but no reminder can reach them by mail.</summary>
    public bool HasNoMail => string.IsNullOrWhiteSpace(Mail);

    /// <summary>True when the reviewer was named as a fallback (rather than chosen by the rule).</summary>
    public bool IsFallback { get; init; }
}

/// <summary>
/// An access review campaign: a frozen set of <see cref="AccessReviewItem"/>s taken from one directory snapshot, the
/// reviewers they were given to, the dates, and what happens to items nobody decides. The items are stored apart from
/// the campaign (there can be millions); <see cref="ItemsSha256"/> commits to them.
/// </summary>
public sealed record AccessReviewCampaign
{
    /// <summary>AR-yyyyMMdd-xxxxxx.</summary>
    public required string CampaignId { get; init; }

    public required string Name { get; init; }

    public required AccessReviewScope Scope { get; init; }

    public required AccessReviewReviewers Reviewers { get; init; }

    public required DateTimeOffset StartDate { get; init; }

    public required DateTimeOffset DueDate { get; init; }

    /// <summary>ISO 8601 duration (P3M), or null for a one-off campaign.</summary>
    public string? Recurrence { get; init; }

    public AccessReviewDefaultDecision DefaultDecision { get; init; }

    public bool AutoApply { get; init; }

    public int InactiveDays { get; init; } = 90;

    public AccessReviewCampaignStatus Status { get; init; } = AccessReviewCampaignStatus.Active;

    /// <summary>The tenant the snapshot describes.</summary>
    public string? TenantId { get; init; }

    /// <summary>When the snapshot the items were frozen from was collected.</summary>
    public required DateTimeOffset SnapshotCollectedAt { get; init; }

    /// <summary>The content SHA-256 of the snapshot file, or null when it was collected live for this campaign.</summary>
    public string? SnapshotSha256 { get; init; }

    public required int ItemCount { get; init; }

    /// <summary>SHA-256 over the frozen items in item order (see <see cref="AccessReviewItem.AppendCanonical"/>).</summary>
    public required string ItemsSha256 { get; init; }

    /// <summary>What the snapshot could not tell, and so what no recommendation or reviewer was based on (no sponsors, no sign-ins).</summary>
    public IReadOnlyList<string> EvidenceGaps { get; init; } = [];

    public required DateTimeOffset CreatedAt { get; init; }

    public long Version { get; init; } = 1;

    /// <summary>
    /// The campaign this one recurs from, when <see cref="AccessReviewScheduler"/> created it as the next period of a
    /// recurring campaign; null for a campaign created by hand. A campaign has at most one successor (the store keeps
    /// that unique), which is how a repeated or concurrent run creates no second one.
    /// </summary>
    public string? PredecessorId { get; init; }

    /// <summary>The first campaign of the series this one belongs to (its own id for the first); null for a one-off.</summary>
    public string? SeriesId { get; init; }

    /// <summary>
    /// The start a recurring series' schedule counts whole periods from: the first campaign's start, or the start of the
    /// campaign whose recurrence was last changed. Null for a one-off, a series' first campaign, and campaigns stored
    /// before IsmsOps kept it: their own <see cref="StartDate"/> is then the anchor.
    /// </summary>
    public DateTimeOffset? ScheduleStartDate { get; init; }

    /// <summary>
    /// The next campaign's start, when the campaign recurs: the first date of the series' schedule (whole periods from
    /// <see cref="ScheduleStartDate"/>) after this campaign's start, so a series begun on 31 January runs on the last
    /// day of each month however short the months between.
    /// </summary>
    public DateTimeOffset? NextStartDate =>
        Recurrence is not null && IsoDuration.TryParse(Recurrence, out IsoDuration every) && every.AddTo(StartDate) > StartDate
            ? every.FirstAfter(ScheduleStartDate ?? StartDate, StartDate)
            : null;

    /// <summary>True when the due date has passed and the campaign is still taking decisions.</summary>
    public bool IsOverdueAt(DateTimeOffset now) => Status == AccessReviewCampaignStatus.Active && now > DueDate;
}

/// <summary>Which campaigns to read. Filters combine with AND.</summary>
public sealed record AccessReviewCampaignQuery
{
    /// <summary>Campaign ids or names, with wildcards; all when empty.</summary>
    public IReadOnlyList<string> IdOrNamePatterns { get; init; } = [];

    public IReadOnlyList<AccessReviewCampaignStatus> Statuses { get; init; } = [];
}
