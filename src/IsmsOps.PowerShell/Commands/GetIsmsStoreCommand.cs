using System.Management.Automation;
using IsmsOps.Engine.Storage;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Shows which store this session uses.</summary>
/// <remarks>
/// Writes the store's kind (SQLite or PostgreSQL), where it is (a file path, or postgresql://user@host:port/database,
/// never a password), its schema version and how many audit events it holds. The store comes from Connect-IsmsStore,
/// else ISMSOPS_STORE, else isms.db under ISMSOPS_HOME.
/// Graph permissions: none.
/// </remarks>
/// <example>
/// <code>Get-IsmsStore</code>
/// <para>Shows the store in use.</para>
/// </example>
[Cmdlet(VerbsCommon.Get, "IsmsStore")]
[OutputType(typeof(StoreInfo))]
public sealed class GetIsmsStoreCommand : IsmsCmdlet
{
    /// <inheritdoc />
    protected override void ProcessRecord() => StopOnError(() => WriteObject(Run((w, ct) => StoreInfo.OfAsync(w.Store, ct))));
}
