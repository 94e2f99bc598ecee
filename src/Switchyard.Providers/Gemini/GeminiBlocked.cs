using System.Text.Json;
using Switchyard.Core.Failures;
using Switchyard.Providers.Anthropic;

namespace Switchyard.Providers.Gemini;

/// <summary>
/// A prompt Gemini refused to answer (<c>promptFeedback.blockReason</c>, no candidates): the caller's own content
/// policy failure (400 <c>content_policy_violation</c>, OpenAI's code for it), never retried and not held against the
/// deployment's breaker.
/// </summary>
internal static class GeminiBlocked
{
    public const string Code = "content_policy_violation";

    /// <summary>The failure when <paramref name="root"/> is a blocked prompt's answer; else null.</summary>
    public static UpstreamFailure? Check(JsonElement root)
    {
        var candidates = AnthropicJson.Get(root, "candidates");
        if (candidates.ValueKind == JsonValueKind.Array && candidates.GetArrayLength() > 0)
        {
            return null;
        }

        var reason = AnthropicJson.String(AnthropicJson.Get(root, "promptFeedback"), "blockReason");
        return reason is null
            ? null
            : new UpstreamFailure(FailureKind.CallerError, 400, $"Gemini blocked the prompt (blockReason {Safe(reason)})") { UpstreamCode = Code };
    }

    private static string Safe(string reason)
        => reason.Length <= 40 && reason.All(c => char.IsAsciiLetterUpper(c) || c == '_') ? reason : "unknown";
}
