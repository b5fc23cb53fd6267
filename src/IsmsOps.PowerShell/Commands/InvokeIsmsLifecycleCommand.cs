using System.Management.Automation;
using IsmsOps.Engine;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Lifecycle;
using IsmsOps.Engine.Offboarding;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Starts the onboarding, offboarding and role-change work that the people register says is due: the trigger behind HR automation.</summary>
/// <remarks>
/// Works from what the IsmsOps store holds, never from the HR events themselves, so a crash, a lost webhook or a missed
/// run loses nothing: the next run finds the same work, and does not repeat what is done.
/// Joiners: a person with Status Onboarding (or a Candidate whom an HR Joiner event registered ahead of the start
/// date; they become Onboarding when due) and a JobRole whose start date is at most -JoinerLeadDays away (or who has
/// no start date) is onboarded as Start-IsmsOnboarding does, unless their onboarding case is Completed: the account is
/// created or linked, and the role's birthright access is granted only once screening is Cleared or validly Waived. A
/// case waiting for screening is reported with Status Blocked (a warning, not an error); later runs grant the access
/// once screening clears, and send nothing to Graph while it has not. When the case is Completed and the start date has
/// come, the person's Status becomes Active.
/// Leavers: a person with Status Leaving whose end date has passed is offboarded as Start-IsmsOffboarding does, unless
/// an offboarding case of theirs is already closed and none is open. The end date is the last working day: offboarding falls due at the
/// end of it (midnight UTC after the end date). Leavers are found by that window (due at or before now), never by an
/// exact date, so a run missed for days still finds everyone whose date went by. An open case (Planned, Running,
/// Failed) is resumed, never opened twice. A new case has Standard urgency, and its deadline counts from the end of the
/// end date. When the case is closed, the person's Status becomes Left. A leaver whose end date is ahead is left alone.
/// Movers: anyone else with an open mover case (opened when their JobRole changed, see Get-IsmsMove) is carried on as
/// Start-IsmsMove does when it has grants to run or its overlap has ended: the new role's access once screening allows,
/// the old role's removal once the overlap in policies/movers.yaml has passed. A case only waiting for the overlap is
/// NotDue, with DueAt the instant the old access goes.
/// Without -PersonId, everyone with Status Onboarding or Leaving, HR's Candidates, and everyone with a mover case due, is considered and each gets one result. With
/// -PersonId (or piped objects with a PersonId property, such as Invoke-IsmsHrEvent's outcomes or Import-IsmsHrFeed's
/// summary), only those people. A re-delivered HR event piped in finds the finished case and sends nothing to Graph.
/// Output: one IsmsOps.Engine.Lifecycle.LifecycleResult per person: PersonId, Work (Onboarding, Offboarding, Mover
/// or Nothing), CaseId, Status (the case's status; for Nothing: NotDue, Done, Blocked, NotApplicable or NotFound; Error
/// when the work could not start), Reason, ErrorId, DueAt and PersonStatus. A person whose work failed (a failed step,
/// no account to offboard, an unknown person) also gets a non-terminating error with the ErrorId, so a scheduled job
/// can exit non-zero; the others carry on. Up to -ThrottleLimit people are worked at once.
/// Every run records its decisions (Lifecycle.Decided) before any work and its results (Lifecycle.Finished) after, in
/// the audit trail, by person id, case id and status; each case audits its own steps. -WhatIf lists the work and
/// changes nothing.
/// Needs a Microsoft Graph connection (Connect-IsmsGraph); without one the command stops with IsmsOps.Graph.NotConnected
/// and changes nothing. Graph permissions: those listed for Invoke-IsmsLifecycle in docs/graph-permissions.md.
/// </remarks>
/// <example>
/// <code>Invoke-IsmsLifecycle -Confirm:$false</code>
/// <para>Onboards every due joiner, offboards every leaver past their end date and carries on every due role change; a
/// scheduled job runs this after importing the HR feed.</para>
/// </example>
/// <example>
/// <code>Invoke-IsmsHrEvent -Json $body | Invoke-IsmsLifecycle -Confirm:$false</code>
/// <para>Applies a webhook's HR event and does the work it makes due for that person at once; a re-delivery does nothing.</para>
/// </example>
/// <example>
/// <code>Import-IsmsHrFeed ./hr/export.csv -MappingPath ./hr/mapping.yaml | Invoke-IsmsLifecycle -Confirm:$false</code>
/// <para>Works on the people the import raised events for.</para>
/// </example>
/// <example>
/// <code>Invoke-IsmsLifecycle -WhatIf</code>
/// <para>Lists who would be onboarded or offboarded now, changing nothing.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Invoke, "IsmsLifecycle", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(LifecycleResult))]
public sealed class InvokeIsmsLifecycleCommand : IsmsCmdlet
{
    private readonly List<string> _personIds = [];
    private bool _named;

