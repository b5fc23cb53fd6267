using System.Management.Automation;

namespace IsmsOps.PowerShell.Tests;

/// <summary>Start-, Get- and Resume-IsmsOffboarding against a sandbox tenant, in a real PowerShell engine.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class OffboardingCmdletTests
{
    private const string PickLeaver = "$leaver = @($sb.Tenant.Users | Where-Object { $_.Manager -and $_.MemberOf.Count -ge 3 })[0]";

    [Fact]
    public void A_register_person_is_offboarded_in_the_sandbox_and_the_case_is_stored_closed()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run($"$sb = Start-IsmsSandbox -UserCount 200; Connect-IsmsGraph -Sandbox $sb; {PickLeaver}");
            ps.Run("New-IsmsPerson -PersonId E9001 -DisplayName $leaver.DisplayName -UserPrincipalName $leaver.UserPrincipalName -Status Leaving | Out-Null");

            PSObject started = ps.Run("Start-IsmsOffboarding -PersonId E9001 -Confirm:$false").Single();
            PSObject stored = ps.Run("Get-IsmsOffboarding -PersonId E9001").Single();
            bool enabled = (bool)ps.Run("$leaver.AccountEnabled").Single().BaseObject;

            Assert.Empty(ps.Errors);
            Assert.False(enabled);
            Assert.StartsWith("Completed", started.Properties["Status"].Value.ToString(), StringComparison.Ordinal);
            Assert.Equal(started.Properties["CaseId"].Value, stored.Properties["CaseId"].Value);
            Assert.Equal("E9001", stored.Properties["PersonId"].Value);
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }

    [Fact]
    public void WhatIf_shows_the_plan_and_changes_nothing_in_the_directory_or_the_store()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run($"$sb = Start-IsmsSandbox -UserCount 200; Connect-IsmsGraph -Sandbox $sb; {PickLeaver}");

            ps.Run("Start-IsmsOffboarding -UserId $leaver.UserPrincipalName -WhatIf");
            bool enabled = (bool)ps.Run("$leaver.AccountEnabled").Single().BaseObject;
            int groups = (int)ps.Run("$leaver.MemberOf.Count").Single().BaseObject;

            Assert.Empty(ps.Errors);
            Assert.True(enabled);
            Assert.True(groups >= 3);
            Assert.Empty(ps.Run("Get-IsmsOffboarding"));
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }

    [Fact]
    public void Resuming_a_finished_case_changes_nothing_and_an_unknown_person_is_a_clear_error()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run($"$sb = Start-IsmsSandbox -UserCount 200; Connect-IsmsGraph -Sandbox $sb; {PickLeaver}");
            PSObject first = ps.Run("Start-IsmsOffboarding -UserId $leaver.Id -Confirm:$false").Single();

            PSObject resumed = ps.Run("Get-IsmsOffboarding -Open:$false | Resume-IsmsOffboarding -Confirm:$false").Single();
            ps.Run("Start-IsmsOffboarding -PersonId NOBODY -Confirm:$false");

            Assert.Equal(first.Properties["Version"].Value, resumed.Properties["Version"].Value);
            ErrorRecord error = Assert.Single(ps.Errors);
            Assert.StartsWith("IsmsOps.Person.NotFound", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }

    [Fact]
    public void A_person_with_no_account_and_an_account_that_no_longer_exists_each_get_a_clear_error_and_no_case()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run("$sb = Start-IsmsSandbox -UserCount 100; Connect-IsmsGraph -Sandbox $sb");
            ps.Run("New-IsmsPerson -PersonId E9101 -DisplayName 'No Account' | Out-Null");
            ps.Run("New-IsmsPerson -PersonId E9102 -DisplayName 'Gone Already' -UserPrincipalName 'gone.already@ismssandbox.onmicrosoft.com' | Out-Null");

            ps.Run("'E9101', 'E9102' | ForEach-Object { Start-IsmsOffboarding -PersonId $_ -Confirm:$false }");

            Assert.Equal(2, ps.Errors.Count);
            Assert.StartsWith("IsmsOps.Access.PersonNotLinked", ps.Errors[0].FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.StartsWith("IsmsOps.Access.UserNotFound", ps.Errors[1].FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Contains("gone.already@ismssandbox.onmicrosoft.com", ps.Errors[1].Exception.Message, StringComparison.Ordinal);
            Assert.Empty(ps.Run("Get-IsmsOffboarding"));
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }

    [Fact]
    public void Confirming_the_manual_tasks_completes_the_case()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run("$sb = Start-IsmsSandbox -UserCount 200; Connect-IsmsGraph -Sandbox $sb");
            ps.Run("$boss = @($sb.Tenant.Users | Where-Object { -not $_.Manager -and $_.DirectReports.Count -gt 0 })[0]");
            ps.Run("$case = Start-IsmsOffboarding -UserId $boss.Id -Confirm:$false");

            PSObject[] done = ps.Run(
                "$case.Steps | Where-Object { \"$($_.Status)\" -eq 'ManualTask' } | ForEach-Object { Complete-IsmsOffboardingTask -CaseId $case.CaseId -Sequence $_.Sequence -Note 'handled' -Confirm:$false }")
                .ToArray();

            Assert.Empty(ps.Errors);
            Assert.NotEmpty(done);
            Assert.Equal("Completed", done[^1].Properties["Status"].Value.ToString());
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }

    [Fact]
    public void The_deadline_of_a_new_case_follows_an_edited_policy_file_and_a_broken_file_stops_the_offboarding()
    {
        using var ps = new PowerShellSession();
        string policies = Directory.CreateDirectory(Path.Combine(ps.Home, "policies")).FullName;
        string file = Path.Combine(policies, "offboarding.yaml");
        try
        {
            ps.Run($"$env:ISMSOPS_POLICIES = '{policies}'; $sb = Start-IsmsSandbox -UserCount 200; Connect-IsmsGraph -Sandbox $sb");
            ps.Run("$leavers = @($sb.Tenant.Users | Where-Object { $_.Manager -and $_.MemberOf.Count -ge 1 -and $_.AccountEnabled })");
            const string Start = "$c = Start-IsmsOffboarding -UserId $leavers[{0}].Id -EffectiveDate '2026-11-23T09:00:00Z' -Confirm:$false; ($c.DueAt - $c.EffectiveDate).TotalHours";

            File.WriteAllText(file, "deadlines:\n  standard: PT2H\n");
            double first = (double)ps.Run(string.Format(System.Globalization.CultureInfo.InvariantCulture, Start, 0)).Single().BaseObject;
            File.WriteAllText(file, "deadlines:\n  standard: PT5H\n");
            double second = (double)ps.Run(string.Format(System.Globalization.CultureInfo.InvariantCulture, Start, 1)).Single().BaseObject;
            File.WriteAllText(file, "deadlines:\n  standard: five hours\n");
            ps.Run(string.Format(System.Globalization.CultureInfo.InvariantCulture, Start, 2));

            Assert.Equal((2d, 5d), (first, second));
            ErrorRecord error = Assert.Single(ps.Errors);
            Assert.StartsWith("IsmsOps.Policy.Invalid", error.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Contains($"{file}:2:13:", error.ErrorDetails.Message, StringComparison.Ordinal);
            Assert.Equal(2, (int)ps.Run("@(Get-IsmsOffboarding -Open:$false).Count").Single().BaseObject);
            Assert.True((bool)ps.Run("$leavers[2].AccountEnabled").Single().BaseObject);
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }
}
