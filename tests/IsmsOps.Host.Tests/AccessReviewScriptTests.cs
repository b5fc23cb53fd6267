using System.Globalization;
using IsmsOps.Sandbox;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Host.Tests;

/// <summary>
/// The shipped unattended access review job (examples/access-reviews/quarterly-review.ps1) runs in the bundled host as
/// a scheduler would run it, against a sandbox tenant held by this test, whose state is the judge.
/// </summary>
public sealed class AccessReviewScriptTests : SandboxScriptTests
{
    [Fact]
    public void The_scheduled_job_completes_a_due_auto_apply_campaign_in_the_sandbox_disables_the_denied_guest_starts_the_next_quarter_once_and_a_second_run_does_nothing()
    {
        // A cloud group with two user members: the reviewer denies one and approves the other; one guest is denied too.
        DirectoryGroup group = Tenant.Groups.First(g => !g.IsDynamic && g.OnPremisesSyncEnabled != true && !g.MailEnabled && g.IsAssignableToRole != true
            && g.Members.OfType<DirectoryUser>().Count(u => u.UserType == "Member") >= 2);
        DirectoryUser[] members = group.Members.OfType<DirectoryUser>().Where(u => u.UserType == "Member").Take(2).ToArray();
        DirectoryUser reviewer = Tenant.Users.First(u => u.UserType == "Member" && u.AccountEnabled && !group.HasMember(u.Id));
        DirectoryUser guest = Tenant.Users.First(u => u.UserType == "Guest" && u.AccountEnabled);
        string evidence = Isms.NewTempFolder();
        // No clock to move: the campaign started 100 days ago (its next quarter has come) and falls due seconds after it is created.
        IsmsResult seeded = Isms.Run("-Command", string.Join("; ",
            "Import-Module IsmsOps -ErrorAction Stop",
            $". '{Example("scheduled", "connect-graph.ps1")}'",
            "Connect-IsmsJobGraph | Out-Null",
            "$due = [DateTime]::UtcNow.AddSeconds(15)",
            $"$c = New-IsmsAccessReview -Name 'Privileged access' -GroupName '{group.Id}' -Guest -Reviewer '{reviewer.UserPrincipalName}' -Recurrence P3M "
                + "-AutoApply -DefaultDecision None -StartDate ([DateTime]::UtcNow.AddDays(-100)) -DueDate $due -WarningAction SilentlyContinue",
            $"Get-IsmsAccessReviewItem $c.CampaignId | Where-Object {{ ($_.PrincipalId -eq '{members[0].Id}' -and $_.ResourceId -eq '{group.Id}') -or $_.PrincipalId -eq '{guest.Id}' }} | "
                + $"Set-IsmsAccessReviewDecision -Decision Deny -Reviewer '{reviewer.UserPrincipalName}' | Out-Null",
            $"Get-IsmsAccessReviewItem $c.CampaignId | Where-Object {{ $_.PrincipalId -eq '{members[1].Id}' }} | "
                + $"Set-IsmsAccessReviewDecision -Decision Approve -Justification 'On call' -Reviewer '{reviewer.UserPrincipalName}' | Out-Null",
            "$c.CampaignId",
            "$due.ToString('o')"));
        Assert.True(seeded.ExitCode == 0 && seeded.Error.Length == 0, seeded.ToString());
        string[] lines = seeded.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string campaignId = lines[^2];
        DateTime due = DateTime.Parse(lines[^1], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind);
        TimeSpan wait = due - DateTime.UtcNow + TimeSpan.FromSeconds(1);
        if (wait > TimeSpan.Zero)
        {
            Thread.Sleep(wait);
        }

        string[] job = ["-File", Example("access-reviews", "quarterly-review.ps1"), "-EvidencePath", evidence];
        IsmsResult first = Isms.Run(job);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains($"{campaignId} Complete Done", first.Output, StringComparison.Ordinal);
        Assert.Contains($"{campaignId} CreateSuccessor Done", first.Output, StringComparison.Ordinal);
        // The sandbox: the denied membership is gone and the denied guest disabled; the approved member and other guests stay.
        Assert.False(group.HasMember(members[0].Id));
        Assert.True(group.HasMember(members[1].Id));
        Assert.False(guest.AccountEnabled);
        Assert.Contains(Tenant.Users, u => u.Id == guest.Id);
        Assert.Contains(Tenant.Users, u => u.UserType == "Guest" && u.AccountEnabled);
        Assert.True(File.Exists(Path.Combine(evidence, $"{campaignId}-evidence.html")), first.ToString());
        Assert.True(File.Exists(Path.Combine(evidence, $"{campaignId}-evidence.csv")), first.ToString());

        IsmsResult second = Isms.Run(job);

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("0 step(s), 0 failed", second.Output, StringComparison.Ordinal);
        IsmsResult campaigns = Isms.Run("-Command", "Import-Module IsmsOps; @(Get-IsmsAccessReview).Count; "
            + $"@(Get-IsmsAccessReview | Where-Object {{ $_.Campaign.PredecessorId -eq '{campaignId}' }}).Count; (Get-IsmsAccessReview {campaignId}).Campaign.Status");
        Assert.Equal(["2", "1", "Completed"], campaigns.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public void A_step_that_fails_for_one_campaign_is_named_on_stderr_and_exits_1_while_the_due_completion_is_still_done()
    {
        DirectoryGroup group = Tenant.Groups.First(g => !g.IsDynamic && g.OnPremisesSyncEnabled != true && !g.MailEnabled && g.IsAssignableToRole != true
            && g.Members.OfType<DirectoryUser>().Count(u => u.UserType == "Member") >= 2);
        DirectoryUser denied = group.Members.OfType<DirectoryUser>().First(u => u.UserType == "Member");
        DirectoryUser reviewer = Tenant.Users.First(u => u.UserType == "Member" && u.AccountEnabled && !group.HasMember(u.Id));
        string snapshot = Path.Combine(Isms.NewTempFolder(), "tenant.json.gz");
        // Frozen from a snapshot file; the job is then pointed at the same, unrefreshed file, so the next quarter cannot be frozen from it.
        IsmsResult seeded = Isms.Run("-Command", string.Join("; ",
            "Import-Module IsmsOps -ErrorAction Stop",
            $". '{Example("scheduled", "connect-graph.ps1")}'",
            "Connect-IsmsJobGraph | Out-Null",
            $"Export-IsmsDirectorySnapshot -Path '{snapshot}' | Out-Null",
            "$due = [DateTime]::UtcNow.AddSeconds(10)",
            $"$c = New-IsmsAccessReview -Name 'Group access' -GroupName '{group.Id}' -Reviewer '{reviewer.UserPrincipalName}' -Recurrence P3M -AutoApply "
                + $"-StartDate ([DateTime]::UtcNow.AddDays(-100)) -DueDate $due -SnapshotPath '{snapshot}' -WarningAction SilentlyContinue",
            $"Get-IsmsAccessReviewItem $c.CampaignId | Where-Object {{ $_.PrincipalId -eq '{denied.Id}' -and $_.ResourceId -eq '{group.Id}' }} | "
                + $"Set-IsmsAccessReviewDecision -Decision Deny -Reviewer '{reviewer.UserPrincipalName}' | Out-Null",
            "$c.CampaignId",
            "$due.ToString('o')"));
        Assert.True(seeded.ExitCode == 0 && seeded.Error.Length == 0, seeded.ToString());
        string[] lines = seeded.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string campaignId = lines[^2];
        TimeSpan wait = DateTime.Parse(lines[^1], CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind) - DateTime.UtcNow + TimeSpan.FromSeconds(1);
        if (wait > TimeSpan.Zero)
        {
            Thread.Sleep(wait);
        }

        IsmsResult run = Isms.Run("-File", Example("access-reviews", "quarterly-review.ps1"), "-SnapshotPath", snapshot);

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains($"{campaignId} Complete Done", run.Output, StringComparison.Ordinal);
        Assert.False(group.HasMember(denied.Id));
        Assert.Contains($"{campaignId} CreateSuccessor failed (IsmsOps.AccessReview.StaleSnapshot)", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_job_exits_2_and_says_why_when_no_graph_connection_is_configured()
    {
        Isms.Environment["ISMSOPS_SANDBOX_URL"] = null;

        IsmsResult result = Isms.Run("-File", Example("access-reviews", "quarterly-review.ps1"));

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("No Graph connection is configured", result.Error, StringComparison.Ordinal);
    }
}
