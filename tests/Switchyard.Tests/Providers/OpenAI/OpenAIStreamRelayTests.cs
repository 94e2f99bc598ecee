using System.IO.Pipelines;
using System.Net;
using System.Text;
using Switchyard.Core.Requests;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.OpenAI;

namespace Switchyard.Tests.Providers.OpenAI;

public sealed class OpenAIStreamRelayTests
{
    private const string Chunk1 = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}]}\n\n";
    private const string Chunk2 = "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"}}]}\n\n";
    private const string UsageChunk = "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2,\"total_tokens\":5}}\n\n";
    private const string Done = "data: [DONE]\n\n";

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Relay_EveryReadThatTakesABufferFollowsAZeroByteRead(bool stripUsage)
    {
        var upstream = new ScriptedStream(Chunk1, Chunk2, UsageChunk, Done);
        await using var response = await Open(upstream, stripUsage);
        var pipe = new Pipe();

        var outcome = await response.RelayAsync(pipe.Writer, CancellationToken.None);

        Assert.Equal(RelayOutcome.Completed, outcome);
        await pipe.Writer.CompleteAsync();
        var relayed = await ReadAll(pipe.Reader);
        Assert.Equal(stripUsage ? Chunk1 + Chunk2 + Done : Chunk1 + Chunk2 + UsageChunk + Done, relayed);
        Assert.Equal(5, response.Usage!.TotalTokens);
        var reads = upstream.ReadSizes;
        Assert.Equal(0, reads[0]);
        Assert.Contains(reads, r => r > 0);
        for (var i = 0; i < reads.Count; i++)
        {
            if (reads[i] > 0)
            {
                Assert.True(i > 0 && reads[i - 1] == 0, $"read {i} of {reads[i]} bytes was not preceded by a zero-byte read: [{string.Join(", ", reads)}]");
            }
        }
    }

    [Theory]
    [InlineData(false, "data: {\"choices\":[]", false)]
    [InlineData(false, "", true)]
    [InlineData(true, "data: {\"choices\":[]", true)]
    public async Task Relay_UpstreamEndsWithoutDone_ReturnsUpstreamFailedWithTheBoundary(bool stripUsage, string tail, bool atBoundary)
    {
        await using var response = await Open(new ScriptedStream(Chunk1, Chunk2, tail), stripUsage);
        var pipe = new Pipe();

        var outcome = await response.RelayAsync(pipe.Writer, CancellationToken.None);

        Assert.Equal(RelayStatus.UpstreamFailed, outcome.Status);
        Assert.Equal((Switchyard.Core.Failures.FailureKind.InvalidResponse, "stream ended without its final [DONE] event", atBoundary),
            (outcome.Failure!.Kind, outcome.Failure.Detail, outcome.AtEventBoundary));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Relay_CallerGone_ReturnsClientGoneWithoutThrowing(bool stripUsage)
    {
        await using var response = await Open(new ScriptedStream(Chunk1, Chunk2, Done), stripUsage);
        var pipe = new Pipe();
        await pipe.Reader.CompleteAsync(); // the caller's side is closed: every flush reports it

        var outcome = await response.RelayAsync(pipe.Writer, CancellationToken.None);

        Assert.Equal(RelayOutcome.ClientGone, outcome);
        Assert.Null(outcome.Failure);
    }

    [Fact]
    public async Task Relay_CallerTokenCancelled_ReturnsClientGone()
    {
        await using var response = await Open(new ScriptedStream(Chunk1, Chunk2, Done), stripUsage: false);
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        var outcome = await response.RelayAsync(new Pipe().Writer, cts.Token);

        Assert.Equal(RelayStatus.ClientGone, outcome.Status);
    }

    private static async Task<UpstreamResponse> Open(Stream upstream, bool stripUsage)
    {
        var message = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(upstream) };
        var opened = await OpenAIStreamResponse.OpenAsync(message, new CancellationTokenSource(), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1), stripUsage, CancellationToken.None);
        return opened.Value!;
    }

    private static async Task<string> ReadAll(PipeReader reader)
    {
        var text = new StringBuilder();
        while (true)
        {
            var r = await reader.ReadAsync();
            foreach (var segment in r.Buffer)
            {
                text.Append(Encoding.UTF8.GetString(segment.Span));
            }

            reader.AdvanceTo(r.Buffer.End);
            if (r.IsCompleted)
            {
                return text.ToString();
            }
        }
    }

    /// <summary>An upstream body that hands out one scripted piece per read and records the size of every read asked of it.</summary>
    private sealed class ScriptedStream(params string[] pieces) : Stream
    {
        private readonly Queue<byte[]> _pieces = new(pieces.Select(Encoding.UTF8.GetBytes));

        public List<int> ReadSizes { get; } = [];

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            ReadSizes.Add(buffer.Length);
            if (buffer.Length == 0 || _pieces.Count == 0)
            {
                return ValueTask.FromResult(0);
            }

            var piece = _pieces.Dequeue();
            piece.CopyTo(buffer);
            return ValueTask.FromResult(piece.Length);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
