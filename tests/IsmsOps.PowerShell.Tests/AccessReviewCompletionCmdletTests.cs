using System.Management.Automation;

namespace IsmsOps.PowerShell.Tests;

/// <summary>Complete-IsmsAccessReview in the hosted engine, against the sandbox tenant.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class AccessReviewCompletionCmdletTests
{
    private const string Arrange =
        "$sb = Start-IsmsSandbox -UserCount 120; Connect-IsmsGraph -Sandbox $sb | Out-Null; "
        + "$g = @($sb.Tenant.Groups | Where-Object { -not $_.IsDynamic -and -not $_.OnPremisesSyncEnabled -and -not $_.MailEnabled -and "
        + "@($_.Members | Where-Object { $_.GetType().Name -eq 'DirectoryUser' }).Count -ge 2 })[0]; "
        + "$fallback = @($sb.Tenant.Users | Where-Object { $_.UserType -eq 'Member' -and $g.Members -notcontains $_ })[0].UserPrincipalName; "
        + "$c = New-IsmsAccessReview -Name 'Deny all' -GroupName $g.Id -Reviewer Manager -FallbackReviewer $fallback -DefaultDecision Deny; ";

    private static int DirectUserMembers(PowerShellSession ps) =>
        (int)ps.Run("@($g.Members | Where-Object { $_.GetType().Name -eq 'DirectoryUser' }).Count").Single().BaseObject;

    [Fact]
    public void WhatIf_and_an_early_completion_change_nothing_Force_removes_the_default_denied_members_from_the_sandbox_once_and_the_evidence_lists_them()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run(Arrange);
            Assert.Empty(ps.Errors);
            int members = DirectUserMembers(ps);

            ps.Run("Complete-IsmsAccessReview $c.CampaignId -WhatIf");
            Assert.Empty(ps.Errors);
            Assert.Equal(members, DirectUserMembers(ps));

            ps.Run("Complete-IsmsAccessReview $c.CampaignId -Confirm:$false");
            Assert.Equal("IsmsOps.AccessReview.NotDue", Assert.Single(ps.Errors).FullyQualifiedErrorId.Split(',')[0]);
            Assert.Equal(members, DirectUserMembers(ps));
            ps.Errors.Clear();

            PSObject result = ps.Run("Complete-IsmsAccessReview $c.CampaignId -Force -Confirm:$false").Single();

            Assert.Empty(ps.Errors);
            Assert.Equal(0, DirectUserMembers(ps));
            Assert.Equal("Completed", result.Properties["Status"].Value.ToString());
            Assert.Equal(members, (int)result.Properties["AppliedSuccessfully"].Value);
            Assert.Equal(0, (int)result.Properties["Failed"].Value);

            PSObject again = ps.Run("Complete-IsmsAccessReview $c.CampaignId -Confirm:$false").Single();
            Assert.Empty(ps.Errors);
            Assert.True((bool)again.Properties["AlreadyCompleted"].Value);
            Assert.Equal(members, (int)again.Properties["AppliedSuccessfully"].Value);

            string folder = System.IO.Path.Combine(ps.Home, "evidence");
            PSObject files = ps.Run($"Export-IsmsAccessReviewEvidence $c.CampaignId -Path '{folder}'").Single();
            Assert.Empty(ps.Errors);
            string[] csv = File.ReadAllLines((string)files.Properties["CsvPath"].Value);
            Assert.Equal(members, csv.Count(l => l.Contains(",AppliedSuccessfully,", StringComparison.Ordinal)));
            Assert.Contains("<h2 id=\"removals\">Removals</h2>", File.ReadAllText((string)files.Properties["HtmlPath"].Value));
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }
}
