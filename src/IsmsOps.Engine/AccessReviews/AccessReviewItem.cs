using System.Globalization;
using System.Text;
using IsmsOps.Engine.Access;
using IsmsOps.Engine.Offboarding;

namespace IsmsOps.Engine.AccessReviews;

/// <summary>What kind of access an item is. The first three are the <see cref="AccessKind"/> of the same name.</summary>
public enum AccessReviewAccessKind
{
    GroupMembership,
    DirectoryRole,
    AppRole,

    /// <summary>A guest's account in the tenant; denying it disables the account.</summary>
    GuestAccount,
}

/// <summary>What the resource of an item is.</summary>
public enum AccessReviewResourceKind
{
    Group,
    DirectoryRole,
    Application,
    Tenant,
}

/// <summary>What the evidence suggests the reviewer decides.</summary>
public enum AccessReviewRecommendation
{
    /// <summary>No evidence either way, or evidence that needs a person's judgement (access outside the role's birthright).</summary>
    None,
    Approve,
    Deny,
}

/// <summary>Why an item carries its recommendation, or a fact the reviewer should weigh.</summary>
public enum AccessReviewReason
{
    /// <summary>Signed in within the inactivity window (Approve).</summary>
    SignedInRecently,

    /// <summary>No sign-in for more than the campaign's inactivity window (Deny).</summary>
    NoRecentSignIn,

    /// <summary>No sign-in ever recorded, in a snapshot that holds sign-in activity (Deny).</summary>
    NeverSignedIn,

    /// <summary>The register links the account to a person who has Left (Deny).</summary>
    PersonLeft,

    /// <summary>The register links the account to a person who is Leaving (Deny).</summary>
    PersonLeaving,

    /// <summary>The person's role (role catalog) does not grant this access as birthright (a person decides: None).</summary>
    OutsideBirthright,

    /// <summary>Within the birthright of the person's role.</summary>
    WithinBirthright,

    /// <summary>This access breaches a segregation-of-duties rule of the person's role (Deny).</summary>
    SegregationOfDutiesConflict,

    /// <summary>A guest with no sponsor on record (Deny).</summary>
    GuestWithoutSponsor,

    /// <summary>A guest whose sponsors the snapshot does not hold: not recommended either way on that ground.</summary>
    SponsorUnknown,

    /// <summary>The snapshot holds no sign-in activity, so inactivity could not be judged.</summary>
    SignInUnknown,

    /// <summary>
    /// A guest whose every sponsor is gone from answering for it: a disabled account, a person who has Left, or an id
    /// the directory no longer holds (Deny). A group sponsor counts as active.
    /// </summary>
    SponsorInactive,
}

/// <summary>A reviewer's decision on an item.</summary>
public enum AccessReviewDecision
{
    NotReviewed,
    Approve,
    Deny,

    /// <summary>The reviewer cannot tell; the campaign's default decision applies to it at completion as to an undecided item.</summary>
    DontKnow,
}

/// <summary>
/// One piece of access under review, frozen when the campaign was created: who holds it, what it is, how it is held,
/// what the evidence recommends and why, who reviews it, and (once decided) the decision. It also carries what
/// <see cref="ToRemovalStep"/> needs to remove the access through the offboarding step runner, so completing a campaign
/// needs nothing but the store.
/// </summary>
public sealed record AccessReviewItem
{
    public required string CampaignId { get; init; }

    /// <summary>Position in the campaign, from 1.</summary>
    public required long ItemId { get; init; }

    /// <summary>The directory object id of the account holding the access.</summary>
    public required string PrincipalId { get; init; }

    /// <summary>The account's user principal name.</summary>
    public required string PrincipalName { get; init; }

    public string? PrincipalDisplayName { get; init; }

    /// <summary>True for a guest account (userType Guest).</summary>
    public bool IsGuest { get; init; }

    /// <summary>The register's PersonId linked to the account (by DirectoryObjectId, else UserPrincipalName), if any.</summary>
    public string? PersonId { get; init; }

