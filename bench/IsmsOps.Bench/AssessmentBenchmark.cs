using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using IsmsOps.Engine.Acknowledgements;
using IsmsOps.Engine.Assessment;
using IsmsOps.Engine.Assessment.Resources;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Screening;
using IsmsOps.Engine.Snapshots;

namespace IsmsOps.Bench;

/// <summary>
/// Policy-as-code at scale: a synthetic tenant of <c>--snapshot-users</c> accounts (100,000) and as many register
/// people, evaluated against every shipped control. Measures the build of the resources, the evaluate phase (every
/// outcome decided, compile included) and, for information, turning every finding into its message. Then the same
/// checks written as a plain PowerShell script (Where-Object and ForEach-Object over the same resource objects) run in
/// the hosted PowerShell 7.6 engine, whose pass and fail counts must equal the engine's, and reports the ratio.
/// </summary>
internal static class AssessmentBenchmark
{
    // The shipped controls as a PowerShell user would write them without IsmsOps' evaluator. Each line: id, pass, fail.
    private const string Script = """
        param($accounts, $people, $tenants, $trails, $reviews, $now)
        $working = 'Onboarding', 'Active', 'Leaving'
        $since = $now.AddDays(-90)
        $out = [System.Collections.Generic.List[string]]::new()
        function Count($id, $selected, $test) {
            $pass = 0; $fail = 0
            $selected | ForEach-Object { if (& $test $_) { $pass++ } else { $fail++ } }
            $out.Add("$id $pass $fail")
        }
        $members = @($accounts | Where-Object { $_.AccountEnabled -and -not $_.IsGuest })
        Count 'ISMS-ACC-001' @($members | Where-Object { $_.UserPrincipalName -notlike 'breakglass*' }) { param($a) $null -ne $a.Person -and $a.Person.Status -in $working }
        Count 'ISMS-ACC-002' $members { param($a) ($null -ne $a.LastSignIn -and $a.LastSignIn -ge $since) -or ($null -ne $a.CreatedDateTime -and $a.CreatedDateTime -ge $since) }
        Count 'ISMS-PRV-002' @($accounts | Where-Object { $_.AccountEnabled -and $_.Privileged }) { param($a) $a.MfaRegistered }
        Count 'ISMS-PEO-001' @($people | Where-Object { $_.Status -in $working -and $_.EnabledAccountCount -gt 0 }) { param($p) $p.ScreeningLevelMet -or $p.ScreeningWaiverValid }
        Count 'ISMS-PEO-002' @($people | Where-Object { $_.Status -in 'Onboarding', 'Active' }) { param($p) $p.NdaCurrent }
        Count 'ISMS-PRV-001' $tenants { param($t) $t.GlobalAdministratorCount -ge 2 -and $t.GlobalAdministratorCount -le 5 }
        Count 'ISMS-AUD-001' $trails { param($t) $t.ChainValid -and $null -ne $t.LastCheckpointAt -and $t.LastCheckpointAt -ge $now.AddDays(-30) }
        Count 'ISMS-REV-001' $reviews { param($r) -not $r.Overdue }
        $out
        """;

    private static readonly string[] ScriptedControls =
        ["ISMS-ACC-001", "ISMS-ACC-002", "ISMS-PRV-002", "ISMS-PEO-001", "ISMS-PEO-002", "ISMS-PRV-001", "ISMS-AUD-001", "ISMS-REV-001"];

    public static void Run(BenchOptions options, ResultTable report)
    {
        int runs = options.RunsOr(5);
        int users = options.SnapshotUsers;
        string root = FindRepoRoot();
        var now = new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero);
        Console.Error.WriteLine($"assessment: building a {users:N0}-user tenant and register...");
        DirectorySnapshot snapshot = SyntheticTenant.Build(users, users / 20, users * 5);
        snapshot = snapshot with
        {
            RoleDefinitions = snapshot.RoleDefinitions.Select((r, i) => i == 0 ? r with { DisplayName = "Global Administrator", TemplateId = PrivilegedDirectoryRoles.GlobalAdministratorTemplateId } : r).ToArray(),
        };
        RegisterEvidence register = Register(snapshot, now);
        ControlSet controls = ControlReader.Load([Path.Combine(root, "policies", "controls")], Path.Combine(root, "policies"));
        if (controls.Errors.Count > 0)
        {
            throw new InvalidOperationException("assessment: the shipped controls do not read: " + controls.Errors[0].Error);
        }

