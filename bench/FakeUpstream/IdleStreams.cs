using System.Globalization;
using System.Net;
using System.Net.Http.Headers;

namespace Switchyard.Bench.FakeUpstream;

/// <summary>
/// Opens N concurrent streams through the gateway against an <c>/idle/</c> upstream (one chunk, then silence), waits
/// until every stream has its first chunk, and reads the gateway's resident memory (VmRSS of <c>--pid</c>) before and
/// while they are open: the memory an idle stream costs. Prints one markdown table row.
/// </summary>
internal static class IdleStreams
{
    public static async Task<int> RunAsync(Args args)
    {
        var url = args.Get("url", "http://127.0.0.1:4000/v1/chat/completions");
        var key = args.Get("key", "none");
        var model = args.Get("model", "bench.idle");
        var format = args.Get("format", "chat");
        var count = args.Int("count", 1000);
        var pid = args.Int("pid", 0);
        var label = args.Get("label", format);
        var body = StreamProbe.Body(format, model);

        using var handler = new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = int.MaxValue, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var client = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        using var stop = new CancellationTokenSource();

        await WarmAsync(client, url, key, body);
        await Task.Delay(1000);
        var before = RssKb(pid);

        var open = 0;
        var started = new TaskCompletionSource();
        var streams = Enumerable.Range(0, count).Select(async _ =>
        {
            using var request = Request(url, key, body);
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stop.Token);
            response.EnsureSuccessStatusCode();
            await using var stream = await response.Content.ReadAsStreamAsync(stop.Token);
            var buffer = new byte[4096];
            _ = await stream.ReadAsync(buffer, stop.Token); // the first chunk: this stream is now open and idle
            if (Interlocked.Increment(ref open) == count)
            {
                started.TrySetResult();
            }

            try
            {
                while (await stream.ReadAsync(buffer, stop.Token) > 0)
                {
                }
            }
            catch (OperationCanceledException)
            {
                // the run is over
            }
        }).ToArray();

        var all = Task.WhenAll(streams);
        var first = await Task.WhenAny(started.Task, all, Task.Delay(TimeSpan.FromSeconds(120)));
        if (first != started.Task)
        {
            await Console.Error.WriteLineAsync($"idle: only {Volatile.Read(ref open)} of {count} streams opened");
            if (all.IsFaulted)
            {
                await Console.Error.WriteLineAsync(all.Exception.InnerExceptions[0].ToString());
            }

            return 1;
        }

        await Task.Delay(3000); // let the gateway settle (GC, pools) with every stream open
        var during = RssKb(pid);
        await stop.CancelAsync();
        try
        {
            await all;
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException)
        {
            // streams torn down by the cancellation
        }

        var perStream = (during - before) / (double)count;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {label} | {count} | {before / 1024.0:0.0} | {during / 1024.0:0.0} | {perStream:0.0} |"));
        return 0;
    }

    private static HttpRequestMessage Request(string url, string key, byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body), Version = HttpVersion.Version11 };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return request;
    }

    /// <summary>A few short streams first, so JIT and pools are warm before the baseline is read.</summary>
    private static async Task WarmAsync(HttpClient client, string url, string key, byte[] body)
    {
        for (var i = 0; i < 20; i++)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
            try
            {
                using var request = Request(url, key, body);
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
                await using var stream = await response.Content.ReadAsStreamAsync(cts.Token);
                _ = await stream.ReadAsync(new byte[4096], cts.Token);
            }
            catch (OperationCanceledException)
            {
                // expected: idle streams never end by themselves
            }
        }
    }

    private static long RssKb(int pid)
    {
        if (pid <= 0)
        {
            return 0;
        }

        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
