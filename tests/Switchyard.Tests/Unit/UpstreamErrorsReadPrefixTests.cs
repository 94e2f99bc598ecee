using Switchyard.Providers.Http;

namespace Switchyard.Tests.Unit;

/// <summary>ReadPrefixAsync returns the body up to a cap, whatever the body's size and whether its length is declared.</summary>
public sealed class UpstreamErrorsReadPrefixTests
{
    [Theory]
    [InlineData(0, 64, true)]
    [InlineData(10, 64, true)]
    [InlineData(10, 64, false)]
    [InlineData(64, 64, true)]
    [InlineData(100, 64, true)]
    [InlineData(100, 64, false)]
    [InlineData(100_000, 64 * 1024 * 1024, false)] // grows past the 16 KiB starting buffer
    [InlineData(100_000, 64 * 1024 * 1024, true)]
    [InlineData(100_000, 50_000, false)]
    public async Task ReadPrefix_ReturnsAtMostMaxBytes_InOrder(int size, int max, bool declareLength)
    {
        var body = new byte[size];
        for (var i = 0; i < size; i++)
        {
            body[i] = (byte)(i * 31 + 7);
        }

        using var content = new StreamContent(new TrickleStream(body));
        content.Headers.ContentLength = declareLength ? size : null;

        var read = await UpstreamErrors.ReadPrefixAsync(content, max, CancellationToken.None);

        Assert.Equal(body.AsSpan(0, Math.Min(size, max)).ToArray(), read);
    }

    /// <summary>Hands out at most 7000 bytes per read, as a socket would, so reads split across buffer growths.</summary>
    private sealed class TrickleStream(byte[] data) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            => base.ReadAsync(buffer[..Math.Min(buffer.Length, 7000)], cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 7000));
    }
}
