namespace IsmsOps.PowerShell.Tests;

[Collection(PowerShellCollection.Name)]
public sealed class SmokeTests
{
    [Fact]
    public void Module_imports_and_registers_a_person()
    {
        using var ps = new PowerShellSession();
        var output = ps.Run("New-IsmsPerson -PersonId E1 -DisplayName 'Ada Lovelace'; Get-IsmsPerson | ForEach-Object PersonId");
        Assert.Empty(ps.Errors);
        Assert.Contains(output, o => o.BaseObject is string s && s == "E1");
    }
}
