using System.Collections.Concurrent;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.Movers;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Onboarding;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Roles;

namespace IsmsOps.Engine.Lifecycle;

/// <summary>
/// Turns the people register's state into onboarding, offboarding and mover work: for the people named, or for everyone in
/// transition, decides what is due (<see cref="DecideAsync"/>) and does it (<see cref="RunAsync"/>).
/// </summary>
/// <remarks>
/// <para>Everything is decided from what the store holds (the person's status and dates, their cases), never from the
/// HR event that changed them, so a crash, a lost webhook or a week without a run loses nothing: the next run finds
/// the same work. And everything a run did is in the store, so the next run does not do it twice.</para>
/// <para>Joiners: Status Onboarding (or Candidate, when HR's Joiner event registered them ahead of the start date;
/// such a Candidate becomes Onboarding when the work falls due), a JobRole, and due by <see cref="LifecycleOptions.JoinerDueAt"/> (or no start
/// date). Their onboarding case is started, or carried on unless it is Completed, through
/// <see cref="OnboardingService.StartAsync"/>, so the screening gate decides what is granted. A case Blocked on
/// screening that is still not cleared is reported and not run again (nothing would change, and nothing is sent).
/// When the case is Completed and the start date has come, the person becomes Active.</para>
/// <para>Leavers: Status Leaving, and the end date's due instant (<see cref="LifecycleOptions.LeaverDueAt"/>) at or
/// before now: a window, never an exact-date match, so a leaver whose date passed while no run happened is still
/// found. An open offboarding case of theirs (Planned, Running, Failed) is resumed, even when an earlier one is closed;
/// with none open, a closed case means the work is done; otherwise a new one is started through <see cref="OffboardingFeed"/> with Standard urgency, its deadline counted
/// from the due instant. Once the case is closed, the person becomes Left. A leaver whose end date is still ahead is
/// not touched.</para>
/// <para>Movers: anyone else with an open mover case (opened with the role change, <see cref="MoverRegister"/>) that has
/// grants to run or whose old access is due to go (<see cref="MoverCase.RemoveOldAfter"/> at or before now) gets it
/// carried on through <see cref="MoverService.RunAsync"/>, so the screening gate decides what is granted. A case only
/// waiting for the overlap is reported NotDue with the instant it falls due.</para>
/// <para>Every run audits its decisions before doing anything (<see cref="DecidedAction"/>) and its results after
/// (<see cref="FinishedAction"/>), by person id, case id and status only; the cases audit each step themselves.</para>
/// </remarks>
public sealed class LifecycleRunner
{
    /// <summary>The audit action recording what a run decided for each person, before any work.</summary>
    public const string DecidedAction = "Lifecycle.Decided";

    /// <summary>The audit action recording what a run ended with for each person.</summary>
    public const string FinishedAction = "Lifecycle.Finished";

    private readonly IsmsWorkspace _workspace;
    private readonly OnboardingService _onboarding;
    private readonly OffboardingService _offboarding;
    private readonly MoverService _movers;
    private readonly LifecycleOptions _options;
    private readonly Func<DateTimeOffset> _clock;

    /// <param name="workspace">The store with the people, screening and case registers.</param>
    /// <param name="roles">The role catalog joiners' roles are resolved in.</param>
    /// <param name="connection">The Graph connection the cases run through.</param>
    /// <param name="options">When joiners and leavers fall due; <see cref="LifecycleOptions.Default"/> without it.</param>
    /// <param name="graphOptions">Batch size and retries for the cases.</param>
    /// <param name="clock">Now, for due dates and the screening gate (the real clock by default).</param>
    public LifecycleRunner(IsmsWorkspace workspace, RoleCatalog roles, GraphConnection connection, LifecycleOptions? options = null,
        GraphReaderOptions? graphOptions = null, Func<DateTimeOffset>? clock = null)
    {
        ArgumentNullException.ThrowIfNull(workspace);
        ArgumentNullException.ThrowIfNull(roles);
        ArgumentNullException.ThrowIfNull(connection);
        _workspace = workspace;
        _options = options ?? LifecycleOptions.Default;
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
        _onboarding = new OnboardingService(workspace, roles, connection, graphOptions, _clock);
        _offboarding = new OffboardingService(workspace.Offboarding, connection, graphOptions);
        _movers = new MoverService(workspace, roles, connection, graphOptions, _clock);
    }

