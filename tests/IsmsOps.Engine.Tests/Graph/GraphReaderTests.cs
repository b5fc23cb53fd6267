using System.Text.Json;
using IsmsOps.Engine.Graph;
using IsmsOps.Engine.Graph.Collection;
using IsmsOps.Sandbox;

namespace IsmsOps.Engine.Tests.Graph;

public sealed class GraphReaderTests
{
    [Fact]
    public async Task Listing_follows_every_nextLink_until_the_collection_ends()
    {
        using var graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 250 });

        var ids = new List<string>();
        await graph.Reader.ListAsync(GraphOperation.ReadUsers, "/users?$select=id&$top=7", item => ids.Add(item.GetProperty("id").GetString()!), CancellationToken.None);

        Assert.Equal(250, ids.Count);
        Assert.Equal(250, ids.Distinct().Count());
        Assert.Equal((250 + 6) / 7, graph.Reader.RequestCount);
    }

    [Fact]
    public async Task Fan_out_reads_every_groups_members_twenty_to_a_batch()
    {
        using var graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 400 });
        List<string> groups = await GroupIdsAsync(graph);

        Dictionary<string, List<string>> members = await MembersAsync(graph.Reader, groups, pageSize: 999);

        foreach (string group in groups)
        {
            var expected = graph.Sandbox.Tenant.Groups.Single(g => g.Id == group).Members.Select(m => m.Id).Order().ToList();
            Assert.Equal(expected, members[group].Order().ToList());
        }

        long listing = graph.Reader.RequestCount - (groups.Count + 19) / 20;
        Assert.Equal(1, listing);
    }

    [Fact]
    public async Task Fan_out_follows_member_pages_inside_batches()
    {
        using var graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 300 });
        List<string> groups = await GroupIdsAsync(graph);

        Dictionary<string, List<string>> members = await MembersAsync(graph.Reader, groups, pageSize: 3);

        int expectedTotal = graph.Sandbox.Tenant.Groups.Sum(g => g.Members.Count);
        Assert.Equal(expectedTotal, members.Values.Sum(m => m.Count));
        Assert.All(members.Values, m => Assert.Equal(m.Count, m.Distinct().Count()));
    }

    [Fact]
    public async Task Throttled_and_failing_batch_items_are_retried_until_the_result_matches_a_fault_free_read()
    {
        Dictionary<string, List<string>> clean;
        using (var graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 400 }))
        {
            clean = await MembersAsync(graph.Reader, await GroupIdsAsync(graph), pageSize: 50);
        }

        using var faulty = await SandboxGraph.StartAsync(new SandboxOptions
        {
            UserCount = 400,
            FaultRate = 0.2,
            RetryAfterSeconds = 0,
            FaultLatency = TimeSpan.FromMilliseconds(5),
        });
        Dictionary<string, List<string>> withFaults = await MembersAsync(faulty.Reader, await GroupIdsAsync(faulty), pageSize: 50);

        Assert.True(faulty.Reader.ItemRetryCount > 0, "the sandbox should have throttled some batch items");
        Assert.Equal(clean.Keys.Order(), withFaults.Keys.Order());
        foreach (string group in clean.Keys)
        {
            Assert.Equal(clean[group].Order(), withFaults[group].Order());
        }
    }

    [Fact]
    public async Task An_item_still_failing_after_its_last_attempt_stops_the_fan_out_with_graphs_status_and_request_id()
    {
        // The fault sequence is seeded, and one batch at a time keeps it in order, so this run is the same every time.
        using var graph = await SandboxGraph.StartAsync(
            new SandboxOptions { UserCount = 100, FaultRate = 0.5, Faults = [SandboxFault.ServiceUnavailable] },
            SandboxGraph.FastRetries with { MaxItemAttempts = 1, MaxConcurrency = 1 });
        var groups = graph.Sandbox.Tenant.Groups.Take(20).Select(g => (g.Id, $"/groups/{g.Id}/members?$select=id")).ToList();

        var failure = await Assert.ThrowsAsync<IsmsException>(() => graph.Reader.FanOutAsync(GraphOperation.ReadGroupMembers, groups, (_, _) => { }, CancellationToken.None));

        var item = Assert.IsType<GraphBatchItemException>(failure.InnerException);
        Assert.Equal(503, item.Status);
        Assert.False(string.IsNullOrEmpty(item.RequestId));
        Assert.Contains(item.RequestId!, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_group_deleted_before_its_members_are_read_is_reported_as_vanished()
    {
        using var graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 100 });
        string real = (await GroupIdsAsync(graph))[0];
        const string missing = "11111111-2222-3333-4444-555555555555";

        IReadOnlyCollection<string> vanished = await graph.Reader.FanOutAsync(
            GraphOperation.ReadGroupMembers,
            [(real, $"/groups/{real}/members?$select=id"), (missing, $"/groups/{missing}/members?$select=id")],
            (_, _) => { }, CancellationToken.None);

        Assert.Equal([missing], vanished);
    }

    [Fact]
    public async Task A_batch_item_refused_for_a_bad_request_fails_with_graphs_error_code()
    {
        using var graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 100 });
        string group = (await GroupIdsAsync(graph))[0];

        var error = await Assert.ThrowsAsync<IsmsException>(() =>
            graph.Reader.FanOutAsync(GraphOperation.ReadGroupMembers, [(group, $"/groups/{group}/members?$orderby=displayName")], (_, _) => { }, CancellationToken.None));

        var failure = Assert.IsType<GraphBatchItemException>(error.InnerException);
        Assert.Equal(400, failure.Status);
        Assert.False(string.IsNullOrEmpty(failure.Code));
        Assert.False(string.IsNullOrEmpty(failure.RequestId));
        Assert.Equal("IsmsOps.Graph.RequestFailed", error.ErrorId);
        Assert.Contains(failure.Code!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_next_link_keeps_its_path_and_skip_token_when_made_relative_for_a_batch()
    {
        using var graph = await SandboxGraph.StartAsync(new SandboxOptions { UserCount = 100 });

        string relative = graph.Reader.RelativeUrl(graph.Reader.BaseUrl + "/groups/abc/members?$select=id&$top=3&$skiptoken=X%2BY");

        Assert.Equal("/groups/abc/members?$select=id&$top=3&$skiptoken=X%2BY", relative);
    }

    private static async Task<List<string>> GroupIdsAsync(SandboxGraph graph)
    {
        var ids = new List<string>();
        await graph.Reader.ListAsync(GraphOperation.ReadGroups, "/groups?$select=id&$top=999", item => ids.Add(item.GetProperty("id").GetString()!), CancellationToken.None);
        return ids;
    }

    private static async Task<Dictionary<string, List<string>>> MembersAsync(GraphReader reader, List<string> groups, int pageSize)
    {
        var members = groups.ToDictionary(g => g, _ => new List<string>());
        await reader.FanOutAsync(GraphOperation.ReadGroupMembers,
            groups.Select(g => (g, $"/groups/{g}/members?$select=id&$top={pageSize}")),
            (group, item) => members[group].Add(item.GetProperty("id").GetString()!),
            CancellationToken.None);
        return members;
    }
}

