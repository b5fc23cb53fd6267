using System.Management.Automation;
using IsmsOps.Engine;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Movers;
using IsmsOps.Engine.Roles;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Runs a mover's open case: grants the new role's access and, once the overlap has passed, removes the old role's.</summary>
/// <remarks>
/// The first run resolves both roles of the case in the directory (one $batch) and stores the plan: the new role's
/// birthright groups, licences and app roles to grant, and what the old role grants that the new one does not, to
/// remove. Access both roles grant is left alone. A move to a role whose screening level for the person's Location is
/// higher than the old role's grants nothing until that screening is Cleared or validly Waived; every run records the
/// gate's decision in the audit trail (Mover.GateDecided). Grants go out in one parallel $batch. The old access is
/// removed through the offboarding step runner once RemoveOldAfter has passed: the overlap in policies/movers.yaml
/// (overlap, 14 days by default; privilegedOverlap, at once by default, when the old role is privileged). Every step is
/// audited with its Graph request-id. A grant already in place, or access already gone, counts as done, so running a
/// case again changes nothing it should not; run it daily (Get-IsmsMove -Due | Start-IsmsMove) so removals happen when
/// due. A person with no open case is a non-terminating IsmsOps.Mover.NoOpenCase error.
/// Graph permissions: those listed for Start-IsmsMove in docs/graph-permissions.md.
/// </remarks>
/// <example>
/// <code>Start-IsmsMove -PersonId E1001 -Confirm:$false</code>
/// <para>Grants E1001's new role's access now, and removes the old role's when the overlap has passed.</para>
/// </example>
/// <example>
/// <code>Get-IsmsMove -Due | Start-IsmsMove -Confirm:$false</code>
/// <para>Runs every case with something to do now.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Start, "IsmsMove", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(MoverCase))]
public sealed class StartIsmsMoveCommand : IsmsCmdlet
{
    /// <summary>The PersonId of the mover; binds from a piped person or mover case.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PersonIdCompleter))]
    public string PersonId { get; set; } = string.Empty;

    private RoleCatalog? _catalog;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        ForEachItem(() =>
        {
            MoverCase? open = Run((w, ct) => w.Movers.FindOpenAsync(PersonId, ct));
            if (open is null)
            {
                WriteIsmsError(new IsmsException("IsmsOps.Mover.NoOpenCase", IsmsErrorKind.NotFound,
                    $"Person '{PersonId}' has no open mover case. Nothing was changed.",
                    "A case opens when the person's JobRole changes from one catalog role to another while they have a linked account (Set-IsmsPerson -JobRole); Get-IsmsMove lists the cases.", PersonId));
                return;
            }

            if (!ShouldProcess($"{PersonId} ({open.FromRoleId} -> {open.ToRoleId}, case {open.CaseId})",
                    $"Grant the new role's access ({(open.Planned ? open.PendingGrants.ToString(System.Globalization.CultureInfo.InvariantCulture) : "all")} grant(s)) once screening allows; remove the old role's access after {open.RemoveOldAfter:u}"))
            {
                return;
            }

            GraphConnection connection = ModuleSession.RequireGraphConnection();
            var service = new MoverService(Workspace, _catalog ??= ModuleSession.LoadRoleCatalog(), connection);
            MoverOutcome outcome = Run(ct => service.RunAsync(PersonId, Operation, ct));
            WriteObject(outcome.Case);
            if (outcome.ToError() is IsmsException failed)
            {
                WriteIsmsError(failed);
            }
            else if (outcome.Case?.Status == MoverCaseStatus.WaitingForScreening)
            {
                WriteWarning($"Mover case {outcome.Case.CaseId}: {outcome.PendingBecause} Run Start-IsmsMove -PersonId {PersonId} again once it is cleared.");
            }
            else if (outcome.Pending)
            {
                WriteVerbose($"Mover case {outcome.Case?.CaseId}: {outcome.PendingBecause}");
            }
        });
    }
}
