using System.Diagnostics;
using System.Globalization;
using IsmsOps.Engine;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Offboarding;
using IsmsOps.Engine.Storage;
using IsmsOps.Sandbox;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Bench;

/// <summary>
/// Issue 4's first benchmark: one leaver holding 150 group memberships, 10 app roles, 3 directory roles (1 eligible, 1
/// time-bound), 4 direct licences and 3 authentication methods besides the password, offboarded from start to verified
/// (<see cref="OffboardingService.PlanAsync"/> then <see cref="OffboardingService.StartAsync"/>: the live read, the
/// plan, the stored case, every step recorded with its audit event, the verification and the close) against the
/// sandbox with 50 ms of latency on every HTTP request and every $batch item. A fresh leaver and a fresh store each run.
/// </summary>
/// <remarks>
/// The sandbox runs in this process: its work per leaver is small next to the latency, and the leaver is built
/// through the tenant's own methods. Two latency models (<see cref="SandboxOptions.ParallelBatchItems"/>): Graph's,
/// where the items of a $batch that do not depend on each other wait side by side, which the target is measured
/// against; and the sandbox's pessimistic default, one item after another, for information.
/// </remarks>
internal static class OffboardBenchmark
{
    private const double TargetSeconds = 3;
    private const double TargetRequests = 15;

    private static Unit Microseconds { get; } = new("µs", v => v.ToString("N1", CultureInfo.InvariantCulture) + " µs");

    public static async Task RunAsync(BenchOptions options, ResultTable report)
    {
        int runs = options.RunsOr(10);
        string latency = options.LatencyMilliseconds.ToString(CultureInfo.InvariantCulture);
        foreach ((bool parallel, int modelRuns, string model) in BenchOptions.BatchLatencyModels(runs))
        {
            List<OffboardRun> results = await MeasureAsync(options, parallel, modelRuns).ConfigureAwait(false);
            report.Add($"offboard the benchmark leaver, start to verified, {latency} ms latency, {model}",
                new Samples(results.Select(r => r.Total.Value), results.Select(r => r.Total.Cpu!.Value)), Unit.Seconds, parallel ? Target.AtMost(TargetSeconds) : null);
            report.Add("  HTTP requests, start to verified (GraphSandbox.RequestCount)", new Samples(results.Select(r => (double)r.Requests)), Unit.Requests,
                parallel ? Target.AtMost(TargetRequests) : null);
            if (!parallel)
            {
                continue;
            }

            report.Add("  read and plan (live inventory, OffboardingPlanner)", new Samples(results.Select(r => r.Read)), Unit.Seconds);
            report.Add("    its HTTP requests", new Samples(results.Select(r => (double)r.ReadRequests)), Unit.Requests);
            report.Add("  execute (case stored, steps run, the steps of each $batch stored together with their audit events)", new Samples(results.Select(r => r.Execute)), Unit.Seconds);
            report.Add("    its HTTP requests", new Samples(results.Select(r => (double)r.ExecuteRequests)), Unit.Requests);
            report.Add("  verify and close (live re-read, case closed)", new Samples(results.Select(r => r.Verify)), Unit.Seconds);
            report.Add("    its HTTP requests", new Samples(results.Select(r => (double)r.VerifyRequests)), Unit.Requests);
        }

        Samples recording = await Repeat.MeasureAsync("offboard: record 171 steps", Math.Max(3, runs / 2), _ => RecordStepsOnceAsync(171)).ConfigureAwait(false);
        report.Add("  storing the 171 steps one by one (OffboardingRegister.RecordStepAsync, no Graph)", recording, Unit.Seconds);
        foreach (int size in new[] { 10, 171, 1_000 })
        {
            // Each step's transaction reads the whole case: a cost per step that grows with the case would show here.
            List<double> perStep = await RecordStepsAsync(size).ConfigureAwait(false);
            report.Add(string.Create(CultureInfo.InvariantCulture, $"    one step recorded in a case of {size:N0} steps (median of its steps)"), new Samples([Median(perStep)]), Microseconds);
        }

        report.Add("  sandbox: remove one member from a group of 100,000 (DirectoryGroup.RemoveMember, median of 200 spread through it)",
            new Samples([RemoveMemberMicroseconds(100_000, 200)]), Microseconds);
    }

