using System.Management.Automation;

namespace IsmsOps.PowerShell.Tests;

/// <summary>
/// <c>$WhatIfPreference</c> in a real PowerShell engine: a cmdlet that lists its steps under -WhatIf lists them under the
/// preference too, changes nothing, and -WhatIf:$false overrides the preference.
/// </summary>
[Collection(PowerShellCollection.Name)]
public sealed class WhatIfPreferenceTests
{
    private const string Setup = "$sb = Start-IsmsSandbox -UserCount 100; Connect-IsmsGraph -Sandbox $sb; $upn = 'nova.joiner@' + $sb.Tenant.DefaultDomain; "
        + "New-IsmsPerson -PersonId E7001 -DisplayName 'Nova Joiner' -UserPrincipalName $upn -JobRole software-engineer -Location AT | Out-Null; "
        + "$scr = New-IsmsScreening E7001 -Level Standard -Status Requested";

    [Fact]
    public void Start_IsmsOnboarding_under_WhatIfPreference_lists_the_same_steps_as_WhatIf_changes_nothing_and_WhatIf_false_overrides_it()
    {
        var host = new RecordingHost();
        using var ps = new PowerShellSession(host: host);
        try
        {
            ps.Run(Setup);
            ps.Run("Start-IsmsOnboarding -PersonId E7001 -WhatIf");
            List<string> underSwitch = [.. host.WhatIfLines];
            host.Clear();

            ps.Run("$WhatIfPreference = $true; try { Start-IsmsOnboarding -PersonId E7001 } finally { $WhatIfPreference = $false }");
            List<string> underPreference = [.. host.WhatIfLines];
            bool accountMade = (bool)ps.Run("$null -ne $sb.Tenant.FindUser($upn)").Single().BaseObject;

            Assert.Empty(ps.Errors);
            // One line per step still to run, then the overall question: more than the one line ShouldProcess alone gives.
            Assert.True(underSwitch.Count > 2, string.Join(Environment.NewLine, underSwitch));
            Assert.Equal(underSwitch, underPreference);
            Assert.False(accountMade);
            Assert.Empty(ps.Run("Get-IsmsOnboarding"));

            host.Clear();
            ps.Run("$WhatIfPreference = $true; try { Start-IsmsOnboarding -PersonId E7001 -WhatIf:$false -Confirm:$false | Out-Null } finally { $WhatIfPreference = $false }");
            accountMade = (bool)ps.Run("$null -ne $sb.Tenant.FindUser($upn)").Single().BaseObject;

            Assert.Empty(ps.Errors);
            Assert.Empty(host.WhatIfLines);
            Assert.True(accountMade);
            Assert.Single(ps.Run("Get-IsmsOnboarding"));
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }
}
