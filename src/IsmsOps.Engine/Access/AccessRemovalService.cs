using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.Offboarding;

namespace IsmsOps.Engine.Access;

/// <summary>
/// Removes many pieces of access from many principals (an access review's Deny decisions) through the offboarding
/// removal machinery: each request becomes an <see cref="OffboardingStep"/>, and <see cref="OffboardingStepRunner"/>
/// sends them through JSON $batch with its retries, idempotence and before/after evidence.
/// </summary>
/// <remarks>
/// <para>The requests go out <see cref="GraphReaderOptions.BatchSize"/> to a $batch, with up to
/// <see cref="GraphReaderOptions.MaxConcurrency"/> batches in flight (each batch is one runner run; the runner sends one
/// run's batches one after another). Throttled items are sent again inside their own run, after Retry-After; a run
/// that waits holds no request slot, so other runs' batches go out meanwhile.</para>
/// <para>Each request gets exactly one result, handed to the caller's callback with the others of its $batch, and the
/// callback is awaited (one call at a time) before that run ends, so the caller can store them in one transaction.
/// What was never reported (a crash, a cancellation) can be run again with the same requests: whatever is gone is then
/// AlreadyRemoved, and nothing is changed twice.</para>
/// </remarks>
public sealed class AccessRemovalService
{
    /// <summary>Runs active per request slot: enough that throttled runs, waiting, leave no slot idle.</summary>
    private const int ActiveRunsPerSlot = 8;

    private readonly OffboardingStepRunner _runner;
    private readonly GraphReaderOptions _options;

    /// <summary>A service over <paramref name="connection"/>; <paramref name="options"/> sets $batch size, batches in flight and item retries.</summary>
    public AccessRemovalService(GraphConnection connection, GraphReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _options = options ?? new GraphReaderOptions();
        _options.Validate();
        _runner = new OffboardingStepRunner(connection, _options);
    }

    /// <summary>HTTP requests this service has sent to Graph, over all calls.</summary>
    public long RequestCount => _runner.RequestCount;

    /// <summary>
    /// Removes what <paramref name="requests"/> name and returns every result, in request order.
    /// <paramref name="resultsSettled"/>, when given, gets the results as they settle (those decided without Graph
    /// first, then one $batch's at a time) and is never called twice at once. Fails with
    /// <c>IsmsOps.AccessRemoval.DuplicateKey</c> before anything is sent when two requests share a key.
    /// </summary>
    public async Task<AccessRemovalSummary> RemoveAsync(
        IEnumerable<AccessRemovalRequest> requests,
        Func<IReadOnlyList<AccessRemovalResult>, CancellationToken, Task>? resultsSettled,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(requests);
        List<AccessRemovalRequest> all = requests.ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < all.Count; i++)
        {
            AccessRemovalRequest request = all[i] ?? throw new ArgumentException($"Request {i + 1} is null.", nameof(requests));
            if (string.IsNullOrEmpty(request.Key) || !seen.Add(request.Key))
            {
                throw new IsmsException("IsmsOps.AccessRemoval.DuplicateKey", IsmsErrorKind.InvalidArgument,
                    string.IsNullOrEmpty(request.Key) ? $"Request {i + 1} has no key." : $"Request {i + 1} repeats the key '{request.Key}'.",
                    "Give every removal request its own key (for example the review item id), so each result can be matched to it.", request.Key);
            }
        }

