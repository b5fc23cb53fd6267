using System.Globalization;
using System.Net;
using System.Net.Sockets;
using IsmsOps.Sandbox;
using IsmsOps.Sandbox.Directory;

namespace IsmsOps.Host.Tests;

/// <summary>
/// The shipped HR automation examples (examples/scheduled/hr-sync.ps1, examples/webhook/*.ps1) run in the bundled
/// host as a scheduler would run them, against a sandbox tenant held by this test, whose state is the judge.
/// </summary>
public sealed class HrAutomationScriptTests : SandboxScriptTests
{
    private static string Today(int days, string format) => DateTime.UtcNow.Date.AddDays(days).ToString(format, CultureInfo.InvariantCulture);

    // A member the offboarding can strip completely, with the direct memberships it holds before.
    private (DirectoryUser User, DirectoryGroup[] Groups) Colleague(int skip)
    {
        DirectoryUser user = Tenant.Users.Where(u => u.AccountEnabled && u.UserType == "Member").Skip(skip).First();
        DirectoryGroup[] groups = Tenant.Groups.Where(g => g.HasMember(user.Id) && !g.IsDynamic && g.OnPremisesSyncEnabled != true && !(g.MailEnabled && g.SecurityEnabled && !g.IsUnified)).ToArray();
        return (user, groups);
    }

    private void Seed(string command)
    {
        IsmsResult seeded = Isms.Run("-Command", "Import-Module IsmsOps -ErrorAction Stop; " + command);
        Assert.True(seeded.ExitCode == 0 && seeded.Error.Length == 0, seeded.ToString());
    }

    private bool IsMember(string groupName, string userId) => Tenant.Groups.Where(g => g.DisplayName == groupName).Any(g => g.HasMember(userId));

