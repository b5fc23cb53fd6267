using System.Management.Automation;
using IsmsOps.Engine;
using IsmsOps.Engine.Access;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.People;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Offboards a leaver: removes every access Graph can remove, records each step, and verifies the result.</summary>
/// <remarks>
/// Reads the leaver's access live through the Connect-IsmsGraph connection, plans the removal, stores the plan as an
/// offboarding case, runs it, re-reads the directory and closes the case on what the directory now holds. The plan, in
/// order: disable sign-in; revoke sessions; remove direct group memberships (memberships of dynamic, on-premises-synced
/// and mail-enabled groups become manual tasks naming the system that owns them); remove group ownerships (handing a
/// group whose last owner is leaving to the leaver's manager); remove directory roles (active, eligible and time-bound,
/// PIM ones through adminRemove requests); remove app role assignments and the leaver's own delegated grants; remove
/// direct licences (inherited ones go with their groups); remove authentication methods, the default one last;
/// disable the devices the leaver owns; and move direct reports to the leaver's manager.
/// Each step and its audit event are stored together as the step settles, so Resume-IsmsOffboarding carries on after
/// a crash or a failed step, and running a finished case again changes nothing. -WhatIf shows every step and changes
/// nothing, and stores no case. The case's deadline comes from the employment type and -Immediate (Get-IsmsOffboarding
/// shows it and flags a breach).
/// A case that ends Failed is written to the pipeline and reported as the error IsmsOps.Offboarding.StepsFailed, naming
/// each failed step and why; if Graph stops answering before the case is verified, the case is stored as Failed and the
/// error is IsmsOps.Offboarding.Interrupted. An unknown person (IsmsOps.Person.NotFound), a person with no linked
/// account (IsmsOps.Access.PersonNotLinked) and an account the directory no longer holds (IsmsOps.Access.UserNotFound)
/// open no case.
/// Graph permissions: those listed for Start-IsmsOffboarding in docs/graph-permissions.md; a step the app lacks a
/// permission for fails with the permission named, and the other steps go on.
/// </remarks>
/// <example>
/// <code>Start-IsmsOffboarding -PersonId E1003</code>
/// <para>Offboards the register's person E1003, found in the directory by DirectoryObjectId or UserPrincipalName.</para>
/// </example>
/// <example>
/// <code>Start-IsmsOffboarding -UserId ada@contoso.com -Immediate -WhatIf</code>
/// <para>Shows what an immediate (hostile) offboarding of Ada would remove, without changing anything.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Start, "IsmsOffboarding", DefaultParameterSetName = PersonSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(OffboardingCase))]
public sealed class StartIsmsOffboardingCommand : IsmsCmdlet
{
    private const string PersonSet = "PersonId";
    private const string UserSet = "UserId";

    /// <summary>The PersonId of the leaver in the register; their account is found by DirectoryObjectId, else UserPrincipalName.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PersonSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PersonIdCompleter))]
    public string PersonId { get; set; } = string.Empty;

    /// <summary>The leaver's Entra ID object id or user principal name, for an account with no person in the register.</summary>
    [Parameter(Mandatory = true, ParameterSetName = UserSet, ValueFromPipelineByPropertyName = true)]
    [Alias("UserPrincipalName", "ObjectId")]
    [ValidateNotNullOrEmpty]
    public string UserId { get; set; } = string.Empty;

    /// <summary>When the person leaves (default: now); the deadline counts from it.</summary>
    [Parameter]
    public DateTime? EffectiveDate { get; set; }

    /// <summary>A hostile or urgent leaver: the deadline is now.</summary>
    [Parameter]
    public SwitchParameter Immediate { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        ForEachItem(() =>
        {
            GraphConnection connection = ModuleSession.RequireGraphConnection();
            Person? person = ParameterSetName == PersonSet ? Run((w, ct) => w.People.GetAsync(PersonId, ct)) : null;
            string account = person is null ? UserId : AccessInventory.DirectoryKeyOf(person);
            var service = new OffboardingService(Workspace.Offboarding, connection);

            OffboardingPlan plan = Run(ct => service.PlanAsync(account, null, ct));
            string who = plan.DisplayName is null ? plan.UserPrincipalName : $"{plan.DisplayName} ({plan.UserPrincipalName})";
            // -WhatIf lists every step, so an administrator sees exactly what would go; -Confirm asks once.
            if (MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? whatIf) && ((SwitchParameter)whatIf).IsPresent)
            {
                foreach (OffboardingStep step in plan.Steps)
                {
                    ShouldProcess($"{who}: {step.ResourceDisplayName ?? step.ResourceId ?? "account"}", Describe(step));
                }
            }

            if (!ShouldProcess(who, $"Offboard: {plan.Steps.Count} steps ({Summary(plan)})"))
            {
                return;
            }

            OffboardingUrgency urgency = Immediate ? OffboardingUrgency.Immediate : OffboardingUrgency.Standard;
            DateTimeOffset? effective = EffectiveDate is DateTime date ? new DateTimeOffset(date) : null;
            OffboardingOutcome outcome = Run(ct => service.StartAsync(plan, person, urgency, effective, Operation, ct));
            foreach (RemainingAccess left in outcome.Verification.Remaining.Where(r => r.RemovableThroughGraph))
            {
                WriteWarning($"{who} still holds {left.Kind} '{left.ResourceDisplayName}': {left.Why} Run Resume-IsmsOffboarding -CaseId {outcome.Case.CaseId} after fixing the cause.");
            }

            WriteObject(outcome.Case);
            // A case that ended Failed is an error a scheduled job must see, not only a status on the object.
            if (outcome.ToError() is { } failed)
            {
                WriteIsmsError(failed);
            }
        });
    }

    private static string Summary(OffboardingPlan plan) => string.Join(", ", plan.Steps
        .GroupBy(s => s.Kind)
        .Select(g => $"{g.Count()} {g.Key}"));

    private static string Describe(OffboardingStep step) => step.Kind == OffboardingStepKind.ManualTask
        ? $"Manual task: {step.Reason ?? step.Detail}"
        : step.Kind.ToString();
}
