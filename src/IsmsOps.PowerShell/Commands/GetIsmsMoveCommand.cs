using System.Management.Automation;
using IsmsOps.Engine.Movers;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Gets mover cases: each role change, its grants, the old access it removes, and when.</summary>
/// <remarks>
/// Returns the mover cases of the people given (all cases without -PersonId), newest first. A case is opened when a
/// person's JobRole changes from one catalog role to another (Set-IsmsPerson -JobRole, or an HR Mover event) and the
/// person has a linked account. Each case shows its status (WaitingForScreening, Granting, OverlapRunning, Completed,
/// Failed, Superseded), the roles it moves between, the grants and removals still pending, and RemoveOldAfter: when the
/// old role's access may go (the overlap in policies/movers.yaml). GrantSteps and RemovalSteps hold each step with its
/// status, reason and Graph request-id. -Due lists the open cases Start-IsmsMove would act on now: grants to make, or
/// old access whose overlap has passed.
/// Graph permissions: none (this cmdlet reads only the IsmsOps store).
/// </remarks>
/// <example>
/// <code>Get-IsmsMove -Due | Start-IsmsMove -Confirm:$false</code>
/// <para>Runs every mover case with something to do now; a scheduled job does this daily.</para>
/// </example>
/// <example>
/// <code>(Get-IsmsMove -PersonId E1001).RemovalSteps</code>
/// <para>Shows the old access E1001's move removes, with each step's status and Graph request-id.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "IsmsMove")]
[OutputType(typeof(MoverCase))]
public sealed class GetIsmsMoveCommand : IsmsCmdlet
{
    /// <summary>Only the cases of these people.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [ArgumentCompleter(typeof(PersonIdCompleter))]
    public string[]? PersonId { get; set; }

    /// <summary>Only cases with these statuses.</summary>
    [Parameter]
    public MoverCaseStatus[]? Status { get; set; }

    /// <summary>Only open cases with work to do now: grants to make, or old access whose overlap has passed.</summary>
    [Parameter]
    public SwitchParameter Due { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        ForEachItem(() =>
        {
            foreach (string? person in PersonId is { Length: > 0 } ids ? ids : new string?[] { null })
            {
                var query = new MoverCaseQuery { PersonId = person, Statuses = Status ?? [], DueAt = Due ? DateTimeOffset.UtcNow : null };
                WriteObject(Run((w, ct) => w.Movers.FindAsync(query, ct)), enumerateCollection: true);
            }
        });
    }
}
