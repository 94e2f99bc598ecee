using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Switchyard.Core.Failures;
using Switchyard.Ingress;
using Switchyard.Providers.Abstractions;

namespace Switchyard.Tests.Unit;

public sealed class TranscodingPipeWriterTests
{
    private sealed class Recorder : IChatStreamTranscoder
    {
        public List<string> Seen { get; } = [];

        public void Chunk(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
        {
            Seen.Add(Encoding.UTF8.GetString(data));
            output.Write("event: x\n\n"u8);
        }

        public void Done(IBufferWriter<byte> output)
        {
            Seen.Add("<done>");
            output.Write("event: end\n\n"u8);
        }

        public void Error(FailureSummary summary, IBufferWriter<byte> output) => Seen.Add("<error>");

        public void Dispose()
        {
        }
    }

    [Fact]
    public async Task EventsSplitAcrossFlushes_ReachTheTranscoderWhole_AndDoneOnce()
    {
        var pipe = new Pipe();
        var recorder = new Recorder();
        var writer = new TranscodingPipeWriter(pipe.Writer, recorder);

        writer.Write("data: {\"a\":1}\n\ndata: {\"b\""u8);
        await writer.FlushAsync();
        Assert.Equal(["{\"a\":1}"], recorder.Seen);

        writer.Write(":2}\r\n\n: keep-alive\n\ndata: [DONE]\n\ndata: [DONE]\n\n"u8);
        await writer.FlushAsync();
        await pipe.Writer.CompleteAsync();

        Assert.Equal(["{\"a\":1}", "{\"b\":2}", "<done>"], recorder.Seen);
        var read = await pipe.Reader.ReadAsync();
        Assert.Equal("event: x\n\nevent: x\n\nevent: end\n\n", Encoding.UTF8.GetString(read.Buffer.ToArray()));
    }
}
