using Switchyard.Core.Config;

namespace Switchyard.Cli.Doctor;

/// <summary>
/// SY114: each Bedrock deployment with the region it signs for, the endpoint it calls and where its credentials come
/// from. SY115: each Vertex AI deployment with its project, location, endpoint and where its Google credentials come from. SY210: each other deployment that names a region (<c>region_name</c>), with the endpoint it is actually called at. On
/// Azure (and every family but those whose adapter builds its URL from a region) the endpoint is <c>api_base</c> and
/// <c>region_name</c> is a label only, as in LiteLLM, which reads it for region filtering in routing, never for the URL.
/// </summary>
public static class RegionCheck
{
    public static IEnumerable<Finding> Run(GatewayConfig config)
    {
        // SY114: Bedrock builds its URL from the region: which region it signs for, where it calls, whose credentials
        foreach (var d in config.Deployments.Where(d => d.Family == ProviderFamilies.Bedrock))
        {
            yield return new Finding("SY114", Finding.Info, d.Aws is { } aws
                ? $"deployment {d.Id} ({d.QualifiedModel}) signs for region {aws.Region} ({aws.RegionSource}) and calls {d.ApiBase}; AWS credentials from {aws.CredentialSource}"
                : $"deployment {d.Id} ({d.QualifiedModel}) would call {d.ApiBase} (region {d.Region}) but has no AWS credentials",
                d.Aws is null ? "set aws_access_key_id / aws_secret_access_key (os.environ/...), aws_profile_name, or AWS_ACCESS_KEY_ID in the environment" : "");
        }

        // SY115: Vertex AI builds its URL from the project and location: which, from where, and whose credentials
        foreach (var d in config.Deployments.Where(d => d.Family == ProviderFamilies.VertexAI))
        {
            yield return new Finding("SY115", Finding.Info, d.Vertex is { } v
                ? $"deployment {d.Id} ({d.QualifiedModel}) calls {d.ApiBase} for project {v.Project} ({v.ProjectSource}), location {v.Location} ({v.LocationSource}); Google credentials from {v.CredentialSource}"
                : $"deployment {d.Id} ({d.QualifiedModel}) would call {d.ApiBase} but cannot: {d.DisabledReason}",
                d.Vertex is null ? "set vertex_credentials (a service-account JSON file, or the JSON through os.environ/...), or GOOGLE_APPLICATION_CREDENTIALS; and vertex_project" : "");
        }

        foreach (var d in config.Deployments.Where(d => d.Region is not null && d.Family is not (ProviderFamilies.Bedrock or ProviderFamilies.VertexAI)))
        {
            var endpoint = string.IsNullOrEmpty(d.ApiBase) ? "no api_base" : d.ApiBase;
            yield return new Finding("SY210", Finding.Info,
                $"deployment {d.Id} ({d.QualifiedModel}) region_name {d.Region}: called at {endpoint}; region_name labels the deployment and does not choose the endpoint",
                d.Family == ProviderFamilies.Azure && string.IsNullOrEmpty(d.ApiBase) ? "set api_base to the resource's endpoint in that region (https://NAME.openai.azure.com)" : "");
        }
    }
}
