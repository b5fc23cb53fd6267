using System.Diagnostics;
using IsmsOps.Engine;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Storage;
using IsmsOps.Engine.Tests.Storage;

namespace IsmsOps.Bench;

/// <summary>
/// The embedded store against the shared one: the durable audit append rate of one writer (one event, one transaction
/// and one signed checkpoint per append, as a cmdlet makes them), then 8 writers at once (8 workspaces, as 8 hosts),
/// whose appends both stores serialise. PostgreSQL runs in a throwaway local cluster with fsync on, over loopback TCP.
/// </summary>
internal static class StoreBenchmark
{
    private const int Writers = 8;

    public static async Task RunAsync(BenchOptions options, ResultTable report)
    {
        int runs = options.RunsOr(3);
        int events = Math.Max(Writers, options.AppendEvents / 25);
        PostgresCluster cluster = PostgresCluster.Start(durable: true);
        try
        {
            foreach ((string name, Func<string?> store) in new (string, Func<string?>)[] { ("SQLite", () => null), ("PostgreSQL", cluster.CreateDatabase) })
            {
                Samples one = await Repeat.MeasureAsync($"store {name} 1 writer", runs, _ => AppendAsync(store(), events, 1)).ConfigureAwait(false);
                report.Add($"{name}: audit append, 1 writer, 1 event per commit ({events:N0} events/run)", one, Unit.EventsPerSecond, null);
                Samples eight = await Repeat.MeasureAsync($"store {name} {Writers} writers", runs, _ => AppendAsync(store(), events, Writers)).ConfigureAwait(false);
                report.Add($"{name}: audit append, {Writers} writers at once, 1 event per commit ({events:N0} events/run)", eight, Unit.EventsPerSecond, null);
            }
        }
        finally
        {
            cluster.Stop();
        }
    }

    private static async Task<Measurement> AppendAsync(string? store, int events, int writers)
    {
        string home = Directory.CreateTempSubdirectory("ismsops-bench-store-").FullName;
        var location = new StoreLocation(home) { Store = store };
        var hosts = new List<IsmsWorkspace>();
        try
        {
            using (IsmsWorkspace first = IsmsWorkspace.Open(location))
            {
                // Opening migrates and makes the keys; the hosts below find both ready.
            }

            for (int w = 0; w < writers; w++)
            {
                string hostHome = Path.Combine(home, "host" + w);
                hosts.Add(IsmsWorkspace.Open(new StoreLocation(hostHome)
                {
                    Store = store ?? location.DatabasePath,
                    SigningKeyPath = location.SigningKeyPath,
                    MasterKeyPath = location.MasterKeyPath,
                }));
            }

            int each = events / writers;
            long started = Stopwatch.GetTimestamp();
            await Task.WhenAll(hosts.Select((host, w) => Task.Run(async () =>
            {
                for (int i = 0; i < each; i++)
                {
                    await host.Audit.AppendAsync([new AuditEventDraft("Bench.Event", $"w{w}:{i}", "{}")], AuditWorkload.Context, CancellationToken.None)
                        .ConfigureAwait(false);
                }
            }))).ConfigureAwait(false);
            TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
            long stored = await hosts[0].Audit.CountAsync(CancellationToken.None).ConfigureAwait(false);
            if (stored != each * writers)
            {
                throw new InvalidOperationException($"Appended {each * writers} events but the store holds {stored}.");
            }

            return new Measurement(stored / elapsed.TotalSeconds);
        }
        finally
        {
            foreach (IsmsWorkspace host in hosts)
            {
                host.Dispose();
            }

            Directory.Delete(home, recursive: true);
        }
    }
}