        var build = new List<Measurement>();
        var evaluate = new List<Measurement>();
        var explain = new List<Measurement>();
        ResourceSet resources = null!;
        AssessmentOutput output = null!;
        for (int run = 0; run <= runs; run++)
        {
            Timing t = Timing.Start();
            resources = ResourceBuilder.Build(DirectoryIndex.Build(snapshot), register, RoleCatalog.Empty, now);
            Measurement b = t.Seconds();
            t = Timing.Start();
            output = AssessmentEvaluator.Evaluate(controls, resources, WaiverSet.Empty, new Dictionary<string, object?>(),
                new AssessmentRunInfo { RunId = "bench", EvaluatedAt = now, Source = "synthetic" });
            Measurement e = t.Seconds();
            t = Timing.Start();
            int messages = output.Results.Sum(r => r.Findings.Count(f => f.Message is not null));
            Measurement x = t.Seconds();
            Console.Error.WriteLine(FormattableString.Invariant(
                $"assessment: {(run == 0 ? "warm-up" : $"run {run}/{runs}")}: build {b.Value:N2} s, evaluate {e.Value * 1000:N0} ms, {messages:N0} messages {x.Value:N2} s"));
            if (run > 0)
            {
                build.Add(b);
                evaluate.Add(e);
                explain.Add(x);
            }
        }

        long pairs = controls.Controls.Sum(c => (long)resources.Of(c.ResourceType.Name).Count);
        int people = resources.Of("person").Count;
        int accounts = resources.Of("account").Count;
        string scale = FormattableString.Invariant($"{accounts:N0} accounts + {people:N0} people, {controls.Controls.Count} controls, {pairs:N0} control-resource pairs");
        report.Add($"assessment ({scale}): build resources from snapshot + register", Samples(build, 1000), Unit.Milliseconds);
        report.Add($"assessment ({scale}): evaluate (compile + every outcome)", Samples(evaluate, 1000), Unit.Milliseconds, Target.AtMost(1000));
        double medianEvaluate = Samples(evaluate, 1).Median;
        report.Add("assessment: µs per control-resource pair (evaluate median ÷ pairs)", new Samples([medianEvaluate * 1e6 / pairs]),
            new Unit("µs", v => v.ToString("N3", CultureInfo.InvariantCulture) + " µs"));
        report.Add("assessment: build every finding's message (on read; not part of evaluate)", Samples(explain, 1000), Unit.Milliseconds);

        // The script writes out the eight proof controls only; the ratio compares it with the evaluator on exactly those.
        var sameChecks = new ControlSet { Controls = controls.Controls.Where(c => ScriptedControls.Contains(c.Id)).ToArray(), Errors = [], Files = controls.Files };
        var evaluateSame = new List<Measurement>();
        for (int run = 0; run <= runs; run++)
        {
            Timing t = Timing.Start();
            AssessmentEvaluator.Evaluate(sameChecks, resources, WaiverSet.Empty, new Dictionary<string, object?>(),
                new AssessmentRunInfo { RunId = "bench", EvaluatedAt = now, Source = "synthetic" });
            Measurement e = t.Seconds();
            if (run > 0)
            {
                evaluateSame.Add(e);
            }
        }

