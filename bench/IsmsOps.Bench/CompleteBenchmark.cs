using System.Globalization;
using IsmsOps.Engine;
using IsmsOps.Engine.AccessReviews;
using IsmsOps.Engine.Access;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Snapshots;
using IsmsOps.Engine.Storage;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Bench;

/// <summary>
/// Issue 6's second benchmark through the campaign path: 10,000 Deny decisions applied by
/// <see cref="AccessReviewCompletion.CompleteAsync"/> (what Complete-IsmsAccessReview runs) against the sandbox in its own
/// process, 50 ms of latency on every request and every $batch item (side by side, as Graph runs them). Each run adds
/// fresh access to the sandbox (<see cref="ReviewWorkload"/>: 1,000 people, each a member of 10 of 100 new groups),
/// collects a snapshot of the tenant over HTTP, creates a campaign over the new groups in a fresh store, records a Deny
/// for every item, and then times the completion alone. Reported: the time, and the HTTP round trips the sandbox
/// received against the minimum (one $batch per 20 removals). A run after which the sandbox still holds any of the
/// denied memberships, or whose results are not all AppliedSuccessfully, is an error rather than a figure.
/// </summary>
internal static class CompleteBenchmark
{
    private const int TenantUsers = 1_000;

    public static async Task RunAsync(BenchOptions options, ResultTable report)
    {
        int runs = options.RunsOr(5);
        int denies = options.Denies;
        string latency = options.LatencyMilliseconds.ToString(CultureInfo.InvariantCulture);
        using SandboxChild sandbox = SandboxChild.Start(TenantUsers, options.LatencyMilliseconds, parallelBatchItems: true);
        Console.Error.WriteLine($"complete: sandbox of {TenantUsers:N0} users ready, {latency} ms latency");

        List<CompleteRun> results = await Repeat.RunsAsync("complete", runs, _ => CompleteOnceAsync(sandbox, denies), r => r.ToString()).ConfigureAwait(false);
        long minimum = (denies + GraphReaderOptions.MaximumBatchSize - 1) / GraphReaderOptions.MaximumBatchSize;
        report.Add(string.Create(CultureInfo.InvariantCulture,
                $"complete a campaign with {denies:N0} Deny decisions (AccessReviewCompletion, default options), {latency} ms latency"),
            new Samples(results.Select(r => r.Seconds), results.Select(r => r.CpuSeconds)), Unit.Seconds);
        report.Add("  HTTP round trips the sandbox received", new Samples(results.Select(r => (double)r.Requests)), Unit.Requests);
        report.Add("  Graph requests the completion counted (its audit event's GraphRequests)", new Samples(results.Select(r => (double)r.Counted)), Unit.Requests);
        report.Add(string.Create(CultureInfo.InvariantCulture, $"  minimum: ⌈{denies:N0} ÷ 20⌉ $batch requests"), new Samples([minimum]), Unit.Requests);
        report.Add("  round trips ÷ minimum", new Samples(results.Select(r => (double)r.Requests / minimum)), Unit.Ratio, Target.AtMost(1));
        report.Add("  removals per second", new Samples(results.Select(r => denies / r.Seconds)), Unit.Count);
        report.Add("  denied memberships the sandbox still holds afterwards", new Samples(results.Select(r => (double)r.Left)), Unit.Count, Target.AtMost(0));
        report.Add("  (untimed) snapshot collection, campaign creation and 10,000 decisions before each run", new Samples(results.Select(r => r.PrepareSeconds)), Unit.Seconds);
    }