    /// <summary>
    /// What is due for each of <paramref name="personIds"/> (every one gets a decision, in the order given, once), or,
    /// when null, for everyone Onboarding or Leaving. Reads the store only; changes nothing.
    /// </summary>
    public async Task<IReadOnlyList<LifecycleDecision>> DecideAsync(IReadOnlyCollection<string>? personIds, CancellationToken cancellationToken)
    {
        DateTimeOffset now = _clock();
        var decisions = new List<LifecycleDecision>();
        if (personIds is null)
        {
            IReadOnlyList<Person> inTransition = await _workspace.People.FindAsync(
                new PersonQuery { Statuses = [PersonStatus.Candidate, PersonStatus.Onboarding, PersonStatus.Leaving] }, cancellationToken).ConfigureAwait(false);
            foreach (Person person in inTransition)
            {
                // A Candidate entered by hand may never be hired; only HR's hires are HR automation's to onboard.
                if (person.Status != PersonStatus.Candidate || await HiredByHrAsync(person, cancellationToken).ConfigureAwait(false))
                {
                    decisions.Add(await DecideOneAsync(person, now, cancellationToken).ConfigureAwait(false));
                }
            }

            // Movers with work due, in any other status (a mover is normally Active).
            var seen = inTransition.Select(p => p.PersonId).ToHashSet(StringComparer.OrdinalIgnoreCase);
            foreach (MoverCase due in await _workspace.Movers.FindAsync(new MoverCaseQuery { DueAt = now }, cancellationToken).ConfigureAwait(false))
            {
                if (seen.Add(due.PersonId) && await _workspace.Store.GetPersonAsync(due.PersonId, cancellationToken).ConfigureAwait(false) is Person mover)
                {
                    decisions.Add(await DecideOneAsync(mover, now, cancellationToken).ConfigureAwait(false));
                }
            }

            return decisions;
        }

        foreach (string personId in personIds.Select(id => id.Trim()).Distinct(StringComparer.OrdinalIgnoreCase))
        {
            Person? person = await _workspace.Store.GetPersonAsync(personId, cancellationToken).ConfigureAwait(false);
            decisions.Add(person is null
                ? new LifecycleDecision
                {
                    PersonId = personId, Work = LifecycleWork.Nothing, Status = "NotFound", ErrorId = "IsmsOps.Person.NotFound",
                    Reason = $"There is no person '{personId}' in the register, so there is nothing to onboard or offboard. A refused HR event creates no person.",
                }
                : await DecideOneAsync(person, now, cancellationToken).ConfigureAwait(false));
        }

        return decisions;
    }

    private async Task<LifecycleDecision> DecideOneAsync(Person person, DateTimeOffset now, CancellationToken cancellationToken) => person.Status switch
    {
        PersonStatus.Onboarding => await DecideJoinerAsync(person, now, cancellationToken).ConfigureAwait(false),
        PersonStatus.Candidate when await HiredByHrAsync(person, cancellationToken).ConfigureAwait(false) =>
            await DecideJoinerAsync(person, now, cancellationToken).ConfigureAwait(false),
        PersonStatus.Leaving => await DecideLeaverAsync(person, now, cancellationToken).ConfigureAwait(false),

        _ => await DecideMoverAsync(person, now, cancellationToken).ConfigureAwait(false),
    };

    private Task<bool> HiredByHrAsync(Person person, CancellationToken cancellationToken) =>
        _workspace.Store.HasProcessedHrEventAsync(person.PersonId, HrEvents.HrEventKind.Joiner, cancellationToken);

    private async Task<LifecycleDecision> DecideMoverAsync(Person person, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (await _workspace.Movers.FindOpenAsync(person.PersonId, cancellationToken).ConfigureAwait(false) is not MoverCase open)
        {
            return Nothing(person, "NotApplicable",
                $"Status {person.Status} and no open mover case: neither a joiner (Onboarding), a leaver (Leaving) nor a mover, so nothing is due.");
        }

        bool grants = !open.Planned || open.PendingGrants > 0 || open.Status == MoverCaseStatus.Failed;
        bool removalsDue = open.PendingRemovals > 0 && now >= open.RemoveOldAfter;
        if (open.Status == MoverCaseStatus.WaitingForScreening && !removalsDue && !await ClearedNowAsync(person, now, cancellationToken).ConfigureAwait(false))
        {
            // As for a blocked joiner: running it again would send nothing and only re-audit the same closed gate.
            return Nothing(person, "Blocked", $"Mover case {open.CaseId} still waits for screening: {open.BlockedBecause}")
                with { CaseId = open.CaseId, DueAt = open.RemoveOldAfter };
        }

        if (!grants && now < open.RemoveOldAfter)
        {
            return Nothing(person, "NotDue", $"Mover case {open.CaseId}: the new role's access is in place; the old role's goes when the overlap ends, {Format(open.RemoveOldAfter)}.")
                with { CaseId = open.CaseId, DueAt = open.RemoveOldAfter };
        }

        return new LifecycleDecision
        {
            PersonId = person.PersonId, Person = person, Work = LifecycleWork.Mover, CaseId = open.CaseId, Status = "Resume",
            DueAt = grants ? open.EffectiveAt : open.RemoveOldAfter,
            Reason = grants ? $"Mover case {open.CaseId} ({open.FromRoleId} -> {open.ToRoleId}) has grants to run once screening allows."
                : $"Mover case {open.CaseId}: the overlap ended {Format(open.RemoveOldAfter)}; the old role's access is removed.",
        };
    }