    [Fact]
    public void The_scheduled_job_imports_the_feed_onboards_the_joiner_behind_the_screening_gate_offboards_the_past_leaver_and_leaves_the_future_one()
    {
        (DirectoryUser leaver, DirectoryGroup[] leaverGroups) = Colleague(10);
        (DirectoryUser staying, _) = Colleague(11);
        Seed($"New-IsmsPerson -PersonId E8002 -DisplayName 'Lee Leaver' -UserPrincipalName '{leaver.UserPrincipalName}' -Status Active | Out-Null; "
            + $"New-IsmsPerson -PersonId E8003 -DisplayName 'Stay Later' -UserPrincipalName '{staying.UserPrincipalName}' -Status Active | Out-Null");
        string joinerUpn = "nova.joiner@" + Tenant.DefaultDomain;
        string folder = Isms.NewTempFolder();
        string feed = Path.Combine(folder, "export.csv");
        File.WriteAllText(feed, string.Join('\n',
            "EmployeeNumber,FullName,WorkEmail,Department,Position,ManagerEmployeeNumber,HireDate,TerminationDate,WorkerType,Country",
            $"E8001,Nova Joiner,{joinerUpn},Engineering,software-engineer,,{Today(0, "dd/MM/yyyy")},,Employee,AT",
            $"E8002,Lee Leaver,{leaver.UserPrincipalName},,,,,{Today(-3, "dd/MM/yyyy")},Employee,GB",
            $"E8003,Stay Later,{staying.UserPrincipalName},,,,,{Today(20, "dd/MM/yyyy")},Employee,GB") + "\n");
        string[] job = ["-File", Example("scheduled", "hr-sync.ps1"), "-FeedPath", feed, "-MappingPath", Example("hr-feed-mapping.yaml")];
        Assert.NotEmpty(leaverGroups);

        IsmsResult first = Isms.Run(job);

        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.Contains("1 joiners", first.Output, StringComparison.Ordinal);
        Assert.Contains("E8001 Onboarding Blocked", first.Output, StringComparison.Ordinal);
        Assert.Contains("E8002 Offboarding", first.Output, StringComparison.Ordinal);
        DirectoryUser joiner = Assert.IsType<DirectoryUser>(Tenant.FindUser(joinerUpn));
        Assert.False(IsMember("Engineering", joiner.Id));
        Assert.False(leaver.AccountEnabled);
        Assert.All(leaverGroups, g => Assert.False(g.HasMember(leaver.Id), g.DisplayName));
        Assert.True(staying.AccountEnabled);

        // Screening clears between two runs of the job: the next run grants the role's access, and changes nothing else.
        Seed("$s = New-IsmsScreening E8001 -Level Standard -Status Requested; "
            + "Set-IsmsScreening $s.ScreeningId -Identity Clear -RightToWork Clear -CriminalRecord Clear -References Clear -Status Cleared | Out-Null");
        IsmsResult second = Isms.Run(job);

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains("E8001 Onboarding Completed", second.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("E8002 Offboarding", second.Output, StringComparison.Ordinal);
        Assert.True(IsMember("Engineering", joiner.Id));
        Assert.True(staying.AccountEnabled);

        IsmsResult audit = Isms.Run("-Command", "Import-Module IsmsOps; (Test-IsmsAuditTrail).IsValid; @(Get-IsmsAuditEvent -Action Lifecycle.Finished).Count");
        Assert.Equal(["True", "2"], audit.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    [Fact]
    public void The_scheduled_job_exits_2_and_says_why_when_no_graph_connection_is_configured()
    {
        Isms.Environment["ISMSOPS_SANDBOX_URL"] = null;
        string feed = Isms.WriteScript("export.csv", "EmployeeNumber,FullName\n");

        IsmsResult result = Isms.Run("-File", Example("scheduled", "hr-sync.ps1"), "-FeedPath", feed, "-MappingPath", Example("hr-feed-mapping.yaml"));

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains("No Graph connection is configured", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void A_webhook_leaver_past_the_end_date_is_offboarded_a_redelivery_sends_nothing_a_future_leaver_waits_and_a_refused_event_exits_3()
    {
        (DirectoryUser leaver, DirectoryGroup[] groups) = Colleague(20);
        (DirectoryUser later, _) = Colleague(21);
        Seed($"New-IsmsPerson -PersonId E8101 -DisplayName 'Web Leaver' -UserPrincipalName '{leaver.UserPrincipalName}' -Status Active | Out-Null; "
            + $"New-IsmsPerson -PersonId E8102 -DisplayName 'Web Later' -UserPrincipalName '{later.UserPrincipalName}' -Status Active | Out-Null");
        string handler = Example("webhook", "handle-hr-event.ps1");
        string body = $$"""{ "idempotencyKey": "wd-9001", "kind": "Leaver", "personId": "E8101", "endDate": "{{Today(-1, "yyyy-MM-dd")}}" }""";

        IsmsResult delivered = Isms.RunWithInput(body, "-File", handler);

        Assert.True(delivered.ExitCode == 0, delivered.ToString());
        Assert.Contains("wd-9001 Leaver E8101 Applied", delivered.Output, StringComparison.Ordinal);
        Assert.Contains("E8101 Offboarding Completed", delivered.Output, StringComparison.Ordinal);
        Assert.False(leaver.AccountEnabled);
        Assert.All(groups, g => Assert.False(g.HasMember(leaver.Id), g.DisplayName));

        // The same delivery again, as a file: nothing beyond what connecting costs reaches Graph.
        long beforeConnect = Sandbox.RequestCount;
        IsmsResult connectOnly = Isms.Run("-Command", $"Import-Module IsmsOps; . '{Example("scheduled", "connect-graph.ps1")}'; Connect-IsmsJobGraph | Out-Null");
        long connectCost = Sandbox.RequestCount - beforeConnect;
        string file = Isms.WriteScript("delivery.json", body);
        long before = Sandbox.RequestCount;
        IsmsResult again = Isms.Run("-File", handler, "-BodyPath", file);

        Assert.True(connectOnly.ExitCode == 0, connectOnly.ToString());
        Assert.True(again.ExitCode == 0, again.ToString());
        Assert.Contains("wd-9001 Leaver E8101 AlreadyProcessed", again.Output, StringComparison.Ordinal);
        Assert.Contains("E8101 Nothing", again.Output, StringComparison.Ordinal);
        Assert.Equal(connectCost, Sandbox.RequestCount - before);

        // A leaver whose end date is ahead: recorded, not offboarded.
        IsmsResult future = Isms.RunWithInput($$"""{ "idempotencyKey": "wd-9002", "kind": "Leaver", "personId": "E8102", "endDate": "{{Today(10, "yyyy-MM-dd")}}" }""", "-File", handler);
        Assert.True(future.ExitCode == 0, future.ToString());
        Assert.Contains("E8102 Nothing NotDue", future.Output, StringComparison.Ordinal);
        Assert.True(later.AccountEnabled);

        IsmsResult refused = Isms.RunWithInput("""{ "idempotencyKey": "wd-9003", "kind": "Mover", "personId": "E8102", "jobRole": "astronaut" }""", "-File", handler);
        Assert.True(refused.ExitCode == 3, refused.ToString());
        Assert.Contains("IsmsOps.Role.NotFound", refused.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_local_webhook_listener_answers_200_for_an_applied_leaver_and_422_for_a_refused_event_and_offboards_against_the_sandbox()
    {
        (DirectoryUser leaver, _) = Colleague(30);
        Seed($"New-IsmsPerson -PersonId E8201 -DisplayName 'Listener Leaver' -UserPrincipalName '{leaver.UserPrincipalName}' -Status Active | Out-Null");
        int port = FreePort();
        // The listener runs as every other host run here (same environment, same timeout and kill), on a worker thread.
        Task<IsmsResult> listener = Task.Run(() => Isms.Run("-File", Example("webhook", "listener.ps1"), "-Port", port.ToString(CultureInfo.InvariantCulture), "-MaxRequests", "2"));
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(1) };
        string url = $"http://127.0.0.1:{port}/hr-events/";
        HttpResponseMessage applied = await PostWhenListeningAsync(http, url,
            $$"""{ "idempotencyKey": "wd-9101", "kind": "Leaver", "personId": "E8201", "endDate": "{{Today(-2, "yyyy-MM-dd")}}" }""", listener);
        HttpResponseMessage refused = await http.PostAsync(url, new StringContent("""{ "idempotencyKey": "wd-9102", "kind": "Leaver", "personId": "E8201" }"""));

        Assert.True(await Task.WhenAny(listener, Task.Delay(TimeSpan.FromMinutes(1))) == listener, "The listener did not stop after two requests.");
        IsmsResult run = await listener;
        string log = run.ToString();
        Assert.True(applied.StatusCode == HttpStatusCode.OK, $"{applied.StatusCode}: {await applied.Content.ReadAsStringAsync()}\n{log}");
        Assert.Contains("E8201 Offboarding Completed", await applied.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.False(leaver.AccountEnabled);
        Assert.Equal(0, run.ExitCode);
    }

    private static async Task<HttpResponseMessage> PostWhenListeningAsync(HttpClient http, string url, string body, Task<IsmsResult> listener)
    {
        // The host takes a few seconds to load the module and connect; the listener says nothing until it listens.
        for (int attempt = 0; attempt < 600; attempt++)
        {
            try
            {
                return await http.PostAsync(url, new StringContent(body));
            }
            catch (HttpRequestException) when (!listener.IsCompleted)
            {
                await Task.Delay(100);
            }
        }

        throw new Xunit.Sdk.XunitException($"Nothing listened on {url} within a minute.");
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }
}
