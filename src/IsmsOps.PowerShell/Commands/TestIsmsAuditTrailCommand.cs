using System.Management.Automation;
using IsmsOps.Engine.Audit;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Verifies that the audit trail, or an export of it, has not been tampered with.</summary>
/// <remarks>
/// Recomputes every event's SHA-256 hash and its link to the event before, and checks the signature of the newest
/// signed checkpoint. Reports whether the trail is intact and, if not, the first bad sequence number and the kind of
/// tampering: Edit, Delete, Insert, Reorder, Truncation, Rewrite (a rebuilt chain) or InvalidCheckpoint.
/// Without -Path it verifies the store, trusting the store's signing key and any public keys in keys/trusted.
/// With -Path it verifies an export offline, as an auditor would; give -TrustedKeyId to insist on the key your
/// organisation recorded, otherwise compare SigningKeyId in the result yourself.
/// The result is an object; scripts test its IsValid property (for example to exit non-zero from a scheduled job).
/// Graph permissions: none.
/// </remarks>
/// <example>
/// <code>Test-IsmsAuditTrail</code>
/// <para>Verifies the store's trail.</para>
/// </example>
/// <example>
/// <code>Test-IsmsAuditTrail -Path ./evidence/trail.jsonl -TrustedKeyId 3f1c...e9</code>
/// <para>Verifies an export offline against the signing key the organisation published.</para>
/// </example>
/// <example>
/// <code>if (-not (Test-IsmsAuditTrail).IsValid) { exit 2 }</code>
/// <para>Fails a scheduled job when the trail does not verify.</para>
/// </example>
[Cmdlet(VerbsDiagnostic.Test, "IsmsAuditTrail", DefaultParameterSetName = StoreSet)]
[OutputType(typeof(AuditVerificationResult))]
public sealed class TestIsmsAuditTrailCommand : IsmsCmdlet
{
    private const string StoreSet = "Store";
    private const string ExportSet = "Export";

    /// <summary>An export's events file (.jsonl) written by Export-IsmsAuditTrail; its manifest must sit beside it.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = ExportSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LiteralPath")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Key ids (SHA-256 fingerprints) allowed to have signed the newest checkpoint.</summary>
    [Parameter]
    public string[]? TrustedKeyId { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        ForEachItem(() =>
        {
            AuditVerificationResult result;
            if (ParameterSetName == ExportSet)
            {
                string file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
                WriteVerbose($"Verifying the export '{file}'.");
                result = Run(ct => Task.FromResult(AuditExport.Verify(file, TrustedKeyId, ct)));
                if (TrustedKeyId is null && result.SigningKeyId is not null)
                {
                    WriteWarning($"The export was signed by key {result.SigningKeyId}. Compare it with the key id your organisation recorded, or pass -TrustedKeyId.");
                }
            }
            else
            {
                long total = Run((w, ct) => w.Audit.CountAsync(ct));
                WriteVerbose($"Verifying {total:N0} events in '{Workspace.Store.Description}'.");
                IProgress<long> progress = ProgressOf(1, "Verifying the audit trail", total, "events");
                result = Run((w, ct) => w.Audit.VerifyAsync(w.RetiredTrustedKeyIds().Concat(TrustedKeyId ?? []).ToArray(), ct, progress));
            }

            WriteObject(result);
        });
    }
}
