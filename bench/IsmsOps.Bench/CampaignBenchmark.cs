using IsmsOps.Engine;
using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Snapshots;
using IsmsOps.Engine.Storage;

namespace IsmsOps.Bench;

/// <summary>
/// Issue 6's first benchmark: a campaign over 100,000 users and 2,000,000 access items, created from a snapshot file
/// through the engine path <c>New-IsmsAccessReview -SnapshotPath</c> runs: <see cref="DirectorySnapshotFile.Read"/>,
/// <see cref="AccessReviewRegister.ReadTenantAsync"/> (the index), then <see cref="AccessReviewRegister.CreateAsync"/>
/// (items built, stored with their reviewers in one SQLite transaction, one audit event with the items' digest). The
/// snapshot is <see cref="SyntheticTenant"/> with every user a direct member of exactly 20 of 5,000 groups, so a
/// review of every group (<c>-GroupName *</c>, reviewer rule Manager with a fallback) has exactly 2,000,000 items.
/// </summary>
/// <remarks>
/// Each run is a fresh child process with a fresh store, so its peak working set (VmHWM: managed heap, SQLite's page
/// cache and the runtime together) is the campaign's own. A second child per run times the same work step by step
/// through the store's own calls (<see cref="RunParts"/>), to show where the time goes.
/// </remarks>
internal static class CampaignBenchmark
{
    public const string ChildSwitch = "--child-campaign";

    private const double TargetSeconds = 10;
    private const double TargetMegabytes = 1_000;
    private const int Groups = 5_000;

