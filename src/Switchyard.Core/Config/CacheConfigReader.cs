using System.Globalization;
using Switchyard.Core.Requests;
using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>
/// Reads response caching: litellm_settings.cache and litellm_settings.cache_params (LiteLLM's keys: type, host, port,
/// password, ttl, namespace, supported_call_types, mode) and switchyard.cache (memory bounds, scope, Redis timeout).
/// </summary>
internal static class CacheConfigReader
{
    private const string ParamsPath = "litellm_settings.cache_params";
    private const string OwnPath = "switchyard.cache";

    private static readonly HashSet<string> ParamKeys =
    [
        "type", "host", "port", "password", "url", "ttl", "default_in_memory_ttl", "default_in_redis_ttl", "namespace", "supported_call_types", "mode",
    ];

    private static readonly HashSet<string> OwnKeys = ["max_entries", "max_bytes", "max_entry_bytes", "scope", "timeout"];

    /// <summary>LiteLLM's call type names (sync and async spellings) and the operation each caches.</summary>
    private static readonly Dictionary<string, OperationKind> CallTypes = new(StringComparer.Ordinal)
    {
        ["completion"] = OperationKind.Chat, ["acompletion"] = OperationKind.Chat,
        ["text_completion"] = OperationKind.Completions, ["atext_completion"] = OperationKind.Completions,
        ["embedding"] = OperationKind.Embeddings, ["aembedding"] = OperationKind.Embeddings,
        ["anthropic_messages"] = OperationKind.Messages, ["aanthropic_messages"] = OperationKind.Messages,
    };

    /// <summary>LiteLLM call types Switchyard serves but does not cache, with the reason given in the warning.</summary>
    private static readonly HashSet<string> Uncached =
    [
        "responses", "aresponses", "transcription", "atranscription", "speech", "aspeech", "image_generation", "aimage_generation",
        "moderation", "amoderation", "rerank", "arerank",
    ];

