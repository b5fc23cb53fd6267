using System.Management.Automation;
using System.Text;

namespace IsmsOps.PowerShell.Tests;

/// <summary>Sensitive person fields, audited reads and Remove-IsmsPersonalData, in a real PowerShell engine.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class PersonalDataCmdletTests
{
    private const string NewLeaver =
        "New-IsmsPerson -PersonId E1 -DisplayName 'Ada' -Status Left -StartDate 2019-01-07 -EndDate {0} " +
        "-PersonalEmail ada@example.net -PersonalPhone '+44 20 7946 0999' -HomeAddress '12 Analytical Lane' | Out-Null";

    private static string Leaver(DateTime endDate) => string.Format(System.Globalization.CultureInfo.InvariantCulture, NewLeaver, endDate.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));

    private static int Count(PowerShellSession ps, string script) => (int)ps.Run($"@({script}).Count").Single().BaseObject;

    [Fact]
    public void Contact_details_are_hidden_by_default_and_IncludeSensitive_shows_them_and_audits_the_read()
    {
        using var ps = new PowerShellSession();
        ps.Run(Leaver(DateTime.UtcNow.Date));

        PSObject plain = ps.Run("Get-IsmsPerson E1").Single();
        PSObject full = ps.Run("Get-IsmsPerson E1 -IncludeSensitive").Single();
        PSObject read = ps.Run("Get-IsmsAuditEvent -Target person:E1 -Action PersonalData.Read").Single();
        string trail = string.Join("\n", ps.Run("Get-IsmsAuditEvent | ForEach-Object { $_.Details }").Select(o => o.ToString()));

        Assert.Empty(ps.Errors);
        Assert.Null(plain.Properties["PersonalEmail"].Value);
        Assert.Equal("ada@example.net", full.Properties["PersonalEmail"].Value);
        Assert.Equal("12 Analytical Lane", full.Properties["HomeAddress"].Value);
        Assert.Contains("PersonalPhone", (string)read.Properties["Details"].Value, StringComparison.Ordinal);
        Assert.DoesNotContain("example.net", trail, StringComparison.Ordinal);
        Assert.DoesNotContain("Analytical", trail, StringComparison.Ordinal);
        Assert.Contains("SensitiveFields", trail, StringComparison.Ordinal);
        byte[] store = File.ReadAllBytes(Path.Combine(ps.Home, "isms.db"));
        Assert.Equal(-1, store.AsSpan().IndexOf(Encoding.UTF8.GetBytes("ada@example.net")));
    }

    [Fact]
    public void Removal_before_the_retention_period_is_refused_with_the_date_it_is_allowed_and_changes_nothing()
    {
        using var ps = new PowerShellSession();
        ps.Run(Leaver(DateTime.UtcNow.Date));
        int events = Count(ps, "Get-IsmsAuditEvent");

        ps.Run("Remove-IsmsPersonalData -PersonId E1 -Confirm:$false");
        ps.Run("Remove-IsmsPersonalData -PersonId E1 -WhatIf -Force");

        ErrorRecord error = Assert.Single(ps.Errors);
        Assert.StartsWith("IsmsOps.PersonalData.RetentionNotPassed", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains(DateTime.UtcNow.Date.AddYears(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Equal(events, Count(ps, "Get-IsmsAuditEvent"));
        Assert.Equal("ada@example.net", ps.Run("(Get-IsmsPerson E1 -IncludeSensitive).PersonalEmail").Single().BaseObject);
    }

    [Fact]
    public void Force_removes_early_from_the_pipeline_the_audit_event_says_so_and_a_second_run_changes_nothing()
    {
        using var ps = new PowerShellSession();
        ps.Run(Leaver(DateTime.UtcNow.Date));

        PSObject removed = ps.Run("Get-IsmsPerson E1 | Remove-IsmsPersonalData -Force -Confirm:$false").Single();
        int events = Count(ps, "Get-IsmsAuditEvent");
        PSObject again = ps.Run("Remove-IsmsPersonalData E1 -Force -Confirm:$false").Single();
        PSObject after = ps.Run("Get-IsmsPerson E1 -IncludeSensitive").Single();
        PSObject audit = ps.Run("Get-IsmsAuditEvent -Action Person.PersonalDataRemoved").Single();
        bool valid = (bool)ps.Run("(Test-IsmsAuditTrail).IsValid").Single().BaseObject;

        Assert.Empty(ps.Errors);
        Assert.True((bool)removed.Properties["Forced"].Value);
        Assert.Equal(new[] { "HomeAddress", "PersonalEmail", "PersonalPhone" }, ((IEnumerable<string>)removed.Properties["Fields"].Value).ToArray());
        Assert.True((bool)again.Properties["AlreadyRemoved"].Value);
        Assert.Equal(events, Count(ps, "Get-IsmsAuditEvent"));
        Assert.Null(after.Properties["PersonalEmail"].Value);
        Assert.NotNull(after.Properties["PersonalDataRemovedAt"].Value);
        string details = (string)audit.Properties["Details"].Value;
        Assert.Contains("\"Forced\":true", details, StringComparison.Ordinal);
        Assert.Contains((string)removed.Properties["KeyId"].Value, details, StringComparison.Ordinal);
        Assert.True(valid);
    }

    [Fact]
    public void The_retention_period_follows_an_edited_policy_file_and_a_broken_one_stops_removal_at_its_line()
    {
        using var ps = new PowerShellSession();
        string policies = Directory.CreateDirectory(Path.Combine(ps.Home, "policies")).FullName;
        string file = Path.Combine(policies, "offboarding.yaml");
        File.WriteAllText(file, "personalDataRetention:\n  default: P1Y\n");
        ps.Run($"$env:ISMSOPS_POLICIES = '{policies}'");
        ps.Run(Leaver(DateTime.UtcNow.Date.AddDays(-3)));

        ps.Run("Remove-IsmsPersonalData E1 -Confirm:$false");
        File.WriteAllText(file, "personalDataRetention:\n  defualt: P2D\n");
        ps.Run("Remove-IsmsPersonalData E1 -Confirm:$false");
        File.WriteAllText(file, "personalDataRetention:\n  default: P2D\n");
        PSObject removed = ps.Run("Remove-IsmsPersonalData E1 -Confirm:$false").Single();

        Assert.Equal(2, ps.Errors.Count);
        Assert.StartsWith("IsmsOps.PersonalData.RetentionNotPassed", ps.Errors[0].FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.StartsWith("IsmsOps.Policy.Invalid", ps.Errors[1].FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains($"{file}:2:3: unknown key 'defualt'", ps.Errors[1].ErrorDetails.Message, StringComparison.Ordinal);
        Assert.False((bool)removed.Properties["Forced"].Value);
        Assert.Contains("+ P2D (Employee)", (string)removed.Properties["RetentionBasis"].Value, StringComparison.Ordinal);
    }

    [Fact]
    public void The_module_ships_the_default_policy_file()
    {
        Assert.True(File.Exists(Path.Combine(ModuleLayout.ModuleFolder, "policies", "offboarding.yaml")));
    }
}
