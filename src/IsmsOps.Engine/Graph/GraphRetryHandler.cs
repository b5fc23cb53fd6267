namespace IsmsOps.Engine.Graph;

/// <summary>
/// Retries throttled and transiently failed Graph requests (rules in <see cref="GraphRetryRules"/>), in place of
/// Kiota's RetryHandler: that one also retries after a connection reset whatever the method, and gives no notice.
/// It buffers each response body inside the attempt, so a connection dropped mid-body counts as a failed attempt
/// and the per-attempt timeout covers the body too. The last answer is stamped with the request line
/// (<see cref="RequestLineHeader"/>) so an error raised later by the SDK can still name the method and URL.
/// </summary>
internal sealed class GraphRetryHandler : DelegatingHandler
{
    /// <summary>Response header carrying "METHOD url" (query values redacted) of the request that failed.</summary>
    public const string RequestLineHeader = "X-IsmsOps-Request";

    private readonly GraphRetryOptions _options;
    private readonly Action<GraphRetryNotice> _notify;

    public GraphRetryHandler(GraphRetryOptions options, Action<GraphRetryNotice> notify)
    {
        _options = options;
        _notify = notify;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Content is not null)
        {
            // Lets the same content be sent again on a retry.
            await request.Content.LoadIntoBufferAsync().ConfigureAwait(false);
        }

        bool replaySafe = ReplaySafeOption.IsSetOn(request);

        // A body sent once from a stream cannot be sent again; buffered, every attempt sends the same bytes.
        if (request.Content is not null)
        {
            await request.Content.LoadIntoBufferAsync().ConfigureAwait(false);
        }

        for (int attempt = 1; ; attempt++)
        {
            HttpResponseMessage? response = null;
            Exception? failure = null;
            GraphRetryReason? reason;
            using (var attemptCancellation = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                attemptCancellation.CancelAfter(_options.AttemptTimeout);
                try
                {
                    response = await base.SendAsync(request, attemptCancellation.Token).ConfigureAwait(false);
                    await BufferAsync(response, attemptCancellation.Token).ConfigureAwait(false);
                    reason = GraphRetryRules.ForStatus((int)response.StatusCode, request.Method, replaySafe);
                }
                catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
                {
                    response?.Dispose();
                    response = null;
                    failure = new TimeoutException($"{request.Method} {GraphRequestLine.Redact(request.RequestUri)} got no answer within {_options.AttemptTimeout.TotalSeconds:0} s.", e);
                    reason = GraphRetryRules.RetriesWithoutAnswer(request.Method, replaySafe) ? GraphRetryReason.Timeout : null;
                }
                catch (Exception e) when (e is HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
                {
                    response?.Dispose();
                    response = null;
                    failure = e;
                    reason = GraphRetryRules.RetriesWithoutAnswer(request.Method, replaySafe) ? GraphRetryReason.ConnectionFailed : null;
                }
            }

            if (reason is null || attempt >= _options.MaxAttempts)
            {
                if (response is null)
                {
                    throw failure is HttpRequestException ? failure : new HttpRequestException(failure!.Message, failure);
                }

                if (!response.IsSuccessStatusCode)
                {
                    response.Headers.TryAddWithoutValidation(RequestLineHeader, GraphRequestLine.Of(request));
                }

                return response;
            }

            TimeSpan? retryAfter = response is null ? null : GraphRetryRules.RetryAfter(response.Headers.RetryAfter, DateTimeOffset.UtcNow);
            var (delay, fromRetryAfter) = GraphRetryRules.DelayBefore(attempt, retryAfter, _options, _options.Random());
            _notify(new GraphRetryNotice(request.Method.Method, GraphRequestLine.Redact(request.RequestUri), attempt, _options.MaxAttempts,
                reason.Value, response is null ? null : (int)response.StatusCode, delay, fromRetryAfter));
            response?.Dispose();
            await _options.Delay(delay, cancellationToken).ConfigureAwait(false);
        }
    }

    // net8.0's LoadIntoBufferAsync takes no token, so read the body here, where the attempt's timeout applies.
    private static async Task BufferAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        byte[] body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var buffered = new ByteArrayContent(body);
        foreach (var (name, values) in response.Content.Headers)
        {
            buffered.Headers.TryAddWithoutValidation(name, values);
        }

        response.Content.Dispose();
        response.Content = buffered;
    }
}

/// <summary>Sends <c>x-ms-throttle-priority: Low</c> with every request of a low-priority connection.</summary>
internal sealed class ThrottlePriorityHandler : DelegatingHandler
{
    public const string HeaderName = "x-ms-throttle-priority";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        request.Headers.Remove(HeaderName);
        request.Headers.TryAddWithoutValidation(HeaderName, "Low");
        return base.SendAsync(request, cancellationToken);
    }
}

/// <summary>"METHOD url" for messages, with query values that could carry secrets or paging state redacted.</summary>
internal static class GraphRequestLine
{
    // OData options are safe and useful to show; any other parameter's value (a skip token, a signature) is not.
    private static readonly HashSet<string> ShownOptions = new(StringComparer.OrdinalIgnoreCase)
    {
        "$select", "$top", "$filter", "$expand", "$count", "$orderby", "$search",
    };

    public static string Of(HttpRequestMessage request) => request.Method.Method + " " + Redact(request.RequestUri);

    public static string Redact(Uri? uri)
    {
        if (uri is null)
        {
            return "(no url)";
        }

        if (!uri.IsAbsoluteUri)
        {
            return uri.OriginalString.Split('?')[0];
        }

        string path = uri.GetLeftPart(UriPartial.Path);
        string query = uri.Query.TrimStart('?');
        if (query.Length == 0)
        {
            return path;
        }

        IEnumerable<string> parts = query.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(part =>
        {
            int equals = part.IndexOf('=', StringComparison.Ordinal);
            string name = Uri.UnescapeDataString(equals < 0 ? part : part[..equals]);
            return equals < 0 || ShownOptions.Contains(name) ? part : part[..equals] + "=***";
        });
        return path + "?" + string.Join("&", parts);
    }
}
