using IsmsOps.Engine.Graph;

namespace IsmsOps.Engine.Tests.Graph;

public sealed class ChunkedContentTests
{
    [Theory]
    [InlineData(0, true)]
    [InlineData(1, true)]
    [InlineData(ChunkedContent.ChunkSize - 1, true)]
    [InlineData(ChunkedContent.ChunkSize, true)]
    [InlineData(ChunkedContent.ChunkSize + 1, false)]
    [InlineData(1_300_000, true)]
    [InlineData(1_300_000, false)]
    public async Task A_buffered_body_reads_back_byte_for_byte_whatever_its_size(int size, bool announceLength)
    {
        byte[] body = new byte[size];
        new Random(size).NextBytes(body);
        using var source = new StreamContent(new MemoryStream(body));
        source.Headers.ContentLength = announceLength ? size : null;

        using ChunkedContent buffered = await ChunkedContent.ReadAsync(source, CancellationToken.None);

        Assert.Equal(body, await buffered.ReadAsByteArrayAsync());
        Assert.Equal(size, buffered.Headers.ContentLength);
        using var copy = new MemoryStream();
        await using (Stream read = await buffered.ReadAsStreamAsync())
        {
            byte[] small = new byte[7777];
            int n;
            while ((n = await read.ReadAsync(small)) > 0)
            {
                copy.Write(small, 0, n);
            }
        }

        Assert.Equal(body, copy.ToArray());
    }
}
