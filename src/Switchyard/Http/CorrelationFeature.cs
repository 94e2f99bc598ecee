namespace Switchyard.Http;

/// <summary>The request's correlation id and trace context, set first thing for every request.</summary>
public sealed class CorrelationFeature(string correlationId, string? traceParent, string? traceState)
{
    public string CorrelationId { get; } = correlationId;
    public string? TraceParent { get; } = traceParent;
    public string? TraceState { get; } = traceState;

    /// <summary>When the request started (wall clock), for an access record made after the start.</summary>
    public DateTimeOffset StartTime { get; init; }

    /// <summary>When the request started (<see cref="TimeProvider.GetTimestamp"/>), for its latency.</summary>
    public long StartTimestamp { get; init; }
}
