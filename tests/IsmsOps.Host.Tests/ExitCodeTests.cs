namespace IsmsOps.Host.Tests;

/// <summary>Scheduled jobs decide success from the exit code alone.</summary>
public sealed class ExitCodeTests : IDisposable
{
    private readonly IsmsProcess _isms = new();

    public void Dispose() => _isms.Dispose();

    /// <summary>Junk where the store's database belongs: every cmdlet that opens the store fails with Store.Corrupt.</summary>
    private void WriteCorruptStore() =>
        File.WriteAllText(Path.Combine(_isms.Home, "isms.db"), "this is not a SQLite database\n");

    [Fact]
    public void Host_exits_with_the_scripts_exit_code()
    {
        IsmsResult result = _isms.Run("-Command", "'before'; exit 3; 'after'");

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("before", result.Output);
        Assert.DoesNotContain("after", result.Output);
    }

    [Fact]
    public void Host_exits_with_the_exit_code_of_a_script_file()
    {
        string script = _isms.WriteScript("job.ps1", "'before'\nexit 3\n'after'\n");

        IsmsResult result = _isms.Run("-File", script);

        Assert.True(result.ExitCode == 3, result.ToString());
        Assert.Contains("before", result.Output);
        Assert.DoesNotContain("after", result.Output);
    }

    [Fact]
    public void Host_exits_with_the_exit_code_given_inside_a_function()
    {
        IsmsResult result = _isms.Run("-Command", "function Stop-Job5 { exit 5 }; Stop-Job5; 'after'");

        Assert.True(result.ExitCode == 5, result.ToString());
        Assert.DoesNotContain("after", result.Output);
    }

    [Fact]
    public void Host_exits_with_the_exit_code_given_inside_a_function_of_a_script_file()
    {
        string script = _isms.WriteScript("job.ps1", "function Stop-Job6 { exit 6 }\nStop-Job6\n'after'\n");

        IsmsResult result = _isms.Run("-File", script);

        Assert.True(result.ExitCode == 6, result.ToString());
        Assert.DoesNotContain("after", result.Output);
    }

    [Fact]
    public void A_script_that_exits_with_zero_exits_with_zero_even_after_errors()
    {
        IsmsResult result = _isms.Run("-Command", "Get-IsmsPerson -PersonId nobody; exit 0");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("IsmsOps.Person.NotFound", result.Error);
    }

    [Fact]
    public void An_uncaught_throw_exits_with_one_and_says_why()
    {
        IsmsResult result = _isms.Run("-Command", "throw 'the HR export is missing'; 'after'");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("ERROR: the HR export is missing", result.Error);
        Assert.DoesNotContain("after", result.Output);
    }

    [Fact]
    public void A_throw_in_a_script_file_exits_with_one()
    {
        string script = _isms.WriteScript("job.ps1", "'before'\nthrow 'stop here'\n'after'\n");

        IsmsResult result = _isms.Run("-File", script);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("stop here", result.Error);
        Assert.DoesNotContain("after", result.Output);
    }

    [Fact]
    public void A_cmdlet_error_under_ErrorAction_Stop_exits_with_one()
    {
        IsmsResult result = _isms.Run("-Command", "Get-IsmsPerson -PersonId nobody -ErrorAction Stop; 'after'");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("[IsmsOps.Person.NotFound]", result.Error);
        Assert.DoesNotContain("after", result.Output);
    }

    [Fact]
    public void A_parameter_binding_error_exits_with_one()
    {
        // Statement-terminating: the engine reports it and runs the next statement, but the job still failed.
        IsmsResult result = _isms.Run("-Command", "Get-IsmsPerson -Status Bogus; 'after'");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("Status", result.Error);
        Assert.Contains("after", result.Output);
    }

    [Fact]
    public void A_cmdlet_terminating_error_exits_with_one()
    {
        WriteCorruptStore();

        IsmsResult result = _isms.Run("-Command", "Get-IsmsPerson");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("[IsmsOps.Store.Corrupt]", result.Error);
    }