    public static CacheSettings Read(YamlWalker w, YamlNode? litellmSettings, YamlNode? own, SecretResolver secrets, SharedStateSettings shared)
    {
        var s = new CacheSettings();
        var cacheNode = YamlWalker.Child(litellmSettings, "litellm_settings", "cache");
        var paramsNode = YamlWalker.Child(litellmSettings, "litellm_settings", "cache_params");
        if (cacheNode is var (cv, cp))
        {
            s = s with { Enabled = w.Bool(cv, cp) ?? false };
        }

        string? type = null;
        YamlNode? typeNode = null, hostNode = null;
        string? host = null, port = null, password = null, url = null;
        string? hostPath = null, urlPath = null;
        YamlNode? urlNode = null;
        if (paramsNode is var (pv, _))
        {
            foreach (var (k, v, p) in w.Entries(w.Mapping(pv, ParamsPath), ParamsPath, ParamKeys, "Switchyard caches in memory (local) or in Redis"))
            {
                switch (k)
                {
                    case "type":
                        typeNode = v;
                        type = w.String(v, p);
                        break;
                    case "host":
                        hostNode = v;
                        hostPath = p;
                        host = w.String(v, p) is { } rawHost ? secrets.ResolveOrError(w, rawHost, p, v) : null;
                        break;
                    case "port":
                        port = w.String(v, p) is { } rawPort ? secrets.ResolveOrError(w, rawPort, p, v) : null;
                        if (port is not null && !(int.TryParse(port, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 65535))
                        {
                            w.Error(p, v, $"must be a port between 1 and 65535, got '{port}'");
                            port = null;
                        }

                        break;
                    case "password":
                        password = w.String(v, p) is { } rawPassword ? secrets.ResolveOrError(w, rawPassword, p, v) : null;
                        break;
                    case "url":
                        urlNode = v;
                        urlPath = p;
                        url = w.String(v, p) is { } rawUrl ? secrets.ResolveOrError(w, rawUrl, p, v) : null;
                        break;
                    case "ttl" or "default_in_memory_ttl" or "default_in_redis_ttl":
                        if (w.Duration(v, p) is { } ttl)
                        {
                            if (ttl <= TimeSpan.Zero)
                            {
                                w.Error(p, v, "must be longer than zero");
                            }
                            else
                            {
                                s = s with { Ttl = ttl };
                            }
                        }

                        break;
                    case "namespace":
                        var ns = w.String(v, p);
                        if (ns is not null && (ns.Length is 0 or > 128 || ns.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
                        {
                            w.Error(p, v, "must be 1 to 128 characters without spaces");
                        }
                        else
                        {
                            s = s with { Namespace = ns };
                        }

                        break;
                    case "supported_call_types":
                        s = s with { Operations = ReadCallTypes(w, v, p) ?? s.Operations };
                        break;
                    default:
                        switch (w.String(v, p))
                        {
                            case null or "default_on": break;
                            case "default_off": s = s with { DefaultOff = true }; break;
                            case var other: w.Error(p, v, $"must be default_on or default_off, got '{other}'"); break;
                        }

                        break;
                }
            }
        }

        foreach (var (k, v, p) in w.Entries(w.Mapping(own, OwnPath), OwnPath, OwnKeys))
        {
            switch (k)
            {
                case "max_entries": s = s with { MaxEntries = w.Int(v, p, 1, 100_000_000) ?? s.MaxEntries }; break;
                case "max_bytes": s = s with { MaxBytes = (w.Int(v, p, 1, int.MaxValue) ?? s.MaxBytes) }; break;
                case "max_entry_bytes": s = s with { MaxEntryBytes = w.Int(v, p, 1, int.MaxValue) ?? s.MaxEntryBytes }; break;
                case "timeout":
                    if (w.Duration(v, p) is { } t)
                    {
                        if (t <= TimeSpan.Zero)
                        {
                            w.Error(p, v, "must be longer than zero");
                        }
                        else
                        {
                            s = s with { RedisTimeout = t };
                        }
                    }

                    break;
                default:
                    switch (w.String(v, p))
                    {
                        case null or "tenant": break;
                        case "global": s = s with { SharedAcrossTenants = true }; break;
                        case var other: w.Error(p, v, $"must be tenant or global, got '{other}'"); break;
                    }

                    break;
            }
        }

        var ownRedis = host is null ? null : RedisUrlFor(host, port, password);
        if (ownRedis is not null && hostNode is not null && RedisUrl.Check(w, ownRedis, hostPath!, hostNode) is null)
        {
            ownRedis = null;
        }

        if (ownRedis is null && url is not null && RedisUrl.Check(w, url, urlPath!, urlNode!) is not null)
        {
            ownRedis = url; // cache_params.url, as LiteLLM's RedisCache takes it
        }

        // Nothing in the file: LiteLLM's RedisCache reads REDIS_URL, else REDIS_HOST / REDIS_PORT / REDIS_PASSWORD.
        var redis = ownRedis ?? shared.RedisUrl ?? FromEnvironment(w, secrets, typeNode ?? cacheNode?.Value);
        switch (type)
        {
            case "local":
                s = s with { Backend = CacheBackend.Local };
                break;
            case "redis":
                if (redis is null)
                {
                    w.Error(ParamsPath + ".type", typeNode, "redis needs a server: cache_params.host (and port, password) or url, router_settings.redis_host / redis_url, or REDIS_URL / REDIS_HOST in the environment as LiteLLM reads them");
                }

                s = s with { Backend = CacheBackend.Redis, RedisUrl = redis };
                break;
            case null:
                // LiteLLM's proxy defaults to Redis; with no Redis configured the answers stay in this process
                s = redis is null ? s with { Backend = CacheBackend.Local } : s with { Backend = CacheBackend.Redis, RedisUrl = redis };
                if (s.Enabled && redis is null)
                {
                    w.Warn("litellm_settings.cache", cacheNode?.Value, "no cache_params.type and no Redis configured: answers are cached in this process's memory (type: local); LiteLLM would look for REDIS_HOST");
                }

                break;
            case var other:
                // LiteLLM's other back ends: the file is valid there; answering uncached keeps every answer the same
                w.Warn(ParamsPath + ".type", typeNode, $"'{other}' is not built (Switchyard caches with type local or redis; semantic, s3, gcs and disk caches are not built): responses are not cached, every request goes to the provider");
                s = s with { Enabled = false };
                break;
        }

        if (!s.Enabled && type is null or "local" or "redis" && (paramsNode is not null || own is not null))
        {
            w.Warn(paramsNode?.Path ?? OwnPath, paramsNode?.Value ?? own, "has no effect without litellm_settings.cache: true");
        }

        return s;
    }

    private static HashSet<OperationKind>? ReadCallTypes(YamlWalker w, YamlNode node, string path)
    {
        if (w.Sequence(node, path) is not { } seq)
        {
            return null;
        }

        var ops = new HashSet<OperationKind>();
        for (var i = 0; i < seq.Children.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            switch (w.String(seq.Children[i], itemPath))
            {
                case null: break;
                case var name when CallTypes.TryGetValue(name, out var op): ops.Add(op); break;
                case var name when Uncached.Contains(name):
                    w.Warn(itemPath, seq.Children[i], $"'{name}' answers are not cached by Switchyard (only completion, text_completion, embedding and anthropic_messages are)");
                    break;
                case var name:
                    // LiteLLM takes any string here and then caches no call under it; so does Switchyard, with a word
                    w.Warn(itemPath, seq.Children[i], $"'{name}' is not a LiteLLM call type, so no call is cached under it" + YamlWalker.DidYouMean(name, CallTypes.Keys));
                    break;
            }
        }

        return ops;
    }

    /// <summary>REDIS_URL, or REDIS_HOST with REDIS_PORT and REDIS_PASSWORD, from the environment (and environment_variables).</summary>
    private static string? FromEnvironment(YamlWalker w, SecretResolver secrets, YamlNode? node)
    {
        if (secrets.Variable("REDIS_URL") is { Length: > 0 } envUrl)
        {
            secrets.ValuesRead.Add(envUrl);
            return RedisUrl.Check(w, envUrl, "REDIS_URL", node);
        }

        if (secrets.Variable("REDIS_HOST") is not { Length: > 0 } envHost)
        {
            return null;
        }

        var envPassword = secrets.Variable("REDIS_PASSWORD");
        if (!string.IsNullOrEmpty(envPassword))
        {
            secrets.ValuesRead.Add(envPassword);
        }

        return RedisUrl.Check(w, RedisUrlFor(envHost, secrets.Variable("REDIS_PORT") is { Length: > 0 } envPort ? envPort : null, envPassword), "REDIS_HOST", node);
    }

    private static string RedisUrlFor(string host, string? port, string? password)
    {
        var auth = string.IsNullOrEmpty(password) ? "" : ":" + Uri.EscapeDataString(password) + "@";
        var hostPart = host.Contains(':', StringComparison.Ordinal) && !host.StartsWith('[') ? "[" + host + "]" : host;
        return $"redis://{auth}{hostPart}:{port ?? "6379"}";
    }
}
