using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>Reads router_settings and litellm_settings (LiteLLM's routing keys) and switchyard.retry.</summary>
internal static class RouterConfigReader
{
    private static readonly HashSet<string> RouterKeys =
    [
        "routing_strategy", "num_retries", "timeout", "stream_timeout", "retry_after", "fallbacks", "context_window_fallbacks",
        "default_fallbacks", "max_fallbacks", "allowed_fails", "cooldown_time", "retry_policy", "model_group_alias",
        "enable_tag_filtering", "tag_filtering_match_any",

        // read by RouterRedisReader (shared state)
        "redis_url", "redis_host", "redis_port", "redis_password",
    ];

    /// <summary>litellm_settings keys that only tune LiteLLM's own logging or telemetry: accepted without a word.</summary>
    private static readonly HashSet<string> HarmlessLitellmKeys =
    [
        "set_verbose", "json_logs", "telemetry", "debug", "detailed_debug", "suppress_debug_info", "turn_off_message_logging",
        "redact_user_api_key_info",
    ];

    private static readonly HashSet<string> LitellmSettingsKeys =
    [
        "num_retries", "request_timeout", "fallbacks", "context_window_fallbacks", "default_fallbacks", "drop_params", "allowed_fails",
        "default_params", "default_model", "cache", "cache_params", .. HarmlessLitellmKeys, // cache keys: read by CacheConfigReader
        .. CallbackConfigReader.Keys, // read by CallbackConfigReader
    ];
    private static readonly HashSet<string> RetryKeys = ["base_delay", "max_delay"];

    private static readonly HashSet<string> RetryPolicyKeys =
    [
        "TimeoutErrorRetries", "RateLimitErrorRetries", "InternalServerErrorRetries", "AuthenticationErrorRetries",
        "BadRequestErrorRetries", "ContentPolicyViolationErrorRetries",
    ];

    /// <summary>
    /// litellm_settings (defaults) then router_settings (which win); allowed_fails and cooldown_time are handed on to the
    /// breaker reader.
    /// </summary>
    public static (RouterSettings Router, int? AllowedFails, TimeSpan? Cooldown) Read(YamlWalker w, YamlNode? routerSettings, YamlNode? litellmSettings)
        => ReadRouter(w, routerSettings, ReadLitellmSettings(w, litellmSettings));

    private sealed record LitellmSettings(int? NumRetries, TimeSpan? Timeout, YamlNode? Fallbacks, YamlNode? Ctx, YamlNode? Default, bool? DropParams, int? AllowedFails, IReadOnlyDictionary<string, JsonNode?>? DefaultParams, string? DefaultModel);

    private static LitellmSettings ReadLitellmSettings(YamlWalker w, YamlNode? node)
    {
        int? retries = null, allowedFails = null;
        Dictionary<string, JsonNode?>? defaultParams = null;
        TimeSpan? timeout = null;
        YamlNode? fb = null, ctx = null, def = null;
        bool? drop = null;
        string? defaultModel = null;
        foreach (var (k, v, p) in w.Entries(w.Mapping(node, "litellm_settings"), "litellm_settings", LitellmSettingsKeys))
        {
            switch (k)
            {
                case "num_retries": retries = w.Int(v, p, 0, 20); break;
                case "request_timeout": timeout = w.Duration(v, p); break;
                case "fallbacks": fb = v; break;
                case "context_window_fallbacks": ctx = v; break;
                case "default_fallbacks": def = v; break;
                case "drop_params": drop = w.Bool(v, p); break;
                case "allowed_fails": allowedFails = w.Int(v, p, 0, 1000); break;
                case "default_params":
                    defaultParams = [];
                    foreach (var (dk, dv, _) in w.Entries(w.Mapping(v, p), p))
                    {
                        defaultParams[dk] = YamlWalker.ToJson(dv);
                    }

                    break;
                case "default_model":
                    defaultModel = w.String(v, p);
                    if (defaultModel is not null)
                    {
                        w.Refer(NameReferenceKind.DefaultModel, p, v, defaultModel);
                    }

                    break;
            }
        }

        return new LitellmSettings(retries, timeout, fb, ctx, def, drop, allowedFails, defaultParams, defaultModel);
    }

    private static (RouterSettings Router, int? AllowedFails, TimeSpan? Cooldown) ReadRouter(YamlWalker w, YamlNode? node, LitellmSettings litellm)
    {
        var r = new RouterSettings { DefaultModel = litellm.DefaultModel };
        if (litellm.DefaultParams is { } dp0)
        {
            r = r with { DefaultParams = dp0 };
        }

        if (litellm.NumRetries is { } lr)
        {
            r = r with { NumRetries = lr };
        }

        if (litellm.Timeout is { } lt)
        {
            r = r with { Timeout = lt };
        }

        if (litellm.DropParams is { } dp)
        {
            r = r with { DropParams = dp };
        }

        if (litellm.Fallbacks is not null)
        {
            r = r with { Fallbacks = FallbackConfigReader.Read(w, litellm.Fallbacks, "litellm_settings.fallbacks") };
        }

        if (litellm.Ctx is not null)
        {
            r = r with { ContextWindowFallbacks = FallbackConfigReader.Read(w, litellm.Ctx, "litellm_settings.context_window_fallbacks") };
        }

        if (litellm.Default is not null)
        {
            r = r with { DefaultFallbacks = w.StringList(litellm.Default, "litellm_settings.default_fallbacks") ?? [] };
            FallbackConfigReader.ReferTargets(w, litellm.Default, "litellm_settings.default_fallbacks");
        }

        var allowedFails = litellm.AllowedFails; // router_settings.allowed_fails wins
        TimeSpan? cooldown = null;
        foreach (var (k, v, p) in w.Entries(w.Mapping(node, "router_settings"), "router_settings", RouterKeys))
        {
            switch (k)
            {
                case "routing_strategy":
                    var s = w.String(v, p);
                    RoutingStrategy? strategy = s switch
                    {
                        null => null,
                        "simple-shuffle" => RoutingStrategy.SimpleShuffle,
                        "least-busy" => RoutingStrategy.LeastBusy,
                        "latency-based-routing" or "latency-based" => RoutingStrategy.LatencyBased,
                        "usage-based-routing-v2" or "usage-based-routing" => RoutingStrategy.UsageBased,
                        _ => null,
                    };
                    if (s is not null && strategy is null)
                    {
                        w.Error(p, v, $"unknown routing strategy '{s}'; supported: simple-shuffle, least-busy, latency-based-routing, usage-based-routing-v2" + YamlWalker.DidYouMean(s, ["simple-shuffle", "least-busy", "latency-based-routing", "usage-based-routing-v2", "usage-based-routing"]));
                    }

                    r = r with { Strategy = strategy ?? r.Strategy };
                    break;
                case "num_retries": r = r with { NumRetries = w.Int(v, p, 0, 20) ?? r.NumRetries }; break;
                case "timeout": r = r with { Timeout = w.Duration(v, p) ?? r.Timeout }; break;
                case "stream_timeout": r = r with { StreamTimeout = w.Duration(v, p) }; break;
                case "retry_after": r = r with { RetryAfter = w.Duration(v, p) ?? r.RetryAfter }; break;
                case "fallbacks": r = r with { Fallbacks = FallbackConfigReader.Read(w, v, p) }; break;
                case "context_window_fallbacks": r = r with { ContextWindowFallbacks = FallbackConfigReader.Read(w, v, p) }; break;
                case "default_fallbacks": r = r with { DefaultFallbacks = w.StringList(v, p) ?? [] }; FallbackConfigReader.ReferTargets(w, v, p); break;
                case "max_fallbacks": r = r with { MaxFallbacks = w.Int(v, p, 0, 50) ?? r.MaxFallbacks }; break;
                case "allowed_fails": allowedFails = w.Int(v, p, 0, 1000); break;
                case "cooldown_time": cooldown = w.Duration(v, p); break;
                case "retry_policy": r = r with { RetryPolicy = ReadRetryPolicy(w, v, p) }; break;
                case "model_group_alias": r = AliasConfigReader.ReadGroupAliases(w, v, p, r); break;
                case "enable_tag_filtering": r = r with { EnableTagFiltering = w.Bool(v, p) ?? false }; break;
                case "tag_filtering_match_any": r = r with { TagFilteringMatchAny = w.Bool(v, p) ?? true }; break;
            }
        }

        return (r, allowedFails, cooldown);
    }

    private static RetryPolicy ReadRetryPolicy(YamlWalker w, YamlNode node, string path)
    {
        var rp = new RetryPolicy();
        foreach (var (k, v, p) in w.Entries(w.Mapping(node, path), path, RetryPolicyKeys))
        {
            var n = w.Int(v, p, 0, 20);
            rp = k switch
            {
                "TimeoutErrorRetries" => rp with { TimeoutErrorRetries = n },
                "RateLimitErrorRetries" => rp with { RateLimitErrorRetries = n },
                "InternalServerErrorRetries" => rp with { InternalServerErrorRetries = n },
                "AuthenticationErrorRetries" => rp with { AuthenticationErrorRetries = n },
                "BadRequestErrorRetries" => rp with { BadRequestErrorRetries = n },
                _ => rp with { ContentPolicyViolationErrorRetries = n },
            };
        }

        return rp;
    }

    /// <summary>switchyard.retry: the backoff between retries, on top of router_settings.</summary>
    public static RouterSettings ReadRetry(YamlWalker w, YamlNode? node, RouterSettings r)
    {
        foreach (var (k, v, p) in w.Entries(w.Mapping(node, "switchyard.retry"), "switchyard.retry", RetryKeys))
        {
            r = k == "base_delay" ? r with { RetryBaseDelay = w.Duration(v, p) ?? r.RetryBaseDelay } : r with { RetryMaxDelay = w.Duration(v, p) ?? r.RetryMaxDelay };
        }

        return r;
    }
}
