using System.Management.Automation;

namespace IsmsOps.PowerShell.Tests;

/// <summary>Start- and Get-IsmsOnboarding against a sandbox tenant with the shipped role catalog, in a real PowerShell engine.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class OnboardingCmdletTests
{
    private const string Setup = "$sb = Start-IsmsSandbox -UserCount 100; Connect-IsmsGraph -Sandbox $sb; $upn = 'nova.joiner@' + $sb.Tenant.DefaultDomain; "
        + "New-IsmsPerson -PersonId E7001 -DisplayName 'Nova Joiner' -UserPrincipalName $upn -JobRole software-engineer -Location AT | Out-Null; "
        + "$scr = New-IsmsScreening E7001 -Level Standard -Status Requested";

    private const string Engineering = "@($sb.Tenant.Groups | Where-Object DisplayName -eq 'Engineering')[0].HasMember($sb.Tenant.FindUser($upn).Id)";

    [Fact]
    public void A_software_engineer_gets_the_baseline_first_is_listed_as_blocked_and_gets_the_role_access_after_clearance()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run(Setup);

            PSObject first = ps.Run("Start-IsmsOnboarding -PersonId E7001 -Confirm:$false").Single();
            bool accountMade = (bool)ps.Run("$null -ne $sb.Tenant.FindUser($upn)").Single().BaseObject;
            bool memberBefore = (bool)ps.Run(Engineering).Single().BaseObject;
            PSObject blocked = ps.Run("Get-IsmsOnboarding -Blocked").Single();

            ps.Run("Set-IsmsScreening $scr.ScreeningId -Identity Clear -RightToWork Clear -CriminalRecord Clear -References Clear -Status Cleared");
            PSObject second = ps.Run("Start-IsmsOnboarding -PersonId E7001 -Confirm:$false").Single();
            bool memberAfter = (bool)ps.Run(Engineering).Single().BaseObject;

            Assert.Empty(ps.Errors);
            Assert.True(accountMade);
            Assert.False(memberBefore);
            Assert.Equal("Blocked", first.Properties["Status"].Value.ToString());
            Assert.Contains("is Requested", blocked.Properties["BlockedBecause"].Value.ToString(), StringComparison.Ordinal);
            Assert.Equal("Completed", second.Properties["Status"].Value.ToString());
            Assert.True(memberAfter);
            Assert.Empty(ps.Run("Get-IsmsOnboarding -Blocked"));
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }

    [Fact]
    public void A_pass_asked_for_on_a_later_run_is_not_added_by_WhatIf_then_written_once_and_never_again()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run(Setup);
            ps.Run("Start-IsmsOnboarding -PersonId E7001 -Confirm:$false | Out-Null");
            const string StepCount = "(Get-IsmsOnboarding -PersonId E7001).Steps.Count";
            int planned = (int)ps.Run(StepCount).Single().BaseObject;

            ps.Run("Start-IsmsOnboarding -PersonId E7001 -IssueTemporaryAccessPass -WhatIf");
            int afterWhatIf = (int)ps.Run(StepCount).Single().BaseObject;
            bool passBeforeRun = (bool)ps.Run("@($sb.Tenant.FindUser($upn).AuthenticationMethods | Where-Object { $_.GetType().Name -eq 'TemporaryAccessPassMethod' }).Count -gt 0").Single().BaseObject;
            var second = ps.Run("Start-IsmsOnboarding -PersonId E7001 -IssueTemporaryAccessPass -Confirm:$false");
            var third = ps.Run("Start-IsmsOnboarding -PersonId E7001 -IssueTemporaryAccessPass -Confirm:$false");
            int passes = (int)ps.Run("@($sb.Tenant.FindUser($upn).AuthenticationMethods | Where-Object { $_.GetType().Name -eq 'TemporaryAccessPassMethod' }).Count").Single().BaseObject;

            Assert.True(ps.Errors.Count == 0, string.Join("\n", ps.Errors.Select(e => e.ToString())));
            Assert.False(passBeforeRun);
            Assert.Equal(planned, afterWhatIf);
            Assert.Equal(planned + 1, (int)ps.Run(StepCount).Single().BaseObject);
            Assert.Single(second, o => o.TypeNames.Contains("IsmsOps.TemporaryAccessPass"));
            Assert.DoesNotContain(third, o => o.TypeNames.Contains("IsmsOps.TemporaryAccessPass"));
            Assert.Equal(1, passes);
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }

    [Fact]
    public void WhatIf_creates_no_account_and_stores_no_case()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run(Setup);

            ps.Run("Start-IsmsOnboarding -PersonId E7001 -WhatIf");
            bool accountMade = (bool)ps.Run("$null -ne $sb.Tenant.FindUser($upn)").Single().BaseObject;

            Assert.Empty(ps.Errors);
            Assert.False(accountMade);
            Assert.Empty(ps.Run("Get-IsmsOnboarding"));
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }

    [Fact]
    public void A_person_whose_job_role_is_not_in_the_catalog_gets_a_clear_error()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run(Setup + "; Set-IsmsPerson E7001 -JobRole astronaut -Confirm:$false");
            ps.Errors.Clear();

            ps.Run("Start-IsmsOnboarding -PersonId E7001 -Confirm:$false");

            ErrorRecord error = Assert.Single(ps.Errors);
            Assert.StartsWith("IsmsOps.Onboarding.UnknownRole", error.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Empty(ps.Run("Get-IsmsOnboarding"));
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }
}
