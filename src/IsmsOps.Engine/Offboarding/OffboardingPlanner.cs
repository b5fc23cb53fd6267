using System.Globalization;
using IsmsOps.Engine.Access;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.Engine.Offboarding;

/// <summary>What to plan beyond the access removal every leaver gets.</summary>
public sealed record OffboardingPlanOptions
{
    /// <summary>Plan a <see cref="OffboardingStepKind.DisableDevice"/> step for each device the leaver is a registered owner of. On by default.</summary>
    public bool DisableDevices { get; init; } = true;

    /// <summary>Plan moving the leaver's direct reports to the leaver's own manager. On by default.</summary>
    public bool ReassignDirectReports { get; init; } = true;

    /// <summary>Plan a manual task to hand the mailbox over (convert to shared, grant the manager access). Only when asked.</summary>
    public bool HandOffMailbox { get; init; }

    /// <summary>Plan a manual task to delete the account once the case is verified. Only when asked.</summary>
    public bool DeleteAccount { get; init; }

    public static OffboardingPlanOptions Default { get; } = new();
}

/// <summary>
/// The ordered steps that remove one leaver's access, worked out from a directory read, before anything runs.
/// </summary>
public sealed record OffboardingPlan
{
    public required string UserId { get; init; }

    public required string UserPrincipalName { get; init; }

    public string? DisplayName { get; init; }

    /// <summary>The leaver's manager's object id, who takes over last-owned groups and direct reports; null when none is set.</summary>
    public string? ManagerId { get; init; }

    /// <summary>When the directory read the plan comes from started.</summary>
    public required DateTimeOffset SnapshotCollectedAt { get; init; }

    /// <summary>Evidence the directory read lacked: a plan made without, say, role schedules cannot hold eligible roles.</summary>
    public IReadOnlyList<EvidenceGap> EvidenceGaps { get; init; } = [];

    /// <summary>The steps in run order, <see cref="OffboardingStep.Sequence"/> from 1, all Pending or ManualTask.</summary>
    public required IReadOnlyList<OffboardingStep> Steps { get; init; }
}

/// <summary>
/// Turns a leaver's access into an <see cref="OffboardingPlan"/>. Pure: it reads a <see cref="DirectoryIndex"/> (a
/// snapshot scoped to the user by UserAccessCollector, or a whole tenant) and calls nothing. The rules, and why, are in
/// docs/offboarding-plan.md.
/// </summary>
public static class OffboardingPlanner
{
    /// <summary>The first word of a role step's Detail when the assignment came from a PIM schedule (remove it with an adminRemove schedule request).</summary>
    public const string ScheduleSource = "schedule";

    /// <summary>The first word of a role step's Detail for a plain role assignment (remove it with DELETE).</summary>
    public const string AssignmentSource = "assignment";

    /// <summary>The Detail of the manual task that hands the mailbox over.</summary>
    public const string MailboxHandOffTask = "mailboxHandOff";

    /// <summary>The Detail of the manual task that deletes the account.</summary>
    public const string DeleteAccountTask = "deleteAccount";

