using System.Collections;
using System.Diagnostics;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Switchyard.Tests.Infrastructure;

/// <summary>
/// OpenTelemetry's in-memory exporters for one gateway: spans as they end, metrics on <see cref="Collect"/>.
/// The exporters write from request threads, so the collections behind them lock.
/// Note: an ActivitySource or Meter listener matches by name across the process, so tests using this run in
/// the non-parallel "telemetry" collection and pick their spans by trace id or correlation id.
/// </summary>
public sealed class TelemetryCapture
{
    public LockedCollection<Activity> Spans { get; } = new();

    public LockedCollection<MetricSnapshot> Metrics { get; } = new();

    public void Tracing(TracerProviderBuilder t) => t.SetSampler(new ParentBasedSampler(new AlwaysOnSampler())).AddInMemoryExporter(Spans);

    public void Metering(MeterProviderBuilder m) => m.AddInMemoryExporter(Metrics, r => r.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 3_600_000);

    /// <summary>Every span of one trace that has ended so far.</summary>
    public IReadOnlyList<Activity> Trace(ActivityTraceId traceId) => Spans.Snapshot().Where(a => a.TraceId == traceId).ToArray();

    /// <summary>Waits (bounded) for the request span that carries this correlation id; request spans end after the answer is written.</summary>
    public async Task<Activity> RequestSpanAsync(string correlationId)
    {
        Activity? found = null;
        await GatewayApi.WaitUntilAsync(() => (found = Spans.Snapshot().FirstOrDefault(a => a.Kind == ActivityKind.Server && Equals(a.GetTagItem("switchyard.correlation_id"), correlationId))) is not null,
            "the request span of " + correlationId, TimeSpan.FromSeconds(10));
        return found!;
    }

    /// <summary>The attempt spans under a request span, in attempt order.</summary>
    public IReadOnlyList<Activity> Attempts(Activity request)
        => Spans.Snapshot().Where(a => a.TraceId == request.TraceId && a.ParentSpanId == request.SpanId && a.Kind == ActivityKind.Client)
            .OrderBy(a => Convert.ToInt32(a.GetTagItem("switchyard.attempt"), System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    /// <summary>Forces a collection and returns the newest snapshot of each metric (cumulative, so it holds every point so far).</summary>
    public IReadOnlyDictionary<string, MetricSnapshot> Collect(GatewayFixture gw)
    {
        // The Prometheus reader (pull only) answers false to a flush it did not ask for; the in-memory reader still exports.
        gw.Service<MeterProvider>().ForceFlush(10_000);
        var latest = new Dictionary<string, MetricSnapshot>(StringComparer.Ordinal);
        foreach (var m in Metrics.Snapshot())
        {
            latest[m.Name] = m;
        }

        return latest;
    }

    public static IReadOnlyDictionary<string, object?> Tags(MetricPoint p)
    {
        var tags = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var t in p.Tags)
        {
            tags[t.Key] = t.Value;
        }

        return tags;
    }

    /// <summary>The points of a metric whose tags include every given pair.</summary>
    public static IReadOnlyList<MetricPoint> Points(IReadOnlyDictionary<string, MetricSnapshot> metrics, string name, params (string Key, object? Value)[] where)
    {
        if (!metrics.TryGetValue(name, out var m))
        {
            return [];
        }

        return m.MetricPoints.Where(p =>
        {
            var tags = Tags(p);
            return where.All(w => tags.TryGetValue(w.Key, out var v) && Equals(Normalize(v), Normalize(w.Value)));
        }).ToArray();
    }

    private static object? Normalize(object? v) => v switch
    {
        int i => (long)i,
        _ => v,
    };
}

/// <summary>An <see cref="ICollection{T}"/> safe for exporter threads and test readers.</summary>
public sealed class LockedCollection<T> : ICollection<T>
{
    private readonly List<T> _items = [];
    private readonly Lock _gate = new();

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _items.Count;
            }
        }
    }

    public bool IsReadOnly => false;

    public IReadOnlyList<T> Snapshot()
    {
        lock (_gate)
        {
            return _items.ToArray();
        }
    }

    public void Add(T item)
    {
        lock (_gate)
        {
            _items.Add(item);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _items.Clear();
        }
    }

    public bool Contains(T item)
    {
        lock (_gate)
        {
            return _items.Contains(item);
        }
    }

    public void CopyTo(T[] array, int arrayIndex)
    {
        lock (_gate)
        {
            _items.CopyTo(array, arrayIndex);
        }
    }

    public bool Remove(T item)
    {
        lock (_gate)
        {
            return _items.Remove(item);
        }
    }

    public IEnumerator<T> GetEnumerator() => Snapshot().GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
