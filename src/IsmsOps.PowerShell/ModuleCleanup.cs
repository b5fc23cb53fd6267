using System.Management.Automation;

namespace IsmsOps.PowerShell;

/// <summary>
/// Runs on Remove-Module: closes the store so its file is released, closes the Graph connection, stops the sandboxes
/// this session started, and drops the imported snapshot.
/// </summary>
public sealed class ModuleCleanup : IModuleAssemblyCleanup
{
    /// <summary>Called by PowerShell when the module is removed.</summary>
    public void OnRemove(PSModuleInfo psModuleInfo)
    {
        ModuleSession.Close();
        DirectorySession.Use(null);
    }
}
