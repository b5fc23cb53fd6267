using System.Management.Automation;
using System.Runtime.ExceptionServices;
using IsmsOps.Engine;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Offboarding;

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
/// Leavers piped in (Import-Csv leavers.csv | Start-IsmsOffboarding, with a PersonId or a UserId column) are offboarded
/// -ThrottleLimit at a time (8 unless told): each is confirmed as it arrives, then read, planned and run in the
/// background, and its case, warnings and errors are written as it finishes, so output comes in completion order. One
/// leaver's error (an unknown person, no account, a case already open) is reported with that leaver's id and the others
/// carry on. Ctrl+C stops the leavers under way between steps; their cases stay open for Resume-IsmsOffboarding.
/// Graph permissions: those listed for Start-IsmsOffboarding in docs/graph-permissions.md; a step the app lacks a
/// permission for fails with the permission named, and the other steps go on.
/// </remarks>
/// <example>
/// <code>Start-IsmsOffboarding -PersonId E1003</code>
/// <para>Offboards the register's person E1003, found in the directory by DirectoryObjectId or UserPrincipalName.</para>
/// </example>
/// <example>
/// <code>Import-Csv ./leavers.csv | Start-IsmsOffboarding -Confirm:$false</code>
/// <para>Offboards every leaver in an HR export (a PersonId or UserId column), eight at a time; each leaver's case is
/// written as it finishes.</para>
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

    /// <summary>
    /// How many leavers from the pipeline are offboarded at once (1 to 64, default 8). 1 offboards each leaver to the
    /// end before the next is read. Graph throttles per application and tenant, so more is not always faster.
    /// </summary>
    [Parameter]
    [ValidateRange(1, OffboardingFeed.MaximumThrottleLimit)]
    public int ThrottleLimit { get; set; } = OffboardingFeed.DefaultThrottleLimit;

    // Leavers under way, started from ProcessRecord and drained in EndProcessing; null until the first one.
    private OffboardingFeed? _feed;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        ForEachItem(() =>
        {
            GraphConnection connection = ModuleSession.RequireGraphConnection();
            if (!WhatIfRequested)
            {
                Offboard(connection);
                return;
            }

            IsmsWorkspace workspace = Workspace;
            var service = new OffboardingService(workspace.Offboarding, connection);
            OffboardingLeaver leaver = Leaver();
            OffboardingPlan plan = Run(ct => OffboardingFeed.PlanAsync(workspace.People, service, leaver, ct)).Plan;
            string who = plan.DisplayName is null ? plan.UserPrincipalName : $"{plan.DisplayName} ({plan.UserPrincipalName})";
            // -WhatIf lists every step, so an administrator sees exactly what would go, and runs nothing.
            foreach (OffboardingStep step in plan.Steps)
            {
                ShouldProcess($"{who}: {step.ResourceDisplayName ?? step.ResourceId ?? "account"}", Describe(step));
            }

            ShouldProcess(who, $"Offboard: {plan.Steps.Count} steps ({Summary(plan)})");
        });
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (_feed is OffboardingFeed feed)
        {
            Run(_ => feed.WaitAsync());
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        // Ended early (a terminating error, a downstream command that stopped): stop the leavers still under way, as
        // Ctrl+C would, so none runs on after the pipeline; their cases stay open for Resume-IsmsOffboarding.
        if (disposing && _feed is OffboardingFeed feed)
        {
            StopProcessing();
            try
            {
                feed.WaitAsync().GetAwaiter().GetResult();
            }
            catch (OperationCanceledException)
            {
            }
        }

        base.Dispose(disposing);
    }

    // Asked before anything is read, on the pipeline thread; the reading, planning and running go to the feed.
    private void Offboard(GraphConnection connection)
    {
        OffboardingLeaver leaver = Leaver();
        if (!ShouldProcess(leaver.ToString(), "Offboard: read its access live, disable the account and remove every access Graph can remove"))
        {
            return;
        }

        OffboardingFeed feed = _feed ??= new OffboardingFeed(Workspace.People, new OffboardingService(Workspace.Offboarding, connection), Operation,
            ThrottleLimit, result => Post(() => WriteResult(result)), Cancellation);
        // Returns once the leaver has a slot, writing the results of those that finish meanwhile.
        Run(_ => feed.AddAsync(leaver));
        if (ThrottleLimit == 1)
        {
            Run(_ => feed.WaitAsync());
        }
    }

    private OffboardingLeaver Leaver()
    {
        OffboardingUrgency urgency = Immediate ? OffboardingUrgency.Immediate : OffboardingUrgency.Standard;
        DateTimeOffset? effective = EffectiveDate is DateTime date ? new DateTimeOffset(date) : null;
        return ParameterSetName == PersonSet ? OffboardingLeaver.Person(PersonId, urgency, effective) : OffboardingLeaver.Account(UserId, urgency, effective);
    }

    private void WriteResult(OffboardingFeedResult result) => ForEachItem(() =>
    {
        if (result.Error is not null)
        {
            // An IsmsException becomes this leaver's non-terminating error (a store fault stops the run); anything
            // else is a defect and ends the pipeline, as it would have one leaver at a time.
            ExceptionDispatchInfo.Throw(result.Error);
        }

        OffboardingOutcome outcome = result.Outcome!;
        string who = outcome.Case.UserPrincipalName;
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

    private static string Summary(OffboardingPlan plan) => string.Join(", ", plan.Steps
        .GroupBy(s => s.Kind)
        .Select(g => $"{g.Count()} {g.Key}"));

    private static string Describe(OffboardingStep step) => step.Kind == OffboardingStepKind.ManualTask
        ? $"Manual task: {step.Reason ?? step.Detail}"
        : step.Kind.ToString();
}
