using System.Management.Automation;
using IsmsOps.Engine.Offboarding;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Gets offboarding cases: their steps, what blocks them, and their deadline.</summary>
/// <remarks>
/// Reads the store only (no Graph). Each case shows the leaver, its status (Planned, Running, Completed,
/// CompletedWithManualTasks, Failed), its deadline (DueAt, from the employment type and urgency), whether it is overdue,
/// and its steps with their status and reason; Failed and Pending steps are what blocks it, ManualTask steps are what a
/// person must still do outside Graph.
/// Graph permissions: none.
/// </remarks>
/// <example>
/// <code>Get-IsmsOffboarding -Open</code>
/// <para>Every case not yet completed.</para>
/// </example>
/// <example>
/// <code>Get-IsmsOffboarding -Overdue | ForEach-Object { $_.Steps | Where-Object Status -ne Done }</code>
/// <para>What holds up every case past its deadline.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "IsmsOffboarding", DefaultParameterSetName = QuerySet)]
[OutputType(typeof(OffboardingCase))]
public sealed class GetIsmsOffboardingCommand : IsmsCmdlet
{
    private const string QuerySet = "Query";
    private const string CaseSet = "CaseId";

    /// <summary>One case by its id.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = CaseSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string CaseId { get; set; } = string.Empty;

    /// <summary>Cases of this person in the register.</summary>
    [Parameter(ParameterSetName = QuerySet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PersonIdCompleter))]
    public string? PersonId { get; set; }

    /// <summary>Only cases not yet completed.</summary>
    [Parameter(ParameterSetName = QuerySet)]
    public SwitchParameter Open { get; set; }

    /// <summary>Only open cases past their deadline.</summary>
    [Parameter(ParameterSetName = QuerySet)]
    public SwitchParameter Overdue { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        ForEachItem(() =>
        {
            if (ParameterSetName == CaseSet)
            {
                WriteObject(Run((w, ct) => w.Offboarding.GetAsync(CaseId, ct)));
                return;
            }

            var query = new OffboardingCaseQuery
            {
                PersonId = PersonId,
                OpenOnly = Open || Overdue,
                OverdueAt = Overdue ? DateTimeOffset.UtcNow : null,
            };
            WriteObject(Run((w, ct) => w.Offboarding.FindAsync(query, ct)), enumerateCollection: true);
        });
    }
}
