using System.Globalization;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Policies;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Snapshots;
using IsmsOps.Engine.Storage;

namespace IsmsOps.Engine.AccessReviews;

/// <summary>What one step of an access review cycle does to a campaign.</summary>
public enum AccessReviewCycleAction
{
    /// <summary>An auto-apply campaign past its due date is completed (its default decision applied, denied access removed).</summary>
    Complete,

    /// <summary>A campaign past its due date without auto-apply is reported with its overdue reviewers; nothing is applied.</summary>
    ReportOverdue,

    /// <summary>A completed auto-apply campaign whose evidence is not in the evidence folder gets it written.</summary>
    WriteEvidence,

    /// <summary>A recurring campaign whose next start has come, and that has no successor, gets the next period's campaign.</summary>
    CreateSuccessor,
}

/// <summary>How a step of the cycle ended.</summary>
public enum AccessReviewCycleOutcome
{
    /// <summary>Not run: what the step would do (-WhatIf).</summary>
    Planned,

    /// <summary>Done in this run.</summary>
    Done,

    /// <summary>Someone else did it between planning and running (another run, a person): nothing was changed.</summary>
    Skipped,

    /// <summary>The step failed; <see cref="AccessReviewCycleResult.ErrorId"/> and the message say why. The next run tries again.</summary>
    Failed,
}

/// <summary>One step of <see cref="AccessReviewScheduler"/> for one campaign: planned, done, skipped or failed.</summary>
public sealed record AccessReviewCycleResult
{
    public required string CampaignId { get; init; }

    public required string CampaignName { get; init; }

    public required AccessReviewCycleAction Action { get; init; }

    public required AccessReviewCycleOutcome Outcome { get; init; }

    /// <summary>What the step does or did, in words (counts and ids, for the job's log).</summary>
    public required string Message { get; init; }

    /// <summary>The campaign created for the next period (CreateSuccessor).</summary>
    public string? SuccessorId { get; init; }

    public string? SuccessorName { get; init; }

    /// <summary>What completing did (Complete).</summary>
    public AccessReviewCompletionResult? Completion { get; init; }

    /// <summary>The evidence files written (Complete with an evidence folder, WriteEvidence).</summary>
    public AccessReviewEvidenceFiles? Evidence { get; init; }

    /// <summary>The user principal names of the reviewers with undecided items past the due date (ReportOverdue).</summary>
    public IReadOnlyList<string> OverdueReviewers { get; init; } = [];

    /// <summary>The error of a failed step.</summary>
    public string? ErrorId { get; init; }

    /// <summary>The failure itself, for the cmdlet to report as an error record.</summary>
    public IsmsException? Error { get; init; }
}

/// <summary>What a cycle run may use: the Graph connection, the directory to freeze successors from, the role catalog and the evidence folder.</summary>
public sealed record AccessReviewCycleOptions
{
    /// <summary>The connection completion removes denied access through; without one, a completion with anything to remove fails (that campaign only).</summary>
    public GraphConnection? Connection { get; init; }

    /// <summary>
    /// Reads the directory a successor's items are frozen from (a snapshot file, the imported snapshot, or Graph live);
    /// called at most once per run, and only when a successor is created, after every completion of the run.
    /// </summary>
    public Func<CancellationToken, Task<(DirectoryIndex Index, string? SnapshotSha256)>>? ReadDirectory { get; init; }

    /// <summary>The role catalog recommendations are worked out against; read only when a successor is created.</summary>
    public Func<RoleCatalog>? Catalog { get; init; }

    /// <summary>The group tags (policies/group-tags.yaml) a -GroupTag scope selects by; read only when such a successor is created.</summary>
    public Func<GroupTagPolicy>? GroupTags { get; init; }

    /// <summary>The folder that receives each completed campaign's evidence (CSV and HTML); none written when null.</summary>
    public string? EvidenceFolder { get; init; }

    /// <summary>$batch size, concurrency and retries for the removals.</summary>
    public GraphReaderOptions? GraphOptions { get; init; }
}

