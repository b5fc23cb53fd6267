using System.Management.Automation;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace IsmsOps.PowerShell.Tests;

/// <summary>The module's public surface: exports, manifest, PowerShell conventions, and what the cmdlet assembly may reference.</summary>
[Collection(PowerShellCollection.Name)]
public sealed class ModuleSurfaceTests
{
    private static readonly string[] ChangingVerbs = ["New", "Set", "Remove", "Export", "Start", "Complete", "Approve", "Resume", "Copy", "Connect", "Disconnect", "Import"];

    [Fact]
    public void The_manifest_exports_exactly_the_cmdlets_the_assembly_implements()
    {
        using var ps = new PowerShellSession();
        var assembly = (Assembly)ps.Run("(Get-Module IsmsOps).ImplementingAssembly").Single().BaseObject;
        string[] implemented = assembly.GetExportedTypes()
            .Select(t => t.GetCustomAttribute<CmdletAttribute>()).OfType<CmdletAttribute>()
            .Select(c => c.VerbName + "-" + c.NounName).Order().ToArray();
        string[] declared = ps.Run($"(Test-ModuleManifest '{ModuleLayout.ManifestPath}').ExportedCmdlets.Keys").Select(o => (string)o.BaseObject).Order().ToArray();
        string[] exported = ps.Run("Get-Command -Module IsmsOps | ForEach-Object Name").Select(o => (string)o.BaseObject).Order().ToArray();

        Assert.NotEmpty(implemented);
        Assert.Equal(implemented, declared);
        Assert.Equal(implemented, exported);
    }

    [Fact]
    public void The_manifest_targets_PowerShell_7_4_Core_and_lists_formats_types_and_help()
    {
        using var ps = new PowerShellSession();
        PSObject manifest = ps.Run($"Test-ModuleManifest '{ModuleLayout.ManifestPath}'").Single();
        Assert.Equal(new Version(7, 4), (Version)manifest.Properties["PowerShellVersion"].Value);
        Assert.Equal(["Core"], ((IEnumerable<string>)manifest.Properties["CompatiblePSEditions"].Value).ToArray());
        Assert.True(File.Exists(Path.Combine(ModuleLayout.ModuleFolder, "IsmsOps.Format.ps1xml")));
        Assert.True(File.Exists(Path.Combine(ModuleLayout.ModuleFolder, "IsmsOps.Types.ps1xml")));
        Assert.True(File.Exists(Path.Combine(ModuleLayout.ModuleFolder, "en-US", "about_IsmsOps.help.txt")));
    }

    [Fact]
    public void Every_cmdlet_uses_an_approved_verb_the_Isms_prefix_a_singular_noun_and_declares_its_output()
    {
        using var ps = new PowerShellSession();
        var approved = typeof(VerbsCommon).Assembly.GetTypes()
            .Where(t => t.Name.StartsWith("Verbs", StringComparison.Ordinal) && t.IsAbstract && t.IsSealed)
            .SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.Static)).Select(f => (string)f.GetValue(null)!).ToHashSet();

        foreach (PSObject command in ps.Run("Get-Command -Module IsmsOps"))
        {
            var info = (CmdletInfo)command.BaseObject;
            Assert.Contains(info.Verb, approved);
            Assert.StartsWith("Isms", info.Noun, StringComparison.Ordinal);
            Assert.False(info.Noun.EndsWith('s') && !info.Noun.EndsWith("ss", StringComparison.Ordinal), $"{info.Name}: nouns are singular");
            Assert.NotEmpty(info.OutputType);
            bool supportsShouldProcess = info.ImplementingType.GetCustomAttribute<CmdletAttribute>()!.SupportsShouldProcess;
            if (ChangingVerbs.Contains(info.Verb))
            {
                Assert.True(supportsShouldProcess, $"{info.Name} changes state, so it must support -WhatIf and -Confirm.");
            }
        }
    }

    [Fact]
    public void No_parameter_or_output_type_comes_from_a_third_party_assembly()
    {
        using var ps = new PowerShellSession();
        string[] allowed = ["System.Private.CoreLib", "System.Runtime", "System.Management.Automation", "IsmsOps.Engine", "System.Collections"];
        foreach (PSObject command in ps.Run("Get-Command -Module IsmsOps"))
        {
            var info = (CmdletInfo)command.BaseObject;
            IEnumerable<Type> types = info.Parameters.Values.Select(p => p.ParameterType).Concat(info.OutputType.Select(o => o.Type));
            foreach (Type type in types)
            {
                Type core = type.IsArray ? type.GetElementType()! : Nullable.GetUnderlyingType(type) ?? type;
                Assert.True(allowed.Contains(core.Assembly.GetName().Name), $"{info.Name} exposes {core.FullName} from {core.Assembly.GetName().Name}.");
            }
        }
    }

    [Theory]
    [InlineData("IsmsOps.PowerShell.dll", new[] { "IsmsOps.Engine" })]
    [InlineData("IsmsOps.Loader.dll", new string[0])]
    public void The_default_context_assemblies_reference_no_third_party_assembly(string file, string[] allowedOwn)
    {
        using var stream = File.OpenRead(Path.Combine(ModuleLayout.ModuleFolder, "bin", file));
        using var reader = new PEReader(stream);
        MetadataReader metadata = reader.GetMetadataReader();
        string[] references = metadata.AssemblyReferences.Select(h => metadata.GetString(metadata.GetAssemblyReference(h).Name)).ToArray();

        // Allowed: the shared framework (an assembly of that name ships in the runtime folder), PowerShell itself, and
        // our own assemblies as listed. A NuGet package named System.Something is third-party and is caught here.
        string framework = System.Runtime.InteropServices.RuntimeEnvironment.GetRuntimeDirectory();
        string[] thirdParty = references.Where(name => !(File.Exists(Path.Combine(framework, name + ".dll"))
            || name is "System.Management.Automation" or "netstandard" || allowedOwn.Contains(name))).ToArray();
        Assert.True(thirdParty.Length == 0, $"{file} references {string.Join(", ", thirdParty)}; only the engine may be referenced, and it loads privately.");
    }
}
