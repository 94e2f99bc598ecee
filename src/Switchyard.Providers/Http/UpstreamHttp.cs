using System.Net;

namespace Switchyard.Providers.Http;

/// <summary>
/// One pooled HTTP client for every upstream: no redirects, cookies, proxy or automatic decompression
/// (bodies pass through as the provider sent them), bounded connect time.
/// </summary>
public sealed class UpstreamHttp : IDisposable
{
    public UpstreamHttp(TimeProvider time)
    {
        Time = time;
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
            MaxConnectionsPerServer = int.MaxValue,
            EnableMultipleHttp2Connections = true,
            ActivityHeadersPropagator = null,
        };
        Invoker = new HttpMessageInvoker(handler, disposeHandler: true);
    }

    /// <summary>Over another handler (the in-process pipeline benchmark answers from memory instead of a socket).</summary>
    internal UpstreamHttp(TimeProvider time, HttpMessageHandler handler)
    {
        Time = time;
        Invoker = new HttpMessageInvoker(handler, disposeHandler: true);
    }

    public HttpMessageInvoker Invoker { get; }

    /// <summary>The clock HTTP-date headers (Retry-After) are read against.</summary>
    public TimeProvider Time { get; }

    public void Dispose() => Invoker.Dispose();
}
