using System.Text.Json.Nodes;

namespace Switchyard.Providers.OpenAI;

/// <summary>
/// OpenAI's o-series reasoning models (o1, o3, o4-mini, ...; <c>azure/o_series/</c> in a LiteLLM config) refuse
/// <c>max_tokens</c> and take <c>max_completion_tokens</c>, as LiteLLM maps it: the caller's (or a deployment default's)
/// <c>max_tokens</c> is sent as <c>max_completion_tokens</c>, and dropped when the caller also sent that. Only these
/// deployments pay for the re-serialization.
/// </summary>
internal static class OSeriesParams
{
    public static byte[] Adapt(byte[] body)
    {
        if (body.AsSpan().IndexOf("\"max_tokens\""u8) < 0 || JsonNode.Parse(body) is not JsonObject o || !o.ContainsKey("max_tokens"))
        {
            return body;
        }

        var maxTokens = o["max_tokens"];
        o.Remove("max_tokens");
        if (!o.ContainsKey("max_completion_tokens"))
        {
            o["max_completion_tokens"] = maxTokens?.DeepClone();
        }

        return System.Text.Encoding.UTF8.GetBytes(o.ToJsonString());
    }
}
