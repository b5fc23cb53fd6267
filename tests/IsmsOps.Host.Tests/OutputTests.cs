namespace IsmsOps.Host.Tests;

/// <summary>What people and job logs see: the module's table views on stdout, readable errors on stderr.</summary>
public sealed class OutputTests : IDisposable
{
    private readonly IsmsProcess _isms = new();

    public void Dispose() => _isms.Dispose();

    [Fact]
    public void People_are_shown_in_the_modules_table_view()
    {
        IsmsResult result = _isms.Run("-Command", "New-IsmsPerson -PersonId E1 -DisplayName 'Ada' | Out-Null; Get-IsmsPerson");

        Assert.True(result.ExitCode == 0, result.ToString());
        string[] lines = result.Output.Split('\n', StringSplitOptions.TrimEntries);
        // The view's own column labels, then the row: only the format view (module/IsmsOps.Format.ps1xml) makes these.
        Assert.Contains(lines, l => l.StartsWith("PersonId", StringComparison.Ordinal) && l.Contains("DisplayName", StringComparison.Ordinal) && l.Contains("Status", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("E1 ", StringComparison.Ordinal) && l.Contains("Ada", StringComparison.Ordinal) && l.Contains("Candidate", StringComparison.Ordinal));
        Assert.Equal(string.Empty, result.Error);
    }

    [Fact]
    public void WhatIf_says_which_fields_would_change_from_what_to_what_and_changes_nothing()
    {
        IsmsResult result = _isms.Run("-Command",
            "New-IsmsPerson -PersonId E1 -DisplayName 'Ada' | Out-Null; Get-IsmsPerson E1 | Set-IsmsPerson -Status Leaving -EndDate 2026-12-31 -WhatIf; (Get-IsmsPerson E1).Status");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("What if: Performing the operation \"Change Status: 'Candidate' -> 'Leaving'; EndDate: '' -> '2026-12-31'\" on target \"E1\"", result.Output);
        Assert.DoesNotContain("DisplayName", result.Output);
        Assert.EndsWith("Candidate", result.Output.TrimEnd());
    }

    [Fact]
    public void WhatIf_of_a_personal_data_removal_lists_the_data_key_and_fields_and_never_shows_a_value()
    {
        IsmsResult result = _isms.Run("-Command",
            "New-IsmsPerson -PersonId E1 -DisplayName 'Ada' -Status Left -EndDate 2020-01-31 -PersonalEmail ada@example.net -HomeAddress '1 Lane' | Out-Null; " +
            "Set-IsmsPerson E1 -PersonalEmail ada@example.org -WhatIf; Remove-IsmsPersonalData E1 -WhatIf; (Get-IsmsPerson E1 -IncludeSensitive).PersonalEmail");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("What if: Performing the operation \"Change PersonalEmail: '(protected value)' -> '(new protected value)'\" on target \"E1\"", result.Output);
        Assert.Matches("What if: Performing the operation \"Destroy data key dk-[0-9a-f]{16} and fields HomeAddress, PersonalEmail \\(EndDate 2020-01-31 \\+ P1Y \\(Employee\\)\\)\" on target \"E1\"", result.Output);
        Assert.DoesNotContain("example.org", result.Output);
        Assert.EndsWith("ada@example.net", result.Output.TrimEnd());
    }

    [Fact]
    public void IncludeSensitive_shows_the_contact_details_in_their_own_list_view()
    {
        IsmsResult result = _isms.Run("-Command",
            "New-IsmsPerson -PersonId E1 -DisplayName 'Ada' -PersonalPhone '+44 20 7946 0999' | Out-Null; Get-IsmsPerson E1 -IncludeSensitive");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Single(result.Output.Split('\n'), l => l.Contains("+44 20 7946 0999", StringComparison.Ordinal) && l.StartsWith("PersonalPhone", StringComparison.Ordinal));
    }

    [Fact]
    public void Output_to_a_pipe_is_plain_text()
    {
        IsmsResult result = _isms.Run("-Command", "New-IsmsPerson -PersonId E1 -DisplayName 'Ada'");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("PersonId", result.Output);
        Assert.DoesNotContain('\u001b', result.Output);
    }

    [Fact]
    public void A_duplicate_person_is_reported_on_stderr_with_its_ErrorId_and_fix()
    {
        IsmsResult result = _isms.Run("-Command", "New-IsmsPerson -PersonId E1 -DisplayName 'Ada' | Out-Null; New-IsmsPerson -PersonId E1 -DisplayName 'Bob'");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("ERROR: ", result.Error);
        Assert.Contains("E1", result.Error);
        Assert.Contains("[IsmsOps.Person.Duplicate]", result.Error);
        Assert.Contains("  Fix: ", result.Error);
        Assert.DoesNotContain("IsmsOps.Person.Duplicate", result.Output);
    }

    [Fact]
    public void A_programs_stderr_is_passed_through_as_written()
    {
        // A child program (here another isms) writing to stderr, as dotnet and git do with progress and notes.
        string child = $"& dotnet '{IsmsProcess.HostPath}' -NoImport -Command \"[Console]::Error.WriteLine('note from the tool'); exit 7\"; \"code=$LASTEXITCODE\"";

        IsmsResult result = _isms.Run("-Command", child);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("code=7", result.Output);
        Assert.Contains("note from the tool", result.Error);
        Assert.DoesNotContain("ERROR", result.Error);
    }

    [Fact]
    public void Warnings_and_verbose_messages_go_to_stderr_with_a_prefix()
    {
        IsmsResult result = _isms.Run("-Command", "$Host.UI.WriteWarningLine('check the leavers'); New-IsmsPerson -PersonId E1 -DisplayName 'Ada' -Verbose | Out-Null; 'done'");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("WARNING: check the leavers", result.Error);
        Assert.Contains("VERBOSE: ", result.Error);
        Assert.DoesNotContain("WARNING", result.Output);
        Assert.Contains("done", result.Output);
    }

    [Fact]
    public void Confirm_takes_the_default_answer_when_stdin_is_closed()
    {
        IsmsResult result = _isms.Run("-Command", "New-IsmsPerson -PersonId E1 -DisplayName 'Ada' -Confirm | Out-Null; \"count=$(@(Get-IsmsPerson).Count)\"");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("count=1", result.Output);
    }

    [Fact]
    public void Confirm_reads_the_answer_from_stdin()
    {
        IsmsResult result = _isms.RunWithInput("n\n", "-Command", "New-IsmsPerson -PersonId E1 -DisplayName 'Ada' -Confirm | Out-Null; \"count=$(@(Get-IsmsPerson).Count)\"");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Register person", result.Output);
        Assert.Contains("count=0", result.Output);
    }

    [Theory]
    [InlineData("-Help")]
    [InlineData("-?")]
    [InlineData("/?")]
    public void Help_says_only_core_cmdlets_are_present(string option)
    {
        IsmsResult result = _isms.Run(option);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Only the PowerShell engine's core cmdlets are present", result.Output.ReplaceLineEndings(" ").Replace("  ", " ", StringComparison.Ordinal));
        Assert.Contains("Microsoft.PowerShell.Core", result.Output);
        foreach (string absent in new[] { "Select-Object", "Sort-Object", "ConvertTo-Json", "Join-Path", "Get-Content", "Write-Host", "Write-Output", "Test-Path" })
        {
            Assert.Contains(absent, result.Output);
        }

        Assert.Contains("[System.IO.File]::ReadAllText", result.Output);
        Assert.Contains("[System.IO.Path]::Combine", result.Output);
    }

    [Fact]
    public void Help_is_honest_about_the_cmdlets_the_engine_lacks()
    {
        // The help names cmdlets as absent; this holds it to the engine it ships with.
        IsmsResult result = _isms.Run("-Command", "foreach ($name in 'Select-Object', 'Sort-Object', 'ConvertTo-Json', 'Join-Path', 'Get-Content', 'Write-Host', 'Write-Output', 'Test-Path', 'ForEach-Object', 'Where-Object', 'Out-Default') { \"$name=$([bool](Get-Command $name -ErrorAction SilentlyContinue))\" }");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Select-Object=False", result.Output);
        Assert.Contains("Write-Output=False", result.Output);
        Assert.Contains("Test-Path=False", result.Output);
        Assert.Contains("ForEach-Object=True", result.Output);
        Assert.Contains("Out-Default=True", result.Output);
    }

    [Fact]
    public void Version_prints_the_host_and_module_versions()
    {
        IsmsResult result = _isms.Run("-Version");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains($"isms {IsmsProcess.ModuleVersion}", result.Output);
        Assert.Contains($"IsmsOps {IsmsProcess.ModuleVersion}", result.Output);
    }
}
