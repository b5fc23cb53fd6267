using System.Management.Automation;

namespace IsmsOps.PowerShell.Tests;

/// <summary>Invoke-IsmsAccessReviewCycle in the hosted engine, against the sandbox tenant.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class AccessReviewCycleCmdletTests
{
    // A quarterly auto-apply campaign that started 100 days ago (so its next period is due) and is due in a few
    // seconds: there is no clock to move, so the test waits for the due date to pass. The named reviewer approves one
    // member; the Deny default takes the rest.
    private const string Arrange =
        "$sb = Start-IsmsSandbox -UserCount 120; Connect-IsmsGraph -Sandbox $sb | Out-Null; "
        + "$g = @($sb.Tenant.Groups | Where-Object { -not $_.IsDynamic -and -not $_.OnPremisesSyncEnabled -and -not $_.MailEnabled -and "
        + "@($_.Members | Where-Object { $_.GetType().Name -eq 'DirectoryUser' }).Count -ge 2 })[0]; "
        + "$fallback = @($sb.Tenant.Users | Where-Object { $_.UserType -eq 'Member' -and $g.Members -notcontains $_ })[0].UserPrincipalName; "
        + "$due = [DateTime]::UtcNow.AddSeconds(8); "
        + "$c = New-IsmsAccessReview -Name 'Deny all' -GroupName $g.Id -Reviewer $fallback -DefaultDecision Deny -AutoApply -Force "
        + "-Recurrence P3M -StartDate ([DateTime]::UtcNow.AddDays(-100)) -DueDate $due; "
        + "@(Get-IsmsAccessReviewItem $c.CampaignId)[0] | Set-IsmsAccessReviewDecision -Decision Approve -Reviewer $fallback -Justification 'Still needed' | Out-Null; $due";

    private static int DirectUserMembers(PowerShellSession ps) =>
        (int)ps.Run("@($g.Members | Where-Object { $_.GetType().Name -eq 'DirectoryUser' }).Count").Single().BaseObject;

    [Fact]
    public void WhatIf_lists_the_planned_steps_and_changes_nothing_then_a_run_completes_the_campaign_in_the_sandbox_starts_its_successor_and_a_rerun_does_nothing()
    {
        using var ps = new PowerShellSession();
        try
        {
            var due = (DateTime)ps.Run(Arrange).Single().BaseObject;
            Assert.Empty(ps.Errors);
            int members = DirectUserMembers(ps);
            TimeSpan wait = due - DateTime.UtcNow + TimeSpan.FromMilliseconds(500);
            if (wait > TimeSpan.Zero)
            {
                Thread.Sleep(wait);
            }

            string evidence = Path.Combine(ps.Home, "evidence");
            PSObject[] planned = ps.Run($"Invoke-IsmsAccessReviewCycle -EvidencePath '{evidence}' -WhatIf").ToArray();
            Assert.Empty(ps.Errors);
            Assert.Equal(["Complete Planned", "CreateSuccessor Planned"], planned.Select(p => $"{p.Properties["Action"].Value} {p.Properties["Outcome"].Value}"));
            Assert.Equal(members, DirectUserMembers(ps));
            Assert.False(Directory.Exists(evidence));

            PSObject[] done = ps.Run($"Invoke-IsmsAccessReviewCycle -EvidencePath '{evidence}' -Confirm:$false").ToArray();

            Assert.Empty(ps.Errors);
            Assert.Equal(["Complete Done", "CreateSuccessor Done"], done.Select(p => $"{p.Properties["Action"].Value} {p.Properties["Outcome"].Value}"));
            Assert.Equal(1, DirectUserMembers(ps));
            Assert.True(File.Exists(Path.Combine(evidence, $"{ps.Run("$c.CampaignId").Single()}-evidence.html")));
            string successor = (string)done[1].Properties["SuccessorId"].Value;
            Assert.Equal(ps.Run("$c.CampaignId").Single().ToString(), ps.Run($"(Get-IsmsAccessReview {successor}).Campaign.PredecessorId").Single().ToString());

            Assert.Empty(ps.Run($"Invoke-IsmsAccessReviewCycle -EvidencePath '{evidence}' -Confirm:$false"));
            Assert.Empty(ps.Errors);
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }

    [Fact]
    public void Set_IsmsAccessReview_ends_a_series_after_WhatIf_changes_nothing_and_refuses_a_recurrence_that_is_no_duration()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run("$sb = Start-IsmsSandbox -UserCount 120; Connect-IsmsGraph -Sandbox $sb | Out-Null; "
                + "$fallback = @($sb.Tenant.Users | Where-Object { $_.UserType -eq 'Member' })[0].UserPrincipalName; "
                + "$c = New-IsmsAccessReview -Name 'Guests' -Guest -Reviewer $fallback -Recurrence P3M -WarningAction SilentlyContinue");
            Assert.Empty(ps.Errors);

            ps.Run("$c | Set-IsmsAccessReview -NoRecurrence -WhatIf");
            Assert.Equal("P3M", ps.Run("(Get-IsmsAccessReview $c.CampaignId).Campaign.Recurrence").Single().ToString());

            ps.Run("Set-IsmsAccessReview $c.CampaignId -Recurrence 'quarterly'");
            Assert.Equal("IsmsOps.AccessReview.InvalidRecurrence", Assert.Single(ps.Errors).FullyQualifiedErrorId.Split(',')[0]);
            ps.Errors.Clear();

            PSObject ended = ps.Run("$c | Set-IsmsAccessReview -NoRecurrence -Confirm:$false").Single();
            Assert.Empty(ps.Errors);
            Assert.Null(ended.Properties["Recurrence"].Value);
            Assert.Null(ps.Run("(Get-IsmsAccessReview $c.CampaignId).Campaign.NextStartDate").SingleOrDefault()?.BaseObject);
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }
}
