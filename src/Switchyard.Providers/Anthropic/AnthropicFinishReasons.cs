namespace Switchyard.Providers.Anthropic;

/// <summary>Anthropic stop_reason -> OpenAI finish_reason.</summary>
internal static class AnthropicFinishReasons
{
    public static string Map(string? stopReason) => stopReason switch
    {
        "end_turn" or "stop_sequence" or "pause_turn" => "stop",
        "max_tokens" or "model_context_window_exceeded" => "length",
        "tool_use" => "tool_calls",
        "refusal" => "content_filter",
        _ => "stop",
    };
}