    public static void Run(BenchOptions options, ResultTable report)
    {
        int runs = options.RunsOr(3);
        int users = options.ReviewUsers;
        int perUser = options.GroupsPerUser;
        string work = Directory.CreateTempSubdirectory("ismsops-bench-campaign-").FullName;
        try
        {
            Timing building = Timing.Start();
            string path = Path.Combine(work, "tenant.json.gz");
            DirectorySnapshotFile.Write(path, SyntheticTenant.Build(users, Groups, 0, groupsPerUser: perUser), overwrite: true, CancellationToken.None);
            string warm = Path.Combine(work, "warm.json.gz");
            DirectorySnapshotFile.Write(warm, SyntheticTenant.Build(2_000, 200, 0, groupsPerUser: perUser), overwrite: true, CancellationToken.None);
            GC.Collect();
            Console.Error.WriteLine(FormattableString.Invariant(
                $"campaign: snapshot of {users:N0} users x {perUser} groups written in {building.Elapsed.TotalSeconds:N1} s ({new FileInfo(path).Length / 1e6:N1} MB)"));
            StartChild(warm, work, "create");

            var created = new List<Dictionary<string, double>>();
            var parts = new List<Dictionary<string, double>>();
            for (int run = 1; run <= runs; run++)
            {
                Dictionary<string, double> r = StartChild(path, work, "create");
                Console.Error.WriteLine(FormattableString.Invariant(
                    $"campaign: run {run}/{runs}: {r["total_s"]:N2} s, CPU {r["total_cpu_s"]:N2} s (read {r["read_s"]:N2}, index {r["index_s"]:N2}, create {r["create_s"]:N2}, CPU {r["create_cpu_s"]:N2}), peak {r["peak_mb"]:N0} MB ({r["peak_read_mb"]:N0} MB after the read), {r["items"]:N0} items"));
                if (r["items"] != (double)users * perUser)
                {
                    throw new InvalidOperationException($"The campaign holds {r["items"]} items, not {users * perUser}.");
                }

                created.Add(r);
                Dictionary<string, double> p = StartChild(path, work, "parts");
                Console.Error.WriteLine("campaign: parts " + string.Join(", ", p.Where(kv => kv.Key.EndsWith("_s", StringComparison.Ordinal) && !kv.Key.EndsWith("_cpu_s", StringComparison.Ordinal))
                    .Select(kv => FormattableString.Invariant($"{kv.Key}={kv.Value:N2} (CPU {p[kv.Key[..^2] + "_cpu_s"]:N2})"))));
                parts.Add(p);
            }

            Samples Of(List<Dictionary<string, double>> from, string key) => new(from.Select(r => r[key]));
            Samples Part(string key) => new(parts.Select(r => r[key + "_s"]), parts.Select(r => r[key + "_cpu_s"]));
            Samples Timed(string key) => new(created.Select(r => r[key + "_s"]), created.Select(r => r[key + "_cpu_s"]));
            string size = FormattableString.Invariant($"{users:N0} users, {users * (long)perUser:N0} items");
            report.Add($"create a campaign from a snapshot file ({size}): read + index + build + store + audit", Timed("total"), Unit.Seconds, Target.AtMost(TargetSeconds));
            report.Add("  read and verify the snapshot file", Timed("read"), Unit.Seconds);
            report.Add("  index it (DirectoryIndex; memberships by member are laid out on first use, which a campaign over groups never makes)", Timed("index"), Unit.Seconds);
            report.Add("  CreateAsync: build, store and audit the campaign, commit", Timed("create"), Unit.Seconds);
            report.Add("fresh process: peak working set (VmHWM), from start to the committed campaign", Of(created, "peak_mb"), Unit.Megabytes, Target.AtMost(TargetMegabytes));
            report.Add("  peak working set when the snapshot is read and indexed, before CreateAsync", Of(created, "peak_read_mb"), Unit.Megabytes);
            report.Add("  GC heap after a full collection, snapshot and index still held", Of(created, "heap_mb"), Unit.Megabytes);
            report.Add("  bytes allocated on the GC heap during the run (GC.GetTotalAllocatedBytes)", Of(created, "allocated_mb"), Unit.Megabytes);
            report.Add("  store file after the run (database + WAL)", Of(created, "store_mb"), Unit.Megabytes);
            report.Add("parts (a second child, step by step): read the register's people", Part("people"), Unit.Seconds);
            report.Add("  build the candidates (scope, reviewers; AccessReviewCampaignBuilder.Build)", Part("build"), Unit.Seconds);
            report.Add("  make every item (enumerate the content, nothing stored)", Part("items"), Unit.Seconds);
            report.Add("  make and hash every item (AccessReviewRegister.Digest)", Part("digest"), Unit.Seconds);
            report.Add("  make and insert every item and reviewer (InsertAccessReviewItemsAsync)", Part("insert"), Unit.Seconds);
            report.Add("  campaign row + audit event", Part("audit"), Unit.Seconds);
            report.Add("  commit", Part("commit"), Unit.Seconds);
            report.Add("  items per second stored (whole create)", new Samples(created.Select(r => r["items"] / r["create_s"])), Unit.Count);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static Dictionary<string, double> StartChild(string snapshot, string work, string mode) =>
        ChildFigures.Start("campaign", ChildSwitch, snapshot, work, mode);

    /// <summary>What New-IsmsAccessReview asks of the engine: every group, reviewed by each member's manager, a fallback for the rest.</summary>
    private static AccessReviewDefinition Definition(DirectoryIndex index) => new()
    {
        Name = "Every group membership, bench",
        Scope = new AccessReviewScope { GroupNames = ["*"] },
        Reviewers = new AccessReviewReviewers
        {
            Rule = AccessReviewerRule.Manager,
            Fallback = [index.Snapshot.Users[1].UserPrincipalName, index.Snapshot.Users[2].UserPrincipalName],
        },
        DueDate = DateTimeOffset.UtcNow.AddDays(14),
    };

    /// <summary>The child: <c>--child-campaign SNAPSHOT WORK create|parts</c>; a key=value line per figure on stdout.</summary>
    public static int RunChild(string[] args)
    {
        string home = Path.Combine(args[1], "store-" + Guid.NewGuid().ToString("N"));
        return ChildFigures.RunInStore(home, figures =>
        {
            OperationContext context = OperationContext.ForCurrentUser();
            // The user's store exists before the command runs: opening it (and migrating a new one) is not timed.
            using (var workspace = IsmsWorkspace.Open(new StoreLocation(home)))
            {
                if (args[2] == "parts")
                {
                    RunParts(args[0], workspace, context, figures);
                }
                else
                {
                    long allocated = GC.GetTotalAllocatedBytes(precise: true);
                    Timing total = Timing.Start();
                    Timing timing = Timing.Start();
                    LoadedSnapshot loaded = DirectorySnapshotFile.Read(args[0], CancellationToken.None);
                    ChildFigures.Record(figures, "read", timing.Seconds());
                    timing = Timing.Start();
                    (DirectoryIndex index, string? sha) = AccessReviewRegister.ReadTenantAsync(new SnapshotDirectorySource(loaded), null, CancellationToken.None)
                        .GetAwaiter().GetResult();
                    ChildFigures.Record(figures, "index", timing.Seconds());
                    figures["peak_read_mb"] = ChildFigures.PeakWorkingSetMegabytes();
                    timing = Timing.Start();
                    AccessReviewCampaign campaign = workspace.AccessReviews.CreateAsync(Definition(index), index, sha, RoleCatalog.Empty, context, CancellationToken.None)
                        .GetAwaiter().GetResult();
                    ChildFigures.Record(figures, "create", timing.Seconds());
                    ChildFigures.Record(figures, "total", total.Seconds());
                    figures["peak_mb"] = ChildFigures.PeakWorkingSetMegabytes();
                    figures["allocated_mb"] = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / 1e6;
                    figures["heap_mb"] = GC.GetTotalMemory(forceFullCollection: true) / 1e6;
                    figures["items"] = campaign.ItemCount;
                    GC.KeepAlive(index);
                    if (workspace.Audit.CountAsync(CancellationToken.None).GetAwaiter().GetResult() != 1)
                    {
                        throw new InvalidOperationException("The campaign's creation was not audited once.");
                    }
                }
            }
        });
    }

    /// <summary>The work of CreateAsync, one step at a time, through the same public and store calls.</summary>
    private static void RunParts(string snapshot, IsmsWorkspace workspace, OperationContext context, Dictionary<string, double> figures)
    {
        LoadedSnapshot loaded = DirectorySnapshotFile.Read(snapshot, CancellationToken.None);
        DirectoryIndex index = DirectoryIndex.Build(loaded.Snapshot);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        AccessReviewDefinition definition = AccessReviewRegister.Validate(Definition(index), now);

        Timing timing = Timing.Start();
        IReadOnlyList<Person> people = workspace.Store.FindPeopleAsync(new PersonQuery(), CancellationToken.None).GetAwaiter().GetResult();
        ChildFigures.Record(figures, "people", timing.Seconds());

        timing = Timing.Start();
        AccessReviewContent content = AccessReviewCampaignBuilder.Build("AR-BENCH", definition, index, RoleCatalog.Empty, people, now);
        ChildFigures.Record(figures, "build", timing.Seconds());

        timing = Timing.Start();
        long n = 0;
        foreach (AccessReviewItem item in content.Items)
        {
            n += item.ItemId > 0 ? 1 : 0;
        }

        ChildFigures.Record(figures, "items", timing.Seconds());
        timing = Timing.Start();
        string digest = AccessReviewRegister.Digest(content.Items);
        ChildFigures.Record(figures, "digest", timing.Seconds());

        IStoreWriteTransaction transaction = workspace.Store.BeginWriteAsync(CancellationToken.None).GetAwaiter().GetResult();
        try
        {
            timing = Timing.Start();
            transaction.InsertAccessReviewItemsAsync("AR-BENCH", content.Reviewers, content.Items, CancellationToken.None).GetAwaiter().GetResult();
            ChildFigures.Record(figures, "insert", timing.Seconds());
            timing = Timing.Start();
            transaction.InsertAccessReviewCampaignAsync(new AccessReviewCampaign
            {
                CampaignId = "AR-BENCH", Name = definition.Name, Scope = definition.Scope, Reviewers = definition.Reviewers,
                StartDate = definition.StartDate!.Value, DueDate = definition.DueDate!.Value, TenantId = index.Snapshot.Tenant.TenantId,
                SnapshotCollectedAt = index.Snapshot.CollectedAt, ItemCount = (int)n, ItemsSha256 = digest, CreatedAt = now,
            }, CancellationToken.None).GetAwaiter().GetResult();
            workspace.Audit.AppendAsync(transaction, [new AuditEventDraft(AccessReviewAuditActions.CampaignCreated, AccessReviewRegister.Target("AR-BENCH"), "{}")], context,
                CancellationToken.None).GetAwaiter().GetResult();
            ChildFigures.Record(figures, "audit", timing.Seconds());
            timing = Timing.Start();
            transaction.CommitAsync(CancellationToken.None).GetAwaiter().GetResult();
            ChildFigures.Record(figures, "commit", timing.Seconds());
        }
        finally
        {
            transaction.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