    /// <summary>The group, role definition, resource service principal, or tenant.</summary>
    public required string ResourceId { get; init; }

    public required string ResourceDisplayName { get; init; }

    public required AccessReviewResourceKind ResourceKind { get; init; }

    public required AccessReviewAccessKind AccessKind { get; init; }

    /// <summary>Direct, Inherited (through <see cref="InheritedFromGroupId"/>) or Eligible (PIM).</summary>
    public required AssignmentType Assignment { get; init; }

    /// <summary>For inherited access: the principal's own direct group that carries it.</summary>
    public string? InheritedFromGroupId { get; init; }

    public string? InheritedFromGroupName { get; init; }

    /// <summary>When the access was granted, where the directory records it (role schedules, app role assignments).</summary>
    public DateTimeOffset? Since { get; init; }

    /// <summary>The account's latest sign-in when the snapshot was taken; null when never or unknown (see the reasons).</summary>
    public DateTimeOffset? LastSignIn { get; init; }

    public AccessReviewRecommendation Recommendation { get; init; }

    public IReadOnlyList<AccessReviewReason> Reasons { get; init; } = [];

    /// <summary>The reasons in words, for a reviewer.</summary>
    public string? RecommendationNote { get; init; }

    /// <summary>The reviewers' object ids (see the campaign's reviewers for names and mail).</summary>
    public IReadOnlyList<string> ReviewerIds { get; init; } = [];

    /// <summary>True when the reviewers are the campaign's fallback reviewers.</summary>
    public bool ReviewedByFallback { get; init; }

    /// <summary>Privileged access: a directory role, a role-assignable group, or access the role catalog marks privileged. Approving it needs a justification.</summary>
    public bool Privileged { get; init; }

    // --- what removes the access: the offboarding step this item becomes when denied ---

    /// <summary>The offboarding step kind that removes the access (ManualTask when Graph cannot).</summary>
    public required OffboardingStepKind RemovalStepKind { get; init; }

    /// <summary>The id Graph removes by where it differs from the resource: role assignment or schedule id, app role assignment id.</summary>
    public string? AssignmentId { get; init; }

    /// <summary>The step's Detail: a role's source and scope, as the offboarding planner writes it.</summary>
    public string? RemovalDetail { get; init; }

    /// <summary>Who can remove it: Graph, ViaGroup, DynamicRule, OnPremisesDirectory, ExchangeOnline.</summary>
    public required RemovalPath Removal { get; init; }

    /// <summary>How a person removes it, for access Graph cannot remove (dynamic, synced, Exchange-managed, inherited); null when the step alone removes it.</summary>
    public string? RemovalNote { get; init; }

    // --- the decision ---

    public AccessReviewDecision Decision { get; init; } = AccessReviewDecision.NotReviewed;

    public string? Justification { get; init; }

    /// <summary>The reviewer's object id.</summary>
    public string? DecidedBy { get; init; }

    public DateTimeOffset? DecidedAt { get; init; }

    /// <summary>1 when created; each decision adds one. A decision names the version it was made on.</summary>
    public long Version { get; init; } = 1;

    /// <summary>True until someone decides.</summary>
    public bool IsPending => Decision == AccessReviewDecision.NotReviewed;

    /// <summary>
    /// The offboarding step that removes this access, for <see cref="OffboardingStepRunner"/>: the same kinds, resource,
    /// assignment id and Detail the offboarding planner gives the same grant. A grant Graph cannot remove (inherited,
    /// dynamic, synced, Exchange-managed) comes back as a ManualTask naming who can.
    /// </summary>
    public OffboardingStep ToRemovalStep(int sequence) => new()
    {
        Sequence = sequence,
        Kind = RemovalStepKind,
        UserId = PrincipalId,
        // Disabling a guest acts on the account itself and names it, as the planner's DisableAccount step does.
        ResourceId = RemovalStepKind == OffboardingStepKind.DisableAccount ? PrincipalId : ResourceId,
        ResourceDisplayName = RemovalStepKind == OffboardingStepKind.DisableAccount ? PrincipalName : ResourceDisplayName,
        AssignmentId = AssignmentId,
        Detail = RemovalDetail,
        Status = RemovalStepKind == OffboardingStepKind.ManualTask ? OffboardingStepStatus.ManualTask : OffboardingStepStatus.Pending,
        Reason = RemovalStepKind == OffboardingStepKind.ManualTask ? RemovalNote : null,
    };

