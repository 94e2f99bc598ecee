using System.Globalization;
using System.Text.Json;
using OpenAI.Chat;
using Switchyard.Core.Config;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Providers.OpenAI;

/// <summary>
/// The OpenAI-compatible long tail (perplexity/, cerebras/, huggingface/, voyage/, ...): each prefix loads with its
/// default endpoint and the key variable LiteLLM reads, goes out as the OpenAI wire format with Bearer auth, and an
/// operation its provider does not offer is refused as operation_not_supported without an upstream call.
/// </summary>
public sealed class OpenAICompatiblePrefixTests
{
    private static GatewayConfig Load(string model, Func<string, string?> env)
        => ConfigLoader.Load($$"""
            model_list:
              - model_name: m
                litellm_params:
                  model: {{model}}
            general_settings: { master_key: sk-compat-prefix-0001 }
            """, Path.GetTempPath(), env);

    [Theory]
    [InlineData("perplexity", "sonar-pro", "https://api.perplexity.ai", "PERPLEXITYAI_API_KEY")]
    [InlineData("cerebras", "llama-3.3-70b", "https://api.cerebras.ai/v1", "CEREBRAS_API_KEY")]
    [InlineData("deepinfra", "meta-llama/Llama-3.3-70B-Instruct", "https://api.deepinfra.com/v1/openai", "DEEPINFRA_API_KEY")]
    [InlineData("nvidia_nim", "meta/llama3-70b-instruct", "https://integrate.api.nvidia.com/v1", "NVIDIA_NIM_API_KEY")]
    [InlineData("sambanova", "Meta-Llama-3.3-70B-Instruct", "https://api.sambanova.ai/v1", "SAMBANOVA_API_KEY")]
    [InlineData("huggingface", "Qwen/Qwen2.5-72B-Instruct", "https://router.huggingface.co/v1", "HF_TOKEN")]
    [InlineData("voyage", "voyage-3", "https://api.voyageai.com/v1", "VOYAGE_API_KEY")]
    [InlineData("nebius", "Qwen/Qwen3-235B-A22B", "https://api.studio.nebius.ai/v1", "NEBIUS_API_KEY")]
    [InlineData("novita", "deepseek/deepseek-r1", "https://api.novita.ai/v3/openai", "NOVITA_API_KEY")]
    [InlineData("friendliai", "meta-llama-3.1-8b-instruct", "https://api.friendli.ai/serverless/v1", "FRIENDLIAI_API_KEY")]
    [InlineData("github", "gpt-4o", "https://models.inference.ai.azure.com", "GITHUB_API_KEY")]
    [InlineData("dashscope", "qwen-max", "https://dashscope.aliyuncs.com/compatible-mode/v1", "DASHSCOPE_API_KEY")]
    [InlineData("moonshot", "kimi-k2-0711-preview", "https://api.moonshot.ai/v1", "MOONSHOT_API_KEY")]
    [InlineData("zai", "glm-4.6", "https://api.z.ai/api/paas/v4", "ZAI_API_KEY")]
    [InlineData("zhipu", "glm-4-plus", "https://open.bigmodel.cn/api/paas/v4", "ZHIPUAI_API_KEY")]
    [InlineData("meta_llama", "Llama-4-Maverick-17B-128E-Instruct-FP8", "https://api.llama.com/compat/v1", "LLAMA_API_KEY")]
    [InlineData("groq", "llama-3.3-70b-versatile", "https://api.groq.com/openai/v1", "GROQ_API_KEY")]
    [InlineData("together_ai", "meta-llama/Llama-3-70b-chat-hf", "https://api.together.xyz/v1", "TOGETHER_API_KEY")]
    public void Prefix_WithoutApiKey_LoadsWithDefaultBaseAndTheProvidersKeyVariable(string prefix, string model, string apiBase, string variable)
    {
        var config = Load($"{prefix}/{model}", name => name == variable ? "key-from-" + variable : null);

        var d = Assert.Single(config.Deployments);
        Assert.True(d.Enabled, d.DisabledReason);
        Assert.Equal(ProviderFamilies.OpenAI, d.Family);
        Assert.Equal(prefix, d.Provider);
        Assert.Equal(model, d.Model);
        Assert.Equal(apiBase, d.ApiBase);
        Assert.Equal("key-from-" + variable, d.ApiKey);
    }

