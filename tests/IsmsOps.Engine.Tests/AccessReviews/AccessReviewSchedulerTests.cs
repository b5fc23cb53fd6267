using IsmsOps.Engine.Access;
using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.Policies;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Snapshots;
using IsmsOps.Engine.Tests.Graph;
using IsmsOps.Engine.Tests.Offboarding;
using IsmsOps.Sandbox;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Engine.Tests.AccessReviews;

/// <summary>The unattended cycle, judged by the sandbox tenant's state and by what the store holds after each run.</summary>
public sealed class AccessReviewSchedulerTests : IDisposable
{
    private readonly SandboxGraph _graph;
    private readonly TempWorkspace _store = new();
    private readonly Leaver _holder;
    private readonly DirectoryUser _colleague;
    private readonly DirectorySnapshot _snapshot;
    private readonly AccessReviewRegister _register;
    private readonly AccessReviewScheduler _scheduler;
    private readonly string _evidence;
    private DateTime _now;

    public AccessReviewSchedulerTests()
    {
        _graph = SandboxGraph.StartAsync(new SandboxOptions { UserCount = 100 }).GetAwaiter().GetResult();
        _holder = Leaver.Create(Tenant, cloudGroups: 2, appRoles: 0, everything: false);
        // A colleague in the first group whose access the reviewer approves, so the group still has a member to review next period.
        _colleague = Tenant.Users.Where(u => u.UserType == "Member" && u.AccountEnabled && u != _holder.Manager).Skip(3).First();
        _holder.CloudGroups[0].AddMember(_colleague);
        _snapshot = CollectAsync().GetAwaiter().GetResult();
        _now = _snapshot.CollectedAt.UtcDateTime;
        _register = new AccessReviewRegister(_store.Workspace.Store, _store.Workspace.Audit, () => _now);
        var completion = new AccessReviewCompletion(_store.Workspace.Store, _store.Workspace.Audit, () => _now);
        _scheduler = new AccessReviewScheduler(_store.Workspace.Store, _store.Workspace.Audit, _register, completion, () => _now);
        _evidence = Path.Combine(_store.Home, "evidence");
    }

    public void Dispose()
    {
        _store.Dispose();
        _graph.Dispose();
    }

    private Tenant Tenant => _graph.Sandbox.Tenant;

    private Task<DirectorySnapshot> CollectAsync() => new DirectorySnapshotCollector(_graph.Reader).CollectAsync(null, CancellationToken.None);

    private AccessReviewCycleOptions Options(bool connected = true) => new()
    {
        Connection = connected ? _graph.Connection : null,
        ReadDirectory = async ct => (DirectoryIndex.Build(await CollectAsync()), null),
        Catalog = () => RoleCatalog.Empty,
        EvidenceFolder = _evidence,
        GraphOptions = SandboxGraph.FastRetries,
    };

    // The holder's two groups and the colleague's membership of the first; the colleague is approved, the holder left
    // to the default.
    private async Task<AccessReviewCampaign> CampaignAsync(string name, bool autoApply, string? recurrence, AccessReviewDefaultDecision defaultDecision = AccessReviewDefaultDecision.Deny)
    {
        AccessReviewCampaign campaign = await _register.CreateAsync(new AccessReviewDefinition
        {
            Name = name,
            Scope = new AccessReviewScope { GroupNames = [.. _holder.CloudGroups.Select(g => g.Id)] },
            Reviewers = new AccessReviewReviewers { Rule = AccessReviewerRule.Named, Named = [_holder.Manager.UserPrincipalName], Fallback = [_holder.Manager.UserPrincipalName] },
            DueDate = new DateTimeOffset(_now.AddDays(14), TimeSpan.Zero),
            Recurrence = recurrence,
            DefaultDecision = defaultDecision,
            AutoApply = autoApply,
            InactiveDays = 45,
            Force = true,
        }, DirectoryIndex.Build(_snapshot), null, RoleCatalog.Empty, TempWorkspace.Context, CancellationToken.None);
        AccessReviewItem colleague = _register.ReadItems(new AccessReviewItemQuery { CampaignId = campaign.CampaignId }, CancellationToken.None)
            .Single(i => i.PrincipalId == _colleague.Id);
        await _register.DecideAsync(new AccessReviewDecisionRequest
        {
            CampaignId = campaign.CampaignId, ItemId = colleague.ItemId, Decision = AccessReviewDecision.Approve, Reviewer = _holder.Manager.UserPrincipalName,
        }, TempWorkspace.Context, CancellationToken.None);
        return campaign;
    }

