using System.Management.Automation;
using IsmsOps.Engine.Assessment;
using IsmsOps.Engine.Assessment.Applicability;
using IsmsOps.Engine.Policies;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Writes the statement of applicability: every ISO/IEC 27001:2022 Annex A control, whether it applies and why, and which IsmsOps controls implement it.</summary>
/// <remarks>
/// Lists all 93 Annex A controls (A.5.1-A.5.37, A.6.1-A.6.8, A.7.1-A.7.14, A.8.1-A.8.34) with a short title in IsmsOps'
/// own words, whether the control applies and the justification (from statement-of-applicability.yaml in the policy
/// folder, $ISMSOPS_POLICIES or the module's; a control it does not list applies with the default justification), and
/// the IsmsOps controls whose iso27001:2022 references name it, with their outcomes in the control results piped in.
/// Status reads Passing, Failing (an implementing control fails or did not run), NotAutomated (applies, no IsmsOps
/// control gives evidence) or NotApplicable. Writes Csv, Html (self-contained) or Markdown; with several formats -Path
/// is a folder holding statement-of-applicability.csv/.html/.md. Existing files are replaced only with -Force.
/// Graph permissions: none.
/// </remarks>
/// <example>
/// <code>Invoke-IsmsAssessment | Export-IsmsStatementOfApplicability -Format Html,Csv -Path ./reports</code>
/// <para>Writes the statement with the current outcome of each implementing control.</para>
/// </example>
[Cmdlet(VerbsData.Export, "IsmsStatementOfApplicability", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(FileInfo), typeof(StatementOfApplicabilityEntry))]
public sealed class ExportIsmsStatementOfApplicabilityCommand : IsmsCmdlet
{
    private readonly List<ControlResult> _results = [];

    /// <summary>Control results whose references say which Annex A controls IsmsOps gives evidence for; none lists every control as NotAutomated.</summary>
    [Parameter(ValueFromPipeline = true)]
    public ControlResult[] InputObject { get; set; } = [];

    /// <summary>A folder to write into (created when missing), or for a single format the file to write.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Alias("PSPath", "LiteralPath")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>The formats: Csv, Html, Markdown. Html when not given.</summary>
    [Parameter(Position = 1)]
    [ValidateNotNullOrEmpty]
    public StatementOfApplicabilityFormat[] Format { get; set; } = [StatementOfApplicabilityFormat.Html];

    /// <summary>The applicability policy file to read instead of statement-of-applicability.yaml in the policy folder.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PolicyPath { get; set; }

    /// <summary>Replaces files that already exist.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Also writes the 93 entries to the pipeline, after the files.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (InputObject is not null)
        {
            _results.AddRange(InputObject.Where(r => r is not null));
        }
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        string target = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (!ShouldProcess(target, $"Write the statement of applicability ({string.Join(", ", Format.Distinct())})"))
        {
            return;
        }

        StopOnError(() =>
        {
            ApplicabilityPolicy policy = PolicyPath is null
                ? ApplicabilityPolicy.From(PolicyFolder.Resolve(ModuleSession.ShippedPolicyFolder))
                : ApplicabilityPolicy.Load(SessionState.Path.GetUnresolvedProviderPathFromPSPath(PolicyPath));
            IReadOnlyList<StatementOfApplicabilityEntry> entries = StatementOfApplicability.Build(policy, _results);
            foreach (string file in StatementOfApplicability.Write(entries, Format, target, Force, DateTimeOffset.UtcNow))
            {
                WriteObject(new FileInfo(file));
            }

            if (PassThru)
            {
                WriteObject(entries, enumerateCollection: true);
            }
        });
    }
}
