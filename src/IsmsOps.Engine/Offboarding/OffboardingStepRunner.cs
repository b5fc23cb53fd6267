using System.Text.Json.Nodes;
using IsmsOps.Engine.Access;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Graph.Collection;

namespace IsmsOps.Engine.Offboarding;

/// <summary>
/// Runs offboarding steps against Microsoft Graph, in <see cref="OffboardingStep.Sequence"/> order, and returns each
/// step with what happened: its status, why, how many attempts it took, Graph's request-id, what Graph held before and
/// after (compact JSON) and when it ran.
/// </summary>
/// <remarks>
/// <para>Every step is idempotent: what is already gone (a 404, a member no longer in the group, a licence no longer
/// assigned, an account already disabled) is Done with the reason "already removed", so a crashed or finished case can
/// be run again as it stands. Steps already settled (Done, Skipped, ManualTask) are returned unchanged and not run.</para>
/// <para>Graph's refusals that mean another system owns the change become ManualTask naming that system: a dynamic
/// membership rule, on-premises Active Directory (synced groups), Exchange Online (mail-enabled security groups and
/// distribution lists). A 403 fails only its own step, with the permission named; the other steps continue.</para>
/// <para>A run opens with two $batch requests sent together: a sequential one that reads the account, disables it and
/// revokes its sessions, in that order (dependsOn), and a parallel one that lists the methods and direct reports and
/// carries the first removals (Graph refuses a batch that mixes the two kinds). Consecutive removals that are one Graph call
/// each (memberships, roles, app roles, delegated grants, licences, named or listed authentication methods) go out
/// together through JSON $batch; devices, ownership transfers and direct reports to move, which read before they
/// write, go one call at a time. docs/offboarding-execution.md counts the round trips.</para>
/// <para>One run sends its batches one after another and is meant for one leaver. Steps for many people may share a
/// run (the lead batch is then left out, and each step acts on its own user), but for thousands of removals
/// <see cref="IsmsOps.Engine.Access.AccessRemovalService"/> runs several runs side by side, one $batch each.</para>
/// <para>What a step's <see cref="OffboardingStep.Detail"/> means here:</para>
/// <list type="bullet">
/// <item>RemoveGroupOwnership: the object id of the user who takes ownership when the leaver is the last owner
/// (for example the leaver's manager); without one, a last ownership is left as a ManualTask.</item>
/// <item>RemoveDirectoryRole: the end of a time-bound assignment (ISO 8601, as <c>AccessGrant.Until</c>); such an
/// assignment is removed with a PIM <c>adminRemove</c> request, a permanent one with DELETE roleAssignments/{id}.
/// <see cref="OffboardingStep.ResourceId"/> is the role definition.</item>
/// <item>RemoveAuthenticationMethod: the method's type (<c>phoneMethods</c> or <c>#microsoft.graph.phoneAuthenticationMethod</c>)
/// with its id in <see cref="OffboardingStep.AssignmentId"/>; with no id, every method the user has is removed.</item>
/// <item>ReassignDirectReports: the object id of the new manager; without one, the leaver's own manager. A new manager
/// whose account is disabled (leaving too, in the same run) passes the reports on up the chain to the first enabled one.</item>
/// <item>ManualTask: what a person must do.</item>
/// </list>
/// </remarks>
public sealed class OffboardingStepRunner
{
    internal const string AlreadyRemoved = "already removed";

    private readonly GraphWriter _writer;
    private readonly string _baseUrl;

    /// <summary>A runner over <paramref name="connection"/>; <paramref name="options"/> sets $batch size and item retry timing.</summary>
    public OffboardingStepRunner(GraphConnection connection, GraphReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _writer = new GraphWriter(connection, options);
        _baseUrl = connection.GraphEndpoint;
    }

    /// <summary>HTTP requests this runner sent to Graph (a $batch counts once; the handler's own retries are not seen).</summary>
    public long RequestCount => _writer.RequestCount;

    /// <summary>
    /// Runs the steps that are not settled yet and returns every step, in Sequence order. <paramref name="stepSettled"/>
    /// is awaited after each step gets its outcome (Done, Failed, Skipped or ManualTask), so the caller can persist the
    /// case before the next change is made. If <paramref name="cancellationToken"/> fires, the steps not yet reported
    /// stay as they were (Pending or Failed) and may simply be run again.
    /// </summary>
    public Task<IReadOnlyList<OffboardingStep>> RunAsync(
        IEnumerable<OffboardingStep> steps, Func<OffboardingStep, CancellationToken, Task>? stepSettled, CancellationToken cancellationToken) =>
        RunSettlingTogetherAsync(steps, stepSettled is null ? null : async (settled, token) =>
        {
            foreach (OffboardingStep step in settled)
            {
                await stepSettled(step, token).ConfigureAwait(false);
            }
        }, cancellationToken);

