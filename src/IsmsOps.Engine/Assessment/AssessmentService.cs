using System.Diagnostics;
using IsmsOps.Engine.Acknowledgements;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.Engine.Assessment;

/// <summary>What to assess: the controls, the waivers, the parameter overrides and (for reproducible runs) the evaluation time.</summary>
public sealed record AssessmentRequest
{
    public required ControlSet Controls { get; init; }

    public WaiverSet Waivers { get; init; } = WaiverSet.Empty;

    /// <summary>Overrides keyed <c>name</c> or <c>CONTROL-ID.name</c>.</summary>
    public IReadOnlyDictionary<string, object?> Parameters { get; init; } = new Dictionary<string, object?>();

    /// <summary>The evaluation time; now when null.</summary>
    public DateTimeOffset? EvaluatedAt { get; init; }

    public string? ToolVersion { get; init; }
}

/// <summary>
/// One assessment run, ScubaGear's shape: collect (the directory from a snapshot, or Graph live; the register always),
/// build the resources once, compile every control once, evaluate, and report a result per control with the time
/// each phase took.
/// </summary>
public static class AssessmentService
{
    /// <summary>Runs an assessment.</summary>
    /// <param name="request">Controls, waivers, overrides.</param>
    /// <param name="workspace">The register; null runs without one (register controls are then Skipped with NoEvidence).</param>
    /// <param name="directory">The directory source; null when there is neither a snapshot nor a connection.</param>
    /// <param name="catalog">The role catalog.</param>
    /// <param name="acknowledgementPolicy">Acknowledgement versions in force and validity periods.</param>
    /// <param name="phase">Told the name of each phase as it starts (collect, build, compile, evaluate).</param>
    /// <param name="cancellationToken">Stops the run.</param>
    public static async Task<AssessmentOutput> RunAsync(AssessmentRequest request, IsmsWorkspace? workspace, IDirectorySource? directory, RoleCatalog catalog,
        AcknowledgementPolicy acknowledgementPolicy, Action<string>? phase, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(catalog);
        DateTimeOffset now = request.EvaluatedAt ?? DateTimeOffset.UtcNow;
        var timings = new List<KeyValuePair<string, TimeSpan>>();
        phase?.Invoke("collect");
        var clock = Stopwatch.StartNew();
        DirectoryIndex? index = null;
        string source = "none";
        switch (directory)
        {
            case SnapshotDirectorySource snapshot when snapshot.Loaded.Header.ScopedToUserId is string user:
                throw new IsmsException("IsmsOps.Assessment.ScopedSnapshot", IsmsErrorKind.InvalidArgument,
                    $"{snapshot.Description} holds one user ({user}), not the tenant; tenant counts and every other account would be wrong. Nothing was assessed.",
                    "Export a whole-tenant snapshot (Export-IsmsDirectorySnapshot without -UserId), or connect to Graph and run without a snapshot.", user);
            case SnapshotDirectorySource snapshot:
                index = snapshot.Index;
                source = snapshot.Loaded.Path;
                break;
            case LiveDirectorySource live:
                index = DirectoryIndex.Build(await live.CollectTenantAsync(null, cancellationToken).ConfigureAwait(false));
                source = "live";
                break;
            case null:
                break;
            default:
                throw new ArgumentException($"Unknown directory source {directory.GetType().Name}.", nameof(directory));
        }

        RegisterEvidence register = workspace is null
            ? RegisterEvidence.Empty with { AcknowledgementPolicy = acknowledgementPolicy }
            : await RegisterEvidence.ReadAsync(workspace, acknowledgementPolicy, cancellationToken).ConfigureAwait(false);
        timings.Add(new("collect", clock.Elapsed));

        phase?.Invoke("build");
        clock.Restart();
        ResourceSet resources = ResourceBuilder.Build(index, register, catalog, now);
        timings.Add(new("build", clock.Elapsed));

        var run = new AssessmentRunInfo
        {
            RunId = Guid.NewGuid().ToString(),
            EvaluatedAt = now,
            TenantId = index?.Snapshot.Tenant.TenantId,
            TenantName = index?.Snapshot.Tenant.DisplayName,
            Source = source,
            SnapshotCollectedAt = index?.Snapshot.CollectedAt,
            ToolVersion = request.ToolVersion,
            PhaseTimings = timings,
        };
        return AssessmentEvaluator.Evaluate(request.Controls, resources, request.Waivers, request.Parameters, run, phase, cancellationToken);
    }
}

/// <summary>
/// Which controls a run evaluates (-Control): file or folder paths load those files; other values select from the
/// policy folder's controls by id (wildcards) or by tag (<c>tag:privileged</c>). No selector means every control.
/// </summary>
public static class ControlSelection
{
    /// <summary>Resolves <paramref name="selectors"/> against <paramref name="controlsFolder"/>.</summary>
    public static ControlSet Resolve(IReadOnlyList<string> selectors, string controlsFolder, string? policiesFolder)
    {
        ArgumentNullException.ThrowIfNull(selectors);
        string[] paths = selectors.Where(s => File.Exists(s) || Directory.Exists(s)).ToArray();
        string[] filters = selectors.Except(paths).ToArray();
        if (selectors.Count == 0 || filters.Length > 0)
        {
            if (!Directory.Exists(controlsFolder))
            {
                throw new IsmsException("IsmsOps.Assessment.NoControls", IsmsErrorKind.InvalidArgument,
                    $"There is no controls folder at '{controlsFolder}'.", "Pass -PolicyPath <folder holding controls/>, or -Control <file or folder>.", controlsFolder);
            }
        }

        ControlSet fromPaths = paths.Length > 0 ? ControlReader.Load(paths, policiesFolder) : new ControlSet { Controls = [], Errors = [], Files = [] };
        if (selectors.Count > 0 && filters.Length == 0)
        {
            return fromPaths;
        }

        ControlSet library = ControlReader.Load([controlsFolder], policiesFolder);
        if (filters.Length == 0)
        {
            return library;
        }

        var chosen = new List<ControlDefinition>();
        foreach (string filter in filters)
        {
            ControlDefinition[] matched = filter.StartsWith("tag:", StringComparison.OrdinalIgnoreCase)
                ? library.Controls.Where(c => c.Tags.Contains(filter[4..], StringComparer.OrdinalIgnoreCase)).ToArray()
                : library.Controls.Where(c => new NamePatternSet([filter]).Matches(c.Id)).ToArray();
            bool brokenMatch = library.Errors.Any(e => e.ControlId is not null && new NamePatternSet([filter]).Matches(e.ControlId));
            if (matched.Length == 0 && !brokenMatch)
            {
                throw new IsmsException("IsmsOps.Assessment.NoSuchControl", IsmsErrorKind.InvalidArgument,
                    $"-Control '{filter}' matches no control in '{controlsFolder}' (paths must exist; ids allow wildcards; tags are written tag:<name>).",
                    "List the controls with Test-IsmsControl, or give an existing file or folder.", filter);
            }

            chosen.AddRange(matched);
        }

        ControlLoadError[] errors = library.Errors.Where(e => e.ControlId is not null && new NamePatternSet(filters).Matches(e.ControlId)).ToArray();
        return new ControlSet
        {
            Controls = fromPaths.Controls.Concat(chosen).DistinctBy(c => c.Id, StringComparer.OrdinalIgnoreCase).ToArray(),
            Errors = fromPaths.Errors.Concat(errors).ToArray(),
            Files = fromPaths.Files.Concat(library.Files).Distinct().ToArray(),
        };
    }
}
