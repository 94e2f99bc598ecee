using System.Text.Json;
using Switchyard.Core.Failures;
using Switchyard.Http;

namespace Switchyard.Dashboard;

public sealed partial class DashboardData
{
    /// <summary>
    /// GET /ui/api/overview?window=1h|24h[&amp;tenant=]: minute (1h) or quarter-hour (24h) buckets of requests, errors by
    /// code, gateway-added latency p50/p99, tokens and spend; "now" (the last full minute and the current one so far)
    /// and today's totals (UTC day). A tenant sees its own series; a global admin the replica's, or a tenant's with tenant=.
    /// </summary>
    public async Task Overview(HttpContext c)
    {
        var (ok, tenant) = await ScopeAsync(c);
        if (!ok)
        {
            return;
        }

        var window = c.Request.Query["window"].ToString() is { Length: > 0 } wq ? wq : "1h";
        if (window is not ("1h" or "24h"))
        {
            await FailureResponses.WriteAsync(c, FailureSummary.BadRequest("'window' must be 1h or 24h", "window", "invalid_value"));
            return;
        }

        var series = tenant is null ? recorder.Global : recorder.Tenant(tenant);
        var now = recorder.Time.GetUtcNow();
        var ring = window == "1h" ? (series?.Minutes ?? new OverviewSeries().Minutes) : (series?.Quarters ?? new OverviewSeries().Quarters);
        var points = window == "1h" ? 60 : 96;
        var current = ring.PeriodOf(now);
        await WriteAsync(c, w =>
        {
            w.WriteStartObject();
            w.WriteString("window", window);
            w.WriteNumber("bucket_seconds", (long)ring.Width.TotalSeconds);
            StringOrNull(w, "tenant", tenant);
            w.WriteStartArray("series");
            var codes = new Dictionary<string, long>(StringComparer.Ordinal);
            for (var p = current - points + 1; p <= current; p++)
            {
                var b = ring.Find(p);
                w.WriteStartObject();
                w.WriteString("t", Iso(ring.StartOf(p)));
                WriteCounts(w, b is null ? [] : [b], codes);
                w.WriteNumber("tokens", b is null ? 0 : Interlocked.Read(ref b.Tokens));
                w.WriteNumber("spend_usd", b is null ? 0 : Usd(Interlocked.Read(ref b.SpendNanos)));
                w.WriteEndObject();
            }

            w.WriteEndArray();

            // "now": the previous full minute and the current one so far
            var minutes = series?.Minutes;
            var minute = (series?.Minutes ?? ring).PeriodOf(now);
            var recent = minutes is null ? [] : new[] { minutes.Find(minute - 1), minutes.Find(minute) }.OfType<SeriesBucket>().ToArray();
            var seconds = 60 + (now - new DateTimeOffset(minute * TimeSpan.TicksPerMinute, TimeSpan.Zero)).TotalSeconds;
            long requests = 0;
            long errors = 0;
            foreach (var b in recent)
            {
                requests += Interlocked.Read(ref b.Requests);
                errors += Interlocked.Read(ref b.Errors);
            }

            w.WriteStartObject("now");
            w.WriteNumber("window_seconds", Math.Round(seconds, 1));
            w.WriteNumber("rps", Math.Round(requests / seconds, 3));
            w.WriteNumber("error_rate", requests == 0 ? 0 : Math.Round((double)errors / requests, 4));
            WriteCounts(w, recent, codes);
            w.WriteEndObject();

            var (todayRequests, todayTokens, todaySpend) = series?.Today.Read(now) ?? (0, 0, 0);
            w.WriteStartObject("today");
            w.WriteNumber("requests", todayRequests);
            w.WriteNumber("tokens", todayTokens);
            w.WriteNumber("spend_usd", Usd(todaySpend));
            w.WriteEndObject();
            w.WriteEndObject();
        });
    }

    /// <summary>requests, errors, errors_by_code and added latency p50/p99 over <paramref name="buckets"/>.</summary>
    private static void WriteCounts(Utf8JsonWriter w, IReadOnlyList<SeriesBucket> buckets, Dictionary<string, long> codes)
    {
        codes.Clear();
        long requests = 0;
        long errors = 0;
        Span<long> latency = stackalloc long[LatencyHistogram.Bins];
        foreach (var b in buckets)
        {
            requests += Interlocked.Read(ref b.Requests);
            errors += Interlocked.Read(ref b.Errors);
            b.CopyCodes(codes);
            var bins = b.Latency;
            for (var i = 0; i < bins.Length; i++)
            {
                latency[i] += bins[i];
            }
        }

        w.WriteNumber("requests", requests);
        w.WriteNumber("errors", errors);
        w.WriteStartObject("errors_by_code");
        foreach (var (code, n) in codes.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal))
        {
            w.WriteNumber(code, n);
        }

        w.WriteEndObject();
        NumberOrNull(w, "added_latency_p50_ms", LatencyHistogram.Quantile(latency, 0.50));
        NumberOrNull(w, "added_latency_p99_ms", LatencyHistogram.Quantile(latency, 0.99));
    }
}