    private async Task<LifecycleDecision> DecideJoinerAsync(Person person, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(person.JobRole))
        {
            return Nothing(person, "NotApplicable",
                $"Joiner '{person.PersonId}' has no JobRole, so there is no role to onboard into. Set one with Set-IsmsPerson -PersonId {person.PersonId} -JobRole <role id>.");
        }

        DateTimeOffset? due = person.StartDate is DateTime start ? _options.JoinerDueAt(start) : null;
        if (due > now)
        {
            return Nothing(person, "NotDue", $"Onboarding is not due until {Format(due.Value)} (start date {person.StartDate:yyyy-MM-dd}, lead {_options.JoinerLead}).") with { DueAt = due };
        }

        OnboardingCase? existing = (await _workspace.Onboarding.FindAsync(new OnboardingCaseQuery { PersonId = person.PersonId }, cancellationToken).ConfigureAwait(false))
            .FirstOrDefault();
        if (existing?.Status == OnboardingCaseStatus.Completed)
        {
            return Nothing(person, "Done", $"Onboarding case {existing.CaseId} is Completed.") with
            {
                CaseId = existing.CaseId,
                DueAt = due,
                Advance = HasStarted(person, now) ? PersonStatus.Active : null,
            };
        }

        if (existing?.Status == OnboardingCaseStatus.Blocked && !await ClearedNowAsync(person, now, cancellationToken).ConfigureAwait(false))
        {
            // Running it again would change nothing and send nothing; it only re-audits the same closed gate.
            return Nothing(person, "Blocked", $"Onboarding case {existing.CaseId} still waits for screening: {existing.BlockedBecause}") with { CaseId = existing.CaseId, DueAt = due };
        }

