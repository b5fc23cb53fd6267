using NuGet.Packaging;
using NuGet.Versioning;

namespace IsmsOps.Host.Tests;

/// <summary>
/// build.ps1 run through the bundled host. Only Package is run here, and on the solution only with -NoBuild: Build,
/// Test and Package's own Release build would rebuild the solution under the test run that is using it.
/// </summary>
public sealed class BuildScriptTests : IDisposable
{
    private readonly IsmsProcess _isms = new();

    public void Dispose() => _isms.Dispose();

    private static string BuildScript => Path.Combine(IsmsProcess.RepoRoot, "build.ps1");

    [Fact]
    public void Package_makes_a_nupkg_that_PowerShell_repositories_accept()
    {
        string packages = _isms.NewTempFolder();

        IsmsResult result = _isms.Run("-File", BuildScript, "-Task", "Package", "-NoBuild", "-OutputPath", packages);

        Assert.True(result.ExitCode == 0, result.ToString());
        string package = Path.Combine(packages, $"IsmsOps.{IsmsProcess.ModuleVersion}.nupkg");
        Assert.True(File.Exists(package), result.ToString());
        Assert.Contains(package, result.Output);

        using var reader = new PackageArchiveReader(package);
        NuspecReader nuspec = reader.NuspecReader;
        Assert.Equal("IsmsOps", nuspec.GetId());
        Assert.Equal(NuGetVersion.Parse(IsmsProcess.ModuleVersion), nuspec.GetVersion());
        Assert.False(string.IsNullOrWhiteSpace(nuspec.GetAuthors()));
        Assert.False(string.IsNullOrWhiteSpace(nuspec.GetDescription()));

        string[] tags = nuspec.GetTags().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("PSModule", tags);
        Assert.Contains("PSIncludes_Cmdlet", tags);
        Assert.Contains("PSCmdlet_New-IsmsPerson", tags);
        Assert.Contains("PSCommand_Get-IsmsPerson", tags);
        Assert.Contains("ISO27001", tags);

        string[] files = reader.GetFiles().ToArray();
        Assert.Contains("IsmsOps.psd1", files);
        Assert.Contains("IsmsOps.Format.ps1xml", files);
        Assert.Contains("bin/IsmsOps.PowerShell.dll", files);
        Assert.Contains("bin/deps/IsmsOps.Engine.dll", files);
        Assert.Contains("[Content_Types].xml", files);
        Assert.Contains("_rels/.rels", files);
        Assert.Contains(files, f => f.StartsWith("en-US/", StringComparison.Ordinal));
    }

    [Fact]
    public void Package_tags_every_exported_cmdlet()
    {
        string packages = _isms.NewTempFolder();
        IsmsResult result = _isms.Run("-File", BuildScript, "-Task", "Package", "-NoBuild", "-OutputPath", packages);
        Assert.True(result.ExitCode == 0, result.ToString());

        // What the imported module really exports, not what build.ps1 reads from the manifest.
        IsmsResult exported = _isms.Run("-Command", "(Get-Module IsmsOps).ExportedCmdlets.Keys");
        string[] cmdlets = exported.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("New-IsmsPerson", cmdlets);

        using var reader = new PackageArchiveReader(Path.Combine(packages, $"IsmsOps.{IsmsProcess.ModuleVersion}.nupkg"));
        string[] tags = reader.NuspecReader.GetTags().Split(' ');
        foreach (string cmdlet in cmdlets)
        {
            Assert.Contains("PSCmdlet_" + cmdlet, tags);
            Assert.Contains("PSCommand_" + cmdlet, tags);
        }
    }

    [Fact]
    public void Package_NoBuild_without_an_assembled_module_says_to_build_first()
    {
        string checkout = NewCheckout();

        IsmsResult result = _isms.Run("-File", Path.Combine(checkout, "build.ps1"), "-Task", "Package", "-NoBuild");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("-Task Build,Package", result.Error);
        Assert.DoesNotContain("> dotnet build", result.Output);
        Assert.False(Directory.Exists(Path.Combine(checkout, "out", "packages")));
    }

    [Fact]
    public void Package_builds_first_and_stops_when_the_build_fails()
    {
        // No src/ in this checkout: the Release build of the module project cannot succeed.
        string checkout = NewCheckout();

        IsmsResult result = _isms.Run("-File", Path.Combine(checkout, "build.ps1"), "-Task", "Package");

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("IsmsOps.PowerShell.csproj -c Release", result.Output);
        Assert.Contains("dotnet build failed", result.Error);
        Assert.False(Directory.Exists(Path.Combine(checkout, "out", "packages")));
    }

    [Fact]
    public void Package_refuses_a_module_that_is_not_an_optimized_build()
    {
        // A stand-in for the module project, small enough to build here: it ignores -c Release and compiles without
        // optimization, as -c Debug does, then assembles the module where build.ps1 asks.
        string checkout = NewCheckout();
        string project = Path.Combine(checkout, "src", "IsmsOps.PowerShell");
        Directory.CreateDirectory(project);
        File.WriteAllText(Path.Combine(project, "IsmsOps.PowerShell.csproj"), """
            <Project Sdk="Microsoft.NET.Sdk">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Optimize>false</Optimize>
              </PropertyGroup>
              <Target Name="AssembleStandIn" AfterTargets="Build">
                <Copy SourceFiles="$(TargetPath)" DestinationFolder="$(ModuleOutDir)bin/" />
                <Copy SourceFiles="$(MSBuildProjectDirectory)/../../module/IsmsOps.psd1" DestinationFolder="$(ModuleOutDir)" />
              </Target>
            </Project>
            """);
        File.WriteAllText(Path.Combine(project, "Cmdlets.cs"), "namespace IsmsOps.PowerShell; public static class StandIn { }\n");
        string packages = _isms.NewTempFolder();

        IsmsResult result = _isms.Run("-File", Path.Combine(checkout, "build.ps1"), "-Task", "Package", "-OutputPath", packages);

        Assert.True(result.ExitCode == 1, result.ToString());
        Assert.Contains("IsmsOps.PowerShell.dll is a Debug build", result.Error);
        Assert.Empty(Directory.GetFiles(packages));
        Assert.True(File.Exists(Path.Combine(checkout, "out", "package-build", "IsmsOps", IsmsProcess.ModuleVersion, "bin", "IsmsOps.PowerShell.dll")), result.ToString());
    }

    /// <summary>A checkout that was never built: the script and the manifest, no src/ and no out/.</summary>
    private string NewCheckout()
    {
        string checkout = _isms.NewTempFolder();
        File.Copy(BuildScript, Path.Combine(checkout, "build.ps1"));
        Directory.CreateDirectory(Path.Combine(checkout, "module"));
        File.Copy(Path.Combine(IsmsProcess.RepoRoot, "module", "IsmsOps.psd1"), Path.Combine(checkout, "module", "IsmsOps.psd1"));
        return checkout;
    }
}
