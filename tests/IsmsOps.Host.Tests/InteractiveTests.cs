namespace IsmsOps.Host.Tests;

/// <summary>Without -Command or -File the host reads statements from stdin, which may be a pipe.</summary>
public sealed class InteractiveTests : IDisposable
{
    private readonly IsmsProcess _isms = new();

    public void Dispose() => _isms.Dispose();

    [Fact]
    public void Interactive_mode_runs_piped_lines_until_exit_and_exits_with_its_code()
    {
        IsmsResult result = _isms.RunWithInput("New-IsmsPerson -PersonId E1 -DisplayName 'Ada'\nexit 4\n'never printed'\n");

        Assert.True(result.ExitCode == 4, result.ToString());
        Assert.Contains("isms> ", result.Output);
        Assert.Contains("Ada", result.Output);
        Assert.DoesNotContain("never printed", result.Output);
    }

    [Fact]
    public void Interactive_mode_keeps_state_between_lines_and_reads_multi_line_statements()
    {
        IsmsResult result = _isms.RunWithInput("$greeting = 'hello'\nfunction Get-Greeting {\n  \"$greeting from a function\"\n}\nGet-Greeting\n");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("hello from a function", result.Output);
    }

    [Fact]
    public void Interactive_mode_goes_on_after_an_error_and_stops_at_end_of_input()
    {
        IsmsResult result = _isms.RunWithInput("throw 'first'\n'second'\n");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("ERROR: first", result.Error);
        Assert.Contains("second", result.Output);
    }
}
