using System.Diagnostics;
using System.Diagnostics.Metrics;
using BenchmarkDotNet.Attributes;
using Switchyard.Core.Config;
using Switchyard.Core.Requests;
using Switchyard.Core.Telemetry;
using Switchyard.Http;
using Switchyard.Telemetry;

namespace Switchyard.Benchmarks;

/// <summary>
/// What a request's telemetry costs: the request span, one attempt span and the end-of-request metrics, with nobody
/// listening (no exporter: should be a few nanoseconds and no allocation), with a metrics listener only (Prometheus
/// on, the default), and with traces and metrics both listened to (OTLP configured).
/// Run: <c>dotnet run -c Release --project bench/Switchyard.Benchmarks -- --filter *TelemetryBenchmarks* --job short</c>
/// </summary>
[MemoryDiagnoser]
public class TelemetryBenchmarks
{
    private static readonly byte[] Body = """{"model":"router.default","messages":[{"role":"user","content":"ping"}]}"""u8.ToArray();
    private readonly CorrelationFeature _correlation = new("01JD0000000000000000000000", null, null);
    private GatewayTelemetry _telemetry = null!;
    private RequestInfo _info = null!;
    private DeploymentConfig _deployment = null!;
    private Usage _usage = null!;
    private Core.Routing.RoutedDeployment _routed = null!;
    private ActivityListener? _activities;
    private MeterListener? _meters;

    [Params("none", "metrics", "traces+metrics")]
    public string Listening { get; set; } = "none";

    [GlobalSetup]
    public void Setup()
    {
        _telemetry = new GatewayTelemetry();
        _info = RequestInspector.Inspect(Body, OperationKind.Chat);
        _deployment = new DeploymentConfig
        {
            Id = "d1", ModelName = "router.default", Provider = "openai", Family = "openai", Model = "gpt-4o-mini",
            ApiBase = "http://127.0.0.1:9/v1", Timeout = TimeSpan.FromSeconds(30), StreamTimeout = TimeSpan.FromSeconds(30),
        };
        _usage = new Usage(12, 30);
        _routed = new Core.Routing.RoutedDeployment(_deployment, new Core.Routing.DeploymentState("d1", new Core.Routing.DeploymentRuntime(new BreakerSettings(), null, null), TimeProvider.System));
        if (Listening != "none")
        {
            _meters = new MeterListener { InstrumentPublished = (i, l) => { if (i.Meter.Name == GatewayTelemetry.SourceName) { l.EnableMeasurementEvents(i); } } };
            _meters.SetMeasurementEventCallback<long>((_, _, _, _) => { });
            _meters.SetMeasurementEventCallback<double>((_, _, _, _) => { });
            _meters.Start();
        }

        if (Listening == "traces+metrics")
        {
            _activities = new ActivityListener
            {
                ShouldListenTo = s => s.Name == GatewayTelemetry.SourceName,
                Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            };
            ActivitySource.AddActivityListener(_activities);
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _activities?.Dispose();
        _meters?.Dispose();
        _telemetry.Dispose();
    }

    [Benchmark]
    public void RequestWithOneAttempt()
    {
        var span = RequestTelemetry.StartRequest(_telemetry, _info, _correlation, "acme", captureContent: false, Body);
        var attempt = RequestTelemetry.StartAttempt(_telemetry, _info, _routed, new Core.Routing.AttemptInfo(1, "router.default", false));
        RequestTelemetry.EndAttempt(attempt, null);
        RequestTelemetry.Complete(_telemetry, span, _info, _deployment, _usage, 200, null, TimeSpan.FromMilliseconds(3), TimeSpan.FromMilliseconds(2.9), null, 1, false, "acme", 0.0001m, false, default);
    }
}
