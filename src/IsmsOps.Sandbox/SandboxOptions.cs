namespace IsmsOps.Sandbox;

/// <summary>The faults the sandbox can inject in place of (or before) a normal answer.</summary>
public enum SandboxFault
{
    /// <summary>Waits <see cref="SandboxOptions.FaultLatency"/>, then answers normally.</summary>
    Latency,

    /// <summary>429 with a Retry-After header, as Graph throttling usually answers.</summary>
    TooManyRequests,

    /// <summary>429 without Retry-After, so the client has to fall back to its own backoff.</summary>
    TooManyRequestsWithoutRetryAfter,

    /// <summary>503 Service Unavailable.</summary>
    ServiceUnavailable,

    /// <summary>Drops the connection without an answer. Decided per HTTP request: a $batch is dropped whole, never one item of it.</summary>
    ConnectionReset,

    /// <summary>Holds the request for <see cref="SandboxOptions.FaultTimeout"/>, then drops it, so the client's own timeout fires first.</summary>
    Timeout,
}

/// <summary>How big the generated organisation is and how badly the sandbox behaves.</summary>
public sealed class SandboxOptions
{
    public const int MinimumUserCount = 100;
    public const int MaximumUserCount = 100_000;

    /// <summary>Users to generate, from 100 to 100,000.</summary>
    public int UserCount { get; init; } = 500;

    /// <summary>The same seed always produces the same tenant and the same fault pattern.</summary>
    public int Seed { get; init; } = 27001;

    /// <summary>Share of requests (0 to 1) that get a fault. Each item of a $batch is decided on its own.</summary>
    public double FaultRate { get; init; }

    /// <summary>
    /// Faults to choose from when a request is picked for one. The default leaves out the connection-level faults
    /// (ConnectionReset, Timeout), which cost a client its timeout each; ask for them explicitly.
    /// </summary>
    public IReadOnlyList<SandboxFault> Faults { get; init; } =
        [SandboxFault.Latency, SandboxFault.TooManyRequests, SandboxFault.TooManyRequestsWithoutRetryAfter, SandboxFault.ServiceUnavailable];

    /// <summary>
    /// Delay added to every request and to every item of a $batch (how the items' delays add up is
    /// <see cref="ParallelBatchItems"/>), before any fault. A network's round trip, independent of
    /// <see cref="FaultRate"/>: 50 ms of latency with 20% faults on top is a slow and unreliable Graph.
    /// </summary>
    public TimeSpan Latency { get; init; }

    /// <summary>Delay added by a <see cref="SandboxFault.Latency"/> fault.</summary>
    public TimeSpan FaultLatency { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// How the latency injected into the items of one $batch adds up. False (the default): one item after another, so
    /// a batch of 20 takes 20 latencies; pessimistic, and what the collect benchmark in docs/performance.md was measured
    /// with. True: as Graph runs a batch, items that do not depend on each other wait side by side, so a batch takes
    /// its longest <c>dependsOn</c> chain of latencies. Items are answered in order either way.
    /// </summary>
    public bool ParallelBatchItems { get; init; }

    /// <summary>How long a <see cref="SandboxFault.Timeout"/> fault holds a request before dropping it.</summary>
    public TimeSpan FaultTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>Retry-After value (whole seconds) sent with <see cref="SandboxFault.TooManyRequests"/>.</summary>
    public int RetryAfterSeconds { get; init; } = 1;

    /// <summary>
    /// Whether the tenant has Entra ID P1. Without it Graph answers 403 to $select=signInActivity on users and to the
    /// authentication methods registration report, so a client can be tested against missing evidence.
    /// </summary>
    public bool PremiumP1 { get; init; } = true;

    /// <summary>Whether the tenant has Entra ID P2. Without it the PIM schedule endpoints answer 403.</summary>
    public bool PremiumP2 { get; init; } = true;

    /// <summary>
    /// The Graph application permissions (e.g. "User.Read.All") the sandbox's token carries. Null grants every
    /// permission; otherwise an endpoint none of whose accepted permissions is listed answers Graph's 403.
    /// </summary>
    public IReadOnlyCollection<string>? GrantedPermissions { get; init; }

    internal void Validate()
    {
        if (UserCount is < MinimumUserCount or > MaximumUserCount)
        {
            throw new ArgumentOutOfRangeException(nameof(UserCount), UserCount,
                $"The sandbox generates between {MinimumUserCount:N0} and {MaximumUserCount:N0} users; {UserCount:N0} is outside that range.");
        }

        if (double.IsNaN(FaultRate) || FaultRate is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(FaultRate), FaultRate, "FaultRate is a share of requests between 0 and 1.");
        }

        if (FaultRate > 0 && Faults.Count == 0)
        {
            throw new ArgumentException("FaultRate is above 0 but no faults are listed in Faults.", nameof(Faults));
        }

        if (FaultLatency < TimeSpan.Zero || FaultTimeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(FaultLatency < TimeSpan.Zero ? nameof(FaultLatency) : nameof(FaultTimeout),
                "Fault delays cannot be negative.");
        }

        if (Latency < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Latency), Latency, "Latency cannot be negative.");
        }

        if (RetryAfterSeconds < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(RetryAfterSeconds), RetryAfterSeconds, "RetryAfterSeconds cannot be negative.");
        }
    }
}
