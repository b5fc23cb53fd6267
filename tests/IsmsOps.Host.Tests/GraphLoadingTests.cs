namespace IsmsOps.Host.Tests;

/// <summary>
/// Graph in the bundled host, in a fresh process each time, so what is loaded is due to this script alone: import
/// loads no Graph or Azure assembly (import time is a budget), and the first Connect loads them privately.
/// </summary>
public sealed class GraphLoadingTests : IDisposable
{
    private const string ListGraphAssemblies = """
        [System.Runtime.Loader.AssemblyLoadContext]::All | ForEach-Object {
            $context = $_
            $context.Assemblies | Where-Object { $_.GetName().Name -match '^(Microsoft\.Graph|Microsoft\.Kiota|Azure\.|Microsoft\.Identity)' } |
                ForEach-Object { "$PHASE|$($context.Name)|$($_.GetName().Name)" }
        }
        """;

    private readonly IsmsProcess _isms = new();

    public void Dispose() => _isms.Dispose();

    [Fact]
    public void Import_loads_no_Graph_or_Azure_assembly_and_Connect_loads_them_in_the_private_context_only()
    {
        IsmsResult result = _isms.Run("-NoImport", "-Command", $"""
            Import-Module IsmsOps -ErrorAction Stop
            $PHASE = 'import'
            {ListGraphAssemblies}
            $sb = Start-IsmsSandbox -UserCount 100
            Connect-IsmsGraph -Sandbox $sb -ErrorAction Stop
            $PHASE = 'connect'
            {ListGraphAssemblies}
            """.ReplaceLineEndings("\n"));

        Assert.True(result.ExitCode == 0, result.ToString());
        string[] lines = result.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.DoesNotContain(lines, l => l.StartsWith("import|", StringComparison.Ordinal));
        Assert.Contains("connect|IsmsOps|Microsoft.Graph", lines);
        Assert.Contains("connect|IsmsOps|Azure.Core", lines);
        Assert.Contains("connect|IsmsOps|Microsoft.Kiota.Abstractions", lines);
        Assert.DoesNotContain(lines, l => l.StartsWith("connect|", StringComparison.Ordinal) && !l.StartsWith("connect|IsmsOps|", StringComparison.Ordinal));
    }

    [Fact]
    public void The_bundled_host_starts_a_sandbox_connects_to_it_and_shows_the_connection_without_the_token()
    {
        IsmsResult result = _isms.Run("-Command", """
            $sb = Start-IsmsSandbox -UserCount 150
            "TOKEN=$($sb.AccessToken)"
            Connect-IsmsGraph -Sandbox $sb -PassThru
            Get-IsmsGraphConnection
            Disconnect-IsmsGraph
            Stop-IsmsSandbox
            """.ReplaceLineEndings("\n"));

        Assert.True(result.ExitCode == 0, result.ToString());
        string token = result.Output.Split('\n').Single(l => l.StartsWith("TOKEN=", StringComparison.Ordinal))["TOKEN=".Length..].Trim();
        string shown = result.Output.Replace("TOKEN=" + token, "", StringComparison.Ordinal);
        Assert.NotEmpty(token);
        Assert.DoesNotContain(token, shown, StringComparison.Ordinal);
        Assert.Contains("AuthenticationMode : Sandbox", shown, StringComparison.Ordinal);
        Assert.Matches(@"GraphEndpoint\s+: http://127\.0\.0\.1:\d+/v1\.0", shown);
        Assert.Equal(string.Empty, result.Error);
    }
}
