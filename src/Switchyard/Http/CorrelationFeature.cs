namespace Switchyard.Http;

/// <summary>The request's correlation id and trace context, set first thing for every request.</summary>
public sealed class CorrelationFeature(string correlationId, string? traceParent, string? traceState)
{
    public string CorrelationId { get; } = correlationId;
    public string? TraceParent { get; } = traceParent;
    public string? TraceState { get; } = traceState;
}
