using System.Net.Sockets;
using System.Text;

namespace Switchyard.Tests.Infrastructure;

/// <summary>An HTTP/1.x answer read off a raw socket: status (0 when the server closed without one), headers and body.</summary>
public sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var v) ? v : null;
}

/// <summary>
/// Raw sockets against a gateway, for requests no HTTP client will send: broken framing, bodies shorter than their
/// Content-Length, slow bodies, oversized request lines, bad header bytes, HTTP/0.9. Every wait is bounded by
/// <see cref="HangLimit"/>, a hang detector rather than a timing assertion.
/// </summary>
public static class RawHttp
{
    public static readonly TimeSpan HangLimit = TimeSpan.FromSeconds(30);

    /// <summary>Sends <paramref name="parts"/> in order (waiting <paramref name="pause"/> between them), optionally half-closes, and reads the answer.</summary>
    public static async Task<RawResponse> SendAsync(string baseUrl, IEnumerable<byte[]> parts, TimeSpan pause = default, bool halfClose = false)
    {
        var uri = new Uri(baseUrl);
        using var cts = new CancellationTokenSource(HangLimit);
        using var client = new TcpClient();
        await client.ConnectAsync(uri.Host, uri.Port, cts.Token);
        var stream = client.GetStream();
        try
        {
            foreach (var part in parts)
            {
                await stream.WriteAsync(part, cts.Token);
                await stream.FlushAsync(cts.Token);
                if (pause > TimeSpan.Zero)
                {
                    await Task.Delay(pause, cts.Token);
                }
            }

            if (halfClose)
            {
                client.Client.Shutdown(SocketShutdown.Send);
            }
        }
        catch (IOException)
        {
            // the server may close early (it refused the request); read what it answered
        }

        return await ReadAsync(stream, cts.Token);
    }

    public static Task<RawResponse> SendAsync(string baseUrl, string text, bool halfClose = false)
        => SendAsync(baseUrl, [Encoding.Latin1.GetBytes(text)], halfClose: halfClose);

    /// <summary>A POST with a JSON body given as bytes (so it may hold invalid UTF-8) and the master key.</summary>
    public static Task<RawResponse> PostAsync(string baseUrl, string path, byte[] body, string? token = GatewayFixture.MasterKey)
    {
        var head = $"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n"
            + (token is null ? "" : $"Authorization: Bearer {token}\r\n") + "Connection: close\r\n\r\n";
        return SendAsync(baseUrl, [Encoding.ASCII.GetBytes(head), body]);
    }

    private static async Task<RawResponse> ReadAsync(NetworkStream stream, CancellationToken ct)
    {
        var received = new MemoryStream();
        var buffer = new byte[8192];
        int headEnd;
        while ((headEnd = IndexOfHeadEnd(received)) < 0)
        {
            int n;
            try
            {
                n = await stream.ReadAsync(buffer, ct);
            }
            catch (IOException)
            {
                n = 0;
            }

            if (n == 0)
            {
                return new RawResponse(0, new Dictionary<string, string>(), Encoding.UTF8.GetString(received.ToArray()));
            }

            received.Write(buffer, 0, n);
        }

        var all = received.ToArray();
        var head = Encoding.ASCII.GetString(all, 0, headEnd).Split("\r\n");
        var status = int.Parse(head[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in head.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
        }

        var body = new MemoryStream();
        body.Write(all, headEnd + 4, all.Length - headEnd - 4);
        var length = headers.TryGetValue("content-length", out var cl) ? long.Parse(cl, System.Globalization.CultureInfo.InvariantCulture) : long.MaxValue;
        while (body.Length < length)
        {
            int n;
            try
            {
                n = await stream.ReadAsync(buffer, ct);
            }
            catch (IOException)
            {
                break;
            }

            if (n == 0)
            {
                break;
            }

            body.Write(buffer, 0, n);
        }

        return new RawResponse(status, headers, Encoding.UTF8.GetString(body.ToArray()));
    }

    private static int IndexOfHeadEnd(MemoryStream s)
        => s.GetBuffer().AsSpan(0, (int)s.Length).IndexOf("\r\n\r\n"u8);
}
