using System.Globalization;
using System.Text;
using IsmsOps.Engine;
using IsmsOps.Engine.Access;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.HrEvents;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Snapshots;
using IsmsOps.Engine.Storage;

namespace IsmsOps.Bench;

/// <summary>
/// The issue's HR-feed benchmark: a feed of 50,000 people imported into an empty register, then a daily delta with
/// 1% of rows changed, then the same delta again, then the exit review, all through the engine path
/// <c>Import-IsmsHrFeed</c> and <c>Get-IsmsOrphanedAccount -SnapshotPath</c> run (<see cref="HrFeedImport"/> with the
/// shipped role catalog and a mapping file, a fresh SQLite store, <see cref="OrphanedAccountReview"/> over a snapshot
/// file). The feed is made from a synthetic snapshot of the same size: its people are the snapshot's accounts, with
/// the same employee ids, UPNs, departments and managers, so the review links every account to a person.
/// </summary>
/// <remarks>
/// Each measured run is a fresh child process with a fresh store, so its peak working set is the import's own (the
/// parent, which built the snapshot and the files, is not counted). The peak is reset before each phase (Linux
/// <c>/proc/self/clear_refs</c>), so each phase reports its own.
/// </remarks>
internal static class HrFeedBenchmark
{
    public const string ChildSwitch = "--child-hrfeed";

    private const string Mapping = """
        columns:
          PersonId: EmployeeNumber
          DisplayName: FullName
          UserPrincipalName: WorkEmail
          Mail: Mail
          Department: Department
          JobRole: Position
          ManagerId: ManagerEmployeeNumber
          StartDate: HireDate
          EndDate: TerminationDate
          EmploymentType: WorkerType
          Location: Country
        """;

    private static readonly string[] Columns =
        ["EmployeeNumber", "FullName", "WorkEmail", "Mail", "Department", "Position", "ManagerEmployeeNumber", "HireDate", "TerminationDate", "WorkerType", "Country"];

    private static readonly string[] Phases = ["first", "delta", "again", "review"];

    private static Unit Ratio { get; } = new("×", v => v.ToString("0.000", CultureInfo.InvariantCulture) + "×");

