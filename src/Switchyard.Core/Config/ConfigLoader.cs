using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>
/// Loads a LiteLLM-compatible config.yaml plus the <c>switchyard:</c> section into a validated
/// <see cref="GatewayConfig"/>. Every error is collected with its path and line; unsupported keys become warnings.
/// </summary>
public static class ConfigLoader
{
    private static readonly HashSet<string> TopKeys = ["model_list", "router_settings", "litellm_settings", "general_settings", "environment_variables", "switchyard"];
    private static readonly HashSet<string> EntryKeys = ["model_name", "litellm_params", "model_info"];

    /// <summary>litellm_params keys with their own meaning.</summary>
    private static readonly HashSet<string> ParamKeys =
    [
        "model", "api_base", "base_url", "api_key", "api_version", "timeout", "stream_timeout", "max_retries", "rpm", "tpm",
        "weight", "order", "region_name", "input_cost_per_token", "output_cost_per_token", "cache_read_input_token_cost",
        "cache_creation_input_token_cost", "cache_creation_input_token_cost_above_1hr", "mock_response", "mock_latency_ms",
        "mock_fail_status", "responses", "drop_params",
    ];

    /// <summary>litellm_params keys taken as request defaults (added when the caller did not send them).</summary>
    private static readonly HashSet<string> DefaultParamKeys =
    [
        "max_tokens", "max_completion_tokens", "temperature", "top_p", "seed", "stop", "presence_penalty", "frequency_penalty",
        "n", "user", "response_format", "reasoning_effort", "parallel_tool_calls", "logit_bias", "service_tier",
    ];

    private static readonly HashSet<string> InfoKeys =
    [
        "id", "base_model", "max_input_tokens", "max_output_tokens", "max_tokens", "input_cost_per_token", "output_cost_per_token",
        "cache_read_input_token_cost", "cache_creation_input_token_cost", "cache_creation_input_token_cost_above_1hr", "mode", "offline_standby", "description",
    ];

    private static readonly HashSet<string> RouterKeys =
    [
        "routing_strategy", "num_retries", "timeout", "stream_timeout", "retry_after", "fallbacks", "context_window_fallbacks",
        "default_fallbacks", "max_fallbacks", "allowed_fails", "cooldown_time", "retry_policy", "model_group_alias",
    ];

    private static readonly HashSet<string> LitellmSettingsKeys = ["num_retries", "request_timeout", "fallbacks", "context_window_fallbacks", "default_fallbacks", "drop_params"];
    private static readonly HashSet<string> GeneralKeys = ["master_key"];
    private static readonly HashSet<string> SwitchyardKeys = ["server", "master_keys", "master_key_file", "aliases", "breaker", "retry", "auth", "store", "spend", "tenants", "alerts", "reload", "telemetry", "canaries", "responses"];
    private static readonly HashSet<string> ResponsesKeys = ["retention"];
    private static readonly HashSet<string> AlertKeys = ["merge_window", "max_attempts", "retry_base_delay", "sinks"];
    private static readonly HashSet<string> SinkKeys = ["type", "url", "headers"];
    private static readonly HashSet<string> AuthKeys = ["allow_admin_invoke", "master_key_invoke"];
    private static readonly HashSet<string> StoreKeys = ["sqlite_path"];
    private static readonly HashSet<string> SpendKeys = ["flush_interval", "batch_size", "retention"];
    private static readonly HashSet<string> ServerKeys = ["host", "port", "max_body_bytes"];
    private static readonly HashSet<string> BreakerKeys =
        ["consecutive_failures", "failure_ratio", "window", "minimum_calls", "slow_call_duration", "slow_call_ratio", "open_duration", "half_open_probes"];

    private static readonly HashSet<string> RetryKeys = ["base_delay", "max_delay"];

    private static readonly HashSet<string> RetryPolicyKeys =
    [
        "TimeoutErrorRetries", "RateLimitErrorRetries", "InternalServerErrorRetries", "AuthenticationErrorRetries",
        "BadRequestErrorRetries", "ContentPolicyViolationErrorRetries",
    ];

