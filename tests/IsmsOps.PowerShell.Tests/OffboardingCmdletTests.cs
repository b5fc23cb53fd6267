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
    public void An_unknown_person_a_person_with_no_account_and_a_deleted_account_each_get_their_own_error_and_open_no_case()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run("$sb = Start-IsmsSandbox -UserCount 100; Connect-IsmsGraph -Sandbox $sb");
            ps.Run("$gone = @($sb.Tenant.Users | Where-Object { $_.Manager -and $_.MemberOf.Count -ge 1 })[0]");
            ps.Run("New-IsmsPerson -PersonId E9101 -DisplayName 'No Account' | Out-Null");
            ps.Run("New-IsmsPerson -PersonId E9102 -DisplayName 'Never Was' -UserPrincipalName 'never.was@ismssandbox.onmicrosoft.com' | Out-Null");
            ps.Run("New-IsmsPerson -PersonId E9103 -DisplayName $gone.DisplayName -DirectoryObjectId $gone.Id -UserPrincipalName $gone.UserPrincipalName | Out-Null");
            // Someone deletes the account in Entra ID before the offboarding runs.
            int deleted = (int)ps.Run("""
                $http = [System.Net.Http.HttpClient]::new()
                $request = [System.Net.Http.HttpRequestMessage]::new([System.Net.Http.HttpMethod]::Delete, "$($sb.Url)/users/$($gone.Id)")
                $request.Headers.Authorization = [System.Net.Http.Headers.AuthenticationHeaderValue]::new('Bearer', $sb.AccessToken)
                [int]$http.Send($request).StatusCode
                """).Single().BaseObject;
            string goneId = (string)ps.Run("$gone.Id").Single().BaseObject;
            int eventsBefore = ps.Run("Get-IsmsAuditEvent").Count;

            ps.Run("'NOBODY', 'E9101', 'E9102', 'E9103' | ForEach-Object { Start-IsmsOffboarding -PersonId $_ -Confirm:$false }");

            Assert.Equal(204, deleted);
            Assert.Equal(4, ps.Errors.Count);
            AssertError(ps.Errors[0], "IsmsOps.Person.NotFound", ErrorCategory.ObjectNotFound, "NOBODY", "New-IsmsPerson");
            AssertError(ps.Errors[1], "IsmsOps.Access.PersonNotLinked", ErrorCategory.InvalidData, "E9101", "Set-IsmsPerson E9101 -DirectoryObjectId");
            AssertError(ps.Errors[2], "IsmsOps.Access.UserNotFound", ErrorCategory.ObjectNotFound, "never.was@ismssandbox.onmicrosoft.com", "Set-IsmsPerson -DirectoryObjectId");
            AssertError(ps.Errors[3], "IsmsOps.Access.UserNotFound", ErrorCategory.ObjectNotFound, goneId, "restore it from Deleted users");
            Assert.Contains("deleted already", ps.Errors[3].Exception.Message, StringComparison.Ordinal);
            Assert.Empty(ps.Run("Get-IsmsOffboarding"));
            Assert.Equal(eventsBefore, ps.Run("Get-IsmsAuditEvent").Count);
            Assert.True((bool)ps.Run("(Test-IsmsAuditTrail).IsValid").Single().BaseObject);
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }

    [Fact]
    public void A_missing_permission_fails_only_its_steps_names_the_permission_in_an_error_and_the_other_steps_run()
    {
        using var ps = new PowerShellSession();
        try
        {
            // Everything an offboarding needs except AppRoleAssignment.ReadWrite.All.
            ps.Run("""
                $sb = Start-IsmsSandbox -UserCount 200 -GrantedPermission Organization.Read.All, User.ReadWrite.All, GroupMember.ReadWrite.All,
                    Group.ReadWrite.All, RoleManagement.ReadWrite.Directory, Application.Read.All, DelegatedPermissionGrant.ReadWrite.All,
                    Device.ReadWrite.All, UserAuthenticationMethod.ReadWrite.All, LicenseAssignment.ReadWrite.All, AuditLog.Read.All
                Connect-IsmsGraph -Sandbox $sb
                $leaver = @($sb.Tenant.Users | Where-Object { $_.Manager -and $_.MemberOf.Count -ge 2 -and $sb.Tenant.AppRoleAssignmentsOf($_).Count -ge 1 })[0]
                $appRoles = $sb.Tenant.AppRoleAssignmentsOf($leaver).Count
                """);

            PSObject stored = ps.Run("Start-IsmsOffboarding -UserId $leaver.Id -Confirm:$false").Single();
            string[] warnings = ps.Streams.Warning.Select(w => w.Message).ToArray();
            var steps = ((System.Collections.IEnumerable)stored.Properties["Steps"].Value).Cast<object>().Select(PSObject.AsPSObject).ToList();
            bool enabled = (bool)ps.Run("$leaver.AccountEnabled").Single().BaseObject;
            int appRolesLeft = (int)ps.Run("$sb.Tenant.AppRoleAssignmentsOf($leaver).Count").Single().BaseObject;
            int appRolesBefore = (int)ps.Run("$appRoles").Single().BaseObject;
            int removableGroupsLeft = (int)ps.Run("@($leaver.MemberOf | Where-Object { -not $_.IsDynamic -and -not $_.OnPremisesSyncEnabled -and -not ($_.MailEnabled -and -not $_.IsUnified) }).Count").Single().BaseObject;
            string caseId = (string)stored.Properties["CaseId"].Value;

            Assert.Equal("Failed", stored.Properties["Status"].Value.ToString());
            var failed = steps.Where(s => s.Properties["Status"].Value.ToString() == "Failed").ToList();
            Assert.NotEmpty(failed);
            Assert.All(failed, s => Assert.Equal("RemoveAppRoleAssignment", s.Properties["Kind"].Value.ToString()));
            Assert.All(failed, s => Assert.Contains("AppRoleAssignment.ReadWrite.All", (string)s.Properties["Reason"].Value, StringComparison.Ordinal));
            Assert.All(steps.Where(s => s.Properties["Kind"].Value.ToString() != "RemoveAppRoleAssignment"),
                s => Assert.NotEqual("Failed", s.Properties["Status"].Value.ToString()));
            Assert.False(enabled);
            Assert.Equal(0, removableGroupsLeft);
            Assert.Equal(appRolesBefore, appRolesLeft);
            ErrorRecord error = Assert.Single(ps.Errors);
            AssertError(error, "IsmsOps.Offboarding.StepsFailed", ErrorCategory.PermissionDenied, "AppRoleAssignment.ReadWrite.All", $"Resume-IsmsOffboarding -CaseId {caseId}");
            Assert.Equal(caseId, error.TargetObject);
            Assert.NotEmpty(warnings);
            Assert.All(warnings, w => Assert.Contains("still holds AppRole ", w, StringComparison.Ordinal));
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }

    private static void AssertError(ErrorRecord error, string errorId, ErrorCategory category, string named, string fix)
    {
        Assert.StartsWith(errorId + ",", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(category, error.CategoryInfo.Category);
        Assert.Contains(named, error.Exception.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(fix, error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
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
