using System.Diagnostics;
using IsmsOps.Engine.Assessment.Resources;
using IsmsOps.Engine.Policies;

namespace IsmsOps.Engine.Assessment;

/// <summary>What one run produced: a result per control, the run's shared info, and warnings (expired waivers, unknown overrides).</summary>
public sealed record AssessmentOutput
{
    public required AssessmentRunInfo Run { get; init; }

    public required IReadOnlyList<ControlResult> Results { get; init; }

    public IReadOnlyList<string> Warnings { get; init; } = [];
}

/// <summary>
/// Compiles every control once and evaluates it against the resources its selector picks: one finding per selected
/// resource, waivers applied through <see cref="WaiverMatcher"/>, a control whose evidence the run lacks Skipped, a
/// control that does not compile (or a file that cannot be read) an Error with its location.
/// </summary>
public static class AssessmentEvaluator
{
    /// <summary>
    /// Runs the compile and evaluate phases. <paramref name="run"/>'s timings so far are kept and these two appended.
    /// When <paramref name="waiversJudgedAt"/> is later than the evaluation time, waiver expiry is judged at it instead,
    /// so back-dating a run never honours a waiver that has expired.
    /// </summary>
    public static AssessmentOutput Evaluate(ControlSet controls, ResourceSet resources, WaiverSet waivers, IReadOnlyDictionary<string, object?> parameters,
        AssessmentRunInfo run, Action<string>? phase = null, CancellationToken cancellationToken = default, DateTimeOffset? waiversJudgedAt = null)
    {
        ArgumentNullException.ThrowIfNull(controls);
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentNullException.ThrowIfNull(waivers);
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(run);
        DateTimeOffset now = run.EvaluatedAt;
        DateTimeOffset waiverTime = waiversJudgedAt is DateTimeOffset judged && judged > now ? judged : now;
        var warnings = new List<string>();
        foreach (string key in parameters.Keys.Where(k => !ControlCompiler.IsKnownOverride(k, controls.Controls)))
        {
            warnings.Add($"No selected control declares the parameter '{key}'; it was ignored.");
        }

        warnings.AddRange(waivers.Errors.Select(e => $"Waiver not used: {e}"));
        foreach (WaiverDefinition orphan in waivers.Waivers.Where(w => !controls.Controls.Any(c => string.Equals(c.Id, w.ControlId, StringComparison.OrdinalIgnoreCase))))
        {
            warnings.Add($"Waiver '{orphan.Id}' ({orphan.Node.Location}) names control '{orphan.ControlId}', which this run does not evaluate.");
        }

        phase?.Invoke("compile");
        var compileClock = Stopwatch.StartNew();
        var plans = new List<Plan>();
        foreach (ControlDefinition control in controls.Controls)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            try
            {
                CompiledControl compiled = ControlCompiler.Compile(control, parameters, now);
                var compiledWaivers = new List<CompiledWaiver>();
                foreach (WaiverDefinition waiver in waivers.Waivers.Where(w => string.Equals(w.ControlId, control.Id, StringComparison.OrdinalIgnoreCase)))
                {
                    try
                    {
                        compiledWaivers.Add(WaiverMatcher.Compile(waiver, control, now));
                    }
                    catch (IsmsException ex) when (PolicyError.From(ex) is PolicyError error)
                    {
                        warnings.Add($"Waiver '{waiver.Id}' not used: {error}");
                    }
                }

                plans.Add(new Plan(control, compiled, compiledWaivers, null, clock.Elapsed));
            }
            catch (IsmsException ex) when (PolicyError.From(ex) is PolicyError error)
            {
                plans.Add(new Plan(control, null, [], $"{error} {error.RecommendedAction}", clock.Elapsed));
            }
        }

