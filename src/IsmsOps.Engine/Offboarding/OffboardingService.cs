using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.Engine.Offboarding;

/// <summary>What an offboarding run ended with: the stored case and the directory's state after it.</summary>
public sealed record OffboardingOutcome(OffboardingCase Case, OffboardingVerification Verification)
{
    /// <summary>
    /// The error to report when the case ended Failed (<c>IsmsOps.Offboarding.StepsFailed</c>): every failed step with
    /// its reason, how much removable access remains, and how to carry on. Null when the case is not Failed. A step
    /// Graph refused for a missing permission makes it PermissionDenied; any other failure WriteError.
    /// </summary>
    public IsmsException? ToError()
    {
        if (Case.Status != OffboardingCaseStatus.Failed)
        {
            return null;
        }

        List<OffboardingStep> failed = Case.Steps.Where(s => !s.IsSettled).ToList();
        int remaining = Verification.Remaining.Count(r => r.RemovableThroughGraph);
        string steps = string.Join(" ", failed.Take(10).Select(s =>
            $"Step {s.Sequence} {s.Kind} '{s.ResourceDisplayName ?? s.ResourceId ?? s.UserId}' is {s.Status}: {s.Reason ?? "not run yet."}"));
        string more = failed.Count > 10 ? $" And {failed.Count - 10} more (Get-IsmsOffboarding -CaseId {Case.CaseId})." : "";
        bool permission = failed.Any(s => s.Reason?.Contains(GraphErrors.PermissionNeeded, StringComparison.Ordinal) == true);
        return new IsmsException("IsmsOps.Offboarding.StepsFailed", permission ? IsmsErrorKind.PermissionDenied : IsmsErrorKind.WriteError,
            $"Offboarding case {Case.CaseId} for {Case.UserPrincipalName} ended Failed: {failed.Count} of {Case.Steps.Count} step(s) did not finish, "
            + $"and {remaining} access(es) Graph could remove remain{(Verification.AccountEnabled ? ", with the account still enabled" : "")}. The other steps ran. {steps}{more}",
            $"Fix what each step names (grant a named permission with admin consent and run Connect-IsmsGraph again; wait out throttling or an outage), "
            + $"then run Resume-IsmsOffboarding -CaseId {Case.CaseId}: settled steps are not run again.", Case.CaseId);
    }
}

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
        DirectoryIndex index;
        try
        {
            index = await new LiveDirectorySource(_connection).GetForUserAsync(userIdOrUpn, cancellationToken).ConfigureAwait(false);
        }
        catch (IsmsException missing) when (missing.ErrorId == "IsmsOps.Access.UserNotFound")
        {
            throw AccountNotFound(userIdOrUpn, missing);
        }

        return OffboardingPlanner.Plan(index, userIdOrUpn, planOptions);
    }

    // Same ErrorId as anywhere else an account is missing, in an offboarding's words: the usual cause is that someone
    // deleted the account first, which took its memberships and roles with it but leaves no offboarding evidence.
    private static IsmsException AccountNotFound(string userIdOrUpn, IsmsException missing) => new("IsmsOps.Access.UserNotFound", IsmsErrorKind.NotFound,
        $"The directory has no account '{userIdOrUpn}' to offboard: it was deleted already, or never existed under that id. Nothing was changed and no case was opened.",
        "If it was deleted, Graph removed its memberships, roles and app role assignments with it; to have a verified case as evidence, restore it from "
        + "Deleted users (within 30 days) and run Start-IsmsOffboarding again, or else record the person as Left with Set-IsmsPerson. If the link is wrong, "
        + "correct it with Set-IsmsPerson -DirectoryObjectId or -UserPrincipalName.", userIdOrUpn, missing);

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
        try
        {
            return await RunAndCloseAsync(current, reader, context, cancellationToken).ConfigureAwait(false);
        }
        catch (IsmsException failure) when (failure.ErrorId.StartsWith("IsmsOps.Graph.", StringComparison.Ordinal))
        {
            // Graph stopped answering before the case could be verified (a storm outlasted the retries, the token
            // expired). Left Running, the case would look as if something were still working on it.
            OffboardingCase? stored = await MarkFailedAsync(current.CaseId, context).ConfigureAwait(false);
            throw new IsmsException("IsmsOps.Offboarding.Interrupted", failure.Kind,
                $"Offboarding case {current.CaseId} for {current.UserPrincipalName} stopped before it was verified: {failure.Message} "
                + $"The case is stored as {stored?.Status.ToString() ?? "it was"}, with every step that settled and its audit event.",
                $"{failure.RecommendedAction} Then run Resume-IsmsOffboarding -CaseId {current.CaseId}: settled steps are not run again.",
                current.CaseId, failure);
        }
    }

    private async Task<OffboardingCase?> MarkFailedAsync(string caseId, OperationContext context)
    {
        try
        {
            OffboardingCase stored = await _register.GetAsync(caseId, CancellationToken.None).ConfigureAwait(false);
            return stored.IsOpen
                ? await _register.SetStatusAsync(caseId, OffboardingCaseStatus.Failed, null, context, CancellationToken.None).ConfigureAwait(false)
                : stored;
        }
        catch (IsmsException)
        {
            // The store failed too; the case stays as the last step left it, and Resume carries it on.
            return null;
        }
    }

    private async Task<OffboardingOutcome> RunAndCloseAsync(OffboardingCase current, GraphReader reader, OperationContext context, CancellationToken cancellationToken)
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
            // The verification that decides how the case closes goes into the trail, so the evidence record's
            // verification is backed by it; re-running a closed case verifies again but records nothing.
            await _register.RecordVerificationAsync(caseId, verification, context, cancellationToken).ConfigureAwait(false);
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
