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
        ChunkedContent buffered = await ChunkedContent.ReadAsync(response.Content, cancellationToken).ConfigureAwait(false);
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

/// <summary>
/// A response body held in pieces of at most 64 KB instead of one array. A page of 999 users is over a megabyte; as one
/// array it lands on the large object heap, which only a full collection frees, and the 100,000-user collection then
/// peaked at 447 MB. In pieces it is ordinary short-lived garbage (docs/performance.md).
/// </summary>
internal sealed class ChunkedContent : HttpContent
{
    /// <summary>Below the 85,000-byte large-object threshold.</summary>
    internal const int ChunkSize = 64 * 1024;

    private readonly List<byte[]> _chunks;
    private readonly long _length;

    private ChunkedContent(List<byte[]> chunks, long length)
    {
        _chunks = chunks;
        _length = length;
    }

    public static async Task<ChunkedContent> ReadAsync(HttpContent source, CancellationToken cancellationToken)
    {
        long? announced = source.Headers.ContentLength;
        var chunks = new List<byte[]>();
        long total = 0;
        Stream body = await source.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (body.ConfigureAwait(false))
        {
            while (true)
            {
                // Size the piece to what is announced to be left, so a small answer costs a small array.
                long left = announced is long known ? known - total : ChunkSize;
                var chunk = new byte[(int)Math.Clamp(left, 1, ChunkSize)];
                int filled = await body.ReadAtLeastAsync(chunk, chunk.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
                if (filled == 0)
                {
                    break;
                }

                chunks.Add(filled == chunk.Length ? chunk : chunk[..filled]);
                total += filled;
                if (filled < chunk.Length)
                {
                    break;
                }
            }
        }

        return new ChunkedContent(chunks, total);
    }

    protected override async Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context)
    {
        foreach (byte[] chunk in _chunks)
        {
            await stream.WriteAsync(chunk).ConfigureAwait(false);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return true;
    }

    protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult<Stream>(new ChunkStream(_chunks, _length));

    /// <summary>Reads the pieces in order, as one stream.</summary>
    private sealed class ChunkStream(List<byte[]> chunks, long length) : Stream
    {
        private int _chunk;
        private int _offset;
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int copied = 0;
            while (copied < buffer.Length && _chunk < chunks.Count)
            {
                byte[] current = chunks[_chunk];
                int take = Math.Min(buffer.Length - copied, current.Length - _offset);
                current.AsSpan(_offset, take).CopyTo(buffer[copied..]);
                copied += take;
                _offset += take;
                if (_offset == current.Length)
                {
                    _chunk++;
                    _offset = 0;
                }
            }

            _position += copied;
            return copied;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
