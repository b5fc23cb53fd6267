using System.Globalization;
using System.Management.Automation;

namespace IsmsOps.PowerShell.Tests;

/// <summary>Invoke-IsmsLifecycle in a real PowerShell engine with the built module, against a sandbox tenant.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class LifecycleCmdletTests
{
    private const string Connect = "$sb = Start-IsmsSandbox -UserCount 100; Connect-IsmsGraph -Sandbox $sb; $upn = 'nova.joiner@' + $sb.Tenant.DefaultDomain; ";

    private static readonly string Today = DateTime.UtcNow.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string JoinerEvent => "@{ IdempotencyKey = 'wd-77'; Kind = 'Joiner'; PersonId = 'E7701'; DisplayName = 'Nova Joiner'; UserPrincipalName = $upn; "
        + $"JobRole = 'software-engineer'; StartDate = '{Today}'; Location = 'AT' }}";

    private static string Text(PSObject o, string name) => o.Properties[name].Value?.ToString() ?? string.Empty;

    [Fact]
    public void An_hr_event_piped_in_starts_the_joiners_onboarding_and_the_same_event_again_sends_nothing_to_graph()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run(Connect);

            PSObject first = ps.Run($"{JoinerEvent} | Invoke-IsmsHrEvent | Invoke-IsmsLifecycle -Confirm:$false").Single();
            List<string> warnings = ps.Streams.Warning.Select(w => w.Message).ToList();
            bool accountMade = (bool)ps.Run("$null -ne $sb.Tenant.FindUser($upn)").Single().BaseObject;
            long before = (long)ps.Run("$sb.RequestCount").Single().BaseObject;
            PSObject again = ps.Run($"{JoinerEvent} | Invoke-IsmsHrEvent | Invoke-IsmsLifecycle -Confirm:$false").Single();
            long after = (long)ps.Run("$sb.RequestCount").Single().BaseObject;

            Assert.Empty(ps.Errors);
            Assert.Equal(("E7701", "Onboarding", "Blocked"), (Text(first, "PersonId"), Text(first, "Work"), Text(first, "Status")));
            Assert.StartsWith("ONB-", Text(first, "CaseId"), StringComparison.Ordinal);
            Assert.Contains(warnings, w => w.Contains("wait for screening", StringComparison.Ordinal));
            Assert.True(accountMade);
            Assert.Equal(("Nothing", "Blocked", Text(first, "CaseId")), (Text(again, "Work"), Text(again, "Status"), Text(again, "CaseId")));
            Assert.Equal(before, after);
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }

    [Fact]
    public void Without_a_graph_connection_it_stops_with_a_clear_error_and_changes_nothing()
    {
        using var ps = new PowerShellSession();
        ps.Run("$upn = 'nova@contoso.com'; " + JoinerEvent + " | Invoke-IsmsHrEvent | Out-Null");

        Assert.Empty(ps.Run("Invoke-IsmsLifecycle -Confirm:$false"));

        ErrorRecord error = Assert.Single(ps.Errors);
        Assert.Equal("IsmsOps.Graph.NotConnected", error.FullyQualifiedErrorId.Split(',')[0]);
        Assert.Contains("Connect-IsmsGraph", error.ErrorDetails?.RecommendedAction ?? error.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(ps.Run("Get-IsmsOnboarding"));
        Assert.Empty(ps.Run("Get-IsmsAuditEvent -Action 'Lifecycle.*'"));
    }

    [Fact]
    public void WhatIf_creates_no_account_stores_no_case_and_audits_no_run()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run(Connect + JoinerEvent + " | Invoke-IsmsHrEvent | Out-Null");

            Assert.Empty(ps.Run("Invoke-IsmsLifecycle -WhatIf"));
            bool accountMade = (bool)ps.Run("$null -ne $sb.Tenant.FindUser($upn)").Single().BaseObject;

            Assert.Empty(ps.Errors);
            Assert.False(accountMade);
            Assert.Empty(ps.Run("Get-IsmsOnboarding"));
            Assert.Empty(ps.Run("Get-IsmsAuditEvent -Action 'Lifecycle.*'"));
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }

    [Fact]
    public void An_hr_feed_import_piped_in_works_on_exactly_the_people_it_raised_events_for()
    {
        using var ps = new PowerShellSession();
        string examples = Path.Combine(ModuleLayout.RepoRoot, "examples");
        try
        {
            ps.Run(Connect);
            ps.Run("New-IsmsPerson -PersonId E0001 -DisplayName 'Not In The Feed' -Status Onboarding -JobRole software-engineer | Out-Null");

            List<string> worked = ps.Run($"Import-IsmsHrFeed '{Path.Combine(examples, "hr-feed.csv")}' -MappingPath '{Path.Combine(examples, "hr-feed-mapping.yaml")}' "
                + "-WarningAction SilentlyContinue | Invoke-IsmsLifecycle -Confirm:$false -ErrorAction SilentlyContinue")
                .Select(r => Text(r, "PersonId")).Order(StringComparer.Ordinal).ToList();

            Assert.Equal(["E2001", "E2002", "E2003", "E2004"], worked);
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }
}
