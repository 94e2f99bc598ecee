using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Http.Features;

namespace Switchyard.Bench.FakeUpstream;

/// <summary>
/// The fake provider: every POST is answered from precomputed bytes, no routing, no logging, no JSON work.
/// Mode by path and body: <c>/probe/...</c> streams two timestamped chunks with a gap between them;
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
        if (path.StartsWith("/probe/", StringComparison.Ordinal))
        {
            await ProbeStreamAsync(context);
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

    /// <summary>Two chunks carrying the monotonic time (Stopwatch ticks) at which each was written, <c>probe-gap-ms</c> apart.</summary>
    private static async Task ProbeStreamAsync(HttpContext context)
    {
        StartStream(context);
        var output = context.Response.BodyWriter;
        for (var i = 0; i < 2; i++)
        {
            if (i > 0)
            {
                await Task.Delay(_probeGapMs);
            }

            var ts = Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture);
            await output.WriteAsync(Encoding.UTF8.GetBytes(Chunk("probe" + i.ToString(CultureInfo.InvariantCulture), "null").Replace("\"created\":", "\"bench_ts\":" + ts + ",\"created\":", StringComparison.Ordinal)));
        }

        await output.WriteAsync(StreamTail);
    }

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
