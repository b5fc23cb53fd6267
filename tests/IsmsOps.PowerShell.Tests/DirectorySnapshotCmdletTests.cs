using System.Management.Automation;

namespace IsmsOps.PowerShell.Tests;

/// <summary>Export-IsmsDirectorySnapshot and Get-IsmsAccess against a live sandbox, in a real PowerShell engine.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class DirectorySnapshotCmdletTests
{
    [Fact]
    public void A_sandbox_tenant_exports_to_a_file_that_imports_with_the_same_digest_and_the_export_is_audited()
    {
        using var ps = new PowerShellSession();
        try
        {
            string file = Path.Combine(ps.Home, "tenant.json.gz");
            ps.Run("$sb = Start-IsmsSandbox -UserCount 300; Connect-IsmsGraph -Sandbox $sb");

            PSObject exported = ps.Run($"Export-IsmsDirectorySnapshot -Path '{file}'").Single();
            PSObject imported = ps.Run($"Import-IsmsDirectorySnapshot -Path '{file}'").Single();
            PSObject audit = ps.Run("Get-IsmsAuditEvent -Action Directory.SnapshotExported").Single();

            Assert.Empty(ps.Errors);
            Assert.True(File.Exists(file));
            Assert.Equal(exported.Properties["ContentSha256"].Value, imported.Properties["ContentSha256"].Value);
            Assert.Equal(300L, ((dynamic)imported.Properties["Counts"].Value).Users);
            Assert.Contains((string)exported.Properties["ContentSha256"].Value, (string)audit.Properties["Details"].Value, StringComparison.Ordinal);
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }

    [Fact]
    public void Exporting_without_a_connection_fails_with_NotConnected_and_writes_nothing()
    {
        using var ps = new PowerShellSession();
        string file = Path.Combine(ps.Home, "tenant.json.gz");

        ps.Run($"Export-IsmsDirectorySnapshot -Path '{file}'");

        ErrorRecord error = Assert.Single(ps.Errors);
        Assert.StartsWith("IsmsOps.Graph.NotConnected", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public void Get_IsmsAccess_reads_a_users_access_live_when_connected_and_matches_the_exported_snapshot()
    {
        using var ps = new PowerShellSession();
        try
        {
            string file = Path.Combine(ps.Home, "tenant.json.gz");
            ps.Run("$sb = Start-IsmsSandbox -UserCount 200; Connect-IsmsGraph -Sandbox $sb");
            ps.Run($"Export-IsmsDirectorySnapshot -Path '{file}' | Out-Null");
            // A user with groups and an app role: the sandbox's busiest member.
            string upn = (string)ps.Run(
                "@($sb.Tenant.Users | Where-Object { $_.MemberOf.Count -ge 2 })[0].UserPrincipalName").Single().BaseObject;

            string[] live = Describe(ps.Run($"Get-IsmsAccess -UserId '{upn}'"));
            string[] offline = Describe(ps.Run($"Get-IsmsAccess -UserId '{upn}' -SnapshotPath '{file}'"));

            Assert.Empty(ps.Errors);
            Assert.Contains(live, l => l.StartsWith("GroupMembership|", StringComparison.Ordinal));
            Assert.Equal(offline, live);
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }

    [Fact]
    public void A_tenant_without_P1_exports_and_the_summary_lists_the_missing_evidence()
    {
        using var ps = new PowerShellSession();
        try
        {
            string file = Path.Combine(ps.Home, "tenant.json.gz");
            ps.Run("$sb = Start-IsmsSandbox -UserCount 150 -NoPremiumP1; Connect-IsmsGraph -Sandbox $sb");

            PSObject summary = ps.Run($"Export-IsmsDirectorySnapshot -Path '{file}'").Single();

            Assert.Empty(ps.Errors);
            string[] gaps = ((IEnumerable<object>)summary.Properties["EvidenceGaps"].Value).Select(g => g.ToString()!).ToArray();
            Assert.Contains(gaps, g => g.StartsWith("signInActivity: NotLicensed", StringComparison.Ordinal));
            Assert.Contains(gaps, g => g.StartsWith("authenticationRegistration: NotLicensed", StringComparison.Ordinal));
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }

    [Fact]
    public void A_missing_permission_fails_the_export_naming_the_permission_and_leaves_no_file()
    {
        using var ps = new PowerShellSession();
        try
        {
            string file = Path.Combine(ps.Home, "tenant.json.gz");
            ps.Run("$sb = Start-IsmsSandbox -UserCount 150 -GrantedPermission Organization.Read.All, User.Read.All, GroupMember.Read.All; Connect-IsmsGraph -Sandbox $sb");

            ps.Run($"Export-IsmsDirectorySnapshot -Path '{file}'");

            ErrorRecord error = Assert.Single(ps.Errors);
            Assert.StartsWith("IsmsOps.Graph.Forbidden", error.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Matches(@"The app needs the application permissions? [A-Za-z]+\.Read", error.Exception.Message);
            Assert.Contains("docs/graph-permissions.md", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
            Assert.False(File.Exists(file));
            Assert.Empty(Directory.GetFiles(ps.Home, "tenant*"));
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }

    private static string[] Describe(IEnumerable<PSObject> grants) => grants
        .Select(g => $"{g.Properties["Kind"].Value}|{g.Properties["ResourceId"].Value}|{g.Properties["Assignment"].Value}|{g.Properties["Removal"].Value}")
        .Order(StringComparer.Ordinal)
        .ToArray();
}
