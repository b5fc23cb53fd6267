using System.Globalization;
using System.Text.Json;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Onboarding;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Screening;

namespace IsmsOps.Engine.Movers;

/// <summary>
/// Runs a mover's open case: plans it on the first run (the new role's birthright access to grant, and what the roles
/// the person held grant that the new role does not, to remove), asks the screening gate, grants what it allows in one
/// parallel $batch, and removes the old access once the overlap has passed, through the offboarding step runner.
/// </summary>
/// <remarks>
/// <para>The gate: a move to a role whose screening level (for the person's Location) is higher than the old role's
/// needs that screening Cleared or validly Waived (<see cref="ScreeningRegister.CheckClearanceAsync"/>) before any new
/// access is granted; a move to the same or a lower level needs none. Every run with grants pending audits the decision.</para>
/// <para>The removal of old access does not wait for the gate: the overlap is a handover window from the role change,
/// not from the new access. Access both roles grant is never removed.</para>
/// <para>Every step is idempotent (an existing grant, or access already gone, counts as done), so a run after a crash,
/// or after the case finished, changes nothing it should not; every step's request and Graph request-id is audited.</para>
/// </remarks>
public sealed class MoverService
{
    private readonly IsmsWorkspace _workspace;
    private readonly RoleCatalog _roles;
    private readonly GraphWriter _graph;
    private readonly OffboardingStepRunner _runner;
    private readonly string _baseUrl;
    private readonly Func<DateTimeOffset> _clock;

    /// <param name="workspace">The store with the people, screening and mover registers.</param>
    /// <param name="roles">The role catalog the case's roles are resolved in.</param>
    /// <param name="connection">The Graph connection the steps run through.</param>
    /// <param name="options">Batch size and retries.</param>
    /// <param name="clock">Now: when the gate is asked about, and whether the overlap has passed.</param>
    public MoverService(IsmsWorkspace workspace, RoleCatalog roles, GraphConnection connection, GraphReaderOptions? options = null, Func<DateTimeOffset>? clock = null)
    {
        _workspace = workspace ?? throw new ArgumentNullException(nameof(workspace));
        _roles = roles ?? throw new ArgumentNullException(nameof(roles));
        _runner = new OffboardingStepRunner(connection ?? throw new ArgumentNullException(nameof(connection)), options);
        (_graph, _baseUrl, _clock) = (new GraphWriter(connection, options), connection.GraphEndpoint.TrimEnd('/'), clock ?? (() => DateTimeOffset.UtcNow));
    }

    /// <summary>HTTP requests sent to Graph so far ($batch counts once).</summary>
    public long RequestCount => _graph.RequestCount + _runner.RequestCount;

