using System.Management.Automation;

namespace IsmsOps.PowerShell.Tests;

/// <summary>
/// Start-IsmsOffboarding fed from the pipeline, as <c>Import-Csv leavers.csv | Start-IsmsOffboarding</c> runs it: rows
/// bind by property name (the hosted engine has no Import-Csv, so the rows are made as objects), leavers run
/// -ThrottleLimit at a time, and every answer is checked on the sandbox and in the store.
/// </summary>
[Collection(PowerShellCollection.Name)]
public sealed class OffboardingFeedCmdletTests
{
    // Twelve members with a manager: six become register persons (rows with a PersonId), six are fed by UPN (rows with
    // a UserId), and two rows name nobody.
    private const string Feed = """
        $sb = Start-IsmsSandbox -UserCount 200; Connect-IsmsGraph -Sandbox $sb
        $leavers = @(@($sb.Tenant.Users | Where-Object { $_.Manager -and $_.AccountEnabled -and $_.UserType -eq 'Member' })[10..21])
        for ($i = 0; $i -lt 6; $i++) {
            New-IsmsPerson -PersonId ('HR{0:00}' -f $i) -DisplayName $leavers[$i].DisplayName -UserPrincipalName $leavers[$i].UserPrincipalName -Status Leaving | Out-Null
        }
        $rows = @(for ($i = 0; $i -lt 12; $i++) {
            if ($i -lt 6) { [pscustomobject]@{ PersonId = ('HR{0:00}' -f $i) } } else { [pscustomobject]@{ UserId = $leavers[$i].UserPrincipalName } }
        })
        """;

    private const string StillHeld = """
        @($leavers | Where-Object {
            $_.AccountEnabled -or @($_.MemberOf | Where-Object { -not $_.IsDynamic -and $_.OnPremisesSyncEnabled -ne $true -and -not ($_.MailEnabled -and -not $_.IsUnified) }).Count -gt 0
        }).Count
        """;

    [Fact]
    public void Rows_piped_in_are_offboarded_in_the_sandbox_and_a_bad_row_is_an_error_naming_it_that_stops_no_other()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run(Feed);
            ps.Run("$rows = @($rows[0..3]) + [pscustomobject]@{ PersonId = 'HR404' } + @($rows[4..8]) + [pscustomobject]@{ UserId = 'nobody@ismssandbox.onmicrosoft.com' } + @($rows[9..11])");

            PSObject[] cases = ps.Run("$rows | Start-IsmsOffboarding -Confirm:$false").ToArray();
            string warnings = string.Join("\n", ps.Streams.Warning.Select(w => w.Message));
            int held = (int)ps.Run(StillHeld).Single().BaseObject;
            bool trailValid = (bool)ps.Run("(Test-IsmsAuditTrail).IsValid").Single().BaseObject;
            PSObject[] open = ps.Run("Get-IsmsOffboarding -Open").ToArray();

            Assert.Equal(12, cases.Length);
            Assert.Equal(12, cases.Select(c => c.Properties["CaseId"].Value).Distinct().Count());
            Assert.Equal(0, held);
            Assert.True(open.Length == 0, $"{open.Length} case(s) left open: {warnings}");
            Assert.True(trailValid);
            Assert.Equal(2, ps.Errors.Count);
            ErrorRecord unknown = Assert.Single(ps.Errors, e => e.FullyQualifiedErrorId.StartsWith("IsmsOps.Person.NotFound", StringComparison.Ordinal));
            Assert.Contains("HR404", unknown.ToString(), StringComparison.Ordinal);
            ErrorRecord missing = Assert.Single(ps.Errors, e => e.FullyQualifiedErrorId.StartsWith("IsmsOps.Access.UserNotFound", StringComparison.Ordinal));
            Assert.Contains("nobody@ismssandbox.onmicrosoft.com", missing.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }

    [Fact]
    public void WhatIf_on_piped_rows_runs_nothing_and_stores_no_case()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run(Feed);

            PSObject[] output = ps.Run("$rows | Start-IsmsOffboarding -WhatIf").ToArray();
            int enabled = (int)ps.Run("@($leavers | Where-Object AccountEnabled).Count").Single().BaseObject;

            Assert.Empty(ps.Errors);
            Assert.Empty(output);
            Assert.Equal(12, enabled);
            Assert.Empty(ps.Run("Get-IsmsOffboarding"));
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }

    [Fact]
    public void ThrottleLimit_1_offboards_the_rows_one_after_another_in_their_order()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run(Feed);

            PSObject[] cases = ps.Run("$rows | Start-IsmsOffboarding -ThrottleLimit 1 -Confirm:$false").ToArray();
            string[] expected = ps.Run("$leavers | ForEach-Object UserPrincipalName").Select(o => o.BaseObject.ToString()!).ToArray();
            ps.Run("Start-IsmsOffboarding -UserId $leavers[0].Id -ThrottleLimit 0 -Confirm:$false");

            Assert.Equal(expected, cases.Select(c => c.Properties["UserPrincipalName"].Value.ToString()));
            ErrorRecord refused = Assert.Single(ps.Errors);
            Assert.StartsWith("ParameterArgumentValidationError", refused.FullyQualifiedErrorId, StringComparison.Ordinal);
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }

    [Fact]
    public void Stopping_a_feed_leaves_the_cases_under_way_open_and_resuming_them_finishes_every_leaver_started()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run(Feed.Replace("Start-IsmsSandbox -UserCount 200", "Start-IsmsSandbox -UserCount 200 -Latency 20", StringComparison.Ordinal));

            // Stopped (as Ctrl+C would) as soon as the first leaver's case is written, with three more under way.
            List<PSObject> written = ps.RunAndStopAfter("$rows | Start-IsmsOffboarding -ThrottleLimit 4 -Confirm:$false", 1);
            PSObject[] open = ps.Run("Get-IsmsOffboarding -Open").ToArray();
            PSObject[] resumed = ps.Run("Get-IsmsOffboarding -Open | Resume-IsmsOffboarding -Confirm:$false").ToArray();
            PSObject[] all = ps.Run("Get-IsmsOffboarding").ToArray();
            bool trailValid = (bool)ps.Run("(Test-IsmsAuditTrail).IsValid").Single().BaseObject;

            Assert.Single(written);
            Assert.NotEmpty(open);
            Assert.True(all.Length < 12, $"{all.Length} cases: the stop came after every leaver had started.");
            Assert.Equal(open.Length, resumed.Length);
            Assert.All(all, c => Assert.StartsWith("Completed", c.Properties["Status"].Value.ToString(), StringComparison.Ordinal));
            Assert.True(trailValid);
            Assert.Empty(ps.Errors);
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }
}