public sealed class GraphReaderReplayTests
{
    [Fact]
    public async Task A_batch_of_reads_reaches_the_handler_pipeline_marked_replay_safe()
    {
        using var sandbox = GraphSandbox.Start(new SandboxOptions { UserCount = 100 });
        var seen = new List<(string Method, bool ReplaySafe)>();
        using var forward = new HttpClient();
        var recorder = new RecordingHandler(request =>
        {
            lock (seen)
            {
                seen.Add((request.Method.Method, ReplaySafeOption.IsSetOn(request)));
            }

            var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Content = request.Content };
            foreach (var header in request.Headers)
            {
                copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            return forward.Send(copy);
        });
        using GraphConnection connection = await GraphTestSupport.ConnectAsync(sandbox, transport: recorder);
        var reader = new GraphReader(connection);
        string group = sandbox.Tenant.Groups[0].Id;

        await reader.FanOutAsync(GraphOperation.ReadGroupMembers, [(group, $"/groups/{group}/members?$select=id")], (_, _) => { }, CancellationToken.None);

        Assert.Contains(("POST", true), seen);
        Assert.DoesNotContain(seen, s => s.Method == "GET" && s.ReplaySafe);
    }
}

public sealed class GraphReaderHeaderAndCancellationTests
{
    [Fact]
    public async Task ConsistencyLevel_is_sent_on_every_page_not_only_the_first()
    {
        using var sandbox = GraphSandbox.Start(new SandboxOptions { UserCount = 120 });
        var pages = new List<(string Query, string? ConsistencyLevel)>();
        using var forward = new HttpClient();
        var recorder = new RecordingHandler(request =>
        {
            if (request.RequestUri!.AbsolutePath.EndsWith("/users", StringComparison.Ordinal))
            {
                lock (pages)
                {
                    pages.Add((request.RequestUri.Query, request.Headers.TryGetValues("ConsistencyLevel", out var v) ? v.Single() : null));
                }
            }

            var copy = new HttpRequestMessage(request.Method, request.RequestUri) { Content = request.Content };
            foreach (var header in request.Headers)
            {
                copy.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }

            return forward.Send(copy);
        });
        using GraphConnection connection = await GraphTestSupport.ConnectAsync(sandbox, transport: recorder);
        var reader = new GraphReader(connection);
        int count = 0;

        await reader.ListAsync(GraphOperation.ReadUsers, "/users?$select=id&$top=50&$count=true", _ => count++, CancellationToken.None, consistencyLevel: true);

        Assert.Equal(120, count);
        var listed = pages.Where(p => p.Query.Contains("%24top=50", StringComparison.Ordinal) || p.Query.Contains("$top=50", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, listed.Count);
        Assert.All(listed, p => Assert.Equal("eventual", p.ConsistencyLevel));
        Assert.Equal(2, listed.Count(p => p.Query.Contains("skiptoken", StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public async Task Cancelling_a_collection_stops_it_and_nothing_is_written()
    {
        using SandboxGraph graph = await SandboxGraph.StartAsync(new SandboxOptions
        {
            UserCount = 2000, FaultRate = 1, Faults = [SandboxFault.Latency], FaultLatency = TimeSpan.FromMilliseconds(200),
        });
        string file = Path.Combine(Path.GetTempPath(), $"ismsops-cancel-{Guid.NewGuid():N}.json.gz");
        using var home = new TempWorkspace();
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => DirectorySnapshotExport.ExportAsync(
            graph.Connection, file, overwrite: false, home.Workspace.Audit, Engine.Audit.OperationContext.ForCurrentUser(), null, cancel.Token));

        Assert.False(File.Exists(file));
    }
}
