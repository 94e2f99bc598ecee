namespace Switchyard.Core.Config;

/// <summary>switchyard.server: where the gateway listens and what it accepts.</summary>
public sealed record ServerSettings
{
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 4000;

    /// <summary>Largest request body accepted; larger bodies get a 413 summary.</summary>
    public long MaxBodyBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>
    /// Whether <paramref name="host"/> reaches only this machine: <c>localhost</c> or a loopback address (127.0.0.0/8,
    /// ::1). <c>0.0.0.0</c>, <c>::</c>, <c>*</c>, <c>+</c> and every other name or address are not.
    /// </summary>
    public static bool IsLoopback(string host)
    {
        var h = host.Trim().TrimStart('[').TrimEnd(']');
        return h.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (System.Net.IPAddress.TryParse(h, out var ip) && System.Net.IPAddress.IsLoopback(ip));
    }
}
