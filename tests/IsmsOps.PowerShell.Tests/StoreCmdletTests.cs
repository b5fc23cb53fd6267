using System.Collections.ObjectModel;
using System.Management.Automation;
using IsmsOps.Engine.Tests.Storage;
using Npgsql;

namespace IsmsOps.PowerShell.Tests;

/// <summary>Choosing the store from PowerShell: Connect-IsmsStore, ISMSOPS_STORE and Get-IsmsStore, against a throwaway PostgreSQL server.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class StoreCmdletTests
{
    private static long CountRows(string connectionString, string table)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand($"SELECT count(*) FROM {table};", connection);
        return (long)command.ExecuteScalar()!;
    }

    [Fact]
    public void After_Connect_IsmsStore_every_command_of_the_session_uses_the_shared_PostgreSQL_store()
    {
        string connectionString = PostgresCluster.Shared.CreateDatabase();
        using var ps = new PowerShellSession();

        PSObject info = ps.Run($"Connect-IsmsStore -ConnectionString '{connectionString}'").Single();
        ps.Run("New-IsmsPerson -PersonId E1 -DisplayName 'Ada' | Out-Null; Get-IsmsPerson E1 | Set-IsmsPerson -Department Research");
        Collection<PSObject> valid = ps.Run("(Test-IsmsAuditTrail).IsValid");

        Assert.Empty(ps.Errors);
        Assert.Equal("PostgreSQL", info.Properties["Kind"].Value);
        Assert.StartsWith("postgresql://postgres@127.0.0.1:", (string)info.Properties["Location"].Value, StringComparison.Ordinal);
        Assert.DoesNotContain(PostgresCluster.Password, (string)info.Properties["Location"].Value, StringComparison.Ordinal);
        Assert.Equal(1L, CountRows(connectionString, "person"));
        Assert.Equal(2L, CountRows(connectionString, "audit_event"));
        Assert.True((bool)valid.Single().BaseObject);
        Assert.False(File.Exists(Path.Combine(ps.Home, "isms.db")), "The session must not fall back to the embedded store.");
        // Npgsql, like every third-party assembly, is the module's own copy in its private load context (this test
        // process has loaded another copy into the default context for its helper).
        System.Reflection.Assembly npgsql = System.Runtime.Loader.AssemblyLoadContext.All.Single(c => c.Name == "IsmsOps").Assemblies.Single(a => a.GetName().Name == "Npgsql");
        Assert.StartsWith(ModuleLayout.ModuleFolder, npgsql.Location, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_password_leaves_the_session_on_its_store_with_a_clear_error_that_never_shows_the_password()
    {
        const string wrong = "Not-The-Password-9c1";
        string connectionString = new NpgsqlConnectionStringBuilder(PostgresCluster.Shared.CreateDatabase()) { Password = wrong }.ConnectionString;
        using var ps = new PowerShellSession();

        ps.Run($"Connect-IsmsStore -ConnectionString '{connectionString}'");
        ErrorRecord error = Assert.Single(ps.Errors);
        ps.Errors.Clear();
        PSObject store = ps.Run("Get-IsmsStore").Single();

        Assert.StartsWith("IsmsOps.Store.AuthenticationFailed", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(wrong, error.Exception.ToString(), StringComparison.Ordinal);
        Assert.Equal("SQLite", store.Properties["Kind"].Value);
        Assert.Null(Environment.GetEnvironmentVariable("ISMSOPS_STORE"));
    }

    [Fact]
    public void ISMSOPS_STORE_holding_a_connection_string_selects_the_shared_store_without_any_command()
    {
        string connectionString = PostgresCluster.Shared.CreateDatabase();
        using var ps = new PowerShellSession();
        Environment.SetEnvironmentVariable("ISMSOPS_STORE", connectionString);
        try
        {
            ps.Run("New-IsmsPerson -PersonId E7 -DisplayName 'Grace' | Out-Null");
            PSObject store = ps.Run("Get-IsmsStore").Single();

            Assert.Empty(ps.Errors);
            Assert.Equal("PostgreSQL", store.Properties["Kind"].Value);
            Assert.Equal(1L, store.Properties["AuditEventCount"].Value);
            Assert.Equal(1L, CountRows(connectionString, "person"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("ISMSOPS_STORE", null);
        }
    }

    [Fact]
    public void Copy_IsmsStore_moves_the_embedded_store_to_PostgreSQL_verified_and_refuses_to_overwrite_it_without_Force()
    {
        string connectionString = PostgresCluster.Shared.CreateDatabase();
        using var ps = new PowerShellSession();
        ps.Run("New-IsmsPerson -PersonId E1 -DisplayName 'Ada' | Out-Null; New-IsmsPerson -PersonId E2 -DisplayName 'Grace' | Out-Null");
        string embedded = Path.Combine(ps.Home, "isms.db");

        PSObject copied = ps.Run($"Copy-IsmsStore -Source '{embedded}' -Destination '{connectionString}'").Single();
        Assert.Empty(ps.Errors);
        ps.Run($"Copy-IsmsStore -Source '{embedded}' -Destination '{connectionString}'");
        ErrorRecord refused = Assert.Single(ps.Errors);
        ps.Errors.Clear();
        ps.Run($"Copy-IsmsStore -Source '{embedded}' -Destination '{connectionString}' -Force -Confirm:$false | Out-Null");

        Assert.Empty(ps.Errors);
        Assert.Equal(2L, copied.Properties["AuditEventCount"].Value);
        Assert.True((bool)PSObject.AsPSObject(copied.Properties["Verification"].Value).Properties["IsValid"].Value);
        Assert.StartsWith("IsmsOps.Store.CopyTargetNotEmpty", refused.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.DoesNotContain(PostgresCluster.Password, refused.ToString(), StringComparison.Ordinal);
        Assert.Equal(2L, CountRows(connectionString, "person"));
        Assert.Equal(2L, CountRows(connectionString, "audit_event"));
    }
}
