namespace Switchyard.Core.Config;

/// <summary>switchyard.server: where the gateway listens and what it accepts.</summary>
public sealed record ServerSettings
{
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 4000;

    /// <summary>Largest request body accepted; larger bodies get a 413 summary.</summary>
    public long MaxBodyBytes { get; init; } = 4 * 1024 * 1024;
}
