namespace Switchyard.Providers.Gemini;

/// <summary>Gemini <c>finishReason</c> -> OpenAI finish_reason; every safety, recitation and policy stop is content_filter.</summary>
internal static class GeminiFinishReasons
{
    public static string Map(string? finishReason, bool calledFunctions) => finishReason switch
    {
        "MAX_TOKENS" => "length",
        "SAFETY" or "RECITATION" or "BLOCKLIST" or "PROHIBITED_CONTENT" or "SPII" or "IMAGE_SAFETY" or "IMAGE_PROHIBITED_CONTENT"
            or "IMAGE_RECITATION" or "LANGUAGE" => "content_filter",
        _ when calledFunctions => "tool_calls",
        _ => "stop",
    };
}