    /// <summary>
    /// The people to work on (PersonIds from the register). Without it, everyone with Status Onboarding or Leaving.
    /// Binds from the PersonId property of piped objects.
    /// </summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [AllowEmptyCollection]
    [ArgumentCompleter(typeof(PersonIdCompleter))]
    public string[]? PersonId { get; set; }

    /// <summary>How many people are worked on at once (1 to 64, default 8). Graph throttles per application and tenant, so more is not always faster.</summary>
    [Parameter]
    [ValidateRange(1, OffboardingFeed.MaximumThrottleLimit)]
    public int ThrottleLimit { get; set; } = OffboardingFeed.DefaultThrottleLimit;

    /// <summary>How many days before their start date a joiner is onboarded (0 to 90, default 1).</summary>
    [Parameter]
    [ValidateRange(0, 90)]
    public int JoinerLeadDays { get; set; } = 1;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (MyInvocation.BoundParameters.ContainsKey(nameof(PersonId)))
        {
            _named = true;
            _personIds.AddRange((PersonId ?? []).Where(id => !string.IsNullOrWhiteSpace(id)));
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        LifecycleRunner? runner = null;
        IReadOnlyList<LifecycleDecision> decisions = [];
        StopOnError(() =>
        {
            GraphConnection connection = ModuleSession.GraphConnection ?? throw new IsmsException("IsmsOps.Graph.NotConnected", IsmsErrorKind.InvalidArgument,
                "Invoke-IsmsLifecycle starts onboarding and offboarding through Microsoft Graph, and this session has no Graph connection. Nothing was changed.",
                "Run Connect-IsmsGraph first (in a scheduled job: with a certificate or a managed identity), or Start-IsmsSandbox to try it against the sandbox.");
            runner = new LifecycleRunner(Workspace, ModuleSession.LoadRoleCatalog(), connection, new LifecycleOptions { JoinerLead = TimeSpan.FromDays(JoinerLeadDays) });
            decisions = Run(ct => runner.DecideAsync(_named ? _personIds : null, ct));
        });

        if (_named && _personIds.Count == 0)
        {
            WriteVerbose("No PersonId came through the pipeline; nothing to do.");
            return;
        }

        var approved = new List<LifecycleDecision>();
        foreach (LifecycleDecision decision in decisions)
        {
            if (decision.Work == LifecycleWork.Nothing)
            {
                approved.Add(decision);
                continue;
            }

            string action = decision.Status == "Start" ? $"Start {decision.Work}" : $"Resume {decision.Work} case {decision.CaseId}";
            if (ShouldProcess($"person {decision.PersonId}", $"{action}: {decision.Reason}"))
            {
                approved.Add(decision);
            }
        }

        if (WhatIfRequested)
        {
            return;
        }

        StopOnError(() => Run(ct => runner!.RunAsync(approved, ThrottleLimit, Operation, result => Post(() => WriteResult(result)), ct)));
    }

    private void WriteResult(LifecycleResult result)
    {
        WriteObject(result);
        if (result.Error is IsmsException error)
        {
            WriteIsmsError(error);
        }
        else if (result.Work == LifecycleWork.Onboarding && result.Status == "Blocked")
        {
            WriteWarning($"Person {result.PersonId}, onboarding case {result.CaseId}: {result.Reason}");
        }
    }
}
