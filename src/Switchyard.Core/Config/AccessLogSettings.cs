namespace Switchyard.Core.Config;

/// <summary>
/// switchyard.access_log: one JSON line per request (docs/operations.md, "Access log"). Which requests are written and
/// how many successes are sampled apply on reload; where the lines go (<see cref="Path"/>, rotation) is fixed at start.
/// </summary>
public sealed record AccessLogSettings
{
    /// <summary>Probe and scrape paths: hit every few seconds by machines, they would drown the lines people read.</summary>
    public static readonly IReadOnlyList<string> DefaultExcludePaths = ["/health/liveliness", "/health/liveness", "/health/readiness", "/metrics"];

    public bool Enabled { get; init; } = true;

    /// <summary><c>stdout</c> (default), <c>stderr</c>, or a file path (rotated by size).</summary>
    public string Path { get; init; } = "stdout";

    /// <summary>Only <c>json</c> today: one JSON object per line.</summary>
    public string Format { get; init; } = "json";

    /// <summary>Request paths never written (exact, case-insensitive).</summary>
    public IReadOnlyList<string> ExcludePaths { get; init; } = DefaultExcludePaths;

    /// <summary>Share of 2xx requests written, 0 to 1; every other status is always written.</summary>
    public double SampleSuccess { get; init; } = 1.0;

    /// <summary>A file is rolled over past this size (file paths only).</summary>
    public long MaxFileBytes { get; init; } = 100L * 1024 * 1024;

    /// <summary>Rolled files kept besides the current one (file paths only).</summary>
    public int MaxFiles { get; init; } = 10;

    /// <summary>Whether <see cref="Path"/> is a file rather than a standard stream.</summary>
    public bool IsFile => Path is not ("stdout" or "stderr");
}
