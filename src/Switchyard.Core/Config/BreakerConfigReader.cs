using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>Reads switchyard.breaker on top of router_settings.allowed_fails and cooldown_time.</summary>
internal static class BreakerConfigReader
{
    private static readonly HashSet<string> BreakerKeys =
        ["consecutive_failures", "failure_ratio", "window", "minimum_calls", "slow_call_duration", "slow_call_ratio", "open_duration", "half_open_probes"];

    public static BreakerSettings Read(YamlWalker w, YamlNode? node, int? allowedFails, TimeSpan? cooldown)
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
}