        report.Add($"assessment: evaluate the script's {sameChecks.Controls.Count} controls (for the ratio)", Samples(evaluateSame, 1000), Unit.Milliseconds);
        string[] expected = output.Results.Where(r => ScriptedControls.Contains(r.Control.Id))
            .Select(r => $"{r.Control.Id} {r.PassCount} {r.FailCount}").Order(StringComparer.Ordinal).ToArray();
        var script = new List<Measurement>();
        int scriptRuns = Math.Min(runs, 3);
        using var shell = PowerShell.Create(InitialSessionState.CreateDefault2());
        for (int run = 0; run <= scriptRuns; run++)
        {
            shell.Commands.Clear();
            shell.AddScript(Script).AddArgument(resources.Of("account")).AddArgument(resources.Of("person")).AddArgument(resources.Of("tenant"))
                .AddArgument(resources.Of("auditTrail")).AddArgument(resources.Of("accessReview")).AddArgument(now);
            Timing t = Timing.Start();
            string[] got = shell.Invoke().Select(o => o.ToString()).Order(StringComparer.Ordinal).ToArray();
            Measurement m = t.Seconds();
            if (shell.HadErrors || !got.SequenceEqual(expected))
            {
                throw new InvalidOperationException($"assessment: the PowerShell script disagrees with the evaluator: [{string.Join("; ", got)}] vs [{string.Join("; ", expected)}] {shell.Streams.Error.FirstOrDefault()}");
            }

            Console.Error.WriteLine(FormattableString.Invariant($"assessment: PowerShell script {(run == 0 ? "warm-up" : $"run {run}/{scriptRuns}")}: {m.Value:N2} s"));
            if (run > 0)
            {
                script.Add(m);
            }
        }

        Samples scripted = Samples(script, 1000);
        report.Add($"assessment: the same checks as a PowerShell script (Where-Object/ForEach-Object, hosted engine)", scripted, Unit.Milliseconds);
        var times = new Unit("×", v => v.ToString("N0", CultureInfo.InvariantCulture) + "×");
        report.Add("assessment: script ÷ evaluator (wall-clock medians)", new Samples([scripted.Median / Samples(evaluateSame, 1000).Median]), times);
        // On a shared machine the CPU ratio is the steadier one (see docs/performance.md, Noise).
        report.Add("assessment: script ÷ evaluator (CPU medians)", new Samples([scripted.CpuMedian!.Value / Samples(evaluateSame, 1000).CpuMedian!.Value]), times);
    }

    private static Samples Samples(List<Measurement> m, double scale) => new(m.Select(x => x.Value * scale), m.Select(x => (x.Cpu ?? 0) * scale));

    // One person per member account (linked by employee id, as HR feeds do); a tenth with no screening, a twentieth Left.
    private static RegisterEvidence Register(DirectorySnapshot snapshot, DateTimeOffset now)
    {
        var people = new List<Person>();
        var screenings = new List<ScreeningRecord>();
        var acknowledgements = new List<Acknowledgement>();
        int i = 0;
        foreach (SnapshotUser user in snapshot.Users.Where(u => u.EmployeeId is not null))
        {
            i++;
            people.Add(new Person
            {
                PersonId = user.EmployeeId!,
                DisplayName = user.DisplayName ?? user.EmployeeId!,
                Status = i % 20 == 0 ? PersonStatus.Left : PersonStatus.Active,
                StartDate = now.UtcDateTime.AddYears(-2),
            });
            if (i % 10 != 0)
            {
                screenings.Add(new ScreeningRecord
                {
                    ScreeningId = "S" + i.ToString(CultureInfo.InvariantCulture), PersonId = user.EmployeeId!, Status = ScreeningStatus.Cleared,
                    CompletedOn = now.UtcDateTime.AddYears(-1), RescreenDueOn = now.UtcDateTime.AddYears(2), CreatedAt = now.UtcDateTime.AddYears(-1),
                });
            }

            if (i % 7 != 0)
            {
                acknowledgements.Add(new Acknowledgement
                {
                    PersonId = user.EmployeeId!, Kind = AcknowledgementKind.NonDisclosureAgreement, Name = "Non-Disclosure Agreement", DocumentVersion = "2.0",
                    AcknowledgedOn = now.UtcDateTime.AddMonths(-3),
                });
            }
        }

        return new RegisterEvidence
        {
            People = people,
            Screenings = screenings,
            Acknowledgements = acknowledgements,
            AuditVerification = new AuditVerificationResult { IsValid = true, Source = "synthetic", EventCount = 1, Message = "ok" },
            NewestCheckpoint = null,
        };
    }

    private static string FindRepoRoot()
    {
        for (string? dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (Directory.Exists(Path.Combine(dir, "policies", "controls")) && File.Exists(Path.Combine(dir, "IsmsOps.sln")))
            {
                return dir;
            }
        }

        throw new InvalidOperationException("assessment: cannot find the repository (policies/controls) above " + AppContext.BaseDirectory);
    }
}
