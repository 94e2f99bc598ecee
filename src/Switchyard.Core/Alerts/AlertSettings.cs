namespace Switchyard.Core.Alerts;

/// <summary>switchyard.alerts: merge window and where merged alerts go.</summary>
public sealed record AlertSettings
{
    public TimeSpan MergeWindow { get; init; } = TimeSpan.FromSeconds(60);
    public IReadOnlyList<AlertSink> Sinks { get; init; } = [];

    /// <summary>Delivery attempts per alert and sink (with exponential backoff from 1 s).</summary>
    public int MaxAttempts { get; init; } = 5;
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>A webhook: "webhook" posts the merged alert as JSON; "slack" posts {"text": message}.</summary>
public sealed record AlertSink(string Type, string Url)
{
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    public override string ToString() => $"{Type} sink";
}
