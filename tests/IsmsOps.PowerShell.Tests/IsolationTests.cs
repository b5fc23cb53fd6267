using System.Runtime.Loader;

namespace IsmsOps.PowerShell.Tests;

/// <summary>
/// Other modules in the session carry their own copies of IsmsOps's dependencies. The conflicting copies are loaded
/// (and used) in this process before every import (see <see cref="ConflictingAssemblies"/>).
/// </summary>
[Collection(PowerShellCollection.Name)]
public sealed class IsolationTests
{
    [Fact]
    public void With_other_versions_of_YamlDotNet_and_SQLite_loaded_first_the_module_works_on_its_own_copies()
    {
        using var ps = new PowerShellSession();
        // Leaving a person reads policies/offboarding.yaml (YamlDotNet) once their data is removed.
        ps.Run("New-IsmsPerson -PersonId E1 -DisplayName 'Ada' -Status Left -EndDate 2020-01-31 | Out-Null; Get-IsmsPerson E1 | Set-IsmsPerson -Department R; " +
               "Remove-IsmsPersonalData E1 -Confirm:$false | Out-Null");
        Assert.Empty(ps.Errors);

        AssemblyLoadContext isms = AssemblyLoadContext.All.Single(c => c.Name == "IsmsOps");
        var sqliteInIsms = isms.Assemblies.Single(a => a.GetName().Name == "Microsoft.Data.Sqlite");
        var sqliteInDefault = AssemblyLoadContext.Default.Assemblies.Single(a => a.GetName().Name == "Microsoft.Data.Sqlite");
        Assert.Equal(10, sqliteInIsms.GetName().Version!.Major);
        Assert.Equal(8, sqliteInDefault.GetName().Version!.Major);
        Assert.StartsWith(ModuleLayout.ModuleFolder, sqliteInIsms.Location, StringComparison.Ordinal);
        Assert.Contains(isms.Assemblies, a => a.GetName().Name == "IsmsOps.Engine");
        Assert.DoesNotContain(AssemblyLoadContext.Default.Assemblies, a => a.GetName().Name == "IsmsOps.Engine");
        Assert.Contains(AssemblyLoadContext.Default.Assemblies, a => a.GetName().Name == "YamlDotNet" && a.GetName().Version!.Major == 16);
        Assert.Contains(isms.Assemblies, a => a.GetName().Name == "YamlDotNet" && a.GetName().Version!.Major == 18);
    }

    [Fact]
    public void After_IsmsOps_has_run_the_other_modules_copies_still_work()
    {
        using var ps = new PowerShellSession();
        ps.Run("New-IsmsPerson -PersonId E1 -DisplayName 'Ada' | Out-Null");
        Assert.Empty(ps.Errors);
        ConflictingAssemblies.UseSqlite8();
        var yaml = new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<Dictionary<string, int>>("n: 3");
        Assert.Equal(3, yaml["n"]);
    }

    [Fact]
    public void SQLites_native_library_is_loaded_from_the_modules_own_runtimes_folder()
    {
        using var ps = new PowerShellSession();
        ps.Run("Get-IsmsPerson | Out-Null");
        Assert.Empty(ps.Errors);
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        string maps = File.ReadAllText("/proc/self/maps");
        string ours = Path.Combine(ModuleLayout.ModuleFolder, "bin", "deps", "runtimes");
        Assert.Contains(maps.Split('\n'), line => line.Contains(ours, StringComparison.Ordinal) && line.Contains("libe_sqlite3.so", StringComparison.Ordinal));
    }

    // That import loads no Graph or Azure assembly is checked in a fresh process (IsmsOps.Host.Tests,
    // GraphLoadingTests): here, another test of this process may already have connected.
    [Fact]
    public void Importing_the_module_does_not_open_the_store()
    {
        using var ps = new PowerShellSession();
        Assert.False(File.Exists(Path.Combine(ps.Home, "isms.db")), "Import must not create or open the store.");
    }
}
