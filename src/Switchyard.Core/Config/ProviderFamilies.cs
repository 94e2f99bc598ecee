namespace Switchyard.Core.Config;

/// <summary>Maps LiteLLM provider prefixes to the adapter families Switchyard speaks.</summary>
public static class ProviderFamilies
{
    public const string OpenAI = "openai";
    public const string Azure = "azure";
    public const string Anthropic = "anthropic";
    public const string Gemini = "gemini";
    public const string Mock = "mock";

    private static readonly Dictionary<string, string> Families = new(StringComparer.Ordinal)
    {
        ["openai"] = OpenAI,
        ["text-completion-openai"] = OpenAI,
        ["hosted_vllm"] = OpenAI,
        ["vllm"] = OpenAI,
        ["ollama_chat"] = OpenAI,
        ["ollama"] = OpenAI,
        ["openai_compatible"] = OpenAI,
        ["lm_studio"] = OpenAI,
        ["llamafile"] = OpenAI,
        ["groq"] = OpenAI,
        ["together_ai"] = OpenAI,
        ["deepseek"] = OpenAI,
        ["mistral"] = OpenAI,
        ["fireworks_ai"] = OpenAI,
        ["openrouter"] = OpenAI,
        ["xai"] = OpenAI,
        ["azure"] = Azure,
        ["anthropic"] = Anthropic,
        ["gemini"] = Gemini,
        ["mock"] = Mock,
    };

    /// <summary>Default api_base for prefixes that have a well-known one.</summary>
    private static readonly Dictionary<string, string> DefaultBases = new(StringComparer.Ordinal)
    {
        ["openai"] = "https://api.openai.com/v1",
        ["text-completion-openai"] = "https://api.openai.com/v1",
        ["anthropic"] = "https://api.anthropic.com",
        ["gemini"] = "https://generativelanguage.googleapis.com",
        ["ollama_chat"] = "http://localhost:11434/v1",
        ["ollama"] = "http://localhost:11434/v1",
        ["groq"] = "https://api.groq.com/openai/v1",
        ["together_ai"] = "https://api.together.xyz/v1",
        ["deepseek"] = "https://api.deepseek.com/v1",
        ["mistral"] = "https://api.mistral.ai/v1",
        ["fireworks_ai"] = "https://api.fireworks.ai/inference/v1",
        ["openrouter"] = "https://openrouter.ai/api/v1",
        ["xai"] = "https://api.x.ai/v1",
        ["lm_studio"] = "http://localhost:1234/v1",
    };

    public static IEnumerable<string> Prefixes => Families.Keys;

    public static string? FamilyOf(string prefix) => Families.GetValueOrDefault(prefix);

    public static string? DefaultApiBase(string prefix) => DefaultBases.GetValueOrDefault(prefix);

    /// <summary>
    /// Whether a <c>gemini/</c> deployment's api_base is Google's OpenAI-compatible endpoint
    /// (<c>https://generativelanguage.googleapis.com/v1beta/openai/</c>): such a deployment is sent the OpenAI wire
    /// format with Bearer auth instead of the native generateContent API.
    /// </summary>
    public static bool IsGeminiOpenAICompatible(string? apiBase)
        => apiBase is not null && apiBase.TrimEnd('/').EndsWith("/openai", StringComparison.OrdinalIgnoreCase);
}
