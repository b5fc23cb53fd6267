using System.Management.Automation;
using IsmsOps.Engine;
using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Creates an access review campaign: the access in scope, frozen from a directory snapshot, with a recommendation and reviewers for each item.</summary>
/// <remarks>
/// The scope is any mix of: groups by name (-GroupName, wildcards; their direct members and the members of nested
/// groups, inherited through the group they are in), by tag (-GroupTag) or by filter (-GroupFilter); directory roles,
/// active and PIM-eligible (-PrivilegedDirectoryRole, narrowed by -DirectoryRoleName); app role assignments
/// (-AppRoleAssignment, narrowed by -Application); guest accounts (-Guest); and the groups and app roles that the role
/// catalog's privileged roles grant (-CatalogPrivileged). Parts add up; an item reached by two is listed once. Only user
/// accounts are reviewed. A scope that matches nothing fails with IsmsOps.AccessReview.EmptyScope naming what each part
/// matched.
/// Entra ID groups have no tags, so IsmsOps reads them from group-tags.yaml in the policy folder: each tag names groups
/// by display name (wildcards) or object id. The built-in tag 'privileged' is every group the role catalog's privileged
/// roles grant. A -GroupTag that names no tag fails with IsmsOps.AccessReview.UnknownGroupTag, listing the tags there are.
/// -GroupFilter takes the OData $filter Graph takes for groups: eq, ne, startswith(prop,'x'), endswith(prop,'x'), and,
/// or, not, parentheses, groupTypes/any(t:t eq 'Unified'), true, false, null and 'quoted' strings ('' for a quote), on
/// id, displayName, description, mail, membershipRule, mailEnabled, securityEnabled, isAssignableToRole and
/// onPremisesSyncEnabled. Strings compare ignoring case. A filter that does not parse fails with IsmsOps.GroupFilter.Syntax
/// naming the column, or IsmsOps.GroupFilter.UnknownProperty listing the properties, before anything is read.
/// Each item is frozen when the campaign is created: the principal (and the register's person linked to it), the
/// resource, the kind of access, direct, inherited (and through which group) or eligible, since when, the last sign-in,
/// and what removing it takes (the offboarding step, or the system that must act). Each carries a recommendation with
/// its reasons: no sign-in for -InactiveDays days (90) or never (Deny); the person Left or Leaving (Deny); a
/// segregation-of-duties conflict of the person's role (Deny); a guest with no sponsor (Deny); access outside the
/// birthright of the person's role (no recommendation: a person judges); a recent sign-in or birthright access
/// (Approve). What the snapshot lacks (sign-in activity; guest sponsors, in a snapshot written before they were
/// collected; application owners) is recorded in the campaign's EvidenceGaps, never guessed.
/// -Reviewer is Manager (default; a guest without a manager goes to its sponsors), ResourceOwner (a group's owners), or
/// one or more named users. Items the rule gives
/// nobody (no manager, no owner, an application or directory role under ResourceOwner) go to -FallbackReviewer; with no
/// fallback the command fails with IsmsOps.AccessReview.NoReviewer. Nobody reviews their own access. A reviewer with
/// no mail address is assigned and listed in Get-IsmsAccessReview's ReviewersWithoutMail.
/// -StartDate defaults to now and -DueDate to 14 days after the start; a date without a time of day means the end of
/// that day for -DueDate, and dates without a time zone are UTC. -Recurrence is an ISO 8601 duration (P3M quarterly).
/// -DefaultDecision (None, Approve, Deny, Recommendation) is what completion applies to items nobody decided;
/// -AutoApply with Deny or Recommendation can remove everyone's access if reviewers do not respond, and is refused
/// without -Force (IsmsOps.AccessReview.AutoApplyNeedsForce). Invoke-IsmsAccessReviewCycle, run from a scheduled job,
/// completes auto-apply campaigns at their due date and starts each recurring campaign's next period, which inherits
/// that -Force.
/// The directory is read from -SnapshotPath, else the snapshot Import-IsmsDirectorySnapshot made current, else Microsoft
/// Graph live (a whole-tenant collection first, as Export-IsmsDirectorySnapshot makes). A snapshot scoped to one user is
/// refused. The campaign, its reviewers and its items are stored in one transaction with one audit event
/// (AccessReview.CampaignCreated) holding the counts and the SHA-256 of the frozen items.
/// Graph permissions: none when reading a snapshot; live, the read permissions listed for New-IsmsAccessReview in
/// docs/graph-permissions.md.
/// </remarks>
/// <example>
/// <code>New-IsmsAccessReview -Name 'Privileged access 2026-Q4' -PrivilegedDirectoryRole -CatalogPrivileged -Reviewer Manager -FallbackReviewer ciso@contoso.com -Recurrence P3M -SnapshotPath ./evidence/contoso.json.gz</code>
/// <para>Reviews every directory role (active and eligible) and everything the role catalog marks privileged, quarterly.</para>
/// </example>
/// <example>
/// <code>New-IsmsAccessReview -Name 'Finance groups' -GroupName 'Finance*' -Reviewer ResourceOwner -FallbackReviewer ciso@contoso.com -DueDate 2026-12-15</code>
/// <para>Has the owners of the Finance groups review their members by 15 December, from the imported snapshot.</para>
/// </example>
/// <example>
/// <code>New-IsmsAccessReview -Name 'SOX groups' -GroupTag sox -GroupFilter "groupTypes/any(t:t eq 'Unified') and not startswith(displayName,'Team - ')" -FallbackReviewer ciso@contoso.com</code>
/// <para>Reviews the groups tagged sox in group-tags.yaml, and the Microsoft 365 groups whose names do not start with 'Team - '.</para>
/// </example>
/// <example>
/// <code>New-IsmsAccessReview -Name 'Guests' -Guest -Reviewer sponsor.desk@contoso.com -DefaultDecision Recommendation -AutoApply -Force</code>
/// <para>Reviews all guests; at completion, undecided guests follow their recommendation. -Force acknowledges that this removes access nobody confirmed.</para>
/// </example>
[Cmdlet(VerbsCommon.New, "IsmsAccessReview", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(AccessReviewCampaign))]
public sealed class NewIsmsAccessReviewCommand : IsmsCmdlet
{
    /// <summary>The campaign's name, such as 'Privileged access 2026-Q4'.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Name { get; set; } = string.Empty;