        long requestsBefore = _runner.RequestCount;
        var results = new AccessRemovalResult?[all.Count];
        using var gate = new SemaphoreSlim(1, 1);
        async Task ReportAsync(IReadOnlyList<AccessRemovalResult> settled, CancellationToken token)
        {
            if (resultsSettled is null || settled.Count == 0)
            {
                return;
            }

            await gate.WaitAsync(token).ConfigureAwait(false);
            try
            {
                await resultsSettled(settled, token).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }

        // Decided without Graph: inherited access, known other owners, incomplete requests.
        var decided = new List<AccessRemovalResult>();
        var toSend = new List<(int Index, OffboardingStep Step)>();
        for (int i = 0; i < all.Count; i++)
        {
            if (Decide(all[i]) is { } result)
            {
                results[i] = result;
                decided.Add(result);
            }
            else
            {
                toSend.Add((i, ToStep(all[i])));
            }
        }

        await ReportAsync(decided, cancellationToken).ConfigureAwait(false);

        // One run per $batch, several runs at once: the runner's batching and retries, the snapshot collector's
        // concurrency (the writer lets MaxConcurrency requests be in flight). More runs are active than requests in
        // flight, because a run waiting out a Retry-After holds no request slot, and others should use it meanwhile.
        IEnumerable<(int Index, OffboardingStep Step)[]> chunks = toSend.Chunk(_options.BatchSize);
        int runs = _options.MaxConcurrency * ActiveRunsPerSlot;
        await Parallel.ForEachAsync(chunks, new ParallelOptions { MaxDegreeOfParallelism = runs, CancellationToken = cancellationToken },
            async (chunk, token) =>
            {
                List<OffboardingStep> steps = chunk.Select((c, position) => c.Step with { Sequence = position + 1 }).ToList();
                await _runner.RunSettlingTogetherAsync(steps, async (settled, innerToken) =>
                {
                    var batch = new List<AccessRemovalResult>(settled.Count);
                    foreach (OffboardingStep step in settled)
                    {
                        int index = chunk[step.Sequence - 1].Index;
                        results[index] = FromStep(all[index], step);
                        batch.Add(results[index]!);
                    }

                    await ReportAsync(batch, innerToken).ConfigureAwait(false);
                }, token).ConfigureAwait(false);
            }).ConfigureAwait(false);

        // Every step of a run settles (Done, Failed, Skipped or ManualTask); a gap here would be a runner fault.
        for (int i = 0; i < results.Length; i++)
        {
            results[i] ??= new AccessRemovalResult
            {
                Request = all[i], Outcome = AccessRemovalOutcome.Failed, Reason = "The removal was not run; run the same requests again.",
            };
        }

        return new AccessRemovalSummary { Results = results!, GraphRequests = _runner.RequestCount - requestsBefore };
    }

    /// <summary>The result of a request that needs no call, or null when Graph must be asked.</summary>
    private static AccessRemovalResult? Decide(AccessRemovalRequest request)
    {
        string what = request.ResourceDisplayName is { Length: > 0 } name ? $"'{name}'" : $"'{request.ResourceId}'";
        AccessRemovalResult Refused(string reason) => new()
        {
            Request = request, Outcome = AccessRemovalOutcome.Failed, Reason = $"Removal '{request.Key}': {reason}",
        };
        AccessRemovalResult NotRemovable(NotRemovableReason because, string reason) => new()
        {
            Request = request, Outcome = AccessRemovalOutcome.NotRemovableByGraph, NotRemovableBecause = because, Reason = reason,
        };

        if (string.IsNullOrWhiteSpace(request.UserId))
        {
            return Refused("no user id: name the principal's directory object id.");
        }

        if (request.Kind == AccessKind.Device)
        {
            return NotRemovable(NotRemovableReason.UnsupportedKind,
                $"The device {what} is not access held by the user: disable it, or change its registered owner, in Microsoft Entra ID or Intune.");
        }

        // The account is acted on by the user id alone; a disabled or deleted one comes back AlreadyRemoved from the runner.
        if (request.Kind == AccessKind.Account)
        {
            return null;
        }

        if (string.IsNullOrWhiteSpace(request.ResourceId))
        {
            return Refused($"no resource id: name the {request.Kind} resource (group, role definition, service principal or SKU).");
        }

        if (request.Assignment == AssignmentType.Inherited || request.InheritedFromGroupId is not null || request.Removal == RemovalPath.ViaGroup)
        {
            string through = request.InheritedFromGroupName ?? request.InheritedFromGroupId ?? "a group";
            return request.Kind == AccessKind.License
                ? NotRemovable(NotRemovableReason.GroupBasedLicense,
                    $"The licence {what} is assigned through the group '{through}' (group-based licensing): it goes when the user leaves that group.")
                : NotRemovable(NotRemovableReason.Inherited,
                    $"{what} is held through the group '{through}': remove the user's membership of that group (deny it as its own item), and this goes with it.");
        }

        switch (request.Removal)
        {
            case RemovalPath.DynamicRule:
                return NotRemovable(NotRemovableReason.DynamicRule,
                    $"{what} has a dynamic membership rule: change the rule, or the user's attributes it tests, so the rule no longer includes the user.");
            case RemovalPath.OnPremisesDirectory:
                return NotRemovable(NotRemovableReason.OnPremisesSync,
                    $"{what} is synced from on-premises Active Directory: remove the member there; Microsoft Entra Connect brings the change across.");
            case RemovalPath.ExchangeOnline:
                return NotRemovable(NotRemovableReason.ExchangeOnline,
                    $"{what} is a mail-enabled security group or distribution list, which Exchange Online manages: remove the member there (Remove-DistributionGroupMember).");
        }

        bool needsAssignment = request.Kind is AccessKind.AppRole or AccessKind.DelegatedGrant
            || (request.Kind == AccessKind.DirectoryRole && request.Assignment != AssignmentType.Eligible && !OffboardingPlanner.RemovesThroughPim(request.Detail));
        return needsAssignment && string.IsNullOrWhiteSpace(request.AssignmentId)
            ? Refused($"no assignment id: a {request.Kind} is removed by the id of its assignment or grant.")
            : null;
    }