    /// <summary>
    /// The frozen part of the item as one line (ids and codes only, no decision), which the campaign's
    /// <see cref="AccessReviewCampaign.ItemsSha256"/> hashes in item order.
    /// </summary>
    public void AppendCanonical(StringBuilder line)
    {
        ArgumentNullException.ThrowIfNull(line);
        line.Append(CultureInfo.InvariantCulture, $"{ItemId}").Append('|').Append(PrincipalId).Append('|').Append(ResourceId).Append('|')
            .Append(AccessKind.ToString()).Append('|').Append(Assignment.ToString()).Append('|').Append(InheritedFromGroupId).Append('|').Append(AssignmentId).Append('|')
            .Append(RemovalStepKind.ToString()).Append('|').Append(Recommendation.ToString()).Append('|');
        for (int i = 0; i < Reasons.Count; i++)
        {
            line.Append(i == 0 ? "" : ",").Append(Reasons[i].ToString());
        }

        line.Append('|');
        for (int i = 0; i < ReviewerIds.Count; i++)
        {
            line.Append(i == 0 ? "" : ",").Append(ReviewerIds[i]);
        }

        line.Append('|').Append(Privileged ? '1' : '0').Append('\n');
    }
}

/// <summary>Which items to read. Filters combine with AND.</summary>
public sealed record AccessReviewItemQuery
{
    public required string CampaignId { get; init; }

    /// <summary>Only items this reviewer (object id) reviews.</summary>
    public string? ReviewerId { get; init; }

    /// <summary>Only items nobody has decided.</summary>
    public bool PendingOnly { get; init; }

    /// <summary>Only these items; all when empty.</summary>
    public IReadOnlyList<long> ItemIds { get; init; } = [];
}

/// <summary>How far one reviewer is with a campaign.</summary>
public sealed record AccessReviewerProgress
{
    public required AccessReviewer Reviewer { get; init; }

    public required long Assigned { get; init; }

    public required long Decided { get; init; }

    public long Pending => Assigned - Decided;

    /// <summary>True when the due date has passed with items of theirs undecided.</summary>
    public bool IsOverdue { get; init; }
}

/// <summary>A campaign with its progress: what Get-IsmsAccessReview shows.</summary>
public sealed record AccessReviewOverview
{
    public required AccessReviewCampaign Campaign { get; init; }

    public string CampaignId => Campaign.CampaignId;

    public string Name => Campaign.Name;

    public AccessReviewCampaignStatus Status => Campaign.Status;

    public DateTimeOffset DueDate => Campaign.DueDate;

    public int ItemCount => Campaign.ItemCount;

    /// <summary>Items with a decision.</summary>
    public required long Decided { get; init; }

    public long Pending => ItemCount - Decided;

    /// <summary>True when the due date has passed with items undecided.</summary>
    public required bool IsOverdue { get; init; }

    /// <summary>Each reviewer's progress.</summary>
    public required IReadOnlyList<AccessReviewerProgress> Reviewers { get; init; }

    /// <summary>User principal names of the reviewers past the due date with items of theirs undecided.</summary>
    public IReadOnlyList<string> OverdueReviewers => Reviewers.Where(r => r.IsOverdue).Select(r => r.Reviewer.UserPrincipalName).ToArray();

    /// <summary>User principal names of reviewers with no mail address (no reminder can reach them by mail).</summary>
    public IReadOnlyList<string> ReviewersWithoutMail => Reviewers.Where(r => r.Reviewer.HasNoMail).Select(r => r.Reviewer.UserPrincipalName).ToArray();
}
