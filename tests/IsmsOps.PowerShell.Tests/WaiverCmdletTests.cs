using System.Collections.ObjectModel;
using System.Management.Automation;

namespace IsmsOps.PowerShell.Tests;

/// <summary>New-IsmsWaiver in a real PowerShell engine against the built module.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class WaiverCmdletTests
{
    private static string PolicyFolderWithBaseline(PowerShellSession ps)
    {
        string policies = Path.Combine(ps.Home, "policies");
        string controls = Directory.CreateDirectory(Path.Combine(policies, "controls")).FullName;
        string shipped = Path.Combine(ModuleLayout.RepoRoot, "policies", "controls");
        foreach (string file in Directory.GetFiles(shipped, "*.yaml", SearchOption.AllDirectories))
        {
            string target = Path.Combine(controls, Path.GetRelativePath(shipped, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        ps.Run($"$env:ISMSOPS_POLICIES = '{policies}'");
        return policies;
    }

    private const string Waiver =
        "New-IsmsWaiver -Control ISMS-ACC-003 -ResourceId u-held, held@contoso.com -Category CompensatingControl " +
        "-Justification 'Legal hold on the mailbox' -Approver ciso@contoso.com -ExpiresOn ([DateTime]::UtcNow.Date.AddDays(30))";

    [Fact]
    public void New_IsmsWaiver_writes_one_file_into_the_policy_folders_waivers_and_audits_it()
    {
        using var ps = new PowerShellSession();
        string policies = PolicyFolderWithBaseline(ps);

        PSObject written = ps.Run(Waiver + " -Id WVR-TEST-1").Single();
        Collection<PSObject> audited = ps.Run("Get-IsmsAuditEvent -Action Waiver.Created");

        Assert.Empty(ps.Errors);
        string path = Path.Combine(policies, "waivers", "WVR-TEST-1.yaml");
        Assert.Equal(path, written.Properties["Path"].Value);
        Assert.Equal("ISMS-ACC-003", written.Properties["ControlId"].Value);
        string text = File.ReadAllText(path);
        Assert.Contains("expiresOn: " + DateTime.UtcNow.Date.AddDays(30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
        Assert.Contains("resources: [\"u-held\", \"held@contoso.com\"]", text, StringComparison.Ordinal);
        Assert.Equal("waiver:WVR-TEST-1", Assert.Single(audited).Properties["Target"].Value);
    }

    [Fact]
    public void WhatIf_writes_no_file_and_no_audit_event_but_still_refuses_a_bad_waiver()
    {
        using var ps = new PowerShellSession();
        string policies = PolicyFolderWithBaseline(ps);

        ps.Run(Waiver + " -WhatIf");
        ps.Run(Waiver.Replace("ISMS-ACC-003", "ISMS-NOPE-9", StringComparison.Ordinal) + " -WhatIf");

        Assert.False(Directory.Exists(Path.Combine(policies, "waivers")));
        Assert.Empty(ps.Run("Get-IsmsAuditEvent -Action Waiver.Created"));
        ErrorRecord error = Assert.Single(ps.Errors);
        Assert.StartsWith("IsmsOps.Waiver.UnknownControl", error.FullyQualifiedErrorId, StringComparison.Ordinal);
    }

    [Fact]
    public void An_expiry_in_the_past_is_refused_as_never_honoured_and_nothing_is_written()
    {
        using var ps = new PowerShellSession();
        string policies = PolicyFolderWithBaseline(ps);

        ps.Run(Waiver.Replace("AddDays(30)", "AddDays(-1)", StringComparison.Ordinal));

        ErrorRecord error = Assert.Single(ps.Errors);
        Assert.StartsWith("IsmsOps.Waiver.NotInFuture", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Contains("never honoured", error.Exception.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(policies, "waivers")));
    }

    [Fact]
    public void Without_a_policy_folder_of_your_own_the_installed_module_is_refused_naming_ISMSOPS_POLICIES_and_Path()
    {
        using var ps = new PowerShellSession();

        ps.Run(Waiver);

        ErrorRecord error = Assert.Single(ps.Errors);
        Assert.StartsWith("IsmsOps.Waiver.InsideModule", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("ISMSOPS_POLICIES", error.ErrorDetails?.RecommendedAction ?? error.Exception.Message, StringComparison.Ordinal);
        string shipped = Path.Combine(ModuleLayout.ModuleFolder, "policies", "waivers");
        Assert.Empty(Directory.Exists(shipped) ? Directory.GetFiles(shipped, "*.yaml") : []);
    }

    [Fact]
    public void A_selector_waiver_goes_where_Path_says()
    {
        using var ps = new PowerShellSession();
        PolicyFolderWithBaseline(ps);
        string elsewhere = Path.Combine(ps.Home, "reviewed-waivers");

        PSObject written = ps.Run("New-IsmsWaiver ISMS-GST-002 -Selector '{ field: mail, like: \"*@partner.example\" }' -Category AcceptedRisk " +
            $"-Justification 'Partner portal' -Approver ciso@contoso.com -ExpiresOn 2099-01-01 -Path '{elsewhere}'").Single();

        Assert.Empty(ps.Errors);
        Assert.StartsWith(elsewhere, (string)written.Properties["Path"].Value, StringComparison.Ordinal);
        Assert.Contains("selector: {\"field\":\"mail\",\"like\":\"*@partner.example\"}", File.ReadAllText((string)written.Properties["Path"].Value), StringComparison.Ordinal);
    }
}