    [Fact]
    public void KeyVariables_FirstSetOneWins_WrittenApiKeyWinsOverAll_NoneSetMeansNoKey()
    {
        var env = new Dictionary<string, string> { ["HUGGINGFACE_API_KEY"] = "hf-second", ["CEREBRAS_API_KEY"] = "csk-env" };
        string? Env(string name) => env.GetValueOrDefault(name);

        Assert.Equal("hf-second", Assert.Single(Load("huggingface/meta-llama/Llama-3.3-70B-Instruct", Env).Deployments).ApiKey);
        env["HF_TOKEN"] = "hf-first";
        Assert.Equal("hf-first", Assert.Single(Load("huggingface/meta-llama/Llama-3.3-70B-Instruct", Env).Deployments).ApiKey);
        var written = Assert.Single(ConfigLoader.Load("""
            model_list:
              - model_name: m
                litellm_params: { model: cerebras/llama-3.3-70b, api_key: csk-written }
            general_settings: { master_key: sk-compat-prefix-0001 }
            """, Path.GetTempPath(), Env).Deployments);
        Assert.Equal("csk-written", written.ApiKey);
        var none = Assert.Single(Load("sambanova/Meta-Llama-3.3-70B-Instruct", _ => null).Deployments);
        Assert.True(none.Enabled);
        Assert.Null(none.ApiKey);
        // the openai/ family itself reads no variable: its key is always written (os.environ/OPENAI_API_KEY)
        Assert.Null(Assert.Single(Load("openai/gpt-4o", n => n == "OPENAI_API_KEY" ? "sk-env" : null).Deployments).ApiKey);
    }

    [Fact]
    public void UnknownPrefix_IsRefusedNamingTheLongTailAmongTheSupported()
    {
        var e = Assert.Throws<ConfigException>(() => Load("perplexityai/sonar", _ => null));

        Assert.Contains("provider 'perplexityai' is not supported", e.Message, StringComparison.Ordinal);
        Assert.Contains("perplexity, ", e.Message, StringComparison.Ordinal);
        Assert.Contains("voyage", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CerebrasChat_KeyFromEnvironment_ReachesOverriddenBaseAsOpenAIWireWithBearer()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteCompletionAsync(c, "fast hello", model: "llama-3.3-70b");
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: fast
                litellm_params:
                  model: cerebras/llama-3.3-70b
                  api_base: {{upstream.BaseUrl}}/v1
            """, env: new Dictionary<string, string> { ["CEREBRAS_API_KEY"] = "csk-from-env" });

        var completion = (await gw.Chat("fast").CompleteChatAsync([new UserChatMessage("hi")])).Value;

        Assert.Equal("fast hello", completion.Content[0].Text);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("POST", sent.Method);
        Assert.Equal("/v1/chat/completions", sent.PathAndQuery);
        Assert.Equal("Bearer csk-from-env", sent.Headers["authorization"]);
        Assert.Equal("llama-3.3-70b", JsonDocument.Parse(sent.Body).RootElement.GetProperty("model").GetString());
    }

    /// <summary>Voyage's embeddings answer: OpenAI's list shape, but a usage with total_tokens alone.</summary>
    private static Task WriteVoyageEmbeddingsAsync(HttpContext c, RecordedRequest r)
    {
        c.Response.ContentType = "application/json";
        return c.Response.WriteAsync("""
            {"object":"list","data":[{"object":"embedding","embedding":[0.125,-0.5,0.25],"index":0},{"object":"embedding","embedding":[1.0,0.0,-1.0],"index":1}],"model":"voyage-3","usage":{"total_tokens":40}}
            """);
    }

    private static Task<GatewayFixture> StartVoyageAsync(FakeUpstream upstream) => GatewayFixture.StartAsync($$"""
        model_list:
          - model_name: embed
            litellm_params:
              model: voyage/voyage-3
              api_base: {{upstream.BaseUrl}}/v1
              api_key: pa-voyage-key
            model_info:
              input_cost_per_token: 0.00000006
        """);

    [Fact]
    public async Task VoyageEmbeddings_SentToEmbeddingsWithBearer_TotalTokensOnlyUsageIsCharged()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = WriteVoyageEmbeddingsAsync;
        await using var gw = await StartVoyageAsync(upstream);

        using var response = await gw.PostAsync("/v1/embeddings", """{"model":"embed","input":["alpha","beta"],"input_type":"document"}""");

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        var answer = JsonDocument.Parse(text).RootElement;
        Assert.Equal("[1.0,0.0,-1.0]", answer.GetProperty("data")[1].GetProperty("embedding").GetRawText());
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/embeddings", sent.PathAndQuery);
        Assert.Equal("Bearer pa-voyage-key", sent.Headers["authorization"]);
        var body = JsonDocument.Parse(sent.Body).RootElement;
        Assert.Equal("voyage-3", body.GetProperty("model").GetString());
        Assert.Equal("document", body.GetProperty("input_type").GetString());
        // 40 tokens x 6e-8: the total counted as input (nothing is generated)
        var cost = decimal.Parse(Assert.Single(response.Headers.GetValues("x-switchyard-response-cost")), CultureInfo.InvariantCulture);
        Assert.Equal(0.0000024m, cost);
    }

    [Fact]
    public async Task VoyageChat_AndResponses_RefusedTypedAsOperationNotSupported_NothingSent()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = WriteVoyageEmbeddingsAsync;
        await using var gw = await StartVoyageAsync(upstream);

        using var chat = await gw.PostAsync("/v1/chat/completions", """{"model":"embed","messages":[{"role":"user","content":"hi"}]}""");
        using var responses = await gw.PostAsync("/v1/responses", """{"model":"embed","input":"hi"}""");

        var summary = await FailureAssert.ReadAsync(chat, 400, "invalid_request_error", "operation_not_supported");
        Assert.Contains("voyage/", summary.Message, StringComparison.Ordinal);
        Assert.Contains("chat completions", summary.Message, StringComparison.Ordinal);
        await FailureAssert.ReadAsync(responses, 400, "invalid_request_error", "operation_not_supported");
        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task CerebrasEmbeddings_RefusedTypedAsOperationNotSupported_NothingSent()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteCompletionAsync(c, "unused");
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: fast
                litellm_params:
                  model: cerebras/llama-3.3-70b
                  api_base: {{upstream.BaseUrl}}/v1
                  api_key: csk-1
            """);

        using var response = await gw.PostAsync("/v1/embeddings", """{"model":"fast","input":"hi"}""");

        var summary = await FailureAssert.ReadAsync(response, 400, "invalid_request_error", "operation_not_supported");
        Assert.Contains("embeddings API on cerebras/", summary.Message, StringComparison.Ordinal);
        Assert.Empty(upstream.Requests);
    }

