using System.Globalization;
using IsmsOps.Engine;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Onboarding;
using IsmsOps.Engine.People;
using IsmsOps.Engine.Roles;
using IsmsOps.Engine.Screening;
using IsmsOps.Engine.Storage;
using IsmsOps.Sandbox;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Bench;

/// <summary>
/// Issue 5's onboarding benchmark: one joiner whose role carries 10 birthright grants (6 groups, 2 licences, 2 app
/// roles), with a Cleared Standard screening and a manager, onboarded from <see cref="OnboardingService.StartAsync"/> to a
/// Completed case (the reads, the stored case, the gate, the account created, attributes and manager, every grant, each
/// step recorded with its audit event) against the sandbox with 50 ms of latency on every HTTP request and every $batch
/// item. A fresh person and a fresh store each run.
/// </summary>
/// <remarks>
/// The role is written to a temporary policy folder whose groups are created through the tenant's own methods; the
/// licences and app roles are ones the sandbox tenant ships. The same two latency models as the offboard benchmark
/// (<see cref="SandboxOptions.ParallelBatchItems"/>): Graph's, which the target is measured against, and the sandbox's
/// pessimistic one-after-another default, for information.
/// </remarks>
internal static class OnboardBenchmark
{
    private const double TargetSeconds = 1;
    private const double TargetRequests = 6;
    private const int GroupCount = 6;

    private static readonly OperationContext Hr = AuditWorkload.Context;

    public static async Task RunAsync(BenchOptions options, ResultTable report)
    {
        int runs = options.RunsOr(10);
        string latency = options.LatencyMilliseconds.ToString(CultureInfo.InvariantCulture);
        foreach ((bool parallel, int modelRuns, string model) in BenchOptions.BatchLatencyModels(runs))
        {
            List<OnboardRun> results = await MeasureAsync(options, parallel, modelRuns).ConfigureAwait(false);
            report.Add($"onboard one joiner with 10 birthright grants, start to Completed, {latency} ms latency, {model}",
                new Samples(results.Select(r => r.Total.Value), results.Select(r => r.Total.Cpu!.Value)), Unit.Seconds, parallel ? Target.AtMost(TargetSeconds) : null);
            report.Add("  HTTP requests, start to Completed (GraphSandbox.RequestCount)", new Samples(results.Select(r => (double)r.Requests)), Unit.Requests,
                parallel ? Target.AtMost(TargetRequests) : null);
        }
    }

    private static async Task<List<OnboardRun>> MeasureAsync(BenchOptions options, bool parallel, int runs)
    {
        using GraphSandbox sandbox = GraphSandbox.Start(options.LatencySandbox(parallel));
        using GraphConnection connection = await GraphConnection.ConnectAsync(new GraphConnectionOptions
        {
            Mode = GraphAuthenticationMode.AccessToken,
            AccessToken = SecretText.Protect(sandbox.AccessToken),
            GraphEndpoint = sandbox.Url,
        }, CancellationToken.None).ConfigureAwait(false);

        string policies = Directory.CreateTempSubdirectory("ismsops-bench-onboard-roles-").FullName;
        try
        {
            BenchRole role = BenchRole.Write(sandbox.Tenant, policies);
            RoleCatalog catalog = RoleCatalog.Load(Path.Combine(policies, "roles"));
            return await Repeat.RunsAsync(parallel ? "onboard (side by side)" : "onboard (one after another)", runs,
                run => OnboardOnceAsync(sandbox, connection, catalog, role, run),
                result => FormattableString.Invariant(
                    $"{result.Total.Value:N3} s (CPU {result.Total.Cpu:N3} s), {result.Requests} requests; {result.Steps} steps, {result.Status}"))
                .ConfigureAwait(false);
        }
        finally
        {
            Directory.Delete(policies, recursive: true);
        }
    }

