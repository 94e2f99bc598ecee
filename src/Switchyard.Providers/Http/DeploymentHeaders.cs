using Switchyard.Core.Config;

namespace Switchyard.Providers.Http;

/// <summary>
/// The headers a deployment's litellm_params ask for on every upstream request: <c>organization</c> as
/// <c>OpenAI-Organization</c> (OpenAI-wire deployments) and each <c>extra_headers</c> entry (which replaces a header of
/// the same name, as in LiteLLM).
/// </summary>
public static class DeploymentHeaders
{
    public static void Add(HttpRequestMessage message, DeploymentConfig deployment, bool openAIWire)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(deployment);
        if (openAIWire && !string.IsNullOrEmpty(deployment.Organization))
        {
            message.Headers.TryAddWithoutValidation("OpenAI-Organization", deployment.Organization);
        }

        foreach (var (name, value) in deployment.ExtraHeaders)
        {
            message.Headers.Remove(name);
            message.Headers.TryAddWithoutValidation(name, value);
        }
    }
}
