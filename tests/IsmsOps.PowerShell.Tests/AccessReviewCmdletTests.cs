using System.Collections.ObjectModel;
using System.Management.Automation;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.PowerShell.Tests;

/// <summary>New-IsmsAccessReview, Get-IsmsAccessReview(Item) and Set-IsmsAccessReviewDecision in the hosted engine, over a snapshot file.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class AccessReviewCmdletTests
{
    private static DirectorySnapshot Finance()
    {
        DateTimeOffset now = DateTimeOffset.UtcNow;
        SnapshotUser Member(string name, int daysSinceSignIn, string? manager = "u-grace") => new()
        {
            Id = "u-" + name,
            UserPrincipalName = name + "@contoso.com",
            DisplayName = name,
            Mail = name + "@contoso.com",
            AccountEnabled = true,
            UserType = "Member",
            ManagerId = manager,
            SignInActivity = new SnapshotSignInActivity { LastSignInDateTime = now.AddDays(-daysSinceSignIn) },
        };

        static DirectoryObjectRef U(string id) => new(id, DirectoryObjectKind.User);
        return new DirectorySnapshot
        {
            Tenant = new SnapshotTenant { TenantId = "7d9e2f10-0000-4000-8000-00000000aaaa" },
            CollectedAt = now.AddMinutes(-5),
            Source = "https://graph.microsoft.com/v1.0",
            Users = [Member("ada", 2), Member("bob", 200), Member("cy", 300), Member("dan", 150, manager: null), Member("grace", 1, manager: null), Member("ciso", 1, manager: null)],
            Groups =
            [
                new SnapshotGroup { Id = "g-fin", DisplayName = "Sales", SecurityEnabled = true, Members = [U("u-ada"), U("u-bob"), U("u-cy"), U("u-dan")] },
                new SnapshotGroup { Id = "g-finadm", DisplayName = "Sales Admins", SecurityEnabled = true, IsAssignableToRole = true, Members = [U("u-ada")] },
            ],
        };
    }

    private static string WriteSnapshot(PowerShellSession ps)
    {
        string path = Path.Combine(ps.Home, "contoso.json.gz");
        DirectorySnapshotFile.Write(path, Finance(), overwrite: true, CancellationToken.None);
        return path;
    }

    private static string ErrorId(ErrorRecord error) => error.FullyQualifiedErrorId.Split(',')[0];

    [Theory]
    [InlineData("Get-IsmsAccessReviewItem AR-1 -ItemId 0")]
    [InlineData("Get-IsmsAccessReviewItem AR-1 -ItemId 1, 4294967296")]
    [InlineData("Set-IsmsAccessReviewDecision AR-1 -ItemId 0 -Decision Deny")]
    public void An_item_id_outside_1_to_2_to_the_32_minus_1_is_refused_when_the_parameter_binds(string command)
    {
        using var ps = new PowerShellSession();

        string[] ids = ps.Run($"try {{ {command} }} catch {{ $_.FullyQualifiedErrorId }}").Select(o => o.ToString()!).ToArray();

        Assert.StartsWith("ParameterArgumentValidationError,", Assert.Single(ids), StringComparison.Ordinal);
    }

    [Fact]
    public void A_reviewer_pipes_their_pending_deny_recommendations_into_a_decision_and_progress_shows_it()
    {
        using var ps = new PowerShellSession();
        string path = WriteSnapshot(ps);

        string id = ps.Run($"(New-IsmsAccessReview -Name 'Finance Q4' -GroupName 'Sales*' -FallbackReviewer ciso@contoso.com -Recurrence P3M -SnapshotPath '{path}').CampaignId")
            .Single().ToString();
        Assert.Empty(ps.Errors);
        Assert.Equal(5, ps.Run($"Get-IsmsAccessReviewItem {id}").Count);

        Collection<PSObject> decided = ps.Run(
            $"Get-IsmsAccessReviewItem {id} -Reviewer grace@contoso.com -Pending | Where-Object Recommendation -eq 'Deny' | Set-IsmsAccessReviewDecision -Decision Deny -Reviewer grace@contoso.com");

        Assert.Empty(ps.Errors);
        Assert.Equal(["bob@contoso.com", "cy@contoso.com"], decided.Select(o => o.Properties["PrincipalName"].Value).Order());
        Assert.All(decided, o => Assert.Equal("Deny", o.Properties["Decision"].Value.ToString()));
        Assert.Equal(3, ps.Run($"Get-IsmsAccessReviewItem {id} -Pending").Count);
        PSObject overview = ps.Run($"Get-IsmsAccessReview {id}").Single();
        Assert.Equal(2L, overview.Properties["Decided"].Value);
        Assert.Equal(3L, overview.Properties["Pending"].Value);
        string[] progress = ps.Run($"(Get-IsmsAccessReview 'Finance Q4').Reviewers | ForEach-Object {{ \"$($_.Reviewer.UserPrincipalName) $($_.Assigned) $($_.Decided)\" }}")
            .Select(o => o.ToString()).ToArray();
        Assert.Equal(["ciso@contoso.com 1 0", "grace@contoso.com 4 2"], progress);
    }

    [Fact]
    public void Deciding_from_a_stale_copy_is_refused_item_by_item_and_privileged_approval_needs_a_justification()
    {
        using var ps = new PowerShellSession();
        string path = WriteSnapshot(ps);
        string id = ps.Run($"(New-IsmsAccessReview -Name 'Finance' -GroupName 'Sales' -FallbackReviewer ciso@contoso.com -SnapshotPath '{path}').CampaignId").Single().ToString();

        ps.Run($"$items = Get-IsmsAccessReviewItem {id} -Reviewer grace@contoso.com; $items | Set-IsmsAccessReviewDecision -Decision Approve -Reviewer grace@contoso.com | Out-Null");
        Assert.Empty(ps.Errors);
        ps.Run("$items | Set-IsmsAccessReviewDecision -Decision Deny -Reviewer grace@contoso.com");

        Assert.Equal(3, ps.Errors.Count);
        Assert.All(ps.Errors, e => Assert.Equal("IsmsOps.AccessReview.Conflict", ErrorId(e)));
        Assert.Empty(ps.Run($"Get-IsmsAccessReviewItem {id} | Where-Object Decision -eq 'Deny'"));

        ps.Errors.Clear();
        string admins = ps.Run($"(New-IsmsAccessReview -Name 'Admins' -GroupName 'Sales Admins' -SnapshotPath '{path}').CampaignId").Single().ToString();
        ps.Run($"Get-IsmsAccessReviewItem {admins} | Set-IsmsAccessReviewDecision -Decision Approve -Reviewer grace@contoso.com");
        Assert.Equal("IsmsOps.AccessReview.JustificationRequired", ErrorId(Assert.Single(ps.Errors)));
        ps.Errors.Clear();
        PSObject approved = ps.Run($"Get-IsmsAccessReviewItem {admins} | Set-IsmsAccessReviewDecision -Decision Approve -Reviewer grace@contoso.com -Justification 'Month-end close'").Single();
        Assert.Empty(ps.Errors);
        Assert.Equal("Month-end close", approved.Properties["Justification"].Value);
    }

    [Fact]
    public void Groups_are_chosen_by_a_tag_from_the_policy_folder_or_by_a_filter_and_the_stored_scope_keeps_both()
    {
        using var ps = new PowerShellSession();
        string path = WriteSnapshot(ps);
        string policies = Directory.CreateTempSubdirectory("ismsops-tags-policy-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(policies, "group-tags.yaml"), "sox:\n  - 'Sales'\n");
            ps.Run($"$env:ISMSOPS_POLICIES = '{policies}'");

            string tagged = ps.Run($"(New-IsmsAccessReview -Name 'SOX' -GroupTag 'so*' -FallbackReviewer ciso@contoso.com -SnapshotPath '{path}').CampaignId").Single().ToString();
            string filtered = ps.Run("(New-IsmsAccessReview -Name 'Role-assignable' -GroupFilter \"isAssignableToRole eq true and startswith(displayName,'sales')\" "
                + $"-FallbackReviewer ciso@contoso.com -SnapshotPath '{path}').CampaignId").Single().ToString();
            Assert.Empty(ps.Errors);
            Assert.Equal(["u-ada", "u-bob", "u-cy", "u-dan"], ps.Run($"Get-IsmsAccessReviewItem {tagged} | ForEach-Object PrincipalId").Select(o => o.ToString()).Order());
            Assert.Equal("g-fin", Assert.Single(ps.Run($"Get-IsmsAccessReviewItem {tagged} | ForEach-Object ResourceId").Distinct()).ToString());
            Assert.Equal(["u-ada g-finadm"], ps.Run($"Get-IsmsAccessReviewItem {filtered} | ForEach-Object {{ \"$($_.PrincipalId) $($_.ResourceId)\" }}").Select(o => o.ToString()));
            Assert.Equal("so*", ps.Run($"(Get-IsmsAccessReview {tagged}).Campaign.Scope.GroupTags").Single().ToString());
            Assert.Equal("isAssignableToRole eq true and startswith(displayName,'sales')", ps.Run($"(Get-IsmsAccessReview {filtered}).Campaign.Scope.GroupFilter").Single().ToString());
            Assert.Contains("groups matching the filter", ps.Run($"(Get-IsmsAccessReview {filtered}).Campaign.Scope.Describe()").Single().ToString(), StringComparison.Ordinal);

            ps.Run($"New-IsmsAccessReview -Name 'PCI' -GroupTag pci -FallbackReviewer ciso@contoso.com -SnapshotPath '{path}'");
            ErrorRecord unknown = Assert.Single(ps.Errors);
            Assert.Equal("IsmsOps.AccessReview.UnknownGroupTag", ErrorId(unknown));
            Assert.Contains("'sox', 'privileged'", unknown.Exception.Message, StringComparison.Ordinal);
            Assert.Contains(Path.Combine(policies, "group-tags.yaml"), unknown.Exception.Message, StringComparison.Ordinal);

            ps.Errors.Clear();
            ps.Run($"New-IsmsAccessReview -Name 'Broken' -GroupFilter \"displayName eq 'Sales' or\" -FallbackReviewer ciso@contoso.com -SnapshotPath '{path}'");
            ErrorRecord syntax = Assert.Single(ps.Errors);
            Assert.Equal("IsmsOps.GroupFilter.Syntax", ErrorId(syntax));
            Assert.Contains("column 26", syntax.Exception.Message, StringComparison.Ordinal);
            Assert.Equal(2, ps.Run("Get-IsmsAccessReview").Count);
        }
        finally
        {
            Directory.Delete(policies, recursive: true);
        }
    }

    [Fact]
    public void Live_from_the_sandbox_only_the_guests_without_a_sponsor_are_recommended_for_removal_on_that_ground()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run("$sb = Start-IsmsSandbox -UserCount 120; Connect-IsmsGraph -Sandbox $sb | Out-Null; "
                + "$fallback = @($sb.Tenant.Users | Where-Object { $_.UserType -eq 'Member' -and $_.AccountEnabled })[0].UserPrincipalName; "
                + "$c = New-IsmsAccessReview -Name 'Guests' -Guest -FallbackReviewer $fallback");
            Assert.Empty(ps.Errors);

            string[] unsponsored = ps.Run("$sb.Tenant.Users | Where-Object { $_.UserType -eq 'Guest' -and $_.Sponsors.Count -eq 0 } | ForEach-Object Id")
                .Select(o => o.ToString()).Order().ToArray();
            string[] flagged = ps.Run("Get-IsmsAccessReviewItem $c.CampaignId | Where-Object { $_.Reasons -contains 'GuestWithoutSponsor' } | ForEach-Object PrincipalId")
                .Select(o => o.ToString()).Order().ToArray();

            Assert.NotEmpty(unsponsored);
            Assert.Equal(unsponsored, flagged);
            Assert.Equal(4, ps.Run("Get-IsmsAccessReviewItem $c.CampaignId").Count);
            Assert.Empty(ps.Run("Get-IsmsAccessReviewItem $c.CampaignId | Where-Object { $_.Reasons -contains 'GuestWithoutSponsor' -and \"$($_.Recommendation)\" -ne 'Deny' }"));
            Assert.Empty(ps.Run("Get-IsmsAccessReviewItem $c.CampaignId | Where-Object { $_.Reasons -contains 'SponsorUnknown' }"));
            Assert.Empty(ps.Run("$c.EvidenceGaps | Where-Object { $_ -like '*sponsor*' }"));
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }

    [Fact]
    public void Auto_apply_with_a_deny_default_is_refused_without_Force_and_an_empty_scope_is_named_and_neither_creates_anything()
    {
        using var ps = new PowerShellSession();
        string path = WriteSnapshot(ps);

        ps.Run($"New-IsmsAccessReview -Name 'Everyone' -GroupName 'Sales' -DefaultDecision Deny -AutoApply -SnapshotPath '{path}'");
        ErrorRecord force = Assert.Single(ps.Errors);
        Assert.Equal("IsmsOps.AccessReview.AutoApplyNeedsForce", ErrorId(force));
        Assert.Contains("revoke everyone's access", force.Exception.Message);

        ps.Errors.Clear();
        ps.Run($"New-IsmsAccessReview -Name 'Payroll' -GroupName 'Payroll*' -FallbackReviewer ciso@contoso.com -SnapshotPath '{path}'");
        ErrorRecord empty = Assert.Single(ps.Errors);
        Assert.Equal("IsmsOps.AccessReview.EmptyScope", ErrorId(empty));
        Assert.Contains("groups 'Payroll*' matched no group", empty.Exception.Message);

        ps.Errors.Clear();
        Assert.Empty(ps.Run("Get-IsmsAccessReview"));
        ps.Run("Get-IsmsAccessReview AR-20260101-000000");
        Assert.Equal("IsmsOps.AccessReview.NotFound", ErrorId(Assert.Single(ps.Errors)));
        ps.Errors.Clear();
        ps.Run($"New-IsmsAccessReview -Name 'Everyone' -GroupName 'Sales' -FallbackReviewer ciso@contoso.com -DefaultDecision Deny -AutoApply -Force -SnapshotPath '{path}' | Out-Null");
        Assert.Empty(ps.Errors);
        Assert.Single(ps.Run("Get-IsmsAccessReview"));
    }

    [Fact]
    public void Connected_to_Graph_a_campaign_collects_the_whole_tenant_first_and_freezes_what_it_holds()
    {
        using var ps = new PowerShellSession();
        try
        {
            string file = Path.Combine(ps.Home, "tenant.json.gz");
            ps.Run($"$sb = Start-IsmsSandbox -UserCount 150; Connect-IsmsGraph -Sandbox $sb; Export-IsmsDirectorySnapshot -Path '{file}' | Out-Null");
            DirectorySnapshot tenant = DirectorySnapshotFile.Read(file, CancellationToken.None).Snapshot;
            string[] fallback = tenant.Users.Where(u => u.UserType == "Member").Take(2).Select(u => u.UserPrincipalName).ToArray();

            PSObject campaign = ps.Run($"New-IsmsAccessReview -Name 'Live guests' -Guest -Reviewer Manager -FallbackReviewer {string.Join(",", fallback)}").Single();

            Assert.Empty(ps.Errors);
            Assert.Null(campaign.Properties["SnapshotSha256"].Value);
            int guests = tenant.Users.Count(u => u.UserType == "Guest");
            Assert.Equal(guests, (int)campaign.Properties["ItemCount"].Value);
            string[] principals = ps.Run($"Get-IsmsAccessReviewItem {campaign.Properties["CampaignId"].Value} | ForEach-Object PrincipalName").Select(o => o.ToString()).ToArray();
            Assert.Equal(tenant.Users.Where(u => u.UserType == "Guest").Select(u => u.UserPrincipalName).Order(), principals.Order());
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }

    [Fact]
    public void A_reviewer_exports_the_campaign_fills_in_the_csv_and_imports_it_and_a_row_deciding_as_someone_else_is_refused_with_its_line()
    {
        using var ps = new PowerShellSession();
        string snapshot = WriteSnapshot(ps);
        string id = ps.Run($"(New-IsmsAccessReview -Name 'Finance Q4' -GroupName 'Sales*' -FallbackReviewer ciso@contoso.com -SnapshotPath '{snapshot}').CampaignId")
            .Single().ToString();

        ps.Run($"$null = $ExecutionContext.SessionState.Path.SetLocation('{ps.Home}'); Export-IsmsAccessReview {id} -Path ./review.csv -Format Csv");
        Assert.Empty(ps.Errors.Select(e => e.ToString()));
        ps.Run($"Export-IsmsAccessReview {id} -Path ./review-xlsx.csv -Format Xlsx");
        Assert.Equal("IsmsOps.AccessReview.FormatMismatch", ErrorId(Assert.Single(ps.Errors)));
        Assert.False(File.Exists(Path.Combine(ps.Home, "review-xlsx.csv")));
        ps.Errors.Clear();
        string file = Path.Combine(ps.Home, "review.csv");
        string[] lines = File.ReadAllLines(file);
        Assert.StartsWith("ReviewName,CampaignId,ItemId,ResourceDisplayName,", lines[0], StringComparison.Ordinal);
        Assert.Equal(6, lines.Length);
        int bob = Array.FindIndex(lines, l => l.Contains("bob@contoso.com", StringComparison.Ordinal));
        int cy = Array.FindIndex(lines, l => l.Contains("cy@contoso.com", StringComparison.Ordinal));
        Assert.EndsWith(",grace@contoso.com,,", lines[bob], StringComparison.Ordinal);
        lines[bob] = lines[bob][..^1] + "Deny,Left the team in October";
        lines[cy] = lines[cy].Replace(",grace@contoso.com,,", ",ciso@contoso.com,Deny,", StringComparison.Ordinal);
        File.WriteAllLines(file, lines);

        Collection<PSObject> preview = ps.Run($"Import-IsmsAccessReviewDecision {id} ./review.csv -WhatIf");
        Assert.Equal(["Rejected", "WouldDecide"], preview.Where(r => r.Properties["Outcome"].Value.ToString() is "Rejected" or "WouldDecide").Select(r => r.Properties["Outcome"].Value.ToString()).Order());
        Assert.Equal(5, ps.Run($"Get-IsmsAccessReviewItem {id} -Pending").Count);
        ps.Errors.Clear();

        Collection<PSObject> rows = ps.Run($"Import-IsmsAccessReviewDecision -CampaignId {id} -Path ./review.csv");

        ErrorRecord refused = Assert.Single(ps.Errors);
        Assert.Equal("IsmsOps.AccessReview.NotYourItem", ErrorId(refused));
        Assert.StartsWith($"{file}:{cy + 1}: ciso@contoso.com is not a reviewer of item", refused.Exception.Message, StringComparison.Ordinal);
        Assert.Equal(3, rows.Count(r => r.Properties["Outcome"].Value.ToString() == "Skipped"));
        PSObject item = ps.Run($"Get-IsmsAccessReviewItem {id} | Where-Object PrincipalName -eq 'bob@contoso.com'").Single();
        Assert.Equal("Deny", item.Properties["Decision"].Value.ToString());
        Assert.Equal("Left the team in October", item.Properties["Justification"].Value);
        Assert.Equal("Pending", ps.Run($"Get-IsmsAccessReviewItem {id} | Where-Object PrincipalName -eq 'cy@contoso.com' | ForEach-Object {{ if ($_.IsPending) {{ 'Pending' }} }}").Single().ToString());
    }
}