    public static void Run(BenchOptions options, ResultTable report)
    {
        int runs = options.RunsOr(3);
        int people = options.HrPeople;
        string work = Directory.CreateTempSubdirectory("ismsops-bench-hrfeed-").FullName;
        try
        {
            Timing building = Timing.Start();
            (int changed, int unchanged, string expected) = Prepare(work, people, options.KeepSnapshot);
            Console.Error.WriteLine($"hrfeed: snapshot, feed and delta ({changed:N0} changed rows: {expected}) written in {building.Elapsed.TotalSeconds:N1} s to {work}");

            // The warm-up is a small feed in its own process: the same code paths, without a full-size run's minutes.
            string warm = Path.Combine(work, "warm");
            Directory.CreateDirectory(warm);
            Prepare(warm, Math.Min(people, 1_000), null);
            Console.Error.WriteLine("hrfeed: warm-up (1,000 people)");
            StartChild(warm);

            var results = new List<Dictionary<string, double>>();
            for (int run = 1; run <= runs; run++)
            {
                Dictionary<string, double> r = StartChild(work);
                Console.Error.WriteLine(FormattableString.Invariant(
                    $"hrfeed: run {run}/{runs}: first {r["first_s"]:N2} s, delta {r["delta_s"]:N2} s, again {r["again_s"]:N2} s, review {r["review_s"]:N2} s ({r["review_found"]:N0} found)"));
                results.Add(r);
            }

            Samples Of(string key) => new(results.Select(r => r[key]));
            Samples Timed(string phase) => new(results.Select(r => r[phase + "_s"]), results.Select(r => r[phase + "_cpu_s"]));
            string size = $"{people:N0} people";
            report.Add($"first import: {size} into an empty register (every row a Joiner)", Timed("first"), Unit.Seconds);
            AddCounts(report, Of, "first");
            report.Add($"daily delta: {changed:N0} rows changed ({expected}), the other {unchanged:N0} rows unchanged; no Graph requests", Timed("delta"), Unit.Seconds);
            AddCounts(report, Of, "delta");
            report.Add("the same delta imported again (every row unchanged or already processed)", Timed("again"), Unit.Seconds);
            AddCounts(report, Of, "again");
            report.Add($"exit review over the {people:N0}-user snapshot file (read + verify + review), after the delta", Timed("review"), Unit.Seconds);
            report.Add("  orphaned accounts found (the delta's leavers whose end date has passed and whose account is enabled)", Of("review_found"), Unit.Count);
            report.Add("  peak working set during the review", Of("review_peak_mb"), Unit.Megabytes);
            report.Add("daily job: delta import + exit review", new Samples(results.Select(r => r["delta_s"] + r["review_s"])), Unit.Seconds);
            report.Add("delta ÷ first import (medians)", new Samples([Timed("delta").Median / Timed("first").Median]), Ratio);
            report.Add("daily job ÷ first import (medians)", new Samples([(Timed("delta").Median + Timed("review").Median) / Timed("first").Median]), Ratio);
            // CPU time moves far less than wall-clock time when a neighbour takes the cores: the steadier ratio.
            report.Add("delta ÷ first import (CPU medians)", new Samples([Timed("delta").CpuMedian!.Value / Timed("first").CpuMedian!.Value]), Ratio);
            report.Add("re-import ÷ delta (medians): the share of the delta that is reading and comparing", new Samples([Timed("again").Median / Timed("delta").Median]), Ratio);
            report.Add("  store file after the run (database + WAL)", Of("store_mb"), Unit.Megabytes);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static void AddCounts(ResultTable report, Func<string, Samples> of, string phase)
    {
        report.Add("  rows read", of(phase + "_rows"), Unit.Count);
        report.Add("  events applied: Joiners", of(phase + "_joiners"), Unit.Count);
        report.Add("  events applied: Movers", of(phase + "_movers"), Unit.Count);
        report.Add("  events applied: Leavers", of(phase + "_leavers"), Unit.Count);
        report.Add("  rows unchanged (or their event already processed)", of(phase + "_unchanged"), Unit.Count);
        report.Add("  row errors reported", of(phase + "_errors"), Unit.Count);
        report.Add("  audit events appended", of(phase + "_audit"), Unit.Count);
        report.Add("  peak working set during the phase", of(phase + "_peak_mb"), Unit.Megabytes);
    }

    /// <summary>
    /// Writes snapshot.json.gz, mapping.yaml, first.csv (one row per account) and delta.csv (the same rows with 1%
    /// changed: half movers, a quarter leavers, a quarter new joiners) into <paramref name="folder"/>.
    /// </summary>
    private static (int Changed, int Unchanged, string Description) Prepare(string folder, int people, string? keepSnapshot)
    {
        DirectorySnapshot snapshot = SyntheticTenant.Build(people, Math.Max(10, people / 20), people * 5, guestEvery: 0);
        string snapshotPath = Path.Combine(folder, "snapshot.json.gz");
        DirectorySnapshotFile.Write(snapshotPath, snapshot, overwrite: true, CancellationToken.None);
        if (keepSnapshot is not null)
        {
            File.Copy(snapshotPath, keepSnapshot, overwrite: true);
        }

        File.WriteAllText(Path.Combine(folder, "mapping.yaml"), Mapping);
        RoleCatalog roles = RoleCatalog.Load(RolesFolder());
        string[] roleIds = roles.Roles.Select(r => r.Id).ToArray();
        var employeeIdOf = snapshot.Users.ToDictionary(u => u.Id, u => u.EmployeeId, StringComparer.Ordinal);
        DateTime today = DateTime.UtcNow.Date;

        var rows = new List<string[]>(people);
        foreach ((SnapshotUser user, int i) in snapshot.Users.Select((u, i) => (u, i)))
        {
            rows.Add(
            [
                user.EmployeeId!, user.DisplayName!, user.UserPrincipalName, user.Mail!, user.Department!, roleIds[i % roleIds.Length],
                user.ManagerId is null ? string.Empty : employeeIdOf[user.ManagerId]!,
                user.EmployeeHireDate!.Value.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), string.Empty,
                i % 9 == 0 ? "Contractor" : "Employee", i % 3 == 0 ? "DE" : "GB",
            ]);
        }

        WriteCsv(Path.Combine(folder, "first.csv"), rows);

        // 1% of the rows: a seeded choice of distinct people, so every run and every machine sees the same delta.
        int changed = Math.Max(4, people / 100);
        int movers = changed / 2, leavers = changed / 4, joiners = changed - movers - leavers;
        int[] picked = Enumerable.Range(0, people).ToArray();
        new Random(7).Shuffle(picked);
        var delta = rows.Select(r => (string[])r.Clone()).ToList();
        for (int k = 0; k < movers; k++)
        {
            string[] row = delta[picked[k]];
            if (k % 2 == 0)
            {
                row[5] = roleIds[(Array.IndexOf(roleIds, row[5]) + 1) % roleIds.Length];
            }
            else
            {
                row[4] += " (moved)";
            }
        }

        string yesterday = today.AddDays(-1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        for (int k = movers; k < movers + leavers; k++)
        {
            delta[picked[k]][8] = yesterday;
        }

        for (int k = 0; k < joiners; k++)
        {
            string id = string.Create(CultureInfo.InvariantCulture, $"N{k:D6}");
            delta.Add(
            [
                id, $"New Joiner {k}", $"new.joiner{k}@contoso.com", $"new.joiner{k}@contoso.com", "Engineering", roleIds[k % roleIds.Length],
                rows[picked[changed + k]][0], today.AddDays(14).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), string.Empty, "Employee", "GB",
            ]);
        }

        WriteCsv(Path.Combine(folder, "delta.csv"), delta);
        return (changed, people - movers - leavers, $"{movers:N0} movers, {leavers:N0} leavers, {joiners:N0} new joiners");
    }

    private static void WriteCsv(string path, List<string[]> rows)
    {
        var text = new StringBuilder();
        text.AppendJoin(',', Columns).Append("\r\n");
        foreach (string[] row in rows)
        {
            text.AppendJoin(',', row.Select(Quote)).Append("\r\n");
        }

        File.WriteAllText(path, text.ToString(), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
    }

    private static string Quote(string cell) =>
        cell.AsSpan().IndexOfAny(",\"\r\n") < 0 ? cell : "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>The repository's shipped role catalog (policies/roles), found by walking up from the bench's output.</summary>
    private static string RolesFolder()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "policies", "roles");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new InvalidOperationException("Could not find policies/roles above the bench's output folder.");
    }

