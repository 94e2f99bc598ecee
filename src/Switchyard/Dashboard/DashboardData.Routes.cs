using System.Text.Json;
using Switchyard.Core.Resilience;
using Switchyard.Core.Routing;

namespace Switchyard.Dashboard;

public sealed partial class DashboardData
{
    /// <summary>How far back a deployment's recent figures and an alias's recent fallbacks reach.</summary>
    private static readonly TimeSpan RecentWindow = TimeSpan.FromMinutes(15);

    /// <summary>At most this many recent fallbacks per alias.</summary>
    private const int FallbacksPerAlias = 20;

    /// <summary>
    /// GET /ui/api/routes (global admins): every public name -> its groups (primary, canary with its share, fallbacks)
    /// -> deployments with weight, family, model, breaker and the last 15 minutes' attempts; and per name the recent
    /// calls a fallback group served.
    /// </summary>
    public async Task Routes(HttpContext c)
    {
        if (!await RequireGlobalAdminAsync(c, "reading the routes and breakers"))
        {
            return;
        }

        var routes = state.Current.Routes;
        var config = routes.Config;
        var now = recorder.Time.GetUtcNow();
        var fallbacks = recorder.Fallbacks.NewestFirst().Where(r => now - r.Time <= RecentWindow).ToList();
        await WriteAsync(c, w =>
        {
            w.WriteStartObject();
            w.WriteNumber("recent_window_seconds", (long)RecentWindow.TotalSeconds);
            w.WriteStartArray("aliases");
            foreach (var name in routes.PublicNames)
            {
                if (routes.Resolve(name) is not { } primary)
                {
                    continue;
                }

                w.WriteStartObject();
                w.WriteString("alias", name);
                w.WriteStartArray("groups");
                WriteGroup(w, primary, "primary", null, now);
                if (config.Canaries.GetValueOrDefault(name) is { Target: { } target } canary && routes.Resolve(target) is { } canaryGroup)
                {
                    WriteGroup(w, canaryGroup, "canary", canary.Percent, now);
                }

                foreach (var fallback in routes.FallbacksFor(name, contextWindow: false))
                {
                    if (routes.Resolve(fallback) is { } group)
                    {
                        WriteGroup(w, group, "fallback", null, now);
                    }
                }

                w.WriteEndArray();
                w.WriteStartArray("recent_fallbacks");
                foreach (var r in fallbacks.Where(r => r.Alias == name).Take(FallbacksPerAlias))
                {
                    w.WriteStartObject();
                    w.WriteString("time", Iso(r.Time));
                    w.WriteString("served_by", r.Fallback);
                    w.WriteString("primary", primary.Name);
                    StringOrNull(w, "deployment", r.Deployment);
                    w.WriteNumber("status", r.Status ?? 0);
                    w.WriteNumber("attempts", r.Attempts);
                    w.WriteString("correlation_id", r.CorrelationId);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        });
    }

    private void WriteGroup(Utf8JsonWriter w, RouteGroup group, string role, double? percent, DateTimeOffset now)
    {
        w.WriteStartObject();
        w.WriteString("name", group.Name);
        w.WriteString("role", role);
        if (percent is { } p)
        {
            w.WriteNumber("percent", p);
        }

        w.WriteStartArray("deployments");
        foreach (var d in group.Deployments)
        {
            w.WriteStartObject();
            w.WriteString("id", d.Config.Id);
            w.WriteString("provider_family", d.Config.Family);
            w.WriteString("model", d.Config.QualifiedModel);
            w.WriteNumber("weight", d.Config.Weight);
            WriteBreaker(w, d.State, now);
            WriteRecent(w, recorder.Deployment(d.Config.Id), now);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void WriteBreaker(Utf8JsonWriter w, DeploymentState state, DateTimeOffset now)
    {
        var breaker = state.Breaker;
        var s = breaker.State;
        w.WriteStartObject("breaker");
        w.WriteString("state", s switch { BreakerState.Open => "open", BreakerState.HalfOpen => "half_open", _ => "closed" });
        if (s == BreakerState.Open && breaker.BlockedUntil() is { } until)
        {
            w.WriteNumber("half_open_in_ms", Math.Max(0, (long)Math.Ceiling((until - now).TotalMilliseconds)));
        }
        else
        {
            w.WriteNull("half_open_in_ms");
        }

        w.WriteEndObject();
    }

    /// <summary>The deployment's attempts over the recent window: requests, errors, error rate, latency p50/p99.</summary>
    private static void WriteRecent(Utf8JsonWriter w, SeriesRing? ring, DateTimeOffset now)
    {
        long requests = 0;
        long errors = 0;
        Span<long> latency = stackalloc long[LatencyHistogram.Bins];
        if (ring is not null)
        {
            var current = ring.PeriodOf(now);
            var minutes = (int)(RecentWindow / ring.Width);
            for (var p = current - minutes + 1; p <= current; p++)
            {
                if (ring.Find(p) is not { } b)
                {
                    continue;
                }

                requests += Interlocked.Read(ref b.Requests);
                errors += Interlocked.Read(ref b.Errors);
                var bins = b.Latency;
                for (var i = 0; i < bins.Length; i++)
                {
                    latency[i] += bins[i];
                }
            }
        }

        w.WriteStartObject("recent");
        w.WriteNumber("requests", requests);
        w.WriteNumber("errors", errors);
        w.WriteNumber("error_rate", requests == 0 ? 0 : Math.Round((double)errors / requests, 4));
        NumberOrNull(w, "latency_p50_ms", LatencyHistogram.Quantile(latency, 0.50));
        NumberOrNull(w, "latency_p99_ms", LatencyHistogram.Quantile(latency, 0.99));
        w.WriteEndObject();
    }
}
