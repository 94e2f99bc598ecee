using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>
/// Reads general_settings beside master_key (<see cref="AuthConfigReader"/>) and database_url (<see cref="DatabaseUrlReader"/>):
/// store_model_in_db, alerting, spend log retention, the settings that need acknowledging, and keys accepted quietly.
/// </summary>
internal static class GeneralSettingsReader
{
    /// <summary>Keys that tune LiteLLM's own logging or internals and mean nothing for Switchyard: accepted without a word.</summary>
    public static readonly IReadOnlySet<string> Harmless = new HashSet<string>(StringComparer.Ordinal)
    {
        "set_verbose", "json_logs", "telemetry", "debug", "detailed_debug", "proxy_batch_write_at", "database_connection_pool_limit",
        "database_connection_timeout", "maximum_spend_logs_retention_interval",
    };

    private static readonly HashSet<string> Keys =
    [
        "master_key", "database_url", "store_model_in_db", "custom_auth", "key_management_system", "key_management_settings",
        "alerting", "alerting_args", "alerting_threshold", "maximum_spend_logs_retention_period", "allowed_ips", .. Harmless,
    ];

    public static GeneralSettings Read(YamlWalker w, YamlNode? node, IReadOnlySet<string> acknowledged, SecretResolver secrets)
    {
        var g = new GeneralSettings();
        var map = w.Mapping(node, "general_settings");
        var kms = YamlWalker.Child(map, "general_settings", "key_management_system") is not null;
        foreach (var (k, v, p) in w.Entries(map, "general_settings", Keys))
        {
            switch (k)
            {
                case "store_model_in_db": g = g with { StoreModelInDb = w.Bool(v, p) ?? false }; break;
                case "custom_auth":
                    Acknowledge(w, v, p, acknowledged, "custom_auth",
                        "LiteLLM runs this Python function to decide who may call; Switchyard does not run Python and checks its own scoped tokens (keys create, tenants) and master keys instead");
                    break;
                case "key_management_system":
                    Acknowledge(w, v, p, acknowledged, "key_management_system",
                        "LiteLLM reads provider keys from this secret manager; Switchyard reads os.environ/NAME and file:PATH references only (let the secret manager's agent export variables or write files, e.g. Vault Agent, External Secrets, systemd credentials)");
                    break;
                case "allowed_ips":
                    Acknowledge(w, v, p, acknowledged, "allowed_ips",
                        "LiteLLM answers only these client addresses; Switchyard has no address allow-list, so ignoring it would let every address in (allow the addresses at the network instead: a firewall rule, a security group, or the ingress's allow-list, e.g. nginx allow/deny)");
                    break;
                case "key_management_settings":
                    if (!kms)
                    {
                        w.Warn(p, v, "ignored: it tunes key_management_system, which is not set");
                    }

                    break;
                case "alerting": g = g with { AlertSinks = Alerting(w, v, p, secrets) }; break;
                case "alerting_args" or "alerting_threshold":
                    w.Notice(p, v, "LiteLLM's report and slow-request timings; Switchyard merges alerts within switchyard.alerts.merge_window instead");
                    break;
                case "maximum_spend_logs_retention_period":
                    g = g with { SpendRetention = w.Duration(v, p) is { } d && d > TimeSpan.Zero ? d : null };
                    break;
            }
        }

        return g;
    }

    private static void Acknowledge(YamlWalker w, YamlNode v, string p, IReadOnlySet<string> acknowledged, string name, string difference)
    {
        if (acknowledged.Contains(name))
        {
            w.Warn(p, v, $"not used (acknowledged in switchyard.compat.acknowledge): {difference}");
            return;
        }

        w.Error(p, v, $"refused: {difference}. Remove {name} and use that instead, or start anyway without it by adding switchyard.compat.acknowledge: [{name}]");
    }

    /// <summary>alerting: [slack, webhook]: LiteLLM posts to SLACK_WEBHOOK_URL and WEBHOOK_URL; so do Switchyard's sinks.</summary>
    private static List<Alerts.AlertSink> Alerting(YamlWalker w, YamlNode v, string p, SecretResolver secrets)
    {
        var sinks = new List<Alerts.AlertSink>();
        var list = w.StringList(v, p) ?? [];
        for (var i = 0; i < list.Count; i++)
        {
            var (type, variable) = list[i] switch
            {
                "slack" => ("slack", "SLACK_WEBHOOK_URL"),
                "webhook" => ("webhook", "WEBHOOK_URL"),
                _ => (null, null),
            };
            if (type is null)
            {
                w.Warn($"{p}[{i}]", v, $"alerting to '{list[i]}' is not supported (slack and webhook are; or switchyard.alerts.sinks)");
                continue;
            }

            var url = secrets.Resolve(SecretResolver.EnvPrefix + variable, out var reason);
            if (url is null || !Uri.TryCreate(url, UriKind.Absolute, out var u) || u.Scheme is not ("http" or "https"))
            {
                w.Warn($"{p}[{i}]", v, $"{list[i]} alerts need {variable} (an http(s) URL): {reason ?? $"{variable} is not an absolute http(s) URL"}; no {list[i]} alerts are sent");
                continue;
            }

            sinks.Add(new Alerts.AlertSink(type, url));
        }

        return sinks;
    }
}