    [Fact]
    public void A_cmdlet_terminating_error_in_a_script_file_exits_with_one()
    {
        WriteCorruptStore();
        string script = _isms.WriteScript("job.ps1", "function Get-People { Get-IsmsPerson; 'in function after' }\nGet-People\n'after'\n");

        IsmsResult result = _isms.Run("-File", script);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("[IsmsOps.Store.Corrupt]", result.Error);
        // The script runs on exactly as it would without the host's check: the error ends the statement only.
        Assert.Contains("in function after", result.Output);
        Assert.Contains("after", result.Output);
    }

    [Fact]
    public void A_terminating_error_the_script_catches_exits_with_zero()
    {
        IsmsResult result = _isms.Run("-Command", "try { Get-IsmsPerson -Status Bogus } catch { 'handled' }");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("handled", result.Output);
        Assert.Equal(string.Empty, result.Error);
    }

    [Fact]
    public void A_caught_error_written_again_as_a_non_terminating_error_exits_with_zero()
    {
        // The record written has the caught error's exception, which is already in $Error: it must not look terminating.
        IsmsResult result = _isms.Run(
            "-Command",
            "function Get-Safely { [CmdletBinding()] param() try { Get-IsmsPerson -PersonId nobody -ErrorAction Stop } catch { $PSCmdlet.WriteError($_) } }; Get-Safely; 'after'");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("[IsmsOps.Person.NotFound]", result.Error);
        Assert.Contains("after", result.Output);
    }

    [Fact]
    public void Non_terminating_errors_alone_exit_with_zero()
    {
        IsmsResult result = _isms.Run("-Command", "Get-IsmsPerson E404; Get-IsmsPerson E405; 'after'");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("[IsmsOps.Person.NotFound]", result.Error);
        Assert.Contains("after", result.Output);
    }

    [Fact]
    public void An_explicit_exit_zero_wins_over_a_terminating_error()
    {
        IsmsResult result = _isms.Run("-Command", "Get-IsmsPerson -Status Bogus; exit 0");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Status", result.Error);
    }

    [Fact]
    public void A_parse_error_exits_with_one()
    {
        IsmsResult result = _isms.Run("-Command", "if ( 'x'");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.StartsWith("ERROR: ", result.Error);
    }

    [Fact]
    public void A_script_file_that_does_not_parse_exits_with_one_before_running()
    {
        string script = _isms.WriteScript("job.ps1", "'ran'\nfunction Broken {\n");

        IsmsResult result = _isms.Run("-File", script);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.DoesNotContain("ran", result.Output);
        Assert.Contains("job.ps1", result.Error);
    }

    [Fact]
    public void An_argument_the_script_rejects_exits_with_one()
    {
        string script = _isms.WriteScript("job.ps1", "param([ValidateSet('Daily', 'Weekly')] [string] $Schedule)\n\"ran $Schedule\"\n");

        IsmsResult result = _isms.Run("-File", script, "-Schedule", "Hourly");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.DoesNotContain("ran", result.Output);
        Assert.Contains("Schedule", result.Error);
    }

    [Fact]
    public void A_clean_script_exits_with_zero()
    {
        IsmsResult result = _isms.Run("-Command", "'all good'");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("all good", result.Output);
        Assert.Equal(string.Empty, result.Error);
    }

    [Fact]
    public void A_missing_module_stops_the_host_with_a_fix()
    {
        _isms.Environment["ISMSOPS_MODULE_PATH"] = _isms.NewTempFolder();

        IsmsResult result = _isms.Run("-Command", "'ran'");

        Assert.True(result.ExitCode != 0, result.ToString());
        Assert.DoesNotContain("ran", result.Output);
        Assert.Contains("ISMSOPS_MODULE_PATH", result.Error);
        Assert.Contains("dotnet build IsmsOps.sln", result.Error);
    }
}
