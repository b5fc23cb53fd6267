using System.Reflection;
using IsmsOps.Loader;

namespace IsmsOps.Loader.Tests;

public sealed class DependencyProbeTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ismsops-probe-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Theory]
    [InlineData("10.0.0.0", "10.0.0.0", true)]
    [InlineData("8.0.0.0", "10.0.0.0", true)]
    [InlineData("10.0.0.3", "10.0.0.0", false)]
    [InlineData("10.0.0.0", "8.0.0.0", false)]
    public void The_frameworks_copy_wins_when_it_is_as_new_as_the_private_one(string privateVersion, string frameworkVersion, bool preferFramework) =>
        Assert.Equal(preferFramework, DependencyProbe.PreferFramework(Version.Parse(privateVersion), Version.Parse(frameworkVersion)));

    [Fact]
    public void Without_a_framework_copy_the_private_one_loads() =>
        Assert.False(DependencyProbe.PreferFramework(new Version(1, 53), null));

    [Fact]
    public void Only_trusted_platform_assemblies_in_the_runtime_folder_count_as_framework()
    {
        string runtime = Path.Combine(_folder, "shared", "Microsoft.NETCore.App", "10.0.0");
        string app = Path.Combine(_folder, "app");
        string tpa = string.Join(Path.PathSeparator, [
            Path.Combine(runtime, "System.Text.Json.dll"),
            Path.Combine(runtime, "System.Formats.Asn1.dll"),
            Path.Combine(app, "Azure.Core.dll"),
            Path.Combine(app, "System.Memory.Data.dll"),
        ]);

        IReadOnlyDictionary<string, string> framework = DependencyProbe.FrameworkAssemblies(tpa, runtime + Path.DirectorySeparatorChar);

        Assert.Equal(["System.Formats.Asn1", "System.Text.Json"], framework.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(DependencyProbe.FrameworkAssemblies(null, runtime));
    }

    [Fact]
    public void This_runtimes_own_framework_list_holds_System_Text_Json_but_not_the_test_hosts_packages()
    {
        IReadOnlyDictionary<string, string> framework = DependencyProbe.FrameworkAssemblies(
            AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string, System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory());

        Assert.Contains("System.Text.Json", framework.Keys);
        Assert.DoesNotContain("xunit.core", framework.Keys);
    }

    [Fact]
    public void Managed_assemblies_are_found_by_simple_name_in_the_dependency_folder()
    {
        File.WriteAllBytes(Path.Combine(_folder, "Azure.Core.dll"), []);
        Assert.Equal(Path.Combine(_folder, "Azure.Core.dll"), DependencyProbe.FindManagedAssembly(_folder, new AssemblyName("Azure.Core, Version=1.53.0.0")));
        Assert.Null(DependencyProbe.FindManagedAssembly(_folder, new AssemblyName("Microsoft.Graph")));
    }

    [Fact]
    public void Native_libraries_are_found_under_the_most_specific_runtime_identifier_first()
    {
        string name = OperatingSystem.IsWindows() ? "e_sqlite3.dll" : OperatingSystem.IsMacOS() ? "libe_sqlite3.dylib" : "libe_sqlite3.so";
        foreach (string rid in new[] { "linux-musl-x64", "linux-x64" })
        {
            Directory.CreateDirectory(Path.Combine(_folder, "runtimes", rid, "native"));
            File.WriteAllBytes(Path.Combine(_folder, "runtimes", rid, "native", name), []);
        }

        Assert.Equal(Path.Combine(_folder, "runtimes", "linux-musl-x64", "native", name),
            DependencyProbe.FindNativeLibrary(_folder, "e_sqlite3", ["linux-musl-x64", "linux-x64"]));
        Assert.Equal(Path.Combine(_folder, "runtimes", "linux-x64", "native", name),
            DependencyProbe.FindNativeLibrary(_folder, "e_sqlite3", ["osx-arm64", "linux-x64"]));
    }
}
