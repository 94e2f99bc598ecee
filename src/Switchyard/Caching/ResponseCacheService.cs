using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Switchyard.Core.Caching;
using Switchyard.Core.Config;
using Switchyard.Core.Requests;
using Switchyard.Core.Telemetry;
using Switchyard.Storage.Redis;
using Switchyard.Tenancy;

namespace Switchyard.Caching;

/// <summary>
/// The host's side of the response cache (docs/configuration.md, "Response cache"): plans a request's cache use from
/// the live config and its <c>cache</c> controls, looks answers up, serves hits (whole, or replayed as SSE), stores
/// clean answers, and meters all of it (<c>switchyard.cache.*</c>). The back end is built from the live config when
/// first needed and again when its settings change; a back end that fails makes the request go on uncached.
/// </summary>
public sealed partial class ResponseCacheService
{
    private readonly TimeProvider _time;
    private readonly ILogger<ResponseCacheService> _logger;
    private readonly Lock _gate = new();
    private readonly Counter<long> _hits;
    private readonly Counter<long> _misses;
    private readonly Counter<long> _stores;
    private readonly Counter<long> _failures;
    private (CacheSettings Settings, IResponseCache Cache)? _backend;

    public ResponseCacheService(GatewayTelemetry telemetry, TimeProvider time, ILogger<ResponseCacheService> logger)
    {
        _time = time;
        _logger = logger;
        _hits = telemetry.Meter.CreateCounter<long>("switchyard.cache.hits", "{request}", "Requests answered from the response cache");
        _misses = telemetry.Meter.CreateCounter<long>("switchyard.cache.misses", "{request}", "Cache lookups that found no usable answer");
        _stores = telemetry.Meter.CreateCounter<long>("switchyard.cache.stores", "{answer}", "Answers stored in the response cache");
        _failures = telemetry.Meter.CreateCounter<long>("switchyard.cache.failures", "{call}", "Calls to the cache back end (Redis) that failed or timed out; the request went on uncached");
        telemetry.Meter.CreateObservableGauge("switchyard.cache.entries", () => (_backend?.Cache as MemoryResponseCache)?.Count ?? 0, "{entry}", "Answers held by the local (in-memory) response cache");
        telemetry.Meter.CreateObservableGauge("switchyard.cache.size", () => (_backend?.Cache as MemoryResponseCache)?.Bytes ?? 0, "By", "Bytes held by the local (in-memory) response cache");
    }

    /// <summary>The back end for these settings (built, or rebuilt when its settings changed since).</summary>
    public IResponseCache Backend(CacheSettings settings)
    {
        var current = _backend;
        if (current is { } c && SameBackend(c.Settings, settings))
        {
            return c.Cache;
        }

        lock (_gate)
        {
            if (_backend is { } again && SameBackend(again.Settings, settings))
            {
                return again.Cache;
            }

            IResponseCache cache = settings.Backend == CacheBackend.Redis
                ? RedisResponseCache.Connect(settings, SharedPrefix)
                : new MemoryResponseCache(settings.MaxEntries, settings.MaxBytes, _time);
            _backend = (settings, cache);
            return cache;
        }
    }

    /// <summary>switchyard.shared.key_prefix of the start config: the Redis cache keys' prefix when no namespace is set.</summary>
    public string SharedPrefix { get; init; } = "switchyard:";

    /// <summary>Whether the cache applies to this operation at all under the live settings.</summary>
    public static bool Applies(CacheSettings settings, OperationKind operation) => settings.Enabled && settings.Operations.Contains(operation);

    /// <summary>
    /// The request's plan, and its body and info without its <c>cache</c> field (which must not reach a provider).
    /// Throws <see cref="RequestValidationException"/> for malformed cache controls.
    /// </summary>
    public static (CachePlan Plan, ReadOnlyMemory<byte> Body, RequestInfo Info) Plan(CacheSettings settings, CallerIdentity caller, RequestInfo info, string group, ReadOnlyMemory<byte> body)
    {
        var scope = settings.SharedAcrossTenants ? "*"
            : caller.TenantId is { } tenant ? "tenant:" + tenant
            : caller.IsMaster ? "master" : "key:" + caller.TokenHash;
        var result = ResponseCacheKey.Compute(body.Span, scope, info.Operation, info.Model + "\n" + group, settings.Namespace);
        if (result.CacheField is var (start, end))
        {
            body = WithoutField(body.Span, start, end);
            info = RequestInspector.Inspect(body.Span, info.Operation);
        }

        var c = result.Controls;
        var optedIn = !settings.DefaultOff || c.UseCache;
        return (new CachePlan(result.Key, c, optedIn && !c.NoCache, optedIn && !c.NoStore, c.Ttl ?? settings.Ttl), body, info);
    }