    /// <summary>
    /// Plans the offboarding of the user with object id or user principal name <paramref name="userIdOrUpn"/>. Fails
    /// with <c>IsmsOps.Access.UserNotFound</c> when the index does not hold that user.
    /// </summary>
    public static OffboardingPlan Plan(DirectoryIndex index, string userIdOrUpn, OffboardingPlanOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        options ??= OffboardingPlanOptions.Default;
        IReadOnlyList<AccessGrant> grants = AccessInventory.For(index, userIdOrUpn);
        SnapshotUser user = index.FindUser(userIdOrUpn)!;
        var steps = new List<OffboardingStep>();
        OffboardingStep Step(OffboardingStepKind kind, string? resourceId = null, string? name = null) =>
            new() { Sequence = 0, Kind = kind, UserId = user.Id, ResourceId = resourceId, ResourceDisplayName = name };

        // Sign-in goes first so nothing is used while the rest is taken away; revoking sessions before disabling
        // would let a refresh token mint a new session in between.
        steps.Add(Step(OffboardingStepKind.DisableAccount, user.Id, user.UserPrincipalName));
        steps.Add(Step(OffboardingStepKind.RevokeSessions, user.Id, user.UserPrincipalName));

        // Only direct grants are planned: whatever is inherited goes with the membership that carries it, and a
        // second removal of it would fail or, worse, hide that the membership is still there.
        foreach (AccessGrant grant in grants.Where(g => g.InheritedFromGroupId is null))
        {
            switch (grant.Kind)
            {
                case AccessKind.GroupMembership:
                    steps.Add(grant.Removal == RemovalPath.Graph
                        ? Step(OffboardingStepKind.RemoveGroupMembership, grant.ResourceId, grant.ResourceDisplayName)
                        : ManualTask(Step(OffboardingStepKind.ManualTask, grant.ResourceId, grant.ResourceDisplayName), grant, "groupMembership"));
                    break;
                case AccessKind.GroupOwnership:
                    steps.Add(grant.Removal == RemovalPath.Graph
                        ? Step(OffboardingStepKind.RemoveGroupOwnership, grant.ResourceId, grant.ResourceDisplayName) with
                        {
                            Detail = IsLastOwner(index.GroupById(grant.ResourceId), user.Id) ? user.ManagerId : null,
                        }
                        : ManualTask(Step(OffboardingStepKind.ManualTask, grant.ResourceId, grant.ResourceDisplayName), grant, "groupOwnership"));
                    break;
                case AccessKind.DirectoryRole:
                    SnapshotRoleAssignment? role = index.RoleAssignmentsOf(user.Id)
                        .FirstOrDefault(r => string.Equals(r.Id, grant.AssignmentId, StringComparison.OrdinalIgnoreCase));
                    steps.Add(Step(grant.Assignment == AssignmentType.Eligible ? OffboardingStepKind.RemoveEligibleDirectoryRole : OffboardingStepKind.RemoveDirectoryRole,
                        grant.ResourceId, grant.ResourceDisplayName) with
                    {
                        AssignmentId = grant.AssignmentId,
                        Detail = RoleDetail(role),
                    });
                    break;
                case AccessKind.AppRole:
                    steps.Add(Step(OffboardingStepKind.RemoveAppRoleAssignment, grant.ResourceId, grant.ResourceDisplayName) with { AssignmentId = grant.AssignmentId });
                    break;
                case AccessKind.DelegatedGrant:
                    steps.Add(Step(OffboardingStepKind.RemoveDelegatedGrant, grant.ResourceId, grant.ResourceDisplayName) with { AssignmentId = grant.AssignmentId });
                    break;
                case AccessKind.License:
                    steps.Add(Step(OffboardingStepKind.RemoveLicense, grant.ResourceId, grant.ResourceDisplayName));
                    break;
                case AccessKind.Device:
                    // Devices the leaver merely used stay with their owner; the ones they own are disabled.
                    break;
            }
        }

        // Always planned, whatever the snapshot says: the registration report needs Entra ID P1 and is often absent,
        // and a method registered after the read must go too. The runner lists the methods live.
        steps.Add(Step(OffboardingStepKind.RemoveAuthenticationMethod, null, "All authentication methods (the default one last)"));

        if (options.DisableDevices)
        {
            foreach (SnapshotDevice device in index.DevicesOwnedBy(user.Id).OrderBy(d => d.DisplayName, StringComparer.OrdinalIgnoreCase))
            {
                steps.Add(Step(OffboardingStepKind.DisableDevice, device.Id, device.DisplayName ?? device.DeviceId ?? device.Id));
            }
        }

        if (options.ReassignDirectReports)
        {
            // Planned even when the read knows no reports: a scoped snapshot does not hold them, and someone may have
            // been given this manager since. The runner looks them up; Detail names who takes them.
            int known = index.Snapshot.Users.Count(u => string.Equals(u.ManagerId, user.Id, StringComparison.OrdinalIgnoreCase));
            steps.Add(Step(OffboardingStepKind.ReassignDirectReports, user.Id,
                known == 0 ? "Direct reports (looked up when the step runs)" : string.Create(CultureInfo.InvariantCulture, $"{known} direct report(s)")) with
            {
                Detail = user.ManagerId,
            });
        }

        if (options.HandOffMailbox)
        {
            steps.Add(Step(OffboardingStepKind.ManualTask, user.Id, "Hand over the mailbox") with
            {
                Detail = MailboxHandOffTask,
                Status = OffboardingStepStatus.ManualTask,
                Reason = $"Exchange Online: convert {user.UserPrincipalName} to a shared mailbox"
                    + (user.ManagerId is null ? " and grant the successor access." : $" and grant the manager ({user.ManagerId}) FullAccess."),
            });
        }

        if (options.DeleteAccount)
        {
            steps.Add(Step(OffboardingStepKind.ManualTask, user.Id, "Delete the account") with
            {
                Detail = DeleteAccountTask,
                Status = OffboardingStepStatus.ManualTask,
                Reason = $"Delete {user.UserPrincipalName} (DELETE /users/{user.Id}) once the case is verified; it stays restorable for 30 days.",
            });
        }

        // The kinds are declared in run order; the sort is stable, so each kind keeps the inventory's order by name.
        List<OffboardingStep> ordered = steps.OrderBy(s => s.Kind).Select((s, i) => s with { Sequence = i + 1 }).ToList();
        return new OffboardingPlan
        {
            UserId = user.Id,
            UserPrincipalName = user.UserPrincipalName,
            DisplayName = user.DisplayName,
            ManagerId = user.ManagerId,
            SnapshotCollectedAt = index.Snapshot.CollectedAt,
            EvidenceGaps = index.Snapshot.EvidenceGaps,
            Steps = ordered,
        };
    }

