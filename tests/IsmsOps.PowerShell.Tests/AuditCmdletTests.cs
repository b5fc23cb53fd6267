using System.Management.Automation;
using Microsoft.Data.Sqlite;

namespace IsmsOps.PowerShell.Tests;

[Collection(PowerShellCollection.Name)]
public sealed class AuditCmdletTests
{
    private const string ThreePeople = """
        New-IsmsPerson E1 'Ada' | Out-Null
        New-IsmsPerson E2 'Grace' | Out-Null
        Set-IsmsPerson E1 -Status Active
        """;

    [Fact]
    public void Every_change_is_an_audit_event_filterable_by_action_target_and_correlation_id()
    {
        using var ps = new PowerShellSession();
        ps.Run(ThreePeople);

        Assert.Equal(["Person.Created", "Person.Created", "Person.Updated"], Strings(ps, "Get-IsmsAuditEvent | ForEach-Object Action"));
        Assert.Equal(["person:E1", "person:E1"], Strings(ps, "Get-IsmsAuditEvent -Target person:E1 | ForEach-Object Target"));
        Assert.Equal(["Person.Updated"], Strings(ps, "Get-IsmsAuditEvent -Action '*.Updated' | ForEach-Object Action"));
        Assert.Equal(["person:E1", "person:E1"], Strings(ps, "Get-IsmsPerson E1 | Get-IsmsAuditEvent | ForEach-Object Target"));
        Assert.Equal(["person:E2"], Strings(ps, "$c = (Get-IsmsAuditEvent -Target person:E2).CorrelationId; Get-IsmsAuditEvent -CorrelationId $c | ForEach-Object Target"));
        Assert.Equal([3L], ps.Run("Get-IsmsAuditEvent -Newest 1 | ForEach-Object Sequence").Select(o => (long)o.BaseObject));
        Assert.Equal([2L, 3L], ps.Run("Get-IsmsAuditEvent -Newest 2 -Target 'person:*' | ForEach-Object Sequence").Select(o => (long)o.BaseObject));
        Assert.Equal([1L, 3L], ps.Run("Get-IsmsAuditEvent -Newest 5 -Target person:e1 | ForEach-Object Sequence").Select(o => (long)o.BaseObject));
        Assert.Equal(2, Strings(ps, "Get-IsmsAuditEvent -Action person.created | ForEach-Object Action").Length);
        Assert.Empty(Strings(ps, "Get-IsmsAuditEvent -StartTime ([DateTime]::Now.AddMinutes(5)) | ForEach-Object Action"));
        Assert.Equal(3, Strings(ps, "Get-IsmsAuditEvent -StartTime ([DateTime]::Now.AddMinutes(-5)) -EndTime ([DateTime]::Now.AddMinutes(5)) | ForEach-Object Action").Length);
        Assert.Empty(ps.Errors);
    }

    [Fact]
    public void Events_of_one_pipeline_run_share_a_correlation_id_and_carry_the_OS_user()
    {
        using var ps = new PowerShellSession();
        ps.Run("'E1','E2' | ForEach-Object { [pscustomobject]@{ PersonId = $_; DisplayName = $_ } } | New-IsmsPerson | Out-Null");
        var events = ps.Run("Get-IsmsAuditEvent");
        Assert.Equal(2, events.Count);
        Assert.Equal(events[0].Properties["CorrelationId"].Value, events[1].Properties["CorrelationId"].Value);
        Assert.Contains(Environment.UserName, (string)events[0].Properties["Actor"].Value, StringComparison.Ordinal);
    }

    [Fact]
    public void Test_IsmsAuditTrail_reports_an_intact_trail_and_then_the_first_edited_event()
    {
        using var ps = new PowerShellSession();
        ps.Run(ThreePeople);
        PSObject intact = ps.Run("Test-IsmsAuditTrail").Single();
        Assert.True((bool)intact.Properties["IsValid"].Value);
        Assert.Equal(3L, intact.Properties["EventCount"].Value);

        ps.Run("Remove-Module IsmsOps");
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(ps.Home, "isms.db")};Pooling=false"))
        {
            connection.Open();
            using SqliteCommand command = connection.CreateCommand();
            command.CommandText = "UPDATE audit_event SET details = replace(details, 'Grace', 'Mallory') WHERE seq = 2;";
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        ps.Run($"Import-Module '{ModuleLayout.ManifestPath}'");
        PSObject broken = ps.Run("Test-IsmsAuditTrail").Single();
        Assert.False((bool)broken.Properties["IsValid"].Value);
        Assert.Equal("Edit", broken.Properties["Tampering"].Value.ToString());
        Assert.Equal(2L, broken.Properties["FirstBadSequence"].Value);
    }

