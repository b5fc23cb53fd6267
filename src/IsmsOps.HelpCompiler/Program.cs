using System.Reflection;

namespace IsmsOps.HelpCompiler;

/// <summary>
/// IsmsOps.HelpCompiler &lt;cmdlet assembly&gt; &lt;its XML doc file&gt; &lt;output MAML file&gt;.
/// Exit codes: 0 help written, 1 a cmdlet is not fully documented (nothing written), 2 bad usage.
/// </summary>
internal static class Program
{
    /// <summary>MSBuild shows output lines in this shape as errors (file(line): error CODE: text) and fails the build.</summary>
    private const string ErrorCode = "ISMSHELP1";

    private static int Main(string[] args)
    {
        if (args.Length != 3)
        {
            Console.Error.WriteLine("usage: IsmsOps.HelpCompiler <cmdlet assembly> <XML doc file> <output MAML file>");
            return 2;
        }

        string assemblyPath = Path.GetFullPath(args[0]);
        string docPath = Path.GetFullPath(args[1]);
        string outputPath = Path.GetFullPath(args[2]);

        Assembly assembly = CmdletAssembly.Load(assemblyPath);
        var reader = new CommandHelpReader(CmdletAssembly.FindCmdlets(assembly), new XmlDocs(assembly, docPath));
        IReadOnlyList<CommandHelp> commands = reader.ReadAll();
        if (reader.Problems.Count > 0)
        {
            var sources = new SourceLocator(assemblyPath);
            foreach (HelpProblem problem in reader.Problems)
            {
                string origin = sources.Find(problem.Member) ?? docPath;
                Console.Error.WriteLine($"{origin}: error {ErrorCode}: {problem.Message}");
            }

            // Yesterday's help must not survive beside cmdlets that changed since.
            if (File.Exists(outputPath))
            {
                File.Delete(outputPath);
            }

            Console.Error.WriteLine($"{reader.Problems.Count} documentation problem(s); no help written to {outputPath}.");
            return 1;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(outputPath)!);
        MamlWriter.Write(commands, outputPath);
        Console.WriteLine($"IsmsOps.HelpCompiler: help for {commands.Count} cmdlets -> {outputPath}");
        return 0;
    }
}
