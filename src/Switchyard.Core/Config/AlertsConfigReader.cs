using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>Reads switchyard.alerts: merging, retries and the webhook and Slack sinks.</summary>
internal static class AlertsConfigReader
{
    private static readonly HashSet<string> AlertKeys = ["merge_window", "max_attempts", "retry_base_delay", "sinks"];
    private static readonly HashSet<string> SinkKeys = ["type", "url", "headers"];

    public static Alerts.AlertSettings Read(YamlWalker w, YamlNode? node, SecretResolver secrets)
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
                                case "url": url = secrets.ResolveOrError(w, w.Reference(sv, spp), spp, sv); break;
                                default:
                                    foreach (var (hk, hv, hp) in w.Entries(w.Mapping(sv, spp), spp))
                                    {
                                        if (secrets.ResolveOrError(w, w.Reference(hv, hp), hp, hv) is { } hvalue)
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
}
