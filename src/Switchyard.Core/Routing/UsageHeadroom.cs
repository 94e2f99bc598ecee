namespace Switchyard.Core.Routing;

/// <summary>
/// The usage-based strategy (LiteLLM's <c>usage-based-routing-v2</c>): prefer the deployment with the most of its own
/// rpm/tpm left this minute, as a share of its limit (the tighter of the two counts); a deployment without limits has all
/// of its headroom. Among equal headroom, the one with fewer calls in flight. Lower scores win.
/// </summary>
public static class UsageHeadroom
{
    /// <summary>Headroom in [0, 1]: 1 is an idle (or unlimited) deployment, 0 one at its limit.</summary>
    public static double Of(DeploymentState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        var runtime = state.Runtime;
        var headroom = 1.0;
        if (runtime.Rpm is { } rpm and > 0)
        {
            headroom = Math.Min(headroom, Left(state.Requests.Current(now), rpm));
        }

        if (runtime.Tpm is { } tpm and > 0)
        {
            headroom = Math.Min(headroom, Left(state.Tokens.Current(now), tpm));
        }

        return headroom;
    }

    /// <summary>The selector's score (lower is better): headroom first, calls in flight to break ties.</summary>
    public static double Score(DeploymentState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        return ((1 - Of(state, now)) * 1_000_000) + Math.Min(state.InFlight, 999_999);
    }

    private static double Left(long used, int limit) => Math.Clamp((limit - used) / (double)limit, 0, 1);
}
