using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.Channels;
using Switchyard.Core.Requests;
using Switchyard.Core.Tenancy;
using Switchyard.Hosting;
using Switchyard.Tenancy;

namespace Switchyard.Callbacks;

/// <summary>
/// LiteLLM's generic_api / webhook callback (docs/configuration.md, "Callbacks"): one JSON POST per request, with the
/// fields of LiteLLM's StandardLoggingPayload that Switchyard has. The request thread only queues an event (a channel
/// write); one background loop posts them with retries and backoff. A full queue drops events (counted in
/// switchyard.callback.events{outcome=dropped}) rather than slowing a request; nothing here ever fails one.
/// </summary>
public sealed partial class CallbackWebhook : IHostedService, IDisposable
{
    /// <summary>Events waiting to be posted; beyond this, new ones are dropped.</summary>
    public const int QueueLength = 10_000;

    /// <summary>Attempts per event (the first and the retries).</summary>
    public const int MaxAttempts = 3;

    private readonly Channel<CallbackEvent> _queue = Channel.CreateBounded<CallbackEvent>(new BoundedChannelOptions(QueueLength)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
        AllowSynchronousContinuations = false,
    });

    private readonly GatewayState _state;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly ILogger<CallbackWebhook> _logger;
    private readonly Counter<long> _events;
    private readonly CancellationTokenSource _stopping = new(); // the host gave up waiting: in-flight posts are abandoned
    private readonly CancellationTokenSource _draining = new(); // stopping: each queued event gets one attempt, no backoff
    private Task? _loop;
    private int _disposed;
    private long _delivered, _failed, _dropped, _retried;

    public CallbackWebhook(GatewayState state, TimeProvider time, Core.Telemetry.GatewayTelemetry telemetry, ILogger<CallbackWebhook> logger)
    {
        _state = state;
        _time = time;
        _logger = logger;
        _http = new HttpClient(new SocketsHttpHandler { UseProxy = false, ConnectTimeout = TimeSpan.FromSeconds(5) }) { Timeout = TimeSpan.FromSeconds(10) };
        _events = telemetry.Meter.CreateCounter<long>("switchyard.callback.events", "{event}", "Webhook callback events by outcome (delivered, retried, failed, dropped)");
    }

    /// <summary>The delay before retry n (1-based): 0.5 s, then doubling.</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Events the webhook accepted (2xx).</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Events given up on after <see cref="MaxAttempts"/> attempts.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>Events dropped because the queue was full.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Attempts that failed and were retried.</summary>
    public long Retried => Interlocked.Read(ref _retried);

    /// <summary>Queues the event of a settled request when the webhook callback is configured for its outcome. Never blocks.</summary>
    public void Publish(CallerIdentity caller, RequestInfo info, SpendRecord row, string? errorCode)
    {
        if (_state.Current.Config.Callbacks.Webhook is not { } hook)
        {
            return;
        }

        var success = row.Status is >= 200 and < 400;
        if (success ? !hook.OnSuccess : !hook.OnFailure)
        {
            return;
        }

        var e = new CallbackEvent(row, info.Operation, info.Stream, caller.TenantId, caller.Key?.Record.KeyAlias, success, errorCode, _time.GetUtcNow());
        if (!_queue.Writer.TryWrite(e))
        {
            Interlocked.Increment(ref _dropped);
            _events.Add(1, new KeyValuePair<string, object?>("outcome", "dropped"));
        }
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(RunAsync, CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Posts what is queued, once each (no retries); abandons the rest when the host stops waiting.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await _draining.CancelAsync().ConfigureAwait(false);
        using var giveUp = cancellationToken.Register(_stopping.Cancel);
        if (_loop is { } loop)
        {
            await loop.ConfigureAwait(false);
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return; // registered as itself and as a hosted service: disposed twice
        }

        _queue.Writer.TryComplete();
        _stopping.Cancel();
        _draining.Cancel();
        _stopping.Dispose();
        _draining.Dispose();
        _http.Dispose();
    }

    private async Task RunAsync()
    {
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var e))
            {
                if (_stopping.IsCancellationRequested)
                {
                    continue; // the host stopped waiting: what is left is dropped
                }

                if (_state.Current.Config.Callbacks.Webhook is { } hook)
                {
                    await DeliverAsync(hook, e).ConfigureAwait(false);
                }
            }
        }
    }

    private async Task DeliverAsync(Core.Config.WebhookCallback hook, CallbackEvent e)
    {
        var body = Serialize(e);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var status = 0;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, hook.Url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                foreach (var (k, v) in hook.Headers)
                {
                    request.Headers.TryAddWithoutValidation(k, v);
                }

                using var response = await _http.SendAsync(request, _stopping.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    Interlocked.Increment(ref _delivered);
                    _events.Add(1, new KeyValuePair<string, object?>("outcome", "delivered"));
                    return;
                }

                status = (int)response.StatusCode;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                if (_stopping.IsCancellationRequested)
                {
                    return;
                }
            }

            if (attempt == MaxAttempts || _draining.IsCancellationRequested)
            {
                break; // stopping: no retries
            }

            Interlocked.Increment(ref _retried);
            _events.Add(1, new KeyValuePair<string, object?>("outcome", "retried"));
            LogRetry(_logger, status, attempt);
            try
            {
                await Task.Delay(RetryBaseDelay * Math.Pow(2, attempt - 1), _time, _draining.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // stopping: this next attempt is the last
            }
        }

        Interlocked.Increment(ref _failed);
        _events.Add(1, new KeyValuePair<string, object?>("outcome", "failed"));
        LogFailed(_logger, e.Row.CorrelationId);
    }

    /// <summary>LiteLLM's call_type for an operation (its async spellings, as the proxy logs them).</summary>
    public static string CallType(OperationKind op) => op switch
    {
        OperationKind.Chat => "acompletion",
        OperationKind.Embeddings => "aembedding",
        OperationKind.Messages => "anthropic_messages",
        OperationKind.Responses => "aresponses",
        OperationKind.Completions => "atext_completion",
        OperationKind.ImageGeneration => "aimage_generation",
        OperationKind.Rerank => "arerank",
        _ => "amoderation",
    };

    /// <summary>
    /// The event as JSON, named like LiteLLM's StandardLoggingPayload. Never the provider key or the caller's token
    /// (only its hash); no message content.
    /// </summary>
    internal static byte[] Serialize(CallbackEvent e)
    {
        var row = e.Row;
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("id", row.RequestId);
            json.WriteString("call_type", CallType(e.Operation));
            json.WriteBoolean("stream", e.Stream);
            json.WriteString("status", e.Success ? "success" : "failure");
            json.WriteString("model", row.Model ?? row.Alias);
            json.WriteString("model_group", row.Alias);
            json.WriteString("model_id", row.Deployment);
            json.WriteString("custom_llm_provider", row.ProviderFamily);
            json.WriteNumber("prompt_tokens", row.PromptTokens);
            json.WriteNumber("completion_tokens", row.CompletionTokens);
            json.WriteNumber("total_tokens", row.PromptTokens + row.CompletionTokens);
            json.WriteNumber("response_cost", row.Cost);
            json.WriteNumber("startTime", row.StartTime.ToUnixTimeMilliseconds() / 1000.0);
            json.WriteNumber("endTime", (row.StartTime.ToUnixTimeMilliseconds() + (long)row.LatencyMs) / 1000.0);
            json.WriteNumber("response_time", row.LatencyMs / 1000.0);
            json.WriteBoolean("cache_hit", row.ProviderFamily == UsageRecorder.CacheHitFamily);
            json.WriteString("trace_id", row.CorrelationId);
            json.WriteStartObject("metadata");
            json.WriteString("user_api_key_hash", row.TokenHash);
            json.WriteString("user_api_key_alias", e.KeyAlias);
            json.WriteString("user_api_key_team_id", e.TeamId);
            json.WriteString("user_api_key_user_id", row.UserId);
            json.WriteString("correlation_id", row.CorrelationId);
            json.WriteEndObject();
            if (e.Success)
            {
                json.WriteNull("error_str");
                json.WriteNull("error_information");
            }
            else
            {
                json.WriteString("error_str", e.ErrorCode ?? row.Status.ToString(CultureInfo.InvariantCulture));
                json.WriteStartObject("error_information");
                json.WriteString("error_code", row.Status.ToString(CultureInfo.InvariantCulture));
                json.WriteString("error_class", e.ErrorCode);
                json.WriteEndObject();
            }

            json.WriteString("source", "switchyard");
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    [LoggerMessage(EventId = 170, Level = LogLevel.Debug, Message = "webhook callback: attempt {Attempt} failed (HTTP {Status}); retrying")]
    private static partial void LogRetry(ILogger logger, int status, int attempt);

    [LoggerMessage(EventId = 171, Level = LogLevel.Warning, Message = "webhook callback: the event of request {CorrelationId} could not be delivered; given up")]
    private static partial void LogFailed(ILogger logger, string correlationId);
}

/// <summary>One settled request for the webhook callback: its spend row and what the row does not hold.</summary>
public sealed record CallbackEvent(SpendRecord Row, OperationKind Operation, bool Stream, string? TeamId, string? KeyAlias, bool Success, string? ErrorCode, DateTimeOffset QueuedAt);
