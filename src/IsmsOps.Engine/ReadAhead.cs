using System.Collections.Concurrent;

namespace IsmsOps.Engine;

/// <summary>
/// Enumerates a sequence on a second thread, a few chunks ahead of its consumer, so that on two cores making the values
/// and using them overlap. Values come out in order; an exception of the source is thrown to the consumer once the
/// values before it are taken, and a consumer that stops early (or fails) stops the source.
/// </summary>
internal static class ReadAhead
{
    /// <summary>Chunks in flight at most.</summary>
    private const int Depth = 4;

    /// <summary>
    /// <paramref name="source"/>, made on a second thread up to four chunks of <paramref name="chunkSize"/> ahead.
    /// Small and few chunks: values waiting in the queue when a collection runs are promoted, and a deep queue let a
    /// few hundred megabytes of dead values pile up in the oldest generation. A chunk of structs stays under the
    /// large-object threshold (85,000 bytes) when <paramref name="chunkSize"/> is chosen for its size.
    /// </summary>
    public static IEnumerable<T> Enumerate<T>(IEnumerable<T> source, CancellationToken cancellationToken, int chunkSize = 1024)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        // Each chunk is filled in place and handed over whole, never copied.
        using var chunks = new BlockingCollection<(T[] Values, int Count)>(boundedCapacity: Depth);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        // Its own thread for as long as the source lasts: a busy thread pool must not hold up the consumer waiting on it.
        Task producer = Task.Factory.StartNew(() =>
        {
            var chunk = new T[chunkSize];
            int count = 0;
            try
            {
                foreach (T item in source)
                {
                    chunk[count++] = item;
                    if (count == chunkSize)
                    {
                        chunks.Add((chunk, count), stop.Token);
                        chunk = new T[chunkSize];
                        count = 0;
                    }
                }
            }
            finally
            {
                try
                {
                    // The values made before the end, or before the source failed, still reach the consumer.
                    if (count > 0 && !stop.IsCancellationRequested)
                    {
                        chunks.Add((chunk, count), stop.Token);
                    }
                }
                catch (OperationCanceledException)
                {
                    // The consumer stopped meanwhile: nobody takes them.
                }
                finally
                {
                    chunks.CompleteAdding();
                }
            }
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

        bool finished = false;
        try
        {
            foreach ((T[] values, int count) in chunks.GetConsumingEnumerable(stop.Token))
            {
                for (int i = 0; i < count; i++)
                {
                    yield return values[i];
                }
            }

            finished = true;
        }
        finally
        {
            if (!finished)
            {
                stop.Cancel();
                try
                {
                    producer.Wait(CancellationToken.None);
                }
                catch (AggregateException)
                {
                    // The consumer's own exception (or its stopping early) is what matters; the source only saw the stop.
                }
            }
        }

        // All values are taken: the source's exception, if it had one, now reaches the consumer.
        producer.GetAwaiter().GetResult();
    }
}
