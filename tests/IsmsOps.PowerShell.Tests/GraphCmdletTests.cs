using System.Management.Automation;
using System.Runtime.Loader;

namespace IsmsOps.PowerShell.Tests;

/// <summary>Connect-IsmsGraph and the sandbox cmdlets in a real PowerShell engine, against a real sandbox.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class GraphCmdletTests
{
    private const string BadTokenScript = """
        $token = [System.Security.SecureString]::new()
        'not-the-sandbox-token'.ToCharArray() | ForEach-Object { $token.AppendChar($_) }
        """;

    [Fact]
    public void A_sandbox_connection_shows_mode_endpoint_and_tenant_and_no_token_in_any_property()
    {
        using var ps = new PowerShellSession();
        try
        {
            PSObject sandbox = ps.Run("$sb = Start-IsmsSandbox -UserCount 200; $sb").Single();
            ps.Run("Connect-IsmsGraph -Sandbox $sb");
            PSObject connection = ps.Run("Get-IsmsGraphConnection").Single();
            string[] values = ps.Run("Get-IsmsGraphConnection | ForEach-Object { $_.PSObject.Properties } | ForEach-Object { \"$($_.Name)=$($_.Value)\" }")
                .Select(o => (string)o.BaseObject).ToArray();
            Assert.Empty(ps.Errors);

            string token = (string)sandbox.Properties["AccessToken"].Value;
            Assert.Equal(200, (int)sandbox.Properties["UserCount"].Value);
            Assert.Equal("Sandbox", connection.Properties["AuthenticationMode"].Value.ToString());
            Assert.Equal(sandbox.Properties["Url"].Value, connection.Properties["GraphEndpoint"].Value);
            Assert.Equal(sandbox.Properties["TenantId"].Value, connection.Properties["TenantId"].Value);
            Assert.Contains(values, v => v.StartsWith("GraphEndpoint=http://127.0.0.1:", StringComparison.Ordinal));
            Assert.All(values, v => Assert.DoesNotContain(token, v, StringComparison.Ordinal));
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }

    [Fact]
    public void Disconnect_closes_the_connection_and_Stop_stops_every_sandbox_of_the_session()
    {
        using var ps = new PowerShellSession();
        ps.Run("$a = Start-IsmsSandbox -UserCount 100; $b = Start-IsmsSandbox -UserCount 100 -Seed 2; Connect-IsmsGraph -Sandbox $a");

        ps.Run("Disconnect-IsmsGraph");
        Assert.Empty(ps.Run("Get-IsmsGraphConnection"));
        ps.Run("Disconnect-IsmsGraph"); // not connected: nothing to do, and no error
        PSObject[] stopped = ps.Run("Stop-IsmsSandbox -PassThru").ToArray();

        Assert.Empty(ps.Errors);
        Assert.Equal(2, stopped.Length);
        Assert.All(stopped, s => Assert.False((bool)s.Properties["IsRunning"].Value));
        Assert.Empty(ps.Run("Stop-IsmsSandbox -PassThru"));
    }

    [Fact]
    public void A_token_the_endpoint_refuses_fails_at_connect_with_a_clear_error_and_leaves_no_connection()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run("$sb = Start-IsmsSandbox -UserCount 100");
            ps.Run(BadTokenScript + "\nConnect-IsmsGraph -AccessToken $token -GraphEndpoint $sb.Url");

            ErrorRecord error = Assert.Single(ps.Errors);
            Assert.Equal("IsmsOps.Graph.Unauthorized,IsmsOps.PowerShell.Commands.ConnectIsmsGraphCommand", error.FullyQualifiedErrorId);
            Assert.Equal(ErrorCategory.SecurityError, error.CategoryInfo.Category);
            Assert.Contains("401 InvalidAuthenticationToken", error.ErrorDetails.Message, StringComparison.Ordinal);
            Assert.Contains("Connect-IsmsGraph", error.ErrorDetails.RecommendedAction, StringComparison.Ordinal);
            Assert.DoesNotContain("not-the-sandbox-token", error.Exception.ToString(), StringComparison.Ordinal);
            Assert.Empty(ps.Run("Get-IsmsGraphConnection"));
        }
        finally
        {
            ps.Run("Stop-IsmsSandbox");
        }
    }

    [Fact]
    public void WhatIf_connects_nothing()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run("$sb = Start-IsmsSandbox -UserCount 100; Connect-IsmsGraph -Sandbox $sb -WhatIf");
            Assert.Empty(ps.Errors);
            Assert.Empty(ps.Run("Get-IsmsGraphConnection"));
        }
        finally
        {
            ps.Run("Stop-IsmsSandbox");
        }
    }

    [Fact]
    public void Connect_has_one_parameter_set_per_way_in_each_with_its_mandatory_parameters()
    {
        using var ps = new PowerShellSession();
        var command = (CmdletInfo)ps.Run("Get-Command Connect-IsmsGraph").Single().BaseObject;
        Dictionary<string, string[]> mandatory = command.ParameterSets.ToDictionary(
            set => set.Name,
            set => set.Parameters.Where(p => p.IsMandatory).Select(p => p.Name).Order(StringComparer.Ordinal).ToArray());

        Assert.Equal(["AccessToken", "Certificate", "CertificateFile", "ClientSecret", "DeviceCode", "ManagedIdentity", "Sandbox"], mandatory.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["CertificateThumbprint", "ClientId", "TenantId"], mandatory["Certificate"]);
        Assert.Equal(["CertificatePath", "ClientId", "TenantId"], mandatory["CertificateFile"]);
        Assert.Equal(["ClientCredential", "TenantId"], mandatory["ClientSecret"]);
        Assert.Equal(["ManagedIdentity"], mandatory["ManagedIdentity"]);
        Assert.Equal(["ClientId", "DeviceCode", "TenantId"], mandatory["DeviceCode"]);
        Assert.Equal(["AccessToken"], mandatory["AccessToken"]);
        Assert.Equal(["Sandbox"], mandatory["Sandbox"]);
        foreach (var set in command.ParameterSets)
        {
            string[] names = set.Parameters.Select(p => p.Name).ToArray();
            Assert.Contains("Environment", names);
            Assert.Contains("GraphEndpoint", names);
            Assert.Contains("ThrottlePriority", names);
            Assert.Contains("PassThru", names);
        }

        Assert.Equal(typeof(System.Security.SecureString), command.Parameters["AccessToken"].ParameterType);
        Assert.Equal(typeof(System.Security.SecureString), command.Parameters["CertificatePassword"].ParameterType);
        Assert.Equal(typeof(PSCredential), command.Parameters["ClientCredential"].ParameterType);
    }

    [Fact]
    public void Start_IsmsSandbox_refuses_a_size_outside_its_range()
    {
        using var ps = new PowerShellSession();
        ps.Run("Start-IsmsSandbox -UserCount 5");
        ErrorRecord error = Assert.Single(ps.Errors);
        Assert.StartsWith("ParameterArgumentValidationError", error.FullyQualifiedErrorId, StringComparison.Ordinal);
    }

    [Fact]
    public void After_connect_Graph_and_Azure_are_loaded_in_the_private_context_next_to_another_modules_older_Azure_Core()
    {
        using var ps = new PowerShellSession();
        try
        {
            ps.Run("$sb = Start-IsmsSandbox -UserCount 100; Connect-IsmsGraph -Sandbox $sb");
            Assert.Empty(ps.Errors);

            AssemblyLoadContext isms = AssemblyLoadContext.All.Single(c => c.Name == "IsmsOps");
            string[] graphInDefault = AssemblyLoadContext.Default.Assemblies.Select(a => a.GetName().Name!)
                .Where(n => n.StartsWith("Microsoft.Graph", StringComparison.Ordinal) || n.StartsWith("Microsoft.Kiota", StringComparison.Ordinal) || n == "Azure.Identity").ToArray();
            Assert.Empty(graphInDefault);
            Assert.Contains(isms.Assemblies, a => a.GetName().Name == "Microsoft.Graph" && a.Location.StartsWith(ModuleLayout.ModuleFolder, StringComparison.Ordinal));
            Assert.Contains(isms.Assemblies, a => a.GetName().Name == "IsmsOps.Sandbox");
            Assert.Equal(new Version(1, 53, 0, 0), isms.Assemblies.Single(a => a.GetName().Name == "Azure.Core").GetName().Version);
            Assert.Equal(new Version(1, 50, 0, 0), AssemblyLoadContext.Default.Assemblies.Single(a => a.GetName().Name == "Azure.Core").GetName().Version);
            // The framework's System.Text.Json serves the engine too, rather than a second private copy.
            Assert.DoesNotContain(isms.Assemblies, a => a.GetName().Name == "System.Text.Json");

            ConflictingAssemblies.UseAzureCore150();
        }
        finally
        {
            ps.Run("Disconnect-IsmsGraph; Stop-IsmsSandbox");
        }
    }
}
