using Switchyard.Core.Config;

namespace Switchyard.Core.Routing;

/// <summary>
/// Picks one deployment of a group: lowest order tier with an available deployment, then the strategy
/// (weighted shuffle, least busy, lowest latency, most rpm/tpm headroom). Deployments already tried in this request come last.
/// The weighted shuffle draws from the injected <c>random</c>, so a seeded one makes the choice reproducible.
/// </summary>
public static class DeploymentSelector
{
    public static RoutedDeployment? Pick(RouteGroup group, RoutingStrategy strategy, DateTimeOffset now, ReadOnlySpan<int> attemptsById, Func<RoutedDeployment, int, bool> allowed, Random random)
    {
        var deployments = group.Deployments;
        RoutedDeployment? best = null;
        var bestTier = int.MaxValue;
        var bestTried = int.MaxValue;
        var bestScore = double.MaxValue;
        double weightSum = 0;
        for (var i = 0; i < deployments.Count; i++)
        {
            var d = deployments[i];
            var tried = i < attemptsById.Length ? attemptsById[i] : 0;
            if (!allowed(d, tried) || d.State.BlockedUntil(now) is not null)
            {
                continue;
            }

            var tier = d.Config.Order;
            var triedRank = tried > 0 ? 1 : 0;
            if (tier > bestTier || (tier == bestTier && triedRank > bestTried))
            {
                continue;
            }

            if (tier < bestTier || triedRank < bestTried)
            {
                bestTier = tier;
                bestTried = triedRank;
                best = null;
                bestScore = double.MaxValue;
                weightSum = 0;
            }

            switch (strategy)
            {
                case RoutingStrategy.LeastBusy:
                    if (d.State.InFlight < bestScore)
                    {
                        bestScore = d.State.InFlight;
                        best = d;
                    }

                    break;
                case RoutingStrategy.UsageBased:
                    var headroom = UsageHeadroom.Score(d.State, now);
                    if (headroom < bestScore)
                    {
                        bestScore = headroom;
                        best = d;
                    }

                    break;
                case RoutingStrategy.LatencyBased:
                    var latency = d.State.LatencyMs;
                    var score = double.IsNaN(latency) ? 0 : latency; // unmeasured deployments get tried first
                    if (score < bestScore)
                    {
                        bestScore = score;
                        best = d;
                    }

                    break;
                default:
                    // Weighted reservoir choice: keeps each candidate with probability weight / running sum.
                    var w = Math.Max(d.Config.Weight, 0.000001);
                    weightSum += w;
#pragma warning disable CA5394 // a load-balancing draw, not a secret: System.Random is right here
                    if (best is null || random.NextDouble() * weightSum < w)
#pragma warning restore CA5394
                    {
                        best = d;
                    }

                    break;
            }
        }

        return best;
    }

    /// <summary>The earliest time any deployment of the group may be tried again.</summary>
    public static DateTimeOffset? EarliestRetry(RouteGroup group, DateTimeOffset now)
    {
        DateTimeOffset? earliest = null;
        foreach (var d in group.Deployments)
        {
            var until = d.State.BlockedUntil(now);
            if (until is null)
            {
                return null;
            }

            if (earliest is null || until < earliest)
            {
                earliest = until;
            }
        }

        return earliest;
    }
}
