using System.Collections.ObjectModel;
using System.Management.Automation;

namespace IsmsOps.PowerShell.Tests;

/// <summary>Get-IsmsRole and Test-IsmsRoleCatalog, in a real PowerShell engine against the built module.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class RoleCmdletTests
{
    private const string Analyst = "roles:\n  - id: analyst\n    title: Data Analyst\n    screening:\n      level: Basic\n    accessReview: P1Y\n";

    private static string[] Ids(IEnumerable<PSObject> roles) => roles.Select(r => (string)r.Properties["Id"].Value).ToArray();

    private static string PolicyFolderWithRoles(PowerShellSession ps, params (string Name, string Yaml)[] files)
    {
        string policies = Path.Combine(ps.Home, "policies");
        string roles = Directory.CreateDirectory(Path.Combine(policies, "roles")).FullName;
        foreach ((string name, string yaml) in files)
        {
            File.WriteAllText(Path.Combine(roles, name), yaml);
        }

        return policies;
    }

    [Fact]
    public void Get_IsmsRole_lists_the_catalog_shipped_in_the_module_and_filters_by_wildcard_and_privilege()
    {
        using var ps = new PowerShellSession();

        string[] all = Ids(ps.Run("Get-IsmsRole"));
        string[] finance = Ids(ps.Run("Get-IsmsRole -Id 'pay*', 'FINANCE-*'"));
        string[] privileged = Ids(ps.Run("Get-IsmsRole -Privileged"));
        PSObject controller = ps.Run("Get-IsmsRole finance-controller").Single();

        Assert.Empty(ps.Errors);
        Assert.True(File.Exists(Path.Combine(ModuleLayout.ModuleFolder, "policies", "roles", "finance.yaml")));
        Assert.True(File.Exists(Path.Combine(ModuleLayout.ModuleFolder, "policies", "schema", "role.schema.json")));
        Assert.Equal(9, all.Length);
        Assert.Equal(["payments-operator", "payroll-approver", "finance-controller"], finance);
        Assert.Equal(["finance-controller", "head-of-security"], privileged);
        Assert.Equal("Enhanced", controller.Properties["ScreeningLevel"].Value.ToString());
        Assert.Equal("P3M", controller.Properties["AccessReview"].Value.ToString());
    }

    [Fact]
    public void A_person_piped_in_finds_the_role_their_JobRole_names_and_an_unknown_id_is_a_non_terminating_error()
    {
        using var ps = new PowerShellSession();
        ps.Run("New-IsmsPerson -PersonId E1 -DisplayName Ada -JobRole 'Software Engineer' | Out-Null");

        string[] found = Ids(ps.Run("Get-IsmsPerson E1 | Get-IsmsRole"));
        string[] afterMissing = Ids(ps.Run("Get-IsmsRole -Id astronaut, contractor-baseline"));

        Assert.Equal(["software-engineer"], found);
        Assert.Equal(["contractor-baseline"], afterMissing);
        ErrorRecord error = Assert.Single(ps.Errors);
        Assert.StartsWith("IsmsOps.Role.NotFound", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
    }

    [Fact]
    public void Get_IsmsRole_reads_ISMSOPS_POLICIES_afresh_and_a_broken_catalog_stops_it_listing_every_error()
    {
        using var ps = new PowerShellSession();
        string policies = PolicyFolderWithRoles(ps, ("a.yaml", Analyst));
        ps.Run($"$env:ISMSOPS_POLICIES = '{policies}'");
        string[] before = Ids(ps.Run("Get-IsmsRole"));
        string broken = Path.Combine(policies, "roles", "b.yaml");
        File.WriteAllText(broken, Analyst.Replace("P1Y", "yearly", StringComparison.Ordinal) + "    privilged: true\n");

        Collection<PSObject> after = ps.Run("Get-IsmsRole");

        Assert.Equal(["analyst"], before);
        Assert.Empty(after);
        ErrorRecord error = Assert.Single(ps.Errors);
        Assert.StartsWith("IsmsOps.Policy.Invalid", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("has 3 errors", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains($"{broken}:2:9: the role id 'analyst' is already defined at {Path.Combine(policies, "roles", "a.yaml")}:2:9.", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains($"{broken}:6:19: roles[0].accessReview is 'yearly'", error.Exception.Message, StringComparison.Ordinal);
        Assert.Contains($"{broken}:7:5: unknown key 'privilged'", error.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Test_IsmsRoleCatalog_returns_each_error_with_file_line_and_column_and_nothing_for_a_valid_catalog()
    {
        using var ps = new PowerShellSession();
        string policies = PolicyFolderWithRoles(ps,
            ("a.yaml", Analyst + "    conflicts:\n      - role: analyst\n"),
            ("b.yaml", "roles:\n  - id: ''\n    title: B\n    screening: { level: Extreme }\n    accessReview: P1Y\n"));
        string roles = Path.Combine(policies, "roles");

        PSObject[] errors = [.. ps.Run($"Test-IsmsRoleCatalog -Path '{roles}'")];
        string[] text = ps.Run($"Test-IsmsRoleCatalog '{roles}' | ForEach-Object {{ $_.ToString() }}").Select(o => (string)o.BaseObject).ToArray();
        int shipped = (int)ps.Run("@(Test-IsmsRoleCatalog).Count").Single().BaseObject;
        int fixedCount = (int)ps.Run($"[System.IO.File]::Delete('{Path.Combine(roles, "b.yaml")}'); @(Test-IsmsRoleCatalog -Path '{roles}').Count").Single().BaseObject;

        Assert.Equal(3, errors.Length);
        Assert.Equal(Path.Combine(roles, "a.yaml"), errors[0].Properties["File"].Value);
        Assert.Equal(8L, errors[0].Properties["Line"].Value);
        Assert.Equal(15L, errors[0].Properties["Column"].Value);
        Assert.Equal("the role 'analyst' lists itself as a conflict.", errors[0].Properties["Message"].Value);
        Assert.Equal(
        [
            $"{Path.Combine(roles, "a.yaml")}:8:15: the role 'analyst' lists itself as a conflict.",
            $"{Path.Combine(roles, "b.yaml")}:2:9: roles[0].id is empty.",
            $"{Path.Combine(roles, "b.yaml")}:4:25: roles[0].screening.level is 'Extreme', which is not a screening level.",
        ], text);
        Assert.Equal(0, shipped);
        Assert.Equal(1, fixedCount);
        Assert.Empty(ps.Errors);
    }
}
