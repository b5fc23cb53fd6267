using System.Management.Automation;
using IsmsOps.Engine;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Onboarding;
using IsmsOps.Engine.Roles;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Onboards a joiner: links or creates their account and grants their role's birthright access once screening allows.</summary>
/// <remarks>
/// Resolves the person's JobRole in the role catalog (policies/roles) and plans: link the account the directory already
/// holds (by DirectoryObjectId, else UserPrincipalName) or create it; set employeeId (the PersonId), the hire date (the
/// StartDate), the usage location (the Location) and the manager; add the role's birthright groups, licences and app
/// roles; and, with -IssueTemporaryAccessPass, issue a Temporary Access Pass. The plan is stored as an onboarding case
/// and run through Microsoft Graph, grants in one $batch.
/// The screening gate: the birthright access waits until the person's screening at the level the role requires for
/// their Location is Cleared or validly Waived (an approved waiver that has not expired). The minimal baseline (the
/// account, manager, attributes and the pass) goes ahead before clearance only when the role says
/// baselineBeforeClearance: true. Every run records the gate's decision in the audit trail (Onboarding.GateDecided:
/// role, level required, the screening relied on or why none counts). Steps held back stay Pending with the reason;
/// run Start-IsmsOnboarding again after screening clears to grant them. Each step is audited with its Graph request-id.
/// A membership or assignment that already exists counts as done, so running a finished case again changes nothing.
/// The pass is written to the pipeline once, as an IsmsOps.TemporaryAccessPass object; it is never stored or audited.
/// A person with no JobRole (IsmsOps.Onboarding.NoRole) or one the catalog does not define
/// (IsmsOps.Onboarding.UnknownRole) is refused and nothing is stored. -WhatIf shows each step and changes nothing.
/// Graph permissions: those listed for Start-IsmsOnboarding in docs/graph-permissions.md.
/// </remarks>
/// <example>
/// <code>Start-IsmsOnboarding -PersonId E1004 -WhatIf</code>
/// <para>Shows the steps onboarding E1004 would take, and which wait for screening, without changing anything.</para>
/// </example>
/// <example>
/// <code>Start-IsmsOnboarding -PersonId E1004 -IssueTemporaryAccessPass -Confirm:$false</code>
/// <para>Onboards E1004 and writes their Temporary Access Pass to the pipeline, once.</para>
/// </example>
/// <example>
/// <code>Get-IsmsOnboarding -Blocked | Start-IsmsOnboarding -Confirm:$false</code>
/// <para>Carries on every case waiting for screening; those whose screening has cleared get their access.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Start, "IsmsOnboarding", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(OnboardingCase))]
public sealed class StartIsmsOnboardingCommand : IsmsCmdlet
{
    /// <summary>The PersonId of the joiner in the register; their JobRole must name a role of the catalog.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PersonIdCompleter))]
    public string PersonId { get; set; } = string.Empty;

    /// <summary>Also issues a Temporary Access Pass (8 hours), shown once and never stored. On a later run of a case planned without one (the first run was blocked by screening, or the switch was left out), a pass step is added to the case; a case whose pass was already issued does not get a second, and a run never issues more than one.</summary>
    [Parameter]
    public SwitchParameter IssueTemporaryAccessPass { get; set; }

    // Read once per command, not once per piped joiner; a catalog that fails to load is not kept, so each joiner
    // still gets the same error, as before.
    private RoleCatalog? _catalog;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        ForEachItem(() =>
        {
            GraphConnection connection = ModuleSession.RequireGraphConnection();
            var service = new OnboardingService(Workspace, _catalog ??= ModuleSession.LoadRoleCatalog(), connection);
            var plan = Run(ct => service.PlanAsync(PersonId, IssueTemporaryAccessPass, ct));
            string who = $"{plan.Person.DisplayName} ({plan.Person.PersonId}, role {plan.Role.Id})";
            List<OnboardingStep> pending = plan.Steps.Where(s => !s.IsSettled).ToList();
            if (WhatIfRequested)
            {
                foreach (OnboardingStep step in pending)
                {
                    ShouldProcess($"{who}: {step.ResourceDisplayName ?? step.ResourceId ?? "account"}",
                        $"{step.Kind}{(step.Baseline ? " (baseline)" : " (after screening clears)")}");
                }
            }

            if (!ShouldProcess(who, $"Onboard: {pending.Count} step(s) to run, access beyond the baseline only once {plan.Role.ScreeningLevelFor(plan.Person.Location)} screening is cleared"))
            {
                return;
            }

            OnboardingOutcome outcome = Run(ct => service.StartAsync(PersonId, IssueTemporaryAccessPass, Operation, ct));
            WriteObject(outcome.Case);
            if (outcome.TemporaryAccessPass is string pass)
            {
                var shown = new PSObject();
                shown.TypeNames.Insert(0, "IsmsOps.TemporaryAccessPass");
                shown.Properties.Add(new PSNoteProperty("PersonId", outcome.Case.PersonId));
                shown.Properties.Add(new PSNoteProperty("UserPrincipalName", outcome.Case.UserPrincipalName ?? plan.Person.UserPrincipalName));
                shown.Properties.Add(new PSNoteProperty("TemporaryAccessPass", pass));
                shown.Properties.Add(new PSNoteProperty("StartDateTime", outcome.PassStartsAt));
                shown.Properties.Add(new PSNoteProperty("LifetimeInMinutes", outcome.PassLifetimeMinutes));
                WriteObject(shown);
            }

            if (outcome.Case.Status == OnboardingCaseStatus.Failed)
            {
                OnboardingStep[] failed = outcome.Case.Steps.Where(s => s.Status == OnboardingStepStatus.Failed).ToArray();
                WriteIsmsError(new IsmsException("IsmsOps.Onboarding.StepsFailed", IsmsErrorKind.WriteError,
                    $"Onboarding case {outcome.Case.CaseId} for {PersonId}: {failed.Length} step(s) failed. "
                    + string.Join(" ", failed.Take(10).Select(s => $"Step {s.Sequence} {s.Kind} '{s.ResourceDisplayName ?? s.ResourceId}': {s.Reason}")),
                    $"Fix what each step names, then run Start-IsmsOnboarding -PersonId {PersonId} again: done steps are not run again.", outcome.Case.CaseId));
            }
            else if (outcome.Case.Status == OnboardingCaseStatus.Blocked)
            {
                WriteWarning($"Onboarding case {outcome.Case.CaseId}: {outcome.Case.PendingSteps} step(s) wait for screening. {outcome.Case.BlockedBecause} Run Start-IsmsOnboarding -PersonId {PersonId} again once it is cleared.");
            }
        });
    }
}
