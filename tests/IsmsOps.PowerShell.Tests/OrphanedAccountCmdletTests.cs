using System.Management.Automation;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.PowerShell.Tests;

/// <summary>Get-IsmsOrphanedAccount, the exit review, on a snapshot file written with the engine's own writer.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class OrphanedAccountCmdletTests
{
    private static DirectorySnapshot Contoso() => new()
    {
        Tenant = new SnapshotTenant { TenantId = "7d9e2f10-0000-4000-8000-00000000aaaa" },
        CollectedAt = new DateTimeOffset(2026, 11, 23, 20, 40, 0, TimeSpan.Zero),
        Source = "https://graph.microsoft.com/v1.0",
        Users =
        [
            new SnapshotUser { Id = "0b6f4a1e-8c2d-4e7f-9a3b-1c5d7e9f2a4b", UserPrincipalName = "ada@contoso.com", AccountEnabled = true, UserType = "Member" },
            new SnapshotUser { Id = "u-bob", UserPrincipalName = "bob@contoso.com", AccountEnabled = true, UserType = "Member" },
            new SnapshotUser { Id = "u-cy", UserPrincipalName = "cy@contoso.com", AccountEnabled = true, UserType = "Member", EmployeeId = "E9" },
            new SnapshotUser { Id = "u-dee", UserPrincipalName = "dee@contoso.com", AccountEnabled = false, UserType = "Member" },
            new SnapshotUser { Id = "u-guest", UserPrincipalName = "guest_fabrikam.com#EXT#@contoso.com", AccountEnabled = true, UserType = "Guest" },
        ],
    };

    [Fact]
    public void The_exit_review_lists_enabled_members_with_no_person_or_a_person_past_their_end_date_from_a_named_or_imported_snapshot()
    {
        using var ps = new PowerShellSession();
        string path = Path.Combine(ps.Home, "contoso.json.gz");
        DirectorySnapshotFile.Write(path, Contoso(), overwrite: true, CancellationToken.None);
        string yesterday = DateTime.UtcNow.Date.AddDays(-1).ToString("yyyy-MM-dd");
        ps.Run("New-IsmsPerson -PersonId E1 -DisplayName Ada -DirectoryObjectId 0b6f4a1e-8c2d-4e7f-9a3b-1c5d7e9f2a4b -Status Active | Out-Null");
        ps.Run($"New-IsmsPerson -PersonId E2 -DisplayName Bob -UserPrincipalName BOB@contoso.com -Status Leaving -EndDate {yesterday} | Out-Null");
        Assert.Empty(ps.Errors);

        string[] named = ps.Run($"Get-IsmsOrphanedAccount -SnapshotPath '{path}' | ForEach-Object {{ \"$($_.UserPrincipalName) $($_.Reason) $($_.PersonId)\" }}")
            .Select(o => o.ToString()).ToArray();

        Assert.Empty(ps.Errors);
        Assert.Equal(["bob@contoso.com PastEndDate E2", "cy@contoso.com NoPerson "], named);
        ps.Run($"Import-IsmsDirectorySnapshot '{path}' | Out-Null");
        PSObject cy = ps.Run("Get-IsmsOrphanedAccount | Where-Object UserId -eq 'u-cy'").Single();
        Assert.Equal("E9", cy.Properties["EmployeeId"].Value);
        Assert.Equal(DirectorySnapshotFile.Read(path, CancellationToken.None).ContentSha256, cy.Properties["SnapshotSha256"].Value);
    }

    [Fact]
    public void Without_a_directory_the_exit_review_fails_saying_how_to_give_it_one()
    {
        using var ps = new PowerShellSession();
        ps.Run("Get-IsmsOrphanedAccount");

        ErrorRecord error = Assert.Single(ps.Errors);
        Assert.Equal("IsmsOps.Graph.NotConnected", error.FullyQualifiedErrorId.Split(',')[0]);
    }
}