    private async Task<IReadOnlyList<AccessReviewCycleResult>> RunAsync(AccessReviewCycleOptions? options = null) =>
        await _scheduler.RunAsync(await _scheduler.PlanAsync(_evidence, CancellationToken.None), options ?? Options(), TempWorkspace.Context, CancellationToken.None);

    private Task<IReadOnlyList<AccessReviewCampaign>> CampaignsAsync() => _register.FindAsync(new AccessReviewCampaignQuery(), CancellationToken.None);

    [Fact]
    public async Task A_cycle_completes_an_auto_apply_campaign_past_due_writes_its_evidence_and_starts_one_successor_and_a_second_run_does_nothing_new()
    {
        AccessReviewCampaign first = await CampaignAsync("Holder's groups", autoApply: true, recurrence: "P3M");
        _now = first.StartDate.UtcDateTime.AddMonths(3).AddHours(2);

        IReadOnlyList<AccessReviewCycleResult> results = await RunAsync();

        // The tenant: the holder's access went by the Deny default; the approved colleague stays.
        Assert.All(_holder.CloudGroups, g => Assert.False(g.HasMember(_holder.User.Id), g.DisplayName));
        Assert.True(_holder.CloudGroups[0].HasMember(_colleague.Id));
        Assert.Equal([(AccessReviewCycleAction.Complete, AccessReviewCycleOutcome.Done), (AccessReviewCycleAction.CreateSuccessor, AccessReviewCycleOutcome.Done)],
            results.Select(r => (r.Action, r.Outcome)));
        Assert.Equal(AccessReviewCampaignStatus.Completed, (await _register.GetAsync(first.CampaignId, CancellationToken.None)).Status);
        Assert.True(File.Exists(Path.Combine(_evidence, $"{first.CampaignId}-evidence.csv")));
        Assert.Contains(_holder.User.UserPrincipalName, File.ReadAllText(Path.Combine(_evidence, $"{first.CampaignId}-evidence.html")));

        // The successor: the series' settings, starting on the series' schedule (not when the job ran), due the same
        // length after it was created, frozen from today's directory.
        AccessReviewCampaign next = (await CampaignsAsync()).Single(c => c.CampaignId != first.CampaignId);
        Assert.Equal(results[1].SuccessorId, next.CampaignId);
        Assert.Equal((first.CampaignId, first.CampaignId), (next.PredecessorId, next.SeriesId));
        Assert.Equal(first.CampaignId, first.SeriesId);
        Assert.Equal("Holder's groups " + AccessReviewScheduler.PeriodLabel(next.StartDate, new IsoDuration(0, 3, 0, TimeSpan.Zero)), next.Name);
        Assert.Equal(first.StartDate.AddMonths(3), next.StartDate);
        Assert.Equal(new DateTimeOffset(_now, TimeSpan.Zero) + (first.DueDate - first.StartDate), next.DueDate);
        Assert.Equal(first.Scope.GroupNames, next.Scope.GroupNames);
        Assert.Equal(first.Reviewers.Named, next.Reviewers.Named);
        Assert.Equal(first.Reviewers.Fallback, next.Reviewers.Fallback);
        Assert.Equal((first.Recurrence, first.DefaultDecision, first.AutoApply, first.InactiveDays), (next.Recurrence, next.DefaultDecision, next.AutoApply, next.InactiveDays));
        AccessReviewItem only = Assert.Single(_register.ReadItems(new AccessReviewItemQuery { CampaignId = next.CampaignId }, CancellationToken.None));
        Assert.Equal(_colleague.Id, only.PrincipalId);

        // Again, at the same moment and a day later: nothing to do, nothing sent to Graph, no third campaign.
        long requests = _graph.Sandbox.RequestCount;
        Assert.Empty(await _scheduler.PlanAsync(_evidence, CancellationToken.None));
        _now = _now.AddDays(1);
        Assert.Empty(await RunAsync());
        Assert.Equal(requests, _graph.Sandbox.RequestCount);
        Assert.Equal(2, (await CampaignsAsync()).Count);

        List<AuditEvent> events = _store.Events();
        AuditEvent created = Assert.Single(events, e => e.Action == AccessReviewAuditActions.CampaignCreated && e.Target == AccessReviewRegister.Target(next.CampaignId));
        Assert.Contains("\"PredecessorId\":\"" + first.CampaignId + "\"", created.Details);
        Assert.Contains("\"Forced\":true", created.Details);
        Assert.Single(events, e => e.Action == AccessReviewCompletion.CompletedAction);
        Assert.Single(events, e => e.Action == AccessReviewScheduler.EvidenceWrittenAction);
        Assert.Equal(2, events.Count(e => e.Action == AccessReviewScheduler.CycleRunAction));
        Assert.All(events.Where(e => e.Action.StartsWith("AccessReview.", StringComparison.Ordinal)),
            e => Assert.DoesNotContain(_holder.User.UserPrincipalName, e.Details, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task An_overdue_campaign_without_auto_apply_is_reported_with_its_overdue_reviewers_and_never_completed()
    {
        AccessReviewCampaign campaign = await CampaignAsync("No auto-apply", autoApply: false, recurrence: null);
        _now = campaign.DueDate.UtcDateTime.AddDays(3);

        IReadOnlyList<AccessReviewCycleResult> results = await RunAsync();

        AccessReviewCycleResult reported = Assert.Single(results);
        Assert.Equal((AccessReviewCycleAction.ReportOverdue, AccessReviewCycleOutcome.Done), (reported.Action, reported.Outcome));
        Assert.Equal([_holder.Manager.UserPrincipalName], reported.OverdueReviewers);
        Assert.Contains($"Complete-IsmsAccessReview {campaign.CampaignId}", reported.Message);
        Assert.All(_holder.CloudGroups, g => Assert.True(g.HasMember(_holder.User.Id), g.DisplayName));
        Assert.Equal(AccessReviewCampaignStatus.Active, (await _register.GetAsync(campaign.CampaignId, CancellationToken.None)).Status);
        AuditEvent audit = Assert.Single(_store.Events(), e => e.Action == AccessReviewScheduler.OverdueReportedAction);
        Assert.Contains(_holder.Manager.Id, audit.Details);
        Assert.DoesNotContain(_holder.Manager.UserPrincipalName, audit.Details, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData(false, 3)]
    [InlineData(true, -3)]
    public async Task A_complete_step_handed_to_run_is_skipped_unless_the_campaign_auto_applies_and_is_overdue_now(bool autoApply, int daysAfterDue)
    {
        AccessReviewCampaign campaign = await CampaignAsync("Forged step", autoApply, recurrence: null);
        _now = campaign.DueDate.UtcDateTime.AddDays(daysAfterDue);
        var forged = new AccessReviewCycleResult
        {
            CampaignId = campaign.CampaignId, CampaignName = campaign.Name, Action = AccessReviewCycleAction.Complete, Outcome = AccessReviewCycleOutcome.Planned,
            Message = "complete it",
        };

        IReadOnlyList<AccessReviewCycleResult> results = await _scheduler.RunAsync([forged], Options(), TempWorkspace.Context, CancellationToken.None);

        Assert.Equal(AccessReviewCycleOutcome.Skipped, Assert.Single(results).Outcome);
        Assert.All(_holder.CloudGroups, g => Assert.True(g.HasMember(_holder.User.Id), g.DisplayName));
        Assert.Equal(AccessReviewCampaignStatus.Active, (await _register.GetAsync(campaign.CampaignId, CancellationToken.None)).Status);
    }

    [Fact]
    public async Task A_missed_year_of_a_quarterly_campaign_creates_one_successor_for_the_current_quarter_not_a_backlog_and_a_rerun_creates_none()
    {
        AccessReviewCampaign first = await CampaignAsync("Quarterly", autoApply: false, recurrence: "P3M", AccessReviewDefaultDecision.None);
        _now = first.StartDate.UtcDateTime.AddDays(400);

        IReadOnlyList<AccessReviewCycleResult> results = await RunAsync();
        IReadOnlyList<AccessReviewCycleResult> again = await RunAsync();

        Assert.Equal([AccessReviewCycleAction.ReportOverdue, AccessReviewCycleAction.CreateSuccessor], results.Select(r => r.Action));
        Assert.Equal([AccessReviewCycleAction.ReportOverdue], again.Select(r => r.Action));
        AccessReviewCampaign next = Assert.Single(await CampaignsAsync(), c => c.CampaignId != first.CampaignId);
        // Four quarters have begun in 400 days; the successor covers the latest, and reviewers get its full length.
        Assert.Equal(first.StartDate.AddMonths(12), next.StartDate);
        Assert.Equal(new DateTimeOffset(_now, TimeSpan.Zero) + (first.DueDate - first.StartDate), next.DueDate);
        Assert.True(next.NextStartDate > new DateTimeOffset(_now, TimeSpan.Zero));
    }

    [Fact]
    public async Task A_job_that_always_runs_late_does_not_move_the_series()
    {
        AccessReviewCampaign first = await CampaignAsync("Quarterly", autoApply: false, recurrence: "P3M", AccessReviewDefaultDecision.None);
        _now = first.StartDate.UtcDateTime.AddMonths(3).AddHours(23);
        await RunAsync();
        AccessReviewCampaign second = Assert.Single(await CampaignsAsync(), c => c.PredecessorId == first.CampaignId);

        _now = second.StartDate.UtcDateTime.AddMonths(3).AddHours(23);
        await RunAsync();
        AccessReviewCampaign third = Assert.Single(await CampaignsAsync(), c => c.PredecessorId == second.CampaignId);

        Assert.Equal([first.StartDate.AddMonths(3), first.StartDate.AddMonths(6)], new[] { second.StartDate, third.StartDate });
        Assert.Equal(first.StartDate.AddMonths(9), third.NextStartDate);
        // Reviewers get the series' length from creation, and it does not grow by the job's lateness period after period.
        TimeSpan length = first.DueDate - first.StartDate;
        Assert.Equal([length, length], new[] { second.DueDate - second.CreatedAt, third.DueDate - third.CreatedAt });
        Assert.Equal("Quarterly " + AccessReviewScheduler.PeriodLabel(first.StartDate.AddMonths(6), new IsoDuration(0, 3, 0, TimeSpan.Zero)), third.Name);
    }

    [Fact]
    public async Task A_monthly_series_begun_on_the_31st_runs_on_the_last_day_of_each_month_and_a_new_recurrence_counts_from_its_campaign()
    {
        _now = new DateTime(2027, 1, 31, 8, 0, 0, DateTimeKind.Utc);
        AccessReviewCampaign first = await CampaignAsync("Monthly", autoApply: false, recurrence: "P1M", AccessReviewDefaultDecision.None);
        var started = new List<AccessReviewCampaign> { first };
        foreach (DateTime run in new[] { new DateTime(2027, 2, 28, 10, 0, 0), new DateTime(2027, 3, 29, 10, 0, 0), new DateTime(2027, 3, 31, 10, 0, 0), new DateTime(2027, 4, 30, 23, 0, 0) })
        {
            _now = DateTime.SpecifyKind(run, DateTimeKind.Utc);
            await RunAsync();
            if ((await CampaignsAsync()).SingleOrDefault(c => c.PredecessorId == started[^1].CampaignId) is AccessReviewCampaign next)
            {
                started.Add(next);
            }
        }

        // 29 March is no start: the series' next date after 28 February is 31 March, not 28 March.
        string[] expected = ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30"];
        Assert.Equal(expected, started.Select(c => c.StartDate.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(started, c => Assert.Equal(8, c.StartDate.UtcDateTime.Hour));
        Assert.Equal(new DateTimeOffset(2027, 5, 31, 8, 0, 0, TimeSpan.Zero), started[^1].NextStartDate);

        // The same duration spelled another way changes nothing; a changed recurrence is a new schedule, counted from
        // the newest campaign's start.
        AccessReviewCampaign respelled = await _register.SetRecurrenceAsync(started[^1].CampaignId, "P0Y1M", TempWorkspace.Context, CancellationToken.None);
        Assert.Equal(("P1M", started[^1].NextStartDate), (respelled.Recurrence, respelled.NextStartDate));
        AccessReviewCampaign changed = await _register.SetRecurrenceAsync(started[^1].CampaignId, "P3M", TempWorkspace.Context, CancellationToken.None);
        Assert.Equal(new DateTimeOffset(2027, 7, 30, 8, 0, 0, TimeSpan.Zero), changed.NextStartDate);
    }

    [Fact]
    public async Task A_campaign_that_fails_is_reported_and_audited_and_the_other_campaigns_are_still_done()
    {
        AccessReviewCampaign failing = await CampaignAsync("Needs Graph", autoApply: true, recurrence: null);
        AccessReviewCampaign recurring = await CampaignAsync("Recurring", autoApply: false, recurrence: "P1M", AccessReviewDefaultDecision.None);
        _now = failing.DueDate.UtcDateTime.AddDays(20);

        IReadOnlyList<AccessReviewCycleResult> results = await RunAsync(Options(connected: false));

        AccessReviewCycleResult failed = Assert.Single(results, r => r.Outcome == AccessReviewCycleOutcome.Failed);
        Assert.Equal((failing.CampaignId, AccessReviewCycleAction.Complete, "IsmsOps.AccessReview.NotConnected"), (failed.CampaignId, failed.Action, failed.ErrorId));
        Assert.NotNull(failed.Error);
        Assert.Contains(results, r => r.CampaignId == recurring.CampaignId && r.Action == AccessReviewCycleAction.CreateSuccessor && r.Outcome == AccessReviewCycleOutcome.Done);
        Assert.Equal(AccessReviewCampaignStatus.Active, (await _register.GetAsync(failing.CampaignId, CancellationToken.None)).Status);
        Assert.All(_holder.CloudGroups, g => Assert.True(g.HasMember(_holder.User.Id), g.DisplayName));
        AuditEvent audit = Assert.Single(_store.Events(), e => e.Action == AccessReviewScheduler.StepFailedAction);
        Assert.Contains("IsmsOps.AccessReview.NotConnected", audit.Details);

        // Connected, the next run completes what failed, and creates nothing twice.
        IReadOnlyList<AccessReviewCycleResult> retried = await RunAsync();
        Assert.Contains(retried, r => r.CampaignId == failing.CampaignId && r.Action == AccessReviewCycleAction.Complete && r.Outcome == AccessReviewCycleOutcome.Done);
        Assert.DoesNotContain(retried, r => r.Action == AccessReviewCycleAction.CreateSuccessor);
        Assert.All(_holder.CloudGroups, g => Assert.False(g.HasMember(_holder.User.Id), g.DisplayName));
    }

    [Fact]
    public async Task A_successor_is_not_frozen_from_a_directory_no_newer_than_its_predecessors()
    {
        AccessReviewCampaign first = await CampaignAsync("Stale", autoApply: false, recurrence: "P3M", AccessReviewDefaultDecision.None);
        _now = first.StartDate.UtcDateTime.AddMonths(3).AddDays(1);

        IReadOnlyList<AccessReviewCycleResult> results = await RunAsync(Options() with { ReadDirectory = _ => Task.FromResult((DirectoryIndex.Build(_snapshot), (string?)null)) });

        AccessReviewCycleResult failed = Assert.Single(results, r => r.Outcome == AccessReviewCycleOutcome.Failed);
        Assert.Equal((AccessReviewCycleAction.CreateSuccessor, "IsmsOps.AccessReview.StaleSnapshot"), (failed.Action, failed.ErrorId));
        Assert.Single(await CampaignsAsync());
    }

    [Fact]
    public async Task When_the_last_period_removed_everything_in_scope_no_successor_is_created_and_that_is_not_a_failure()
    {
        AccessReviewCampaign first = await CampaignAsync("Emptied", autoApply: true, recurrence: "P3M");
        AccessReviewItem colleague = _register.ReadItems(new AccessReviewItemQuery { CampaignId = first.CampaignId }, CancellationToken.None).Single(i => i.PrincipalId == _colleague.Id);
        await _register.DecideAsync(new AccessReviewDecisionRequest
        {
            CampaignId = first.CampaignId, ItemId = colleague.ItemId, Decision = AccessReviewDecision.Deny, Reviewer = _holder.Manager.UserPrincipalName, ExpectedVersion = 2,
        }, TempWorkspace.Context, CancellationToken.None);
        _now = first.StartDate.UtcDateTime.AddMonths(3).AddHours(1);

        IReadOnlyList<AccessReviewCycleResult> results = await RunAsync();

        Assert.Equal([(AccessReviewCycleAction.Complete, AccessReviewCycleOutcome.Done), (AccessReviewCycleAction.CreateSuccessor, AccessReviewCycleOutcome.Skipped)],
            results.Select(r => (r.Action, r.Outcome)));
        Assert.Contains("matches no access", results[1].Message);
        Assert.False(_holder.CloudGroups[0].HasMember(_colleague.Id));
        Assert.Single(await CampaignsAsync());
    }

    [Fact]
    public async Task Ending_the_series_on_its_newest_campaign_stops_successors_and_an_older_campaign_of_the_series_is_refused()
    {
        AccessReviewCampaign first = await CampaignAsync("Series", autoApply: false, recurrence: "P1M", AccessReviewDefaultDecision.None);
        _now = first.StartDate.UtcDateTime.AddMonths(1).AddDays(1);
        await RunAsync();
        AccessReviewCampaign second = Assert.Single(await CampaignsAsync(), c => c.PredecessorId == first.CampaignId);

        IsmsException refused = await Assert.ThrowsAsync<IsmsException>(() => _register.SetRecurrenceAsync(first.CampaignId, null, TempWorkspace.Context, CancellationToken.None));
        AccessReviewCampaign ended = await _register.SetRecurrenceAsync(second.CampaignId, null, TempWorkspace.Context, CancellationToken.None);
        _now = second.StartDate.UtcDateTime.AddYears(1);
        IReadOnlyList<AccessReviewCycleResult> later = await RunAsync();

        Assert.Equal("IsmsOps.AccessReview.NotNewestInSeries", refused.ErrorId);
        Assert.Contains(second.CampaignId, refused.Message);
        Assert.Null(ended.Recurrence);
        Assert.Equal(first.CampaignId, ended.SeriesId);
        Assert.DoesNotContain(later, r => r.Action == AccessReviewCycleAction.CreateSuccessor);
        Assert.Equal(2, (await CampaignsAsync()).Count);
        AuditEvent changed = Assert.Single(_store.Events(), e => e.Action == AccessReviewAuditActions.RecurrenceChanged);
        Assert.Contains("\"from\":\"P1M\"", changed.Details);
    }

    [Fact]
    public async Task Two_runs_creating_the_same_successor_store_one()
    {
        AccessReviewCampaign first = await CampaignAsync("Once", autoApply: false, recurrence: "P3M", AccessReviewDefaultDecision.None);
        _now = first.StartDate.UtcDateTime.AddMonths(3).AddDays(1);
        AccessReviewDefinition definition = AccessReviewScheduler.SuccessorDefinition(first, new DateTimeOffset(_now, TimeSpan.Zero));
        DirectoryIndex index = DirectoryIndex.Build(await CollectAsync());

        AccessReviewCampaign? created = await _register.CreateSuccessorAsync(first, definition, index, null, RoleCatalog.Empty, GroupTagPolicy.Default, TempWorkspace.Context, CancellationToken.None);
        AccessReviewCampaign? second = await _register.CreateSuccessorAsync(first, definition, index, null, RoleCatalog.Empty, GroupTagPolicy.Default, TempWorkspace.Context, CancellationToken.None);

        Assert.NotNull(created);
        Assert.Null(second);
        Assert.Equal(2, (await CampaignsAsync()).Count);
        Assert.Single(_store.Events(), e => e.Action == AccessReviewAuditActions.CampaignCreated && e.Target != AccessReviewRegister.Target(first.CampaignId));
    }

    [Fact]
    public async Task WhatIf_planning_lists_the_steps_and_changes_nothing_in_the_tenant_or_the_store()
    {
        AccessReviewCampaign first = await CampaignAsync("Plan only", autoApply: true, recurrence: "P6M");
        _now = first.StartDate.UtcDateTime.AddMonths(6).AddDays(1);
        int events = _store.Events().Count;
        long requests = _graph.Sandbox.RequestCount;

        IReadOnlyList<AccessReviewCycleResult> plan = await _scheduler.PlanAsync(_evidence, CancellationToken.None);

        Assert.Equal([AccessReviewCycleAction.Complete, AccessReviewCycleAction.CreateSuccessor], plan.Select(p => p.Action));
        Assert.All(plan, p => Assert.Equal(AccessReviewCycleOutcome.Planned, p.Outcome));
        Assert.Equal("Plan only " + AccessReviewScheduler.PeriodLabel(first.StartDate.AddMonths(6), new IsoDuration(0, 6, 0, TimeSpan.Zero)), plan[1].SuccessorName);
        Assert.Equal(events, _store.Events().Count);
        Assert.Equal(requests, _graph.Sandbox.RequestCount);
        Assert.All(_holder.CloudGroups, g => Assert.True(g.HasMember(_holder.User.Id)));
        Assert.Single(await CampaignsAsync());
        Assert.False(Directory.Exists(_evidence));
    }
}
