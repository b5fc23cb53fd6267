using System.Management.Automation;
using IsmsOps.Engine.Graph;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Shows this session's Microsoft Graph connection.</summary>
/// <remarks>
/// Writes the current connection: sign-in mode, tenant, client id, environment, Graph endpoint, when it connected,
/// the permissions its token carries (the roles claim for an app, scp for a user; empty when the token is not a JWT,
/// such as the sandbox's), token expiry and throttle priority. It never shows the token or any secret.
/// Writes nothing when the session is not connected, so `if (-not (Get-IsmsGraphConnection)) { ... }` works.
/// Graph permissions: none (it makes no request).
/// </remarks>
/// <example>
/// <code>Get-IsmsGraphConnection</code>
/// <para>Shows the connection as a table.</para>
/// </example>
/// <example>
/// <code>(Get-IsmsGraphConnection).Roles</code>
/// <para>Lists the application permissions the app's token carries.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "IsmsGraphConnection")]
[OutputType(typeof(GraphConnection))]
public sealed class GetIsmsGraphConnectionCommand : IsmsCmdlet
{
    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        if (ModuleSession.GraphConnection is { } connection)
        {
            WriteObject(connection);
        }
    }
}
