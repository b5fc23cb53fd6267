using System.Management.Automation;

namespace IsmsOps.PowerShell.Tests;

/// <summary>Import-IsmsHrFeed in a real PowerShell engine with the built module, on the shipped example files.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class HrFeedCmdletTests
{
    private static string Example(string name)
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IsmsOps.sln")))
            {
                return Path.Combine(dir.FullName, "examples", name);
            }
        }

        throw new InvalidOperationException("The repository root was not found.");
    }

    private static object Count(PSObject summary, string name) => summary.Properties[name].Value;

    [Fact]
    public void The_example_feed_imports_its_joiners_and_its_past_leaver_and_a_second_import_changes_nothing()
    {
        using var ps = new PowerShellSession();
        string feed = Example("hr-feed.csv");
        string mapping = Example("hr-feed-mapping.yaml");

        PSObject first = ps.Run($"Import-IsmsHrFeed -Path '{feed}' -MappingPath '{mapping}'").Single();
        PSObject second = ps.Run($"Import-IsmsHrFeed '{feed}' -MappingPath '{mapping}'").Single();
        PSObject third = ps.Run($"Import-IsmsHrFeed '{feed}' -MappingPath '{mapping}'").Single();

        Assert.Empty(ps.Errors);
        Assert.Equal((4, 0, 0, 0), ((int)Count(first, "Joiners"), (int)Count(first, "Movers"), (int)Count(first, "Leavers"), (int)Count(first, "Unchanged")));
        // E2004's termination date (31/10/2026) is in the past: the second run finds the leaver by window; the third finds nothing.
        Assert.Equal((0, 1, 3), ((int)Count(second, "Joiners"), (int)Count(second, "Leavers"), (int)Count(second, "Unchanged")));
        Assert.Equal((0, 0, 4), ((int)Count(third, "Joiners"), (int)Count(third, "Leavers"), (int)Count(third, "Unchanged")));
        Assert.Equal("Leaving", ps.Run("(Get-IsmsPerson E2004).Status").Single().ToString());
        Assert.Equal("Lovelace, Ada", ps.Run("(Get-IsmsPerson E2003).DisplayName").Single().BaseObject);
    }

    [Fact]
    public void Bad_rows_are_warnings_with_line_numbers_in_the_summary_and_WhatIf_applies_nothing()
    {
        using var ps = new PowerShellSession();
        string feed = Path.Combine(ps.Home, "feed.csv");
        File.WriteAllText(feed, File.ReadAllText(Example("hr-feed.csv")) + "E2005,Bad Date,x@contoso.com,Engineering,software-engineer,,13/13/2026,,Employee,GB\n");
        string mapping = Example("hr-feed-mapping.yaml");

        PSObject planned = ps.Run($"Import-IsmsHrFeed '{feed}' -MappingPath '{mapping}' -WhatIf").Single();
        Assert.Empty(ps.Run("Get-IsmsPerson"));
        PSObject summary = ps.Run($"Import-IsmsHrFeed '{feed}' -MappingPath '{mapping}' 3>$null").Single();

        Assert.True((bool)planned.Properties["WhatIf"].Value);
        Assert.Equal(4, (int)Count(summary, "Joiners"));
        string[] errors = ps.Run($"(Import-IsmsHrFeed '{feed}' -MappingPath '{mapping}' 3>$null).Errors | ForEach-Object {{ \"$($_.Line) $($_.ErrorId)\" }}")
            .Select(o => o.ToString()).ToArray();
        Assert.Equal(["6 IsmsOps.HrEvent.InvalidField"], errors);
    }
}
