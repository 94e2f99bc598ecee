using System.Text;
using CsCheck;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Fuzz;

/// <summary>Upstream SSE streams: well-formed ones, shuffled or truncated event lists, garbage, and byte mutations.</summary>
public static class SseGen
{
    private static (int, IGen<T>) W<T>(int weight, IGen<T> gen) => (weight, gen);

    private static readonly Gen<string> Words = Gen.OneOf("Hi", " there", "", "ü中😀", "\"quoted\"", "line\nbreak", "{\"a\":1}");

    public static readonly Gen<string> OpenAIEvent = Gen.Frequency(
        W(6, Words.Select(w => OpenAIWire.Chunk(w))),
        W(1, Gen.Const(OpenAIWire.Chunk(null, "stop"))),
        W(1, Gen.Select(Gen.Int[0, 100_000], Gen.Int[0, 100_000], (p, c) => OpenAIWire.UsageChunk(p, c))),
        W(1, Gen.Const("data: [DONE]\n\n")),
        W(1, Gen.OneOf(": keep-alive\n\n", "event: noise\ndata: x\n\n", "data: {\"choices\":\n\n", "data: {\"error\":{\"message\":\"boom\"}}\n\n", "retry: 10\n\n", "data:\n\n", "\n\n\n")));

    public static readonly Gen<string> AnthropicEvent = Gen.Frequency(
        W(1, Gen.Const(AnthropicWire.MessageStart())),
        W(1, Gen.Int[0, 2].Select(AnthropicWire.TextBlockStart)),
        W(5, Gen.Select(Gen.Int[0, 2], Words, (i, w) => AnthropicWire.TextDelta(i, w))),
        W(1, Gen.Int[0, 2].Select(i => AnthropicWire.ToolBlockStart(i, "toolu_1", "lookup"))),
        W(2, Gen.Select(Gen.Int[0, 2], Gen.OneOf("{\"q\":", "\"x\"}", "", "}", "[1,"), (i, j) => AnthropicWire.JsonDelta(i, j))),
        W(1, Gen.Int[0, 2].Select(AnthropicWire.BlockStop)),
        W(1, Gen.Select(Gen.OneOf("end_turn", "tool_use", "max_tokens", "weird"), Gen.Int[0, 5000], (r, o) => AnthropicWire.MessageDelta(r, o))),
        W(1, Gen.Const(AnthropicWire.MessageStop())),
        W(1, Gen.Const(AnthropicWire.Ping())),
        W(1, Gen.OneOf(AnthropicWire.Error("overloaded_error", "Overloaded"), "event: message_start\ndata: {}\n\n", "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":99}\n\n", "data: {\"type\":\"message_stop\"}\n\n", "event: unknown_future\ndata: {}\n\n")));

    private static readonly string OpenAIValid = OpenAIWire.Chunk("Hello") + OpenAIWire.Chunk(" world") + OpenAIWire.Chunk(null, "stop") + OpenAIWire.UsageChunk(5, 2) + "data: [DONE]\n\n";

    private static readonly string AnthropicValid = AnthropicWire.MessageStart() + AnthropicWire.TextBlockStart(0) + AnthropicWire.TextDelta(0, "Hello")
        + AnthropicWire.BlockStop(0) + AnthropicWire.MessageDelta("end_turn", 3) + AnthropicWire.MessageStop();

    /// <summary>A stream's bytes cut into network-sized pieces.</summary>
    public static Gen<byte[][]> Stream(bool anthropic)
    {
        var events = anthropic ? AnthropicEvent : OpenAIEvent;
        var valid = anthropic ? AnthropicValid : OpenAIValid;
        var text = Gen.Frequency(
            W(2, Gen.Const(valid)),
            W(3, events.Array[0, 14].Select(e => string.Concat(e))),
            W(1, events.Array[0, 6].Select(e => valid + string.Concat(e))));
        var bytes = Gen.Select(text, Gen.Bool, (t, crlf) => Encoding.UTF8.GetBytes(crlf ? t.Replace("\n", "\r\n", StringComparison.Ordinal) : t));
        return Gen.Frequency(W(3, bytes), W(2, Mutations.Mutate(bytes, 3)), W(1, Gen.Byte.Array[0, 200]))
            .SelectMany(Mutations.Split);
    }
}
