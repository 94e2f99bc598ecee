using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace Switchyard.Bench.FakeUpstream;

/// <summary>
/// The fake provider: every POST is answered from precomputed bytes, no routing, no logging, no JSON work.
/// Mode by path and body: <c>/probe/...</c> streams two timestamped chunks with a gap between them (as Anthropic
/// Messages events when the path ends in <c>/messages</c>); <c>/idle/...</c> sends one chunk and then holds the stream
/// open until the caller leaves;
/// a body containing <c>"stream":true</c> (or a <c>/stream/...</c> path) gets an SSE stream of N chunks, usage and
/// [DONE]; anything else gets one small chat.completion. GET answers "ok" (readiness).
/// </summary>
internal static class UpstreamServer
{
    private const string Model = "gpt-4o-mini";

    private static readonly byte[] Completion = Encoding.UTF8.GetBytes(
        "{\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"" + Model + "\"," +
        "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"Hello! How can I help you today?\"},\"logprobs\":null,\"finish_reason\":\"stop\"}]," +
        "\"usage\":{\"prompt_tokens\":21,\"completion_tokens\":9,\"total_tokens\":30}}");

    private static readonly byte[] Ok = "ok"u8.ToArray();
    private static readonly byte[] StreamFlag = "\"stream\":true"u8.ToArray();

    private static readonly byte[] StreamTail = Encoding.UTF8.GetBytes(
        Chunk("", "\"stop\"") +
        "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"" + Model + "\",\"choices\":[]," +
        "\"usage\":{\"prompt_tokens\":21,\"completion_tokens\":9,\"total_tokens\":30}}\n\n" +
        "data: [DONE]\n\n");

    private static byte[][] _chunks = [];
    private static int _probeGapMs = 50;

    public static async Task<int> RunAsync(Args args)
    {
        var port = args.Int("port", 5055);
        var chunks = args.Int("chunks", 10);
        _probeGapMs = args.Int("probe-gap-ms", 50);
        _chunks = Enumerable.Range(0, chunks).Select(i => Encoding.UTF8.GetBytes(Chunk("tok" + i.ToString(CultureInfo.InvariantCulture) + " ", "null"))).ToArray();

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, port);
        });
        var app = builder.Build();
        app.Run(HandleAsync);
        await Console.Error.WriteLineAsync($"fake-upstream: listening on http://127.0.0.1:{port}; {chunks} chunks per stream; probe gap {_probeGapMs} ms");
        await app.RunAsync();
        return 0;
    }

    private static string Chunk(string content, string finish)
        => "data: {\"id\":\"chatcmpl-bench\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"" + Model + "\"," +
           "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + content + "\"},\"finish_reason\":" + finish + "}]}\n\n";

    private static async Task HandleAsync(HttpContext context)
    {
        var response = context.Response;
        if (!HttpMethods.IsPost(context.Request.Method))
        {
            response.ContentLength = Ok.Length;
            await response.Body.WriteAsync(Ok);
            return;
        }

        var path = context.Request.Path.Value ?? "";
        var stream = await ReadBodyAsync(context.Request) || path.StartsWith("/stream/", StringComparison.Ordinal);
        var anthropic = path.EndsWith("/messages", StringComparison.Ordinal);
        if (path.StartsWith("/probe/", StringComparison.Ordinal))
        {
            await ProbeStreamAsync(context, anthropic);
            return;
        }

        if (path.StartsWith("/idle/", StringComparison.Ordinal))
        {
            await IdleStreamAsync(context, anthropic);
            return;
        }

        if (!stream)
        {
            response.StatusCode = 200;
            response.ContentType = "application/json";
            response.ContentLength = Completion.Length;
            await response.Body.WriteAsync(Completion);
            return;
        }

        StartStream(context);
        var output = response.BodyWriter;
        foreach (var chunk in _chunks)
        {
            await output.WriteAsync(chunk);
        }

        await output.WriteAsync(StreamTail);
    }

    private static void StartStream(HttpContext context)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }

    /// <summary>
    /// Two text pieces carrying the monotonic time (Stopwatch ticks) at which each was written, <c>probe-gap-ms</c>
    /// apart. The stamp is in the text itself (<c>bench_ts:N</c>), so it survives translation to another protocol.
    /// </summary>
    private static async Task ProbeStreamAsync(HttpContext context, bool anthropic)
    {
        StartStream(context);
        var output = context.Response.BodyWriter;
        if (anthropic)
        {
            await output.WriteAsync(AnthropicHead);
        }

        for (var i = 0; i < 2; i++)
        {
            if (i > 0)
            {
                await Task.Delay(_probeGapMs);
            }

            var text = "probe" + i.ToString(CultureInfo.InvariantCulture) + " bench_ts:" + Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture);
            await output.WriteAsync(Encoding.UTF8.GetBytes(anthropic ? AnthropicDelta(text) : Chunk(text, "null")));
        }

        await output.WriteAsync(anthropic ? AnthropicTail : StreamTail);
    }

    /// <summary>One chunk, then nothing until the caller leaves: what a long-thinking model looks like to the gateway.</summary>
    private static async Task IdleStreamAsync(HttpContext context, bool anthropic)
    {
        StartStream(context);
        var output = context.Response.BodyWriter;
        await output.WriteAsync(anthropic ? [.. AnthropicHead, .. Encoding.UTF8.GetBytes(AnthropicDelta("thinking"))] : Encoding.UTF8.GetBytes(Chunk("thinking", "null")));
        try
        {
            await Task.Delay(Timeout.Infinite, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            // the caller left
        }
    }

    private static readonly byte[] AnthropicHead = Encoding.UTF8.GetBytes(
        "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_bench\",\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-bench\"," +
        "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":21,\"output_tokens\":1}}}\n\n" +
        "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n");

    private static readonly byte[] AnthropicTail = Encoding.UTF8.GetBytes(
        "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n" +
        "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":9}}\n\n" +
        "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n");

    private static string AnthropicDelta(string text)
        => "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"" + text + "\"}}\n\n";

    /// <summary>Reads the whole body (as a real provider would) and says whether it asks for a stream.</summary>
    private static async ValueTask<bool> ReadBodyAsync(HttpRequest request)
    {
        var reader = request.BodyReader;
        while (true)
        {
            var result = await reader.ReadAsync();
            if (!result.IsCompleted)
            {
                reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                continue;
            }

            var buffer = result.Buffer;
            var stream = buffer.IsSingleSegment ? buffer.FirstSpan.IndexOf(StreamFlag) >= 0 : buffer.ToArray().AsSpan().IndexOf(StreamFlag) >= 0;
            reader.AdvanceTo(buffer.End);
            return stream;
        }
    }
}