/// <summary>
/// Runs access reviews unattended, as a scheduled job does: completes auto-apply campaigns past their due date (and
/// writes their evidence), reports overdue campaigns that need a person, and starts the next period of recurring
/// campaigns. Every decision is taken from the store, so a run that was missed, repeated or interrupted loses and
/// repeats nothing: completion sends only unsettled items, a completed campaign is never completed twice, and a
/// campaign has at most one successor. A missed period creates one successor, for the period now running, not a backlog.
/// docs/access-reviews.md ("Running unattended").
/// </summary>
public sealed class AccessReviewScheduler
{
    /// <summary>The audit action of a campaign reported overdue (no auto-apply): the overdue reviewers' object ids.</summary>
    public const string OverdueReportedAction = "AccessReview.OverdueReported";

    /// <summary>The audit action of evidence files written by the cycle: the SHA-256 of each file.</summary>
    public const string EvidenceWrittenAction = "AccessReview.EvidenceWritten";

    /// <summary>The audit action of a step that failed: the campaign, the action and the ErrorId.</summary>
    public const string StepFailedAction = "AccessReview.CycleStepFailed";

    /// <summary>The audit action of a whole run, with the counts per action and outcome (target <see cref="CycleTarget"/>).</summary>
    public const string CycleRunAction = "AccessReview.CycleRun";

    /// <summary>The audit target of a cycle run.</summary>
    public const string CycleTarget = "accessreview:cycle";

    private const string EmptyScope = "IsmsOps.AccessReview.EmptyScope";

    private readonly IIsmsStore _store;
    private readonly AuditTrail _audit;
    private readonly AccessReviewRegister _register;
    private readonly AccessReviewCompletion _completion;
    private readonly Func<DateTime> _clock;

    public AccessReviewScheduler(IIsmsStore store, AuditTrail audit, AccessReviewRegister register, AccessReviewCompletion completion, Func<DateTime>? clock = null)
    {
        _store = store;
        _audit = audit;
        _register = register;
        _completion = completion;
        _clock = clock ?? (() => DateTime.UtcNow);
    }

    private DateTimeOffset Now() => new(DateTime.SpecifyKind(_clock(), DateTimeKind.Utc));

    /// <summary>
    /// What a run would do now, read from the store alone (and, for <see cref="AccessReviewCycleAction.WriteEvidence"/>,
    /// whether <paramref name="evidenceFolder"/> holds the evidence): completions first, then overdue reports, evidence,
    /// and successors last, the order <see cref="RunAsync"/> keeps. Every step comes back Planned.
    /// </summary>
    public async Task<IReadOnlyList<AccessReviewCycleResult>> PlanAsync(string? evidenceFolder, CancellationToken cancellationToken)
    {
        DateTimeOffset now = Now();
        IReadOnlyList<AccessReviewCampaign> campaigns = await _register.FindAsync(new AccessReviewCampaignQuery(), cancellationToken).ConfigureAwait(false);
        var succeeded = new HashSet<string>(campaigns.Where(c => c.PredecessorId is not null).Select(c => c.PredecessorId!), StringComparer.OrdinalIgnoreCase);
        var plan = new List<AccessReviewCycleResult>();
        foreach (AccessReviewCampaign c in campaigns.OrderBy(c => c.CreatedAt).ThenBy(c => c.CampaignId, StringComparer.Ordinal))
        {
            if (c.IsOverdueAt(now) && c.AutoApply)
            {
                plan.Add(Planned(c, AccessReviewCycleAction.Complete,
                    $"complete {c.CampaignId} (due {Time(c.DueDate)}): apply the reviewers' decisions and the default {c.DefaultDecision} to the {c.ItemCount} item(s), removing what is denied"));
            }
            else if (c.IsOverdueAt(now))
            {
                IReadOnlyList<string> overdue = await OverdueReviewersAsync(c, cancellationToken).ConfigureAwait(false);
                plan.Add(Planned(c, AccessReviewCycleAction.ReportOverdue, OverdueMessage(c, overdue)) with { OverdueReviewers = overdue });
            }
            else if (c.Status == AccessReviewCampaignStatus.Completed && c.AutoApply && evidenceFolder is not null
                && !File.Exists(Path.Combine(evidenceFolder, $"{c.CampaignId}-evidence.html")))
            {
                plan.Add(Planned(c, AccessReviewCycleAction.WriteEvidence, $"write the evidence of {c.CampaignId} to {evidenceFolder}"));
            }
        }

        foreach (AccessReviewCampaign c in campaigns.OrderBy(c => c.CreatedAt).ThenBy(c => c.CampaignId, StringComparer.Ordinal))
        {
            if (c.NextStartDate is DateTimeOffset next && next <= now && !succeeded.Contains(c.CampaignId))
            {
                AccessReviewDefinition successor = SuccessorDefinition(c, now);
                plan.Add(Planned(c, AccessReviewCycleAction.CreateSuccessor,
                    $"start '{successor.Name}', the next {c.Recurrence} period of {c.CampaignId} (next start {Time(next)}): same scope and reviewers, items frozen now, due {Time(successor.DueDate!.Value)}")
                    with { SuccessorName = successor.Name });
            }
        }

        return plan;
    }

