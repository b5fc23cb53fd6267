using System.Management.Automation;
using IsmsOps.Engine;
using IsmsOps.Engine.Assessment;
using IsmsOps.Engine.Assessment.Reports;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Shows the drift between two assessment runs: new failures, fixed, still failing, and controls added or removed.</summary>
/// <remarks>
/// Compares the control results of a reference (older) run with a difference (newer) run, per control and resource.
/// Either side may be control results (from Invoke-IsmsAssessment or Import-IsmsAssessment) or the path of a Json
/// report. Writes one object per change: NewFailure (fails now, did not before), Fixed (failed before, passes now, is
/// waived now, or is gone), StillFailing, NewControl and RemovedControl. Only a Fail outcome counts as failing, so a
/// newly waived finding shows as Fixed with its Waived outcome. Resources are matched by type and id, so a renamed
/// account is the same resource.
/// Graph permissions: none.
/// </remarks>
/// <example>
/// <code>Compare-IsmsAssessment -ReferenceObject ./last-month/assessment.json -DifferenceObject ./reports/assessment.json</code>
/// <para>Lists what changed since last month's run.</para>
/// </example>
/// <example>
/// <code>Invoke-IsmsAssessment | Compare-IsmsAssessment -ReferenceObject ./main/assessment.json | Where-Object Kind -eq NewFailure</code>
/// <para>Only the new failures of a fresh run against the main branch's report.</para>
/// </example>
[Cmdlet(VerbsData.Compare, "IsmsAssessment")]
[OutputType(typeof(AssessmentDrift))]
public sealed class CompareIsmsAssessmentCommand : IsmsCmdlet
{
    private readonly List<object> _difference = [];

    /// <summary>The older run: control results, or the path of its Json report.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNull]
    public object[] ReferenceObject { get; set; } = [];

    /// <summary>The newer run: control results (from the pipeline too), or the path of its Json report.</summary>
    [Parameter(Mandatory = true, Position = 1, ValueFromPipeline = true)]
    [ValidateNotNull]
    public object[] DifferenceObject { get; set; } = [];

    /// <inheritdoc />
    protected override void ProcessRecord() => _difference.AddRange(DifferenceObject);

    /// <inheritdoc />
    protected override void EndProcessing() => StopOnError(() =>
    {
        List<ControlResult> reference = Results(ReferenceObject, nameof(ReferenceObject));
        List<ControlResult> difference = Results(_difference, nameof(DifferenceObject));
        WriteObject(AssessmentComparison.Compare(reference, difference), enumerateCollection: true);
    });

    private List<ControlResult> Results(IEnumerable<object> items, string parameter)
    {
        var results = new List<ControlResult>();
        foreach (object item in items)
        {
            object value = item is PSObject wrapped ? wrapped.BaseObject : item;
            switch (value)
            {
                case ControlResult result:
                    results.Add(result);
                    break;
                case string path:
                    results.AddRange(AssessmentReportJson.Read(SessionState.Path.GetUnresolvedProviderPathFromPSPath(path)));
                    break;
                case FileInfo file:
                    results.AddRange(AssessmentReportJson.Read(file.FullName));
                    break;
                default:
                    throw new IsmsException("IsmsOps.Assessment.NotAResult", IsmsErrorKind.InvalidArgument,
                        $"-{parameter} holds a {value.GetType().Name}, which is neither a control result nor the path of a Json report.",
                        "Pass the output of Invoke-IsmsAssessment or Import-IsmsAssessment, or the path of a file written by Export-IsmsAssessmentReport -Format Json.", value);
            }
        }

        return results;
    }
}
