using System.Management.Automation;
using IsmsOps.Engine.Assessment;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Checks control files (keys, types, conditions) and runs their fixtures, writing one result per check.</summary>
/// <remarks>
/// Reads every control file as Invoke-IsmsAssessment would, with the same rules the JSON Schema in
/// policies/schema/control.schema.json states (unknown keys, wrong types and unknown resource types are errors), then
/// compiles every condition with its default parameters (unknown fields and operators, values of the wrong type,
/// invalid regular expressions and cyclic named conditions are errors). Then it runs the fixtures
/// (policies/tests/*.yaml): resources written inline and the outcome expected per control and resource.
/// Each check is one ControlTestResult: Kind (Read, Compile or Fixture), Target (the control), Passed, Location
/// (file:line:column of the control, or of the failing expectation) and Message. A failing check is also written as a
/// warning, so a CI job can fail on: if (Test-IsmsControl | Where-Object { -not $_.Passed }) { exit 1 }.
/// -Path is a policy folder (its controls/ and tests/ are used), a controls folder, or control files; without -Path the
/// module's policy folder is checked. It changes nothing. Graph permissions: none.
/// </remarks>
/// <example>
/// <code>Test-IsmsControl -Path ./policies</code>
/// <para>Checks every control of a policy repository and runs its fixtures.</para>
/// </example>
/// <example>
/// <code>Test-IsmsControl -Path ./policies/controls/access -FixturePath ./policies/tests/access.yaml | Where-Object { -not $_.Passed }</code>
/// <para>Checks the access controls against their fixtures and shows only what failed.</para>
/// </example>
[Cmdlet(VerbsDiagnostic.Test, "IsmsControl")]
[OutputType(typeof(ControlTestResult))]
public sealed class TestIsmsControlCommand : IsmsCmdlet
{
    /// <summary>A policy folder (with controls/ and tests/), a folder of control files, or control files. Default: the module's policy folder.</summary>
    [Parameter(Position = 0)]
    [Alias("PSPath")]
    [ValidateNotNullOrEmpty]
    public string[] Path { get; set; } = [];

    /// <summary>Fixture files or folders to run. Default: the tests/ folder of the policy folder given (or of the module's).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string[] FixturePath { get; set; } = [];

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        string[] paths = Path.Length > 0
            ? Path.Select(p => SessionState.Path.GetUnresolvedProviderPathFromPSPath(p)).ToArray()
            : ModuleSession.PolicyFolderPath() is string folder ? [folder] : [];
        string? policyFolder = paths.Length == 1 && Directory.Exists(System.IO.Path.Combine(paths[0], "controls")) ? paths[0] : null;
        string[] controlPaths = policyFolder is not null ? [System.IO.Path.Combine(policyFolder, "controls")] : paths;
        string[] fixtures = FixturePath.Length > 0
            ? FixturePath.Select(p => SessionState.Path.GetUnresolvedProviderPathFromPSPath(p)).ToArray()
            : policyFolder is not null && Directory.Exists(System.IO.Path.Combine(policyFolder, "tests")) ? [System.IO.Path.Combine(policyFolder, "tests")] : [];

        ControlSet controls = ControlReader.Load(controlPaths, policyFolder);
        WriteVerbose($"Read {controls.Controls.Count} control(s) from {controls.Files.Count} file(s).");
        var results = new List<ControlTestResult>(ControlFixtures.Check(controls, DateTimeOffset.UtcNow));
        foreach (string file in fixtures.SelectMany(f => Directory.Exists(f)
                     ? Directory.EnumerateFiles(f, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
                     : (IEnumerable<string>)[f]))
        {
            WriteVerbose($"Running the fixtures in '{file}'.");
            results.AddRange(ControlFixtures.Run(file, controls));
        }

        foreach (ControlTestResult result in results)
        {
            if (!result.Passed)
            {
                WriteWarning(result.Kind == "Fixture" && result.Expected is not null
                    ? $"{result.Location}: {result.Target}{(result.ResourceId is null ? "" : $" on '{result.ResourceId}'")} expected {result.Expected}, got {result.Actual}. {result.Message}"
                    : $"{result.Location}: {result.Message}");
            }

            WriteObject(result);
        }
    }
}
