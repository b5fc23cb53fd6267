namespace IsmsOps.Host.Tests;

public sealed class ScriptFileTests : IDisposable
{
    private readonly IsmsProcess _isms = new();

    public void Dispose() => _isms.Dispose();

    [Fact]
    public void File_arguments_bind_to_the_scripts_param_block()
    {
        string script = _isms.WriteScript("report.ps1", """
            [CmdletBinding()]
            param(
                [Parameter(Position = 0)] [string] $Department,
                [string] $Owner = 'nobody',
                [string[]] $Control,
                [switch] $Draft,
                [int] $Days = 1
            )
            "department=$Department owner=$Owner controls=$($Control -join '|') draft=$Draft days=$($Days * 2)"
            "root=$PSScriptRoot"
            "path=$PSCommandPath"
            """);

        IsmsResult result = _isms.Run("-File", script, "-Owner", "Ada", "Engineering", "-Draft", "-Control", "A.5.15,A.8.2", "-Days:21");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("department=Engineering owner=Ada controls=A.5.15|A.8.2 draft=True days=42", result.Output);
        Assert.Contains("root=" + Path.GetDirectoryName(script), result.Output);
        Assert.Contains("path=" + script, result.Output);
    }

    [Fact]
    public void A_switch_can_be_turned_off_explicitly()
    {
        string script = _isms.WriteScript("job.ps1", "param([switch] $WhatIfOnly)\n\"whatif=$WhatIfOnly\"\n");

        IsmsResult result = _isms.Run("-File", script, "-WhatIfOnly:$false");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("whatif=False", result.Output);
    }

    [Fact]
    public void A_relative_script_path_is_taken_from_the_current_folder()
    {
        // IsmsProcess starts the host in its home folder.
        string script = _isms.WriteScript("job.ps1", "\"root=$PSScriptRoot\"\n");
        string relative = Path.GetRelativePath(_isms.Home, script);

        IsmsResult result = _isms.Run("-File", relative);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("root=" + Path.GetDirectoryName(script), result.Output);
    }
}
