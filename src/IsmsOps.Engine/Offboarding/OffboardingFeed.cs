using IsmsOps.Engine.Access;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.People;

namespace IsmsOps.Engine.Offboarding;

/// <summary>
/// One leaver as an HR feed names them: a person in the register (<see cref="PersonId"/>), or a directory account with
/// no person (<see cref="UserId"/>, an object id or user principal name). Exactly one of the two is set.
/// </summary>
public sealed record OffboardingLeaver
{
    private OffboardingLeaver(string? personId, string? userId, OffboardingUrgency urgency, DateTimeOffset? effectiveDate)
    {
        PersonId = personId;
        UserId = userId;
        Urgency = urgency;
        EffectiveDate = effectiveDate;
    }

    /// <summary>The person's HR id in the register; their account is found by DirectoryObjectId, else UserPrincipalName.</summary>
    public string? PersonId { get; }

    /// <summary>The account's object id or user principal name, for a leaver with no person in the register.</summary>
    public string? UserId { get; }

    public OffboardingUrgency Urgency { get; }

    /// <summary>When the person leaves; null for now. The deadline counts from it.</summary>
    public DateTimeOffset? EffectiveDate { get; }

    /// <summary>The id the feed knows the leaver by: the PersonId, else the UserId.</summary>
    public string Key => PersonId ?? UserId!;

    /// <summary>A person in the register.</summary>
    public static OffboardingLeaver Person(string personId, OffboardingUrgency urgency = OffboardingUrgency.Standard, DateTimeOffset? effectiveDate = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(personId);
        return new OffboardingLeaver(personId, null, urgency, effectiveDate);
    }

    /// <summary>A directory account with no person in the register.</summary>
    public static OffboardingLeaver Account(string userIdOrUpn, OffboardingUrgency urgency = OffboardingUrgency.Standard, DateTimeOffset? effectiveDate = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(userIdOrUpn);
        return new OffboardingLeaver(null, userIdOrUpn, urgency, effectiveDate);
    }

    /// <summary>"person E1001" or "account ada@contoso.com", as messages name the leaver.</summary>
    public override string ToString() => PersonId is not null ? $"person {PersonId}" : $"account {UserId}";
}

/// <summary>
/// What became of one leaver of a feed: the outcome of its run (a case that may have closed or ended Failed), or the
/// error that stopped it before or while it ran. <see cref="Error"/> is an <see cref="IsmsException"/> that names
/// the leaver for everything a user can act on (unknown person, no account, a case already open, Graph giving up);
/// anything else is a defect and is the caller's to rethrow.
/// </summary>
public sealed record OffboardingFeedResult(OffboardingLeaver Leaver, OffboardingOutcome? Outcome, Exception? Error);

/// <summary>
/// Offboards many leavers in one run, as an HR feed delivers them, through <see cref="OffboardingService"/> (plan, then
/// start: store, run, verify, close), at most <see cref="ThrottleLimit"/> at a time. Each leaver is independent: one
/// leaver's failure is its own result and never stops the others.
/// </summary>
/// <remarks>
/// <para>Leavers are added one at a time (<see cref="AddAsync"/>), so a caller that reads its input as a stream (a
/// PowerShell pipeline) starts each leaver as soon as a slot is free, and is held back while all are busy. Results
/// are handed to the callback as each leaver finishes, on the finishing task's thread, in completion order.</para>
/// <para>Concurrent runs share one store safely: every case change and its audit event are one write transaction, and
/// SQLite lets one writer in at a time (the store begins each write with <c>BEGIN IMMEDIATE</c>), so case ids stay
/// unique and the audit chain stays linear. The account's open case is looked for inside the transaction that opens a
/// new one, so the same account fed twice at once gets one case and an <c>IsmsOps.Offboarding.AlreadyOpen</c>.</para>
/// <para>Cancelling stops the leavers under way between steps; their cases stay open and
/// <see cref="OffboardingService.ResumeAsync"/> carries them on. Nothing is retried here: Graph's throttling and
/// transient failures are retried by the connection and by $batch, and a step that still fails leaves its case
/// Failed, for a later Resume.</para>
/// </remarks>
public sealed class OffboardingFeed
{
    /// <summary>Leavers in flight when the caller does not say: enough to hide Graph's latency, well within its throttling limits.</summary>
    public const int DefaultThrottleLimit = 8;

