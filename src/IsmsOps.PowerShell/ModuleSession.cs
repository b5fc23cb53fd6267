using IsmsOps.Engine;
using IsmsOps.Engine.Storage;

namespace IsmsOps.PowerShell;

/// <summary>
/// The workspace the cmdlets share within a process. It follows <c>ISMSOPS_HOME</c>: when a script points the variable
/// elsewhere, the next command opens that store. Nothing is opened at import.
/// </summary>
internal static class ModuleSession
{
    private static readonly object Gate = new();
    private static IsmsWorkspace? s_workspace;

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
            s_workspace = IsmsWorkspace.Open(wanted);
            return s_workspace;
        }
    }

    public static void Close()
    {
        lock (Gate)
        {
            s_workspace?.Dispose();
            s_workspace = null;
        }
    }
}
