using System.Text.RegularExpressions;

namespace Switchyard.Core.Config;

/// <summary>
/// Which provider a litellm_params.model names, as LiteLLM's get_llm_provider decides it: litellm_params.custom_llm_provider
/// when set (the whole model string is then the upstream model, less a leading <c>provider/</c>), else the prefix before
/// the first <c>/</c>, else, for a bare name, the provider LiteLLM knows the name under: Claude models are Anthropic's,
/// Bedrock model ids (<c>anthropic.claude-…-v1:0</c>, <c>amazon.titan-…</c>) Bedrock's, bare Gemini names Vertex AI's,
/// Command models Cohere's, anything else OpenAI's.
/// </summary>
internal static partial class ModelProvider
{
    /// <summary>The provider prefix, the model the provider is sent, and whether the file named the provider.</summary>
    public static (string Prefix, string Model, bool Explicit) Split(string model, string? customProvider)
    {
        if (!string.IsNullOrWhiteSpace(customProvider))
        {
            var own = customProvider + "/";
            return (customProvider, model.StartsWith(own, StringComparison.Ordinal) ? model[own.Length..] : model, true);
        }

        var slash = model.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 ? (model[..slash], model[(slash + 1)..], true) : (Infer(model), model, false);
    }

    private static string Infer(string bare) => bare switch
    {
        _ when bare.StartsWith("claude-", StringComparison.Ordinal) => "anthropic",
        _ when BedrockModelId().IsMatch(bare) => "bedrock",
        _ when bare.StartsWith("gemini-", StringComparison.Ordinal) => "vertex_ai",
        _ when bare.StartsWith("command-", StringComparison.Ordinal) || bare == "command" => "cohere",
        _ => "openai",
    };

    /// <summary>A Bedrock model id: an optional cross-region prefix (us., eu., apac., global.), a vendor, a dot.</summary>
    [GeneratedRegex(@"^(?:(?:us|eu|apac|global|us-gov)\.)?(?:amazon|anthropic|ai21|cohere|meta|mistral|stability|deepseek|writer|twelvelabs|qwen)\.[A-Za-z0-9]")]
    private static partial Regex BedrockModelId();
}
