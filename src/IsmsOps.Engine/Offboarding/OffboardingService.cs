using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.Engine.Offboarding;

/// <summary>What an offboarding run ended with: the stored case and the directory's state after it.</summary>
public sealed record OffboardingOutcome(OffboardingCase Case, OffboardingVerification Verification);

/// <summary>
/// One leaver, start to verified: read the account's access live, plan, store the case, run the steps (storing each
/// step and its audit event as it settles, so a crash loses at most the step in flight), re-read the directory, and
/// close the case on what the directory now holds. <see cref="ResumeAsync"/> carries a stored case on from wherever it
/// stopped; every step is idempotent, so running a finished case again changes nothing.
/// </summary>
public sealed class OffboardingService
{
    private readonly OffboardingRegister _register;
    private readonly GraphConnection _connection;
    private readonly GraphReaderOptions? _options;

    public OffboardingService(OffboardingRegister register, GraphConnection connection, GraphReaderOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(register);
        ArgumentNullException.ThrowIfNull(connection);
        _register = register;
        _connection = connection;
        _options = options;
    }

    /// <summary>
    /// Reads the account with object id or UPN <paramref name="userIdOrUpn"/> live and plans its offboarding, changing
    /// nothing: what -WhatIf shows, and what <see cref="StartAsync"/> runs.
    /// </summary>
    public async Task<OffboardingPlan> PlanAsync(string userIdOrUpn, OffboardingPlanOptions? planOptions, CancellationToken cancellationToken)
    {
        DirectoryIndex index = await new LiveDirectorySource(_connection).GetForUserAsync(userIdOrUpn, cancellationToken).ConfigureAwait(false);
        return OffboardingPlanner.Plan(index, userIdOrUpn, planOptions);
    }

    /// <summary>Stores <paramref name="plan"/> as a new case and runs it to a verified close.</summary>
    public async Task<OffboardingOutcome> StartAsync(OffboardingPlan plan, Person? person, OffboardingUrgency urgency, DateTimeOffset? effectiveDate,
        OperationContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(plan);
        OffboardingCase opened = await _register.CreateAsync(plan, person, urgency, effectiveDate, context, cancellationToken).ConfigureAwait(false);
        return await RunAsync(opened, new GraphReader(_connection, _options), context, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Carries on the stored case <paramref name="caseId"/>: runs what is not settled, verifies, closes.</summary>
    public async Task<OffboardingOutcome> ResumeAsync(string caseId, OperationContext context, CancellationToken cancellationToken)
    {
        OffboardingCase current = await _register.GetAsync(caseId, cancellationToken).ConfigureAwait(false);
        return await RunAsync(current, new GraphReader(_connection, _options), context, cancellationToken).ConfigureAwait(false);
    }

    private async Task<OffboardingOutcome> RunAsync(OffboardingCase current, GraphReader reader, OperationContext context, CancellationToken cancellationToken)
    {
        string caseId = current.CaseId;
        if (current.IsOpen)
        {
            if (current.Status != OffboardingCaseStatus.Running)
            {
                await _register.SetStatusAsync(caseId, OffboardingCaseStatus.Running, null, context, cancellationToken).ConfigureAwait(false);
            }

            var runner = new OffboardingStepRunner(_connection, _options);
            // The steps one $batch settled are stored together: one transaction, one audit event each.
            await runner.RunSettlingTogetherAsync(current.Steps,
                (steps, ct) => _register.RecordStepsAsync(caseId, steps, null, context, ct),
                cancellationToken).ConfigureAwait(false);
        }

        // Closed on what the directory holds now, not on what the steps reported.
        OffboardingVerification verification = await new OffboardingVerifier(reader).VerifyAsync(current.UserId, cancellationToken).ConfigureAwait(false);
        current = await _register.GetAsync(caseId, cancellationToken).ConfigureAwait(false);
        if (current.IsOpen)
        {
            OffboardingCaseStatus outcome = !verification.NothingRemovableRemains || current.Steps.Any(s => !s.IsSettled)
                ? OffboardingCaseStatus.Failed
                : current.Steps.Any(s => s.Status == OffboardingStepStatus.ManualTask)
                    ? OffboardingCaseStatus.CompletedWithManualTasks
                    : OffboardingCaseStatus.Completed;
            current = await _register.SetStatusAsync(caseId, outcome, null, context, cancellationToken).ConfigureAwait(false);
        }

        return new OffboardingOutcome(current, verification);
    }
}