    /// <summary>
    /// Runs the planned steps (those of <see cref="PlanAsync"/> the caller approved), in order. A step that fails is
    /// reported (Failed, audited) and the others go on; only a store fault stops the run. One
    /// <see cref="CycleRunAction"/> event records the run's counts.
    /// </summary>
    public async Task<IReadOnlyList<AccessReviewCycleResult>> RunAsync(IReadOnlyList<AccessReviewCycleResult> steps, AccessReviewCycleOptions options,
        OperationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(steps);
        ArgumentNullException.ThrowIfNull(options);
        var results = new List<AccessReviewCycleResult>(steps.Count);
        Task<(DirectoryIndex Index, string? SnapshotSha256)>? directory = null;
        RoleCatalog? catalog = null;
        foreach (AccessReviewCycleResult step in steps.OrderBy(s => s.Action == AccessReviewCycleAction.CreateSuccessor ? 1 : 0))
        {
            AccessReviewCycleResult result;
            try
            {
                result = step.Action switch
                {
                    AccessReviewCycleAction.Complete => await CompleteAsync(step, options, context, cancellationToken).ConfigureAwait(false),
                    AccessReviewCycleAction.ReportOverdue => await ReportOverdueAsync(step, context, cancellationToken).ConfigureAwait(false),
                    AccessReviewCycleAction.WriteEvidence => await WriteEvidenceAsync(step, step with { Outcome = AccessReviewCycleOutcome.Done }, options.EvidenceFolder!,
                        context, cancellationToken).ConfigureAwait(false),
                    AccessReviewCycleAction.CreateSuccessor => await CreateSuccessorAsync(step, options,
                        () => directory ??= ReadDirectoryAsync(options, cancellationToken), () => catalog ??= options.Catalog?.Invoke() ?? RoleCatalog.Empty,
                        context, cancellationToken).ConfigureAwait(false),
                    _ => throw new ArgumentOutOfRangeException(nameof(steps), step.Action, "Unknown cycle action."),
                };
            }
            catch (Exception ex) when (ex is not OperationCanceledException && ex is not IsmsException { IsStoreFault: true })
            {
                IsmsException error = ex as IsmsException ?? new IsmsException("IsmsOps.AccessReview.CycleStepFailed", IsmsErrorKind.WriteError,
                    $"{step.Action} of campaign {step.CampaignId} failed: {ex.Message}", "Fix the cause and run the cycle again: what was done is not done twice.",
                    step.CampaignId, ex);
                result = step with { Outcome = AccessReviewCycleOutcome.Failed, ErrorId = error.ErrorId, Error = error, Message = $"{step.Action} of {step.CampaignId} failed: {error.Message}" };
                AuditDetails failed = new AuditDetails().Add("CampaignId", step.CampaignId).Add("Action", step.Action).Add("ErrorId", error.ErrorId);
                await _audit.AppendAsync([new AuditEventDraft(StepFailedAction, AccessReviewRegister.Target(step.CampaignId), failed.ToJson())], context, cancellationToken)
                    .ConfigureAwait(false);
            }

            results.Add(result);
        }

        AuditDetails run = new AuditDetails().Add("Steps", results.Count);
        foreach (IGrouping<(AccessReviewCycleAction, AccessReviewCycleOutcome), AccessReviewCycleResult> group in results.GroupBy(r => (r.Action, r.Outcome)))
        {
            run.Add($"{group.Key.Item1}{group.Key.Item2}", group.Count());
        }

        await _audit.AppendAsync([new AuditEventDraft(CycleRunAction, CycleTarget, run.ToJson())], context, cancellationToken).ConfigureAwait(false);
        return results;
    }

