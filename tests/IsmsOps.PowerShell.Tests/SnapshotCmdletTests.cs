using System.IO.Compression;
using System.Management.Automation;
using System.Text;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.PowerShell.Tests;

/// <summary>Import-IsmsDirectorySnapshot and Get-IsmsAccess, on snapshot files written with the engine's own writer.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class SnapshotCmdletTests
{
    private const string AdaId = "0b6f4a1e-8c2d-4e7f-9a3b-1c5d7e9f2a4b";

    private static readonly DateTimeOffset Collected = new(2026, 11, 23, 20, 40, 0, TimeSpan.Zero);

    private static DirectorySnapshot Contoso() => new()
    {
        Tenant = new SnapshotTenant { TenantId = "7d9e2f10-0000-4000-8000-00000000aaaa", DisplayName = "Contoso" },
        CollectedAt = Collected,
        Source = "https://graph.microsoft.com/v1.0",
        EvidenceGaps = [new EvidenceGap { Area = EvidenceAreas.SignInActivity, Reason = EvidenceGapReason.NotLicensed }],
        Users =
        [
            new SnapshotUser { Id = AdaId, UserPrincipalName = "ada@contoso.com", DisplayName = "Ada", Licenses = [new SnapshotLicenseAssignment { SkuId = "sku-e5", AssignedByGroupId = "g-staff" }] },
            new SnapshotUser { Id = "u-grace", UserPrincipalName = "grace@contoso.com", DisplayName = "Grace" },
        ],
        Groups =
        [
            new SnapshotGroup { Id = "g-eng", DisplayName = "Engineering", SecurityEnabled = true, Members = [new DirectoryObjectRef(AdaId, DirectoryObjectKind.User)] },
            new SnapshotGroup
            {
                Id = "g-staff", DisplayName = "All staff", SecurityEnabled = true, OnPremisesSyncEnabled = true,
                Members = [new DirectoryObjectRef("g-eng", DirectoryObjectKind.Group), new DirectoryObjectRef(AdaId, DirectoryObjectKind.User)],
            },
        ],
        RoleDefinitions = [new SnapshotRoleDefinition { Id = "r-ga", DisplayName = "Global Administrator" }],
        RoleAssignments = [new SnapshotRoleAssignment { Id = "ra-1", PrincipalId = AdaId, RoleDefinitionId = "r-ga", State = RoleAssignmentState.Eligible, FromSchedule = true }],
        Skus = [new SnapshotSku { SkuId = "sku-e5", SkuPartNumber = "SPE_E5" }],
    };

    private static string WriteSnapshot(PowerShellSession ps, string name = "contoso.json.gz", DirectorySnapshot? snapshot = null)
    {
        string path = Path.Combine(ps.Home, name);
        DirectorySnapshotFile.Write(path, snapshot ?? Contoso(), overwrite: true, CancellationToken.None);
        return path;
    }

    private static string[] Strings(PowerShellSession ps, string script) => ps.Run(script).Select(o => o.BaseObject.ToString()!).ToArray();

    private static string ErrorIdOf(ErrorRecord error) => error.FullyQualifiedErrorId.Split(',')[0];

    [Fact]
    public void Import_verifies_the_file_and_summarises_tenant_counts_digest_and_evidence_gaps()
    {
        using var ps = new PowerShellSession();
        string path = WriteSnapshot(ps);
        string digest = DirectorySnapshotFile.Read(path, CancellationToken.None).ContentSha256;

        PSObject summary = ps.Run($"Import-IsmsDirectorySnapshot -Path '{path}'").Single();

        Assert.Empty(ps.Errors);
        Assert.Equal("7d9e2f10-0000-4000-8000-00000000aaaa", summary.Properties["TenantId"].Value);
        Assert.Equal(digest, summary.Properties["ContentSha256"].Value);
        Assert.Equal(2L, ps.Run($"(Import-IsmsDirectorySnapshot -LiteralPath '{path}').Counts.Users").Single().BaseObject);
        Assert.Equal(["signInActivity: NotLicensed"], Strings(ps, $"(Import-IsmsDirectorySnapshot '{Path.Combine(ps.Home, "*.json.gz")}').EvidenceGaps"));
    }

    [Fact]
    public void After_import_Get_IsmsAccess_reads_the_snapshot_by_user_id_or_UPN()
    {
        using var ps = new PowerShellSession();
        string path = WriteSnapshot(ps);
        ps.Run($"Import-IsmsDirectorySnapshot '{path}' | Out-Null");

        string[] byId = Strings(ps, $"Get-IsmsAccess -UserId {AdaId} | ForEach-Object {{ \"$($_.Kind) $($_.ResourceDisplayName) $($_.Assignment) $($_.Removal) $($_.InheritedFromGroupName)\" }}");
        Assert.Empty(ps.Errors);
        Assert.Equal(
        [
            "GroupMembership All staff Direct OnPremisesDirectory ",
            "GroupMembership All staff Inherited ViaGroup Engineering",
            "GroupMembership Engineering Direct Graph ",
            "DirectoryRole Global Administrator Eligible Graph ",
            "License SPE_E5 Inherited ViaGroup All staff",
        ], byId);
        Assert.Equal(byId.Length, ps.Run("'ada@contoso.com' | Get-IsmsAccess").Count);
        Assert.Equal(DirectorySnapshotFile.Read(path, CancellationToken.None).ContentSha256,
            ps.Run("Get-IsmsAccess ada@contoso.com | ForEach-Object SnapshotSha256").First().BaseObject);
    }

    [Fact]
    public void Get_IsmsAccess_by_PersonId_finds_the_account_by_object_id_or_UPN_and_takes_people_from_the_pipeline()
    {
        using var ps = new PowerShellSession();
        string path = WriteSnapshot(ps);
        ps.Run($"New-IsmsPerson -PersonId E1 -DisplayName Ada -DirectoryObjectId {AdaId} | Out-Null; New-IsmsPerson -PersonId E2 -DisplayName Grace -UserPrincipalName grace@contoso.com | Out-Null");
        ps.Run($"New-IsmsPerson -PersonId E3 -DisplayName Nobody | Out-Null");

        Assert.Equal(5, ps.Run($"Get-IsmsAccess -PersonId E1 -SnapshotPath '{path}'").Count);
        Assert.Empty(ps.Errors);

        string[] users = Strings(ps, $"Get-IsmsPerson E1, E2, E3 | Get-IsmsAccess -SnapshotPath '{path}' | ForEach-Object UserPrincipalName");
        Assert.Equal(5, users.Length);
        Assert.All(users, u => Assert.Equal("ada@contoso.com", u));
        Assert.Equal(["IsmsOps.Access.PersonNotLinked"], ps.Errors.Select(ErrorIdOf));
    }

    [Fact]
    public void Without_a_snapshot_Get_IsmsAccess_says_to_import_one_or_name_a_file()
    {
        using var ps = new PowerShellSession();
        ps.Run("Get-IsmsAccess -UserId ada@contoso.com");

        ErrorRecord error = Assert.Single(ps.Errors);
        Assert.Equal("IsmsOps.Graph.NotConnected", ErrorIdOf(error));
        Assert.Contains("Import-IsmsDirectorySnapshot", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_user_is_an_error_naming_the_user_and_the_snapshot_and_the_pipeline_goes_on()
    {
        using var ps = new PowerShellSession();
        string path = WriteSnapshot(ps);

        int grants = ps.Run($"'nobody@contoso.com', 'grace@contoso.com', '{AdaId}' | Get-IsmsAccess -SnapshotPath '{path}'").Count;

        Assert.Equal(5, grants);
        ErrorRecord error = Assert.Single(ps.Errors);
        Assert.Equal("IsmsOps.Access.UserNotFound", ErrorIdOf(error));
        Assert.Contains("nobody@contoso.com", error.ErrorDetails.Message, StringComparison.Ordinal);
        Assert.Contains(path, error.ErrorDetails.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_truncated_an_unknown_version_and_an_edited_snapshot_are_each_refused_with_their_own_ErrorId()
    {
        using var ps = new PowerShellSession();
        string good = WriteSnapshot(ps, "good.json.gz");
        ps.Run($"Import-IsmsDirectorySnapshot '{good}' | Out-Null");

        string truncated = WriteSnapshot(ps, "truncated.json.gz");
        byte[] bytes = File.ReadAllBytes(truncated);
        File.WriteAllBytes(truncated, bytes[..(bytes.Length * 2 / 3)]);

        (string header, string content) = Decompress(good);
        string newer = Path.Combine(ps.Home, "newer.json.gz");
        File.WriteAllBytes(newer, Gzip(header.Replace("\"formatVersion\":1", "\"formatVersion\":9", StringComparison.Ordinal) + "\n" + content));
        string edited = Path.Combine(ps.Home, "edited.json.gz");
        File.WriteAllBytes(edited, Gzip(header + "\n" + content.Replace("Global Administrator", "Global Reader", StringComparison.Ordinal)));
        string notGzip = Path.Combine(ps.Home, "notes.txt");
        File.WriteAllText(notGzip, "hello");

        foreach ((string file, string errorId) in new[]
        {
            (truncated, "IsmsOps.Snapshot.Truncated"),
            (newer, "IsmsOps.Snapshot.UnsupportedVersion"),
            (edited, "IsmsOps.Snapshot.DigestMismatch"),
            (notGzip, "IsmsOps.Snapshot.NotASnapshot"),
            (Path.Combine(ps.Home, "missing.json.gz"), "IsmsOps.Snapshot.NotFound"),
        })
        {
            ps.Errors.Clear();
            ps.Run($"Import-IsmsDirectorySnapshot -LiteralPath '{file}'");
            ErrorRecord error = Assert.Single(ps.Errors);
            Assert.Equal(errorId, ErrorIdOf(error));
            Assert.Equal(file, error.TargetObject);
            Assert.False(string.IsNullOrEmpty(error.ErrorDetails.RecommendedAction));

            ps.Errors.Clear();
            ps.Run($"Get-IsmsAccess ada@contoso.com -SnapshotPath '{file}'");
            Assert.Equal(errorId, ErrorIdOf(Assert.Single(ps.Errors)));
        }

        // A refused file leaves the session's snapshot as it was.
        ps.Errors.Clear();
        Assert.Equal(5, ps.Run("Get-IsmsAccess ada@contoso.com").Count);
        Assert.Empty(ps.Errors);
    }

    [Fact]
    public void Each_runspace_has_its_own_imported_snapshot_and_Remove_Module_forgets_it()
    {
        using var first = new PowerShellSession();
        first.Run($"Import-IsmsDirectorySnapshot '{WriteSnapshot(first)}' | Out-Null");
        using var second = new PowerShellSession();
        second.Run("Get-IsmsAccess ada@contoso.com");
        Assert.Equal("IsmsOps.Graph.NotConnected", ErrorIdOf(Assert.Single(second.Errors)));

        Assert.Equal(5, first.Run("Get-IsmsAccess ada@contoso.com").Count);
        first.Run($"Remove-Module IsmsOps; Import-Module '{ModuleLayout.ManifestPath}'; Get-IsmsAccess ada@contoso.com");
        Assert.Equal("IsmsOps.Graph.NotConnected", ErrorIdOf(Assert.Single(first.Errors)));
    }

    [Fact]
    public void Import_with_WhatIf_reads_nothing_and_changes_nothing()
    {
        using var ps = new PowerShellSession();
        string path = WriteSnapshot(ps);
        Assert.Empty(ps.Run($"Import-IsmsDirectorySnapshot '{path}' -WhatIf"));
        ps.Run("Get-IsmsAccess ada@contoso.com");
        Assert.Equal("IsmsOps.Graph.NotConnected", ErrorIdOf(Assert.Single(ps.Errors)));
    }

    private static (string Header, string Content) Decompress(string path)
    {
        using var gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        using var reader = new StreamReader(gzip, Encoding.UTF8);
        string all = reader.ReadToEnd();
        int newline = all.IndexOf('\n', StringComparison.Ordinal);
        return (all[..newline], all[(newline + 1)..]);
    }

    private static byte[] Gzip(string text)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return output.ToArray();
    }
}
