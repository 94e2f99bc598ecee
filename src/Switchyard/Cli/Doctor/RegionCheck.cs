using Switchyard.Core.Config;

namespace Switchyard.Cli.Doctor;

/// <summary>
/// SY210: each deployment that names a region (<c>region_name</c>), with the endpoint it is actually called at. On
/// Azure (and every family but those whose adapter builds its URL from a region) the endpoint is <c>api_base</c> and
/// <c>region_name</c> is a label only, as in LiteLLM, which reads it for region filtering in routing, never for the URL.
/// </summary>
public static class RegionCheck
{
    public static IEnumerable<Finding> Run(GatewayConfig config)
    {
        foreach (var d in config.Deployments.Where(d => d.Region is not null))
        {
            var endpoint = string.IsNullOrEmpty(d.ApiBase) ? "no api_base" : d.ApiBase;
            yield return new Finding("SY210", Finding.Info,
                $"deployment {d.Id} ({d.QualifiedModel}) region_name {d.Region}: called at {endpoint}; region_name labels the deployment and does not choose the endpoint",
                d.Family == ProviderFamilies.Azure && string.IsNullOrEmpty(d.ApiBase) ? "set api_base to the resource's endpoint in that region (https://NAME.openai.azure.com)" : "");
        }
    }
}
