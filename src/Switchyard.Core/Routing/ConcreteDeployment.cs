using Switchyard.Core.Config;

namespace Switchyard.Core.Routing;

/// <summary>A wildcard deployment made concrete for one name requested (see <see cref="WildcardRoutes"/>).</summary>
internal static class ConcreteDeployment
{
    public static DeploymentConfig For(DeploymentConfig template, IReadOnlyList<string> runs, string name)
    {
        var model = WildcardPattern.Substitute(template.Model, runs, name);
        var (provider, family, apiBase, native) = (template.Provider, template.Family, template.ApiBase, template.NativeResponses);
        var slash = model.IndexOf('/', StringComparison.Ordinal);
        if (template.ProviderFromModel && slash > 0 && ProviderFamilies.FamilyOf(model[..slash]) is { } named)
        {
            // model: "*" names no provider: LiteLLM takes it from the model, so anthropic/claude-x goes to Anthropic
            var defaultBase = ProviderFamilies.DefaultApiBase(template.Provider)?.TrimEnd('/');
            provider = model[..slash];
            model = model[(slash + 1)..];
            apiBase = template.ApiBase is null || template.ApiBase == defaultBase ? ProviderFamilies.DefaultApiBase(provider)?.TrimEnd('/') ?? template.ApiBase : template.ApiBase;
            native = named == template.Family && native;
            family = named;
        }

        return template with
        {
            Id = template.Id + ":" + provider + "/" + model,
            ModelName = name,
            Provider = provider,
            Family = family,
            Model = model,
            QualifiedModel = provider + "/" + model,
            ApiBase = apiBase,
            NativeResponses = native,
        };
    }
}