    private async Task<AccessReviewCycleResult> CompleteAsync(AccessReviewCycleResult step, AccessReviewCycleOptions options, OperationContext context,
        CancellationToken cancellationToken)
    {
        // The steps come from the caller: completing removes access, so only a campaign that still opted into
        // auto-apply and is overdue now is completed, whatever step list was passed in.
        AccessReviewCampaign campaign = await _register.GetAsync(step.CampaignId, cancellationToken).ConfigureAwait(false);
        if (campaign.Status == AccessReviewCampaignStatus.Active && (!campaign.AutoApply || !campaign.IsOverdueAt(Now())))
        {
            return step with
            {
                Outcome = AccessReviewCycleOutcome.Skipped,
                Message = campaign.AutoApply
                    ? $"{step.CampaignId} is not overdue (due {Time(campaign.DueDate)}); it was not completed"
                    : $"{step.CampaignId} does not auto-apply; complete it with Complete-IsmsAccessReview {step.CampaignId}",
            };
        }

        AccessReviewCompletionResult completion = await _completion.CompleteAsync(step.CampaignId, options.Connection, force: false, context, cancellationToken,
            options.GraphOptions).ConfigureAwait(false);
        string counts = $"{completion.Denied} denied ({completion.AppliedSuccessfully} applied, {completion.AlreadyRemoved} already done, "
            + $"{completion.NotRemovableByGraph} left to a person, {completion.Failed} failed), {completion.Kept} kept";
        if (completion.AlreadyCompleted)
        {
            return step with { Outcome = AccessReviewCycleOutcome.Skipped, Completion = completion, Message = $"{step.CampaignId} was already completed: {counts}" };
        }

        if (completion.Failed > 0)
        {
            AccessReviewApplyResult first = completion.Results.First(r => r.Outcome == Access.AccessRemovalOutcome.Failed);
            var error = new IsmsException("IsmsOps.AccessReview.RemovalsFailed", IsmsErrorKind.WriteError,
                $"{completion.Failed} denied item(s) of {step.CampaignId} could not be removed (item {first.ItemId}: {first.Reason}); the campaign stays Active.",
                "Fix the cause (a missing permission, throttling); the next run sends only the items not yet settled.", step.CampaignId);
            AuditDetails failed = new AuditDetails().Add("CampaignId", step.CampaignId).Add("Action", step.Action).Add("ErrorId", error.ErrorId).Add("Failed", completion.Failed);
            await _audit.AppendAsync([new AuditEventDraft(StepFailedAction, AccessReviewRegister.Target(step.CampaignId), failed.ToJson())], context, cancellationToken)
                .ConfigureAwait(false);
            return step with
            {
                Outcome = AccessReviewCycleOutcome.Failed, Completion = completion, ErrorId = error.ErrorId, Error = error,
                Message = $"{step.CampaignId} not completed: {counts}",
            };
        }

        AccessReviewCycleResult done = step with { Outcome = AccessReviewCycleOutcome.Done, Completion = completion, Message = $"completed {step.CampaignId}: {counts}" };
        return options.EvidenceFolder is null ? done : await WriteEvidenceAsync(step, done, options.EvidenceFolder, context, cancellationToken).ConfigureAwait(false);
    }

    private async Task<AccessReviewCycleResult> WriteEvidenceAsync(AccessReviewCycleResult step, AccessReviewCycleResult done, string folder, OperationContext context,
        CancellationToken cancellationToken)
    {
        AccessReviewEvidenceFiles files = await AccessReviewEvidence.WriteAsync(_register, _store, step.CampaignId, folder, Now(), cancellationToken).ConfigureAwait(false);
        AuditDetails details = new AuditDetails().Add("CampaignId", step.CampaignId).Add("Items", files.Items)
            .Add("CsvSha256", files.CsvSha256).Add("HtmlSha256", files.HtmlSha256);
        await _audit.AppendAsync([new AuditEventDraft(EvidenceWrittenAction, AccessReviewRegister.Target(step.CampaignId), details.ToJson())], context, cancellationToken)
            .ConfigureAwait(false);
        string message = step.Action == AccessReviewCycleAction.WriteEvidence ? $"wrote the evidence of {step.CampaignId}" : done.Message;
        return done with { Evidence = files, Message = $"{message}; evidence {files.HtmlPath}" };
    }

