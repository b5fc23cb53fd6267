using System.Management.Automation;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Collects the whole directory from Microsoft Graph into one snapshot file.</summary>
/// <remarks>
/// Reads, through the current Connect-IsmsGraph connection, everything IsmsOps reasons about: users (with manager,
/// employee id, hire and leave dates, on-premises sync, licences direct or inherited, and last sign-in where the
/// tenant is licensed for it), guests' sponsors, groups with their kind, direct members and owners, directory roles
/// (active, PIM-eligible and time-bound), app roles, delegated permission grants, MFA registration and devices. Transitive membership is
/// derived from the direct members when the snapshot is used.
/// The file is compressed JSON with a SHA-256 digest of its content (docs/directory-snapshot.md); Import-IsmsDirectorySnapshot
/// and -SnapshotPath read it back, so auditors and scheduled jobs can work offline. The export is recorded in the audit
/// trail (Directory.SnapshotExported) with the file's path and digest.
/// Evidence that needs a licence the tenant lacks (sign-in activity and MFA registration need Entra ID P1, PIM
/// schedules need P2) is left out and listed in EvidenceGaps instead of failing the run. Any other failure (a missing
/// permission, a request that keeps failing after its retries) stops the export and writes no file, so a partial
/// collection is never saved as if it were complete. The file is written under a temporary name and moved into place.
/// Requests go 999 objects to a page and 20 to a $batch; throttled requests are retried after Retry-After.
/// Graph permissions: the read permissions listed for Export-IsmsDirectorySnapshot in docs/graph-permissions.md; a
/// 403 names the one that is missing.
/// </remarks>
/// <example>
/// <code>Connect-IsmsGraph -TenantId contoso.onmicrosoft.com -ClientId $appId -CertificateThumbprint $thumb
/// Export-IsmsDirectorySnapshot -Path ./evidence/contoso-2026-11-23.json.gz</code>
/// <para>Collects the tenant and writes the snapshot; the summary shows the counts, the digest and any evidence gaps.</para>
/// </example>
/// <example>
/// <code>$sandbox = Start-IsmsSandbox -UserCount 500
/// Connect-IsmsGraph -Sandbox $sandbox
/// Export-IsmsDirectorySnapshot ./sandbox.json.gz -Force</code>
/// <para>Snapshots the local sandbox tenant, replacing an earlier file.</para>
/// </example>
[Cmdlet(VerbsData.Export, "IsmsDirectorySnapshot", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(DirectorySnapshotSummary))]
public sealed class ExportIsmsDirectorySnapshotCommand : IsmsCmdlet
{
    private const int ProgressId = 3;

    /// <summary>The snapshot file to write, conventionally ending in .json.gz.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [Alias("PSPath", "LiteralPath")]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>Replaces an existing file at that path.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Requests in flight at once (1 to 16, default 16). Lower it when other jobs share the tenant's Graph limits.</summary>
    [Parameter]
    [ValidateRange(1, 16)]
    public int MaxConcurrency { get; set; } = new GraphReaderOptions().MaxConcurrency;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        string file = SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path);
        GraphConnection connection = RequireConnection();
        if (!ShouldProcess(file, $"Collect the directory from {connection.GraphEndpoint} and write a snapshot"))
        {
            return;
        }

        var progress = new PostedSnapshotProgress(this);
        ForEachItem(() =>
        {
            DirectorySnapshotSummary summary = Run((w, ct) => DirectorySnapshotExport.ExportAsync(
                connection, file, Force, w.Audit, Operation, progress, ct, new GraphReaderOptions { MaxConcurrency = MaxConcurrency }));
            WriteProgress(new ProgressRecord(ProgressId, "Collecting the directory", "Done") { RecordType = ProgressRecordType.Completed });
            WriteObject(summary);
        });
    }

    private GraphConnection RequireConnection()
    {
        try
        {
            return ModuleSession.RequireGraphConnection();
        }
        catch (Engine.IsmsException ex)
        {
            ThrowTerminatingError(IsmsErrors.From(ex));
            throw;
        }
    }

    /// <summary>Turns the collector's stage reports into progress records, written on the pipeline thread.</summary>
    private sealed class PostedSnapshotProgress(ExportIsmsDirectorySnapshotCommand owner) : IProgress<SnapshotProgress>
    {
        public void Report(SnapshotProgress value) => owner.Post(() =>
        {
            string status = value.Total is long total ? $"{value.Stage}: {value.Completed:N0} of {total:N0}" : $"{value.Stage}: {value.Completed:N0}";
            owner.WriteProgress(new ProgressRecord(ProgressId, "Collecting the directory", status));
        });
    }
}
