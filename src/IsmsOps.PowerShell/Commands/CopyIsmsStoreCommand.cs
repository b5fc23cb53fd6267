using System.Management.Automation;
using IsmsOps.Engine.Storage;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Copies a whole store into another: SQLite to PostgreSQL when a team starts sharing, or back.</summary>
/// <remarks>
/// Each of -Source and -Destination is a PostgreSQL connection string or a SQLite file path; both are opened (and
/// migrated) first, so they are at the same schema version. The source's audit trail must verify. Every table is
/// copied in one transaction of the destination, rows as they are, audit events and signed checkpoints included;
/// afterwards the destination's trail is verified against the key that signed the source's and must end at the same
/// head. A destination that holds anything is refused unless -Force, which replaces all of it.
/// Keys are not in a store: give every host that uses the destination the same signing key and personal-data
/// master key (docs/postgresql.md). Passwords in connection strings are never written out.
/// Graph permissions: none.
/// </remarks>
/// <example>
/// <code>Copy-IsmsStore -Source ~/.local/share/IsmsOps/isms.db -Destination 'Host=db.example.org;Database=isms;Username=isms_owner;Password=...'</code>
/// <para>Moves an admin's embedded store to the team's shared PostgreSQL store.</para>
/// </example>
/// <example>
/// <code>Copy-IsmsStore -Source $env:ISMSOPS_STORE -Destination ./backup/isms.db -Force</code>
/// <para>Copies the shared store into a SQLite file, replacing an older copy.</para>
/// </example>
[Cmdlet(VerbsCommon.Copy, "IsmsStore", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
[OutputType(typeof(StoreCopyResult))]
public sealed class CopyIsmsStoreCommand : IsmsCmdlet
{
    /// <summary>The store to copy: a PostgreSQL connection string or a SQLite file path.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [ValidateNotNullOrEmpty]
    public string Source { get; set; } = string.Empty;

    /// <summary>The store to copy into: a PostgreSQL connection string or a SQLite file path (created when missing).</summary>
    [Parameter(Mandatory = true, Position = 1)]
    [ValidateNotNullOrEmpty]
    public string Destination { get; set; } = string.Empty;

    /// <summary>Replaces everything a destination that is not empty holds.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord() => StopOnError(() =>
    {
        using IIsmsStore source = StoreCopy.Open(Resolve(Source));
        using IIsmsStore destination = StoreCopy.Open(Resolve(Destination));
        string action = Force ? "Replace everything in it with a copy of " + source.Description : "Copy " + source.Description + " into it";
        if (!ShouldProcess(destination.Description, action))
        {
            return;
        }

        WriteObject(Run(ct => StoreCopy.CopyAsync(source, destination, Force, ct)));
    });

    private string Resolve(string store) =>
        Engine.Storage.Postgres.PostgresStore.IsConnectionString(store) ? store : SessionState.Path.GetUnresolvedProviderPathFromPSPath(store);
}
