namespace Switchyard.Core.Routing;

/// <summary>
/// Tag-based routing (router_settings.enable_tag_filtering), with LiteLLM's rules: a request with tags may use the
/// deployments whose litellm_params.tags share one of them (all of them with tag_filtering_match_any: false); when none
/// does, the deployments tagged "default", unless some deployment of the group carries one of the request's tags; a
/// request without tags uses the "default" deployments, or every deployment when none is tagged "default". The choice
/// is made over the group's enabled deployments as configured, before breakers and cooldowns are looked at, so a
/// tagged deployment that is failing does not hand its tag's traffic to the default ones.
/// </summary>
public static class TagFilter
{
    public const string DefaultTag = "default";

    /// <summary>The deployments the tags may use; null when none may (the caller gets a typed failure).</summary>
    public static IReadOnlyList<RoutedDeployment>? Select(IReadOnlyList<RoutedDeployment> deployments, IReadOnlyCollection<string> tags, bool matchAny)
    {
        ArgumentNullException.ThrowIfNull(deployments);
        ArgumentNullException.ThrowIfNull(tags);
        var defaults = deployments.Where(d => d.Config.Tags.Contains(DefaultTag)).ToArray();
        if (tags.Count == 0)
        {
            return defaults.Length > 0 ? defaults : deployments;
        }

        var matched = deployments.Where(d => Serves(d.Config.Tags, tags, matchAny)).ToArray();
        if (matched.Length > 0)
        {
            return matched;
        }

        // A tag the group knows but no deployment serves as asked (match all) is a refusal, not a reason to use the defaults.
        var known = deployments.Any(d => d.Config.Tags.Any(tags.Contains));
        return defaults.Length > 0 && !known ? defaults : null;
    }

    private static bool Serves(IReadOnlyList<string> deploymentTags, IReadOnlyCollection<string> tags, bool matchAny)
        => deploymentTags.Count > 0 && (matchAny ? deploymentTags.Any(tags.Contains) : tags.All(deploymentTags.Contains));
}
