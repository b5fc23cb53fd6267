using System.Text.RegularExpressions;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.PowerShell.Tests;

/// <summary>Invoke-IsmsAssessment and Test-IsmsControl in the built module, hosted in the real PowerShell engine.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class AssessmentCmdletTests
{
    private static DirectorySnapshot Contoso() => new()
    {
        Tenant = new SnapshotTenant { TenantId = "7d9e2f10-0000-4000-8000-00000000aaaa", DisplayName = "Contoso" },
        CollectedAt = new DateTimeOffset(2026, 11, 23, 20, 40, 0, TimeSpan.Zero),
        Source = "https://graph.microsoft.com/v1.0",
        Users =
        [
            new SnapshotUser { Id = "0b6f4a1e-8c2d-4e7f-9a3b-1c5d7e9f2a4b", UserPrincipalName = "ada@contoso.com", AccountEnabled = true, UserType = "Member" },
            new SnapshotUser { Id = "u-bob", UserPrincipalName = "bob@contoso.com", AccountEnabled = true, UserType = "Member" },
            new SnapshotUser { Id = "u-bg", UserPrincipalName = "breakglass1@contoso.com", AccountEnabled = true, UserType = "Member" },
            new SnapshotUser { Id = "u-guest", UserPrincipalName = "guest_fabrikam.com#EXT#@contoso.com", AccountEnabled = true, UserType = "Guest" },
        ],
    };

    private static string Snapshot(PowerShellSession ps)
    {
        string path = Path.Combine(ps.Home, "contoso.json.gz");
        DirectorySnapshotFile.Write(path, Contoso(), overwrite: true, CancellationToken.None);
        ps.Run("New-IsmsPerson -PersonId E1 -DisplayName Ada -DirectoryObjectId 0b6f4a1e-8c2d-4e7f-9a3b-1c5d7e9f2a4b -Status Active | Out-Null");
        return path;
    }

    private static string[] Lines(PowerShellSession ps, string script) => ps.Run(script).Select(o => o.ToString()).ToArray();

    private static IEnumerable<string> ShippedControlIds() =>
        Directory.GetFiles(Path.Combine(ModuleLayout.RepoRoot, "policies", "controls"), "*.yaml", SearchOption.AllDirectories)
            .SelectMany(f => Regex.Matches(File.ReadAllText(f), @"^  - id: (\S+)", RegexOptions.Multiline).Select(m => m.Groups[1].Value));

    [Fact]
    public void An_assessment_from_a_snapshot_writes_one_result_per_control_with_findings_progress_and_phase_timings()
    {
        using var ps = new PowerShellSession();
        string path = Snapshot(ps);

        ps.Run($"$results = @(Invoke-IsmsAssessment -SnapshotPath '{path}')");

        Assert.Empty(ps.Errors);
        Assert.NotEmpty(ps.Streams.Progress);
        Assert.Equal(ShippedControlIds().Order(), Lines(ps, "$results | ForEach-Object { $_.Control.Id }").Order());
        Assert.Equal(["Fail"], Lines(ps, "$results | Where-Object { $_.Control.Id -eq 'ISMS-ACC-001' } | ForEach-Object { \"$($_.Outcome)\" }"));
        Assert.Equal(["0b6f4a1e-8c2d-4e7f-9a3b-1c5d7e9f2a4b Pass", "u-bob Fail"], Lines(ps, "($results | Where-Object { $_.Control.Id -eq 'ISMS-ACC-001' }).Findings | ForEach-Object { \"$($_.ResourceId) $($_.Outcome)\" }"));
        Assert.Equal([path], Lines(ps, "$results[0].Run.Source"));
        Assert.Equal(["collect", "build", "compile", "evaluate"], Lines(ps, "$results[0].Run.PhaseTimings | ForEach-Object { $_.Key }"));
        Assert.Equal(["Pass"], Lines(ps, "$results | Where-Object { $_.Control.Id -eq 'ISMS-AUD-001' } | ForEach-Object { \"$($_.Outcome)\" }"));
    }

    [Fact]
    public void The_table_view_shows_control_severity_outcome_counts_and_title()
    {
        var host = new RecordingHost();
        using var ps = new PowerShellSession(host: host);
        string path = Snapshot(ps);

        ps.Run($"Invoke-IsmsAssessment -SnapshotPath '{path}' -Control ISMS-ACC-001, ISMS-PEO-001 | Out-Default");

        string table = Regex.Replace(string.Concat(host.Lines), @"\x1b\[[0-9;]*m", "");
        Assert.True(Regex.IsMatch(table, @"Control\s+Severity\s+Outcome\s+Pass\s+Fail\s+Title"), table);
        Assert.True(Regex.IsMatch(table, @"ISMS-ACC-001\s+High\s+Fail\s+1\s+1\s+Every enabled"), table);
        Assert.True(Regex.IsMatch(table, @"ISMS-PEO-001\s+High\s+Skipped:NoEvidence\s+0\s+0\s+People"), table);
    }

    [Fact]
    public void Control_selects_by_id_or_tag_and_Parameter_overrides_a_default_for_the_run()
    {
        using var ps = new PowerShellSession();
        string path = Snapshot(ps);

        string[] byTag = Lines(ps, $"Invoke-IsmsAssessment -SnapshotPath '{path}' -Control tag:privileged | ForEach-Object {{ $_.Control.Id }}");
        ps.Run($"$exit = Invoke-IsmsAssessment -SnapshotPath '{path}' -Control ISMS-ACC-00[1] -Parameter @{{ breakGlassPattern = 'nobody*' }}");

        Assert.Empty(ps.Errors);
        // The shipped baseline grows; what matters is that the tag picks the privileged controls and nothing else.
        Assert.Contains("ISMS-PRV-001", byTag);
        Assert.Contains("ISMS-PRV-002", byTag);
        Assert.DoesNotContain("ISMS-ACC-001", byTag);
        Assert.Empty(Lines(ps, $"Invoke-IsmsAssessment -SnapshotPath '{path}' -Control tag:privileged | Where-Object {{ 'privileged' -notin $_.Control.Tags }} | ForEach-Object {{ $_.Control.Id }}"));
        Assert.Equal(["nobody*"], Lines(ps, "$exit.Control.Parameters['breakGlassPattern']"));
        Assert.Equal(["Fail"], Lines(ps, "$exit.Findings | Where-Object ResourceId -eq 'u-bg' | ForEach-Object { \"$($_.Outcome)\" }"));
    }

    [Fact]
    public void Without_a_directory_directory_controls_are_skipped_and_the_register_is_still_assessed()
    {
        using var ps = new PowerShellSession();
        ps.Run("New-IsmsPerson -PersonId E1 -DisplayName Ada -Status Active | Out-Null");

        ps.Run("$results = @(Invoke-IsmsAssessment)");

        Assert.Empty(ps.Errors);
        Assert.All(Lines(ps, "$results | Where-Object { $_.Control.ResourceType -in 'account', 'tenant' } | ForEach-Object { \"$($_.Outcome) $($_.SkipReason)\" }"),
            line => Assert.Equal("Skipped NotConnected", line));
        Assert.Equal(["Pass"], Lines(ps, "$results | Where-Object { $_.Control.Id -eq 'ISMS-AUD-001' } | ForEach-Object { \"$($_.Outcome)\" }"));
    }

    [Fact]
    public void An_expired_waiver_is_reported_as_a_warning_and_the_failure_stays()
    {
        using var ps = new PowerShellSession();
        string path = Snapshot(ps);
        string policies = Path.Combine(ps.Home, "policies");
        Directory.CreateDirectory(Path.Combine(policies, "controls"));
        Directory.CreateDirectory(Path.Combine(policies, "waivers"));
        File.Copy(Path.Combine(ModuleLayout.RepoRoot, "policies", "controls", "access", "exit-review.yaml"), Path.Combine(policies, "controls", "exit-review.yaml"));
        File.WriteAllText(Path.Combine(policies, "waivers", "bob.yaml"), """
            waivers:
              - id: WVR-BOB
                control: ISMS-ACC-001
                resources: [bob@contoso.com]
                category: AcceptedRisk
                justification: Contractor pending HR record.
                approver: ciso@contoso.com
                createdOn: 2026-01-01
                expiresOn: 2026-06-30
            """);

        ps.Run($"$exit = Invoke-IsmsAssessment -SnapshotPath '{path}' -PolicyPath '{policies}' -Control ISMS-ACC-001 -EvaluatedAt 2026-11-24");
        Assert.Contains(ps.Streams.Warning, w => w.Message.Contains("WVR-BOB", StringComparison.Ordinal) && w.Message.Contains("expired", StringComparison.Ordinal));

        Assert.Equal(["Fail"], Lines(ps, "$exit.Findings | Where-Object ResourceId -eq 'u-bob' | ForEach-Object { \"$($_.Outcome)\" }"));
        Assert.Equal(["WVR-BOB"], Lines(ps, "$exit.ExpiredWaivers | ForEach-Object Id"));
    }

    [Fact]
    public void Test_IsmsControl_passes_the_shipped_policy_folder_and_reports_a_broken_control_and_a_failing_expectation_with_file_and_line()
    {
        using var ps = new PowerShellSession();
        string[] shipped = Lines(ps, "Test-IsmsControl | ForEach-Object { \"$($_.Kind) $($_.Passed) $($_.Location) $($_.Message)\" }");
        Assert.Contains(shipped, l => l.StartsWith("Fixture True", StringComparison.Ordinal));
        Assert.All(shipped, l => Assert.Contains(" True ", l, StringComparison.Ordinal));

        string policies = Path.Combine(ps.Home, "mine");
        Directory.CreateDirectory(Path.Combine(policies, "controls"));
        Directory.CreateDirectory(Path.Combine(policies, "tests"));
        File.Copy(Path.Combine(ModuleLayout.RepoRoot, "policies", "controls", "reviews", "campaigns.yaml"), Path.Combine(policies, "controls", "campaigns.yaml"));
        File.WriteAllText(Path.Combine(policies, "controls", "broken.yaml"), "controls:\n  - id: MY-X-001\n    title: t\n    objective: o\n    severity: Low\n    resource: account\n    references: { iso27017: [CLD.9.5.1] }\n    condition: { field: accountEnabled, equal: true }\n    remediation: r\n");
        File.WriteAllText(Path.Combine(policies, "tests", "reviews.yaml"), "tests:\n  - name: wrong on purpose\n    resources:\n      accessReview:\n        - { id: C1, overdue: true }\n    expect:\n      - { control: ISMS-REV-001, resource: C1, outcome: Pass }\n");

        string[] mine = Lines(ps, $"Test-IsmsControl -Path '{policies}' | Where-Object {{ -not $_.Passed }} | ForEach-Object {{ \"$($_.Kind)|$($_.Target)|$($_.Expected)|$($_.Actual)|$($_.Location)\" }}");

        Assert.Equal(
            $"Compile|MY-X-001|||{Path.Combine(policies, "controls", "broken.yaml")}:8:41\n"
            + $"Fixture|ISMS-REV-001|Pass|Fail|{Path.Combine(policies, "tests", "reviews.yaml")}:7:9", string.Join("\n", mine));
        Assert.Equal(2, ps.Streams.Warning.Count);
    }
}
