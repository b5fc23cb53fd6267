using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace IsmsOps.Engine.Snapshots;

/// <summary>
/// Writes and reads directory snapshot files: gzip, whose decompressed bytes are one header line of JSON and then the
/// snapshot as JSON, with the content's SHA-256 in the header. docs/directory-snapshot.md specifies the format.
/// </summary>
/// <remarks>
/// Both directions stream: a 100,000-user snapshot is around a hundred megabytes of JSON, which is never held as one
/// string or buffer. Reading verifies everything it can (format, version, length, digest, header against content)
/// and fails with an <see cref="IsmsException"/> whose ErrorId says which check failed.
/// </remarks>
public static class DirectorySnapshotFile
{
    public const string FormatName = "ismsops-directory-snapshot";

    /// <summary>The format versions this build reads. It writes <see cref="DirectorySnapshot.CurrentFormatVersion"/>.</summary>
    public static IReadOnlyList<int> ReadableFormatVersions { get; } = [1];

    // A header is a few hundred bytes; anything without a newline this far in is not ours.
    private const int MaxHeaderLength = 64 * 1024;

    /// <summary>
    /// Writes <paramref name="snapshot"/> to <paramref name="path"/>. The file appears under its name only once it is
    /// complete and flushed to disk: until then it is a temporary <c>.partial</c> file in the same folder, which a
    /// failure or cancellation deletes. An existing file is replaced only when <paramref name="overwrite"/> is set.
    /// </summary>
    /// <returns>The header written, with the content digest.</returns>
    public static SnapshotFileHeader Write(string path, DirectorySnapshot snapshot, bool overwrite, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        string fullPath = System.IO.Path.GetFullPath(path);
        if (snapshot.FormatVersion != DirectorySnapshot.CurrentFormatVersion)
        {
            throw new ArgumentException($"This build writes format version {DirectorySnapshot.CurrentFormatVersion}, not {snapshot.FormatVersion}.", nameof(snapshot));
        }

        if (!overwrite && File.Exists(fullPath))
        {
            throw Exists(fullPath);
        }

        // The header carries the content's digest, so it can only be written after the content. The content is
        // compressed into one temporary file while it is hashed; the final file is then a small gzip member holding
        // the header line followed by the content's gzip member copied as is. Gzip readers decompress consecutive
        // members as one stream (RFC 1952, section 2.2).
        string unique = Guid.NewGuid().ToString("N")[..8];
        string contentPart = $"{fullPath}.{unique}.content.partial";
        string filePart = $"{fullPath}.{unique}.partial";
        try
        {
            SnapshotFileHeader header;
            using (var content = new FileStream(contentPart, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                using (var gzip = new GZipStream(content, CompressionLevel.Optimal, leaveOpen: true))
                using (var hashing = new HashingStream(gzip, cancellationToken))
                {
                    JsonSerializer.Serialize(hashing, snapshot, SnapshotJson.SnapshotType(SnapshotJson.WriteOptions));
                    header = new SnapshotFileHeader
                    {
                        Format = FormatName,
                        FormatVersion = DirectorySnapshot.CurrentFormatVersion,
                        TenantId = snapshot.Tenant.TenantId,
                        CollectedAt = snapshot.CollectedAt,
                        ScopedToUserId = snapshot.ScopedToUserId,
                        Counts = SnapshotCounts.Of(snapshot),
                        ContentSha256 = hashing.HexDigest(),
                        ContentLength = hashing.Length,
                    };
                }

                using var file = new FileStream(filePart, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
                using (var gzip = new GZipStream(file, CompressionLevel.Optimal, leaveOpen: true))
                using (var writer = new Utf8JsonWriter(gzip, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
                {
                    header.WriteJson(writer);
                    writer.Flush();
                    gzip.WriteByte((byte)'\n');
                }

                content.Position = 0;
                content.CopyTo(file);
                cancellationToken.ThrowIfCancellationRequested();
                file.Flush(flushToDisk: true);
            }

            File.Delete(contentPart);
            // Without overwrite, a file that appeared meanwhile makes the move fail rather than be replaced.
            File.Move(filePart, fullPath, overwrite);
            return header;
        }
        catch (IOException) when (!overwrite && File.Exists(fullPath) && File.Exists(filePart))
        {
            TryDelete(contentPart);
            TryDelete(filePart);
            throw Exists(fullPath);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            TryDelete(contentPart);
            TryDelete(filePart);
            throw new IsmsException("IsmsOps.Snapshot.WriteFailed", IsmsErrorKind.WriteError,
                $"The snapshot could not be written to '{fullPath}': {ex.Message} Nothing was left under that name.",
                "Check that the folder exists, is writable and has room, then run the collection again.", fullPath, ex);
        }
        catch
        {
            TryDelete(contentPart);
            TryDelete(filePart);
            throw;
        }
    }

    /// <summary>
    /// Reads and verifies the snapshot at <paramref name="path"/>. Fails with an <see cref="IsmsException"/>:
    /// <c>IsmsOps.Snapshot.NotFound</c>, <c>.NotASnapshot</c> (not gzip, or not our header), <c>.Truncated</c>,
    /// <c>.Corrupt</c> (damaged compressed data), <c>.UnsupportedVersion</c>, <c>.InvalidHeader</c>,
    /// <c>.DigestMismatch</c> (edited after it was written), <c>.InvalidContent</c> (with the JSON position) or
    /// <c>.HeaderMismatch</c> (the header's counts or tenant disagree with the content).
    /// </summary>
    public static LoadedSnapshot Read(string path, CancellationToken cancellationToken)
    {
        string fullPath = System.IO.Path.GetFullPath(path);
        FileStream file;
        try
        {
            file = new FileStream(fullPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new IsmsException("IsmsOps.Snapshot.NotFound", IsmsErrorKind.NotFound, $"The snapshot file '{fullPath}' does not exist.",
                "Give the path of a file written by Export-IsmsDirectorySnapshot.", fullPath, ex);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Unreadable(fullPath, ex);
        }

        using (file)
        {
            Span<byte> magic = stackalloc byte[2];
            if (file.ReadAtLeast(magic, 2, throwOnEndOfStream: false) < 2 || magic[0] != 0x1F || magic[1] != 0x8B)
            {
                throw NotASnapshot(fullPath, "it is not gzip-compressed");
            }

            file.Position = 0;
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var content = new SnapshotContentStream(gzip, cancellationToken);
            try
            {
                SnapshotFileHeader header = ParseHeader(fullPath, content.ReadHeaderLine(MaxHeaderLength));
                DirectorySnapshot snapshot = ReadContent(fullPath, header, content);
                ReleaseParseGarbage(header.ContentLength);
                return new LoadedSnapshot { Snapshot = snapshot, Path = fullPath, Header = header, FileLength = file.Length };
            }
            catch (InvalidDataException ex)
            {
                throw new IsmsException("IsmsOps.Snapshot.Corrupt", IsmsErrorKind.InvalidData,
                    $"'{fullPath}' is damaged: its compressed data cannot be decompressed ({ex.Message}).",
                    "Copy the file again from where it was written (the copy may be incomplete), or collect a new snapshot.", fullPath, ex);
            }
            catch (IOException ex)
            {
                throw Unreadable(fullPath, ex);
            }
        }
    }

    /// <summary>
    /// Parsing a large snapshot leaves about as much garbage as the snapshot itself. Without a collection here the
    /// index built next grows the heap instead of reusing that space, and a 100,000-user tenant then peaks near 400 MB
    /// instead of about 330 MB (docs/performance.md). One blocking, compacting collection per large read costs a few
    /// hundred milliseconds; small snapshots skip it.
    /// </summary>
    private static void ReleaseParseGarbage(long contentLength)
    {
        const long Large = 32L * 1024 * 1024;
        if (contentLength >= Large)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        }
    }

    private static DirectorySnapshot ReadContent(string path, SnapshotFileHeader header, SnapshotContentStream content)
    {
        var pool = new Utf8StringPool();
        DirectorySnapshot? snapshot = null;
        JsonException? invalid = null;
        try
        {
            snapshot = JsonSerializer.Deserialize(content, SnapshotJson.SnapshotType(SnapshotJson.ReadOptions(pool)));
        }
        catch (JsonException ex)
        {
            invalid = ex;
        }

        // Judge by length and digest first: an edit or a cut usually breaks the JSON too, and "edited after it was
        // written" or "truncated" says more than a parse position. Content that is short and breaks off is truncated;
        // content that is short but complete JSON was edited. (.NET's gzip reader ends quietly at a cut rather than
        // throw, so the header's contentLength is what notices one.)
        content.ReadToEnd();
        if (content.ContentLength < header.ContentLength && invalid is not null)
        {
            throw new IsmsException("IsmsOps.Snapshot.Truncated", IsmsErrorKind.InvalidData,
                string.Create(CultureInfo.InvariantCulture,
                    $"'{path}' is truncated: its content ends after {content.ContentLength:N0} of the {header.ContentLength:N0} bytes its header announces."),
                "Copy the file again from where it was written (the copy may be incomplete), or collect a new snapshot.", path);
        }

        string digest = content.HexDigest();
        if (content.ContentLength != header.ContentLength || !string.Equals(digest, header.ContentSha256, StringComparison.Ordinal))
        {
            throw new IsmsException("IsmsOps.Snapshot.DigestMismatch", IsmsErrorKind.SecurityError,
                string.Create(CultureInfo.InvariantCulture,
                    $"'{path}' was edited after it was written: its content has SHA-256 {digest} ({content.ContentLength:N0} bytes), but its header records {header.ContentSha256} ({header.ContentLength:N0} bytes)."),
                "Do not use this file as evidence. Get the original from where it was written, or collect a new snapshot.", path);
        }

        if (invalid is not null || snapshot is null)
        {
            string where = invalid is null
                ? "it holds null"
                : string.Create(CultureInfo.InvariantCulture,
                    $"at line {(invalid.LineNumber ?? 0) + 2} of the decompressed file, byte {(invalid.BytePositionInLine ?? 0) + 1} of that line, JSON path {invalid.Path ?? "$"}: {FirstSentence(invalid.Message)}");
            throw new IsmsException("IsmsOps.Snapshot.InvalidContent", IsmsErrorKind.InvalidData,
                $"'{path}' matches its digest but its content is not a valid snapshot: {where}",
                "The file was produced by a faulty writer or forged with a recomputed digest; collect a new snapshot.", path, invalid);
        }

        if (snapshot.FormatVersion != header.FormatVersion)
        {
            throw HeaderMismatch(path, $"formatVersion: the header says {header.FormatVersion}, the content {snapshot.FormatVersion}");
        }

        if (!string.Equals(snapshot.Tenant.TenantId, header.TenantId, StringComparison.OrdinalIgnoreCase))
        {
            throw HeaderMismatch(path, $"tenantId: the header says {header.TenantId}, the content {snapshot.Tenant.TenantId}");
        }

        if (snapshot.CollectedAt != header.CollectedAt)
        {
            throw HeaderMismatch(path, "collectedAt: the header says " + header.CollectedAt.ToString("O", CultureInfo.InvariantCulture) + ", the content "
                + snapshot.CollectedAt.ToString("O", CultureInfo.InvariantCulture));
        }

        if (!string.Equals(snapshot.ScopedToUserId, header.ScopedToUserId, StringComparison.OrdinalIgnoreCase))
        {
            throw HeaderMismatch(path, $"scopedToUserId: the header says '{header.ScopedToUserId}', the content '{snapshot.ScopedToUserId}'");
        }

        if (header.Counts.FirstDifference(SnapshotCounts.Of(snapshot)) is string difference)
        {
            throw HeaderMismatch(path, difference);
        }

        return snapshot;
    }

    private static SnapshotFileHeader ParseHeader(string path, (byte[] Line, bool Complete) header)
    {
        byte[] line = header.Line;
        if (!header.Complete)
        {
            // Cut short inside the header: what is there is the start of our own header line.
            byte[] expected = System.Text.Encoding.UTF8.GetBytes($"{{\"format\":\"{FormatName}\"");
            if (!expected.AsSpan().StartsWith(line.AsSpan(0, Math.Min(line.Length, expected.Length))) || line.Length > MaxHeaderLength)
            {
                throw NotASnapshot(path, "it does not start with a snapshot header line");
            }

            throw new IsmsException("IsmsOps.Snapshot.Truncated", IsmsErrorKind.InvalidData,
                $"'{path}' is truncated: it ends before the end of its header line.",
                "Copy the file again from where it was written (the copy may be incomplete), or collect a new snapshot.", path);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            throw NotASnapshot(path, "its first line is not a JSON header");
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out JsonElement format)
                || format.ValueKind != JsonValueKind.String || format.GetString() != FormatName)
            {
                throw NotASnapshot(path, $"its header does not name the format '{FormatName}'");
            }

            try
            {
                int version = root.GetProperty("formatVersion").GetInt32();
                if (!ReadableFormatVersions.Contains(version))
                {
                    string readable = string.Join(", ", ReadableFormatVersions);
                    throw new IsmsException("IsmsOps.Snapshot.UnsupportedVersion", IsmsErrorKind.NotSupportedVersion,
                        $"'{path}' is snapshot format version {version}; this IsmsOps reads version {readable} only.",
                        version > ReadableFormatVersions.Max()
                            ? "Update IsmsOps to the version that wrote the file (or newer), or ask for a snapshot in an older format."
                            : "Read it with the older IsmsOps release that wrote it, or collect a new snapshot.",
                        path);
                }

                string sha = root.GetProperty("contentSha256").GetString() ?? throw new FormatException("contentSha256 is null");
                if (sha.Length != 64 || !sha.All(c => c is (>= '0' and <= '9') or (>= 'a' and <= 'f')))
                {
                    throw new FormatException("contentSha256 is not 64 lower-case hex digits");
                }

                long length = root.GetProperty("contentLength").GetInt64();
                return new SnapshotFileHeader
                {
                    Format = FormatName,
                    FormatVersion = version,
                    TenantId = root.GetProperty("tenantId").GetString() ?? throw new FormatException("tenantId is null"),
                    CollectedAt = root.GetProperty("collectedAt").GetDateTimeOffset(),
                    ScopedToUserId = root.TryGetProperty("scopedToUserId", out JsonElement scope) && scope.ValueKind == JsonValueKind.String ? scope.GetString() : null,
                    Counts = SnapshotCounts.FromJson(root.GetProperty("counts")),
                    ContentSha256 = sha,
                    ContentLength = length >= 0 ? length : throw new FormatException("contentLength is negative"),
                };
            }
            catch (Exception ex) when (ex is KeyNotFoundException or InvalidOperationException or FormatException)
            {
                throw new IsmsException("IsmsOps.Snapshot.InvalidHeader", IsmsErrorKind.InvalidData,
                    $"'{path}' has a damaged snapshot header: {ex.Message}.",
                    "Get the original file from where it was written, or collect a new snapshot.", path, ex);
            }
        }
    }

    private static string FirstSentence(string message)
    {
        int end = message.IndexOf(". ", StringComparison.Ordinal);
        return end < 0 ? message : message[..(end + 1)];
    }

    internal static IsmsException Exists(string path) => new("IsmsOps.Snapshot.Exists", IsmsErrorKind.AlreadyExists,
        $"'{path}' already exists. Nothing was written.", "Choose another path, or add -Force to replace the existing snapshot.", path);

    private static IsmsException NotASnapshot(string path, string why) => new("IsmsOps.Snapshot.NotASnapshot", IsmsErrorKind.InvalidData,
        $"'{path}' is not an IsmsOps directory snapshot: {why}.", "Give the path of a file written by Export-IsmsDirectorySnapshot (a .json.gz file).", path);

    private static IsmsException HeaderMismatch(string path, string difference) => new("IsmsOps.Snapshot.HeaderMismatch", IsmsErrorKind.InvalidData,
        $"'{path}' has a header that does not describe its content ({difference}).",
        "The header was edited or written by a faulty tool. Do not use this file as evidence; collect a new snapshot.", path);

    private static IsmsException Unreadable(string path, Exception ex) => new("IsmsOps.Snapshot.Unreadable", IsmsErrorKind.ReadError,
        $"'{path}' cannot be read: {ex.Message}", "Check that the file exists and that you may read it.", path, ex);

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Passes writes through while counting and hashing them; checks for cancellation as it goes.</summary>
    private sealed class HashingStream(Stream inner, CancellationToken cancellationToken) : Stream
    {
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public override long Length => _length;

        private long _length;

        public string HexDigest() => Convert.ToHexString(_hash.GetHashAndReset()).ToLowerInvariant();

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            cancellationToken.ThrowIfCancellationRequested();
            _hash.AppendData(buffer);
            _length += buffer.Length;
            inner.Write(buffer);
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Flush() => inner.Flush();

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>
    /// The decompressed file: first the header line, then the content, which is counted and hashed as it is read.
    /// Checks for cancellation as it goes.
    /// </summary>
    /// <remarks>
    /// After the header line the content is inflated and hashed on a second thread (<see cref="ReadAhead"/>) a few
    /// 256 KB blocks ahead of the parser, so on two cores the parse no longer waits for gzip and SHA-256 (about half a
    /// second of a 270 MB snapshot). A failure of the decompression (damaged data, an I/O error) reaches the reader once
    /// the blocks before it are read, as a synchronous read would have thrown it.
    /// </remarks>
    private sealed class SnapshotContentStream(Stream inner, CancellationToken cancellationToken) : Stream
    {
        private const int BlockSize = 256 * 1024;

        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly ConcurrentBag<byte[]> _free = [];
        private IEnumerator<(byte[] Block, int Count)>? _blocks;
        private byte[]? _current;
        private int _offset;
        private int _count;
        private long _contentLength;

        /// <summary>The content's length; final once a read has returned 0.</summary>
        public long ContentLength => Volatile.Read(ref _contentLength);

        public string HexDigest() => Convert.ToHexString(_hash.GetHashAndReset()).ToLowerInvariant();

        /// <summary>
        /// The header line without its newline. <c>Complete</c> is false when the stream ended, or
        /// <paramref name="maxLength"/> bytes went by, before a newline. A complete line starts the content's reader.
        /// </summary>
        public (byte[] Line, bool Complete) ReadHeaderLine(int maxLength)
        {
            var line = new MemoryStream();
            byte[] buffer = new byte[4096];
            while (line.Length <= maxLength)
            {
                int read = inner.Read(buffer);
                if (read == 0)
                {
                    return (line.ToArray(), false);
                }

                int newline = Array.IndexOf(buffer, (byte)'\n', 0, read);
                if (newline >= 0)
                {
                    line.Write(buffer, 0, newline);
                    _blocks = ReadAhead.Enumerate(Blocks(buffer[(newline + 1)..read]), cancellationToken, chunkSize: 1).GetEnumerator();
                    return (line.ToArray(), true);
                }

                line.Write(buffer, 0, read);
            }

            return (line.ToArray(), false);
        }

        // On the read-ahead thread: the content after the header line, block by block, counted and hashed in order.
        private IEnumerable<(byte[] Block, int Count)> Blocks(byte[] first)
        {
            byte[] block = first;
            int read = first.Length;
            while (true)
            {
                if (read > 0)
                {
                    _hash.AppendData(block, 0, read);
                    Volatile.Write(ref _contentLength, _contentLength + read);
                    yield return (block, read);
                }

                block = _free.TryTake(out byte[]? reused) ? reused : new byte[BlockSize];
                read = inner.ReadAtLeast(block, block.Length, throwOnEndOfStream: false);
                if (read == 0)
                {
                    yield break;
                }
            }
        }

        public override int Read(Span<byte> buffer)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (buffer.IsEmpty)
            {
                return 0;
            }

            while (_offset == _count)
            {
                if (_current is { Length: BlockSize })
                {
                    _free.Add(_current);
                }

                _current = null;
                if (_blocks is null || !_blocks.MoveNext())
                {
                    return 0;
                }

                (_current, _count) = _blocks.Current;
                _offset = 0;
            }

            int taken = Math.Min(buffer.Length, _count - _offset);
            _current.AsSpan(_offset, taken).CopyTo(buffer);
            _offset += taken;
            return taken;
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public void ReadToEnd()
        {
            byte[] buffer = new byte[1 << 16];
            while (Read(buffer) > 0)
            {
            }
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                // Stops the read-ahead thread and waits for it: it reads the gzip stream the caller disposes next.
                _blocks?.Dispose();
                _blocks = null;
                _hash.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
