using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using IsmsOps.Engine;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.PowerShell;

/// <summary>
/// Where the cmdlets read the directory from: the snapshot Import-IsmsDirectorySnapshot made current in this runspace,
/// a file named on the command line, or Microsoft Graph, live.
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
    /// verified now), else <paramref name="imported"/> (an explicit offline choice for the session), else the live Graph
    /// connection, else <c>IsmsOps.Graph.NotConnected</c>.
    /// </summary>
    public static IDirectorySource Resolve(string? snapshotFile, SnapshotDirectorySource? imported, CancellationToken cancellationToken) =>
        TryResolve(snapshotFile, imported, cancellationToken)
        ?? throw new IsmsException("IsmsOps.Graph.NotConnected", IsmsErrorKind.InvalidArgument,
            "There is no directory to read: no Microsoft Graph connection, no snapshot imported in this session, and none named.",
            "Run Connect-IsmsGraph (or Import-IsmsDirectorySnapshot -Path <file>) first, or pass -SnapshotPath <file>.");

    /// <summary>
    /// As <see cref="Resolve"/>, but null when there is no directory at all, for a command that still has work without
    /// one (an assessment skips its directory controls as NotConnected and evaluates the register's).
    /// </summary>
    public static IDirectorySource? TryResolve(string? snapshotFile, SnapshotDirectorySource? imported, CancellationToken cancellationToken)
    {
        if (snapshotFile is not null)
        {
            return new SnapshotDirectorySource(DirectorySnapshotFile.Read(snapshotFile, cancellationToken));
        }

        if (imported is not null)
        {
            return imported;
        }

        return ModuleSession.GraphConnection is { IsConnected: true } connection ? new LiveDirectorySource(connection) : null;
    }
}
