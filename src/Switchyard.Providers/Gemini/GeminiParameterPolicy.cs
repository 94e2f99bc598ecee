using System.Text.Json;
using Switchyard.Providers.Anthropic;

namespace Switchyard.Providers.Gemini;

/// <summary>
/// Chat Completions parameters the Gemini API has no equivalent for (as this adapter translates it). Each is refused
/// (400 <c>unsupported_value</c> naming it, so another deployment of the group may take the request) unless drop_params
/// is on; then it is dropped and reported. A value that asks for nothing (logprobs false, n 1, parallel_tool_calls
/// true, an empty logit_bias, modalities ["text"]) counts as absent; a deployment default is the operator's and is
/// simply not sent.
/// </summary>
internal static class GeminiParameterPolicy
{
    private static readonly string[] NoEquivalent =
    [
        "logprobs", "top_logprobs", "logit_bias", "n", "audio", "modalities", "prediction", "web_search_options", "parallel_tool_calls",
    ];

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

    public static string Why(string name) => name switch
    {
        "n" => "Gemini answers are translated one choice per request; 'n' must be 1",
        "parallel_tool_calls" => "Gemini models cannot be told to call at most one function per turn ('parallel_tool_calls': false)",
        _ => $"Gemini models have no equivalent of '{name}'",
    };

    private static bool AsksNothing(string name, JsonElement value) => name switch
    {
        "logprobs" => value.ValueKind == JsonValueKind.False,
        "top_logprobs" => value.ValueKind == JsonValueKind.Number && value.GetDouble() == 0,
        "n" => value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var n) && n == 1,
        "parallel_tool_calls" => value.ValueKind == JsonValueKind.True,
        "logit_bias" => value.ValueKind == JsonValueKind.Object && !value.EnumerateObject().Any(),
        "modalities" => value.ValueKind == JsonValueKind.Array && value.EnumerateArray().All(m => m.ValueKind == JsonValueKind.String && m.ValueEquals("text")),
        _ => false,
    };
}