        return new LifecycleDecision
        {
            PersonId = person.PersonId, Person = person, Work = LifecycleWork.Onboarding, CaseId = existing?.CaseId, DueAt = due,
            Status = existing is null ? "Start" : "Resume",
            Reason = existing is null ? "A joiner with a role, due now, and no onboarding case." : $"Onboarding case {existing.CaseId} is {existing.Status}.",
        };
    }

    private async Task<bool> ClearedNowAsync(Person person, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            return (await _onboarding.ClearanceAsync(person, _onboarding.RoleOf(person), now, cancellationToken).ConfigureAwait(false)).Allowed;
        }
        catch (IsmsException)
        {
            // The role went from the catalog since the case was planned: let the onboarding run say so.
            return true;
        }
    }

    private async Task<LifecycleDecision> DecideLeaverAsync(Person person, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (person.EndDate is not DateTime end)
        {
            return Nothing(person, "NotApplicable",
                $"Leaver '{person.PersonId}' has no EndDate, so offboarding has no due date. Set one with Set-IsmsPerson -PersonId {person.PersonId} -EndDate <last working day>.");
        }

        DateTimeOffset due = _options.LeaverDueAt(end);
        if (due > now)
        {
            return Nothing(person, "NotDue", $"Offboarding is not due until {Format(due)} (end date {end:yyyy-MM-dd}).") with { DueAt = due };
        }

        List<OffboardingCase> cases = [.. await _workspace.Offboarding.FindAsync(new OffboardingCaseQuery { PersonId = person.PersonId }, cancellationToken).ConfigureAwait(false)];
        if (person.DirectoryObjectId is string userId)
        {
            // A case opened by account (Start-IsmsOffboarding -UserId) names no person, but it is this person's.
            cases.AddRange(await _workspace.Offboarding.FindAsync(new OffboardingCaseQuery { UserId = userId }, cancellationToken).ConfigureAwait(false));
        }

        // An open case wins over a closed one: the closed one was an earlier offboarding of an account given back since.
        OffboardingCase? open = cases.FirstOrDefault(c => c.IsOpen);
        if (open is null && cases.FirstOrDefault(c => !c.IsOpen) is OffboardingCase closed)
        {
            return Nothing(person, "Done", $"Offboarding case {closed.CaseId} is {closed.Status}.") with { CaseId = closed.CaseId, DueAt = due, Advance = PersonStatus.Left };
        }

        return new LifecycleDecision
        {
            PersonId = person.PersonId, Person = person, Work = LifecycleWork.Offboarding, CaseId = open?.CaseId, DueAt = due,
            Status = open is null ? "Start" : "Resume",
            Reason = open is null ? $"The end date's due instant, {Format(due)}, has passed and there is no offboarding case." : $"Offboarding case {open.CaseId} is {open.Status}; it is resumed, not opened again.",
        };
    }

    /// <summary>
    /// Does the work of <paramref name="decisions"/>, at most <paramref name="throttleLimit"/> people at a time
    /// (leavers first), and returns one result per decision in their order. <paramref name="finished"/> gets each result as
    /// it is known (on a worker thread). Audits the decisions before and the results after. A person's failure is their
    /// result (Status Error or Failed, with an ErrorId); a store fault or a defect ends the run.
    /// </summary>
    public async Task<IReadOnlyList<LifecycleResult>> RunAsync(IReadOnlyList<LifecycleDecision> decisions, int throttleLimit, OperationContext context,
        Action<LifecycleResult>? finished, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(decisions);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfLessThan(throttleLimit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(throttleLimit, OffboardingFeed.MaximumThrottleLimit);
        await AuditAsync(DecidedAction, decisions.Select(d => (d.PersonId, Summary(d.Work, d.Status, d.CaseId, d.ErrorId))), context, cancellationToken).ConfigureAwait(false);

        var results = new ConcurrentDictionary<int, LifecycleResult>();
        void Done(int index, LifecycleResult result)
        {
            results[index] = result;
            finished?.Invoke(result);
        }

        // New leavers go through the offboarding feed: the same throttled path Start-IsmsOffboarding takes for a feed.
        List<(int Index, LifecycleDecision Decision)> starts = decisions.Select((d, i) => (i, d))
            .Where(x => x.d.Work == LifecycleWork.Offboarding && x.d.CaseId is null).ToList();
        if (starts.Count > 0)
        {
            var byPerson = starts.ToDictionary(s => s.Decision.PersonId, StringComparer.OrdinalIgnoreCase);
            IReadOnlyList<OffboardingFeedResult> fed = await OffboardingFeed.RunAsync(_workspace.People, _offboarding, context,
                starts.Select(s => OffboardingLeaver.Person(s.Decision.PersonId, OffboardingUrgency.Standard, s.Decision.DueAt)), throttleLimit, cancellationToken)
                .ConfigureAwait(false);
            foreach (OffboardingFeedResult r in fed)
            {
                (int index, LifecycleDecision decision) = byPerson[r.Leaver.Key];
                Done(index, await FromOffboardingAsync(decision, r.Outcome, r.Error, context, cancellationToken).ConfigureAwait(false));
            }
        }

        IEnumerable<(int Index, LifecycleDecision Decision)> rest = decisions.Select((d, i) => (i, d))
            .Where(x => !(x.d.Work == LifecycleWork.Offboarding && x.d.CaseId is null))
            .OrderBy(x => x.d.Work == LifecycleWork.Offboarding ? 0 : 1);
        await Parallel.ForEachAsync(rest, new ParallelOptions { MaxDegreeOfParallelism = throttleLimit, CancellationToken = cancellationToken },
            async (item, ct) => Done(item.Index, await RunOneAsync(item.Decision, context, ct).ConfigureAwait(false))).ConfigureAwait(false);

        LifecycleResult[] ordered = Enumerable.Range(0, decisions.Count).Select(i => results[i]).ToArray();
        await AuditAsync(FinishedAction, ordered.Select(r => (r.PersonId, Summary(r.Work, r.Status, r.CaseId, r.ErrorId))), context, cancellationToken).ConfigureAwait(false);
        return ordered;
    }

    private async Task<LifecycleResult> RunOneAsync(LifecycleDecision decision, OperationContext context, CancellationToken cancellationToken)
    {
        switch (decision.Work)
        {
            case LifecycleWork.Onboarding:
                try
                {
                    if (decision.Person is { Status: PersonStatus.Candidate } candidate)
                    {
                        // HR's hire is due to start: the Candidate becomes a joiner (audited as any status change).
                        decision = decision with
                        {
                            Person = await _workspace.People.UpdateAsync(candidate.PersonId,
                                p => p.Status == PersonStatus.Candidate ? p with { Status = PersonStatus.Onboarding } : p, null, context, cancellationToken).ConfigureAwait(false),
                        };
                    }

                    OnboardingOutcome outcome = await _onboarding.StartAsync(decision.PersonId, false, context, cancellationToken).ConfigureAwait(false);
                    return await FromOnboardingAsync(decision, outcome.Case, context, cancellationToken).ConfigureAwait(false);
                }
                catch (IsmsException error) when (!error.IsStoreFault)
                {
                    return Failed(decision, "Error", error);
                }

            case LifecycleWork.Offboarding:
                try
                {
                    OffboardingOutcome outcome = await _offboarding.ResumeAsync(decision.CaseId!, context, cancellationToken).ConfigureAwait(false);
                    return await FromOffboardingAsync(decision, outcome, null, context, cancellationToken).ConfigureAwait(false);
                }
                catch (IsmsException error) when (!error.IsStoreFault)
                {
                    return Failed(decision, "Error", error);
                }

            case LifecycleWork.Mover:
                try
                {
                    MoverOutcome moved = await _movers.RunAsync(decision.PersonId, context, cancellationToken).ConfigureAwait(false);
                    IsmsException? failed = moved.ToError();
                    return new LifecycleResult
                    {
                        PersonId = decision.PersonId, Work = LifecycleWork.Mover, CaseId = moved.Case?.CaseId ?? decision.CaseId,
                        Status = moved.Case?.Status.ToString() ?? "Done", DueAt = decision.DueAt, PersonStatus = decision.Person?.Status,
                        Reason = failed?.Message ?? moved.PendingBecause ?? "Every grant and removal is done.", ErrorId = failed?.ErrorId, Error = failed,
                    };
                }
                catch (IsmsException error) when (!error.IsStoreFault)
                {
                    return Failed(decision, "Error", error);
                }

            default:
                PersonStatus? status = decision.Person?.Status;
                if (decision.Advance is PersonStatus next && decision.Person is not null)
                {
                    status = await AdvanceAsync(decision.Person, next, context, cancellationToken).ConfigureAwait(false);
                }

                return new LifecycleResult
                {
                    PersonId = decision.PersonId, Work = LifecycleWork.Nothing, CaseId = decision.CaseId, Status = decision.Status, DueAt = decision.DueAt,
                    Reason = status != decision.Person?.Status ? $"{decision.Reason} The person is now {status}." : decision.Reason,
                    ErrorId = decision.ErrorId, PersonStatus = status,
                    Error = decision.ErrorId is null ? null
                        : new IsmsException(decision.ErrorId, IsmsErrorKind.NotFound, decision.Reason, "Check the PersonId, or apply the joiner's HR event first.", decision.PersonId),
                };
        }
    }

    private async Task<LifecycleResult> FromOnboardingAsync(LifecycleDecision decision, OnboardingCase onboarded, OperationContext context, CancellationToken cancellationToken)
    {
        PersonStatus? status = decision.Person?.Status;
        if (onboarded.Status == OnboardingCaseStatus.Completed && decision.Person is not null && HasStarted(decision.Person, _clock()))
        {
            status = await AdvanceAsync(decision.Person, PersonStatus.Active, context, cancellationToken).ConfigureAwait(false);
        }

        var result = new LifecycleResult
        {
            PersonId = decision.PersonId, Work = LifecycleWork.Onboarding, CaseId = onboarded.CaseId, Status = onboarded.Status.ToString(), DueAt = decision.DueAt, PersonStatus = status,
            Reason = onboarded.Status switch
            {
                OnboardingCaseStatus.Blocked => $"{onboarded.PendingSteps} step(s) wait for screening: {onboarded.BlockedBecause} The next run grants them once it is cleared.",
                OnboardingCaseStatus.Completed => "Every step is done." + (status == PersonStatus.Active ? " The person is now Active." : ""),
                _ => $"{onboarded.PendingSteps} step(s) still to run.",
            },
        };
        if (onboarded.Status != OnboardingCaseStatus.Failed)
        {
            return result;
        }

        OnboardingStep[] failed = onboarded.Steps.Where(s => s.Status == OnboardingStepStatus.Failed).ToArray();
        var error = new IsmsException("IsmsOps.Onboarding.StepsFailed", IsmsErrorKind.WriteError,
            $"Onboarding case {onboarded.CaseId} for {decision.PersonId}: {failed.Length} step(s) failed. "
            + string.Join(" ", failed.Take(10).Select(s => $"Step {s.Sequence} {s.Kind} '{s.ResourceDisplayName ?? s.ResourceId}': {s.Reason}")),
            "Fix what each step names; the next Invoke-IsmsLifecycle run retries them (done steps are not run again).", onboarded.CaseId);
        return result with { ErrorId = error.ErrorId, Reason = error.Message, Error = error };
    }

    private async Task<LifecycleResult> FromOffboardingAsync(LifecycleDecision decision, OffboardingOutcome? outcome, Exception? error, OperationContext context,
        CancellationToken cancellationToken)
    {
        if (error is not null)
        {
            if (error is not IsmsException isms || isms.IsStoreFault)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
            }

            return Failed(decision, "Error", (IsmsException)error);
        }

        OffboardingCase closed = outcome!.Case;
        PersonStatus? status = decision.Person?.Status;
        if (!closed.IsOpen && decision.Person is not null)
        {
            status = await AdvanceAsync(decision.Person, PersonStatus.Left, context, cancellationToken).ConfigureAwait(false);
        }

        var result = new LifecycleResult
        {
            PersonId = decision.PersonId, Work = LifecycleWork.Offboarding, CaseId = closed.CaseId, Status = closed.Status.ToString(), DueAt = decision.DueAt, PersonStatus = status,
            Reason = closed.IsOpen ? $"The case is {closed.Status}." : $"The case is {closed.Status}; the person is now {status}.",
        };
        return outcome.ToError() is IsmsException failed ? result with { ErrorId = failed.ErrorId, Reason = failed.Message, Error = failed } : result;
    }

    // Only from the status the decision saw: a person someone else moved on meanwhile is left as they are.
    private async Task<PersonStatus> AdvanceAsync(Person person, PersonStatus next, OperationContext context, CancellationToken cancellationToken)
    {
        Person updated = await _workspace.People.UpdateAsync(person.PersonId, p => p.Status == person.Status ? p with { Status = next } : p, null, context, cancellationToken)
            .ConfigureAwait(false);
        return updated.Status;
    }

    private async Task AuditAsync(string action, IEnumerable<(string PersonId, string Summary)> entries, OperationContext context, CancellationToken cancellationToken)
    {
        var byPerson = new SortedDictionary<string, object?>(StringComparer.Ordinal);
        foreach ((string personId, string summary) in entries)
        {
            byPerson[personId] = summary;
        }

        await _workspace.Audit.AppendAsync([new AuditEventDraft(action, "lifecycle:" + context.CorrelationId,
            new AuditDetails().Add("People", byPerson.Count).Add("Decisions", byPerson).ToJson())], context, cancellationToken).ConfigureAwait(false);
    }

    // Ids and status words only, the absent ones left out: what the audit trail may hold about a person's run.
    private static string Summary(LifecycleWork work, string status, string? caseId, string? errorId) =>
        string.Join(' ', new[] { work.ToString(), status, caseId, errorId }.Where(part => !string.IsNullOrEmpty(part)));

    private bool HasStarted(Person person, DateTimeOffset now) => person.StartDate is not DateTime start || _options.JoinerDueAt(start) + _options.JoinerLead <= now;

    private static LifecycleDecision Nothing(Person person, string status, string reason) =>
        new() { PersonId = person.PersonId, Person = person, Work = LifecycleWork.Nothing, Status = status, Reason = reason };

    private static LifecycleResult Failed(LifecycleDecision decision, string status, IsmsException error)
    {
        error = error.Naming(decision.PersonId, $"{decision.Work} of person {decision.PersonId}");

        return new LifecycleResult
        {
            PersonId = decision.PersonId, Work = decision.Work, CaseId = decision.CaseId ?? (error.Target is string t && (t.StartsWith("ONB-", StringComparison.Ordinal) || t.StartsWith("OFB-", StringComparison.Ordinal)) ? t : null),
            Status = status, DueAt = decision.DueAt, PersonStatus = decision.Person?.Status, ErrorId = error.ErrorId, Reason = error.Message, Error = error,
        };
    }

    private static string Format(DateTimeOffset instant) => AuditEvent.FormatTime(instant.UtcDateTime);
}