    /// <summary>The most leavers in flight a caller may ask for.</summary>
    public const int MaximumThrottleLimit = 64;

    /// <summary>The ErrorId of a row whose leaver this feed already has.</summary>
    public const string DuplicateLeaverId = "IsmsOps.Offboarding.DuplicateLeaver";

    private readonly PeopleRegister _people;
    private readonly OffboardingService _service;
    private readonly OperationContext _context;
    private readonly Action<OffboardingFeedResult>? _finished;
    private readonly CancellationToken _cancellation;
    private readonly SemaphoreSlim _slots;
    private readonly List<Task> _running = [];
    private readonly HashSet<string> _seen = new(StringComparer.OrdinalIgnoreCase);
    private readonly object _gate = new();

    /// <param name="people">The register persons are read from.</param>
    /// <param name="service">Plans and runs each leaver.</param>
    /// <param name="context">Who acts; every case of the run shares its correlation id.</param>
    /// <param name="throttleLimit">Leavers in flight at once, 1 to <see cref="MaximumThrottleLimit"/>; 1 runs them one after another.</param>
    /// <param name="finished">Called with each leaver's result as it finishes (not called for leavers cut short by cancellation).</param>
    /// <param name="cancellationToken">Stops every leaver under way.</param>
    public OffboardingFeed(PeopleRegister people, OffboardingService service, OperationContext context, int throttleLimit,
        Action<OffboardingFeedResult>? finished, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(people);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(context);
        ArgumentOutOfRangeException.ThrowIfLessThan(throttleLimit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(throttleLimit, MaximumThrottleLimit);
        _people = people;
        _service = service;
        _context = context;
        ThrottleLimit = throttleLimit;
        _finished = finished;
        _cancellation = cancellationToken;
        _slots = new SemaphoreSlim(throttleLimit, throttleLimit);
    }

    /// <summary>Leavers in flight at once.</summary>
    public int ThrottleLimit { get; }

    /// <summary>
    /// Offboards <paramref name="leavers"/>, at most <paramref name="throttleLimit"/> at a time, and returns every
    /// result in the order of <paramref name="leavers"/>. Throws <see cref="OperationCanceledException"/> when
    /// cancelled, after the leavers under way have stopped.
    /// </summary>
    public static async Task<IReadOnlyList<OffboardingFeedResult>> RunAsync(PeopleRegister people, OffboardingService service, OperationContext context,
        IEnumerable<OffboardingLeaver> leavers, int throttleLimit, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(leavers);
        var results = new List<OffboardingFeedResult>();
        var feed = new OffboardingFeed(people, service, context, throttleLimit, r =>
        {
            lock (results)
            {
                results.Add(r);
            }
        }, cancellationToken);
        var order = new List<OffboardingLeaver>();
        try
        {
            foreach (OffboardingLeaver leaver in leavers)
            {
                order.Add(leaver);
                await feed.AddAsync(leaver).ConfigureAwait(false);
            }
        }
        finally
        {
            await feed.WaitAsync().ConfigureAwait(false);
        }

        // Results come in completion order. A leaver's own result belongs to the first row with its key, and the
        // DuplicateLeaver errors (which may finish first) to the later rows, in turn.
        var first = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var later = new Dictionary<string, Queue<int>>(StringComparer.OrdinalIgnoreCase);
        for (int i = 0; i < order.Count; i++)
        {
            if (!first.TryAdd(order[i].Key, i))
            {
                (later.TryGetValue(order[i].Key, out Queue<int>? rows) ? rows : later[order[i].Key] = new Queue<int>()).Enqueue(i);
            }
        }

        var inOrder = new OffboardingFeedResult[order.Count];
        foreach (OffboardingFeedResult result in results)
        {
            int row = result.Error is IsmsException { ErrorId: DuplicateLeaverId } ? later[result.Leaver.Key].Dequeue() : first[result.Leaver.Key];
            inOrder[row] = result;
        }

        return inOrder;
    }

    /// <summary>
    /// Waits for a free slot, then starts offboarding <paramref name="leaver"/> and returns; its result goes to the
    /// callback when it finishes. A leaver whose key (PersonId or UserId) was already added to this feed is not run
    /// again: its result is the error <c>IsmsOps.Offboarding.DuplicateLeaver</c>. Throws
    /// <see cref="OperationCanceledException"/> if the feed is cancelled while waiting.
    /// </summary>
    public async Task AddAsync(OffboardingLeaver leaver)
    {
        ArgumentNullException.ThrowIfNull(leaver);
        lock (_gate)
        {
            if (!_seen.Add(leaver.Key))
            {
                _finished?.Invoke(new OffboardingFeedResult(leaver, null, Duplicate(leaver)));
                return;
            }
        }

        await _slots.WaitAsync(_cancellation).ConfigureAwait(false);
        Task run = Task.Run(() => RunOneAsync(leaver), CancellationToken.None);
        lock (_gate)
        {
            _running.Add(run);
        }
    }

    /// <summary>
    /// Waits until every leaver added so far has finished and its result has been handed over. Throws
    /// <see cref="OperationCanceledException"/> when the feed was cancelled (the leavers under way stopped first).
    /// </summary>
    public async Task WaitAsync()
    {
        Task[] running;
        lock (_gate)
        {
            running = [.. _running];
        }

        // RunOneAsync catches everything, so this only waits.
        await Task.WhenAll(running).ConfigureAwait(false);
        _cancellation.ThrowIfCancellationRequested();
    }

    private async Task RunOneAsync(OffboardingLeaver leaver)
    {
        OffboardingFeedResult? result;
        try
        {
            OffboardingOutcome outcome = await OffboardAsync(leaver, _cancellation).ConfigureAwait(false);
            result = new OffboardingFeedResult(leaver, outcome, null);
        }
        catch (OperationCanceledException) when (_cancellation.IsCancellationRequested)
        {
            // The run is being stopped: the case (if one was opened) stays open for Resume, and nobody is listening.
            result = null;
        }
        catch (IsmsException error)
        {
            result = new OffboardingFeedResult(leaver, null, error.Naming(leaver.Key, $"Offboarding {leaver}"));
        }
        catch (Exception defect)
        {
            // A defect, not a leaver's problem: handed to the caller to rethrow, as the one-at-a-time cmdlet would.
            result = new OffboardingFeedResult(leaver, null, defect);
        }
        finally
        {
            _slots.Release();
        }

        if (result is not null)
        {
            _finished?.Invoke(result);
        }
    }

    private async Task<OffboardingOutcome> OffboardAsync(OffboardingLeaver leaver, CancellationToken cancellationToken)
    {
        (Person? person, OffboardingPlan plan) = await PlanAsync(_people, _service, leaver, cancellationToken).ConfigureAwait(false);
        return await _service.StartAsync(plan, person, leaver.Urgency, leaver.EffectiveDate, _context, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The leaver's register entry (null for an account given directly) and the plan read live for their account,
    /// changing nothing: what a run would do, and what -WhatIf shows.
    /// </summary>
    public static async Task<(Person? Person, OffboardingPlan Plan)> PlanAsync(PeopleRegister people, OffboardingService service, OffboardingLeaver leaver,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(people);
        ArgumentNullException.ThrowIfNull(service);
        ArgumentNullException.ThrowIfNull(leaver);
        Person? person = leaver.PersonId is null ? null : await people.GetAsync(leaver.PersonId, cancellationToken).ConfigureAwait(false);
        string account = person is null ? leaver.UserId! : AccessInventory.DirectoryKeyOf(person);
        return (person, await service.PlanAsync(account, null, cancellationToken).ConfigureAwait(false));
    }

    private static IsmsException Duplicate(OffboardingLeaver leaver) => new(DuplicateLeaverId, IsmsErrorKind.AlreadyExists,
        $"The {leaver} appears more than once in this run; it is offboarded once, by its first entry. Nothing else was done for this entry.",
        "Remove the duplicate row from the feed; Get-IsmsOffboarding shows the leaver's case.", leaver.Key);
}
