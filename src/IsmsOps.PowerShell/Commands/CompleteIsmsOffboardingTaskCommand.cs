using System.Management.Automation;
using IsmsOps.Engine.Offboarding;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Records that a person did one of an offboarding case's manual tasks.</summary>
/// <remarks>
/// Manual tasks are the steps Graph cannot do: a membership the on-premises directory or Exchange Online owns, a
/// dynamic group's rule, direct reports of a leaver who has no manager, the return of a laptop. Confirming one marks
/// the step Done with who confirmed it (the current user) and the note, in the case and in the audit trail. When the
/// last manual task of a case completed with manual tasks is confirmed, the case becomes Completed. Confirming the same
/// task twice changes nothing; a step that is not a manual task is refused (IsmsOps.Offboarding.NotAManualTask).
/// Graph permissions: none (it records a person's work; it does not call Graph).
/// </remarks>
/// <example>
/// <code>Complete-IsmsOffboardingTask -CaseId OFB-20261123-3C04CE -Sequence 7 -Note 'Removed from GG-Finance in on-premises AD, change CHG0042'</code>
/// <para>Confirms step 7 of the case, with the change reference.</para>
/// </example>
/// <example>
/// <code>$case = Get-IsmsOffboarding -CaseId OFB-20261123-3C04CE
/// $case.Steps | Where-Object { "$($_.Status)" -eq 'ManualTask' } | ForEach-Object { Complete-IsmsOffboardingTask -CaseId $case.CaseId -Sequence $_.Sequence -Note 'Done by the service desk' }</code>
/// <para>Confirms every open manual task of a case.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Complete, "IsmsOffboardingTask", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(OffboardingCase))]
public sealed class CompleteIsmsOffboardingTaskCommand : IsmsCmdlet
{
    /// <summary>The offboarding case the task belongs to.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string CaseId { get; set; } = string.Empty;

    /// <summary>The task's step number (Sequence), as Get-IsmsOffboarding lists the case's steps.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipelineByPropertyName = true)]
    [ValidateRange(1, int.MaxValue)]
    public int Sequence { get; set; }

    /// <summary>What was done, and where the proof is (a change or ticket reference).</summary>
    [Parameter]
    public string? Note { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (!ShouldProcess($"{CaseId} step {Sequence}", "Record the manual task as done"))
        {
            return;
        }

        ForEachItem(() => WriteObject(Run((w, ct) => w.Offboarding.ConfirmManualTaskAsync(CaseId, Sequence, Note, Operation, ct))));
    }
}