    private static async Task<List<OffboardRun>> MeasureAsync(BenchOptions options, bool parallel, int runs)
    {
        using GraphSandbox sandbox = GraphSandbox.Start(options.LatencySandbox(parallel));
        var stamps = new RequestStamps();
        using GraphConnection connection = await GraphConnection.ConnectAsync(new GraphConnectionOptions
        {
            Mode = GraphAuthenticationMode.AccessToken,
            AccessToken = SecretText.Protect(sandbox.AccessToken),
            GraphEndpoint = sandbox.Url,
            GraphTransport = stamps,
        }, CancellationToken.None).ConfigureAwait(false);

        return await Repeat.RunsAsync(parallel ? "offboard (side by side)" : "offboard (one after another)", runs,
            run => OffboardOnceAsync(sandbox, connection, stamps, run),
            result => FormattableString.Invariant(
                $"{result.Total.Value:N2} s (CPU {result.Total.Cpu:N2} s), {result.Requests} requests; read {result.Read:N2} s/{result.ReadRequests}, execute {result.Execute:N2} s/{result.ExecuteRequests}, verify {result.Verify:N2} s/{result.VerifyRequests}; {result.Steps} steps, {result.Status}"))
            .ConfigureAwait(false);
    }

    private static async Task<OffboardRun> OffboardOnceAsync(GraphSandbox sandbox, GraphConnection connection, RequestStamps stamps, int run)
    {
        string home = Directory.CreateTempSubdirectory("ismsops-bench-offboard-").FullName;
        try
        {
            DirectoryUser leaver = BenchLeaver.Create(sandbox.Tenant, run);
            using IsmsWorkspace workspace = IsmsWorkspace.Open(new StoreLocation(home));
            var service = new OffboardingService(workspace.Offboarding, connection);
            OperationContext context = AuditWorkload.Context;
            long requestsBefore = sandbox.RequestCount;
            stamps.Clear();

            Timing total = Timing.Start();
            DateTimeOffset began = DateTimeOffset.UtcNow;
            OffboardingPlan plan = await service.PlanAsync(leaver.Id, null, CancellationToken.None).ConfigureAwait(false);
            DateTimeOffset planned = DateTimeOffset.UtcNow;
            long readRequests = sandbox.RequestCount - requestsBefore;
            OffboardingOutcome outcome = await service.StartAsync(plan, null, OffboardingUrgency.Immediate, null, context, CancellationToken.None).ConfigureAwait(false);
            Measurement whole = total.Seconds();
            DateTimeOffset ended = DateTimeOffset.UtcNow;
            long requests = sandbox.RequestCount - requestsBefore;

            // A run that did not end verified with nothing removable is an error, not a figure.
            if (!outcome.Verification.NothingRemovableRemains || outcome.Case.Status != OffboardingCaseStatus.Completed
                || leaver.AccountEnabled || leaver.MemberOf.Count > 0 || sandbox.Tenant.AppRoleAssignmentsOf(leaver).Count > 0 || leaver.AssignedLicenses().Count > 0)
            {
                throw new InvalidOperationException($"Run {run} did not end verified: case {outcome.Case.Status}, {outcome.Verification.Remaining.Count} remaining.");
            }

            // Execution ends when the last step completed; what follows is the verification and the close.
            DateTimeOffset executed = outcome.Case.Steps.Max(s => s.CompletedAt ?? DateTimeOffset.MinValue);
            double read = (planned - began).TotalSeconds;
            double execute = (executed - planned).TotalSeconds;
            long verifyRequests = stamps.After(executed);
            return new OffboardRun(whole, requests, read, readRequests, execute, requests - readRequests - verifyRequests, (ended - executed).TotalSeconds, verifyRequests,
                plan.Steps.Count, outcome.Case.Status);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>Opens a case of <paramref name="steps"/> steps and records each as Done, one call each, as a run does.</summary>
    private static async Task<Measurement> RecordStepsOnceAsync(int steps)
    {
        List<double> perStep = await RecordStepsAsync(steps).ConfigureAwait(false);
        return new Measurement(perStep.Sum() / 1e6);
    }

    private static async Task<List<double>> RecordStepsAsync(int steps)
    {
        string home = Directory.CreateTempSubdirectory("ismsops-bench-steps-").FullName;
        try
        {
            using IsmsWorkspace workspace = IsmsWorkspace.Open(new StoreLocation(home));
            OperationContext context = AuditWorkload.Context;
            string userId = Guid.NewGuid().ToString();
            var plan = new OffboardingPlan
            {
                UserId = userId,
                UserPrincipalName = "leaver@bench.example",
                SnapshotCollectedAt = DateTimeOffset.UtcNow,
                Steps = Enumerable.Range(1, steps).Select(i => new OffboardingStep
                {
                    Sequence = i, Kind = OffboardingStepKind.RemoveGroupMembership, UserId = userId, ResourceId = Guid.NewGuid().ToString(), ResourceDisplayName = $"Group {i}",
                }).ToList(),
            };
            OffboardingCase opened = await workspace.Offboarding.CreateAsync(plan, null, OffboardingUrgency.Immediate, null, context, CancellationToken.None).ConfigureAwait(false);
            var perStep = new List<double>(steps);
            foreach (OffboardingStep step in opened.Steps)
            {
                DateTimeOffset now = DateTimeOffset.UtcNow;
                OffboardingStep done = step with
                {
                    Status = OffboardingStepStatus.Done, Attempts = 1, StartedAt = now, CompletedAt = now,
                    BeforeState = "{\"held\":true}", AfterState = "{\"held\":false}", GraphRequestId = Guid.NewGuid().ToString(),
                };
                long started = Stopwatch.GetTimestamp();
                await workspace.Offboarding.RecordStepAsync(opened.CaseId, done, null, context, CancellationToken.None).ConfigureAwait(false);
                perStep.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
            }

            return perStep;
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }

    /// <summary>Removing one member from a large group, as an offboarding does to every group the leaver is in.</summary>
    private static double RemoveMemberMicroseconds(int members, int removals)
    {
        var group = new DirectoryGroup(Guid.NewGuid().ToString()) { DisplayName = "All staff", MailNickname = "allstaff", SecurityEnabled = true };
        var users = Enumerable.Range(0, members)
            .Select(i => new DirectoryUser(Guid.NewGuid().ToString(), $"u{i}@bench.example") { DisplayName = $"U {i}", MailNickname = $"u{i}", UserType = "Member" })
            .ToList();
        users.ForEach(u => group.AddMember(u));
        var times = new List<double>(removals);

        // Members spread evenly through the group: a leaver may have joined at any time.
        foreach (DirectoryUser user in Enumerable.Range(0, removals).Select(i => users[(int)((long)i * members / removals)]))
        {
            long started = Stopwatch.GetTimestamp();
            group.RemoveMember(user.Id);
            times.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
        }

        return Median(times);
    }

    private static double Median(IEnumerable<double> values) => new Samples(values).Median;

    private sealed record OffboardRun(Measurement Total, long Requests, double Read, long ReadRequests, double Execute, long ExecuteRequests,
        double Verify, long VerifyRequests, int Steps, OffboardingCaseStatus Status);

    /// <summary>The HTTP transport under the Graph pipeline: it notes when each request left, to split requests by stage.</summary>
    private sealed class RequestStamps : DelegatingHandler
    {
        private readonly List<DateTimeOffset> _sent = [];

        public RequestStamps() : base(new SocketsHttpHandler())
        {
        }

        public void Clear()
        {
            lock (_sent)
            {
                _sent.Clear();
            }
        }

        /// <summary>Requests sent after <paramref name="instant"/>.</summary>
        public long After(DateTimeOffset instant)
        {
            lock (_sent)
            {
                return _sent.Count(s => s > instant);
            }
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            lock (_sent)
            {
                _sent.Add(DateTimeOffset.UtcNow);
            }

            return base.SendAsync(request, cancellationToken);
        }
    }
}

/// <summary>The benchmark leaver, built through the sandbox tenant's own methods (as the engine tests' Leaver is).</summary>
internal static class BenchLeaver
{
    public static DirectoryUser Create(Tenant tenant, int run)
    {
        DirectoryUser manager = tenant.Users.First(u => u.UserType == "Member");
        DateTimeOffset joined = SandboxOrganisation.Now.AddYears(-2);
        var user = new DirectoryUser(tenant.NewId(), $"bench.leaver.{run}.{tenant.Users.Count}@{tenant.DefaultDomain}")
        {
            DisplayName = $"Bench Leaver {run}", MailNickname = $"bench.leaver.{run}", UserType = "Member", UsageLocation = "GB", CreatedDateTime = joined,
        };
        tenant.Add(user);
        user.SetManager(manager);

        for (int i = 0; i < 150; i++)
        {
            var group = new DirectoryGroup(tenant.NewId())
            {
                DisplayName = $"Bench {run} project {i:000}", MailNickname = $"bench{run}project{i:000}", SecurityEnabled = true, CreatedDateTime = joined,
            };
            tenant.Add(group);
            group.AddMember(user);
        }

        RoleDefinition[] roles = tenant.RoleDefinitions.Take(3).ToArray();
        tenant.Add(new RoleAssignment { Id = tenant.NewOpaqueId(), Principal = user, Role = roles[0], StartDateTime = joined, CreatedDateTime = joined });
        tenant.Add(new RoleEligibility { Id = tenant.NewOpaqueId(), Principal = user, Role = roles[1], StartDateTime = joined, CreatedDateTime = joined });
        tenant.Add(new RoleAssignment
        {
            Id = tenant.NewOpaqueId(), Principal = user, Role = roles[2], StartDateTime = SandboxOrganisation.Now.AddDays(-1),
            EndDateTime = SandboxOrganisation.Now.AddDays(30), CreatedDateTime = SandboxOrganisation.Now.AddDays(-1),
        });

        foreach (ServicePrincipal application in tenant.ServicePrincipals.Take(10))
        {
            AppRole? role = application.AppRoles.FirstOrDefault(r => r.AllowedMemberTypes.Contains("User"));
            tenant.Add(new AppRoleAssignment
            {
                Id = tenant.NewOpaqueId(), AppRoleId = role?.Id ?? AppRoleAssignment.DefaultAccessRoleId, Principal = user, Resource = application, CreatedDateTime = joined,
            });
        }

        foreach (Guid sku in new[] { LicenceCatalogue.Office365E3, LicenceCatalogue.EntraIdP1, LicenceCatalogue.Microsoft365E5, LicenceCatalogue.EntraIdP2 })
        {
            user.AddDirectLicense(new AssignedLicense(sku, [], joined));
        }

        user.AddMethod(new PasswordMethod(PasswordMethod.WellKnownId) { CreatedDateTime = joined });
        user.AddMethod(new PhoneMethod(PhoneMethod.MobileId) { PhoneNumber = "+44 7700 900123", PhoneType = "mobile" });
        var authenticator = new MicrosoftAuthenticatorMethod(tenant.NewId()) { DisplayName = "Leaver's phone" };
        user.AddMethod(authenticator);
        user.AddMethod(new Fido2Method(tenant.NewId()) { DisplayName = "Security key", AaGuid = "cb69481e-8ff7-4039-93ec-0a2729a154a8", Model = "YubiKey 5" });
        user.DefaultMfaMethod = authenticator;
        return user;
    }
}
