using System.Management.Automation;

namespace IsmsOps.PowerShell.Tests;

[Collection(PowerShellCollection.Name)]
public sealed class PersonCmdletTests
{
    private const string HrRows = """
        $rows = @(
            [pscustomobject]@{ EmployeeId = 'E1001'; Name = 'Ada Lovelace'; Department = 'Engineering'; JobRole = 'Software Engineer'; StartDate = '2026-01-05'; Country = 'GB' }
            [pscustomobject]@{ EmployeeId = 'E1002'; Name = 'Grace Hopper'; Department = 'Finance'; JobRole = 'Financial Controller'; StartDate = '2026-02-01'; Country = 'United States' }
            [pscustomobject]@{ EmployeeId = 'C2001'; Name = 'Alan Turing'; Department = 'Engineering'; JobRole = 'contractor-baseline'; StartDate = '2026-03-01'; Country = 'GB'; EmploymentType = 'Contractor' }
        )
        """;

    [Fact]
    public void HR_rows_pipe_into_New_IsmsPerson_by_property_name_and_one_bad_row_does_not_stop_the_others()
    {
        using var ps = new PowerShellSession();
        var created = ps.Run(HrRows + "\n$rows | New-IsmsPerson -Status Onboarding");

        Assert.Equal(["E1001", "C2001"], created.Select(p => (string)p.Properties["PersonId"].Value));
        ErrorRecord error = Assert.Single(ps.Errors);
        Assert.StartsWith("IsmsOps.Person.InvalidLocation", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("United States", error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(error.ErrorDetails.RecommendedAction));
        Assert.Equal("Contractor", ps.Run("(Get-IsmsPerson C2001).EmploymentType.ToString()").Single().BaseObject);
    }

    [Fact]
    public void New_IsmsPerson_stores_the_role_id_a_title_names_and_refuses_an_unknown_role_storing_nothing()
    {
        using var ps = new PowerShellSession();
        ps.Run("New-IsmsPerson E1 'Ada' -JobRole 'head of security' | Out-Null; New-IsmsPerson E2 'Bob' -JobRole 'Astronaut'");

        Assert.Equal("head-of-security", ps.Run("(Get-IsmsPerson E1).JobRole").Single().BaseObject);
        ErrorRecord error = Assert.Single(ps.Errors);
        Assert.StartsWith("IsmsOps.Person.UnknownRole,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("'Astronaut'", error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Contains(Path.Combine("policies", "roles"), error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Contains("Get-IsmsRole", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
        ps.Errors.Clear();
        Assert.Empty(ps.Run("Get-IsmsPerson E2 -ErrorAction SilentlyContinue"));
        Assert.Empty(ps.Run("Get-IsmsAuditEvent -Target person:E2"));
    }

    [Fact]
    public void A_duplicate_PersonId_is_a_ResourceExists_error_that_names_the_person_and_the_fix()
    {
        using var ps = new PowerShellSession();
        ps.Run("New-IsmsPerson E1 'Ada' | Out-Null; New-IsmsPerson -PersonId e1 -DisplayName 'Impostor'");

        ErrorRecord error = Assert.Single(ps.Errors);
        Assert.StartsWith("IsmsOps.Person.Duplicate,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(ErrorCategory.ResourceExists, error.CategoryInfo.Category);
        Assert.Equal("e1", error.TargetObject);
        Assert.Contains("Set-IsmsPerson", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
        Assert.Equal("Ada", ps.Run("(Get-IsmsPerson E1).DisplayName").Single().BaseObject);
        Assert.Equal(1, ps.Run("@(Get-IsmsAuditEvent).Count").Single().BaseObject);
    }

    [Fact]
    public void WhatIf_changes_nothing_and_writes_no_audit_event()
    {
        using var ps = new PowerShellSession();
        ps.Run("New-IsmsPerson E1 'Ada' -WhatIf; New-IsmsPerson E2 'Grace' | Out-Null; Set-IsmsPerson E2 -Status Active -WhatIf");

        Assert.Empty(ps.Errors);
        Assert.Equal(["E2"], ps.Run("Get-IsmsPerson | ForEach-Object PersonId").Select(o => (string)o.BaseObject));
        Assert.Equal("Candidate", ps.Run("(Get-IsmsPerson E2).Status.ToString()").Single().BaseObject);
        Assert.Equal(1, ps.Run("@(Get-IsmsAuditEvent).Count").Single().BaseObject);
    }

    [Fact]
    public void Get_IsmsPerson_filters_by_status_department_and_name_wildcards_and_reports_unknown_ids()
    {
        using var ps = new PowerShellSession();
        ps.Run(HrRows + "\n$rows | New-IsmsPerson -ErrorAction SilentlyContinue | Out-Null; Set-IsmsPerson C2001 -Status Active");
        ps.Errors.Clear();

        Assert.Equal(["C2001", "E1001"], Ids(ps, "Get-IsmsPerson -Department 'eng*'"));
        Assert.Equal(["C2001"], Ids(ps, "Get-IsmsPerson -Status Active"));
        Assert.Equal(["E1001"], Ids(ps, "Get-IsmsPerson -DisplayName '*love*'"));
        Assert.Equal(["C2001"], Ids(ps, "Get-IsmsPerson -EmploymentType Contractor"));
        Assert.Empty(ps.Errors);

        Assert.Equal(["E1001"], Ids(ps, "[pscustomobject]@{ PersonId = 'E1001' }, [pscustomobject]@{ PersonId = 'E404' } | Get-IsmsPerson"));
        ErrorRecord missing = Assert.Single(ps.Errors);
        Assert.StartsWith("IsmsOps.Person.NotFound", missing.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(ErrorCategory.ObjectNotFound, missing.CategoryInfo.Category);
    }

    [Fact]
    public void A_piped_person_carries_its_version_so_a_concurrent_edit_is_not_overwritten()
    {
        using var ps = new PowerShellSession();
        ps.Run("""
            New-IsmsPerson E1 'Ada' -Department Engineering | Out-Null
            $stale = Get-IsmsPerson E1
            Set-IsmsPerson E1 -JobRole 'Engineering Manager'
            $stale | Set-IsmsPerson -Department Sales
            """);

        ErrorRecord error = Assert.Single(ps.Errors);
        Assert.StartsWith("IsmsOps.Person.Conflict", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        PSObject stored = ps.Run("Get-IsmsPerson E1").Single();
        Assert.Equal("Engineering", stored.Properties["Department"].Value);
        Assert.Equal("engineering-manager", stored.Properties["JobRole"].Value);
    }

    [Fact]
    public void Set_IsmsPerson_from_the_pipeline_changes_only_what_was_named_and_an_empty_string_clears()
    {
        using var ps = new PowerShellSession();
        var result = ps.Run("""
            New-IsmsPerson E1 'Ada' -Department Engineering -Mail ada@example.com | Out-Null
            Get-IsmsPerson E1 | Set-IsmsPerson -Status Leaving -EndDate 2026-12-31 -Mail '' -PassThru
            """).Single();

        Assert.Empty(ps.Errors);
        Assert.Equal("Leaving", result.Properties["Status"].Value.ToString());
        Assert.Equal(new DateTime(2026, 12, 31), result.Properties["EndDate"].Value);
        Assert.Null(result.Properties["Mail"].Value);
        Assert.Equal("Engineering", result.Properties["Department"].Value);
        Assert.Equal(2L, result.Properties["Version"].Value);
    }

    [Fact]
    public void Each_piped_object_changes_only_the_fields_it_carries()
    {
        using var ps = new PowerShellSession();
        ps.Run("""
            New-IsmsPerson E1 'Ada' -Mail ada@example.com | Out-Null
            New-IsmsPerson E2 'Bob' -Mail bob@example.com -JobRole payroll-approver | Out-Null
            @([pscustomobject]@{ PersonId = 'E1'; Mail = 'ada@new.example' }, [pscustomobject]@{ PersonId = 'E2'; JobRole = 'software-engineer' }) | Set-IsmsPerson
            """);

        Assert.Empty(ps.Errors);
        Assert.Equal("ada@new.example", ps.Run("(Get-IsmsPerson E1).Mail").Single().BaseObject);
        PSObject bob = ps.Run("Get-IsmsPerson E2").Single();
        Assert.Equal("bob@example.com", bob.Properties["Mail"].Value);
        Assert.Equal("software-engineer", bob.Properties["JobRole"].Value);
    }

    [Fact]
    public void An_empty_cell_in_piped_HR_data_leaves_the_field_but_an_empty_string_typed_clears_it()
    {
        using var ps = new PowerShellSession();
        ps.Run("""
            New-IsmsPerson E1 'Ada' -Department Engineering -Mail ada@example.com | Out-Null
            [pscustomobject]@{ PersonId = 'E1'; Department = ''; JobRole = 'Software Engineer' } | Set-IsmsPerson
            Set-IsmsPerson E1 -Mail ''
            """);

        PSObject ada = ps.Run("Get-IsmsPerson E1").Single();
        Assert.Equal("Engineering", ada.Properties["Department"].Value);
        Assert.Equal("software-engineer", ada.Properties["JobRole"].Value);
        Assert.Null(ada.Properties["Mail"].Value);
    }

    [Fact]
    public void WhatIf_refuses_what_the_register_would_refuse()
    {
        using var ps = new PowerShellSession();
        ps.Run("New-IsmsPerson 'bad id!' 'Ada' -WhatIf; New-IsmsPerson E1 'Ada' | Out-Null; Set-IsmsPerson E1 -Status Left -WhatIf");
        Assert.Equal(["IsmsOps.Person.InvalidPersonId", "IsmsOps.Person.InvalidEndDate"], ps.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]));
    }

    [Fact]
    public void Invalid_parameter_values_fail_at_binding_and_name_the_parameter()
    {
        using var ps = new PowerShellSession();
        ps.Run("New-IsmsPerson E1 'Ada' -Status Retired; New-IsmsPerson E2 'Grace' -StartDate 'next tuesday'");
        Assert.Equal(2, ps.Errors.Count);
        Assert.All(ps.Errors, e => Assert.IsAssignableFrom<ParameterBindingException>(e.Exception));
        Assert.Contains("Status", ps.Errors[0].Exception.Message, StringComparison.Ordinal);
        Assert.Contains("Candidate", ps.Errors[0].Exception.Message, StringComparison.Ordinal);
        Assert.Contains("StartDate", ps.Errors[1].Exception.Message, StringComparison.Ordinal);
        Assert.Empty(ps.Run("Get-IsmsPerson"));
    }

    [Fact]
    public void PersonIds_tab_complete_from_the_register()
    {
        using var ps = new PowerShellSession();
        ps.Run("New-IsmsPerson E1001 'Ada' | Out-Null; New-IsmsPerson E1002 'Grace' | Out-Null; New-IsmsPerson C2001 'Alan' | Out-Null");
        string input = "Get-IsmsPerson -PersonId E10";
        var matches = ps.Run($"(TabExpansion2 -inputScript '{input}' -cursorColumn {input.Length}).CompletionMatches | ForEach-Object CompletionText");
        Assert.Equal(["E1001", "E1002"], matches.Select(m => (string)m.BaseObject));
    }

    [Fact]
    public void Verbose_output_reports_the_new_version()
    {
        using var ps = new PowerShellSession();
        ps.Run("New-IsmsPerson E1 'Ada' | Out-Null; Set-IsmsPerson E1 -Department R -Verbose");
        Assert.Contains(ps.Streams.Verbose, v => v.Message.Contains("version 2", StringComparison.Ordinal));
    }

    private static string[] Ids(PowerShellSession ps, string script) =>
        ps.Run(script + " | ForEach-Object PersonId").Select(o => (string)o.BaseObject).ToArray();
}
