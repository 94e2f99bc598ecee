namespace Switchyard.Providers.Bedrock;

/// <summary>Converse <c>stopReason</c> -> OpenAI finish_reason.</summary>
internal static class BedrockStopReasons
{
    public static string Map(string? stopReason) => stopReason switch
    {
        "tool_use" => "tool_calls",
        "max_tokens" or "model_context_window_exceeded" => "length",
        "guardrail_intervened" or "content_filtered" => "content_filter",
        _ => "stop", // end_turn, stop_sequence
    };
}