    private async Task<AccessReviewCycleResult> ReportOverdueAsync(AccessReviewCycleResult step, OperationContext context, CancellationToken cancellationToken)
    {
        AccessReviewCampaign campaign = await _register.GetAsync(step.CampaignId, cancellationToken).ConfigureAwait(false);
        if (campaign.Status != AccessReviewCampaignStatus.Active)
        {
            return step with { Outcome = AccessReviewCycleOutcome.Skipped, Message = $"{step.CampaignId} is {campaign.Status} now" };
        }

        AccessReviewOverview overview = await _register.OverviewAsync(campaign, cancellationToken).ConfigureAwait(false);
        AccessReviewerProgress[] overdue = overview.Reviewers.Where(r => r.IsOverdue).ToArray();
        AuditDetails details = new AuditDetails().Add("CampaignId", campaign.CampaignId).Add("DueDate", AuditEvent.FormatTime(campaign.DueDate.UtcDateTime))
            .Add("Pending", overview.Pending).Add("OverdueReviewerIds", overdue.Select(r => r.Reviewer.ReviewerId).ToArray());
        await _audit.AppendAsync([new AuditEventDraft(OverdueReportedAction, AccessReviewRegister.Target(campaign.CampaignId), details.ToJson())], context, cancellationToken)
            .ConfigureAwait(false);
        string[] names = overdue.Select(r => r.Reviewer.UserPrincipalName).ToArray();
        return step with { Outcome = AccessReviewCycleOutcome.Done, OverdueReviewers = names, Message = OverdueMessage(campaign, names) };
    }

    private async Task<AccessReviewCycleResult> CreateSuccessorAsync(AccessReviewCycleResult step, AccessReviewCycleOptions options,
        Func<Task<(DirectoryIndex Index, string? SnapshotSha256)>> directory, Func<RoleCatalog> catalog, OperationContext context, CancellationToken cancellationToken)
    {
        AccessReviewCampaign predecessor = await _register.GetAsync(step.CampaignId, cancellationToken).ConfigureAwait(false);
        if (await ExistingSuccessorAsync(predecessor.CampaignId, cancellationToken).ConfigureAwait(false) is AccessReviewCampaign existing)
        {
            return Skipped(step, existing);
        }

        (DirectoryIndex index, string? sha) = await directory().ConfigureAwait(false);
        DirectorySnapshot snapshot = index.Snapshot;
        if (predecessor.TenantId is string tenant && !string.Equals(tenant, snapshot.Tenant.TenantId, StringComparison.OrdinalIgnoreCase))
        {
            throw new IsmsException("IsmsOps.AccessReview.WrongTenant", IsmsErrorKind.InvalidData,
                $"The directory in use describes tenant {snapshot.Tenant.TenantId}; campaign {predecessor.CampaignId} reviews tenant {tenant}. No successor was created.",
                "Give -SnapshotPath of that tenant's snapshot, or connect to that tenant.", predecessor.CampaignId);
        }

        if (snapshot.CollectedAt <= predecessor.SnapshotCollectedAt)
        {
            throw new IsmsException("IsmsOps.AccessReview.StaleSnapshot", IsmsErrorKind.InvalidData,
                $"The directory in use was collected {Time(snapshot.CollectedAt)}, no later than the snapshot campaign {predecessor.CampaignId} was frozen from "
                + $"({Time(predecessor.SnapshotCollectedAt)}): the next period would review the same, old access. No successor was created.",
                "Export a fresh snapshot before the cycle (Export-IsmsDirectorySnapshot) and give it as -SnapshotPath, or run the cycle connected to Graph without one.",
                predecessor.CampaignId);
        }

        AccessReviewDefinition definition = SuccessorDefinition(predecessor, Now());
        AccessReviewCampaign? created;
        try
        {
            GroupTagPolicy groupTags = definition.Scope.GroupTags.Count > 0 ? options.GroupTags?.Invoke() ?? GroupTagPolicy.Default : GroupTagPolicy.Default;
            created = await _register.CreateSuccessorAsync(predecessor, definition, index, sha, catalog(), groupTags, context, cancellationToken).ConfigureAwait(false);
        }
        catch (IsmsException empty) when (empty.ErrorId == EmptyScope)
        {
            // Nothing holds the access any more (the last period may have removed it all): no period to review, no
            // failure. Nothing is stored, so the next run looks again.
            return step with { Outcome = AccessReviewCycleOutcome.Skipped, Message = $"no successor for {predecessor.CampaignId}: {empty.Message}" };
        }

        if (created is null)
        {
            return Skipped(step, await ExistingSuccessorAsync(predecessor.CampaignId, cancellationToken).ConfigureAwait(false));
        }

        return step with
        {
            Outcome = AccessReviewCycleOutcome.Done, SuccessorId = created.CampaignId, SuccessorName = created.Name,
            Message = $"started {created.CampaignId} '{created.Name}' after {predecessor.CampaignId}: {created.ItemCount} item(s), due {Time(created.DueDate)}",
        };
    }

