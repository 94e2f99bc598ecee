using System.Text.Json;
using Switchyard.Core.Tenancy;
using Switchyard.Hosting;
using Switchyard.Tenancy;

namespace Switchyard.Endpoints;

/// <summary>
/// /health/liveliness and /health/readiness (no auth, for probes; readiness also carries the live config's hash and the
/// version, so replicas can be compared) and /health (per deployment: breaker state,
/// in-flight calls, latency, cooldown, why a deployment is disabled; never keys or api_base credentials).
/// </summary>
public sealed class HealthEndpoints(GatewayState state, Authenticator authenticator, IGatewayStore store, TimeProvider time, Core.Admission.AdmissionController admission, Core.Routing.DeploymentStateRegistry deployments)
{
    public static Task Liveliness(HttpContext context)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync("\"I'm alive!\"");
    }

    public async Task Readiness(HttpContext context)
    {
        var snapshot = state.Current;
        var now = time.GetUtcNow();

        // A group is routable when some deployment could take a call now: enabled, breaker not open, not cooling down
        // and not at its own rpm/tpm limit (a group whose only deployment's breaker is open cannot serve anyone).
        List<string>? blocked = null;
        var routable = 0;
        foreach (var g in snapshot.Routes.Groups)
        {
            if (g.Deployments.Any(d => d.State.BlockedUntil(now) is null))
            {
                routable++;
            }
            else
            {
                (blocked ??= []).Add(g.Name);
            }
        }

        var ready = routable > 0;

        // Which store and whether it answers; requests are served from memory and spend waits in its queue, so a store
        // that does not answer is reported, not a reason to take the replica out of rotation.
        var storeAnswers = await store.PingAsync(context.RequestAborted);

        // Offline standby: the gateway answers, so it stays ready (200: a probe that takes it out of rotation would
        // not bring a provider key), but says "degraded" with the reason (docs/operations.md, "Offline standby").
        var standby = ready ? Core.Config.OfflineStandby.Serving(snapshot.Config) : [];
        context.Response.StatusCode = ready ? 200 : 503;
        context.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(context.Response.Body);
        w.WriteStartObject();
        w.WriteString("status", !ready ? "unhealthy" : standby.Count > 0 ? "degraded" : "healthy");

        // What `switchyard doctor --url A --url B` compares: the same hash means the same file and environment.
        w.WriteString("config_hash", snapshot.Config.ConfigHash);
        w.WriteString("version", GatewayVersion.Current);
        w.WriteString("redis", RedisState(snapshot.Config.Shared, admission, deployments.Shared));
        w.WriteNumber("routable_groups", routable);
        w.WriteNumber("groups", snapshot.Routes.Groups.Count);
        w.WriteStartArray("unroutable_groups");
        foreach (var name in blocked ?? [])
        {
            w.WriteStringValue(name);
        }

        w.WriteEndArray();
        w.WriteString("config", snapshot.Config.SourcePath);
        w.WriteString("config_file_hash", snapshot.Config.SourceFileHash); // doctor compares it with the file on disk
        w.WriteString("store", snapshot.Config.Store.DatabaseUrl is null ? "sqlite" : "postgresql");
        w.WriteString("store_status", storeAnswers ? "healthy" : "unhealthy");
        if (standby.Count > 0)
        {
            w.WriteStartArray("reasons");
            w.WriteStringValue("offline standby: " + Core.Config.OfflineStandby.Describe(standby));
            w.WriteEndArray();
            w.WriteStartArray("offline_standby_groups");
            foreach (var g in standby)
            {
                w.WriteStringValue(g.Group);
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    /// <summary>
    /// Redis as this replica sees it now: <c>off</c> (not configured, or nothing shared through it), <c>up</c>,
    /// <c>down</c> (every use of it has failed over: admission follows on_redis_failure, breakers are per replica) or
    /// <c>degraded</c> (one use is down while the other answers, or settlements still wait to be replayed). Read from
    /// the breaker in front of shared admission and from the shared breakers' last call; not a probe of its own.
    /// </summary>
    internal static string RedisState(Core.Config.SharedStateSettings shared, Core.Admission.AdmissionController admission, Core.Resilience.IBreakerCoordinator? breakers)
    {
        var limiter = admission.Breaker;
        if (!shared.UsesRedis || (limiter is null && breakers is null))
        {
            return "off";
        }

        var limiterDown = limiter?.IsOpen == true;
        var breakersDown = breakers is { IsAvailable: false };
        if ((limiter is null || limiterDown) && (breakers is null || breakersDown))
        {
            return "down";
        }

        return limiterDown || breakersDown || admission.PendingSettlements > 0 ? "degraded" : "up";
    }

    public async Task Deployments(HttpContext context)
    {
        var snapshot = state.Current;
        if (await authenticator.RequireAsync(context, Scopes.HealthRead) is not { } caller)
        {
            return;
        }

        var storeHealthy = await store.PingAsync(context.RequestAborted);

        var now = time.GetUtcNow();
        context.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(context.Response.Body);
        w.WriteStartObject();
        int healthy = 0, unhealthy = 0;
        var healthyIds = new List<(string Model, string Id)>();
        var unhealthyIds = new List<(string Model, string Id)>();
        w.WriteStartArray("deployments");
        foreach (var d in snapshot.Config.Deployments)
        {
            w.WriteStartObject();
            w.WriteString("id", d.Id);
            w.WriteString("model_name", d.ModelName);
            w.WriteString("model", d.QualifiedModel);
            w.WriteString("provider_family", d.Family);
            w.WriteBoolean("enabled", d.Enabled);
            if (!d.Enabled)
            {
                w.WriteString("disabled_reason", d.DisabledReason);
                w.WriteEndObject();
                continue;
            }

            var s = snapshot.Routes.GroupOf(d.ModelName)!.Deployments.First(x => x.Config.Id == d.Id).State;
            var breaker = s.Breaker.State;
            var blocked = s.BlockedUntil(now);
            if (blocked is null)
            {
                healthy++;
                healthyIds.Add((d.ModelName, d.Id));
            }
            else
            {
                unhealthy++;
                unhealthyIds.Add((d.ModelName, d.Id));
            }

            w.WriteString("status", blocked is null ? "healthy" : "unhealthy");
            w.WriteString("breaker", breaker.ToString().ToLowerInvariant() switch { "halfopen" => "half_open", var x => x });
            w.WriteNumber("in_flight", s.InFlight);
            if (double.IsNaN(s.LatencyMs))
            {
                w.WriteNull("latency_ms");
            }
            else
            {
                w.WriteNumber("latency_ms", Math.Round(s.LatencyMs, 2));
            }

            if (blocked is { } until)
            {
                w.WriteNumber("retry_after_ms", (long)Math.Ceiling((until - now).TotalMilliseconds));
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        WriteEndpoints(w, "healthy_endpoints", healthyIds);
        WriteEndpoints(w, "unhealthy_endpoints", unhealthyIds);
        w.WriteNumber("healthy_count", healthy);
        w.WriteNumber("unhealthy_count", unhealthy);
        w.WriteString("store", storeHealthy ? "healthy" : "unhealthy");
        w.WriteEndObject();
    }

    /// <summary>LiteLLM's /health lists (model and id; never keys or api_base).</summary>
    private static void WriteEndpoints(Utf8JsonWriter w, string name, List<(string Model, string Id)> list)
    {
        w.WriteStartArray(name);
        foreach (var (model, id) in list)
        {
            w.WriteStartObject();
            w.WriteString("model", model);
            w.WriteString("model_id", id);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }
}