    /// <summary>Groups to review, by display name or object id; wildcards allowed ('Finance*').</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] GroupName { get; set; } = [];

    /// <summary>Groups to review by tag (wildcards allowed): the tags of group-tags.yaml in the policy folder, and the built-in 'privileged'.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] GroupTag { get; set; } = [];

    /// <summary>Groups to review by an OData filter on their properties, as Graph takes it: "startswith(displayName,'Finance') and securityEnabled eq true".</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? GroupFilter { get; set; }

    /// <summary>Review directory role assignments, active and PIM-eligible.</summary>
    [Parameter]
    public SwitchParameter PrivilegedDirectoryRole { get; set; }

    /// <summary>With -PrivilegedDirectoryRole: only these roles, by display name or template id (wildcards). All roles when left out.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] DirectoryRoleName { get; set; } = [];

    /// <summary>Review app role assignments to users and groups.</summary>
    [Parameter]
    public SwitchParameter AppRoleAssignment { get; set; }

    /// <summary>With -AppRoleAssignment: only these applications, by display name, app id or service principal id (wildcards).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Application { get; set; } = [];

    /// <summary>Review every guest account.</summary>
    [Parameter]
    public SwitchParameter Guest { get; set; }

    /// <summary>Review the groups and app roles that the role catalog's privileged roles grant.</summary>
    [Parameter]
    public SwitchParameter CatalogPrivileged { get; set; }

    /// <summary>Who reviews: Manager (default), ResourceOwner, or the user principal names or object ids of named reviewers.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] Reviewer { get; set; } = ["Manager"];

    /// <summary>Users (UPN or object id) who review the items the -Reviewer rule leaves without a reviewer.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] FallbackReviewer { get; set; } = [];

    /// <summary>When decisions may start; now when left out. A date without a time zone is UTC.</summary>
    [Parameter]
    public DateTime? StartDate { get; set; }

    /// <summary>When decisions are due; 14 days after the start when left out. A date without a time of day means the end of that day (UTC).</summary>
    [Parameter]
    public DateTime? DueDate { get; set; }

    /// <summary>How often the campaign recurs, as an ISO 8601 duration: P3M (quarterly), P6M (half-yearly), P1Y. Invoke-IsmsAccessReviewCycle starts each next period.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? Recurrence { get; set; }

