namespace IsmsOps.Sandbox.Http;

/// <summary>
/// Decides which requests get a fault. The decision depends only on the seed and the request's sequence number, not
/// on a shared Random, so a test that sends requests one at a time sees the same faults on every run.
/// </summary>
internal sealed class FaultInjector
{
    private readonly SandboxOptions _options;
    private readonly ulong _seed;
    private long _sequence;
    private double _faultRate;

    public FaultInjector(SandboxOptions options)
    {
        _options = options;
        _seed = unchecked((ulong)options.Seed * 0x9E3779B97F4A7C15UL + 0x5A4D);
        _faultRate = options.FaultRate;
    }

    /// <summary>The share of requests faulted from now on; starts at <see cref="SandboxOptions.FaultRate"/>.</summary>
    public double FaultRate
    {
        get => Volatile.Read(ref _faultRate);
        set => Volatile.Write(ref _faultRate, value);
    }

    /// <summary>The delay a <see cref="SandboxFault.Latency"/> fault adds.</summary>
    public TimeSpan Latency => _options.FaultLatency;

    /// <summary>Whether the independent items of a $batch wait out their latency side by side (<see cref="SandboxOptions.ParallelBatchItems"/>).</summary>
    public bool ParallelBatchItems => _options.ParallelBatchItems;

    /// <summary>The fault for the next request, or null when it should be answered normally.</summary>
    public SandboxFault? Next()
    {
        ulong position = (ulong)Interlocked.Increment(ref _sequence);
        double rate = FaultRate;
        if (rate <= 0 || SeedSequence.At(_seed, position) >= rate)
        {
            return null;
        }

        int pick = (int)(SeedSequence.At(_seed ^ 0xFA17UL, position) * _options.Faults.Count);
        return _options.Faults[Math.Min(pick, _options.Faults.Count - 1)];
    }

    /// <summary>The answer for a fault that replaces the response; null for latency, which only delays it.</summary>
    public async Task<GraphResponse?> RespondAsync(SandboxFault fault, GraphRequest request, CancellationToken cancellationToken)
    {
        switch (fault)
        {
            case SandboxFault.Latency:
                await Task.Delay(_options.FaultLatency, cancellationToken).ConfigureAwait(false);
                return null;
            case SandboxFault.Timeout:
                await Task.Delay(_options.FaultTimeout, cancellationToken).ConfigureAwait(false);
                return GraphResponse.DroppedConnection();
            case SandboxFault.ConnectionReset:
                return GraphResponse.DroppedConnection();
            case SandboxFault.TooManyRequests:
                var throttled = Throttled(request);
                throttled.Headers["Retry-After"] = _options.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                return throttled;
            case SandboxFault.TooManyRequestsWithoutRetryAfter:
                return Throttled(request);
            case SandboxFault.ServiceUnavailable:
                return GraphResponse.Error(request, 503, "serviceNotAvailable", "The service is temporarily unavailable. (sandbox fault injection)");
            default:
                return null;
        }
    }

    /// <summary>The round trip every request and $batch item pays, faulted or not (<see cref="SandboxOptions.Latency"/>).</summary>
    public TimeSpan BaseLatency => _options.Latency;

    /// <summary>Waits <see cref="SandboxOptions.Latency"/>, the round trip every request and $batch item pays, faulted or not.</summary>
    public Task DelayAsync(CancellationToken cancellationToken) =>
        _options.Latency > TimeSpan.Zero ? Task.Delay(_options.Latency, cancellationToken) : Task.CompletedTask;

    private static GraphResponse Throttled(GraphRequest request) =>
        GraphResponse.Error(request, 429, "TooManyRequests", "Too many requests. (sandbox fault injection)");
}