    private static Dictionary<string, double> StartChild(string folder) => ChildFigures.Start("HR-feed", ChildSwitch, folder);

    /// <summary>The child: one fresh store, the four phases, a key=value line per figure on stdout.</summary>
    public static int RunChild(string folder)
    {
        string home = Path.Combine(folder, "store-" + Guid.NewGuid().ToString("N"));
        return ChildFigures.RunInStore(home, figures =>
        {
            HrFeedMapping mapping = HrFeedMapping.Load(Path.Combine(folder, "mapping.yaml"));
            RoleCatalog roles = RoleCatalog.Load(RolesFolder());
            OperationContext context = OperationContext.ForCurrentUser();
            using (var workspace = IsmsWorkspace.Open(new StoreLocation(home)))
            {
                foreach (string phase in Phases)
                {
                    GC.Collect();
                    GC.WaitForPendingFinalizers();
                    ResetPeak();
                    long auditBefore = workspace.Audit.CountAsync(CancellationToken.None).GetAwaiter().GetResult();
                    Timing timing = Timing.Start();
                    if (phase == "review")
                    {
                        LoadedSnapshot loaded = DirectorySnapshotFile.Read(Path.Combine(folder, "snapshot.json.gz"), CancellationToken.None);
                        var source = new SnapshotDirectorySource(loaded);
                        IReadOnlyList<SnapshotUser> users = OrphanedAccountReview.ListUsersAsync(source, CancellationToken.None).GetAwaiter().GetResult();
                        IReadOnlyList<Person> register = workspace.People.FindAsync(new PersonQuery(), CancellationToken.None).GetAwaiter().GetResult();
                        IReadOnlyList<OrphanedAccount> found = OrphanedAccountReview.Find(users, register, DateTime.UtcNow.Date, source.SnapshotSha256);
                        ChildFigures.Record(figures, phase, timing.Seconds());
                        figures["review_found"] = found.Count;
                    }
                    else
                    {
                        string file = Path.Combine(folder, phase == "first" ? "first.csv" : "delta.csv");
                        HrFeedImportSummary summary = workspace.HrFeed.ImportAsync(file, mapping, roles, whatIf: false, context, CancellationToken.None)
                            .GetAwaiter().GetResult();
                        ChildFigures.Record(figures, phase, timing.Seconds());
                        figures[phase + "_rows"] = summary.Rows;
                        figures[phase + "_joiners"] = summary.Joiners;
                        figures[phase + "_movers"] = summary.Movers;
                        figures[phase + "_leavers"] = summary.Leavers;
                        figures[phase + "_unchanged"] = summary.Unchanged;
                        figures[phase + "_errors"] = summary.Errors.Count;
                        if (summary.Errors.Count > 0)
                        {
                            Console.Error.WriteLine($"hrfeed child: {phase}: first error: {summary.Errors[0].Message}");
                        }
                    }

                    figures[phase + "_peak_mb"] = ChildFigures.PeakWorkingSetMegabytes();
                    figures[phase + "_audit"] = workspace.Audit.CountAsync(CancellationToken.None).GetAwaiter().GetResult() - auditBefore;
                }

                if (!workspace.Audit.VerifyAsync([], CancellationToken.None).GetAwaiter().GetResult().IsValid)
                {
                    throw new InvalidOperationException("The audit trail of the run does not verify.");
                }
            }
        });
    }

    // Linux: writing 5 to clear_refs resets the peak resident set (VmHWM), so each phase reports its own peak.
    private static void ResetPeak()
    {
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Elsewhere the peak is the process's so far, which the report then overstates for later phases.
        }
    }
}
