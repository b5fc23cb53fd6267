using System.Management.Automation;
using IsmsOps.Engine.Audit;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Exports the audit trail for an auditor, with a verification manifest.</summary>
/// <remarks>
/// Writes every audit event as one JSON line to the file you name, and beside it a manifest
/// (&lt;file&gt;.manifest.json) with the event count, the head hash, the file's SHA-256, and the newest signed
/// checkpoint with its public key. Test-IsmsAuditTrail -Path verifies the pair offline, on any machine. The files are
/// written under temporary names and moved into place at the end, so a failed export leaves nothing behind. An
/// existing export is replaced only with -Force. The export holds no secrets: the trail never contains any.
/// Graph permissions: none.
/// </remarks>
/// <example>
/// <code>Export-IsmsAuditTrail -Path ./evidence/trail-2026Q4.jsonl</code>
/// <para>Writes trail-2026Q4.jsonl and trail-2026Q4.jsonl.manifest.json.</para>
/// </example>
[Cmdlet(VerbsData.Export, "IsmsAuditTrail", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(AuditExportResult))]
public sealed class ExportIsmsAuditTrailCommand : IsmsCmdlet
{
    /// <summary>The events file to write (JSON lines). The manifest is written beside it.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Alias("PSPath", "LiteralPath")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Replaces an existing export at that path.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        string file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        if (!ShouldProcess(file, "Export the audit trail"))
        {
            return;
        }

        ForEachItem(() =>
        {
            long total = Run((w, ct) => w.Audit.CountAsync(ct));
            IProgress<long> progress = ProgressOf(2, "Exporting the audit trail", total, "events");
            WriteObject(Run((w, ct) => w.Audit.ExportAsync(file, Force, ct, progress)));
        });
    }
}
