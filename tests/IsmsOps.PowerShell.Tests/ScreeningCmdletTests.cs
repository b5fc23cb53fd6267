using System.Management.Automation;
using System.Text;

namespace IsmsOps.PowerShell.Tests;

/// <summary>New/Get/Set-IsmsScreening and Approve-IsmsScreeningWaiver in a real PowerShell engine.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class ScreeningCmdletTests
{
    private static string ErrorId(ErrorRecord e) => e.FullyQualifiedErrorId.Split(',')[0];

    private static string Open(PowerShellSession ps, string level = "Standard", string extra = "")
    {
        ps.Run("New-IsmsPerson E1 'Ada' -Location GB | Out-Null");
        return (string)ps.Run($"(New-IsmsScreening E1 -Level {level} -Status Requested -Provider Acme -ProviderReference ACME-1 {extra}).ScreeningId").Single().BaseObject;
    }

    [Fact]
    public void A_screening_goes_from_requested_to_cleared_through_the_pipeline_with_the_rescreen_date_set()
    {
        using var ps = new PowerShellSession();
        string id = Open(ps, "Basic");

        ps.Run("Get-IsmsScreening -PersonId E1 | Set-IsmsScreening -Identity Clear -RightToWork Clear -Status Cleared -CompletedOn 2026-01-15");
        PSObject cleared = ps.Run($"Get-IsmsScreening -ScreeningId {id}").Single();
        PSObject due = Assert.Single(ps.Run("Get-IsmsScreening -DueWithinDays 36500"));

        Assert.Empty(ps.Errors);
        Assert.Equal("Cleared", cleared.Properties["Status"].Value.ToString());
        Assert.Equal(new DateTime(2031, 1, 15), cleared.Properties["RescreenDueOn"].Value);
        Assert.Equal(id, due.Properties["ScreeningId"].Value);
        Assert.Empty(ps.Run("Get-IsmsScreening -DueWithinDays 30"));
        Assert.Equal(2, ps.Run($"@(Get-IsmsAuditEvent -Target screening:{id}).Count").Single().BaseObject);
    }

    [Fact]
    public void Clearing_with_a_required_check_still_pending_is_refused_with_a_stable_error_id_and_changes_nothing()
    {
        using var ps = new PowerShellSession();
        string id = Open(ps);

        ps.Run($"Set-IsmsScreening {id} -Identity Clear -Status Cleared");

        Assert.Equal(["IsmsOps.Screening.NotClear"], ps.Errors.Select(ErrorId));
        Assert.Equal("Requested", ps.Run($"(Get-IsmsScreening -ScreeningId {id}).Status.ToString()").Single().BaseObject);
        Assert.Equal("Pending", ps.Run($"(Get-IsmsScreening -ScreeningId {id}).Identity.ToString()").Single().BaseObject);
    }

    [Fact]
    public void WhatIf_changes_nothing_and_a_stale_piped_version_is_refused_as_a_conflict()
    {
        using var ps = new PowerShellSession();
        string id = Open(ps);
        ps.Run("$old = Get-IsmsScreening -PersonId E1");
        int events = (int)ps.Run("@(Get-IsmsAuditEvent).Count").Single().BaseObject;

        ps.Run($"Set-IsmsScreening {id} -Status InProgress -Notes 'x' -WhatIf");
        Assert.Equal(events, (int)ps.Run("@(Get-IsmsAuditEvent).Count").Single().BaseObject);

        ps.Run($"Set-IsmsScreening {id} -Provider Other");
        ps.Run("$old | Set-IsmsScreening -Status InProgress");

        Assert.Equal(["IsmsOps.Screening.Conflict"], ps.Errors.Select(ErrorId));
        Assert.Equal("Requested", ps.Run($"(Get-IsmsScreening -ScreeningId {id}).Status.ToString()").Single().BaseObject);
    }

    [Fact]
    public void Notes_are_hidden_by_default_and_IncludeSensitive_shows_them_and_audits_the_read()
    {
        using var ps = new PowerShellSession();
        string id = Open(ps, extra: "-Notes 'note-5150 candidate asked for a call'");
        ps.Run($"Set-IsmsScreening {id} -CriminalRecord Adverse -AdverseFindings 'finding-6160'");

        PSObject plain = ps.Run("Get-IsmsScreening -PersonId E1").Single();
        PSObject full = ps.Run("Get-IsmsScreening -PersonId E1 -IncludeSensitive").Single();
        PSObject read = ps.Run("Get-IsmsAuditEvent -Action PersonalData.Read").Single();
        string trail = string.Join("\n", ps.Run("Get-IsmsAuditEvent | ForEach-Object { $_.Details }").Select(o => o.ToString()));

        Assert.Empty(ps.Errors);
        Assert.Equal("Adverse", plain.Properties["Status"].Value.ToString());
        Assert.Null(plain.Properties["Notes"].Value);
        Assert.Null(plain.Properties["AdverseFindings"].Value);
        Assert.Equal("note-5150 candidate asked for a call", full.Properties["Notes"].Value);
        Assert.Equal("finding-6160", full.Properties["AdverseFindings"].Value);
        Assert.Contains($"Screening/{id}/AdverseFindings", (string)read.Properties["Details"].Value, StringComparison.Ordinal);
        Assert.DoesNotContain("5150", trail, StringComparison.Ordinal);
        Assert.DoesNotContain("6160", trail, StringComparison.Ordinal);
        byte[] store = File.ReadAllBytes(Path.Combine(ps.Home, "isms.db"));
        Assert.Equal(-1, store.AsSpan().IndexOf(Encoding.UTF8.GetBytes("note-5150")));
    }

    [Fact]
    public void The_requester_of_a_waiver_cannot_approve_it_and_the_waiver_stays_unapproved()
    {
        using var ps = new PowerShellSession();
        string id = Open(ps);
        ps.Run($"Set-IsmsScreening {id} -Status Waived -WaiverReason 'Provider backlog'");
        string lastDay = DateTime.UtcNow.Date.AddDays(30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        ps.Run($"Approve-IsmsScreeningWaiver {id} -Reason 'ok' -ExpiresOn {lastDay} -Confirm:$false");
        ps.Run($"Approve-IsmsScreeningWaiver scr-000000000000 -Reason 'ok' -ExpiresOn {lastDay} -Confirm:$false");

        Assert.Equal(["IsmsOps.Screening.SelfApproval", "IsmsOps.Screening.NotFound"], ps.Errors.Select(ErrorId));
        Assert.Equal(ErrorCategory.PermissionDenied, ps.Errors[0].CategoryInfo.Category);
        Assert.Null(ps.Run($"(Get-IsmsScreening -ScreeningId {id}).WaiverApprovedBy").SingleOrDefault()?.BaseObject);
        Assert.Empty(ps.Run("Get-IsmsAuditEvent -Action Screening.WaiverApproved"));
    }

    [Fact]
    public void A_broken_screening_policy_file_stops_the_command_with_its_file_and_line()
    {
        using var ps = new PowerShellSession();
        string folder = Directory.CreateTempSubdirectory("ismsops-policies-").FullName;
        File.WriteAllText(Path.Combine(folder, "screening.yaml"), "levels:\n  Basic:\n    checks: [Identity, Fingerprints]\n");
        ps.Run("New-IsmsPerson E1 'Ada' | Out-Null");

        ps.Run($"$env:ISMSOPS_POLICIES = '{folder}'; New-IsmsScreening E1 -Level Basic; $env:ISMSOPS_POLICIES = $null");

        ErrorRecord error = Assert.Single(ps.Errors);
        Assert.Equal("IsmsOps.Policy.Invalid", ErrorId(error));
        Assert.Contains("screening.yaml:3:24", error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Empty(ps.Run("Get-IsmsScreening"));
    }

    private const string BrokenPolicy = "levels:\n  Basic:\n    checks: [Identity, Fingerprints]\n";

    // Two people with a Requested screening each, under a policy folder of their own; returns that folder's screening.yaml.
    private static string TwoScreeningsUnderOwnPolicy(PowerShellSession ps)
    {
        string folder = Directory.CreateTempSubdirectory("ismsops-policies-").FullName;
        string file = Path.Combine(folder, "screening.yaml");
        File.WriteAllText(file, "waivers:\n  maxDuration: P60D\n");
        ps.Run($"$env:ISMSOPS_POLICIES = '{folder}'; $policyFile = '{file}'");
        ps.Run("New-IsmsPerson E1 'Ada' -Location GB | Out-Null; New-IsmsPerson E2 'Bea' -Location GB | Out-Null");
        ps.Run("New-IsmsScreening E1 -Level Standard -Status Requested | Out-Null; New-IsmsScreening E2 -Level Standard -Status Requested | Out-Null");
        return file;
    }

    [Fact]
    public void Set_IsmsScreening_reads_the_policy_once_so_a_file_broken_midway_through_the_pipeline_changes_no_outcome()
    {
        using var ps = new PowerShellSession();
        TwoScreeningsUnderOwnPolicy(ps);

        // The first screening passes downstream before the file is broken; a per-item read would refuse the second.
        ps.Run($"Get-IsmsScreening | ForEach-Object {{ $_; [System.IO.File]::WriteAllText($policyFile, \"{BrokenPolicy.Replace("\n", "`n", StringComparison.Ordinal)}\") }} | Set-IsmsScreening -Status InProgress");
        string[] statuses = ps.Run("Get-IsmsScreening | ForEach-Object { $_.Status.ToString() }").Select(o => (string)o.BaseObject).ToArray();
        ps.Run("Set-IsmsScreening (Get-IsmsScreening -PersonId E1).ScreeningId -Provider Acme");

        Assert.Equal(["InProgress", "InProgress"], statuses);
        // The next command reads the file anew, and refuses it.
        Assert.Equal(["IsmsOps.Policy.Invalid"], ps.Errors.Select(ErrorId));
        ps.Run("$env:ISMSOPS_POLICIES = $null");
    }

    [Fact]
    public void Approve_IsmsScreeningWaiver_judges_every_piped_waiver_by_the_policy_it_read_once()
    {
        using var ps = new PowerShellSession();
        TwoScreeningsUnderOwnPolicy(ps);
        ps.Run("Get-IsmsScreening | Set-IsmsScreening -Status Waived -WaiverReason 'Provider backlog'");
        string lastDay = DateTime.UtcNow.Date.AddDays(45).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        ps.Run($"Get-IsmsScreening | ForEach-Object {{ $_; [System.IO.File]::WriteAllText($policyFile, \"{BrokenPolicy.Replace("\n", "`n", StringComparison.Ordinal)}\") }} "
            + $"| Approve-IsmsScreeningWaiver -Reason 'ok' -ExpiresOn {lastDay} -Confirm:$false");

        // Both are refused by the rule about who approves (this session requested them), neither by the broken file.
        Assert.Equal(["IsmsOps.Screening.SelfApproval", "IsmsOps.Screening.SelfApproval"], ps.Errors.Select(ErrorId));
        Assert.Empty(ps.Run("Get-IsmsAuditEvent -Action Screening.WaiverApproved"));
        ps.Run("$env:ISMSOPS_POLICIES = $null");
    }
}
