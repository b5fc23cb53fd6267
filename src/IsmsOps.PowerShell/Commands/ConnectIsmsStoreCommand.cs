using System.Management.Automation;
using IsmsOps.Engine;
using IsmsOps.Engine.Storage;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Points this session at a store: a shared PostgreSQL database, or a SQLite file.</summary>
/// <remarks>
/// Sets ISMSOPS_STORE for this process and opens the store at once, so a wrong host, password or TLS setting shows up
/// here rather than in the next command. A new PostgreSQL database is migrated on first use (that needs the owner role;
/// see docs/postgresql.md). Without this command (or ISMSOPS_STORE) a session uses isms.db under ISMSOPS_HOME.
/// Keys and the audit head witness stay under ISMSOPS_HOME: every host of a team needs the shared signing key.
/// On failure the session keeps the store it had. The connection string's password is never written out.
/// Graph permissions: none.
/// </remarks>
/// <example>
/// <code>Connect-IsmsStore -ConnectionString 'Host=db.example.org;Database=isms;Username=isms_app;Password=...;SSL Mode=VerifyFull'</code>
/// <para>Uses the team's shared store for the rest of the session.</para>
/// </example>
/// <example>
/// <code>Connect-IsmsStore -Path ./lab/isms.db</code>
/// <para>Uses a SQLite file instead.</para>
/// </example>
[Cmdlet(VerbsCommunications.Connect, "IsmsStore", DefaultParameterSetName = PostgresSet, SupportsShouldProcess = true)]
[OutputType(typeof(StoreInfo))]
public sealed class ConnectIsmsStoreCommand : IsmsCmdlet
{
    private const string PostgresSet = "PostgreSQL";
    private const string SqliteSet = "SQLite";

    /// <summary>An Npgsql connection string (Host, Port, Database, Username, Password, SSL Mode, ...) of the shared store.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = PostgresSet)]
    [ValidateNotNullOrEmpty]
    public string ConnectionString { get; set; } = string.Empty;

    /// <summary>A SQLite store file; created and migrated when missing.</summary>
    [Parameter(Mandatory = true, ParameterSetName = SqliteSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = string.Empty;

    private T StopOnErrorValue<T>(Func<T> work)
    {
        T value = default!;
        StopOnError(() => value = work());
        return value;
    }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        string wanted = ParameterSetName == SqliteSet ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path) : ConnectionString;
        if (ParameterSetName == PostgresSet && !Engine.Storage.Postgres.PostgresStore.IsConnectionString(wanted))
        {
            WriteIsmsError(new IsmsException("IsmsOps.Store.BadConnectionString", IsmsErrorKind.InvalidArgument,
                "-ConnectionString does not look like a PostgreSQL connection string (it has no Host=).",
                "Give 'Host=...;Database=...;Username=...;Password=...', or use -Path for a SQLite file.", "ConnectionString"));
            return;
        }

        string target = ParameterSetName == SqliteSet ? wanted : StopOnErrorValue(() => Engine.Storage.Postgres.PostgresStore.Describe(wanted));
        if (!ShouldProcess(target, "Use this store for the rest of the session"))
        {
            return;
        }

        string? previous = Environment.GetEnvironmentVariable(StoreLocation.StoreVariable);
        Environment.SetEnvironmentVariable(StoreLocation.StoreVariable, wanted);
        bool connected = false;
        try
        {
            StopOnError(() => WriteObject(Run((w, ct) => StoreInfo.OfAsync(w.Store, ct))));
            connected = true;
        }
        finally
        {
            if (!connected)
            {
                Environment.SetEnvironmentVariable(StoreLocation.StoreVariable, previous);
            }
        }
    }
}
