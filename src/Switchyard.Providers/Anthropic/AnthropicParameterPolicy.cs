using System.Text.Json;

namespace Switchyard.Providers.Anthropic;

/// <summary>
/// Chat Completions parameters the Messages API has no equivalent for. Each is refused (400
/// <c>unsupported_value</c> naming it, so another deployment of the group may take the request) unless the
/// deployment opted in to drop_params; then it is dropped and reported. A value that asks for nothing
/// (logprobs false, a zero penalty, n 1, an empty logit_bias, modalities ["text"]) counts as absent.
/// Only the caller's own values count: a deployment default is the operator's and is simply not sent.
/// </summary>
internal static class AnthropicParameterPolicy
{
    private static readonly string[] NoEquivalent =
    [
        "logprobs", "top_logprobs", "logit_bias", "presence_penalty", "frequency_penalty", "seed", "n", "audio", "modalities",
        "prediction", "web_search_options",
    ];

    /// <summary>The caller's parameters with no Anthropic equivalent, in a fixed order.</summary>
    public static List<string> Unsupported(AnthropicRequestSource source)
    {
        var found = new List<string>();
        foreach (var name in NoEquivalent)
        {
            if (source.TryGetCaller(name, out var value) && !AsksNothing(name, value))
            {
                found.Add(name);
            }
        }

        return found;
    }

    private static bool AsksNothing(string name, JsonElement value) => name switch
    {
        "logprobs" => value.ValueKind == JsonValueKind.False,
        "top_logprobs" or "presence_penalty" or "frequency_penalty" => value.ValueKind == JsonValueKind.Number && value.GetDouble() == 0,
        "n" => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n == 1,
        "logit_bias" => value.ValueKind == JsonValueKind.Object && !value.EnumerateObject().Any(),
        "modalities" => value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(m => m.ValueKind == JsonValueKind.String && m.ValueEquals("text")),
        _ => false,
    };
}