    /// <summary>
    /// <see cref="RunAsync"/>, but <paramref name="stepsSettled"/> gets the steps that settled together (the answers of
    /// one $batch) in one call, so the caller can store them in one transaction. It is still awaited before the next
    /// change is sent.
    /// </summary>
    public async Task<IReadOnlyList<OffboardingStep>> RunSettlingTogetherAsync(
        IEnumerable<OffboardingStep> steps, Func<IReadOnlyList<OffboardingStep>, CancellationToken, Task>? stepsSettled, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(steps);
        var results = steps.OrderBy(s => s.Sequence).ToList();
        var run = new RunState(stepsSettled);
        await RunLeadBatchAsync(results, run, cancellationToken).ConfigureAwait(false);

        var wave = new List<(int Index, GraphWrite Write)>();
        for (int index = 0; index < results.Count; index++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            OffboardingStep step = results[index];
            if (step.IsSettled)
            {
                continue;
            }

            if (SimpleWrite(step) is { } write)
            {
                wave.Add((index, write));
                continue;
            }

            // With the methods already listed, their deletions join the removals around them.
            if (step.Kind == OffboardingStepKind.RemoveAuthenticationMethod && run.Methods is { } methods)
            {
                run.Started[index] = DateTimeOffset.UtcNow;
                if (methods.Count == 0)
                {
                    results[index] = Done(step, AlreadyRemoved, 0, null, "[]", "[]", run.Started[index]);
                    await run.SettledAsync(results[index], cancellationToken).ConfigureAwait(false);
                    continue;
                }

                wave.AddRange(methods.Select(m => (index, RemoveMethod(step.UserId, MethodSegment(m.Type)!, m.Id))));
                continue;
            }

            await RunWaveAsync(results, wave, run, cancellationToken).ConfigureAwait(false);
            wave.Clear();
            results[index] = await RunOneAsync(step, run, cancellationToken).ConfigureAwait(false);
            await run.SettledAsync(results[index], cancellationToken).ConfigureAwait(false);
        }

        await RunWaveAsync(results, wave, run, cancellationToken).ConfigureAwait(false);

        // Graph will not delete the default method while another remains; by now the others are gone.
        foreach (int index in run.DefaultMethods)
        {
            cancellationToken.ThrowIfCancellationRequested();
            OffboardingStep step = results[index];
            GraphWrite write = SimpleWrite(step)!;
            GraphWriteResult answer = await _writer.SendAsync(write, cancellationToken).ConfigureAwait(false);
            results[index] = Settle(step, write, answer, run.Started[index], step.Attempts + run.Attempts[index] + answer.Attempts);
            await run.SettledAsync(results[index], cancellationToken).ConfigureAwait(false);
        }

        foreach ((int index, MethodRemoval removal) in run.MethodRemovals)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (GraphWrite write in removal.Deferred)
            {
                GraphWriteResult answer = await _writer.SendAsync(write, cancellationToken).ConfigureAwait(false);
                removal.Count(answer);
                if (!answer.Succeeded && answer.Status != 404)
                {
                    removal.Failure ??= (write, answer);
                }
            }

            results[index] = removal.Settle(results[index], run.Started[index]);
            await run.SettledAsync(results[index], cancellationToken).ConfigureAwait(false);
        }

