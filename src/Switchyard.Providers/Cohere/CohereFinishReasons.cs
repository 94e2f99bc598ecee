namespace Switchyard.Providers.Cohere;

/// <summary>
/// Cohere v2 <c>finish_reason</c> -> OpenAI finish_reason: COMPLETE and STOP_SEQUENCE stop, MAX_TOKENS length,
/// TOOL_CALL tool_calls, ERROR_TOXIC content_filter; ERROR and TIMEOUT (the model stopped early on Cohere's side)
/// length, the reason OpenAI clients read as a cut answer.
/// </summary>
internal static class CohereFinishReasons
{
    public static string Map(string? finishReason) => finishReason switch
    {
        "MAX_TOKENS" or "ERROR" or "TIMEOUT" => "length",
        "TOOL_CALL" => "tool_calls",
        "ERROR_TOXIC" => "content_filter",
        _ => "stop", // COMPLETE, STOP_SEQUENCE
    };
}
