using System.Management.Automation;
using IsmsOps.Engine;
using IsmsOps.Engine.Offboarding;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Writes one evidence record per leaver: the offboarding case as JSON, and a page a person can read.</summary>
/// <remarks>
/// For each offboarding case, writes &lt;CaseId&gt;.evidence.json and &lt;CaseId&gt;.evidence.html into the folder you
/// name. The record holds the case (leaver, urgency, effective date, deadline, when it closed, whether and by how much
/// the deadline was missed), every step with its status, reason, attempts, Graph request-id, the directory's state
/// before and after and its times, the manual tasks with who confirmed them, the directory verification (what remains
/// and why), and every audit event about the case with its hashes, anchored to the trail's verified head and newest
/// signed checkpoint. The page is one self-contained HTML file (no scripts, no links out) with the same content.
/// Test-IsmsOffboardingEvidence checks a record against the audit trail; docs/offboarding-evidence.md says how to check
/// it by hand.
/// Reads the store only (no Graph). A record is written only from an audit trail that verifies and a case that agrees
/// with its audit events; otherwise the export fails (IsmsOps.Evidence.TrailInvalid, IsmsOps.Evidence.Inconsistent).
/// Existing files are replaced only with -Force (IsmsOps.Evidence.Exists). The export is audited as
/// Offboarding.EvidenceExported with the JSON file's SHA-256, which the output also shows. No secret or token is ever
/// in the record: the audit trail holds none, and Graph tokens are never stored.
/// Graph permissions: none.
/// </remarks>
/// <example>
/// <code>Export-IsmsOffboardingEvidence -CaseId OFB-20261123-3C04CE -Path ./evidence</code>
/// <para>Writes ./evidence/OFB-20261123-3C04CE.evidence.json and .evidence.html.</para>
/// </example>
/// <example>
/// <code>Get-IsmsOffboarding -PersonId E1003 | Export-IsmsOffboardingEvidence -Path ./evidence -Force</code>
/// <para>Exports every case of person E1003, replacing earlier exports.</para>
/// </example>
/// <example>
/// <code>Export-IsmsOffboardingEvidence -PersonId E1003 -Path ./evidence | Test-IsmsOffboardingEvidence</code>
/// <para>Exports the person's cases and checks each record against the audit trail at once.</para>
/// </example>
[Cmdlet(VerbsData.Export, "IsmsOffboardingEvidence", DefaultParameterSetName = CaseSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(OffboardingEvidenceExportResult))]
public sealed class ExportIsmsOffboardingEvidenceCommand : IsmsCmdlet
{
    private const string CaseSet = "CaseId";
    private const string PersonSet = "PersonId";

    /// <summary>The offboarding case, as Get-IsmsOffboarding or Start-IsmsOffboarding returned it.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = CaseSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    public string CaseId { get; set; } = string.Empty;

    /// <summary>A person in the register: every offboarding case of theirs is exported.</summary>
    [Parameter(Mandatory = true, ParameterSetName = PersonSet, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(PersonIdCompleter))]
    public string PersonId { get; set; } = string.Empty;

    /// <summary>The folder to write into (it must exist); the files are named &lt;CaseId&gt;.evidence.json and &lt;CaseId&gt;.evidence.html.</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [Alias("PSPath", "LiteralPath", "Folder")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Replaces evidence files of the same case already in the folder.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    // The trail as this run reads it: read and verified once, on the first case, for every case piped in.
    private OffboardingTrailReading? _reading;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        ForEachItem(() =>
        {
            string folder = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            IEnumerable<string> caseIds = ParameterSetName == CaseSet ? [CaseId] : CasesOf(PersonId);
            foreach (string caseId in caseIds)
            {
                if (!ShouldProcess($"{caseId} -> {folder}", "Export the offboarding evidence record and page"))
                {
                    continue;
                }

                OffboardingTrailReading reading = _reading ??= new OffboardingTrailReading(Workspace.Audit, Workspace.RetiredTrustedKeyIds());
                ForEachItem(() => WriteObject(Run((w, ct) => OffboardingEvidenceExport.WriteAsync(
                    w.Offboarding, reading, caseId, folder, Force, Operation, ct))));
            }
        });
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        if (_reading is { TrailReads: > 0 } reading)
        {
            WriteVerbose($"The audit trail was read {reading.TrailReads} time(s) for this run.");
        }
    }

    private List<string> CasesOf(string personId)
    {
        IReadOnlyList<OffboardingCase> cases = Run((w, ct) => w.Offboarding.FindAsync(new OffboardingCaseQuery { PersonId = personId }, ct));
        if (cases.Count == 0)
        {
            throw new IsmsException("IsmsOps.Evidence.NoCase", IsmsErrorKind.NotFound,
                $"Person '{personId}' has no offboarding case, so there is no evidence to export.",
                "Check the PersonId with Get-IsmsOffboarding, or start the offboarding with Start-IsmsOffboarding.", personId);
        }

        return cases.Select(c => c.CaseId).ToList();
    }
}
