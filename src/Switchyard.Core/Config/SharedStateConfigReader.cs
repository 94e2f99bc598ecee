using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>
/// Reads what replicas share (docs/scaling.md): the Redis server from LiteLLM's router_settings.redis_* keys or
/// switchyard.shared.redis_url, and switchyard.shared for what LiteLLM has no key for (key prefix, failure policy,
/// replica count, which state is shared, timeouts).
/// </summary>
internal static class SharedStateConfigReader
{
    private const string Path = "switchyard.shared";
    private static readonly HashSet<string> Keys = ["redis_url", "key_prefix", "on_redis_failure", "replicas", "state", "timeout", "replica_ttl", "key_refresh"];

    public static SharedStateSettings Read(YamlWalker w, YamlNode? routerSettings, YamlNode? node, SecretResolver secrets, bool sharedStore)
    {
        var s = new SharedStateSettings();
        (string Url, string Path, YamlNode Node)? own = null;
        YamlNode? failureNode = null, refreshNode = null;
        var redisSettings = false;
        foreach (var (k, v, p) in w.Entries(w.Mapping(node, Path), Path, Keys))
        {
            redisSettings |= k != "key_refresh";
            switch (k)
            {
                case "redis_url":
                    if (w.Reference(v, p) is { } raw && secrets.ResolveOrError(w, raw, p, v) is { } value && RedisUrl.Check(w, value, p, v) is { } url)
                    {
                        own = (url, p, v);
                    }

                    break;
                case "key_prefix":
                    var prefix = w.String(v, p);
                    if (prefix is not null && (prefix.Length is 0 or > 64 || prefix.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))))
                    {
                        w.Error(p, v, "must be 1 to 64 characters without spaces (for example switchyard:)");
                    }
                    else if (prefix is not null)
                    {
                        s = s with { KeyPrefix = prefix };
                    }

                    break;
                case "on_redis_failure":
                    failureNode = v;
                    switch (w.String(v, p))
                    {
                        case null: break;
                        case "fail_closed": s = s with { OnRedisFailure = RedisFailurePolicy.FailClosed }; break;
                        case "fail_open": s = s with { OnRedisFailure = RedisFailurePolicy.FailOpen }; break;
                        case var other: w.Error(p, v, $"must be fail_closed or fail_open, got '{other}'"); break;
                    }

                    break;
                case "replicas": s = s with { Replicas = w.Int(v, p, 1, 10_000) ?? s.Replicas }; break;
                case "state": s = ReadState(w, v, p, s); break;
                case "timeout": s = s with { RedisTimeout = Positive(w, v, p) ?? s.RedisTimeout }; break;
                case "replica_ttl": s = s with { ReplicaTtl = Positive(w, v, p) ?? s.ReplicaTtl }; break;
                default: refreshNode = v; s = s with { KeyRefresh = Positive(w, v, p) ?? s.KeyRefresh }; break;
            }
        }

        var litellm = RouterRedisReader.Read(w, routerSettings, secrets);
        if (own is { } o && litellm is { } l)
        {
            w.Error(o.Path, o.Node, $"Redis is also named by {l.Path} (line {YamlWalker.Line(l.Node)}); name it in one place");
        }

        s = s with { RedisUrl = own?.Url ?? litellm?.Url };
        if (!s.UsesRedis && redisSettings)
        {
            w.Warn(Path, node, "no Redis is configured (router_settings.redis_host or redis_url, or switchyard.shared.redis_url): limits, budgets and breakers stay in each replica and these settings have no effect");
        }

        if (s.UsesRedis && s.OnRedisFailure == RedisFailurePolicy.FailOpen && s.Replicas == 1)
        {
            w.Warn(Path + ".on_redis_failure", failureNode, "fail_open with replicas: 1 lets every replica admit whole limits while Redis is unreachable; set switchyard.shared.replicas to the number of replicas");
        }

        if (refreshNode is not null && !sharedStore)
        {
            w.Warn(Path + ".key_refresh", refreshNode, "has no effect without a shared store (general_settings.database_url): keys live in this replica's SQLite file");
        }

        return s;
    }

    /// <summary>state: a list (or one name) of limits, budgets, breakers; what is not listed stays in each replica.</summary>
    private static SharedStateSettings ReadState(YamlWalker w, YamlNode node, string path, SharedStateSettings s)
    {
        var items = node is YamlSequenceNode seq
            ? seq.Children.Select((c, i) => (Node: c, Path: $"{path}[{i}]")).ToList()
            : YamlWalker.IsNull(node) ? [] : [(Node: node, Path: path)];
        bool limits = false, budgets = false, breakers = false, valid = true;
        foreach (var (item, itemPath) in items)
        {
            switch (w.String(item, itemPath))
            {
                case "limits": limits = true; break;
                case "budgets": budgets = true; break;
                case "breakers": breakers = true; break;
                case null: valid = false; break;
                case var other:
                    w.Error(itemPath, item, $"'{other}' is not one of limits, budgets, breakers");
                    valid = false;
                    break;
            }
        }

        return valid ? s with { Limits = limits, Budgets = budgets, Breakers = breakers } : s;
    }

    private static TimeSpan? Positive(YamlWalker w, YamlNode node, string path)
    {
        if (w.Duration(node, path) is not { } d)
        {
            return null;
        }

        if (d > TimeSpan.Zero)
        {
            return d;
        }

        w.Error(path, node, "must be longer than zero");
        return null;
    }
}