    /// <summary>
    /// Runs <paramref name="personId"/>'s open mover case as far as it can go now, and returns it with whether anything
    /// is still pending (grants waiting for screening, old access waiting for the overlap, failed steps) and why.
    /// A person with no open case gets an outcome with no case.
    /// </summary>
    public async Task<MoverOutcome> RunAsync(string personId, OperationContext context, CancellationToken cancellationToken)
    {
        Person person = await _workspace.People.GetAsync(personId, cancellationToken).ConfigureAwait(false);
        MoverRegister register = _workspace.Movers;
        MoverCase? current = await register.FindOpenAsync(person.PersonId, cancellationToken).ConfigureAwait(false);
        if (current is null)
        {
            return new MoverOutcome(null, false, null);
        }

        RoleDefinition to = _roles.Require(current.ToRoleId);
        if (!current.Planned)
        {
            (List<OnboardingStep> grants, List<OffboardingStep> removals) = await PlanAsync(current, to, cancellationToken).ConfigureAwait(false);
            current = await register.RecordPlanAsync(current.CaseId, grants, removals, context, cancellationToken).ConfigureAwait(false);
        }

        DateTimeOffset now = _clock();
        string? waiting = null;
        List<OnboardingStep> pending = current.GrantSteps.Where(s => !s.IsSettled).ToList();
        // Offboarding is taking (or has taken) the account's access away; granting a new role's now would undo it. A
        // person whose JobRole no longer names the case's new role (cleared, or outside the catalog) gets none of it.
        string? withheld = person.Status is PersonStatus.Leaving or PersonStatus.Left
            ? $"The person is {person.Status}; no new access is granted, and offboarding removes the rest."
            : string.Equals(_roles.FindJobRole(person.JobRole)?.Id, current.ToRoleId, StringComparison.OrdinalIgnoreCase) ? null
            : $"The person's JobRole is now '{person.JobRole}', not role {current.ToRoleId}; nothing more is granted for it.";
        if (pending.Count > 0 && withheld is string reason)
        {
            current = await register.RecordAsync(current.CaseId, pending.Select(s => s with { Status = OnboardingStepStatus.Skipped, Reason = reason, CompletedAt = now }).ToList(),
                [], null, context, cancellationToken).ConfigureAwait(false);
            pending = [];
        }

        if (pending.Count > 0)
        {
            ScreeningLevel level = to.ScreeningLevelFor(person.Location);
            // The baseline is the roles the person actually held (HeldRoleIds), not FromRoleId: after a superseded case
            // that was still waiting for screening, FromRoleId is a role never screened for or granted.
            ScreeningLevel? held = current.HeldRoleIds.Select(id => _roles.Find(id)?.ScreeningLevelFor(person.Location)).Max();
            ScreeningClearance? clearance = held is ScreeningLevel old && old >= level
                ? null
                : await _workspace.Screening.CheckClearanceAsync(person.PersonId, level, now, cancellationToken).ConfigureAwait(false);
            current = await register.RecordGateAsync(current.CaseId, person.Location, held, level, clearance, context, cancellationToken).ConfigureAwait(false);
            if (clearance is { Allowed: false })
            {
                waiting = $"Waiting for {level} screening (role {to.Id} needs more than {(held is null ? "no known role" : held.ToString())}): {clearance.Reason}";
            }
            else
            {
                GraphWrite[] writes = pending.Select(s => BirthrightAccess.GrantWrite(s, current.UserId, _baseUrl)).ToArray();
                GraphWriteResult[] answers = await _graph.SendBatchAsync(writes, cancellationToken).ConfigureAwait(false);
                List<OnboardingStep> settled = pending.Select((s, i) => BirthrightAccess.Settle(s, answers[i], writes[i])).ToList();
                current = await register.RecordAsync(current.CaseId, settled, [], null, context, cancellationToken).ConfigureAwait(false);
            }
        }

        if (now >= current.RemoveOldAfter && current.RemovalSteps.Any(s => !s.IsSettled))
        {
            List<OffboardingStep> removals = await WithAssignmentIdsAsync(current, cancellationToken).ConfigureAwait(false);
            string caseId = current.CaseId;
            current = await register.RecordAsync(caseId, [], removals.Where(s => s.IsSettled).ToList(), null, context, cancellationToken).ConfigureAwait(false);
            await _runner.RunSettlingTogetherAsync(removals.Where(s => !s.IsSettled), async (settled, token) =>
                current = await register.RecordAsync(caseId, [], settled, null, context, token).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
        }

        bool failed = current.GrantSteps.Any(s => s.Status == OnboardingStepStatus.Failed) || current.RemovalSteps.Any(s => s.Status == OffboardingStepStatus.Failed);
        MoverCaseStatus status = failed ? MoverCaseStatus.Failed
            : current.PendingGrants > 0 ? (waiting is null ? MoverCaseStatus.Granting : MoverCaseStatus.WaitingForScreening)
            : current.PendingRemovals > 0 ? MoverCaseStatus.OverlapRunning
            : MoverCaseStatus.Completed;
        current = await register.RecordAsync(current.CaseId, [], [], status, context, cancellationToken).ConfigureAwait(false);
        string? because = status switch
        {
            MoverCaseStatus.Failed => string.Join(" ", current.GrantSteps.Where(s => s.Status == OnboardingStepStatus.Failed).Select(s => $"Grant {s.Kind} '{s.ResourceDisplayName ?? s.ResourceId}': {s.Reason}")
                .Concat(current.RemovalSteps.Where(s => s.Status == OffboardingStepStatus.Failed).Select(s => $"Removal {s.Kind} '{s.ResourceDisplayName ?? s.ResourceId}': {s.Reason}"))),
            MoverCaseStatus.WaitingForScreening => waiting,
            MoverCaseStatus.OverlapRunning => $"{current.PendingRemovals} old access removal(s) wait for the overlap to end at {current.RemoveOldAfter.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}.",
            _ => null,
        };
        if (current.PendingGrants > 0 && waiting is not null && current.PendingRemovals > 0 && now < current.RemoveOldAfter)
        {
            because += $" The old access goes at {current.RemoveOldAfter.UtcDateTime.ToString("u", CultureInfo.InvariantCulture)}.";
        }

        return new MoverOutcome(current, status != MoverCaseStatus.Completed, because);
    }

    // One parallel $batch resolves the new role and every held role; the removals are what the held roles grant and the
    // new role does not (compared by directory id, so a group named by id in one role and by name in another is one group).
    private async Task<(List<OnboardingStep> Grants, List<OffboardingStep> Removals)> PlanAsync(MoverCase c, RoleDefinition to, CancellationToken cancellationToken)
    {
        var reads = new GraphReadBatch();
        BirthrightAccess wanted = BirthrightAccess.Plan(to, reads);
        List<BirthrightAccess> held = c.HeldRoleIds.Select(id => _roles.Find(id)).OfType<RoleDefinition>().Select(r => BirthrightAccess.Plan(r, reads)).ToList();
        await reads.SendAsync(_graph, cancellationToken).ConfigureAwait(false);

        var unresolved = new List<string>();
        List<OnboardingStep> grants = wanted.Resolve(reads, 1, unresolved);
        if (unresolved.Count > 0)
        {
            throw new IsmsException("IsmsOps.Mover.UnresolvedAccess", IsmsErrorKind.InvalidData,
                $"Role '{to.Id}' ({to.Source}) names access the directory does not hold: {string.Join("; ", unresolved)}. Nothing was changed.",
                $"Correct the role file (object ids are safest) or create the missing objects, then run Start-IsmsMove -PersonId {c.PersonId} again.", to.Id);
        }

        static string Key(OnboardingStep s) => $"{s.Kind}|{s.ResourceId}|{s.Detail}".ToUpperInvariant();
        var keep = grants.Select(Key).ToHashSet();
        var removals = new List<OffboardingStep>();
        // Old access the directory no longer holds by that name has nothing left to remove; it is not an error here.
        foreach (OnboardingStep old in held.SelectMany(h => h.Resolve(reads, 1, [])).Where(s => keep.Add(Key(s))))
        {
            removals.Add(new OffboardingStep
            {
                Sequence = removals.Count + 1,
                Kind = old.Kind switch
                {
                    OnboardingStepKind.AddGroupMember => OffboardingStepKind.RemoveGroupMembership,
                    OnboardingStepKind.AssignLicense => OffboardingStepKind.RemoveLicense,
                    _ => OffboardingStepKind.RemoveAppRoleAssignment,
                },
                UserId = c.UserId,
                ResourceId = old.ResourceId,
                ResourceDisplayName = old.ResourceDisplayName,
                Detail = old.Detail,
            });
        }

        return (grants, removals);
    }

    // The runner removes an app role by its assignment id, which the catalog cannot know: read the user's assignments
    // once and match by resource and app role. One not found is already gone.
    private async Task<List<OffboardingStep>> WithAssignmentIdsAsync(MoverCase c, CancellationToken cancellationToken)
    {
        List<OffboardingStep> removals = c.RemovalSteps.ToList();
        if (!removals.Any(s => !s.IsSettled && s.Kind == OffboardingStepKind.RemoveAppRoleAssignment && s.AssignmentId is null))
        {
            return removals;
        }

        var reads = new GraphReadBatch();
        int read = reads.Add(GraphOperation.ReadAppRoleAssignments, $"/users/{Uri.EscapeDataString(c.UserId)}/appRoleAssignments?$select=id,resourceId,appRoleId&$top=999");
        await reads.SendAsync(_graph, cancellationToken).ConfigureAwait(false);
        List<JsonElement> assignments = reads[read]?.GetProperty("value").EnumerateArray().ToList() ?? [];
        for (int i = 0; i < removals.Count; i++)
        {
            OffboardingStep step = removals[i];
            if (step.IsSettled || step.Kind != OffboardingStepKind.RemoveAppRoleAssignment || step.AssignmentId is not null)
            {
                continue;
            }

            string? id = assignments.Where(a => string.Equals(a.GetProperty("resourceId").GetString(), step.ResourceId, StringComparison.OrdinalIgnoreCase)
                    && string.Equals(a.GetProperty("appRoleId").GetString(), step.Detail, StringComparison.OrdinalIgnoreCase))
                .Select(a => a.GetProperty("id").GetString()).FirstOrDefault();
            removals[i] = id is not null ? step with { AssignmentId = id } : step with
            {
                Status = OffboardingStepStatus.Done,
                Reason = "already removed",
                Attempts = step.Attempts + 1,
                StartedAt = _clock(),
                CompletedAt = _clock(),
            };
        }

        return removals;
    }
}
