using System.Collections.Frozen;
using Switchyard.Core.Requests;

namespace Switchyard.Core.Config;

/// <summary>
/// Maps LiteLLM provider prefixes to the adapter families Switchyard speaks: one table of every prefix with its default
/// endpoint, key variables and operations (docs/configuration.md, "Provider prefixes", lists the same table).
/// </summary>
public static class ProviderFamilies
{
    public const string OpenAI = "openai";
    public const string Azure = "azure";
    public const string Anthropic = "anthropic";
    public const string Gemini = "gemini";
    public const string Bedrock = "bedrock";
    public const string Cohere = "cohere";
    public const string VertexAI = "vertex_ai";
    public const string Mock = "mock";

    private static readonly FrozenSet<OperationKind> ChatOnly = FrozenSet.Create(OperationKind.Chat);
    private static readonly FrozenSet<OperationKind> ChatAndEmbeddings = FrozenSet.Create(OperationKind.Chat, OperationKind.Embeddings);
    private static readonly FrozenSet<OperationKind> EmbeddingsAndRerank = FrozenSet.Create(OperationKind.Embeddings, OperationKind.Rerank);
    private static readonly FrozenSet<OperationKind> ChatEmbeddingsAndRerank = FrozenSet.Create(OperationKind.Chat, OperationKind.Embeddings, OperationKind.Rerank);

    /// <summary>
    /// Every prefix. Key variables are LiteLLM's names for each provider; the first four families and the local servers
    /// read none (a key there is always written as <c>api_key</c>, e.g. <c>os.environ/OPENAI_API_KEY</c>).
    /// </summary>
    private static readonly ProviderPrefix[] Table =
    [
        new("openai", OpenAI, "https://api.openai.com/v1"),
        new("text-completion-openai", OpenAI, "https://api.openai.com/v1"),
        new("openai_compatible", OpenAI),
        new("hosted_vllm", OpenAI),
        new("vllm", OpenAI),
        new("ollama_chat", OpenAI, "http://localhost:11434/v1"),
        new("ollama", OpenAI, "http://localhost:11434/v1"),
        new("lm_studio", OpenAI, "http://localhost:1234/v1"),
        new("llamafile", OpenAI),
        new("groq", OpenAI, "https://api.groq.com/openai/v1", ["GROQ_API_KEY"]),
        new("together_ai", OpenAI, "https://api.together.xyz/v1", ["TOGETHER_API_KEY", "TOGETHER_AI_API_KEY", "TOGETHERAI_API_KEY", "TOGETHER_AI_TOKEN"]),
        new("deepseek", OpenAI, "https://api.deepseek.com/v1", ["DEEPSEEK_API_KEY"]),
        new("mistral", OpenAI, "https://api.mistral.ai/v1", ["MISTRAL_API_KEY"]),
        new("fireworks_ai", OpenAI, "https://api.fireworks.ai/inference/v1", ["FIREWORKS_API_KEY", "FIREWORKS_AI_API_KEY", "FIREWORKSAI_API_KEY", "FIREWORKS_AI_TOKEN"]),
        new("openrouter", OpenAI, "https://openrouter.ai/api/v1", ["OPENROUTER_API_KEY", "OR_API_KEY"]),
        new("xai", OpenAI, "https://api.x.ai/v1", ["XAI_API_KEY"]),
        new("perplexity", OpenAI, "https://api.perplexity.ai", ["PERPLEXITYAI_API_KEY", "PERPLEXITY_API_KEY"], ChatOnly),
        new("cerebras", OpenAI, "https://api.cerebras.ai/v1", ["CEREBRAS_API_KEY"], ChatOnly),
        new("deepinfra", OpenAI, "https://api.deepinfra.com/v1/openai", ["DEEPINFRA_API_KEY"], ChatAndEmbeddings),
        new("nvidia_nim", OpenAI, "https://integrate.api.nvidia.com/v1", ["NVIDIA_NIM_API_KEY"], ChatAndEmbeddings),
        new("sambanova", OpenAI, "https://api.sambanova.ai/v1", ["SAMBANOVA_API_KEY"], ChatAndEmbeddings),
        new("huggingface", OpenAI, "https://router.huggingface.co/v1", ["HF_TOKEN", "HUGGINGFACE_API_KEY"], ChatOnly),
        new("voyage", OpenAI, "https://api.voyageai.com/v1", ["VOYAGE_API_KEY", "VOYAGE_AI_API_KEY", "VOYAGE_AI_TOKEN"], EmbeddingsAndRerank),
        new("jina_ai", OpenAI, "https://api.jina.ai/v1", ["JINA_AI_API_KEY", "JINA_API_KEY"], EmbeddingsAndRerank),
        new("infinity", OpenAI, null, ["INFINITY_API_KEY"], EmbeddingsAndRerank),
        new("nebius", OpenAI, "https://api.studio.nebius.ai/v1", ["NEBIUS_API_KEY"], ChatAndEmbeddings),
        new("novita", OpenAI, "https://api.novita.ai/v3/openai", ["NOVITA_API_KEY"], ChatAndEmbeddings),
        new("friendliai", OpenAI, "https://api.friendli.ai/serverless/v1", ["FRIENDLIAI_API_KEY", "FRIENDLI_TOKEN"], ChatOnly),
        new("github", OpenAI, "https://models.inference.ai.azure.com", ["GITHUB_API_KEY"], ChatAndEmbeddings),
        new("dashscope", OpenAI, "https://dashscope.aliyuncs.com/compatible-mode/v1", ["DASHSCOPE_API_KEY"], ChatAndEmbeddings),
        new("moonshot", OpenAI, "https://api.moonshot.ai/v1", ["MOONSHOT_API_KEY"], ChatOnly),
        new("zai", OpenAI, "https://api.z.ai/api/paas/v4", ["ZAI_API_KEY"], ChatAndEmbeddings),
        new("zhipu", OpenAI, "https://open.bigmodel.cn/api/paas/v4", ["ZHIPUAI_API_KEY", "ZHIPU_API_KEY"], ChatAndEmbeddings),
        new("meta_llama", OpenAI, "https://api.llama.com/compat/v1", ["LLAMA_API_KEY"], ChatOnly),
        new("azure", Azure),
        new("anthropic", Anthropic, "https://api.anthropic.com"),
        new("gemini", Gemini, "https://generativelanguage.googleapis.com"),
        new("bedrock", Bedrock, null, null, ChatEmbeddingsAndRerank),
        new("cohere", Cohere, "https://api.cohere.com", ["COHERE_API_KEY", "CO_API_KEY"], ChatEmbeddingsAndRerank),
        new("cohere_chat", Cohere, "https://api.cohere.com", ["COHERE_API_KEY", "CO_API_KEY"], ChatOnly),
        new("vertex_ai", VertexAI, null, null, ChatAndEmbeddings),
        new("vertex_ai_beta", VertexAI, null, null, ChatOnly),
        new("mock", Mock),
    ];