    private static async Task<OnboardRun> OnboardOnceAsync(GraphSandbox sandbox, GraphConnection connection, RoleCatalog catalog, BenchRole role, int run)
    {
        string home = Directory.CreateTempSubdirectory("ismsops-bench-onboard-").FullName;
        try
        {
            using IsmsWorkspace workspace = IsmsWorkspace.Open(new StoreLocation(home));
            string upn = FormattableString.Invariant($"bench.joiner.{run}.{sandbox.Tenant.Users.Count}@{sandbox.Tenant.DefaultDomain}");
            await workspace.People.CreateAsync(new Person { PersonId = "M0001", DisplayName = "Bench Manager", DirectoryObjectId = role.Manager.Id }, Hr, CancellationToken.None)
                .ConfigureAwait(false);
            await workspace.People.CreateAsync(new Person
            {
                PersonId = "E0001", DisplayName = "Bench Joiner", UserPrincipalName = upn, JobRole = BenchRole.Id, Location = "GB", ManagerId = "M0001",
                StartDate = DateTime.UtcNow.Date.AddDays(7),
            }, Hr, CancellationToken.None).ConfigureAwait(false);
            ScreeningRecord screening = await workspace.Screening.CreateAsync(new ScreeningRecord { PersonId = "E0001", Level = ScreeningLevel.Standard }, Hr, CancellationToken.None)
                .ConfigureAwait(false);
            await workspace.Screening.UpdateAsync(screening.ScreeningId, r => r with
            {
                Status = ScreeningStatus.Cleared, Identity = ScreeningCheckResult.Clear, RightToWork = ScreeningCheckResult.Clear,
                CriminalRecord = ScreeningCheckResult.Clear, References = ScreeningCheckResult.Clear,
            }, null, Hr, CancellationToken.None).ConfigureAwait(false);

            var service = new OnboardingService(workspace, catalog, connection);
            long requestsBefore = sandbox.RequestCount;
            Timing total = Timing.Start();
            OnboardingOutcome outcome = await service.StartAsync("E0001", false, Hr, CancellationToken.None).ConfigureAwait(false);
            Measurement whole = total.Seconds();
            long requests = sandbox.RequestCount - requestsBefore;

            // A run that did not end Completed with every grant in place on the sandbox is an error, not a figure.
            DirectoryUser? joiner = sandbox.Tenant.FindUser(upn);
            if (outcome.Case.Status != OnboardingCaseStatus.Completed || joiner is null || !role.HeldBy(sandbox.Tenant, joiner))
            {
                throw new InvalidOperationException($"Run {run} did not end Completed with the role's access: case {outcome.Case.Status}, account {(joiner is null ? "missing" : "present")}.");
            }

            return new OnboardRun(whole, requests, outcome.Case.Steps.Count, outcome.Case.Status);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    private sealed record OnboardRun(Measurement Total, long Requests, int Steps, OnboardingCaseStatus Status);

    /// <summary>The benchmark role: 6 groups made for it, 2 of the tenant's licences and 2 app roles of its applications.</summary>
    private sealed record BenchRole(DirectoryUser Manager, IReadOnlyList<DirectoryGroup> Groups, IReadOnlyList<Guid> Skus, IReadOnlyList<(ServicePrincipal App, AppRole Role)> AppRoles)
    {
        public const string Id = "bench-engineer";

        public static BenchRole Write(Tenant tenant, string policies)
        {
            DirectoryUser manager = tenant.Users.First(u => u.AccountEnabled && u.UserType == "Member");
            var groups = new List<DirectoryGroup>();
            for (int i = 0; i < GroupCount; i++)
            {
                var group = new DirectoryGroup(tenant.NewId()) { DisplayName = $"Bench birthright {i}", MailNickname = $"benchbirthright{i}", SecurityEnabled = true };
                tenant.Add(group);
                groups.Add(group);
            }

            List<(ServicePrincipal, AppRole)> appRoles = tenant.ServicePrincipals
                .Select(sp => (sp, role: sp.AppRoles.FirstOrDefault(r => r.AllowedMemberTypes.Contains("User"))))
                .Where(p => p.role is not null).Take(2).Select(p => (p.sp, p.role!)).ToList();
            if (appRoles.Count < 2)
            {
                throw new InvalidOperationException("The sandbox tenant has fewer than 2 applications with a user app role.");
            }

            Guid[] skus = [LicenceCatalogue.Office365E3, LicenceCatalogue.EntraIdP1];
            string yaml = $"""
                roles:
                  - id: {Id}
                    title: Bench Engineer
                    screening:
                      level: Standard
                      baselineBeforeClearance: true
                    accessReview: P1Y
                    birthright:
                      groups:
                {string.Concat(groups.Select(g => $"        - objectId: {g.Id}\n"))}      licences:
                        - skuPartNumber: ENTERPRISEPACK
                        - skuPartNumber: AAD_PREMIUM
                      appRoles:
                {string.Concat(appRoles.Select(a => $"        - app: \"{a.Item1.DisplayName}\"\n          appId: {a.Item1.AppId}\n          value: {a.Item2.Value}\n"))}
                """;
            Directory.CreateDirectory(Path.Combine(policies, "roles"));
            File.WriteAllText(Path.Combine(policies, "roles", Id + ".yaml"), yaml);
            return new BenchRole(manager, groups, skus, appRoles);
        }

        public bool HeldBy(Tenant tenant, DirectoryUser user) =>
            Groups.All(g => g.HasMember(user.Id))
            && Skus.All(s => user.DirectLicenses.Any(l => l.SkuId == s))
            && AppRoles.All(a => tenant.AppRoleAssignmentsOf(user).Any(x => x.Resource == a.App && x.AppRoleId == a.Role.Id));
    }
}