    /// <summary>docs/configuration.md's one prefix table names every prefix with the code's default endpoint and key variables.</summary>
    [Fact]
    public void DocsPrefixTable_HasEveryPrefixWithItsDefaultBaseAndKeyVariables()
    {
        var repo = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        var doc = File.ReadAllText(Path.Combine(repo, "docs", "configuration.md"));
        var start = doc.IndexOf("## Provider prefixes", StringComparison.Ordinal);
        var rows = doc[start..doc.IndexOf("\n## ", start + 1, StringComparison.Ordinal)].Split('\n').Where(l => l.StartsWith("| `", StringComparison.Ordinal)).ToList();

        foreach (var name in ProviderFamilies.Prefixes)
        {
            var prefix = ProviderFamilies.Find(name)!;
            var row = rows.FirstOrDefault(r => r.Split('|')[1].Contains($"`{name}/`", StringComparison.Ordinal));
            Assert.True(row is not null, $"no row for {name}/ in docs/configuration.md");
            Assert.True(prefix.DefaultApiBase is null || row.Contains($"`{prefix.DefaultApiBase}`", StringComparison.Ordinal), $"{name}/: default {prefix.DefaultApiBase} missing from its row");
            Assert.All(prefix.KeyVariables ?? [], v => Assert.Contains($"`{v}`", row, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task DoctorProbe_Voyage_ProbesWithAnEmbeddingNotAChat()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = WriteVoyageEmbeddingsAsync;
        var config = ConfigLoader.Load($$"""
            model_list:
              - model_name: embed
                litellm_params: { model: voyage/voyage-3, api_base: "{{upstream.BaseUrl}}/v1", api_key: pa-probe }
            general_settings: { master_key: sk-compat-prefix-0001 }
            """, Path.GetTempPath());

        var probe = Assert.Single(await Switchyard.Cli.Doctor.DoctorChecks.ProbeAsync(config, CancellationToken.None));

        Assert.Equal("SY170", probe.Id);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/embeddings", sent.PathAndQuery);
        Assert.Equal("Bearer pa-probe", sent.Headers["authorization"]);
    }
}
