using System.Management.Automation;
using IsmsOps.Engine.Graph;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Stops Graph sandboxes started with Start-IsmsSandbox.</summary>
/// <remarks>
/// Stops the given sandboxes, or without -Sandbox every sandbox this session started and has not stopped. A stopped
/// sandbox closes its port and forgets its tenant; a Graph connection to it then fails, so disconnect first or
/// connect elsewhere. Stopping a sandbox twice is harmless. Removing the module stops the session's sandboxes too.
/// Graph permissions: none.
/// </remarks>
/// <example>
/// <code>Stop-IsmsSandbox</code>
/// <para>Stops every sandbox this session started.</para>
/// </example>
/// <example>
/// <code>$sb | Stop-IsmsSandbox -PassThru</code>
/// <para>Stops one sandbox and shows it, now marked as not running.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Stop, "IsmsSandbox", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(SandboxInstance))]
public sealed class StopIsmsSandboxCommand : IsmsCmdlet
{
    /// <summary>The sandboxes to stop, as Start-IsmsSandbox returned them. Default: every sandbox this session started.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true)]
    [ValidateNotNull]
    public SandboxInstance[]? Sandbox { get; set; }

    /// <summary>Writes each stopped sandbox to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        foreach (SandboxInstance sandbox in Sandbox ?? ModuleSession.Sandboxes())
        {
            if (!ShouldProcess(sandbox.Url, "Stop the Graph sandbox"))
            {
                continue;
            }

            sandbox.Stop();
            WriteVerbose($"Stopped {sandbox}.");
            if (PassThru)
            {
                WriteObject(sandbox);
            }
        }
    }
}