    /// <summary>The body with the bytes [start, end) and one comma next to them taken out.</summary>
    internal static byte[] WithoutField(ReadOnlySpan<byte> body, int start, int end)
    {
        var after = end;
        while (after < body.Length && body[after] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
        {
            after++;
        }

        if (after < body.Length && body[after] == (byte)',')
        {
            end = after + 1;
        }
        else
        {
            var before = start - 1;
            while (before >= 0 && body[before] is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n')
            {
                before--;
            }

            if (before >= 0 && body[before] == (byte)',')
            {
                start = before;
            }
        }

        return [.. body[..start], .. body[end..]];
    }

    /// <summary>
    /// The cached answer usable for this request, as the bytes to send: a whole body for a whole call, SSE for a stream
    /// (a stored stream as it was, a whole chat answer replayed as chunks); null on a miss, a too old entry
    /// (<c>s-maxage</c>), an entry of the other shape that cannot be turned, or a back end failure.
    /// </summary>
    public async ValueTask<(CachedAnswer Answer, ReadOnlyMemory<byte> Bytes)?> LookupAsync(CacheSettings settings, CachePlan plan, RequestInfo info, CancellationToken cancellationToken)
    {
        var lookup = await Backend(settings).GetAsync(plan.Key, cancellationToken);
        if (lookup.Failed is { } reason)
        {
            Failed(info, reason);
            Count(_misses, info);
            return null;
        }

        if (lookup.Answer is not { } answer || (plan.Controls.MaxAge is { } maxAge && _time.GetUtcNow() - answer.StoredAt > maxAge))
        {
            Count(_misses, info);
            return null;
        }

        // a stored stream is not turned into a whole answer (this call's answer replaces it); a whole answer is replayed
        // as a stream for Chat Completions only. (No switch expression here: its null arm would become an empty
        // ReadOnlyMemory through byte[]'s implicit conversion, a hit with no body.)
        ReadOnlyMemory<byte>? bytes = null;
        if (info.Stream == (answer.Kind == CachedAnswerKind.Stream))
        {
            bytes = answer.Body;
        }
        else if (info.Stream && info.Operation == OperationKind.Chat && ChatStreamReplay.ToSse(answer.Body, info.IncludeUsage) is { } sse)
        {
            bytes = sse;
        }

        if (bytes is not { } usable)
        {
            Count(_misses, info);
            return null;
        }

        Count(_hits, info);
        return (answer, usable);
    }

    /// <summary>Stores a clean answer (the whole body as the caller got it, or a completed stream's bytes) unless the plan says no-store.</summary>
    public async ValueTask StoreAsync(CacheSettings settings, CachePlan plan, RequestInfo info, CachedAnswerKind kind, ReadOnlyMemory<byte> bytes, string deployment, CancellationToken cancellationToken)
    {
        if (!plan.Store || bytes.Length > settings.MaxEntryBytes)
        {
            return;
        }

        var answer = new CachedAnswer(kind, bytes.ToArray(), _time.GetUtcNow(), deployment);
        if (await Backend(settings).SetAsync(plan.Key, answer, plan.Ttl, cancellationToken))
        {
            Count(_stores, info);
        }
        else
        {
            Failed(info, "the cache back end did not store the answer");
        }
    }

    /// <summary>Writes a hit: LiteLLM's x-litellm-cache-key, x-switchyard-cache: hit and its age, zero cost, then the answer.</summary>
    public async Task WriteHitAsync(HttpContext context, CachePlan plan, RequestInfo info, CachedAnswer answer, ReadOnlyMemory<byte> bytes)
    {
        var headers = context.Response.Headers;
        headers["x-switchyard-route"] = info.Model;
        headers["x-switchyard-cache"] = "hit";
        headers["x-litellm-cache-key"] = plan.Key;
        headers["x-switchyard-cache-age"] = ((long)Math.Max(0, (_time.GetUtcNow() - answer.StoredAt).TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        headers["x-switchyard-response-cost"] = "0";
        headers["x-litellm-response-cost"] = "0";
        context.Response.StatusCode = 200;
        if (info.Stream)
        {
            context.Response.ContentType = "text/event-stream";
            headers.CacheControl = "no-cache";
            headers["X-Accel-Buffering"] = "no";
            context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
        }
        else
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = bytes.Length;
        }

        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    private static void Count(Counter<long> counter, RequestInfo info)
    {
        if (counter.Enabled)
        {
            counter.Add(1, new TagList { { GenAiAttributes.Alias, info.Model }, { GenAiAttributes.OperationName, Telemetry.RequestTelemetry.OperationName(info.Operation) } });
        }
    }

    private void Failed(RequestInfo info, string reason)
    {
        Count(_failures, info);
        LogBackendFailed(_logger, reason);
    }

    private static bool SameBackend(CacheSettings a, CacheSettings b)
        => a.Backend == b.Backend && a.RedisUrl == b.RedisUrl && a.Namespace == b.Namespace && a.MaxEntries == b.MaxEntries && a.MaxBytes == b.MaxBytes && a.RedisTimeout == b.RedisTimeout;

    [LoggerMessage(EventId = 150, Level = LogLevel.Warning, Message = "the response cache back end failed ({Reason}); the request goes on uncached")]
    private static partial void LogBackendFailed(ILogger logger, string reason);
}