    private static OffboardingStep ToStep(AccessRemovalRequest request) => new()
    {
        Sequence = 1,
        Kind = request.Kind switch
        {
            AccessKind.GroupMembership => OffboardingStepKind.RemoveGroupMembership,
            AccessKind.GroupOwnership => OffboardingStepKind.RemoveGroupOwnership,
            AccessKind.DirectoryRole when request.Assignment == AssignmentType.Eligible => OffboardingStepKind.RemoveEligibleDirectoryRole,
            AccessKind.DirectoryRole => OffboardingStepKind.RemoveDirectoryRole,
            AccessKind.AppRole => OffboardingStepKind.RemoveAppRoleAssignment,
            AccessKind.DelegatedGrant => OffboardingStepKind.RemoveDelegatedGrant,
            AccessKind.License => OffboardingStepKind.RemoveLicense,
            AccessKind.Account => OffboardingStepKind.DisableAccount,
            _ => throw new ArgumentOutOfRangeException(nameof(request), request.Kind, "Decide() answers every other kind."),
        },
        UserId = request.UserId,
        // The planner's DisableAccount step names the account it disables; so does this one.
        ResourceId = request.Kind == AccessKind.Account ? request.UserId : request.ResourceId,
        ResourceDisplayName = request.ResourceDisplayName,
        AssignmentId = request.AssignmentId,
        Detail = request.Kind == AccessKind.DirectoryRole ? request.Detail : null,
    };

    private static AccessRemovalResult FromStep(AccessRemovalRequest request, OffboardingStep step)
    {
        var result = new AccessRemovalResult
        {
            Request = request,
            Outcome = AccessRemovalOutcome.Failed,
            Reason = step.Reason,
            GraphRequestId = step.GraphRequestId,
            Attempts = step.Attempts,
            BeforeState = step.BeforeState,
            AfterState = step.AfterState,
            StartedAt = step.StartedAt,
            CompletedAt = step.CompletedAt,
        };
        return step.Status switch
        {
            OffboardingStepStatus.Done when step.Reason == OffboardingStepRunner.AlreadyRemoved => result with { Outcome = AccessRemovalOutcome.AlreadyRemoved },
            OffboardingStepStatus.Done => result with { Outcome = AccessRemovalOutcome.AppliedSuccessfully },

            // The runner skips a licence step only when Graph says the licence is inherited from a group.
            OffboardingStepStatus.Skipped when step.Kind == OffboardingStepKind.RemoveLicense =>
                result with { Outcome = AccessRemovalOutcome.NotRemovableByGraph, NotRemovableBecause = NotRemovableReason.GroupBasedLicense },
            OffboardingStepStatus.ManualTask => result with { Outcome = AccessRemovalOutcome.NotRemovableByGraph, NotRemovableBecause = ManualReason(step) },
            _ => result with { Outcome = AccessRemovalOutcome.Failed, Reason = step.Reason ?? $"The removal ended {step.Status}." },
        };
    }

    /// <summary>Which system the runner's manual task names (the runner sets it with the reason).</summary>
    private static NotRemovableReason ManualReason(OffboardingStep step) =>
        step.ManualBecause ?? (step.Kind == OffboardingStepKind.RemoveGroupOwnership ? NotRemovableReason.LastOwner : NotRemovableReason.ExchangeOnline);
}
