using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using IsmsOps.Engine.Graph.Collection;

namespace IsmsOps.Engine.Graph;

/// <summary>Timing and limits of <see cref="GraphRetryHandler"/>. Tests make them short; the defaults suit Graph.</summary>
internal sealed class GraphRetryOptions
{
    /// <summary>Attempts in all, the first included.</summary>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>The first backoff ceiling when Graph gives no Retry-After; it doubles each retry up to <see cref="MaxDelay"/>.</summary>
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long one attempt (headers and body) may take before it counts as a timeout.</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>Waits between attempts; tests replace it to record the delays instead of sleeping.</summary>
    public Func<TimeSpan, CancellationToken, Task> Delay { get; init; } = Task.Delay;

    /// <summary>A number in [0, 1) for jitter.</summary>
    public Func<double> Random { get; init; } = System.Random.Shared.NextDouble;
}

/// <summary>Why a request is being retried.</summary>
public enum GraphRetryReason
{
    Throttled,
    ServiceUnavailable,
    ServerError,
    ConnectionFailed,
    Timeout,
}

/// <summary>One retry, as reported to <see cref="GraphConnectionOptions.RetryNotice"/> and <see cref="GraphConnection.Retrying"/>.</summary>
public sealed record GraphRetryNotice(string Method, string Url, int Attempt, int MaxAttempts, GraphRetryReason Reason, int? Status, TimeSpan Delay, bool FromRetryAfter)
{
    public override string ToString() =>
        $"{Method} {Url}: {Reason}{(Status is { } s ? $" ({s})" : "")}; attempt {Attempt + 1} of {MaxAttempts} in {Delay.TotalSeconds:0.##} s{(FromRetryAfter ? " (Retry-After)" : "")}.";
}

/// <summary>
/// When to retry a Graph request and how long to wait, as pure functions. The principle: repeat a request only when
/// doing it twice cannot do harm, or when Graph said it did not do it at all (429, 503).
/// </summary>
internal static class GraphRetryRules
{
    /// <summary>Methods whose repetition has the same effect as doing them once (RFC 9110). PATCH and POST are not.</summary>
    public static bool IsIdempotent(HttpMethod method) =>
        method == HttpMethod.Get || method == HttpMethod.Head || method == HttpMethod.Options
        || method == HttpMethod.Put || method == HttpMethod.Delete || method == HttpMethod.Trace;

    /// <summary>
    /// Whether a response with <paramref name="status"/> is worth another attempt. 429 and 503 mean Graph did not run
    /// the request (for a $batch, none of its items), so any method may repeat. 500, 502 and 504 may come after the
    /// work was done, so only idempotent requests repeat.
    /// </summary>
    public static GraphRetryReason? ForStatus(int status, HttpMethod method, bool replaySafe = false) => status switch
    {
        429 => GraphRetryReason.Throttled,
        503 => GraphRetryReason.ServiceUnavailable,
        500 or 502 or 504 when replaySafe || IsIdempotent(method) => GraphRetryReason.ServerError,
        _ => null,
    };

    /// <summary>
    /// A connection that failed or timed out without an answer: the server may have acted, so only idempotent
    /// requests repeat. A $batch POST is not repeated either, since its items may be writes, unless the sender marked
    /// it <paramref name="replaySafe"/> (<see cref="ReplaySafeOption"/>: a batch of reads).
    /// </summary>
    public static bool RetriesWithoutAnswer(HttpMethod method, bool replaySafe = false) => replaySafe || IsIdempotent(method);

    /// <summary>The wait Graph asked for in Retry-After (seconds or an HTTP date), never negative; null when absent.</summary>
    public static TimeSpan? RetryAfter(RetryConditionHeaderValue? header, DateTimeOffset now)
    {
        if (header?.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header?.Date is { } date)
        {
            TimeSpan wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    /// <summary>
    /// Exponential backoff with full jitter: a uniform wait between zero and min(max, base * 2^(retry-1)), so many
    /// clients throttled at once do not come back in step. <paramref name="retry"/> counts from 1.
    /// </summary>
    public static TimeSpan Backoff(int retry, TimeSpan baseDelay, TimeSpan maxDelay, double random)
    {
        double ceiling = baseDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(retry - 1, 0, 30));
        ceiling = Math.Min(ceiling, maxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(ceiling * Math.Clamp(random, 0, 1));
    }

    /// <summary>
    /// Statuses of a $batch item that mean "not done, try again": throttled, or a server-side failure. Every $batch
    /// sender sends only reads or writes whose repetition is harmless (<see cref="GraphWriter"/>), so each item is
    /// replay-safe whatever its method.
    /// </summary>
    public static bool IsTransientBatchItem(int status) => ForStatus(status, HttpMethod.Post, replaySafe: true) is not null;

    /// <summary>
    /// The wait before sending a $batch item again: its own Retry-After when Graph gave one, otherwise exponential
    /// backoff with full jitter, never beyond <see cref="GraphReaderOptions.BackoffCap"/>. Shared by every $batch sender.
    /// </summary>
    public static TimeSpan BatchItemDelay(JsonElement answer, int attempt, GraphReaderOptions options)
    {
        TimeSpan? retryAfter = null;
        if (answer.TryGetProperty("headers", out JsonElement headers) && headers.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty header in headers.EnumerateObject())
            {
                if (string.Equals(header.Name, "Retry-After", StringComparison.OrdinalIgnoreCase)
                    && int.TryParse(header.Value.ToString(), NumberStyles.None, CultureInfo.InvariantCulture, out int seconds))
                {
                    retryAfter = TimeSpan.FromSeconds(seconds);
                }
            }
        }

        TimeSpan wait = retryAfter ?? Backoff(attempt, options.BackoffBase, options.BackoffCap, System.Random.Shared.NextDouble());
        return wait > options.BackoffCap ? options.BackoffCap : wait;
    }

    /// <summary>The wait before retry number <paramref name="retry"/>: Retry-After when Graph sent one, otherwise backoff.</summary>
    public static (TimeSpan Delay, bool FromRetryAfter) DelayBefore(int retry, TimeSpan? retryAfter, GraphRetryOptions options, double random) =>
        retryAfter is { } wait ? (wait, true) : (Backoff(retry, options.BaseDelay, options.MaxDelay, random), false);
}

/// <summary>
/// Marks a request that may be sent again after a lost connection even though its method is not idempotent: a JSON
/// $batch whose items are all GETs. The Kiota adapter carries request options into <see cref="HttpRequestMessage.Options"/>
/// under the option type's full name, which is where <see cref="GraphRetryHandler"/> looks.
/// </summary>
internal sealed class ReplaySafeOption : Microsoft.Kiota.Abstractions.IRequestOption
{
    public static ReplaySafeOption Instance { get; } = new();

    private static readonly HttpRequestOptionsKey<Microsoft.Kiota.Abstractions.IRequestOption> Key = new(typeof(ReplaySafeOption).FullName!);

    /// <summary>Marks a raw request sent through <see cref="GraphConnection.Http"/>, where the Kiota adapter is not involved.</summary>
    public static void SetOn(HttpRequestMessage request) => request.Options.Set(Key, Instance);

    public static bool IsSetOn(HttpRequestMessage request) => request.Options.TryGetValue(Key, out var option) && option is ReplaySafeOption;
}
