using System.Management.Automation;
using IsmsOps.Engine;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Reads and verifies a directory snapshot file and makes it the session's offline directory.</summary>
/// <remarks>
/// Reads the snapshot file (a .json.gz written by Export-IsmsDirectorySnapshot), verifies it, and makes it the
/// directory that later commands in this session read, such as Get-IsmsAccess, so they work offline, as an auditor or a
/// test needs. Verification checks the format and version, that the file is complete, that the content's SHA-256
/// matches the digest in the header (a file edited after it was written is refused), and that the header's counts
/// describe the content. Each failure has its own ErrorId: IsmsOps.Snapshot.NotASnapshot, .Truncated, .Corrupt,
/// .UnsupportedVersion, .InvalidHeader, .DigestMismatch, .InvalidContent, .HeaderMismatch, .NotFound. A file that
/// fails leaves the session's current snapshot as it was.
/// It always writes a summary: the tenant, when the snapshot was collected, how many of each object it holds, the
/// content digest to cite in evidence, and the evidence the collector could not gather (EvidenceGaps). Pipe to
/// Out-Null to discard it. Importing another snapshot replaces the current one; Remove-Module forgets it.
/// Graph permissions: none.
/// </remarks>
/// <example>
/// <code>Import-IsmsDirectorySnapshot -Path ./evidence/contoso-2026-11-23.json.gz</code>
/// <para>Verifies the snapshot, shows its summary and makes it the session's directory.</para>
/// </example>
/// <example>
/// <code>$s = Import-IsmsDirectorySnapshot ./evidence/*.json.gz; $s.ContentSha256</code>
/// <para>Imports the one snapshot that matches the wildcard and keeps its digest for the audit record.</para>
/// </example>
[Cmdlet(VerbsData.Import, "IsmsDirectorySnapshot", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(DirectorySnapshotSummary))]
public sealed class ImportIsmsDirectorySnapshotCommand : IsmsCmdlet
{
    private const string PathSet = "Path";
    private const string LiteralPathSet = "LiteralPath";

    /// <summary>The snapshot file; wildcards are allowed but must match exactly one file.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [SupportsWildcards]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    /// <summary>The snapshot file, taken exactly as written (no wildcards).</summary>
    [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath")]
    [ValidateNotNullOrEmpty]
    public string LiteralPath { get; set; } = string.Empty;

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        ForEachItem(() =>
        {
            string file = ParameterSetName == LiteralPathSet
                ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(LiteralPath)
                : ResolveOne(Path);
            if (!ShouldProcess(file, "Verify the directory snapshot and make it the session's directory"))
            {
                return;
            }

            WriteVerbose($"Reading and verifying '{file}'.");
            LoadedSnapshot loaded = Run(ct => Task.FromResult(DirectorySnapshotFile.Read(file, ct)));
            DirectorySession.Use(new SnapshotDirectorySource(loaded));
            WriteVerbose($"The session now reads the directory from '{file}' (SHA-256 {loaded.ContentSha256}).");
            WriteObject(DirectorySnapshotSummary.Of(loaded));
        });
    }

    private string ResolveOne(string path)
    {
        if (!WildcardPattern.ContainsWildcardCharacters(path))
        {
            return SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
        }

        IReadOnlyList<string> matches;
        try
        {
            matches = SessionState.Path.GetResolvedProviderPathFromPSPath(path, out _);
        }
        catch (ItemNotFoundException)
        {
            matches = [];
        }

        return matches.Count switch
        {
            1 => matches[0],
            0 => throw new IsmsException("IsmsOps.Snapshot.NotFound", IsmsErrorKind.NotFound, $"No file matches '{path}'.",
                "Check the path, or give the file with -LiteralPath.", path),
            _ => throw new IsmsException("IsmsOps.Snapshot.Ambiguous", IsmsErrorKind.InvalidArgument,
                $"'{path}' matches {matches.Count} files; a session has one current snapshot.", "Name one file.", path),
        };
    }
}
