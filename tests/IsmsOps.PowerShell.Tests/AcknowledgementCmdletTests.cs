using System.Management.Automation;

namespace IsmsOps.PowerShell.Tests;

[Collection(PowerShellCollection.Name)]
public sealed class AcknowledgementCmdletTests
{
    private const string People = "'E1', 'E2', 'E3' | ForEach-Object { New-IsmsPerson -PersonId $_ -DisplayName \"Person $_\" -Status Active } | Out-Null\n";

    [Fact]
    public void LMS_rows_pipe_in_by_property_name_and_each_bad_row_is_an_error_naming_its_row_while_good_rows_are_recorded()
    {
        using var ps = new PowerShellSession();
        // Import-Csv is not in the hosted engine; rows of strings with the LMS's column names are what it would produce.
        var recorded = ps.Run(People + """
            @(
                [pscustomobject]@{ EmployeeId = 'E1'; Kind = 'SecurityTraining'; Course = 'Security Awareness'; CourseVersion = '2026'; CompletedOn = '2026-01-10'; CertificateId = 'LMS-1' }
                [pscustomobject]@{ EmployeeId = 'E404'; Kind = 'SecurityTraining'; Course = 'Security Awareness'; CourseVersion = '2026'; CompletedOn = '2026-01-10'; CertificateId = 'LMS-2' }
                [pscustomobject]@{ EmployeeId = 'E2'; Kind = 'SecurityTraining'; Course = 'Security Awareness'; CourseVersion = '2026'; CompletedOn = '10/01/2026'; CertificateId = 'LMS-3' }
                [pscustomobject]@{ EmployeeId = 'E3'; Kind = 'Trainingg'; Course = 'Security Awareness'; CourseVersion = '2026'; CompletedOn = '2026-01-10'; CertificateId = 'LMS-4' }
                [pscustomobject]@{ EmployeeId = 'E3'; Kind = 'SecurityTraining'; Course = 'Security Awareness'; CourseVersion = '2026'; CompletedOn = '2026-01-12'; CertificateId = 'LMS-5' }
            ) | Set-IsmsAcknowledgement
            """);

        Assert.Equal(["E1", "E3"], recorded.Select(a => (string)a.Properties["PersonId"].Value));
        Assert.Equal(new DateTime(2027, 1, 12), (DateTime)recorded[1].Properties["ExpiresOn"].Value);
        Assert.Equal(3, ps.Errors.Count);
        Assert.StartsWith("IsmsOps.Person.NotFound,", ps.Errors[0].FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.StartsWith("Row 2 (PersonId 'E404'): ", ps.Errors[0].ErrorDetails.Message, StringComparison.Ordinal);
        Assert.StartsWith("IsmsOps.Acknowledgement.InvalidOn,", ps.Errors[1].FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.StartsWith("Row 3 (PersonId 'E2'): ", ps.Errors[1].ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Contains("yyyy-MM-dd", ps.Errors[1].ErrorDetails.RecommendedAction, StringComparison.Ordinal);
        Assert.StartsWith("IsmsOps.Acknowledgement.InvalidKind,", ps.Errors[2].FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.StartsWith("Row 4 (PersonId 'E3'): ", ps.Errors[2].ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Equal([ErrorCategory.ObjectNotFound, ErrorCategory.InvalidArgument, ErrorCategory.InvalidArgument], ps.Errors.Select(e => e.CategoryInfo.Category));

        Assert.Equal(["E1", "E3"], ps.Run("Get-IsmsAcknowledgement | ForEach-Object PersonId").Select(o => (string)o.BaseObject));
        Assert.Equal(2, ps.Run("@(Get-IsmsAuditEvent -Action Acknowledgement.*).Count").Single().BaseObject);
    }

    [Fact]
    public void Accepting_a_newer_NDA_keeps_the_older_record_and_Missing_names_who_has_not_accepted_the_current_version()
    {
        using var ps = new PowerShellSession();
        ps.Run(People + """
            Set-IsmsAcknowledgement E1 NonDisclosureAgreement -Version 1.0 -On 2025-03-01 | Out-Null
            Set-IsmsAcknowledgement E2 NonDisclosureAgreement -Version 1.0 -On 2025-03-02 | Out-Null
            Set-IsmsAcknowledgement E1 NonDisclosureAgreement -Version 2.0 -On 2026-02-01 -Evidence 'envelope 5f1c' | Out-Null
            """);

        Assert.Empty(ps.Errors);
        Assert.Equal(["1.0", "2.0"], ps.Run("Get-IsmsAcknowledgement -PersonId E1 | ForEach-Object DocumentVersion").Select(o => (string)o.BaseObject));
        Assert.Equal(["2.0"], ps.Run("Get-IsmsAcknowledgement -PersonId E1 -Current | ForEach-Object DocumentVersion").Select(o => (string)o.BaseObject));

        var gaps = ps.Run("Get-IsmsAcknowledgement -Missing -Kind NonDisclosureAgreement -Version 2.0");
        Assert.Equal([("E2", "OtherVersion"), ("E3", "Missing")],
            gaps.Select(g => ((string)g.Properties["PersonId"].Value, g.Properties["Reason"].Value.ToString())));
        Assert.Equal("1.0", ps.Run("(Get-IsmsAcknowledgement -Missing -Kind NonDisclosureAgreement -Version 2.0 -PersonId E2).Latest.DocumentVersion").Single().BaseObject);
        Assert.Empty(ps.Run("Get-IsmsAcknowledgement -Missing -Kind NonDisclosureAgreement -Version 2.0 -PersonId E1"));
        Assert.Empty(ps.Errors);
    }

    [Fact]
    public void An_NDA_of_a_version_the_shipped_policy_no_longer_has_in_force_is_shown_as_not_current_and_a_broken_policy_names_its_line()
    {
        using var ps = new PowerShellSession();
        ps.Run(People + """
            Set-IsmsAcknowledgement E1 NonDisclosureAgreement -Version 1.0 -On 2025-03-01 | Out-Null
            Set-IsmsAcknowledgement E1 NonDisclosureAgreement -Version 2.0 -On 2026-02-01 | Out-Null
            Set-IsmsAcknowledgement E2 NonDisclosureAgreement -Version 1.0 -On 2025-03-02 | Out-Null
            """);

        var history = ps.Run("Get-IsmsAcknowledgement -PersonId E1");
        var gaps = ps.Run("Get-IsmsAcknowledgement -Missing -Kind NonDisclosureAgreement");

        Assert.Empty(ps.Errors);
        Assert.Equal([("1.0", "NotCurrentVersion", "2.0"), ("2.0", "Current", "2.0")], history.Select(a =>
            ((string)a.Properties["DocumentVersion"].Value, a.Properties["Status"].Value.ToString(), (string)a.Properties["CurrentVersion"].Value)));
        Assert.Equal([("E2", "OtherVersion", "2.0"), ("E3", "Missing", "2.0")], gaps.Select(g =>
            ((string)g.Properties["PersonId"].Value, g.Properties["Reason"].Value.ToString(), (string)g.Properties["RequiredVersion"].Value)));

        string policies = Directory.CreateTempSubdirectory("ismsops-ack-policy-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(policies, "acknowledgements.yaml"), "validity:\n  SecurityTraining: yearly\n");
            ps.Run($"$env:ISMSOPS_POLICIES = '{policies}'; Get-IsmsAcknowledgement -PersonId E1");

            ErrorRecord error = Assert.Single(ps.Errors);
            Assert.StartsWith("IsmsOps.Policy.Invalid", error.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Contains("acknowledgements.yaml:2:21", error.ErrorDetails.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(policies, recursive: true);
        }
    }

    [Fact]
    public void Current_and_ExpiringWithinDays_follow_expiry_dates_as_of_a_given_day()
    {
        using var ps = new PowerShellSession();
        ps.Run(People + """
            Set-IsmsAcknowledgement E1 SecurityTraining -Name 'Security Awareness' -Version 2025 -On 2025-08-01 | Out-Null
            Set-IsmsAcknowledgement E2 SecurityTraining -Name 'Security Awareness' -Version 2025 -On 2025-05-01 | Out-Null
            Set-IsmsAcknowledgement E3 SecurityTraining -Name 'Security Awareness' -Version 2025 -On 2025-09-01 -ExpiresOn 2027-09-01 | Out-Null
            """);
        const string AsOf = " -AsOf 2026-06-15";

        Assert.Empty(ps.Errors);
        Assert.Equal(["E1", "E3"], Ids(ps.Run("Get-IsmsAcknowledgement -Kind SecurityTraining -Current" + AsOf)));
        Assert.Equal(["E2"], Ids(ps.Run("Get-IsmsAcknowledgement -ExpiringWithinDays 30" + AsOf)));
        Assert.Equal(["E2", "E1"], Ids(ps.Run("Get-IsmsAcknowledgement -ExpiringWithinDays 60" + AsOf)));

        var gaps = ps.Run("Get-IsmsAcknowledgement -Missing -Name 'security awareness' -ExpiringWithinDays 60" + AsOf);
        Assert.Equal([("E1", "Expiring"), ("E2", "Expired")], gaps.Select(g => ((string)g.Properties["PersonId"].Value, g.Properties["Reason"].Value.ToString())));
        Assert.Empty(ps.Errors);
    }

    [Fact]
    public void WhatIf_records_nothing_and_an_unknown_person_is_refused_with_Person_NotFound()
    {
        using var ps = new PowerShellSession();
        ps.Run(People + "Set-IsmsAcknowledgement E1 Policy -Name 'Acceptable Use Policy' -Version 4 -WhatIf");
        Assert.Empty(ps.Errors);
        Assert.Empty(ps.Run("Get-IsmsAcknowledgement"));
        Assert.Equal(0, ps.Run("@(Get-IsmsAuditEvent -Action Acknowledgement.*).Count").Single().BaseObject);

        ps.Run("Set-IsmsAcknowledgement E404 Policy -Name 'Acceptable Use Policy' -Version 4; Get-IsmsAcknowledgement -PersonId E404");
        Assert.Equal(2, ps.Errors.Count);
        Assert.All(ps.Errors, e =>
        {
            Assert.StartsWith("IsmsOps.Person.NotFound,", e.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
            Assert.Equal("E404", e.TargetObject);
        });
        Assert.Empty(ps.Run("Get-IsmsAcknowledgement"));
    }

    [Fact]
    public void Each_acknowledgement_is_audited_against_the_person_with_facts_and_no_name()
    {
        using var ps = new PowerShellSession();
        ps.Run(People + "Set-IsmsAcknowledgement E2 Policy -Name 'Acceptable Use Policy' -Version 4 -On 2026-03-01 -Evidence ESIGN-77 | Out-Null");

        PSObject e = ps.Run("Get-IsmsAuditEvent -Action Acknowledgement.Recorded").Single();
        Assert.Equal("person:E2", e.Properties["Target"].Value);
        string details = (string)e.Properties["Details"].Value;
        Assert.Contains("\"Name\":\"Acceptable Use Policy\"", details, StringComparison.Ordinal);
        Assert.Contains("\"DocumentVersion\":\"4\"", details, StringComparison.Ordinal);
        Assert.Contains("\"AcknowledgedOn\":\"2026-03-01\"", details, StringComparison.Ordinal);
        Assert.Contains("\"Evidence\":\"ESIGN-77\"", details, StringComparison.Ordinal);
        Assert.DoesNotContain("Person E2", details, StringComparison.Ordinal);
        Assert.True((bool)ps.Run("(Test-IsmsAuditTrail).IsValid").Single().BaseObject);
    }

    private static List<string> Ids(IEnumerable<PSObject> objects) => objects.Select(o => (string)o.Properties["PersonId"].Value).ToList();
}
