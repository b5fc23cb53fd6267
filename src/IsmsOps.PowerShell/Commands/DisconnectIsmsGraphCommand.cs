using System.Management.Automation;
using IsmsOps.Engine.Graph;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Closes this session's Microsoft Graph connection.</summary>
/// <remarks>
/// Disposes the Graph client and its network connections and forgets the connection; cmdlets that need Graph then
/// fail with IsmsOps.Graph.NotConnected until Connect-IsmsGraph runs again. Tokens held by the credential are
/// dropped with it. When the session is not connected this does nothing and is not an error (so a clean-up block can
/// always call it); -Verbose says so.
/// Graph permissions: none.
/// </remarks>
/// <example>
/// <code>Disconnect-IsmsGraph</code>
/// <para>Closes the connection.</para>
/// </example>
/// <example>
/// <code>try { Connect-IsmsGraph -Sandbox $sb; ... } finally { Disconnect-IsmsGraph }</code>
/// <para>Always closes the connection at the end of a script.</para>
/// </example>
[Cmdlet(VerbsCommunications.Disconnect, "IsmsGraph", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
[OutputType(typeof(GraphConnection))]
public sealed class DisconnectIsmsGraphCommand : IsmsCmdlet
{
    /// <summary>Writes the closed connection to the pipeline.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ModuleSession.GraphConnection is not { } connection)
        {
            WriteVerbose("Not connected to Microsoft Graph; nothing to close.");
            return;
        }

        if (!ShouldProcess(connection.GraphEndpoint, "Disconnect from Microsoft Graph"))
        {
            return;
        }

        ModuleSession.Disconnect();
        WriteVerbose($"Closed the {connection}.");
        if (PassThru)
        {
            WriteObject(connection);
        }
    }
}