    // Graph cannot change this grant: the step names the system that can, and is a person's job from the start.
    private static OffboardingStep ManualTask(OffboardingStep step, AccessGrant grant, string what) => step with
    {
        Status = OffboardingStepStatus.ManualTask,
        Detail = $"{what}; {grant.Removal}",
        Reason = grant.RemovalNote,
    };

    // With no owner read for the group (an old scoped snapshot) the leaver is taken to be the last: handing a group to
    // the manager when it had other owners costs little; leaving a group ownerless costs a helpdesk ticket.
    private static bool IsLastOwner(SnapshotGroup? group, string userId) =>
        group is null || group.Owners.All(o => string.Equals(o.Id, userId, StringComparison.OrdinalIgnoreCase) || o.Kind != DirectoryObjectKind.User);

    /// <summary>
    /// Whether a role step's Detail marks an assignment that is removed through PIM (an adminRemove schedule request):
    /// one this planner found on a PIM schedule ("schedule; until …; scope …", see <see cref="RoleDetail"/>), or a bare
    /// end date (as <c>AccessGrant.Until</c>) for a time-bound one. The runner reads Detail through this, so the format
    /// is known in one place.
    /// </summary>
    internal static bool RemovesThroughPim(string? detail) =>
        detail is { Length: > 0 }
        && (detail.StartsWith(ScheduleSource, StringComparison.Ordinal)
            || DateTimeOffset.TryParse(detail, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _));

    /// <summary>A role step's Detail: where the assignment came from (schedule or assignment), its end, and its scope.</summary>
    internal static string RoleDetail(SnapshotRoleAssignment? role)
    {
        if (role is null)
        {
            return AssignmentSource;
        }

        var parts = new List<string> { role.FromSchedule ? ScheduleSource : AssignmentSource };
        if (role.EndDateTime is DateTimeOffset until)
        {
            parts.Add("until " + until.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        }

        parts.Add("scope " + (string.IsNullOrEmpty(role.DirectoryScopeId) ? "/" : role.DirectoryScopeId));
        return string.Join("; ", parts);
    }
}
