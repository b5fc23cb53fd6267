using System.Management.Automation;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Offboarding;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Carries an offboarding case on from where it stopped, and verifies it again.</summary>
/// <remarks>
/// Runs every step of the case that is not settled (Pending or Failed: after a crash, throttling, a missing permission
/// since granted), stores each as it settles with its audit event, re-reads the directory, and closes the case on what
/// the directory holds. Settled steps are not run again, so resuming a finished case changes nothing in the directory;
/// it re-verifies and writes the case. A case that ends Failed again is reported as IsmsOps.Offboarding.StepsFailed, and
/// one Graph stopped answering for as IsmsOps.Offboarding.Interrupted; both name what to fix.
/// Graph permissions: those listed for Resume-IsmsOffboarding in docs/graph-permissions.md.
/// </remarks>
/// <example>
/// <code>Resume-IsmsOffboarding -CaseId OFB-20261123-3F2A</code>
/// <para>Finishes the case after a failed step's cause was fixed.</para>
/// </example>
/// <example>
/// <code>Get-IsmsOffboarding -Open | Resume-IsmsOffboarding</code>
/// <para>Carries on every open case, as a scheduled job would after an outage.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Resume, "IsmsOffboarding", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(OffboardingCase))]
public sealed class ResumeIsmsOffboardingCommand : IsmsCmdlet
{
    /// <summary>The case to carry on, as Start-IsmsOffboarding or Get-IsmsOffboarding returned it.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string CaseId { get; set; } = string.Empty;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        ForEachItem(() =>
        {
            GraphConnection connection = ModuleSession.RequireGraphConnection();
            if (!ShouldProcess(CaseId, "Run the steps not yet settled and verify the case"))
            {
                return;
            }

            var service = new OffboardingService(Workspace.Offboarding, connection);
            OffboardingOutcome outcome = Run(ct => service.ResumeAsync(CaseId, Operation, ct));
            foreach (RemainingAccess left in outcome.Verification.Remaining.Where(r => r.RemovableThroughGraph))
            {
                WriteWarning($"{outcome.Case.UserPrincipalName} still holds {left.Kind} '{left.ResourceDisplayName}': {left.Why}");
            }

            WriteObject(outcome.Case);
            // A case that ended Failed is an error a scheduled job must see, not only a status on the object.
            if (outcome.ToError() is { } failed)
            {
                WriteIsmsError(failed);
            }
        });
    }
}
