namespace IsmsOps.Engine.Tests;

public sealed class ReadAheadTests
{
    [Fact]
    public void Values_come_out_in_order_across_chunk_boundaries()
    {
        Assert.Equal(Enumerable.Range(0, 1_001), ReadAhead.Enumerate(Enumerable.Range(0, 1_001), CancellationToken.None, chunkSize: 7));
        Assert.Empty(ReadAhead.Enumerate(Enumerable.Empty<int>(), CancellationToken.None));
    }

    [Fact]
    public void The_source_is_made_on_another_thread()
    {
        int consumer = Environment.CurrentManagedThreadId;
        var producers = ReadAhead.Enumerate(Enumerable.Range(0, 10).Select(_ => Environment.CurrentManagedThreadId), CancellationToken.None).ToList();

        Assert.DoesNotContain(consumer, producers);
    }

    [Fact]
    public void A_failure_of_the_source_reaches_the_consumer_after_every_value_before_it()
    {
        static IEnumerable<int> Failing()
        {
            for (int i = 0; i < 50; i++)
            {
                yield return i;
            }

            throw new InvalidOperationException("the source broke");
        }

        var taken = new List<int>();
        var error = Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (int value in ReadAhead.Enumerate(Failing(), CancellationToken.None, chunkSize: 8))
            {
                taken.Add(value);
            }
        });

        Assert.Equal("the source broke", error.Message);
        Assert.Equal(Enumerable.Range(0, 50), taken);
    }

    [Fact]
    public void A_consumer_that_stops_early_stops_the_source_and_its_cleanup_runs()
    {
        using var finished = new ManualResetEventSlim();
        int made = 0;
        IEnumerable<int> Endless()
        {
            try
            {
                while (true)
                {
                    yield return Interlocked.Increment(ref made);
                }
            }
            finally
            {
                finished.Set();
            }
        }

        Assert.Equal([1, 2, 3], ReadAhead.Enumerate(Endless(), CancellationToken.None, chunkSize: 4).Take(3));

        // Stopping waits for the source, so its cleanup has run, and at most a few chunks were made ahead.
        Assert.True(finished.IsSet);
        Assert.InRange(made, 3, 4 * 6);
    }

    [Fact]
    public void Cancellation_stops_the_source_and_reaches_the_consumer()
    {
        using var cancel = new CancellationTokenSource();
        int made = 0;
        IEnumerable<int> Endless()
        {
            while (true)
            {
                yield return Interlocked.Increment(ref made);
            }
        }

        Assert.ThrowsAny<OperationCanceledException>(() =>
        {
            foreach (int value in ReadAhead.Enumerate(Endless(), cancel.Token, chunkSize: 4))
            {
                if (value == 10)
                {
                    cancel.Cancel();
                }
            }
        });
        int after = Volatile.Read(ref made);
        Thread.Sleep(50);
        Assert.Equal(after, Volatile.Read(ref made));
    }
}
