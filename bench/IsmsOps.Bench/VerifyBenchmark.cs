using IsmsOps.Engine;
using IsmsOps.Engine.Audit;
using IsmsOps.Engine.Storage;
using IsmsOps.Engine.Storage.Sqlite;
using Microsoft.Data.Sqlite;

namespace IsmsOps.Bench;

/// <summary>
/// Verification of a large trail with <see cref="AuditTrail.VerifyAsync"/>, end to end, and the parts it is made of:
/// stepping SQLite through the rows, turning rows into <see cref="AuditEvent"/>s, and recomputing the hashes.
/// The store is built once with the ordinary append path (batches of 10,000 unless --build-batch says otherwise, so one
/// signed checkpoint per batch) and is warm in the page cache.
/// </summary>
internal static class VerifyBenchmark
{
    private const double TargetSeconds = 3.0;
    private const int HashSample = 100_000;

    public static async Task RunAsync(BenchOptions options, ResultTable report)
    {
        int runs = options.RunsOr(3);
        long events = options.VerifyEvents;
        string home = options.StoreDirectory ?? Directory.CreateTempSubdirectory("ismsops-bench-verify-").FullName;
        try
        {
            using IsmsWorkspace workspace = IsmsWorkspace.Open(new StoreLocation(home));
            await EnsureEventsAsync(workspace, events, options.BuildBatch, report).ConfigureAwait(false);
            var store = (SqliteStore)workspace.Store;
            string label = $"{events:N0} events";
            int checkpointCount = 0;

            Samples verify = await Repeat.MeasureAsync("verify", runs, async _ =>
            {
                Timing timing = Timing.Start();
                AuditVerificationResult result = await workspace.Audit.VerifyAsync([], CancellationToken.None).ConfigureAwait(false);
                Measurement seconds = timing.Seconds();
                if (!result.IsValid || result.EventCount != events)
                {
                    throw new InvalidOperationException($"Verification did not pass: {result.Message}");
                }

                return seconds;
            }).ConfigureAwait(false);
            report.Add($"verify {label} (VerifyAsync, end to end)", verify, Unit.Seconds, Target.AtMost(TargetSeconds * events / 1_000_000));

            Samples step = await Repeat.MeasureAsync("sqlite step", runs, _ => Task.FromResult(Time(() => StepRows(store, events)))).ConfigureAwait(false);
            report.Add($"  part: SQLite steps through {label} (no text fetched)", step, Unit.Seconds);

            Samples read = await Repeat.MeasureAsync("store read", runs, _ => Task.FromResult(Time(() => ReadEvents(store, events)))).ConfigureAwait(false);
            report.Add($"  part: store read of {label} (ReadAuditEvents → AuditEvent)", read, Unit.Seconds);

            Samples checkpoints = await Repeat.MeasureAsync("checkpoints", runs, async _ =>
            {
                Timing timing = Timing.Start();
                IReadOnlyList<AuditCheckpoint> all = await store.ReadCheckpointsAsync(CancellationToken.None).ConfigureAwait(false);
                Measurement seconds = timing.Seconds();
                checkpointCount = all.Count;
                return seconds;
            }).ConfigureAwait(false);
            report.Add($"  part: read all {checkpointCount:N0} checkpoints (ReadCheckpointsAsync)", checkpoints, Unit.Seconds);

            List<AuditEvent> sample = store.ReadAuditEvents(AuditEventQuery.All, CancellationToken.None).Take(HashSample).ToList();
            Samples hash = await Repeat.MeasureAsync("hash", runs, _ => Task.FromResult(Time(() => HashEvents(sample, events)))).ConfigureAwait(false);
            report.Add($"  part: hash {label} (AuditHash.ComputeEventHash, in memory)", hash, Unit.Seconds);

            Console.Error.WriteLine($"verify: read rate {events / read.Median:N0} events/s; hash rate {events / hash.Median:N0} events/s");
        }
        finally
        {
            if (options.StoreDirectory is null)
            {
                Directory.Delete(home, recursive: true);
            }
        }
    }

    // Builds the trail through the ordinary append path, or reuses one that --store kept from an earlier run.
    private static async Task EnsureEventsAsync(IsmsWorkspace workspace, long events, int buildBatch, ResultTable report)
    {
        long existing = await workspace.Audit.CountAsync(CancellationToken.None).ConfigureAwait(false);
        if (existing == events)
        {
            Console.Error.WriteLine($"verify: reusing {existing:N0} events in {workspace.Store.Description}");
            return;
        }

        if (existing != 0)
        {
            throw new InvalidOperationException($"{workspace.Store.Description} holds {existing:N0} events, not {events:N0}; give --store an empty folder.");
        }

        Timing timing = Timing.Start();
        long reportEvery = Math.Max(buildBatch, events / 10);
        for (long done = 0; done < events; done += buildBatch)
        {
            int size = (int)Math.Min(buildBatch, events - done);
            await workspace.Audit.AppendAsync(AuditWorkload.Batches(done + 1, size, size)[0], AuditWorkload.Context, CancellationToken.None)
                .ConfigureAwait(false);
            if ((done + size) % reportEvery < size)
            {
                Console.Error.WriteLine($"verify: built {done + size:N0} of {events:N0} events");
            }
        }

        double seconds = timing.Elapsed.TotalSeconds;
        report.Add($"build the store: append {events:N0} events in batches of {buildBatch:N0} (once)", new Samples([events / seconds]), Unit.EventsPerSecond);
    }

    private static Measurement Time(Action work)
    {
        Timing timing = Timing.Start();
        work();
        return timing.Seconds();
    }

    // What SQLite itself costs: the store's query, stepped through every row, no column text fetched.
    private static void StepRows(SqliteStore store, long expected)
    {
        using SqliteConnection connection = store.OpenConnection();
        using SqliteCommand command = connection.CreateCommand();
        command.CommandText = "SELECT seq, time, actor, identity, action, target, correlation_id, details, prev_hash, hash FROM audit_event ORDER BY seq;";
        using SqliteDataReader reader = command.ExecuteReader();
        long rows = 0;
        long checksum = 0;
        while (reader.Read())
        {
            checksum += reader.GetInt64(0);
            rows++;
        }

        Check(rows, expected, checksum);
    }

    private static void ReadEvents(SqliteStore store, long expected)
    {
        long rows = 0;
        long checksum = 0;
        foreach (AuditEvent e in store.ReadAuditEvents(AuditEventQuery.All, CancellationToken.None))
        {
            checksum += e.Details.Length;
            rows++;
        }

        Check(rows, expected, checksum);
    }

    // Hashes the in-memory sample over and over until it has hashed as many events as the store holds.
    private static void HashEvents(List<AuditEvent> sample, long total)
    {
        long hashed = 0;
        while (hashed < total)
        {
            foreach (AuditEvent e in sample)
            {
                if (hashed++ == total)
                {
                    break;
                }

                if (!string.Equals(AuditHash.ComputeEventHash(e), e.Hash, StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"Event {e.Sequence} hashed differently from its stored hash.");
                }
            }
        }
    }

    private static void Check(long rows, long expected, long checksum)
    {
        if (rows != expected || checksum == 0)
        {
            throw new InvalidOperationException($"Read {rows:N0} rows, expected {expected:N0}.");
        }
    }
}