    private static async Task<CompleteRun> CompleteOnceAsync(SandboxChild sandbox, int denies)
    {
        Timing preparing = Timing.Start();
        string groups = sandbox.NewReviewedAccess(denies);
        using GraphConnection connection = await GraphConnection.ConnectAsync(new GraphConnectionOptions
        {
            Mode = GraphAuthenticationMode.AccessToken,
            AccessToken = SecretText.Protect(sandbox.AccessToken),
            GraphEndpoint = sandbox.Url,
        }, CancellationToken.None).ConfigureAwait(false);
        DirectorySnapshot snapshot = await new DirectorySnapshotCollector(new GraphReader(connection), "bench").CollectAsync(null, CancellationToken.None).ConfigureAwait(false);
        DirectoryIndex index = DirectoryIndex.Build(snapshot);
        string home = Directory.CreateTempSubdirectory("ismsops-bench-complete-").FullName;
        try
        {
            OperationContext context = OperationContext.ForCurrentUser();
            using var workspace = IsmsWorkspace.Open(new StoreLocation(home));
            // One of the tenant's own people reviews them all (not one of the reviewed, who would hold items of their own).
            string reviewer = snapshot.Users.First(u => !u.UserPrincipalName.StartsWith("certified.", StringComparison.Ordinal)).UserPrincipalName;
            AccessReviewCampaign campaign = await workspace.AccessReviews.CreateAsync(new AccessReviewDefinition
            {
                Name = "Review groups, bench",
                Scope = new AccessReviewScope { GroupNames = [groups + " *"] },
                Reviewers = new AccessReviewReviewers { Rule = AccessReviewerRule.Named, Named = [reviewer] },
            }, index, null, RoleCatalog.Empty, context, CancellationToken.None).ConfigureAwait(false);
            if (campaign.ItemCount != denies)
            {
                throw new InvalidOperationException($"The campaign holds {campaign.ItemCount} items, not {denies}.");
            }

            List<AccessReviewDecisionRequest> decisions = workspace.AccessReviews.ReadItems(new AccessReviewItemQuery { CampaignId = campaign.CampaignId }, CancellationToken.None)
                .Select(i => new AccessReviewDecisionRequest { CampaignId = campaign.CampaignId, ItemId = i.ItemId, Decision = AccessReviewDecision.Deny, Reviewer = reviewer })
                .ToList();
            IReadOnlyList<AccessReviewDecisionOutcome> decided = await workspace.AccessReviews.DecideAllAsync(decisions, context, CancellationToken.None).ConfigureAwait(false);
            if (decided.FirstOrDefault(o => o.Error is not null) is { } refused)
            {
                throw new InvalidOperationException($"A decision was refused: {refused.Error!.Message}");
            }

            double prepare = preparing.Elapsed.TotalSeconds;
            long before = sandbox.Stats().Requests;

            Timing timing = Timing.Start();
            AccessReviewCompletionResult result = await workspace.AccessReviewCompletion.CompleteAsync(campaign.CampaignId, connection, force: true, context,
                CancellationToken.None).ConfigureAwait(false);
            Measurement took = timing.Seconds();

            long received = sandbox.Stats().Requests - before;
            int left = sandbox.ReviewedAccessLeft();
            if (left != 0 || result.AppliedSuccessfully != denies || result.Status != AccessReviewCampaignStatus.Completed)
            {
                throw new InvalidOperationException(
                    $"The completion did not remove everything: {left} left in the sandbox, {result.AppliedSuccessfully} of {denies} applied, campaign {result.Status}.");
            }

            return new CompleteRun(took.Value, took.Cpu ?? 0, received, result.GraphRequests, left, prepare);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(home, recursive: true);
        }
    }

    private sealed record CompleteRun(double Seconds, double CpuSeconds, long Requests, long Counted, int Left, double PrepareSeconds)
    {
        public override string ToString() => FormattableString.Invariant(
            $"{Seconds:N2} s (CPU {CpuSeconds:N2} s), {Requests} HTTP requests received ({Counted} counted by the completion), {Left} left; prepared in {PrepareSeconds:N1} s");
    }
}

/// <summary>
/// The access the complete benchmark's campaign reviews, built inside the sandbox process through the tenant's own
/// methods: 100 new groups named "Review R group NNN" and count ÷ 10 new people, each a direct member of 10 of them.
/// The sandbox remembers the last set, so it can count how many of those memberships it still holds.
/// </summary>
internal static class ReviewWorkload
{
    private const int GroupsPerRun = 100;
    private const int GroupsPerPerson = 10;
    private static readonly List<(DirectoryGroup Group, string UserId)> Held = [];

    /// <summary>Creates the access; returns the groups' common name prefix ("Review R group").</summary>
    public static string Create(Tenant tenant, int count)
    {
        lock (tenant.SyncRoot)
        {
            Held.Clear();
            int run = tenant.Groups.Count;
            string prefix = string.Create(CultureInfo.InvariantCulture, $"Review {run} group");
            DirectoryGroup[] groups = Enumerable.Range(0, GroupsPerRun).Select(i =>
            {
                var group = new DirectoryGroup(tenant.NewId())
                {
                    DisplayName = string.Create(CultureInfo.InvariantCulture, $"{prefix} {i:000}"),
                    MailNickname = string.Create(CultureInfo.InvariantCulture, $"review{run}g{i:000}"),
                    SecurityEnabled = true,
                    GroupTypes = [],
                    CreatedDateTime = SandboxOrganisation.Now.AddYears(-1),
                };
                tenant.Add(group);
                return group;
            }).ToArray();
            for (int person = 0; Held.Count < count; person++)
            {
                int n = tenant.Users.Count;
                var user = new DirectoryUser(tenant.NewId(), string.Create(CultureInfo.InvariantCulture, $"certified.{n}@{tenant.DefaultDomain}"))
                {
                    DisplayName = string.Create(CultureInfo.InvariantCulture, $"Certified {n}"),
                    MailNickname = string.Create(CultureInfo.InvariantCulture, $"certified.{n}"),
                    UserType = "Member",
                    UsageLocation = "GB",
                    CreatedDateTime = SandboxOrganisation.Now.AddYears(-1),
                };
                tenant.Add(user);
                // 11 and 100 share no factor, so the ten groups are distinct.
                for (int g = 0; g < GroupsPerPerson && Held.Count < count; g++)
                {
                    DirectoryGroup group = groups[(person + (g * 11)) % GroupsPerRun];
                    group.AddMember(user);
                    Held.Add((group, user.Id));
                }
            }

            return prefix;
        }
    }

    /// <summary>How many of the last set's memberships the sandbox still holds.</summary>
    public static int Left(Tenant tenant)
    {
        lock (tenant.SyncRoot)
        {
            return Held.Count(h => h.Group.HasMember(h.UserId));
        }
    }
}
