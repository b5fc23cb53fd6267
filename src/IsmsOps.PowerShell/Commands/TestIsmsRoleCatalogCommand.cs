using System.Management.Automation;
using IsmsOps.Engine;
using IsmsOps.Engine.Policies;
using IsmsOps.Engine.Roles;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Checks a role catalog and returns every error in it, with file, line and column.</summary>
/// <remarks>
/// Reads every *.yaml and *.yml file of a folder of role files (or one role file) and checks it as Get-IsmsRole and
/// the joiner and mover commands would: YAML syntax, unknown or misspelt keys, missing id, title, screening level or
/// review cadence, empty ids, ids that appear twice across files, review cadences that are not ISO 8601 durations,
/// unknown screening levels and country codes, object ids that are not GUIDs, conflicts that name a role not in the
/// catalog, a role that conflicts with itself, and a role that grants what it conflicts with.
/// It writes one object per error (File, Line, Column, Message, RecommendedAction, and Location as
/// file:line:column), and nothing when the catalog is valid, so a policy repository's CI can fail on any output.
/// It changes nothing. Without -Path it checks the catalog the module uses: the roles folder of
/// $env:ISMSOPS_POLICIES, or else of the policies folder shipped with the module.
/// Graph permissions: none.
/// </remarks>
/// <example>
/// <code>Test-IsmsRoleCatalog -Path ./policies/roles</code>
/// <para>Lists every error in a policy repository's role files; no output means the catalog is valid.</para>
/// </example>
/// <example>
/// <code>$errors = @(Test-IsmsRoleCatalog -Path ./policies/roles); if ($errors.Count) { $errors | ForEach-Object { "$_" }; exit 1 }</code>
/// <para>Fails a CI job, printing each error as file:line:column: message.</para>
/// </example>
/// <example>
/// <code>Test-IsmsRoleCatalog -Verbose</code>
/// <para>Checks the catalog the module uses, and says how many files and roles it read.</para>
/// </example>
[Cmdlet(VerbsDiagnostic.Test, "IsmsRoleCatalog")]
[OutputType(typeof(PolicyError))]
public sealed class TestIsmsRoleCatalogCommand : IsmsCmdlet
{
    /// <summary>A folder of role files, or one role file. Default: the catalog the module uses.</summary>
    [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
    [Alias("PSPath", "LiteralPath")]
    [ValidateNotNullOrEmpty]
    public string? Path { get; set; }

    /// <inheritdoc />
    protected override void ProcessRecord()
    {
        ForEachItem(() =>
        {
            string? target = Path is not null ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(Path) : ModuleSession.RoleCatalogFolder();
            if (target is null || (Path is null && !Directory.Exists(target)))
            {
                WriteWarning($"There is no role catalog to check: the policy folder has no '{RoleCatalog.FolderName}' folder. Give -Path, or set ${PolicyFolder.Variable}.");
                return;
            }

            RoleCatalogValidation result = RoleCatalog.Validate(target);
            WriteVerbose(result.IsValid
                ? $"'{result.Path}': {result.Files.Count} files, {result.Catalog!.Roles.Count} roles, no errors."
                : $"'{result.Path}': {result.Files.Count} files, {result.Errors.Count} errors.");
            foreach (PolicyError error in result.Errors)
            {
                WriteObject(error);
            }
        });
    }
}