    /// <summary>What completion does with items nobody decided: None (default), Approve, Deny or Recommendation.</summary>
    [Parameter]
    public AccessReviewDefaultDecision DefaultDecision { get; set; } = AccessReviewDefaultDecision.None;

    /// <summary>Apply the decisions and the default without asking when the campaign completes.</summary>
    [Parameter]
    public SwitchParameter AutoApply { get; set; }

    /// <summary>Allows -AutoApply with a Deny or Recommendation default, which can remove everyone's access if reviewers do not respond.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Days without a sign-in after which removal is recommended (90 by default).</summary>
    [Parameter]
    [ValidateRange(1, 3650)]
    public int InactiveDays { get; set; } = 90;

    /// <summary>A snapshot file to read instead of the session's imported snapshot or Graph; it does not replace the imported one.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SnapshotPath { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        StopOnError(() =>
        {
            AccessReviewDefinition definition = AccessReviewRegister.Validate(Definition(), DateTimeOffset.UtcNow);
            // The tag file is read only when tags are asked for, and an unknown tag fails before the directory is read
            // (a live read can take minutes).
            GroupTagPolicy groupTags = definition.Scope.GroupTags.Count > 0 ? ModuleSession.LoadGroupTags() : GroupTagPolicy.Default;
            groupTags.RequireKnown(definition.Scope.GroupTags);
            IDirectorySource source = ResolveDirectory(SnapshotPath);
            if (!ShouldProcess($"campaign '{definition.Name}' over {definition.Scope.Describe()} from {source.Description}", "Create access review"))
            {
                return;
            }

            RoleCatalog catalog = ModuleSession.LoadRoleCatalog();
            (DirectoryIndex index, string? sha) = Run(ct => AccessReviewRegister.ReadTenantAsync(source, null, ct));
            AccessReviewCampaign campaign = Run((w, ct) => w.AccessReviews.CreateAsync(definition, index, sha, catalog, groupTags, Operation, ct));
            foreach (string gap in campaign.EvidenceGaps)
            {
                WriteWarning(gap);
            }

            string[] noMail = Run((w, ct) => w.AccessReviews.ReviewersAsync(campaign.CampaignId, ct)).Where(r => r.HasNoMail).Select(r => r.UserPrincipalName).ToArray();
            if (noMail.Length > 0)
            {
                WriteWarning($"{noMail.Length} reviewer(s) have no mail address and are assigned all the same; no reminder can reach them by mail: {string.Join(", ", noMail.Take(10))}{(noMail.Length > 10 ? ", …" : "")}.");
            }

            WriteObject(campaign);
        });
    }

    private AccessReviewDefinition Definition()
    {
        string[] reviewers = Reviewer.Select(r => r.Trim()).ToArray();
        AccessReviewerRule rule = reviewers is [var only] && Enum.TryParse(only, ignoreCase: true, out AccessReviewerRule named) && named != AccessReviewerRule.Named
            ? named
            : AccessReviewerRule.Named;
        return new AccessReviewDefinition
        {
            Name = Name,
            Scope = new AccessReviewScope
            {
                GroupNames = GroupName,
                GroupTags = GroupTag,
                GroupFilter = GroupFilter,
                PrivilegedDirectoryRoles = PrivilegedDirectoryRole,
                DirectoryRoleNames = DirectoryRoleName,
                AppRoleAssignments = AppRoleAssignment,
                ApplicationNames = Application,
                Guests = Guest,
                CatalogPrivileged = CatalogPrivileged,
            },
            Reviewers = new AccessReviewReviewers { Rule = rule, Named = rule == AccessReviewerRule.Named ? reviewers : [], Fallback = FallbackReviewer },
            StartDate = StartDate is DateTime start ? Utc(start) : null,
            DueDate = DueDate is DateTime due ? Utc(due.TimeOfDay == TimeSpan.Zero ? due.Date.AddDays(1).AddTicks(-1) : due) : null,
            Recurrence = Recurrence,
            DefaultDecision = DefaultDecision,
            AutoApply = AutoApply,
            Force = Force,
            InactiveDays = InactiveDays,
        };
    }

    private static DateTimeOffset Utc(DateTime value) => value.Kind == DateTimeKind.Local
        ? new DateTimeOffset(value).ToUniversalTime()
        : new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
