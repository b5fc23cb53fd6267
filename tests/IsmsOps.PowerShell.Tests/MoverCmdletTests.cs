using System.Management.Automation;

namespace IsmsOps.PowerShell.Tests;

/// <summary>Set-IsmsPerson -JobRole, Get-IsmsMove and Start-IsmsMove against a sandbox tenant with the shipped role catalog, in a real PowerShell engine.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class MoverCmdletTests
{
    // A software engineer whose account already holds the role's access, moving to engineering manager (same screening level).
    private const string Setup = "$sb = Start-IsmsSandbox -UserCount 100; Connect-IsmsGraph -Sandbox $sb; "
        + "$u = @($sb.Tenant.Users | Where-Object { $_.AccountEnabled -and $_.UserType -eq 'Member' -and $_.UsageLocation })[0]; "
        + "New-IsmsPerson -PersonId E7101 -DisplayName 'Mo Mover' -DirectoryObjectId $u.Id -JobRole software-engineer -Location GB | Out-Null";

    private static string MemberOf(string group) => $"@($sb.Tenant.Groups | Where-Object DisplayName -eq '{group}')[0].HasMember($u.Id)";

    [Fact]
    public void A_role_change_opens_a_case_that_Start_IsmsMove_grants_and_Get_IsmsMove_shows_waiting_for_the_overlap()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run(Setup);

            ps.Run("Set-IsmsPerson E7101 -JobRole 'Engineering Manager' -Confirm:$false");
            PSObject opened = ps.Run("Get-IsmsMove -PersonId E7101").Single();
            bool memberBefore = (bool)ps.Run(MemberOf("Engineering Managers")).Single().BaseObject;
            PSObject due = ps.Run("Get-IsmsMove -Due").Single();

            PSObject run = ps.Run("Get-IsmsPerson E7101 | Start-IsmsMove -Confirm:$false").Single();
            bool memberAfter = (bool)ps.Run(MemberOf("Engineering Managers")).Single().BaseObject;
            string jobRole = (string)ps.Run("(Get-IsmsPerson E7101).JobRole").Single().BaseObject;

            Assert.Empty(ps.Errors);
            Assert.Equal("engineering-manager", jobRole);
            Assert.Equal(("software-engineer", "engineering-manager", "Granting"),
                (opened.Properties["FromRoleId"].Value, opened.Properties["ToRoleId"].Value, opened.Properties["Status"].Value.ToString()));
            Assert.Equal(opened.Properties["CaseId"].Value, due.Properties["CaseId"].Value);
            Assert.False(memberBefore);
            Assert.True(memberAfter);
            Assert.Equal("OverlapRunning", run.Properties["Status"].Value.ToString());
            Assert.Empty(ps.Run("Get-IsmsMove -Due"));
            Assert.Single(ps.Run("Get-IsmsMove -Status OverlapRunning"));
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }

    [Fact]
    public void WhatIf_grants_nothing_and_leaves_the_case_unplanned()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run(Setup + "; Set-IsmsPerson E7101 -JobRole engineering-manager");

            ps.Run("Start-IsmsMove -PersonId E7101 -WhatIf");

            Assert.Empty(ps.Errors);
            Assert.False((bool)ps.Run(MemberOf("Engineering Managers")).Single().BaseObject);
            Assert.False((bool)ps.Run("(Get-IsmsMove E7101).Planned").Single().BaseObject);
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }

    [Fact]
    public void A_role_the_catalog_lacks_is_refused_naming_the_catalog_and_Get_IsmsRole_and_nothing_changes()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run(Setup);

            ps.Run("Set-IsmsPerson E7101 -JobRole astronaut -Department Space");

            ErrorRecord error = Assert.Single(ps.Errors);
            Assert.StartsWith("IsmsOps.Person.UnknownRole", error.FullyQualifiedErrorId, StringComparison.Ordinal);
            Assert.Contains("roles", error.Exception.Message, StringComparison.Ordinal);
            Assert.Contains("Get-IsmsRole", error.ErrorDetails?.RecommendedAction ?? error.Exception.Message, StringComparison.Ordinal);
            PSObject person = ps.Run("Get-IsmsPerson E7101").Single();
            Assert.Equal(("software-engineer", null, 1L), (person.Properties["JobRole"].Value, person.Properties["Department"].Value, person.Properties["Version"].Value));
            Assert.Empty(ps.Run("Get-IsmsMove"));
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }

    [Fact]
    public void Start_IsmsMove_for_someone_without_an_open_case_is_a_clear_non_terminating_error()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run(Setup);

            ps.Run("Start-IsmsMove -PersonId E7101 -Confirm:$false");

            ErrorRecord error = Assert.Single(ps.Errors);
            Assert.StartsWith("IsmsOps.Mover.NoOpenCase", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }
}
