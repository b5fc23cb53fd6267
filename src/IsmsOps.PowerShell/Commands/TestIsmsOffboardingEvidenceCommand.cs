using System.Management.Automation;
using IsmsOps.Engine.Offboarding;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Checks an offboarding evidence record against the audit trail.</summary>
/// <remarks>
/// Proves a &lt;CaseId&gt;.evidence.json record that Export-IsmsOffboardingEvidence wrote, in three layers: every audit
/// event in it recomputes to its SHA-256 hash and links to the event before it; every event is in the audit trail at
/// the same sequence with the same content, none of the case's events is left out, the trail verifies and the record's
/// signed checkpoint agrees with it; and the case (deadline, status, close), each step (status, reason, attempts, Graph
/// request-id, before and after state, times, who confirmed a manual task) and the verification say what the events
/// say. The result's Valid is false if anything differs, and Findings names each event, step and field that does.
/// Notices (events about the case after the record was made, the export event that matches the file's SHA-256) do not
/// make a record invalid.
/// Without -AuditTrailPath the record is checked against this store's trail. With it, against an Export-IsmsAuditTrail
/// file, offline, on any machine: give -TrustedKeyId to insist on the signing key your organisation recorded.
/// Graph permissions: none.
/// </remarks>
/// <example>
/// <code>Test-IsmsOffboardingEvidence -Path ./evidence/OFB-20261123-3C04CE.evidence.json</code>
/// <para>Checks the record against the store's audit trail.</para>
/// </example>
/// <example>
/// <code>Test-IsmsOffboardingEvidence -Path ./OFB-20261123-3C04CE.evidence.json -AuditTrailPath ./trail.jsonl -TrustedKeyId 3f1c...e9</code>
/// <para>An auditor checks the record offline against an exported trail signed by the organisation's key.</para>
/// </example>
/// <example>
/// <code>(Test-IsmsOffboardingEvidence -Path $file).Findings | Where-Object Severity -eq Error</code>
/// <para>Lists what is wrong with a record that does not check.</para>
/// </example>
[Cmdlet(VerbsDiagnostic.Test, "IsmsOffboardingEvidence")]
[OutputType(typeof(OffboardingEvidenceCheck))]
public sealed class TestIsmsOffboardingEvidenceCommand : IsmsCmdlet
{
    /// <summary>The evidence record (&lt;CaseId&gt;.evidence.json); Export-IsmsOffboardingEvidence output binds by its JsonPath.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LiteralPath", "JsonPath")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>An Export-IsmsAuditTrail events file (.jsonl, its manifest beside it) to check against instead of the store.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? AuditTrailPath { get; set; }

    /// <summary>Key ids (SHA-256 fingerprints) allowed to have signed the trail's and the record's checkpoints.</summary>
    [Parameter]
    public string[]? TrustedKeyId { get; set; }

    // The store's trail as this run reads it: read and verified once, on the first record, for every record piped in.
    private OffboardingTrailReading? _reading;

    // The exported trail as this run reads it, and which file that is.
    private OffboardingTrailReading? _exportReading;
    private string? _exportReadingPath;
    private int _earlierExportReads;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        ForEachItem(() =>
        {
            string file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
            OffboardingEvidenceCheck result;
            if (AuditTrailPath is not null)
            {
                string export = SessionState.Path.GetUnresolvedProviderPathFromPSPath(AuditTrailPath);
                WriteVerbose($"Checking '{file}' against the exported trail '{export}'.");
                // One reading per exported trail for the whole run; a different -AuditTrailPath per record gets its own.
                if (_exportReading is null || !string.Equals(_exportReadingPath, export, StringComparison.Ordinal))
                {
                    _earlierExportReads += _exportReading?.TrailReads ?? 0;
                    (_exportReading, _exportReadingPath) = (OffboardingTrailReading.OfExport(export, TrustedKeyId), export);
                }

                OffboardingTrailReading exported = _exportReading;
                result = Run(ct => OffboardingEvidenceChecker.CheckAgainstReadingAsync(file, exported, ct));
                if (TrustedKeyId is null)
                {
                    WriteWarning("No -TrustedKeyId was given: any validly signed checkpoint is accepted. Compare the signing key id in the record with the one your organisation recorded.");
                }
            }
            else
            {
                WriteVerbose($"Checking '{file}' against the audit trail in '{Workspace.Store.Description}'.");
                OffboardingTrailReading reading = _reading ??= new OffboardingTrailReading(Workspace.Audit, Workspace.RetiredTrustedKeyIds().Concat(TrustedKeyId ?? []));
                result = Run(ct => OffboardingEvidenceChecker.CheckAgainstStoreAsync(file, reading, ct));
            }

            WriteObject(result);
        });
    }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        int reads = (_reading?.TrailReads ?? 0) + _earlierExportReads + (_exportReading?.TrailReads ?? 0);
        if (reads > 0)
        {
            WriteVerbose($"The audit trail was read {reads} time(s) for this run.");
        }
    }
}