    [Fact]
    public void An_export_verifies_offline_with_the_pinned_key_and_fails_with_another()
    {
        using var ps = new PowerShellSession();
        string path = Path.Combine(ps.Home, "evidence", "trail.jsonl");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        ps.Run(ThreePeople);
        PSObject export = ps.Run($"Export-IsmsAuditTrail -Path '{path}'").Single();
        Assert.Equal(3L, export.Properties["EventCount"].Value);
        string keyId = (string)export.Properties["SigningKeyId"].Value;

        PSObject pinned = ps.Run($"Test-IsmsAuditTrail -Path '{path}' -TrustedKeyId {keyId}").Single();
        Assert.True((bool)pinned.Properties["IsValid"].Value, (string)pinned.Properties["Message"].Value);

        PSObject wrongKey = ps.Run($"Test-IsmsAuditTrail -Path '{path}' -TrustedKeyId {new string('0', 64)}").Single();
        Assert.Equal("InvalidCheckpoint", wrongKey.Properties["Tampering"].Value.ToString());

        ps.Run($"Test-IsmsAuditTrail -Path '{path}' | Out-Null");
        Assert.Contains(ps.Streams.Warning, w => w.Message.Contains(keyId, StringComparison.Ordinal));

        ps.Run($"Export-IsmsAuditTrail -Path '{path}'");
        Assert.StartsWith("IsmsOps.Audit.ExportExists", Assert.Single(ps.Errors).FullyQualifiedErrorId, StringComparison.Ordinal);
    }

    [Fact]
    public void The_trail_holds_no_secret_even_when_a_value_looks_like_one()
    {
        using var ps = new PowerShellSession();
        ps.Run("New-IsmsPerson E1 'Ada' -Department 'password=hunter2' | Out-Null");
        // A department is not a secret field, so it is kept as given; the redaction is by field name (see engine tests).
        Assert.Equal("password=hunter2", ps.Run("(Get-IsmsPerson E1).Department").Single().BaseObject);
        Assert.DoesNotContain(ps.Run("Get-IsmsAuditEvent | ForEach-Object Details").Select(o => (string)o.BaseObject),
            d => d.Contains("audit-signing-key", StringComparison.Ordinal));
    }

    [Fact]
    public void A_corrupt_store_stops_the_pipeline_once_with_a_clear_error_and_the_file_is_kept()
    {
        using var ps = new PowerShellSession();
        string db = Path.Combine(ps.Home, "isms.db");
        byte[] junk = "not a database at all, just text that someone saved here by mistake"u8.ToArray().Concat(new byte[4096]).ToArray();
        File.WriteAllBytes(db, junk);

        ps.Run("'E1','E2' | ForEach-Object { [pscustomobject]@{ PersonId = $_; DisplayName = $_ } } | New-IsmsPerson");
        ErrorRecord error = Assert.Single(ps.Errors);
        Assert.StartsWith("IsmsOps.Store.Corrupt", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains(db, error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Equal(junk, File.ReadAllBytes(db));
    }

    [Fact]
    public void Ctrl_C_stops_a_running_export_and_leaves_no_partial_file()
    {
        using var ps = new PowerShellSession();
        ps.Run("1..300 | ForEach-Object { [pscustomobject]@{ PersonId = \"E$_\"; DisplayName = \"P$_\" } } | New-IsmsPerson | Out-Null");
        string path = Path.Combine(ps.Home, "trail.jsonl");
        using var shell = System.Management.Automation.PowerShell.Create(System.Management.Automation.Runspaces.InitialSessionState.CreateDefault2());
        shell.AddScript($"Import-Module '{ModuleLayout.ManifestPath}'; 1..1000 | ForEach-Object {{ Export-IsmsAuditTrail -Path '{path}' -Force | Out-Null }}");
        IAsyncResult running = shell.BeginInvoke();
        SpinWait.SpinUntil(() => File.Exists(path), TimeSpan.FromSeconds(30));
        shell.Stop();
        Assert.Throws<PipelineStoppedException>(() => shell.EndInvoke(running));
        Assert.Equal(PSInvocationState.Stopped, shell.InvocationStateInfo.State);
        Assert.False(File.Exists(path + ".partial"));
    }

    private static string[] Strings(PowerShellSession ps, string script) => ps.Run(script).Select(o => (string)o.BaseObject).ToArray();
}
