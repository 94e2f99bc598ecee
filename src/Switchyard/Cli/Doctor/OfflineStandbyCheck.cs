using Switchyard.Core.Config;

namespace Switchyard.Cli.Doctor;

/// <summary>Doctor's SY118: groups that answer from the offline standby's mock because no provider key is set.</summary>
public static class OfflineStandbyCheck
{
    public static IEnumerable<Finding> Run(GatewayConfig config)
    {
        var serving = OfflineStandby.Serving(config);
        if (serving.Count == 0)
        {
            yield break;
        }

        yield return new Finding("SY118", Finding.Warn,
            $"offline standby: {OfflineStandby.Describe(serving)}; agents get mock answers with HTTP 200 (header {OfflineStandby.Header}) and readiness says degraded",
            "set the provider keys those deployments read (the embedded default reads OPENAI_API_KEY and ANTHROPIC_API_KEY, and COHERE_API_KEY for rerank.default) in the gateway's environment, then restart or run switchyard reload");
    }
}