        return results;
    }

    /// <summary>
    /// The first two $batch requests of a run, sent together: one sequential batch that reads the account, disables it
    /// and revokes its sessions, in that order (dependsOn); and one parallel batch that lists the leaver's
    /// authentication methods and direct reports for the steps that act on them later, with as many of the first
    /// one-call removals as fit beside them. What this batch could not settle (a dependency that failed, a
    /// listing refused) is left to the ordinary path, so the outcome of every step is what it would be without it.
    /// </summary>
    private async Task RunLeadBatchAsync(List<OffboardingStep> results, RunState run, CancellationToken cancellationToken)
    {
        int disable = results.FindIndex(s => !s.IsSettled && s.Kind == OffboardingStepKind.DisableAccount);
        int revoke = results.FindIndex(s => !s.IsSettled && s.Kind == OffboardingStepKind.RevokeSessions);
        int methods = results.FindIndex(s => !s.IsSettled && s.Kind == OffboardingStepKind.RemoveAuthenticationMethod && SimpleWrite(s) is null);
        int reports = results.FindIndex(s => !s.IsSettled && s.Kind == OffboardingStepKind.ReassignDirectReports);
        if (disable < 0 && revoke < 0 && methods < 0 && reports < 0)
        {
            return;
        }

        // The lead batch is one leaver's: what it lists (methods, reports) is kept for the run and applied to every
        // step. Steps for several people (an access review's removals) take the ordinary path, where each step acts
        // on its own user alone.
        if (results.Where(s => !s.IsSettled).Select(s => s.UserId).Distinct(StringComparer.OrdinalIgnoreCase).Skip(1).Any())
        {
            return;
        }

        // Graph runs a $batch either fully in sequence (every item after the first names the one before it in dependsOn)
        // or fully side by side, and refuses a mix. So the account's chain (read, disable, revoke) is one sequential
        // batch and everything else a parallel one, sent at the same moment: the removals do not wait for the account.
        var chain = new List<GraphWrite>();
        var parallel = new List<GraphWrite>();
        OffboardingStep any = results[new[] { disable, revoke, methods, reports }.First(i => i >= 0)];
        int readAccount = -1, patch = -1, revokeAt = -1, listMethods = -1, listReports = -1;
        bool revokeInChain = false;
        if (disable >= 0)
        {
            chain.Add(ReadAccount(results[disable]));
            readAccount = 0;
            chain.Add(Disable(results[disable]));
            patch = 1;
        }

        if (revoke >= 0)
        {
            revokeInChain = disable >= 0;
            (revokeInChain ? chain : parallel).Add(Revoke(results[revoke]));
            revokeAt = (revokeInChain ? chain : parallel).Count - 1;
        }

        if (methods >= 0)
        {
            parallel.Add(ListMethods(any));
            listMethods = parallel.Count - 1;
        }

        if (reports >= 0)
        {
            parallel.Add(ListReports(any));
            listReports = parallel.Count - 1;
        }

        // The first removals fill the parallel batch.
        var removals = new List<int>();
        for (int index = 0; index < results.Count && parallel.Count < GraphReaderOptions.MaximumBatchSize; index++)
        {
            if (!results[index].IsSettled && SimpleWrite(results[index]) is { } removal)
            {
                removals.Add(index);
                parallel.Add(removal);
            }
        }

        DateTimeOffset started = DateTimeOffset.UtcNow;
        Task<GraphWriteResult[]> chained = chain.Count == 0
            ? Task.FromResult(Array.Empty<GraphWriteResult>())
            : _writer.SendBatchAsync(chain, cancellationToken, chain.Select((_, i) => i == 0 ? (int?)null : i - 1).ToList());
        Task<GraphWriteResult[]> sideBySide = parallel.Count == 0
            ? Task.FromResult(Array.Empty<GraphWriteResult>())
            : _writer.SendBatchAsync(parallel, cancellationToken);
        await Task.WhenAll(chained, sideBySide).ConfigureAwait(false);
        GraphWriteResult[] chainAnswers = await chained.ConfigureAwait(false);
        GraphWriteResult[] answers = await sideBySide.ConfigureAwait(false);
        GraphWrite[] writes = [.. parallel];

        if (listMethods >= 0 && answers[listMethods].Succeeded)
        {
            run.Methods = MethodsIn(Parsed(writes[listMethods], answers[listMethods]));
        }

        if (listReports >= 0 && answers[listReports].Succeeded)
        {
            run.Reports = IdsIn(Parsed(writes[listReports], answers[listReports]));
        }

        if (disable >= 0)
        {
            OffboardingStep step = results[disable];
            GraphWriteResult read = chainAnswers[readAccount], change = chainAnswers[patch];
            if (read.Status == 404)
            {
                // A deleted account is as gone as a disabled one.
                results[disable] = Done(step, AlreadyRemoved, read.Attempts, read.RequestId, null, null, started);
            }
            else if (!read.Succeeded)
            {
                results[disable] = step with
                {
                    Status = OffboardingStepStatus.Failed,
                    Reason = read.ToException(chain[readAccount]).Message,
                    Attempts = step.Attempts + read.Attempts,
                    GraphRequestId = read.RequestId,
                    StartedAt = started,
                    CompletedAt = DateTimeOffset.UtcNow,
                };
            }
            else
            {
                JsonObject before = Parsed(chain[readAccount], read);
                run.Account = before;
                results[disable] = before["accountEnabled"]?.GetValue<bool>() == false
                    ? Done(step, AlreadyRemoved, read.Attempts + change.Attempts, null, before.ToJsonString(), before.ToJsonString(), started)
                    : Settle(step, chain[patch], change, started, step.Attempts + read.Attempts + change.Attempts, before.ToJsonString(),
                        new JsonObject { ["id"] = step.UserId, ["accountEnabled"] = false }.ToJsonString());
            }

            run.Settled(results[disable]);
        }

        if (revoke >= 0)
        {
            // Not sent because the disable failed: revoking stands on its own, so it goes alone.
            GraphWrite revokeWrite = revokeInChain ? chain[revokeAt] : parallel[revokeAt];
            GraphWriteResult revokeAnswer = revokeInChain ? chainAnswers[revokeAt] : answers[revokeAt];
            if (revokeAnswer.Status == 424)
            {
                await run.FlushAsync(cancellationToken).ConfigureAwait(false);
                results[revoke] = await RevokeSessionsAsync(results[revoke], run, DateTimeOffset.UtcNow, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                results[revoke] = SettleRevoke(results[revoke], run, revokeWrite, revokeAnswer, started);
            }

            run.Settled(results[revoke]);
        }

        int first = writes.Length - removals.Count;
        for (int position = 0; position < removals.Count; position++)
        {
            await SettleWaveStepAsync(results, removals[position], writes[first + position], answers[first + position], run, started, cancellationToken).ConfigureAwait(false);
        }

        await run.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task RunWaveAsync(List<OffboardingStep> results, List<(int Index, GraphWrite Write)> wave, RunState run, CancellationToken cancellationToken)
    {
        if (wave.Count == 0)
        {
            return;
        }

        DateTimeOffset started = DateTimeOffset.UtcNow;
        GraphWrite[] writes = wave.Select(w => w.Write).ToArray();
        GraphWriteResult[] answers = writes.Length == 1
            ? [await _writer.SendAsync(writes[0], cancellationToken).ConfigureAwait(false)]
            : await _writer.SendBatchAsync(writes, cancellationToken).ConfigureAwait(false);

        for (int position = 0; position < wave.Count; position++)
        {
            int index = wave[position].Index;
            if (results[index].Kind == OffboardingStepKind.RemoveAuthenticationMethod && SimpleWrite(results[index]) is null)
            {
                // One step, several deletions: it settles when the last of them has an answer.
                MethodRemoval removal = run.MethodRemoval(index, run.Methods!);
                GraphWriteResult answer = answers[position];
                removal.Count(answer);
                if (IsDefaultMethodRefusal(answer))
                {
                    removal.Deferred.Add(writes[position]);
                }
                else if (!answer.Succeeded && answer.Status != 404)
                {
                    removal.Failure ??= (writes[position], answer);
                }

                bool last = wave.Skip(position + 1).All(w => w.Index != index);
                if (last && removal.Deferred.Count == 0)
                {
                    run.MethodRemovals.Remove(index);
                    results[index] = removal.Settle(results[index], run.Started[index]);
                    run.Settled(results[index]);
                }

                continue;
            }

            await SettleWaveStepAsync(results, index, writes[position], answers[position], run, started, cancellationToken).ConfigureAwait(false);
        }

        await run.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Settles a one-call step from its answer in a $batch (a refused default method waits for the others to go).</summary>
    private async Task SettleWaveStepAsync(List<OffboardingStep> results, int index, GraphWrite write, GraphWriteResult answer, RunState run, DateTimeOffset started,
        CancellationToken cancellationToken)
    {
        OffboardingStep step = results[index];
        if (step.Kind == OffboardingStepKind.RemoveAuthenticationMethod && IsDefaultMethodRefusal(answer))
        {
            run.DefaultMethods.Add(index);
            run.Started[index] = started;
            run.Attempts[index] = answer.Attempts;
            return;
        }

        if (step.Kind == OffboardingStepKind.RemoveGroupOwnership && IsLastOwnerRefusal(answer) && step.Detail is { Length: > 0 } successor)
        {
            // The transfer is a change of its own: what settled before it is stored first.
            await run.FlushAsync(cancellationToken).ConfigureAwait(false);
            results[index] = await TransferOwnershipAsync(step, successor, started, answer.Attempts, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            results[index] = Settle(step, write, answer, started, step.Attempts + answer.Attempts);
        }

        run.Settled(results[index]);
    }

    /// <summary>The one Graph call that removes what <paramref name="step"/> names, or null when the step needs more than one.</summary>
    private static GraphWrite? SimpleWrite(OffboardingStep step)
    {
        // A step without the id it acts by is left to RunOneAsync, which fails it with a reason.
        bool named = step.Kind switch
        {
            OffboardingStepKind.RemoveGroupMembership or OffboardingStepKind.RemoveGroupOwnership or OffboardingStepKind.RemoveLicense
                or OffboardingStepKind.RemoveEligibleDirectoryRole => step.ResourceId is { Length: > 0 },
            OffboardingStepKind.RemoveDirectoryRole => OffboardingPlanner.RemovesThroughPim(step.Detail) ? step.ResourceId is { Length: > 0 } : step.AssignmentId is { Length: > 0 },
            OffboardingStepKind.RemoveAppRoleAssignment or OffboardingStepKind.RemoveDelegatedGrant => step.AssignmentId is { Length: > 0 },
            _ => true,
        };
        if (!named)
        {
            return null;
        }

        string user = Uri.EscapeDataString(step.UserId);
        switch (step.Kind)
        {
            case OffboardingStepKind.RemoveGroupMembership:
                return new GraphWrite(GraphOperation.RemoveGroupMember, HttpMethod.Delete, $"/groups/{Id(step.ResourceId)}/members/{user}/$ref");
            case OffboardingStepKind.RemoveGroupOwnership:
                return new GraphWrite(GraphOperation.RemoveGroupOwner, HttpMethod.Delete, $"/groups/{Id(step.ResourceId)}/owners/{user}/$ref");
            case OffboardingStepKind.RemoveDirectoryRole when OffboardingPlanner.RemovesThroughPim(step.Detail):
                return AdminRemove("roleAssignmentScheduleRequests", step);
            case OffboardingStepKind.RemoveDirectoryRole:
                return new GraphWrite(GraphOperation.RemoveRoleAssignment, HttpMethod.Delete, $"/roleManagement/directory/roleAssignments/{Id(step.AssignmentId)}");
            case OffboardingStepKind.RemoveEligibleDirectoryRole:
                return AdminRemove("roleEligibilityScheduleRequests", step);
            case OffboardingStepKind.RemoveAppRoleAssignment:
                return new GraphWrite(GraphOperation.RemoveAppRoleAssignment, HttpMethod.Delete, $"/users/{user}/appRoleAssignments/{Id(step.AssignmentId)}");
            case OffboardingStepKind.RemoveDelegatedGrant:
                return new GraphWrite(GraphOperation.RemoveDelegatedGrant, HttpMethod.Delete, $"/oauth2PermissionGrants/{Id(step.AssignmentId)}");
            case OffboardingStepKind.RemoveLicense:
                return new GraphWrite(GraphOperation.RemoveLicense, HttpMethod.Post, $"/users/{user}/assignLicense",
                    new JsonObject { ["addLicenses"] = new JsonArray(), ["removeLicenses"] = new JsonArray(Id(step.ResourceId)) });
            case OffboardingStepKind.RemoveAuthenticationMethod when step.AssignmentId is { Length: > 0 } methodId && MethodSegment(step.Detail) is { } segment:
                return RemoveMethod(step.UserId, segment, methodId);
            default:
                return null;
        }
    }

    private static GraphWrite AdminRemove(string requests, OffboardingStep step) =>
        new(GraphOperation.RemoveRoleAssignment, HttpMethod.Post, $"/roleManagement/directory/{requests}", new JsonObject
        {
            ["action"] = "adminRemove",
            ["principalId"] = step.UserId,
            ["roleDefinitionId"] = Id(step.ResourceId),
            ["directoryScopeId"] = "/",
            ["justification"] = "Offboarding: the user is leaving.",
        });

    private static GraphWrite RemoveMethod(string userId, string segment, string methodId) =>
        new(GraphOperation.RemoveAuthenticationMethod, HttpMethod.Delete,
            $"/users/{Uri.EscapeDataString(userId)}/authentication/{segment}/{Uri.EscapeDataString(methodId)}");

    private async Task<OffboardingStep> RunOneAsync(OffboardingStep step, RunState run, CancellationToken cancellationToken)
    {
        DateTimeOffset started = DateTimeOffset.UtcNow;
        try
        {
            return step.Kind switch
            {
                OffboardingStepKind.DisableAccount => await DisableAccountAsync(step, run, started, cancellationToken).ConfigureAwait(false),
                OffboardingStepKind.RevokeSessions => await RevokeSessionsAsync(step, run, started, cancellationToken).ConfigureAwait(false),
                OffboardingStepKind.DisableDevice when step.ResourceId is { Length: > 0 } => await DisableDeviceAsync(step, started, cancellationToken).ConfigureAwait(false),
                OffboardingStepKind.RemoveAuthenticationMethod => await RemoveAllMethodsAsync(step, started, cancellationToken).ConfigureAwait(false),
                OffboardingStepKind.ReassignDirectReports => await ReassignDirectReportsAsync(step, run, started, cancellationToken).ConfigureAwait(false),
                OffboardingStepKind.ManualTask => step with
                {
                    Status = OffboardingStepStatus.ManualTask,
                    Reason = step.Reason ?? step.Detail ?? step.ResourceDisplayName ?? "A person must do this outside Graph.",
                    StartedAt = started,
                    CompletedAt = DateTimeOffset.UtcNow,
                },
                _ => step with
                {
                    Status = OffboardingStepStatus.Failed,
                    Reason = $"The step names no {(step.Kind == OffboardingStepKind.RemoveAuthenticationMethod ? "method type" : "resource")} to act on.",
                    StartedAt = started,
                    CompletedAt = DateTimeOffset.UtcNow,
                },
            };
        }
        catch (StepFailedException failure)
        {
            return step with
            {
                Status = OffboardingStepStatus.Failed,
                Reason = failure.Message,
                Attempts = step.Attempts + failure.Attempts,
                GraphRequestId = failure.RequestId,
                StartedAt = started,
                CompletedAt = DateTimeOffset.UtcNow,
            };
        }
    }

    private static GraphWrite ReadAccount(OffboardingStep step) => new(GraphOperation.ReadUsers, HttpMethod.Get,
        $"/users/{Uri.EscapeDataString(step.UserId)}?$select=id,accountEnabled,signInSessionsValidFromDateTime");

    private static GraphWrite ListMethods(OffboardingStep step) => new(GraphOperation.ReadAuthenticationMethods, HttpMethod.Get,
        $"/users/{Uri.EscapeDataString(step.UserId)}/authentication/methods");

    private static GraphWrite ListReports(OffboardingStep step) => new(GraphOperation.ReadUsers, HttpMethod.Get,
        $"/users/{Uri.EscapeDataString(step.UserId)}/directReports?$select=id&$top=999");

    private static GraphWrite Disable(OffboardingStep step) =>
        new(GraphOperation.DisableUser, HttpMethod.Patch, $"/users/{Uri.EscapeDataString(step.UserId)}", new JsonObject { ["accountEnabled"] = false });

    // Revoking again is harmless and Graph cannot say whether sessions were issued since, so it is always sent.
    private static GraphWrite Revoke(OffboardingStep step) =>
        new(GraphOperation.RevokeSessions, HttpMethod.Post, $"/users/{Uri.EscapeDataString(step.UserId)}/revokeSignInSessions");

    private async Task<OffboardingStep> DisableAccountAsync(OffboardingStep step, RunState run, DateTimeOffset started, CancellationToken cancellationToken)
    {
        GraphWrite read = ReadAccount(step);
        GraphWriteResult current = await _writer.SendAsync(read, cancellationToken).ConfigureAwait(false);
        if (current.Status == 404)
        {
            return Done(step, AlreadyRemoved, current.Attempts, current.RequestId, null, null, started);
        }

        (JsonObject before, int attempts) = (Parsed(read, current), current.Attempts);
        run.Account = before;
        if (before["accountEnabled"]?.GetValue<bool>() == false)
        {
            return Done(step, AlreadyRemoved, attempts, null, before.ToJsonString(), before.ToJsonString(), started);
        }

        GraphWrite disable = Disable(step);
        GraphWriteResult answer = await _writer.SendAsync(disable, cancellationToken).ConfigureAwait(false);
        return Settle(step, disable, answer, started, step.Attempts + attempts + answer.Attempts, before.ToJsonString(),
            new JsonObject { ["id"] = step.UserId, ["accountEnabled"] = false }.ToJsonString());
    }

    private async Task<OffboardingStep> RevokeSessionsAsync(OffboardingStep step, RunState run, DateTimeOffset started, CancellationToken cancellationToken)
    {
        GraphWrite revoke = Revoke(step);
        GraphWriteResult answer = await _writer.SendAsync(revoke, cancellationToken).ConfigureAwait(false);
        return SettleRevoke(step, run, revoke, answer, started);
    }

    private static OffboardingStep SettleRevoke(OffboardingStep step, RunState run, GraphWrite revoke, GraphWriteResult answer, DateTimeOffset started)
    {
        string? before = run.Account is { } account && string.Equals(account["id"]?.GetValue<string>(), step.UserId, StringComparison.OrdinalIgnoreCase)
            ? new JsonObject { ["id"] = step.UserId, ["signInSessionsValidFromDateTime"] = account["signInSessionsValidFromDateTime"]?.DeepClone() }.ToJsonString()
            : null;
        return Settle(step, revoke, answer, started, step.Attempts + answer.Attempts, before,
            new JsonObject { ["id"] = step.UserId, ["sessionsRevoked"] = true }.ToJsonString());
    }

    private async Task<OffboardingStep> DisableDeviceAsync(OffboardingStep step, DateTimeOffset started, CancellationToken cancellationToken)
    {
        string device = Id(step.ResourceId);
        GraphWrite read = new(GraphOperation.ReadDevices, HttpMethod.Get, $"/devices/{device}?$select=id,accountEnabled");
        GraphWriteResult current = await _writer.SendAsync(read, cancellationToken).ConfigureAwait(false);
        if (current.Status == 404)
        {
            return Done(step, AlreadyRemoved, current.Attempts, current.RequestId, null, null, started);
        }

        JsonObject before = Parsed(read, current);
        if (before["accountEnabled"]?.GetValue<bool>() == false)
        {
            return Done(step, AlreadyRemoved, current.Attempts, current.RequestId, before.ToJsonString(), before.ToJsonString(), started);
        }

        GraphWrite disable = new(GraphOperation.DisableDevice, HttpMethod.Patch, $"/devices/{device}", new JsonObject { ["accountEnabled"] = false });
        GraphWriteResult answer = await _writer.SendAsync(disable, cancellationToken).ConfigureAwait(false);
        return Settle(step, disable, answer, started, step.Attempts + current.Attempts + answer.Attempts, before.ToJsonString(),
            new JsonObject { ["id"] = device, ["accountEnabled"] = false }.ToJsonString());
    }

    private async Task<OffboardingStep> RemoveAllMethodsAsync(OffboardingStep step, DateTimeOffset started, CancellationToken cancellationToken)
    {
        (JsonObject listing, int attempts) = await ReadAsync(ListMethods(step), cancellationToken).ConfigureAwait(false);
        List<(string Id, string? Type)> methods = MethodsIn(listing);
        JsonArray before = MethodState(methods);
        string? requestId = null;

        // The default method is refused while others remain; it is simply tried again once they are gone.
        var refused = new List<GraphWrite>();
        foreach (GraphWrite write in methods.Select(m => RemoveMethod(step.UserId, MethodSegment(m.Type)!, m.Id)))
        {
            if (!await RemoveAsync(write, deferDefault: true).ConfigureAwait(false))
            {
                refused.Add(write);
            }
        }

        foreach (GraphWrite write in refused)
        {
            await RemoveAsync(write, deferDefault: false).ConfigureAwait(false);
        }

        return Done(step, methods.Count == 0 ? AlreadyRemoved : null, attempts, requestId, before.ToJsonString(), "[]", started);

        // False when Graph refused it as the default method and deferDefault is set; any other refusal fails the step.
        async Task<bool> RemoveAsync(GraphWrite write, bool deferDefault)
        {
            GraphWriteResult answer = await _writer.SendAsync(write, cancellationToken).ConfigureAwait(false);
            attempts += answer.Attempts;
            requestId = answer.RequestId ?? requestId;
            if (deferDefault && IsDefaultMethodRefusal(answer))
            {
                return false;
            }

            if (!answer.Succeeded && answer.Status != 404)
            {
                throw new StepFailedException(answer.ToException(write).Message, attempts, answer.RequestId);
            }

            return true;
        }
    }

    private async Task<OffboardingStep> ReassignDirectReportsAsync(OffboardingStep step, RunState run, DateTimeOffset started, CancellationToken cancellationToken)
    {
        string user = Uri.EscapeDataString(step.UserId);
        List<string> reportIds;
        int attempts = 0;
        if (run.Reports is { } listed)
        {
            reportIds = listed;
        }
        else
        {
            (JsonObject reports, attempts) = await ReadAsync(ListReports(step), cancellationToken).ConfigureAwait(false);
            reportIds = IdsIn(reports);
        }

        var before = new JsonObject { ["directReports"] = new JsonArray(reportIds.Select(id => (JsonNode)JsonValue.Create(id)!).ToArray()) };
        if (reportIds.Count == 0)
        {
            return Done(step, AlreadyRemoved, attempts, null, before.ToJsonString(), before.ToJsonString(), started);
        }

        string? manager = step.Detail is { Length: > 0 } named ? named : null;
        if (manager is null)
        {
            GraphWrite read = new(GraphOperation.ReadUsers, HttpMethod.Get, $"/users/{user}/manager?$select=id");
            GraphWriteResult answer = await _writer.SendAsync(read, cancellationToken).ConfigureAwait(false);
            attempts += answer.Attempts;
            if (answer.Status == 404)
            {
                return step with
                {
                    Status = OffboardingStepStatus.ManualTask,
                    Reason = $"The leaver has no manager to take their {reportIds.Count} direct report(s): choose a new manager for each in Microsoft Entra ID (or HR's system of record).",
                    Attempts = step.Attempts + attempts,
                    BeforeState = before.ToJsonString(),
                    StartedAt = started,
                    CompletedAt = DateTimeOffset.UtcNow,
                };
            }

            manager = Parsed(read, answer)["id"]?.GetValue<string>();
        }

        before["manager"] = manager;
        string? requestId = null;
        // The new manager may be leaving in the same run (an HR feed offboards a manager and their reports at once).
        // Every offboarding disables the account before it hands on its reports, so a disabled manager passes the
        // reports on up the chain, to the first manager whose account is enabled (or the top of the chain). Checked
        // before the move, so a leaving manager's verification does not see reports parked on it, and again after, for
        // a manager whose own offboarding handed on its reports while this move was under way.
        var passedOver = new HashSet<string>(StringComparer.OrdinalIgnoreCase) { step.UserId };
        (manager, attempts) = await FirstEnabledManagerAsync(manager!, passedOver, attempts, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            foreach (string report in reportIds)
            {
                GraphWrite move = new(GraphOperation.SetManager, HttpMethod.Put, $"/users/{Uri.EscapeDataString(report)}/manager/$ref",
                    new JsonObject { ["@odata.id"] = $"{_baseUrl}/users/{manager}" });
                GraphWriteResult answer = await _writer.SendAsync(move, cancellationToken).ConfigureAwait(false);
                attempts += answer.Attempts;
                requestId = answer.RequestId ?? requestId;
                if (!answer.Succeeded)
                {
                    throw new StepFailedException(answer.ToException(move).Message, attempts, answer.RequestId);
                }
            }

            (string taker, attempts) = await FirstEnabledManagerAsync(manager, passedOver, attempts, cancellationToken).ConfigureAwait(false);
            if (string.Equals(taker, manager, StringComparison.OrdinalIgnoreCase))
            {
                break;
            }

            manager = taker;
        }

        var after = new JsonObject { ["directReports"] = new JsonArray(), ["movedTo"] = manager };
        return Done(step, null, attempts, requestId, before.ToJsonString(), after.ToJsonString(), started) with { Detail = manager };
    }

    /// <summary>
    /// <paramref name="candidate"/> if its account is enabled, else the first enabled manager above it; the top of the
    /// chain when none is. Accounts passed over are added to <paramref name="passedOver"/>, which also ends a cycle.
    /// </summary>
    private async Task<(string Manager, int Attempts)> FirstEnabledManagerAsync(string candidate, HashSet<string> passedOver, int attempts,
        CancellationToken cancellationToken)
    {
        while (true)
        {
            string escaped = Uri.EscapeDataString(candidate);
            (JsonObject account, int read) = await ReadAsync(new GraphWrite(GraphOperation.ReadUsers, HttpMethod.Get,
                $"/users/{escaped}?$select=id,accountEnabled"), cancellationToken).ConfigureAwait(false);
            attempts += read;
            if (account["accountEnabled"]?.GetValue<bool>() != false || !passedOver.Add(candidate))
            {
                return (candidate, attempts);
            }

            GraphWrite up = new(GraphOperation.ReadUsers, HttpMethod.Get, $"/users/{escaped}/manager?$select=id");
            GraphWriteResult above = await _writer.SendAsync(up, cancellationToken).ConfigureAwait(false);
            attempts += above.Attempts;
            if (above.Status == 404 || Parsed(up, above)["id"]?.GetValue<string>() is not { Length: > 0 } next || passedOver.Contains(next))
            {
                return (candidate, attempts);
            }

            candidate = next;
        }
    }

    private async Task<OffboardingStep> TransferOwnershipAsync(OffboardingStep step, string successor, DateTimeOffset started, int attempts, CancellationToken cancellationToken)
    {
        string group = Id(step.ResourceId);
        GraphWrite add = new(GraphOperation.RemoveGroupOwner, HttpMethod.Post, $"/groups/{group}/owners/$ref",
            new JsonObject { ["@odata.id"] = $"{_baseUrl}/directoryObjects/{successor}" });
        GraphWriteResult added = await _writer.SendAsync(add, cancellationToken).ConfigureAwait(false);
        attempts += added.Attempts;

        // "already exist" means the successor is an owner already (a earlier run got this far).
        if (!added.Succeeded && !(added.Status == 400 && Says(added, "already exist")))
        {
            return Settle(step, add, added, started, step.Attempts + attempts);
        }

        GraphWrite remove = SimpleWrite(step)!;
        GraphWriteResult removed = await _writer.SendAsync(remove, cancellationToken).ConfigureAwait(false);
        string before = new JsonObject { ["group"] = group, ["owner"] = step.UserId, ["lastOwner"] = true }.ToJsonString();
        string after = new JsonObject { ["group"] = group, ["owner"] = successor }.ToJsonString();
        return Settle(step, remove, removed, started, step.Attempts + attempts + removed.Attempts, before, after);
    }

    /// <summary>The methods in a listing that can be deleted: every one but the password, whose collection Graph names.</summary>
    private static List<(string Id, string? Type)> MethodsIn(JsonObject listing) => (listing["value"] as JsonArray ?? [])
        .OfType<JsonObject>()
        .Select(m => (Id: m["id"]?.GetValue<string>(), Type: m["@odata.type"]?.GetValue<string>()))
        .Where(m => m.Id is not null && MethodSegment(m.Type) is { } segment && segment != "passwordMethods")
        .Select(m => (m.Id!, m.Type))
        .ToList();

    private static JsonArray MethodState(IEnumerable<(string Id, string? Type)> methods) =>
        new(methods.Select(m => (JsonNode)new JsonObject { ["id"] = m.Id, ["type"] = m.Type }).ToArray());

    private static List<string> IdsIn(JsonObject listing) =>
        (listing["value"] as JsonArray ?? []).OfType<JsonObject>().Select(r => r["id"]?.GetValue<string>()).OfType<string>().ToList();

    /// <summary>Reads one JSON resource; a failure fails the step.</summary>
    private async Task<(JsonObject Value, int Attempts)> ReadAsync(GraphWrite read, CancellationToken cancellationToken)
    {
        GraphWriteResult answer = await _writer.SendAsync(read, cancellationToken).ConfigureAwait(false);
        return (Parsed(read, answer), answer.Attempts);
    }

    private static JsonObject Parsed(GraphWrite read, GraphWriteResult answer)
    {
        if (!answer.Succeeded)
        {
            throw new StepFailedException(answer.ToException(read).Message, answer.Attempts, answer.RequestId);
        }

        JsonObject value = answer.Body is null ? [] : JsonNode.Parse(answer.Body) as JsonObject ?? [];
        value.Remove("@odata.context");
        return value;
    }

    /// <summary>Turns Graph's answer to a removal into the step's outcome.</summary>
    private static OffboardingStep Settle(OffboardingStep step, GraphWrite write, GraphWriteResult answer, DateTimeOffset started, int attempts,
        string? before = null, string? after = null)
    {
        string what = Describe(step);
        string Holding(bool? held) => new JsonObject { ["resource"] = step.ResourceId, ["assignment"] = step.AssignmentId, ["held"] = held }.ToJsonString();
        before ??= Holding(answer.Succeeded ? true : answer.Status == 404 ? false : null);
        string gone = after ?? Holding(false);
        OffboardingStep settled = step with { Attempts = attempts, GraphRequestId = answer.RequestId ?? step.GraphRequestId, StartedAt = started, CompletedAt = DateTimeOffset.UtcNow };
        if (answer.Succeeded)
        {
            return settled with { Status = OffboardingStepStatus.Done, Reason = null, BeforeState = before, AfterState = gone };
        }

        if (answer.Status == 404 || IsAlreadyGone(step.Kind, answer))
        {
            return settled with
            {
                Status = OffboardingStepStatus.Done,
                Reason = AlreadyRemoved,
                BeforeState = Holding(false),
                AfterState = gone,
            };
        }

        if (answer.Status == 403 || answer.Status == 0 || answer.Status >= 500)
        {
            return settled with { Status = OffboardingStepStatus.Failed, Reason = answer.ToException(write).Message };
        }

        string held = Holding(true);
        switch (step.Kind)
        {
            case OffboardingStepKind.RemoveGroupMembership when Says(answer, "Directory Sync") || Says(answer, "on-premises"):
                return Manual(settled, held, NotRemovableReason.OnPremisesSync, $"{what} is synced from on-premises Active Directory: remove the member there; Microsoft Entra Connect brings the change across.");
            case OffboardingStepKind.RemoveGroupMembership when Says(answer, "dynamic") || Says(answer, "membershipRule"):
                return Manual(settled, held, NotRemovableReason.DynamicRule, $"{what} has a dynamic membership rule: change the rule, or the user's attributes it tests, so the rule no longer includes the user.");
            case OffboardingStepKind.RemoveGroupMembership when Says(answer, "mail-enabled") || Says(answer, "distribution list"):
                return Manual(settled, held, NotRemovableReason.ExchangeOnline, $"{what} is a mail-enabled security group or distribution list, which Exchange Online manages: remove the member there (Remove-DistributionGroupMember).");
            case OffboardingStepKind.RemoveGroupOwnership when IsLastOwnerRefusal(answer):
                return Manual(settled, held, NotRemovableReason.LastOwner, $"The leaver is the last owner of {what}, and no successor was named: add an owner (for example the leaver's manager), then remove the leaver.");
            case OffboardingStepKind.RemoveLicense when Says(answer, "inherited"):
                return settled with
                {
                    Status = OffboardingStepStatus.Skipped,
                    Reason = $"The licence {what} is inherited through a group; it goes when the leaver leaves that group.",
                    BeforeState = held,
                };
            case OffboardingStepKind.RemoveAuthenticationMethod when answer.Status == 405 || write.Url.Contains("/passwordMethods/", StringComparison.OrdinalIgnoreCase):
                return settled with
                {
                    Status = OffboardingStepStatus.Skipped,
                    Reason = "A password cannot be deleted, only reset; the disabled account and revoked sessions make it useless.",
                    BeforeState = held,
                };
            default:
                return settled with { Status = OffboardingStepStatus.Failed, Reason = answer.ToException(write).Message };
        }
    }

    private static OffboardingStep Manual(OffboardingStep step, string held, NotRemovableReason because, string reason) =>
        step with { Status = OffboardingStepStatus.ManualTask, Reason = reason, BeforeState = held, AfterState = held, ManualBecause = because };

    private static OffboardingStep Done(OffboardingStep step, string? reason, int attempts, string? requestId, string? before, string? after, DateTimeOffset started) =>
        step with
        {
            Status = OffboardingStepStatus.Done,
            Reason = reason,
            Attempts = step.Attempts + attempts,
            GraphRequestId = requestId ?? step.GraphRequestId,
            BeforeState = before,
            AfterState = after,
            StartedAt = started,
            CompletedAt = DateTimeOffset.UtcNow,
        };

    /// <summary>Graph's ways of saying "there is nothing to remove" that are not a 404.</summary>
    private static bool IsAlreadyGone(OffboardingStepKind kind, GraphWriteResult answer) => kind switch
    {
        OffboardingStepKind.RemoveDirectoryRole or OffboardingStepKind.RemoveEligibleDirectoryRole => answer.Code == "RoleAssignmentDoesNotExist",
        OffboardingStepKind.RemoveLicense => Says(answer, "does not have a corresponding license"),
        _ => false,
    };

    private static bool IsDefaultMethodRefusal(GraphWriteResult answer) => answer.Status == 400 && Says(answer, "default authentication method");

    private static bool IsLastOwnerRefusal(GraphWriteResult answer) => answer.Status == 400 && Says(answer, "at least one owner");

    private static bool Says(GraphWriteResult answer, string text) => answer.Message?.Contains(text, StringComparison.OrdinalIgnoreCase) == true;

    private static string Describe(OffboardingStep step) => step.ResourceDisplayName is { Length: > 0 } name ? $"'{name}'" : $"'{step.ResourceId}'";

    /// <summary>The collection Graph files a method under, from its type: #microsoft.graph.phoneAuthenticationMethod → phoneMethods.</summary>
    internal static string? MethodSegment(string? type)
    {
        if (string.IsNullOrWhiteSpace(type))
        {
            return null;
        }

        string name = type.StartsWith("#microsoft.graph.", StringComparison.Ordinal) ? type["#microsoft.graph.".Length..] : type;
        return name.EndsWith("AuthenticationMethod", StringComparison.Ordinal) ? name[..^"AuthenticationMethod".Length] + "Methods"
            : name.EndsWith("Methods", StringComparison.Ordinal) ? name
            : null;
    }

    private static string Id(string? id) => Uri.EscapeDataString(id ?? "");

    /// <summary>What one run has learned so far, and the caller's hook for settled steps.</summary>
    private sealed class RunState(Func<IReadOnlyList<OffboardingStep>, CancellationToken, Task>? stepsSettled)
    {
        private readonly List<OffboardingStep> _settled = [];

        public JsonObject? Account { get; set; }

        /// <summary>The leaver's deletable methods, when the run's first $batch listed them.</summary>
        public List<(string Id, string? Type)>? Methods { get; set; }

        /// <summary>The leaver's direct reports, when the run's first $batch listed them.</summary>
        public List<string>? Reports { get; set; }

        public List<int> DefaultMethods { get; } = [];

        /// <summary>The "every method" steps whose deletions went out in a $batch and are not all answered for good.</summary>
        public Dictionary<int, MethodRemoval> MethodRemovals { get; } = [];

        public MethodRemoval MethodRemoval(int index, List<(string Id, string? Type)> methods) =>
            MethodRemovals.TryGetValue(index, out MethodRemoval? removal) ? removal : MethodRemovals[index] = new MethodRemoval(MethodState(methods).ToJsonString());

        public Dictionary<int, DateTimeOffset> Started { get; } = [];

        public Dictionary<int, int> Attempts { get; } = [];

        /// <summary>Notes a step that settled with others; <see cref="FlushAsync"/> hands them over together.</summary>
        public void Settled(OffboardingStep step) => _settled.Add(step);

        /// <summary>Hands over what settled since the last flush; called before the next change is sent.</summary>
        public async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (_settled.Count == 0)
            {
                return;
            }

            var settled = _settled.ToList();
            _settled.Clear();
            if (stepsSettled is not null)
            {
                await stepsSettled(settled, cancellationToken).ConfigureAwait(false);
            }
        }

        public Task SettledAsync(OffboardingStep step, CancellationToken cancellationToken)
        {
            Settled(step);
            return FlushAsync(cancellationToken);
        }
    }

    /// <summary>The deletions of one "every method" step as their answers come in: it is Done when all went, Failed on any refusal but the default's.</summary>
    private sealed class MethodRemoval(string before)
    {
        private int _attempts;
        private string? _requestId;

        /// <summary>The default method, refused while others remained; sent again once the wave is over.</summary>
        public List<GraphWrite> Deferred { get; } = [];

        public (GraphWrite Write, GraphWriteResult Answer)? Failure { get; set; }

        public void Count(GraphWriteResult answer)
        {
            _attempts += answer.Attempts;
            _requestId = answer.RequestId ?? _requestId;
        }

        public OffboardingStep Settle(OffboardingStep step, DateTimeOffset started) => Failure is { } failure
            ? step with
            {
                Status = OffboardingStepStatus.Failed,
                Reason = failure.Answer.ToException(failure.Write).Message,
                Attempts = step.Attempts + _attempts,
                GraphRequestId = failure.Answer.RequestId,
                StartedAt = started,
                CompletedAt = DateTimeOffset.UtcNow,
            }
            : Done(step, null, _attempts, _requestId, before, "[]", started);
    }

    private sealed class StepFailedException(string message, int attempts, string? requestId) : Exception(message)
    {
        public int Attempts { get; } = attempts;

        public string? RequestId { get; } = requestId;
    }
}
