using System.Reflection;

namespace IsmsOps.Host.Tests;

/// <summary>The host imports the module as a user would, so the module's own dependency isolation is what is tested.</summary>
public sealed class ModuleImportTests : IDisposable
{
    private readonly IsmsProcess _isms = new();

    public void Dispose() => _isms.Dispose();

    [Fact]
    public void NoImport_lets_a_script_load_conflicting_assemblies_before_importing_IsmsOps_by_name()
    {
        string yaml = Path.Combine(AppContext.BaseDirectory, "YamlDotNet.dll");
        string sqlite = Path.Combine(AppContext.BaseDirectory, "Microsoft.Data.Sqlite.dll");
        Assert.Equal(18, AssemblyName.GetAssemblyName(yaml).Version?.Major);
        Assert.Equal(8, AssemblyName.GetAssemblyName(sqlite).Version?.Major);

        IsmsResult result = _isms.Run("-NoImport", "-Command", $$"""
            if (Get-Module IsmsOps) { throw 'IsmsOps was imported despite -NoImport' }
            [System.Reflection.Assembly]::LoadFrom('{{yaml}}') | Out-Null
            [System.Reflection.Assembly]::LoadFrom('{{sqlite}}') | Out-Null
            Import-Module IsmsOps -ErrorAction Stop
            New-IsmsPerson -PersonId E1 -DisplayName 'Ada' -ErrorAction Stop | Out-Null
            Get-IsmsPerson
            [System.AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'YamlDotNet' } | ForEach-Object { "yaml=$($_.GetName().Version.Major)" }
            """.ReplaceLineEndings("\n"));

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(result.Output.Split('\n'), l => l.StartsWith("E1 ", StringComparison.Ordinal) && l.Contains("Ada", StringComparison.Ordinal));
        Assert.Contains("yaml=18", result.Output);
        Assert.Equal(string.Empty, result.Error);
    }

    [Fact]
    public void The_module_is_imported_from_the_out_folder_at_start_up()
    {
        IsmsResult result = _isms.Run("-Command", "Get-Module IsmsOps | ForEach-Object { \"$($_.Version)|$($_.ModuleBase)\" }");

        Assert.True(result.ExitCode == 0, result.ToString());
        string expected = $"{IsmsProcess.ModuleVersion}|{Path.Combine(IsmsProcess.RepoRoot, "out", "IsmsOps", IsmsProcess.ModuleVersion)}";
        Assert.Contains(expected, result.Output);
    }

    [Fact]
    public void ISMSOPS_MODULE_PATH_points_the_host_at_another_copy_of_the_module()
    {
        string copy = Path.Combine(_isms.NewTempFolder(), "IsmsOps", IsmsProcess.ModuleVersion);
        CopyFolder(Path.Combine(IsmsProcess.RepoRoot, "out", "IsmsOps", IsmsProcess.ModuleVersion), copy);
        _isms.Environment["ISMSOPS_MODULE_PATH"] = copy;

        IsmsResult result = _isms.Run("-Command", "(Get-Module IsmsOps).ModuleBase; New-IsmsPerson -PersonId E1 -DisplayName 'Ada' | ForEach-Object PersonId");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(copy, result.Output);
        Assert.Contains("E1", result.Output);
    }

    private static void CopyFolder(string source, string destination)
    {
        foreach (string file in Directory.GetFiles(source, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(destination, Path.GetRelativePath(source, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }
}
