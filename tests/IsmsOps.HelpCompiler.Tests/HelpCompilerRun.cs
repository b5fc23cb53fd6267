using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace IsmsOps.HelpCompiler.Tests;

/// <summary>Runs the real tool as a process, the way the build does, on the module this build assembled.</summary>
internal sealed record HelpCompilerRun(int ExitCode, string Output, string Errors)
{
    public static string CmdletAssembly => Metadata("IsmsCmdletAssembly");

    public static string CmdletDocFile => Metadata("IsmsCmdletDocFile");

    public static HelpCompilerRun Start(string docFile, string outputFile)
    {
        var start = new ProcessStartInfo(DotnetHost(), ["exec", typeof(DocMarkup).Assembly.Location, CmdletAssembly, docFile, outputFile])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using Process process = Process.Start(start)!;
        Task<string> errors = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new HelpCompilerRun(process.ExitCode, output, errors.Result);
    }

    private static string Metadata(string key) =>
        typeof(HelpCompilerRun).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == key).Value!;

    /// <summary>The dotnet host that runs this test: shared/Microsoft.NETCore.App/&lt;version&gt;/ is three levels below it.</summary>
    private static string DotnetHost()
    {
        string root = Path.GetFullPath(Path.Combine(RuntimeEnvironment.GetRuntimeDirectory(), "..", "..", ".."));
        return Path.Combine(root, OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet");
    }
}