        TimeSpan compileTime = compileClock.Elapsed;
        phase?.Invoke("evaluate");
        var evaluateClock = Stopwatch.StartNew();
        var outcomes = new Func<AssessmentRunInfo, ControlResult>[plans.Count];
        // Controls are independent (resources are read-only once built), so they run side by side on every core; each
        // keeps its own warnings, added in control order afterwards.
        var controlWarnings = new List<string>[plans.Count];
        Parallel.For(0, plans.Count, new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = Environment.ProcessorCount },
            i => outcomes[i] = EvaluateOne(plans[i], resources, waiverTime, controlWarnings[i] = []));
        warnings.AddRange(controlWarnings.SelectMany(w => w));

        TimeSpan evaluateTime = evaluateClock.Elapsed;
        AssessmentRunInfo final = run with
        {
            CompletedAt = DateTimeOffset.UtcNow,
            PhaseTimings = [.. run.PhaseTimings, new("compile", compileTime), new("evaluate", evaluateTime)],
        };
        var results = new List<ControlResult>(controls.Errors.Count + plans.Count);
        results.AddRange(controls.Errors.Select(e => LoadError(e, final)));
        results.AddRange(outcomes.Select(o => o(final)));
        return new AssessmentOutput { Run = final, Results = results, Warnings = warnings };
    }

    private sealed record Plan(ControlDefinition Control, CompiledControl? Compiled, IReadOnlyList<CompiledWaiver> Waivers, string? CompileError, TimeSpan CompileTime);

    private static Func<AssessmentRunInfo, ControlResult> EvaluateOne(Plan plan, ResourceSet resources, DateTimeOffset waiverTime, List<string> warnings)
    {
        ControlDefinition control = plan.Control;
        ControlSummary summary = plan.Compiled?.Summary ?? control.Summary();
        if (plan.Compiled is not CompiledControl compiled)
        {
            return run => new ControlResult { Run = run, Control = summary, Outcome = AssessmentOutcome.Error, Message = plan.CompileError, Duration = plan.CompileTime };
        }

        foreach (string kind in control.RequiredEvidence)
        {
            if (resources.Missing(kind) is AssessmentSkipReason reason)
            {
                string detail = reason == AssessmentSkipReason.NotConnected
                    ? $"The control needs the directory ({kind}), and the run had neither a snapshot nor a Graph connection."
                    : $"The run lacks the evidence '{kind}' ({reason}).";
                return run => new ControlResult { Run = run, Control = summary, Outcome = AssessmentOutcome.Skipped, SkipReason = reason, Message = detail, Duration = plan.CompileTime };
            }
        }

        var clock = Stopwatch.StartNew();
        try
        {
            IReadOnlyList<PolicyResource> candidates = resources.Of(control.ResourceType.Name);
            var entries = new FindingList.Entry[candidates.Count];
            int count = 0;
            Func<PolicyResource, bool> select = compiled.Selector.Test;
            Func<PolicyResource, bool> test = compiled.Condition.Test;
            bool anyFail = false, anyPass = false, anyWaived = false;
            var applied = new Dictionary<string, AppliedWaiver>(StringComparer.Ordinal);
            var expired = new Dictionary<string, AppliedWaiver>(StringComparer.Ordinal);
            for (int i = 0; i < candidates.Count; i++)
            {
                PolicyResource resource = candidates[i];
                bool passed;
                WaiverMatch match = default;
                try
                {
                    if (!select(resource))
                    {
                        continue;
                    }

                    passed = test(resource);
                    // Inside the try: a waiver selector that throws for this resource makes it Error (never Waived),
                    // not the whole control.
                    if (!passed && plan.Waivers.Count > 0)
                    {
                        match = WaiverMatcher.Match(plan.Waivers, resource, waiverTime);
                    }
                }
                catch (Exception ex) when (ex is not OutOfMemoryException and not OperationCanceledException)
                {
                    entries[count++] = new FindingList.Entry(resource, AssessmentOutcome.Error, null, $"{ex.GetType().Name}: {ex.Message}", null);
                    continue;
                }

                if (passed)
                {
                    anyPass = true;
                    entries[count++] = new FindingList.Entry(resource, AssessmentOutcome.Pass, null, null, null);
                    continue;
                }

                if (plan.Waivers.Count == 0)
                {
                    anyFail = true;
                    entries[count++] = new FindingList.Entry(resource, AssessmentOutcome.Fail, null, null, null);
                    continue;
                }

                string? note = null;
                foreach (CompiledWaiver old in match.Expired)
                {
                    expired.TryAdd(old.Definition.Id, old.Definition.ToApplied());
                    note = (note is null ? "" : note + " ") + $"Waiver '{old.Definition.Id}' expired on {old.Definition.ExpiresOn.UtcDateTime:yyyy-MM-dd} and was not honoured.";
                }

                if (match.Honoured is CompiledWaiver waiver)
                {
                    anyWaived = true;
                    applied.TryAdd(waiver.Definition.Id, waiver.Definition.ToApplied());
                    entries[count++] = new FindingList.Entry(resource, AssessmentOutcome.Waived, waiver, null,
                        (note is null ? "" : note + " ") + $"Waived by '{waiver.Definition.Id}' ({waiver.Definition.Category}, approved by {waiver.Definition.Approver}, until {waiver.Definition.ExpiresOn.UtcDateTime:yyyy-MM-dd}).");
                }
                else
                {
                    anyFail = true;
                    entries[count++] = new FindingList.Entry(resource, AssessmentOutcome.Fail, null, null, note);
                }
            }

            warnings.AddRange(expired.Values.Select(w => $"Waiver '{w.Id}' for {control.Id} expired on {w.ExpiresOn.UtcDateTime:yyyy-MM-dd} and was not honoured; renew it or remove it."));

            var findings = new FindingList(control.Id, control.ResourceType.Name, compiled.Condition, entries, count);
            // A resource that could not be evaluated may hide a failure, so the control cannot claim Pass or Waived.
            int errors = findings.CountOf(AssessmentOutcome.Error);
            AssessmentOutcome outcome = anyFail ? AssessmentOutcome.Fail
                : errors > 0 ? AssessmentOutcome.Error
                : anyWaived ? AssessmentOutcome.Waived
                : anyPass ? AssessmentOutcome.Pass
                : AssessmentOutcome.NotApplicable;
            string? message = outcome switch
            {
                AssessmentOutcome.NotApplicable => $"The selector matched none of the {candidates.Count} {control.ResourceType.Name} resource(s).",
                AssessmentOutcome.Error => $"Evaluating {errors} of the {count} selected resource(s) failed; see the findings.",
                _ => null,
            };
            TimeSpan duration = plan.CompileTime + clock.Elapsed;
            AppliedWaiver[] waiversApplied = applied.Values.ToArray();
            AppliedWaiver[] waiversExpired = expired.Values.ToArray();
            return run => new ControlResult
            {
                Run = run,
                Control = summary,
                Outcome = outcome,
                Message = message,
                Findings = findings,
                Waivers = waiversApplied,
                ExpiredWaivers = waiversExpired,
                Duration = duration,
            };
        }
        catch (Exception ex) when (ex is not OutOfMemoryException and not OperationCanceledException)
        {
            return run => new ControlResult { Run = run, Control = summary, Outcome = AssessmentOutcome.Error, Message = $"{ex.GetType().Name}: {ex.Message}", Duration = plan.CompileTime };
        }
    }

    private static ControlResult LoadError(ControlLoadError error, AssessmentRunInfo run) => new()
    {
        Run = run,
        Control = new ControlSummary
        {
            Id = error.ControlId ?? error.SourcePath,
            Title = error.ControlId is null ? "Control file could not be read" : "Control could not be read",
            ResourceType = "unknown",
            SourcePath = error.SourcePath,
        },
        Outcome = AssessmentOutcome.Error,
        Message = $"{error.Error} {error.Error.RecommendedAction}",
    };
}
