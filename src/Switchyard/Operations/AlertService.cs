using System.Text.Json;
using System.Threading.Channels;
using Switchyard.Core.Admission;
using Switchyard.Core.Alerts;
using Switchyard.Core.Resilience;
using Switchyard.Core.Routing;
using Switchyard.Hosting;

namespace Switchyard.Operations;

/// <summary>
/// Collects alert events without blocking the caller (a channel write), merges them per kind and subject over the
/// configured window, and delivers each merged alert to every sink with retries and backoff in the background.
/// </summary>
public sealed partial class AlertService : BackgroundService
{
    private readonly Channel<AlertEvent> _events = Channel.CreateBounded<AlertEvent>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
    private readonly GatewayState _state;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly ILogger<AlertService> _logger;
    private long _delivered;

    public AlertService(GatewayState state, DeploymentStateRegistry deployments, AdmissionController admission, TimeProvider time, ILogger<AlertService> logger)
    {
        _state = state;
        _time = time;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(5) }) { Timeout = TimeSpan.FromSeconds(10) };
        deployments.BreakerTransitioned += OnBreaker;
        if (admission.Breaker is { } shared)
        {
            shared.Changed += (up, reason) => Publish(up ? AlertKinds.SharedStateRestored : AlertKinds.SharedStateDown, "redis", up ? "info" : "critical",
                up ? "the shared limits (Redis) answer again" : $"the shared limits (Redis) are unreachable ({reason}); admission follows on_redis_failure");
        }

        admission.SoftBudgetReached += (s, spent) => Publish(AlertKinds.BudgetSoftLimit, $"{s.Kind} {s.Id}", "warning", $"spent ${spent / 1_000_000_000m:0.####} of soft budget ${s.Limits.SoftBudget}");
    }

    /// <summary>Merged alerts delivered to at least one sink.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    public void Publish(string kind, string subject, string severity, string detail, IReadOnlyList<string>? aliases = null, string? model = null)
        => _events.Writer.TryWrite(new AlertEvent(kind, subject, severity, detail, _time.GetUtcNow()) { Aliases = aliases ?? [], Model = model });

    /// <summary>
    /// A failed upstream attempt (or a stream that broke after its first byte), alerted per deployment id and classified
    /// by how it failed: the provider refusing the key, an invalid 2xx body, a 5xx, a timeout, a connection error or a
    /// 429. The caller's own errors are not alerted. Called on the failure path only (a channel write).
    /// </summary>
    public void UpstreamFailed(Core.Config.DeploymentConfig deployment, Core.Failures.UpstreamFailure failure, string alias)
    {
        if (AlertKinds.ForFailure(failure.Kind) is not { } kind)
        {
            return;
        }

        var severity = kind == AlertKinds.UpstreamAuth ? "critical" : "warning";
        var status = failure.UpstreamStatus is { } s ? $"HTTP {s}: " : "";
        Publish(kind, deployment.Id, severity, $"{status}{failure.Detail} (alias {alias})", [alias], deployment.QualifiedModel);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var merger = new AlertMerger(_state.Current.Config.Alerts.MergeWindow);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var settings = _state.Current.Config.Alerts;
                if (settings.MergeWindow != merger.Window)
                {
                    Dispatch(merger.Due(_time.GetUtcNow(), all: true));
                    merger = new AlertMerger(settings.MergeWindow);
                }

                var wait = merger.NextDue() is { } due ? due - _time.GetUtcNow() : Timeout.InfiniteTimeSpan;
                if (wait != Timeout.InfiniteTimeSpan && wait < TimeSpan.Zero)
                {
                    wait = TimeSpan.Zero;
                }

                using (var cts = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken))
                {
                    if (wait != Timeout.InfiniteTimeSpan)
                    {
                        cts.CancelAfter(wait);
                    }

                    try
                    {
                        await _events.Reader.WaitToReadAsync(cts.Token);
                    }
                    catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                    {
                    }
                }

                while (_events.Reader.TryRead(out var e))
                {
                    merger.Add(e);
                }

                Dispatch(merger.Due(_time.GetUtcNow()));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        while (_events.Reader.TryRead(out var e))
        {
            merger.Add(e);
        }

        await Task.WhenAll(merger.Due(_time.GetUtcNow(), all: true).Select(a => DeliverAsync(a, CancellationToken.None)));
    }

    private void Dispatch(IReadOnlyList<MergedAlert> alerts)
    {
        foreach (var a in alerts)
        {
            LogAlert(_logger, a.Kind, a.Message);
            _ = DeliverAsync(a, CancellationToken.None);
        }
    }

    private async Task DeliverAsync(MergedAlert alert, CancellationToken ct)
    {
        var settings = _state.Current.Config.Alerts;

        // Sinks are independent: one that hangs or keeps failing (up to max_attempts x the 10 s timeout) must not hold
        // back the others.
        var delivered = await Task.WhenAll(settings.Sinks.Select(sink => DeliverToAsync(sink, alert, settings, ct)));
        if (delivered.Contains(true))
        {
            Interlocked.Increment(ref _delivered);
        }
    }

    private async Task<bool> DeliverToAsync(AlertSink sink, MergedAlert alert, AlertSettings settings, CancellationToken ct)
    {
        var payload = sink.Type == "slack" ? SlackPayload(alert) : WebhookPayload(alert);
        for (var attempt = 1; attempt <= settings.MaxAttempts; attempt++)
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, sink.Url) { Content = JsonContent.Create(payload) };
                foreach (var (k, v) in sink.Headers)
                {
                    request.Headers.TryAddWithoutValidation(k, v);
                }

                using var response = await _http.SendAsync(request, ct);
                if (response.IsSuccessStatusCode)
                {
                    return true;
                }

                LogDeliveryRetry(_logger, sink.Type, (int)response.StatusCode, attempt);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                LogDeliveryRetry(_logger, sink.Type, 0, attempt);
            }

            if (attempt < settings.MaxAttempts)
            {
                var delay = TimeSpan.FromMilliseconds(settings.RetryBaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1));
                await Task.Delay(delay, _time, ct);
            }
        }

        LogDeliveryFailed(_logger, sink.Type, alert.Kind, settings.MaxAttempts);
        return false;
    }

    private static JsonElement WebhookPayload(MergedAlert a) => JsonSerializer.SerializeToElement(new Dictionary<string, object?>
    {
        ["kind"] = a.Kind,
        ["subject"] = a.Subject,
        ["deployment"] = a.Model is null ? null : a.Subject,
        ["model"] = a.Model,
        ["severity"] = a.Severity,
        ["count"] = a.Count,
        ["window_seconds"] = a.Window.TotalSeconds,
        ["first_at"] = a.FirstAt,
        ["last_at"] = a.LastAt,
        ["aliases"] = a.Aliases,
        ["details"] = a.Details,
        ["message"] = a.Message,
        ["source"] = "switchyard",
    }, AlertJson.Default.DictionaryStringObject);

    private static JsonElement SlackPayload(MergedAlert a) => JsonSerializer.SerializeToElement(new Dictionary<string, object?>
    {
        ["text"] = $"[switchyard] {a.Severity}: {a.Message}",
    }, AlertJson.Default.DictionaryStringObject);

    private void OnBreaker(BreakerTransition t)
    {
        if (t.To is not (BreakerState.Open or BreakerState.Closed) || t.Shared)
        {
            return; // an open or close applied from another replica's evidence is alerted by that replica
        }

        var snapshot = _state.Current;
        var d = snapshot.Config.Deployments.FirstOrDefault(x => x.Id == t.DeploymentId);
        // keyed by deployment id: unrelated deployments of one provider model are separate alerts
        var aliases = d is null ? [] : snapshot.Routes.PublicNames.Where(n => snapshot.Routes.Resolve(n)?.Name == d.ModelName).ToArray();
        Publish(t.To == BreakerState.Open ? AlertKinds.BreakerOpened : AlertKinds.BreakerClosed, t.DeploymentId, t.To == BreakerState.Open ? "critical" : "info", t.Reason, aliases, d?.QualifiedModel ?? t.DeploymentId);
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }

    [LoggerMessage(EventId = 50, Level = LogLevel.Warning, Message = "alert {Kind}: {Message}")]
    private static partial void LogAlert(ILogger logger, string kind, string message);

    [LoggerMessage(EventId = 51, Level = LogLevel.Information, Message = "alert delivery to {Sink} failed (status {Status}), attempt {Attempt}")]
    private static partial void LogDeliveryRetry(ILogger logger, string sink, int status, int attempt);

    [LoggerMessage(EventId = 52, Level = LogLevel.Error, Message = "alert {Kind} could not be delivered to {Sink} after {Attempts} attempts")]
    private static partial void LogDeliveryFailed(ILogger logger, string sink, string kind, int attempts);
}

[System.Text.Json.Serialization.JsonSerializable(typeof(Dictionary<string, object?>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(IReadOnlyList<string>))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
[System.Text.Json.Serialization.JsonSerializable(typeof(DateTimeOffset))]
[System.Text.Json.Serialization.JsonSerializable(typeof(double))]
[System.Text.Json.Serialization.JsonSerializable(typeof(int))]
internal sealed partial class AlertJson : System.Text.Json.Serialization.JsonSerializerContext;
