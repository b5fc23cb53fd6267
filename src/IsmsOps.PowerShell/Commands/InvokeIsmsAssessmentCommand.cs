using System.Collections;
using System.Management.Automation;
using IsmsOps.Engine;
using IsmsOps.Engine.Assessment;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.PowerShell.Commands;

/// <summary>Evaluates the organisation against the YAML controls of the policy folder and writes one result per control.</summary>
/// <remarks>
/// One run collects the evidence once: the directory from -SnapshotPath, else the snapshot Import-IsmsDirectorySnapshot
/// made current, else Microsoft Graph live (a whole-tenant collection) when connected; the ISMS register (people,
/// screening, acknowledgements and training, offboarding cases, access review campaigns) always, and the audit trail,
/// which it verifies. It builds the resources once, compiles each control's condition once, and evaluates every
/// control against the resources its selector picks. Each ControlResult holds the control (id, title, severity, ISO
/// references, remediation, the parameter values used), the outcome (Pass, Fail, NotApplicable, Waived, Error, or
/// Skipped with NotConnected, NotLicensed, MissingPermission or NoEvidence), one finding per selected resource with the
/// fields and values that decided it, the waivers applied and those that had expired, and the run's evaluation time
/// and phase timings. Without a directory, directory controls are Skipped (NotConnected) and the register's run.
/// A control file that cannot be read, or a condition that does not compile, is an Error result naming
/// file:line:column; the other controls run. Waivers come from the policy folder's waivers/ folder; an expired waiver
/// is never honoured and is reported as a warning. See docs/policy-language.md for the language.
/// Graph permissions: none when reading a snapshot; live, the read permissions listed for Invoke-IsmsAssessment in
/// docs/graph-permissions.md.
/// </remarks>
/// <example>
/// <code>Invoke-IsmsAssessment -SnapshotPath ./evidence/contoso.json.gz</code>
/// <para>Evaluates every control of the policy folder against a snapshot and the register.</para>
/// </example>
/// <example>
/// <code>Invoke-IsmsAssessment -Control tag:privileged, ISMS-ACC-* -Parameter @{ maxInactivity = 'P60D'; 'ISMS-PRV-001.maxGlobalAdministrators' = 4 }</code>
/// <para>Evaluates the privileged controls and the access controls with two parameters overridden.</para>
/// </example>
/// <example>
/// <code>Invoke-IsmsAssessment | Where-Object Outcome -eq Fail | ForEach-Object { $_.Findings | Where-Object Outcome -eq Fail }</code>
/// <para>Lists every failing resource with the reason.</para>
/// </example>
[Cmdlet(VerbsLifecycle.Invoke, "IsmsAssessment")]
[OutputType(typeof(ControlResult))]
public sealed class InvokeIsmsAssessmentCommand : IsmsCmdlet
{
    /// <summary>Which controls: control files or folders, control ids (wildcards such as ISMS-ACC-*), or tags written tag:name. Default: every control of the policy folder.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string[] Control { get; set; } = [];

    /// <summary>A directory snapshot file to evaluate instead of the session's imported snapshot or Graph.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? SnapshotPath { get; set; }

    /// <summary>Parameter overrides: name = value for every control declaring that parameter, or 'CONTROL-ID.name' = value for one control.</summary>
    [Parameter]
    public Hashtable? Parameter { get; set; }

    /// <summary>The policy folder holding controls/ and waivers/. Default: $env:ISMSOPS_POLICIES, else the policies shipped with the module.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? PolicyPath { get; set; }

    /// <summary>The evaluation time every date condition is relative to (UTC when no zone is given). Default: now. Use it to reproduce an earlier run.</summary>
    [Parameter]
    public DateTime? EvaluatedAt { get; set; }

    /// <inheritdoc />
    protected override void EndProcessing()
    {
        StopOnError(() =>
        {
            string policies = PolicyPath is not null
                ? SessionState.Path.GetUnresolvedProviderPathFromPSPath(PolicyPath)
                : ModuleSession.PolicyFolderPath() ?? throw new IsmsException("IsmsOps.Assessment.NoControls", IsmsErrorKind.InvalidArgument,
                    "There is no policy folder to read controls from.", "Pass -PolicyPath <folder holding controls/>, or set $env:ISMSOPS_POLICIES.");
            string[] selectors = Control.Select(c => c.StartsWith("tag:", StringComparison.OrdinalIgnoreCase) || !LooksLikePath(c) ? c : SessionState.Path.GetUnresolvedProviderPathFromPSPath(c)).ToArray();
            string? snapshotFile = SnapshotPath is null ? null : SessionState.Path.GetUnresolvedProviderPathFromPSPath(SnapshotPath);
            SnapshotDirectorySource? imported = DirectorySession.Imported;
            var parameters = Overrides();
            DateTimeOffset? at = EvaluatedAt is DateTime e
                ? (e.Kind == DateTimeKind.Local ? new DateTimeOffset(e).ToUniversalTime() : new DateTimeOffset(DateTime.SpecifyKind(e, DateTimeKind.Utc)))
                : null;
            var catalog = ModuleSession.LoadRoleCatalog();
            var acknowledgements = ModuleSession.LoadAcknowledgementPolicy();
            string[] phases = ["collect", "build", "compile", "evaluate"];
            AssessmentOutput output = Run((w, ct) =>
            {
                ControlSet controls = ControlSelection.Resolve(selectors, Path.Combine(policies, "controls"), policies);
                WaiverSet waivers = WaiverReader.Load(Path.Combine(policies, "waivers"));
                IDirectorySource? directory = DirectorySession.TryResolve(snapshotFile, imported, ct);
                Post(() => WriteVerbose(directory is null
                    ? "No snapshot and no Graph connection: directory controls will be Skipped (NotConnected)."
                    : $"Reading the directory from {directory.Description}."));
                var request = new AssessmentRequest { Controls = controls, Waivers = waivers, Parameters = parameters, EvaluatedAt = at, ToolVersion = typeof(IsmsCmdlet).Assembly.GetName().Version?.ToString(3) };
                return AssessmentService.RunAsync(request, w, directory, catalog, acknowledgements, phase => Post(() =>
                    WriteProgress(new ProgressRecord(1, "Assessment", $"Phase: {phase}") { PercentComplete = Array.IndexOf(phases, phase) * 100 / phases.Length })), ct);
            });
            WriteProgress(new ProgressRecord(1, "Assessment", "Done") { RecordType = ProgressRecordType.Completed });
            WriteVerbose("Phases: " + string.Join(", ", output.Run.PhaseTimings.Select(p => $"{p.Key} {p.Value.TotalMilliseconds:N0} ms")));
            foreach (string warning in output.Warnings)
            {
                WriteWarning(warning);
            }

            foreach (ControlResult result in output.Results)
            {
                WriteObject(result);
            }
        });
    }

    private static bool LooksLikePath(string value) =>
        value.Contains('/', StringComparison.Ordinal) || value.Contains('\\', StringComparison.Ordinal) || value.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase)
        || value.EndsWith(".yml", StringComparison.OrdinalIgnoreCase) || value is "." or "..";

    private Dictionary<string, object?> Overrides()
    {
        var overrides = new Dictionary<string, object?>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in Parameter ?? new Hashtable())
        {
            object? value = entry.Value is PSObject ps ? ps.BaseObject : entry.Value;
            if (value is IEnumerable list and not string)
            {
                value = list.Cast<object?>().Select(v => v is PSObject p ? p.BaseObject : v).ToList();
            }

            overrides[entry.Key?.ToString() ?? string.Empty] = value;
        }

        return overrides;
    }
}