    private static readonly FrozenDictionary<string, ProviderPrefix> ByName = Table.ToFrozenDictionary(p => p.Name, StringComparer.Ordinal);

    public static IEnumerable<string> Prefixes => Table.Select(p => p.Name);

    /// <summary>The prefix's row, or null for a prefix Switchyard does not speak.</summary>
    public static ProviderPrefix? Find(string prefix) => ByName.GetValueOrDefault(prefix);

    public static string? FamilyOf(string prefix) => Find(prefix)?.Family;

    /// <summary>Default api_base for prefixes that have a well-known one.</summary>
    public static string? DefaultApiBase(string prefix) => Find(prefix)?.DefaultApiBase;

    /// <summary>Whether the provider behind the prefix offers the operation at all (unknown prefixes: yes).</summary>
    public static bool Takes(string prefix, OperationKind operation) => Find(prefix)?.Takes(operation) ?? true;

    /// <summary>
    /// Whether a <c>gemini/</c> deployment's api_base is Google's OpenAI-compatible endpoint
    /// (<c>https://generativelanguage.googleapis.com/v1beta/openai/</c>): such a deployment is sent the OpenAI wire
    /// format with Bearer auth instead of the native generateContent API.
    /// </summary>
    public static bool IsGeminiOpenAICompatible(string? apiBase)
        => apiBase is not null && apiBase.TrimEnd('/').EndsWith("/openai", StringComparison.OrdinalIgnoreCase);
}
