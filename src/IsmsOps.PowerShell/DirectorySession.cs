using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using IsmsOps.Engine;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.PowerShell;

/// <summary>
/// Where the cmdlets read the directory from: the snapshot Import-IsmsDirectorySnapshot made current in this runspace,
/// a file named on the command line, or (once the live collector exists) Microsoft Graph.
/// </summary>
/// <remarks>
/// The imported snapshot belongs to the runspace, not the process: two runspaces in one process (thread jobs, a host
/// running several sessions, the tests) each see only their own import, and a closed runspace's snapshot is released
/// with it. Read <see cref="Imported"/> on the pipeline thread, where <see cref="Runspace.DefaultRunspace"/> is set.
/// </remarks>
internal static class DirectorySession
{
    private static readonly ConditionalWeakTable<Runspace, SnapshotDirectorySource> ImportedByRunspace = new();

    /// <summary>The snapshot imported in the current runspace, or null.</summary>
    public static SnapshotDirectorySource? Imported =>
        Runspace.DefaultRunspace is Runspace runspace && ImportedByRunspace.TryGetValue(runspace, out SnapshotDirectorySource? source) ? source : null;

    /// <summary>Makes <paramref name="source"/> the current runspace's snapshot, replacing any earlier one; null forgets it.</summary>
    public static void Use(SnapshotDirectorySource? source)
    {
        if (Runspace.DefaultRunspace is not Runspace runspace)
        {
            return;
        }

        ImportedByRunspace.Remove(runspace);
        if (source is not null)
        {
            ImportedByRunspace.Add(runspace, source);
        }
    }

    /// <summary>
    /// The one decision of where directory facts come from: <paramref name="snapshotFile"/> when given (read and
    /// verified now), else <paramref name="imported"/>, else a live Graph connection. The live branch is not built yet,
    /// so without a snapshot this fails with <c>IsmsOps.Graph.NotConnected</c>.
    /// </summary>
    public static IDirectorySource Resolve(string? snapshotFile, SnapshotDirectorySource? imported, CancellationToken cancellationToken)
    {
        if (snapshotFile is not null)
        {
            return new SnapshotDirectorySource(DirectorySnapshotFile.Read(snapshotFile, cancellationToken));
        }

        return imported ?? throw new IsmsException("IsmsOps.Graph.NotConnected", IsmsErrorKind.InvalidArgument,
            "There is no directory to read: no snapshot is imported in this session, none was named, and reading Microsoft Graph live is not available yet.",
            "Run Import-IsmsDirectorySnapshot -Path <file> first, or pass -SnapshotPath <file>.");
    }
}
