using System.Diagnostics;
using IsmsOps.Engine;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Storage;

namespace IsmsOps.Bench;

/// <summary>
/// Durable append rate: <see cref="AuditTrail.AppendAsync(IReadOnlyList{AuditEventDraft}, OperationContext, CancellationToken)"/>
/// into a fresh store per run (WAL, synchronous=FULL, as shipped), one transaction and one signed checkpoint per batch.
/// Only the appends are timed; making the drafts and opening the store are not.
/// </summary>
internal static class AppendBenchmark
{
    private const double TargetEventsPerSecond = 5_000;

    public static async Task RunAsync(BenchOptions options, ResultTable report)
    {
        int runs = options.RunsOr(5);
        foreach (int batchSize in new[] { 1_000, 100, 1 })
        {
            // One commit per event is bound by the disk flush; fewer events keep that comparison short.
            int events = batchSize == 1 ? Math.Max(100, options.AppendEvents / 25) : options.AppendEvents;
            Samples rate = await Repeat.MeasureAsync($"append batch {batchSize}", runs, _ => AppendOnceAsync(events, batchSize)).ConfigureAwait(false);
            report.Add($"append, batches of {batchSize:N0} ({events:N0} events/run)", rate, Unit.EventsPerSecond,
                batchSize == 1 ? null : Target.AtLeast(TargetEventsPerSecond));
        }
    }

    private static async Task<Measurement> AppendOnceAsync(int events, int batchSize)
    {
        string home = Directory.CreateTempSubdirectory("ismsops-bench-append-").FullName;
        try
        {
            List<AuditEventDraft[]> batches = AuditWorkload.Batches(1, events, batchSize);
            using IsmsWorkspace workspace = IsmsWorkspace.Open(new StoreLocation(home));
            long started = Stopwatch.GetTimestamp();
            foreach (AuditEventDraft[] batch in batches)
            {
                await workspace.Audit.AppendAsync(batch, AuditWorkload.Context, CancellationToken.None).ConfigureAwait(false);
            }

            TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
            long stored = await workspace.Audit.CountAsync(CancellationToken.None).ConfigureAwait(false);
            if (stored != events)
            {
                throw new InvalidOperationException($"Appended {events} events but the store holds {stored}.");
            }

            return new Measurement(events / elapsed.TotalSeconds);
        }
        finally
        {
            Directory.Delete(home, recursive: true);
        }
    }
}
