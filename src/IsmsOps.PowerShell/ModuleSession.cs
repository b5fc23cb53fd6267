using IsmsOps.Engine;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Policies;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Storage;

namespace IsmsOps.PowerShell;

/// <summary>
/// What the cmdlets share within a process: the workspace, the Graph connection and the sandboxes started here.
/// The workspace follows <c>ISMSOPS_HOME</c>: when a script points the variable elsewhere, the next command opens that
/// store. Nothing is opened at import, and nothing here touches Microsoft.Graph until Connect-IsmsGraph makes a
/// connection (the fields are engine types; the SDK loads inside <see cref="GraphConnection.ConnectAsync"/>).
/// </summary>
internal static class ModuleSession
{
    private static readonly object Gate = new();
    private static readonly List<SandboxInstance> s_sandboxes = [];
    private static IsmsWorkspace? s_workspace;
    private static GraphConnection? s_graph;

    public static IsmsWorkspace GetWorkspace()
    {
        StoreLocation wanted = StoreLocation.FromEnvironment();
        lock (Gate)
        {
            if (s_workspace is not null && s_workspace.Location == wanted)
            {
                return s_workspace;
            }

            s_workspace?.Dispose();
            s_workspace = null;
            s_workspace = IsmsWorkspace.Open(wanted, offboardingPolicy: LoadOffboardingPolicy, screeningPolicy: LoadScreeningPolicy,
                acknowledgementPolicy: LoadAcknowledgementPolicy, moverPolicy: LoadMoverPolicy);
            return s_workspace;
        }
    }

    /// <summary>The policies/ folder shipped in the module (beside bin/, which holds this assembly).</summary>
    public static string ShippedPolicyFolder { get; } =
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(typeof(ModuleSession).Assembly.Location)!, "..", "policies"));

    // Read each time a command needs it (opening a case, removing personal data), so an edited file applies from the
    // next command, and a broken one stops only the commands that need it.
    private static OffboardingPolicy LoadOffboardingPolicy() => OffboardingPolicy.From(PolicyFolder.Resolve(ShippedPolicyFolder));

    /// <summary>
    /// The role catalog in the current policy folder (<c>$ISMSOPS_POLICIES/roles</c>, else the module's), read afresh
    /// for each command like the offboarding policy, so an edited role applies from the next command.
    /// </summary>
    public static RoleCatalog LoadRoleCatalog() => RoleCatalog.From(PolicyFolder.Resolve(ShippedPolicyFolder));

    /// <summary>The group tags (<c>group-tags.yaml</c>) in the current policy folder, read afresh for each command.</summary>
    public static Engine.AccessReviews.GroupTagPolicy LoadGroupTags() => Engine.AccessReviews.GroupTagPolicy.From(PolicyFolder.Resolve(ShippedPolicyFolder));
    /// <summary>The current policy folder ($ISMSOPS_POLICIES, else the module's), or null for built-in defaults only.</summary>
    public static string? PolicyFolderPath() => PolicyFolder.Resolve(ShippedPolicyFolder).Path;

    /// <summary>The roles/ folder of the current policy folder, whether or not it exists; null for built-in defaults.</summary>
    public static string? RoleCatalogFolder() =>
        PolicyFolder.Resolve(ShippedPolicyFolder).Path is string folder ? Path.Combine(folder, RoleCatalog.FolderName) : null;

    /// <summary>The acknowledgement policy of the current policy folder, read afresh.</summary>
    public static Engine.Acknowledgements.AcknowledgementPolicy LoadAcknowledgementPolicy() =>
        Engine.Acknowledgements.AcknowledgementPolicy.From(PolicyFolder.Resolve(ShippedPolicyFolder));

    private static Engine.Movers.MoverPolicy LoadMoverPolicy() => Engine.Movers.MoverPolicy.From(PolicyFolder.Resolve(ShippedPolicyFolder));

    private static Engine.Screening.ScreeningPolicy LoadScreeningPolicy() => Engine.Screening.ScreeningPolicy.From(PolicyFolder.Resolve(ShippedPolicyFolder));

    /// <summary>The current Graph connection, or null.</summary>
    public static GraphConnection? GraphConnection
    {
        get
        {
            lock (Gate)
            {
                return s_graph is { IsConnected: true } ? s_graph : null;
            }
        }
    }

    /// <summary>
    /// The connection every Graph-calling cmdlet uses. Throws IsmsOps.Graph.NotConnected when there is none, so each
    /// cmdlet fails the same way.
    /// </summary>
    public static GraphConnection RequireGraphConnection() =>
        GraphConnection ?? throw new IsmsException("IsmsOps.Graph.NotConnected", IsmsErrorKind.InvalidArgument,
            "There is no Microsoft Graph connection in this session.",
            "Run Connect-IsmsGraph first, or pass -SnapshotPath to work from a directory snapshot instead of live Graph.");

    /// <summary>Makes <paramref name="connection"/> current, closing the one it replaces.</summary>
    public static void SetGraphConnection(GraphConnection connection)
    {
        GraphConnection? previous;
        lock (Gate)
        {
            previous = s_graph;
            s_graph = connection;
        }

        if (!ReferenceEquals(previous, connection))
        {
            previous?.Dispose();
        }
    }

    /// <summary>Closes and forgets the current connection; returns it (now closed), or null when there was none.</summary>
    public static GraphConnection? Disconnect()
    {
        GraphConnection? previous;
        lock (Gate)
        {
            previous = s_graph is { IsConnected: true } ? s_graph : null;
            s_graph = null;
        }

        previous?.Dispose();
        return previous;
    }

    public static void AddSandbox(SandboxInstance sandbox)
    {
        lock (Gate)
        {
            s_sandboxes.Add(sandbox);
        }
    }

    /// <summary>Sandboxes started in this session that are still running.</summary>
    public static IReadOnlyList<SandboxInstance> Sandboxes()
    {
        lock (Gate)
        {
            s_sandboxes.RemoveAll(s => !s.IsRunning);
            return s_sandboxes.ToArray();
        }
    }

    public static void Close()
    {
        SandboxInstance[] sandboxes;
        lock (Gate)
        {
            s_workspace?.Dispose();
            s_workspace = null;
            s_graph?.Dispose();
            s_graph = null;
            sandboxes = s_sandboxes.ToArray();
            s_sandboxes.Clear();
        }

        foreach (SandboxInstance sandbox in sandboxes)
        {
            sandbox.Dispose();
        }
    }
}
