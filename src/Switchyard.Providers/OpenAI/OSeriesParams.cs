using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Core.Failures;

namespace Switchyard.Providers.OpenAI;

/// <summary>
/// OpenAI's o-series reasoning models (o1, o3, o4-mini, ...; <c>azure/o_series/</c> in a LiteLLM config), mapped as
/// LiteLLM's o-series config maps them: <c>max_tokens</c> is sent as <c>max_completion_tokens</c> (dropped when the
/// caller also sent that); <c>temperature</c> other than 1, and <c>top_p</c>, <c>presence_penalty</c>,
/// <c>frequency_penalty</c>, <c>logprobs</c>, <c>top_logprobs</c> (parameters these models refuse) are refused with a 400
/// naming the parameter, or dropped and reported under drop_params. A value that asks for nothing (null, logprobs: false)
/// is left out silently. Only these deployments pay for the re-serialization.
/// </summary>
internal static class OSeriesParams
{
    private static readonly string[] Refused = ["top_p", "presence_penalty", "frequency_penalty", "logprobs", "top_logprobs"];

    /// <summary>The body to send and the parameters dropped, or the refusal.</summary>
    public readonly record struct Adapted(byte[] Body, IReadOnlyList<string> Dropped, UpstreamFailure? Failure);

    public static Adapted Adapt(byte[] body, bool dropParams)
    {
        if (!Mentions(body) || JsonNode.Parse(body) is not JsonObject o)
        {
            return new(body, [], null);
        }

        var dropped = new List<string>();
        if (o.ContainsKey("max_tokens"))
        {
            var maxTokens = o["max_tokens"];
            o.Remove("max_tokens");
            if (!o.ContainsKey("max_completion_tokens"))
            {
                o["max_completion_tokens"] = maxTokens?.DeepClone();
            }
        }

        if (o.TryGetPropertyValue("temperature", out var temperature))
        {
            if (temperature is null)
            {
                o.Remove("temperature");
            }
            else if (!(temperature.GetValueKind() == JsonValueKind.Number && temperature.GetValue<double>() == 1))
            {
                if (!dropParams)
                {
                    return Refuse("temperature", $"o-series models take only temperature=1, not {temperature.ToJsonString()}; send 1 or leave it out, or opt in to drop_params");
                }

                o.Remove("temperature");
                dropped.Add("temperature");
            }
        }

        foreach (var name in Refused)
        {
            if (!o.TryGetPropertyValue(name, out var value))
            {
                continue;
            }

            o.Remove(name);
            if (value is null || (value.GetValueKind() == JsonValueKind.False))
            {
                continue; // asks for nothing
            }

            if (!dropParams)
            {
                return Refuse(name, $"o-series models do not take {name}; leave it out, send it to another model, or opt in to drop_params");
            }

            dropped.Add(name);
        }

        return new(System.Text.Encoding.UTF8.GetBytes(o.ToJsonString()), dropped, null);
    }

    private static Adapted Refuse(string param, string message)
        => new([], [], new UpstreamFailure(FailureKind.Unsupported, 400, message) { UpstreamCode = "unsupported_value", UpstreamParam = param });

    private static bool Mentions(ReadOnlySpan<byte> body)
        => body.IndexOf("\"max_tokens\""u8) >= 0 || body.IndexOf("\"temperature\""u8) >= 0 || body.IndexOf("\"top_p\""u8) >= 0
            || body.IndexOf("_penalty\""u8) >= 0 || body.IndexOf("logprobs\""u8) >= 0;
}