    public static GatewayConfig LoadFile(string path, Func<string, string?>? environment = null)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException([new ConfigDiagnostic(path, $"cannot read config file ({e.Message})")]);
        }

        var full = Path.GetFullPath(path);
        return Load(text, Path.GetDirectoryName(full) ?? ".", environment) with { SourcePath = full };
    }

    public static GatewayConfig Load(string yaml, string baseDirectory, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var w = new YamlWalker();
        YamlMappingNode? root;
        var scanner = new Scanner(new StringReader(yaml));
        try
        {
            var stream = new YamlStream();
            stream.Load(new Parser(scanner));
            root = stream.Documents.Count == 0 ? null : w.Mapping(stream.Documents[0].RootNode, "(root)");
        }
        catch (YamlException e)
        {
            throw new ConfigException([new ConfigDiagnostic("(file)", "not valid YAML: " + e.Message, (int)e.Start.Line)]);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException)
        {
            // YamlDotNet's scanner throws this (not a YamlException) on some malformed input, e.g. an unclosed [ before a
            // block sequence, and ArgumentException on a malformed tag ("Global tags must be valid URIs"); it is a broken
            // file all the same, not a crash of the reload or of the start.
            throw new ConfigException([new ConfigDiagnostic("(file)", $"not valid YAML near line {scanner.CurrentPosition.Line} ({e.Message})", (int)scanner.CurrentPosition.Line)]);
        }

        if (root is null)
        {
            throw new ConfigException([.. w.Errors, new ConfigDiagnostic("(root)", "the file is empty; it needs at least model_list")]);
        }

        var sections = w.Entries(root, "", TopKeys).ToDictionary(e => e.Key, e => e);
        YamlNode? Section(string name) => sections.TryGetValue(name, out var e) ? e.Value : null;

        var fileEnv = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v, p) in w.Entries(w.Mapping(Section("environment_variables"), "environment_variables"), "environment_variables"))
        {
            if (w.String(v, p) is { } s)
            {
                fileEnv[k] = s;
            }
        }

        var secrets = new SecretResolver(environment, fileEnv, baseDirectory);
        var switchyard = w.Mapping(Section("switchyard"), "switchyard");
        var sw = w.Entries(switchyard, "switchyard", SwitchyardKeys).ToDictionary(e => e.Key, e => e);
        YamlNode? Sw(string name) => sw.TryGetValue(name, out var e) ? e.Value : null;

        var litellm = ReadLitellmSettings(w, Section("litellm_settings"));
        var (router, allowedFails, cooldown) = ReadRouter(w, Section("router_settings"), litellm);
        var server = ReadServer(w, Sw("server"));
        var breaker = ReadBreaker(w, Sw("breaker"), allowedFails, cooldown);
        router = ReadRetry(w, Sw("retry"), router);

        var deployments = ReadModelList(w, Section("model_list"), secrets, router);
        router = MergeAliases(w, router, Sw("aliases"));
        var auth = ReadAuth(w, Section("general_settings"), Sw("master_keys"), Sw("master_key_file"), secrets);
        auth = ReadAuthOptions(w, Sw("auth"), auth);
        var store = ReadStore(w, Sw("store"), Sw("spend"), secrets);
        foreach (var (_, v, p) in w.Entries(w.Mapping(Sw("responses"), "switchyard.responses"), "switchyard.responses", ResponsesKeys))
        {
            if (w.Duration(v, p) is { } keep)
            {
                if (keep > TimeSpan.Zero)
                {
                    store = store with { ResponsesRetention = keep };
                }
                else
                {
                    w.Error(p, v, "must be longer than zero (send store: false to keep nothing)");
                }
            }
        }

        var tenants = TenantConfigReader.Read(w, Sw("tenants"));
        var alerts = ReadAlerts(w, Sw("alerts"), secrets);
        var telemetry = new Telemetry.TelemetrySettings();
        foreach (var (k, v, p) in w.Entries(w.Mapping(Sw("telemetry"), "switchyard.telemetry"), "switchyard.telemetry", new HashSet<string> { "prometheus", "capture_content", "service_name" }))
        {
            telemetry = k switch
            {
                "prometheus" => telemetry with { Prometheus = w.Bool(v, p) ?? telemetry.Prometheus },
                "capture_content" => telemetry with { CaptureContent = w.Bool(v, p) ?? false },
                _ => telemetry with { ServiceName = w.String(v, p) ?? telemetry.ServiceName },
            };
        }

        var watch = false;
        foreach (var (_, v, p) in w.Entries(w.Mapping(Sw("reload"), "switchyard.reload"), "switchyard.reload", new HashSet<string> { "watch" }))
        {
            watch = w.Bool(v, p) ?? false;
        }

        Validate(w, deployments, router);
        var canaries = ReadCanaries(w, Sw("canaries"), deployments, router);

        if (w.Errors.Count > 0)
        {
            throw new ConfigException(w.Errors);
        }

        return new GatewayConfig
        {
            Server = server,
            Auth = auth,
            Router = router,
            Breaker = breaker,
            Deployments = deployments,
            Store = store,
            Tenants = tenants,
            Alerts = alerts,
            Telemetry = telemetry,
            Canaries = canaries,
            SecretFiles = [.. secrets.FilesRead.Concat(auth.MasterKeyFile is { } mkf ? [mkf] : []).Distinct()],
            WatchConfigFile = watch,
            Warnings = w.Warnings,
        };
    }

    private static (int? NumRetries, TimeSpan? Timeout, YamlNode? Fallbacks, YamlNode? Ctx, YamlNode? Default, bool? DropParams) ReadLitellmSettings(YamlWalker w, YamlNode? node)
    {
        int? retries = null;
        TimeSpan? timeout = null;
        YamlNode? fb = null, ctx = null, def = null;
        bool? drop = null;
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
            }
        }

        return (retries, timeout, fb, ctx, def, drop);
    }

    private static (RouterSettings Router, int? AllowedFails, TimeSpan? Cooldown) ReadRouter(
        YamlWalker w, YamlNode? node, (int? NumRetries, TimeSpan? Timeout, YamlNode? Fallbacks, YamlNode? Ctx, YamlNode? Default, bool? DropParams) litellm)
    {
        var r = new RouterSettings();
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
            r = r with { Fallbacks = ReadFallbacks(w, litellm.Fallbacks, "litellm_settings.fallbacks") };
        }

        if (litellm.Ctx is not null)
        {
            r = r with { ContextWindowFallbacks = ReadFallbacks(w, litellm.Ctx, "litellm_settings.context_window_fallbacks") };
        }

        if (litellm.Default is not null)
        {
            r = r with { DefaultFallbacks = w.StringList(litellm.Default, "litellm_settings.default_fallbacks") ?? [] };
            ReferTargets(w, litellm.Default, "litellm_settings.default_fallbacks");
        }

        int? allowedFails = null;
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
                        _ => null,
                    };
                    if (s is not null && strategy is null)
                    {
                        w.Error(p, v, $"unknown routing strategy '{s}'; supported: simple-shuffle, least-busy, latency-based-routing");
                    }

                    r = r with { Strategy = strategy ?? r.Strategy };
                    break;
                case "num_retries": r = r with { NumRetries = w.Int(v, p, 0, 20) ?? r.NumRetries }; break;
                case "timeout": r = r with { Timeout = w.Duration(v, p) ?? r.Timeout }; break;
                case "stream_timeout": r = r with { StreamTimeout = w.Duration(v, p) }; break;
                case "retry_after": r = r with { RetryAfter = w.Duration(v, p) ?? r.RetryAfter }; break;
                case "fallbacks": r = r with { Fallbacks = ReadFallbacks(w, v, p) }; break;
                case "context_window_fallbacks": r = r with { ContextWindowFallbacks = ReadFallbacks(w, v, p) }; break;
                case "default_fallbacks": r = r with { DefaultFallbacks = w.StringList(v, p) ?? [] }; ReferTargets(w, v, p); break;
                case "max_fallbacks": r = r with { MaxFallbacks = w.Int(v, p, 0, 50) ?? r.MaxFallbacks }; break;
                case "allowed_fails": allowedFails = w.Int(v, p, 0, 1000); break;
                case "cooldown_time": cooldown = w.Duration(v, p); break;
                case "retry_policy": r = r with { RetryPolicy = ReadRetryPolicy(w, v, p) }; break;
                case "model_group_alias": r = ReadGroupAliases(w, v, p, r); break;
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

    /// <summary>LiteLLM writes fallbacks as a list of one-key mappings: [{"gpt-4o": ["claude"]}].</summary>
    private static Dictionary<string, IReadOnlyList<string>> ReadFallbacks(YamlWalker w, YamlNode node, string path)
    {
        var result = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        void Add(YamlMappingNode map, string p)
        {
            foreach (var (k, v, ep) in w.Entries(map, p))
            {
                w.Refer(NameReferenceKind.FallbackSource, ep, v, k);
                if (w.StringList(v, ep) is { } targets)
                {
                    result[k] = targets;
                    ReferTargets(w, v, ep);
                }
            }
        }

        if (node is YamlMappingNode m)
        {
            Add(m, path);
            return result;
        }

        var seq = w.Sequence(node, path);
        for (var i = 0; seq is not null && i < seq.Children.Count; i++)
        {
            if (w.Mapping(seq.Children[i], $"{path}[{i}]") is { } map)
            {
                Add(map, $"{path}[{i}]");
            }
        }

        return result;
    }

    /// <summary>Records each fallback target name of a list (or single name) with where it was written.</summary>
    private static void ReferTargets(YamlWalker w, YamlNode node, string path)
    {
        if (node is YamlScalarNode { Value: { } single } && !YamlWalker.IsNull(node))
        {
            w.Refer(NameReferenceKind.FallbackTarget, path, node, single);
        }
        else if (node is YamlSequenceNode seq)
        {
            for (var i = 0; i < seq.Children.Count; i++)
            {
                if (seq.Children[i] is YamlScalarNode { Value: { } name })
                {
                    w.Refer(NameReferenceKind.FallbackTarget, $"{path}[{i}]", seq.Children[i], name);
                }
            }
        }
    }

    private static readonly HashSet<string> AliasKeys = ["model", "hidden", "drop_params"];

    /// <summary>
    /// router_settings.model_group_alias: <c>alias: group</c>, or <c>alias: {model: group, hidden: bool, drop_params: bool}</c>.
    /// </summary>
    private static RouterSettings ReadGroupAliases(YamlWalker w, YamlNode node, string path, RouterSettings r)
    {
        var hidden = new HashSet<string>(StringComparer.Ordinal);
        var drop = new HashSet<string>(StringComparer.Ordinal);
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (k, v, p) in w.Entries(w.Mapping(node, path), path))
        {
            if (ReadAlias(w, k, v, p, hidden, drop) is { } target)
            {
                result[k] = target;
            }
        }

        return r with { ModelGroupAlias = result, HiddenAliases = hidden, DropParamsAliases = drop };
    }

    /// <summary>One alias entry, plain (<c>alias: group</c>) or a mapping with model, hidden and drop_params; its target, or null when invalid.</summary>
    private static string? ReadAlias(YamlWalker w, string alias, YamlNode v, string p, HashSet<string> hidden, HashSet<string> drop)
    {
        if (v is not YamlMappingNode m)
        {
            if (w.String(v, p) is { } plain)
            {
                w.Refer(NameReferenceKind.Alias, p, v, alias, plain);
                return plain;
            }

            return null;
        }

        string? target = null;
        foreach (var (mk, mv, mp) in w.Entries(m, p, AliasKeys))
        {
            switch (mk)
            {
                case "model":
                    target = w.String(mv, mp);
                    if (target is not null)
                    {
                        w.Refer(NameReferenceKind.Alias, p, mv, alias, target);
                    }

                    break;
                case "hidden" when w.Bool(mv, mp) == true: hidden.Add(alias); break;
                case "drop_params" when w.Bool(mv, mp) == true: drop.Add(alias); break;
            }
        }

        if (target is null)
        {
            w.Error(p, v, "needs model: the group this alias points to");
        }

        return target;
    }

    /// <summary>switchyard.aliases on top of model_group_alias; the same forms, and an alias in both must name the same group.</summary>
    private static RouterSettings MergeAliases(YamlWalker w, RouterSettings router, YamlNode? node)
    {
        var result = new Dictionary<string, string>(router.ModelGroupAlias, StringComparer.Ordinal);
        var hidden = new HashSet<string>(router.HiddenAliases, StringComparer.Ordinal);
        var drop = new HashSet<string>(router.DropParamsAliases, StringComparer.Ordinal);
        foreach (var (k, v, p) in w.Entries(w.Mapping(node, "switchyard.aliases"), "switchyard.aliases"))
        {
            if (ReadAlias(w, k, v, p, hidden, drop) is { } target)
            {
                if (result.TryGetValue(k, out var existing) && existing != target)
                {
                    w.Error(p, v, $"alias '{k}' is also router_settings.model_group_alias -> '{existing}'");
                }

                result[k] = target;
            }
        }

        return router with { ModelGroupAlias = result, HiddenAliases = hidden, DropParamsAliases = drop };
    }

    private static RouterSettings ReadRetry(YamlWalker w, YamlNode? node, RouterSettings r)
    {
        foreach (var (k, v, p) in w.Entries(w.Mapping(node, "switchyard.retry"), "switchyard.retry", RetryKeys))
        {
            r = k == "base_delay" ? r with { RetryBaseDelay = w.Duration(v, p) ?? r.RetryBaseDelay } : r with { RetryMaxDelay = w.Duration(v, p) ?? r.RetryMaxDelay };
        }

        return r;
    }

    private static ServerSettings ReadServer(YamlWalker w, YamlNode? node)
    {
        var s = new ServerSettings();
        foreach (var (k, v, p) in w.Entries(w.Mapping(node, "switchyard.server"), "switchyard.server", ServerKeys))
        {
            s = k switch
            {
                "host" => s with { Host = w.String(v, p) ?? s.Host },
                "port" => s with { Port = w.Int(v, p, 0, 65535) ?? s.Port },
                _ => s with { MaxBodyBytes = (long?)w.Number(v, p, 1024, 1L << 31) ?? s.MaxBodyBytes },
            };
        }

        return s;
    }

    private static BreakerSettings ReadBreaker(YamlWalker w, YamlNode? node, int? allowedFails, TimeSpan? cooldown)
    {
        var b = new BreakerSettings();
        if (allowedFails is { } af)
        {
            b = b with { ConsecutiveFailures = af + 1 };
        }

        if (cooldown is { } cd)
        {
            b = b with { OpenDuration = cd };
        }

        foreach (var (k, v, p) in w.Entries(w.Mapping(node, "switchyard.breaker"), "switchyard.breaker", BreakerKeys))
        {
            b = k switch
            {
                "consecutive_failures" => b with { ConsecutiveFailures = w.Int(v, p, 1, 10_000) ?? b.ConsecutiveFailures },
                "failure_ratio" => b with { FailureRatio = w.Number(v, p, 0, 1) ?? b.FailureRatio },
                "window" => b with { Window = w.Duration(v, p) ?? b.Window },
                "minimum_calls" => b with { MinimumCalls = w.Int(v, p, 1, 1_000_000) ?? b.MinimumCalls },
                "slow_call_duration" => b with { SlowCallDuration = w.Duration(v, p) },
                "slow_call_ratio" => b with { SlowCallRatio = w.Number(v, p, 0, 1) ?? b.SlowCallRatio },
                "open_duration" => b with { OpenDuration = w.Duration(v, p) ?? b.OpenDuration },
                _ => b with { HalfOpenProbes = w.Int(v, p, 1, 100) ?? b.HalfOpenProbes },
            };
        }

        if (b.Window <= TimeSpan.Zero)
        {
            w.Error("switchyard.breaker.window", null, "must be greater than zero");
        }

        return b;
    }

    private static Alerts.AlertSettings ReadAlerts(YamlWalker w, YamlNode? node, SecretResolver secrets)
    {
        var a = new Alerts.AlertSettings();
        var sinks = new List<Alerts.AlertSink>();
        foreach (var (k, v, p) in w.Entries(w.Mapping(node, "switchyard.alerts"), "switchyard.alerts", AlertKeys))
        {
            switch (k)
            {
                case "merge_window": a = a with { MergeWindow = w.Duration(v, p) is { } d && d > TimeSpan.Zero ? d : a.MergeWindow }; break;
                case "max_attempts": a = a with { MaxAttempts = w.Int(v, p, 1, 50) ?? a.MaxAttempts }; break;
                case "retry_base_delay": a = a with { RetryBaseDelay = w.Duration(v, p) ?? a.RetryBaseDelay }; break;
                case "sinks":
                    var seq = w.Sequence(v, p);
                    for (var i = 0; seq is not null && i < seq.Children.Count; i++)
                    {
                        var sp = $"{p}[{i}]";
                        string? type = null, url = null;
                        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                        foreach (var (sk, sv, spp) in w.Entries(w.Mapping(seq.Children[i], sp), sp, SinkKeys))
                        {
                            switch (sk)
                            {
                                case "type": type = w.String(sv, spp); break;
                                case "url": url = Resolve(w, secrets, w.String(sv, spp), spp, sv); break;
                                default:
                                    foreach (var (hk, hv, hp) in w.Entries(w.Mapping(sv, spp), spp))
                                    {
                                        if (Resolve(w, secrets, w.String(hv, hp), hp, hv) is { } hvalue)
                                        {
                                            headers[hk] = hvalue;
                                        }
                                    }

                                    break;
                            }
                        }

                        if (type is not ("webhook" or "slack"))
                        {
                            w.Error(sp + ".type", seq.Children[i], $"must be webhook or slack, got '{type}'");
                            continue;
                        }

                        if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https"))
                        {
                            w.Error(sp + ".url", seq.Children[i], "must be an absolute http(s) URL");
                            continue;
                        }

                        sinks.Add(new Alerts.AlertSink(type, url) { Headers = headers });
                    }

                    break;
            }
        }

        return a with { Sinks = sinks };
    }

    private static AuthSettings ReadAuthOptions(YamlWalker w, YamlNode? node, AuthSettings auth)
    {
        foreach (var (k, v, p) in w.Entries(w.Mapping(node, "switchyard.auth"), "switchyard.auth", AuthKeys))
        {
            auth = k == "allow_admin_invoke"
                ? auth with { AllowAdminInvoke = w.Bool(v, p) ?? auth.AllowAdminInvoke }
                : auth with { MasterKeyInvoke = w.Bool(v, p) ?? auth.MasterKeyInvoke };
        }

        return auth;
    }

    private static StoreSettings ReadStore(YamlWalker w, YamlNode? store, YamlNode? spend, SecretResolver secrets)
    {
        var s = new StoreSettings();
        foreach (var (_, v, p) in w.Entries(w.Mapping(store, "switchyard.store"), "switchyard.store", StoreKeys))
        {
            if (w.String(v, p) is { } path)
            {
                s = s with { SqlitePath = secrets.ResolvePath(path) };
            }
        }

        foreach (var (k, v, p) in w.Entries(w.Mapping(spend, "switchyard.spend"), "switchyard.spend", SpendKeys))
        {
            s = k switch
            {
                "flush_interval" => s with { SpendFlushInterval = w.Duration(v, p) is { } d && d > TimeSpan.Zero ? d : s.SpendFlushInterval },
                "retention" => s with { SpendRetention = w.Duration(v, p) is { } r && r > TimeSpan.Zero ? r : null },
                _ => s with { SpendBatchSize = w.Int(v, p, 1, 100_000) ?? s.SpendBatchSize },
            };
        }

        return s;
    }

    private static AuthSettings ReadAuth(YamlWalker w, YamlNode? general, YamlNode? masterKeys, YamlNode? masterKeyFile, SecretResolver secrets)
    {
        var keys = new List<MasterKey>();
        void Add(string? raw, DateTimeOffset? validUntil, string path, YamlNode node)
        {
            if (raw is null)
            {
                return;
            }

            var value = secrets.Resolve(raw, out var reason);
            if (value is null)
            {
                w.Warn(path, node, reason + "; this master key is not active");
                return;
            }

            if (value.Length < 8)
            {
                w.Error(path, node, "a master key must be at least 8 characters");
                return;
            }

            keys.Add(new MasterKey(value, validUntil));
        }

        foreach (var (k, v, p) in w.Entries(w.Mapping(general, "general_settings"), "general_settings", GeneralKeys, "Switchyard reads only master_key here"))
        {
            Add(w.String(v, p), null, p, v);
        }

        var seq = masterKeys is YamlScalarNode ? null : w.Sequence(masterKeys, "switchyard.master_keys");
        for (var i = 0; seq is not null && i < seq.Children.Count; i++)
        {
            var path = $"switchyard.master_keys[{i}]";
            var item = seq.Children[i];
            if (item is YamlMappingNode map)
            {
                string? key = null;
                DateTimeOffset? until = null;
                foreach (var (k, v, p) in w.Entries(map, path, new HashSet<string> { "key", "valid_until" }))
                {
                    if (k == "key")
                    {
                        key = w.String(v, p);
                    }
                    else if (w.String(v, p) is { } text)
                    {
                        if (DateTimeOffset.TryParse(text, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t))
                        {
                            until = t;
                        }
                        else
                        {
                            w.Error(p, v, $"must be an ISO 8601 time such as 2026-12-01T00:00:00Z, got '{text}'");
                        }
                    }
                }

                if (key is null)
                {
                    w.Error(path + ".key", item, "is required");
                }

                Add(key, until, path, item);
            }
            else
            {
                Add(w.String(item, path), null, path, item);
            }
        }

        string? file = null;
        if (w.String(masterKeyFile, "switchyard.master_key_file") is { } f)
        {
            file = secrets.ResolvePath(f);
            if (keys.Count == 0)
            {
                keys.Add(new MasterKey(MasterKeyFile.ReadOrCreate(file), null));
            }
        }

        return new AuthSettings { MasterKeys = keys.DistinctBy(k => k.Value).ToArray(), MasterKeyFile = file };
    }

    private static List<DeploymentConfig> ReadModelList(YamlWalker w, YamlNode? node, SecretResolver secrets, RouterSettings router)
    {
        var list = new List<DeploymentConfig>();
        var seq = w.Sequence(node, "model_list");
        if (seq is null || seq.Children.Count == 0)
        {
            if (seq is not null || node is null || YamlWalker.IsNull(node))
            {
                w.Error("model_list", node, "needs at least one entry");
            }

            return list;
        }

        for (var i = 0; i < seq.Children.Count; i++)
        {
            if (ReadDeployment(w, seq.Children[i], $"model_list[{i}]", secrets, router) is { } d)
            {
                list.Add(d);
            }
        }

        // Offline standbys serve only groups that have no other enabled deployment.
        var groupsWithReal = list.Where(d => d.Enabled && !d.OfflineStandby).Select(d => d.ModelName).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].OfflineStandby && groupsWithReal.Contains(list[i].ModelName))
            {
                list[i] = list[i] with { Enabled = false, DisabledReason = "offline standby: the group has enabled provider deployments" };
            }
        }

        return list;
    }

    private static DeploymentConfig? ReadDeployment(YamlWalker w, YamlNode node, string path, SecretResolver secrets, RouterSettings router)
    {
        var map = w.Mapping(node, path);
        if (map is null)
        {
            return null;
        }

        var entry = w.Entries(map, path, EntryKeys).ToDictionary(e => e.Key, e => e);
        var modelName = entry.TryGetValue("model_name", out var mn) ? w.String(mn.Value, mn.Path) : null;
        if (string.IsNullOrWhiteSpace(modelName))
        {
            w.Error(path + ".model_name", node, "is required");
        }

        var paramsPath = path + ".litellm_params";
        var pm = entry.TryGetValue("litellm_params", out var lp) ? w.Mapping(lp.Value, paramsPath) : null;
        if (pm is null)
        {
            w.Error(paramsPath, node, "is required (with at least model: provider/model)");
            return null;
        }

        string? model = null, apiBase = null, apiKeyRaw = null, apiVersion = null, region = null, mockResponse = null, responses = null;
        YamlNode? responsesNode = null;
        TimeSpan? timeout = null, streamTimeout = null, mockLatency = null;
        int? maxRetries = null, rpm = null, tpm = null, order = null, mockFail = null;
        bool? dropParams = null;
        double? weight = null;
        decimal? inCost = null, outCost = null, cacheReadCost = null, cacheWriteCost = null, cacheWrite1hCost = null;
        YamlNode? keyNode = null, modelNode = null;
        var defaults = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
        foreach (var (k, v, p) in w.Entries(pm, paramsPath))
        {
            if (DefaultParamKeys.Contains(k))
            {
                defaults[k] = YamlWalker.ToJson(v);
                continue;
            }

            if (!ParamKeys.Contains(k))
            {
                w.Warn(p, v, "unsupported key, ignored");
                continue;
            }

            switch (k)
            {
                case "model": model = w.String(v, p); modelNode = v; break;
                case "api_base" or "base_url": apiBase = w.String(v, p); break;
                case "api_key": apiKeyRaw = w.String(v, p); keyNode = v; break;
                case "api_version": apiVersion = Resolve(w, secrets, w.String(v, p), p, v); break;
                case "timeout": timeout = w.Duration(v, p); break;
                case "stream_timeout": streamTimeout = w.Duration(v, p); break;
                case "max_retries": maxRetries = w.Int(v, p, 0, 20); break;
                case "rpm": rpm = w.Int(v, p, 1); break;
                case "tpm": tpm = w.Int(v, p, 1); break;
                case "weight": weight = w.Number(v, p, 0, 1_000_000); break;
                case "order": order = w.Int(v, p, 0, 1_000_000); break;
                case "region_name": region = w.String(v, p); break;
                case "input_cost_per_token": inCost = (decimal?)w.Number(v, p, 0); break;
                case "output_cost_per_token": outCost = (decimal?)w.Number(v, p, 0); break;
                case "cache_read_input_token_cost": cacheReadCost = (decimal?)w.Number(v, p, 0); break;
                case "cache_creation_input_token_cost": cacheWriteCost = (decimal?)w.Number(v, p, 0); break;
                case "cache_creation_input_token_cost_above_1hr": cacheWrite1hCost = (decimal?)w.Number(v, p, 0); break;
                case "mock_response": mockResponse = w.String(v, p); break;
                case "mock_latency_ms": mockLatency = w.Int(v, p, 0, 600_000) is { } ms ? TimeSpan.FromMilliseconds(ms) : null; break;
                case "mock_fail_status": mockFail = w.Int(v, p, 400, 599); break;
                case "responses": responses = w.String(v, p); responsesNode = v; break;
                case "drop_params": dropParams = w.Bool(v, p); break;
            }
        }

        string? id = null, baseModel = null;
        YamlNode? idNode = null;
        int? maxInput = null;
        var standby = false;
        var infoPath = path + ".model_info";
        foreach (var (k, v, p) in w.Entries(entry.TryGetValue("model_info", out var mi) ? w.Mapping(mi.Value, infoPath) : null, infoPath, InfoKeys))
        {
            switch (k)
            {
                case "id": id = w.String(v, p); idNode = v; break;
                case "base_model": baseModel = w.String(v, p); break;
                case "max_input_tokens": maxInput = w.Int(v, p, 1); break;
                case "max_output_tokens" or "max_tokens": w.Int(v, p, 1); break;
                case "input_cost_per_token": inCost = (decimal?)w.Number(v, p, 0) ?? inCost; break;
                case "output_cost_per_token": outCost = (decimal?)w.Number(v, p, 0) ?? outCost; break;
                case "cache_read_input_token_cost": cacheReadCost = (decimal?)w.Number(v, p, 0) ?? cacheReadCost; break;
                case "cache_creation_input_token_cost": cacheWriteCost = (decimal?)w.Number(v, p, 0) ?? cacheWriteCost; break;
                case "cache_creation_input_token_cost_above_1hr": cacheWrite1hCost = (decimal?)w.Number(v, p, 0) ?? cacheWrite1hCost; break;
                case "mode" or "description": w.String(v, p); break;
                case "offline_standby": standby = w.Bool(v, p) ?? false; break;
            }
        }

        if (string.IsNullOrWhiteSpace(model))
        {
            w.Error(paramsPath + ".model", modelNode ?? pm, "is required, as provider/model (for example openai/gpt-4o-mini)");
            return null;
        }

        var slash = model.IndexOf('/', StringComparison.Ordinal);
        var prefix = slash > 0 ? model[..slash] : "openai";
        var providerModel = slash > 0 ? model[(slash + 1)..] : model;
        var family = ProviderFamilies.FamilyOf(prefix);
        if (family is null)
        {
            w.Error(paramsPath + ".model", modelNode, $"provider '{prefix}' is not supported; supported prefixes: {string.Join(", ", ProviderFamilies.Prefixes.Order())}, or any OpenAI-compatible server as openai/ with api_base");
            return null;
        }

        if (providerModel.Length == 0)
        {
            w.Error(paramsPath + ".model", modelNode, "names no model after the provider prefix");
        }

        var enabled = true;
        string? disabledReason = null;
        string? apiKey = null;
        if (apiKeyRaw is not null)
        {
            apiKey = secrets.Resolve(apiKeyRaw, out var reason);
            if (apiKey is null)
            {
                enabled = false;
                disabledReason = reason;
                w.Warn(paramsPath + ".api_key", keyNode, reason + "; deployment disabled");
            }
        }

        apiBase = Resolve(w, secrets, apiBase, paramsPath + ".api_base", pm);
        apiBase ??= ProviderFamilies.DefaultApiBase(prefix);
        if (family == ProviderFamilies.Azure)
        {
            if (apiBase is null)
            {
                w.Error(paramsPath + ".api_base", pm, "azure/ deployments need api_base (https://NAME.openai.azure.com)");
            }

            apiVersion ??= "2024-10-21";
        }

        if (family == ProviderFamilies.OpenAI && apiBase is null)
        {
            w.Error(paramsPath + ".api_base", pm, $"{prefix}/ has no default endpoint; set api_base");
        }

        if (apiBase is not null && family != ProviderFamilies.Mock && !(Uri.TryCreate(apiBase, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"))
        {
            w.Error(paramsPath + ".api_base", pm, $"'{apiBase}' is not an absolute http(s) URL");
        }

        var nativeResponses = responses switch
        {
            // OpenAI itself speaks Responses; OpenAI-compatible servers mostly do not, so they get Chat Completions unless told.
            null => family == ProviderFamilies.OpenAI && apiBase is not null && Uri.TryCreate(apiBase, UriKind.Absolute, out var rb) && rb.Host == "api.openai.com",
            "native" => true,
            "chat" => false,
            _ => false,
        };
        if (responses is not null and not ("native" or "chat"))
        {
            w.Error(paramsPath + ".responses", responsesNode, $"'{responses}' is not one of native, chat");
        }
        else if (responses == "native" && family != ProviderFamilies.OpenAI)
        {
            w.Error(paramsPath + ".responses", responsesNode, $"native Responses pass-through is supported for openai/ deployments only; {prefix}/ deployments are sent Chat Completions");
        }

        var t = timeout ?? router.Timeout;
        id ??= DerivedId(modelName ?? "", model, apiBase);
        w.Refer(NameReferenceKind.DeploymentId, idNode is null ? path : infoPath + ".id", idNode ?? node, id);
        return new DeploymentConfig
        {
            Id = id,
            ModelName = modelName ?? "",
            Provider = prefix,
            Family = family,
            Model = providerModel,
            QualifiedModel = prefix + "/" + providerModel,
            ApiBase = apiBase?.TrimEnd('/'),
            ApiKey = apiKey,
            ApiVersion = apiVersion,
            Timeout = t,
            StreamTimeout = streamTimeout ?? router.StreamTimeout ?? t,
            MaxRetries = maxRetries,
            Rpm = rpm,
            Tpm = tpm,
            Weight = weight ?? (rpm ?? tpm ?? 1),
            Order = order ?? int.MaxValue,
            Region = region,
            Defaults = defaults,
            BaseModel = baseModel,
            MaxInputTokens = maxInput,
            InputCostPerToken = inCost,
            OutputCostPerToken = outCost,
            CacheReadCostPerToken = cacheReadCost,
            CacheWriteCostPerToken = cacheWriteCost,
            CacheWrite1hCostPerToken = cacheWrite1hCost,
            OfflineStandby = standby,
            NativeResponses = nativeResponses,
            DropParams = dropParams ?? router.DropParams,
            Enabled = enabled,
            DisabledReason = disabledReason,
            Mock = family == ProviderFamilies.Mock ? new MockSettings { Response = mockResponse, Latency = mockLatency ?? TimeSpan.Zero, FailStatus = mockFail } : null,
        };
    }

    private static string? Resolve(YamlWalker w, SecretResolver secrets, string? raw, string path, YamlNode node)
    {
        if (raw is null)
        {
            return null;
        }

        var v = secrets.Resolve(raw, out var reason);
        if (v is null)
        {
            w.Error(path, node, reason!);
        }

        return v;
    }

    private static string DerivedId(string group, string model, string? apiBase)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{group}\n{model}\n{apiBase}"));
        return Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }

    private static Dictionary<string, CanaryConfig> ReadCanaries(YamlWalker w, YamlNode? node, List<DeploymentConfig> deployments, RouterSettings router)
    {
        var result = new Dictionary<string, CanaryConfig>(StringComparer.Ordinal);
        var groups = deployments.Select(d => d.ModelName).ToHashSet(StringComparer.Ordinal);
        foreach (var (alias, v, p) in w.Entries(w.Mapping(node, "switchyard.canaries"), "switchyard.canaries"))
        {
            string? target = null;
            double? percent = null;
            foreach (var (k, cv, cp) in w.Entries(w.Mapping(v, p), p, new HashSet<string> { "target", "percent" }))
            {
                if (k == "target")
                {
                    target = w.String(cv, cp);
                }
                else
                {
                    percent = w.Number(cv, cp, 0, 100);
                }
            }

            if (!router.ModelGroupAlias.ContainsKey(alias))
            {
                w.Error(p, v, $"'{alias}' is not an alias (switchyard.aliases or router_settings.model_group_alias); canaries split an alias between its group and a canary group");
                continue;
            }

            if (target is null || !groups.Contains(target))
            {
                w.Error(p + ".target", v, $"must name a model_name group{(target is null ? "" : $"; '{target}' is none")}");
                continue;
            }

            if (target == router.ModelGroupAlias[alias])
            {
                w.Error(p + ".target", v, "is already the alias's primary group");
                continue;
            }

            result[alias] = new CanaryConfig(target, percent ?? 5);
        }

        return result;
    }

    /// <summary>Checks the names the file refers to (aliases, fallbacks, ids) once every group is known, each at its own path and line.</summary>
    private static void Validate(YamlWalker w, List<DeploymentConfig> deployments, RouterSettings router)
    {
        var groups = deployments.Select(d => d.ModelName).ToHashSet(StringComparer.Ordinal);
        var names = groups.Concat(router.ModelGroupAlias.Keys).ToHashSet(StringComparer.Ordinal);
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var r in w.References)
        {
            switch (r.Kind)
            {
                case NameReferenceKind.Alias:
                    if (!groups.Contains(r.Target!))
                    {
                        w.Error(r.Path, r.Node, $"points to '{r.Target}', which is no model_name in model_list{Nearest(r.Target!, groups)}");
                    }

                    if (groups.Contains(r.Name))
                    {
                        w.Error(r.Path, r.Node, "is also a model_name; an alias must not shadow a group");
                    }

                    break;
                case NameReferenceKind.FallbackSource when !names.Contains(r.Name) && r.Name != "*":
                    w.Error(r.Path, r.Node, $"'{r.Name}' is no model_name or alias{Nearest(r.Name, names)}");
                    break;
                case NameReferenceKind.FallbackTarget when !names.Contains(r.Name):
                    w.Error(r.Path, r.Node, $"fallback target '{r.Name}' is no model_name or alias{Nearest(r.Name, names)}");
                    break;
                case NameReferenceKind.DeploymentId:
                    var entry = r.Path.EndsWith(".model_info.id", StringComparison.Ordinal) ? r.Path[..^".model_info.id".Length] : r.Path;
                    if (!ids.TryAdd(r.Name, entry))
                    {
                        w.Error(r.Path, r.Node, $"deployment id '{r.Name}' is also the id of {ids[r.Name]}; ids must be unique (set model_info.id)");
                    }

                    break;
            }
        }

        foreach (var g in groups.Where(g => !deployments.Any(d => d.ModelName == g && d.Enabled)))
        {
            w.Warn($"model_list[{g}]", null, "every deployment of this group is disabled; calls to it answer 503 route_unavailable");
        }
    }

    private static string Nearest(string name, IEnumerable<string> candidates)
    {
        var near = AliasSuggestions.Nearest(name, candidates, 3);
        return near.Count == 0 ? "" : $" (did you mean {string.Join(", ", near.Select(n => "'" + n + "'"))}?)";
    }
}
