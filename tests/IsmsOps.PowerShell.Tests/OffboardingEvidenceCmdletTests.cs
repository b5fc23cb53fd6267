using System.Management.Automation;

namespace IsmsOps.PowerShell.Tests;

/// <summary>Export- and Test-IsmsOffboardingEvidence after a real offboarding of a sandbox user, in a real PowerShell engine.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class OffboardingEvidenceCmdletTests
{
    [Fact]
    public void A_sandbox_leaver_offboarded_through_the_cmdlets_gets_a_record_and_page_that_check_against_the_trail_and_an_edit_is_named()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run("$sb = Start-IsmsSandbox -UserCount 200; Connect-IsmsGraph -Sandbox $sb");
            ps.Run("$leaver = @($sb.Tenant.Users | Where-Object { $_.Manager -and $_.MemberOf.Count -ge 3 })[0]");
            ps.Run("New-IsmsPerson -PersonId E9301 -DisplayName $leaver.DisplayName -UserPrincipalName $leaver.UserPrincipalName -Status Leaving | Out-Null");
            ps.Run("Start-IsmsOffboarding -PersonId E9301 -Confirm:$false | Out-Null");
            ps.Run($"$out = '{Path.Combine(ps.Home, "evidence")}'; [System.IO.Directory]::CreateDirectory($out) | Out-Null");

            PSObject exported = ps.Run("$exported = Get-IsmsOffboarding -PersonId E9301 | Export-IsmsOffboardingEvidence -Path $out; $exported").Single();
            PSObject check = ps.Run("$exported | Test-IsmsOffboardingEvidence").Single();
            ps.Run("$json = [System.IO.File]::ReadAllText($exported.JsonPath)");
            ps.Run("$edited = [System.IO.Path]::Combine($out, 'edited.json'); [System.IO.File]::WriteAllText($edited, $json.Replace('\"graphRequestId\": \"', '\"graphRequestId\": \"x'))");
            PSObject caught = ps.Run("Test-IsmsOffboardingEvidence -Path $edited").Single();
            PSObject finding = ps.Run("(Test-IsmsOffboardingEvidence -Path $edited).Findings | Where-Object { \"$($_.Severity)\" -eq 'Error' }").First();

            Assert.Empty(ps.Errors);
            string caseId = (string)exported.Properties["CaseId"].Value;
            string json = (string)exported.Properties["JsonPath"].Value;
            Assert.Equal(Path.Combine(ps.Home, "evidence", caseId + ".evidence.json"), json);
            Assert.True(File.Exists((string)exported.Properties["HtmlPath"].Value));
            Assert.Equal(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(json))).ToLowerInvariant(),
                exported.Properties["JsonSha256"].Value);
            Assert.Equal(true, check.Properties["Valid"].Value);
            Assert.Equal(false, caught.Properties["Valid"].Value);
            Assert.Equal("step 1", finding.Properties["Subject"].Value);
            Assert.Equal("graphRequestId", finding.Properties["Field"].Value);
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }

    [Fact]
    public void Two_piped_cases_are_exported_and_their_records_checked_with_one_read_of_the_trail_per_command()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run("$sb = Start-IsmsSandbox -UserCount 200; Connect-IsmsGraph -Sandbox $sb");
            ps.Run("$leavers = @($sb.Tenant.Users | Where-Object { $_.Manager -and $_.MemberOf.Count -ge 3 })");
            ps.Run("New-IsmsPerson -PersonId E9401 -DisplayName $leavers[0].DisplayName -UserPrincipalName $leavers[0].UserPrincipalName -Status Leaving | Out-Null");
            ps.Run("New-IsmsPerson -PersonId E9402 -DisplayName $leavers[1].DisplayName -UserPrincipalName $leavers[1].UserPrincipalName -Status Leaving | Out-Null");
            ps.Run("'E9401', 'E9402' | ForEach-Object { Start-IsmsOffboarding -PersonId $_ -Confirm:$false } | Out-Null");
            ps.Run($"$out = '{Path.Combine(ps.Home, "evidence")}'; [System.IO.Directory]::CreateDirectory($out) | Out-Null");

            List<PSObject> exported = [.. ps.Run("$exported = Get-IsmsOffboarding | Export-IsmsOffboardingEvidence -Path $out -Verbose; $exported")];
            string[] exportVerbose = ps.Streams.Verbose.Select(v => v.Message).ToArray();
            List<PSObject> checks = [.. ps.Run("$exported | Test-IsmsOffboardingEvidence -Verbose")];
            string[] checkVerbose = ps.Streams.Verbose.Select(v => v.Message).ToArray();

            Assert.Empty(ps.Errors);
            Assert.Equal(2, exported.Count);
            Assert.Equal(2, checks.Count);
            Assert.All(checks, c => Assert.Equal(true, c.Properties["Valid"].Value));
            Assert.Contains("The audit trail was read 1 time(s) for this run.", exportVerbose);
            Assert.Contains("The audit trail was read 1 time(s) for this run.", checkVerbose);
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }

    [Fact]
    public void An_existing_record_is_replaced_only_with_Force_and_WhatIf_writes_nothing()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run("$sb = Start-IsmsSandbox -UserCount 100; Connect-IsmsGraph -Sandbox $sb");
            ps.Run("$leaver = @($sb.Tenant.Users | Where-Object { $_.Manager -and $_.MemberOf.Count -ge 1 })[0]");
            ps.Run("$case = Start-IsmsOffboarding -UserId $leaver.Id -Confirm:$false");
            string folder = Path.Combine(ps.Home, "evidence");
            Directory.CreateDirectory(folder);
            ps.Run($"$home0 = $PWD.Path; $ExecutionContext.SessionState.Path.SetLocation('{ps.Home}') | Out-Null");

            ps.Run("Export-IsmsOffboardingEvidence -CaseId $case.CaseId -Path ./evidence -WhatIf");
            int afterWhatIf = Directory.GetFiles(folder).Length;
            ps.Run("Export-IsmsOffboardingEvidence -CaseId $case.CaseId -Path ./evidence | Out-Null");
            ps.Run("Export-IsmsOffboardingEvidence -CaseId $case.CaseId -Path ./evidence");
            int refusals = ps.Errors.Count;
            PSObject replaced = ps.Run("Export-IsmsOffboardingEvidence -CaseId $case.CaseId -Path ./evidence -Force").Single();
            ps.Run("Export-IsmsOffboardingEvidence -CaseId $case.CaseId -Path ./missing-folder");

            Assert.Equal(0, afterWhatIf);
            Assert.Equal(1, refusals);
            Assert.StartsWith("IsmsOps.Evidence.Exists", ps.Errors[0].FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal(Path.Combine(folder, ps.Run("$case.CaseId").Single() + ".evidence.html"), replaced.Properties["HtmlPath"].Value);
            Assert.StartsWith("IsmsOps.Evidence.FolderNotFound", ps.Errors[^1].FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal(2, Directory.GetFiles(folder).Length);
        }
        finally
        {
            ps.Run("if ($home0) { $ExecutionContext.SessionState.Path.SetLocation($home0) | Out-Null }; Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }
}
