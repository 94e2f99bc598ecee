using System.Text.Json;
using Switchyard.Providers.Abstractions;

namespace Switchyard.Providers.Anthropic;

/// <summary>
/// reasoning_effort -> an extended-thinking budget: minimal 1024 tokens (Anthropic's minimum), low 2048,
/// medium 8192, high 16384; none means no thinking. Documented in docs/configuration.md.
/// </summary>
internal static class AnthropicThinking
{
    public static int? Budget(AnthropicRequestSource source)
    {
        if (!source.TryGet("reasoning_effort", out var effort))
        {
            return null;
        }

        return effort.ValueKind != JsonValueKind.String ? Invalid() : effort.GetString() switch
        {
            "none" => null,
            "minimal" => 1024,
            "low" => 2048,
            "medium" => 8192,
            "high" => 16384,
            _ => Invalid(),
        };
    }

    private static int? Invalid()
        => throw new TranslationException("reasoning_effort", "reasoning_effort must be one of none, minimal, low, medium, high", "invalid_value");
}
