using System.Xml.Linq;

namespace IsmsOps.HelpCompiler.Tests;

/// <summary>
/// The tool on the real cmdlet assembly, with the real doc file and with copies that each lack one required piece:
/// a gap must fail the run (so the build), name the cmdlet and parameter, and leave no help behind.
/// </summary>
public sealed class HelpCompilerTests : IDisposable
{
    private const string ExportCommand = "T:IsmsOps.PowerShell.Commands.ExportIsmsAuditTrailCommand";
    private const string ForceParameter = "P:IsmsOps.PowerShell.Commands.ExportIsmsAuditTrailCommand.Force";
    private static readonly XNamespace Command = "http://schemas.microsoft.com/maml/dev/command/2004/10";

    private readonly DirectoryInfo _temp = Directory.CreateTempSubdirectory("ismsops-helpcompiler-");

    private string OutputFile => Path.Combine(_temp.FullName, "en-US", "IsmsOps.PowerShell.dll-Help.xml");

    [Fact]
    public void The_documented_module_compiles_to_help_for_every_cmdlet()
    {
        HelpCompilerRun run = HelpCompilerRun.Start(HelpCompilerRun.CmdletDocFile, OutputFile);

        Assert.True(run.ExitCode == 0, run.Errors);
        string[] names = XDocument.Load(OutputFile).Descendants(Command + "details").Select(d => (string)d.Element(Command + "name")!).ToArray();
        Assert.Contains("New-IsmsPerson", names);
        Assert.Contains("Export-IsmsAuditTrail", names);
    }

    [Fact]
    public void A_cmdlet_without_an_example_fails_the_run_naming_the_cmdlet()
    {
        string docFile = DoctoredDocFile(doc => Member(doc, ExportCommand).Elements("example").Remove());

        HelpCompilerRun run = HelpCompilerRun.Start(docFile, OutputFile);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("error ISMSHELP1: Export-IsmsAuditTrail has no <example>", run.Errors, StringComparison.Ordinal);
        // MSBuild and editors point at the cmdlet's source file, found through the PDB.
        Assert.Contains("ExportIsmsAuditTrailCommand.cs", run.Errors, StringComparison.Ordinal);
        Assert.False(File.Exists(OutputFile));
    }

    [Fact]
    public void A_cmdlet_without_remarks_fails_the_run_naming_the_cmdlet()
    {
        string docFile = DoctoredDocFile(doc => Member(doc, ExportCommand).Elements("remarks").Remove());

        HelpCompilerRun run = HelpCompilerRun.Start(docFile, OutputFile);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Export-IsmsAuditTrail has no <remarks>", run.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public void A_parameter_without_a_summary_fails_the_run_naming_cmdlet_and_parameter()
    {
        // The compiler's CS1591 is content with any doc comment; a <remarks> alone gives Get-Help nothing to show.
        string docFile = DoctoredDocFile(doc => Member(doc, ForceParameter).Element("summary")!.Name = "remarks");

        HelpCompilerRun run = HelpCompilerRun.Start(docFile, OutputFile);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Export-IsmsAuditTrail parameter -Force has no <summary>", run.Errors, StringComparison.Ordinal);
        Assert.Contains("ExportIsmsAuditTrailCommand.cs(", run.Errors, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_gap_is_reported_in_one_run()
    {
        string docFile = DoctoredDocFile(doc =>
        {
            Member(doc, ExportCommand).Elements("example").Remove();
            Member(doc, ForceParameter).Remove();
        });

        HelpCompilerRun run = HelpCompilerRun.Start(docFile, OutputFile);

        Assert.Equal(1, run.ExitCode);
        Assert.Equal(2, run.Errors.Split('\n').Count(line => line.Contains("error ISMSHELP1:", StringComparison.Ordinal)));
    }

    public void Dispose() => _temp.Delete(recursive: true);

    private static XElement Member(XDocument doc, string id) =>
        doc.Descendants("member").Single(member => (string?)member.Attribute("name") == id);

    /// <summary>A copy of the real doc file with one change, beside the engine's doc file the tool also reads.</summary>
    private string DoctoredDocFile(Action<XDocument> change)
    {
        XDocument doc = XDocument.Load(HelpCompilerRun.CmdletDocFile);
        change(doc);
        string path = Path.Combine(_temp.FullName, "IsmsOps.PowerShell.xml");
        doc.Save(path);
        return path;
    }
}
