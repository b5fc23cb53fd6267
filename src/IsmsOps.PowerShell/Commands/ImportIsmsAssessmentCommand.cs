using System.Management.Automation;
using IsmsOps.Engine.Assessment;
using IsmsOps.Engine.Assessment.Reports;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Reads a Json assessment report back into control results.</summary>
/// <remarks>
/// Reads a file Export-IsmsAssessmentReport -Format Json wrote and writes its control results to the pipeline, the
/// same objects Invoke-IsmsAssessment writes: run info, control, outcome, findings (with the original outcome under a
/// waived one) and waivers. Pipe them into Export-IsmsAssessmentReport for another format, or give two runs to
/// Compare-IsmsAssessment. A file that is not such a report is refused with its line (IsmsOps.Assessment.InvalidReport).
/// Graph permissions: none.
/// </remarks>
/// <example>
/// <code>Import-IsmsAssessment ./reports/assessment.json | Where-Object Outcome -eq Fail</code>
/// <para>Lists the failing controls of a stored run.</para>
/// </example>
[Cmdlet(VerbsData.Import, "IsmsAssessment", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(ControlResult))]
public sealed class ImportIsmsAssessmentCommand : IsmsCmdlet
{
    /// <summary>The Json report to read.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LiteralPath", "FullName")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        string file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        // Reading changes nothing; ShouldProcess is here because every Import- cmdlet of the module offers -WhatIf.
        if (ShouldProcess(file, "Read the assessment report"))
        {
            ForEachItem(() => WriteObject(AssessmentReportJson.Read(file), enumerateCollection: true));
        }
    }
}