    private async Task<AccessReviewCampaign?> ExistingSuccessorAsync(string predecessorId, CancellationToken cancellationToken) =>
        (await _register.FindAsync(new AccessReviewCampaignQuery(), cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(c => string.Equals(c.PredecessorId, predecessorId, StringComparison.OrdinalIgnoreCase));

    private static AccessReviewCycleResult Skipped(AccessReviewCycleResult step, AccessReviewCampaign? existing) => step with
    {
        Outcome = AccessReviewCycleOutcome.Skipped, SuccessorId = existing?.CampaignId, SuccessorName = existing?.Name,
        Message = $"{step.CampaignId} already has its successor {existing?.CampaignId}",
    };

    private static async Task<(DirectoryIndex Index, string? SnapshotSha256)> ReadDirectoryAsync(AccessReviewCycleOptions options, CancellationToken cancellationToken) =>
        options.ReadDirectory is null
            ? throw new IsmsException("IsmsOps.AccessReview.NoDirectory", IsmsErrorKind.InvalidArgument,
                "A successor campaign freezes its items from a directory read, and none was given. No successor was created.",
                "Give -SnapshotPath, import a snapshot (Import-IsmsDirectorySnapshot), or connect to Graph (Connect-IsmsGraph).")
            : await options.ReadDirectory(cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// The definition of the campaign that follows <paramref name="predecessor"/>, created at <paramref name="now"/>:
    /// the same scope, reviewers, fallback, default decision, auto-apply, inactivity window and recurrence. It starts
    /// on the series' schedule (<see cref="ScheduledStart"/>) and is due the series' review length (the first
    /// campaign's start to due date, to the second) after <paramref name="now"/>, so reviewers get the whole length
    /// however late the job ran, and the length never changes with a job's lateness. An auto-apply with a Deny or Recommendation default carries the Force its first campaign
    /// needed: the acknowledgement was given for the series.
    /// </summary>
    public static AccessReviewDefinition SuccessorDefinition(AccessReviewCampaign predecessor, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(predecessor);
        // The series' length is the first campaign's start to due date (as it was given, even a start before its
        // creation); a successor is due that length after its creation, so for one its length is due minus creation.
        // Whole seconds: the moments the scheduler and the register each read the clock differ by milliseconds, which
        // must not shorten the length period after period.
        TimeSpan length = predecessor.DueDate - (predecessor.PredecessorId is null ? predecessor.StartDate : predecessor.CreatedAt);
        length = TimeSpan.FromSeconds(Math.Round(length.TotalSeconds));
        DateTimeOffset start = ScheduledStart(predecessor, now);
        return new AccessReviewDefinition
        {
            Name = SuccessorName(predecessor, start),
            Scope = predecessor.Scope,
            Reviewers = predecessor.Reviewers,
            StartDate = start,
            DueDate = now + length,
            Recurrence = predecessor.Recurrence,
            DefaultDecision = predecessor.DefaultDecision,
            AutoApply = predecessor.AutoApply,
            InactiveDays = predecessor.InactiveDays,
            Force = predecessor.AutoApply && predecessor.DefaultDecision is AccessReviewDefaultDecision.Deny or AccessReviewDefaultDecision.Recommendation,
        };
    }

    /// <summary>
    /// Where the period after <paramref name="predecessor"/>'s starts: the latest date of the series' schedule (whole
    /// periods from its <see cref="AccessReviewCampaign.ScheduleStartDate"/>, else its start) that has come by
    /// <paramref name="now"/>. The schedule counts from the series, never from when a job happened to run, so a daily job
    /// moves no later period; a period missed altogether is skipped, not queued. <paramref name="now"/> when the
    /// predecessor does not recur or its next period has not come.
    /// </summary>
    public static DateTimeOffset ScheduledStart(AccessReviewCampaign predecessor, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(predecessor);
        if (predecessor.NextStartDate is not DateTimeOffset next || next > now || !IsoDuration.TryParse(predecessor.Recurrence, out IsoDuration every))
        {
            return now;
        }

        return every.LastAtOrBefore(predecessor.ScheduleStartDate ?? predecessor.StartDate, now) ?? now;
    }

    /// <summary>
    /// The name of the next period: the series' name and the period the successor starts in: <c>2027-Q1</c> for P3M,
    /// <c>2027-H1</c> for P6M, <c>2027</c> for P1Y, <c>2027-02</c> for P1M, otherwise <c>from 2027-02-24</c>. The series'
    /// name is the predecessor's without the label of the predecessor's own period, when it ends in that label (as
    /// every successor's name does, and a first campaign's may: 'Privileged access 2026-Q4' started in that quarter).
    /// Any other ending is the series' own: 'Office 2019' stays whole.
    /// </summary>
    public static string SuccessorName(AccessReviewCampaign predecessor, DateTimeOffset start)
    {
        ArgumentNullException.ThrowIfNull(predecessor);
        IsoDuration every = IsoDuration.TryParse(predecessor.Recurrence, out IsoDuration parsed) ? parsed : default;
        string own = PeriodLabel(predecessor.StartDate, every);
        string name = predecessor.Name.Trim();
        string series = name.Equals(own, StringComparison.OrdinalIgnoreCase) ? string.Empty
            : name.EndsWith(" " + own, StringComparison.OrdinalIgnoreCase) ? name[..^(own.Length + 1)].Trim()
            : name;
        string label = PeriodLabel(start, every);
        if (series.Length == 0)
        {
            series = "Access review";
        }

        return (series.Length + 1 + label.Length > 200 ? series[..(199 - label.Length)] : series) + " " + label;
    }

    /// <summary>The period a campaign starting at <paramref name="start"/> and recurring every <paramref name="every"/> covers, in words.</summary>
    public static string PeriodLabel(DateTimeOffset start, IsoDuration every)
    {
        DateTime d = start.UtcDateTime;
        string year = d.Year.ToString(CultureInfo.InvariantCulture);
        if (every.Time != TimeSpan.Zero || every.Days != 0)
        {
            return "from " + d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        }

        return ((every.Years * 12) + every.Months) switch
        {
            3 => $"{year}-Q{((d.Month - 1) / 3) + 1}",
            6 => $"{year}-H{((d.Month - 1) / 6) + 1}",
            12 => year,
            1 => d.ToString("yyyy-MM", CultureInfo.InvariantCulture),
            _ => "from " + d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
    }


    private async Task<IReadOnlyList<string>> OverdueReviewersAsync(AccessReviewCampaign campaign, CancellationToken cancellationToken) =>
        (await _register.OverviewAsync(campaign, cancellationToken).ConfigureAwait(false)).Reviewers.Where(r => r.IsOverdue)
            .Select(r => r.Reviewer.UserPrincipalName).ToArray();

    private static string OverdueMessage(AccessReviewCampaign c, IReadOnlyList<string> overdue) =>
        $"{c.CampaignId} was due {Time(c.DueDate)} and is not auto-applied: {overdue.Count} reviewer(s) with undecided items"
        + (overdue.Count == 0 ? string.Empty : " (" + string.Join(", ", overdue.Take(10)) + (overdue.Count > 10 ? ", …" : string.Empty) + ")")
        + $"; complete it with Complete-IsmsAccessReview {c.CampaignId}";

    private static AccessReviewCycleResult Planned(AccessReviewCampaign c, AccessReviewCycleAction action, string message) => new()
    {
        CampaignId = c.CampaignId, CampaignName = c.Name, Action = action, Outcome = AccessReviewCycleOutcome.Planned, Message = message,
    };

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) + " UTC";
}
