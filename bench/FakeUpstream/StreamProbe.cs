using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;

namespace Switchyard.Bench.FakeUpstream;

/// <summary>
/// Sequential streaming requests against a <c>/probe/</c> upstream, directly or through the gateway. The upstream
/// stamps each chunk with the monotonic clock (Stopwatch ticks: CLOCK_MONOTONIC, shared by processes on one host)
/// when it writes it; the probe compares that with when the chunk reaches it. Chunk 1 of each stream follows
/// request handling; chunk 2 is written after a gap of idle time, so its delay is pure relay (buffering) delay.
/// Prints one markdown table row per run.
/// </summary>
internal static class StreamProbe
{
    private static readonly byte[] Marker = "bench_ts:"u8.ToArray();

    public static async Task<int> RunAsync(Args args)
    {
        var url = args.Get("url", "http://127.0.0.1:5055/probe/v1/chat/completions");
        var key = args.Get("key", "none");
        var model = args.Get("model", "bench.probe");
        var count = args.Int("count", 200);
        var label = args.Get("label", url);
        var body = Body(args.Get("format", "chat"), model);

        using var handler = new SocketsHttpHandler { UseProxy = false, AutomaticDecompression = DecompressionMethods.None, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler, disposeHandler: false) { Timeout = TimeSpan.FromSeconds(30) };
        var firstByte = new List<double>(count);
        var chunk1 = new List<double>(count);
        var chunk2 = new List<double>(count);
        var buffer = new byte[64 * 1024];
        for (var i = 0; i < count + 10; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body), Version = HttpVersion.Version11 };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            var start = Stopwatch.GetTimestamp();
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, CancellationToken.None);
            response.EnsureSuccessStatusCode();
            await using var stream = await response.Content.ReadAsStreamAsync();
            var filled = 0;
            var scanned = 0;
            var stamps = new List<(long Written, long Received)>(2);
            long? first = null;
            while (true)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(filled));
                var now = Stopwatch.GetTimestamp();
                if (n == 0)
                {
                    break;
                }

                first ??= now;
                filled += n;
                while (true)
                {
                    var at = buffer.AsSpan(scanned, filled - scanned).IndexOf(Marker);
                    if (at < 0)
                    {
                        break;
                    }

                    var digits = scanned + at + Marker.Length;
                    if (!Utf8Parser.TryParse(buffer.AsSpan(digits, filled - digits), out long written, out var used) || digits + used >= filled)
                    {
                        break; // number not complete yet
                    }

                    if (!stamps.Exists(st => st.Written == written))
                    {
                        stamps.Add((written, now)); // later events may repeat the text (Responses' *.done, response.completed)
                    }

                    scanned = digits + used;
                }
            }

            if (stamps.Count != 2)
            {
                await Console.Error.WriteLineAsync($"probe: expected 2 stamped chunks, got {stamps.Count}: {Encoding.UTF8.GetString(buffer, 0, filled)}");
                return 1;
            }

            if (i < 10)
            {
                continue; // warm-up
            }

            firstByte.Add(Ms(first!.Value - start));
            chunk1.Add(Ms(stamps[0].Received - stamps[0].Written));
            chunk2.Add(Ms(stamps[1].Received - stamps[1].Written));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {label} | {count} | {P(firstByte, 50):0.000} | {P(firstByte, 99):0.000} | {P(chunk1, 50):0.000} | {P(chunk1, 99):0.000} | {P(chunk2, 50):0.000} | {P(chunk2, 99):0.000} | {chunk2.Max():0.000} |"));
        return 0;
    }

    /// <summary>A small streaming request in the protocol the caller speaks (chat, messages or responses).</summary>
    public static byte[] Body(string format, string model) => Encoding.UTF8.GetBytes(format switch
    {
        "messages" => "{\"model\":\"" + model + "\",\"max_tokens\":64,\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]}",
        "responses" => "{\"model\":\"" + model + "\",\"stream\":true,\"input\":\"Say hello.\"}",
        "chat" => "{\"model\":\"" + model + "\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Say hello.\"}]}",
        _ => throw new ArgumentException("--format must be chat, messages or responses"),
    });

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static double P(List<double> values, double percentile)
    {
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)];
    }
}
