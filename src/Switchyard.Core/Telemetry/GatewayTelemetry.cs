using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Switchyard.Core.Telemetry;

/// <summary>
/// Switchyard's traces and metrics, named after the OpenTelemetry GenAI semantic conventions (v1.41) where they
/// apply. Everything is guarded by listeners: with no exporter attached, no activity is created and no tag list built.
/// </summary>
public sealed class GatewayTelemetry : IDisposable
{
    public const string SourceName = "Switchyard";

    public GatewayTelemetry()
    {
        Meter = new Meter(SourceName, "1.0");
        TokenUsage = Meter.CreateHistogram<long>("gen_ai.client.token.usage", "{token}", "Tokens used per request, by gen_ai.token.type",
            advice: new InstrumentAdvice<long> { HistogramBucketBoundaries = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304] });
        OperationDuration = Meter.CreateHistogram<double>("gen_ai.client.operation.duration", "s", "Duration of GenAI operations through the gateway",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92] });
        TimeToFirstChunk = Meter.CreateHistogram<double>("gen_ai.client.operation.time_to_first_chunk", "s", "Time to the first chunk of a streamed answer",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24] });
        Requests = Meter.CreateCounter<long>("switchyard.requests", "{request}", "Requests by alias, deployment and status");
        Overhead = Meter.CreateHistogram<double>("switchyard.gateway.overhead", "s", "Time the gateway added on top of the upstream call",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1] });
        BreakerTransitions = Meter.CreateCounter<long>("switchyard.breaker.transitions", "{transition}", "Circuit breaker state changes");
        LimiterRejections = Meter.CreateCounter<long>("switchyard.limiter.rejections", "{request}", "Requests refused by admission, by limit kind");
        Spend = Meter.CreateCounter<double>("switchyard.spend", "USD", "Spend by tenant, alias and provider model");
    }

    public ActivitySource Source { get; } = new(SourceName, "1.0");

    public Meter Meter { get; }

    public Histogram<long> TokenUsage { get; }

    public Histogram<double> OperationDuration { get; }

    public Histogram<double> TimeToFirstChunk { get; }

    public Counter<long> Requests { get; }

    public Histogram<double> Overhead { get; }

    public Counter<long> BreakerTransitions { get; }

    public Counter<long> LimiterRejections { get; }

    public Counter<double> Spend { get; }

    public void Dispose()
    {
        Source.Dispose();
        Meter.Dispose();
    }
}
