using Switchyard.Core.Config;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Config;

/// <summary>
/// What the 52-file corpus (LiteLlmPublicCorpusTests) showed Switchyard misreading, each fixed the way LiteLLM reads it:
/// the real loader on real YAML text, and routing through real HTTP to a fake upstream.
/// </summary>
public sealed class LiteLlmCorpusFixesTests
{
    private const string MasterKey = "\ngeneral_settings:\n  master_key: sk-config-test-key\n";

    private static GatewayConfig Load(string yaml, IDictionary<string, string>? env = null)
        => ConfigLoader.Load(yaml.Contains("general_settings:", StringComparison.Ordinal) ? yaml : yaml + MasterKey, "/tmp", n => env?.TryGetValue(n, out var v) == true ? v : null);

    private static IReadOnlyList<ConfigDiagnostic> Errors(string yaml, IDictionary<string, string>? env = null)
        => Assert.Throws<ConfigException>(() => Load(yaml, env)).Errors;

    [Fact]
    public void Load_ModeLiteLlmHasButSwitchyardDoesNotServe_ThatDeploymentDisabledTheRestLoad()
    {
        var config = Load("""
            model_list:
              - model_name: chat
                litellm_params:
                  model: mock/chat
              - model_name: local/whisper
                litellm_params:
                  model: openai/whisper
                  api_base: http://localhost:10300/v1
                model_info:
                  mode: audio_transcription
            """);

        var whisper = Assert.Single(config.Deployments, d => d.ModelName == "local/whisper");
        Assert.False(whisper.Enabled);
        Assert.Contains("audio_transcription", whisper.DisabledReason, StringComparison.Ordinal);
        Assert.True(Assert.Single(config.Deployments, d => d.ModelName == "chat").Enabled);
        Assert.Contains(config.Warnings, w => w.Path == "model_list[1].model_info.mode" && w.Message.Contains("disabled", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_CustomLlmProvider_NamesTheProviderAndTheWholeModelGoesUpstream()
    {
        var config = Load("""
            model_list:
              - model_name: boost-plan
                litellm_params:
                  model: plansearch-openai/deep
                  custom_llm_provider: openai
                  api_base: http://optillm:8000/v1
              - model_name: plain
                litellm_params:
                  model: openai/gpt-4o
                  custom_llm_provider: openai
            """);

        var plan = Assert.Single(config.Deployments, d => d.ModelName == "boost-plan");
        Assert.Equal(("openai", "plansearch-openai/deep"), (plan.Provider, plan.Model));
        var plain = Assert.Single(config.Deployments, d => d.ModelName == "plain");
        Assert.Equal("gpt-4o", plain.Model); // model: openai/... with custom_llm_provider: openai is not openai/openai/...
        Assert.Empty(config.Warnings);
    }

    [Fact]
    public void Load_BareClaudeName_IsAnthropicAsLiteLlmInfersIt()
    {
        var config = Load("""
            model_list:
              - model_name: Claude 3.7 Sonnet
                litellm_params:
                  model: claude-3-7-sonnet-20250219
                  api_key: sk-ant-test
              - model_name: gpt-4o
                litellm_params:
                  model: gpt-4o
                  api_key: sk-test
            """);

        var claude = Assert.Single(config.Deployments, d => d.ModelName == "Claude 3.7 Sonnet");
        Assert.Equal((ProviderFamilies.Anthropic, "https://api.anthropic.com"), (claude.Family, claude.ApiBase));
        Assert.Equal("openai", Assert.Single(config.Deployments, d => d.ModelName == "gpt-4o").Provider);
    }

    [Fact]
    public void Load_BareBedrockModelId_IsABedrockDeploymentNotSentToOpenAI()
    {
        var config = Load("""
            model_list:
              - model_name: amazon-embeddings
                litellm_params:
                  model: amazon.titan-embed-text-v1
                  aws_access_key_id: AKIDEXAMPLE
                  aws_secret_access_key: secret
                  aws_region_name: us-east-1
            """);

        var d = Assert.Single(config.Deployments);
        Assert.Equal((ProviderFamilies.Bedrock, "amazon.titan-embed-text-v1", "https://bedrock-runtime.us-east-1.amazonaws.com"), (d.Family, d.Model, d.ApiBase));
    }

    [Fact]
    public void Load_AliasesAndFallbacksToAGroupRefusedForItsProvider_OnlyTheProviderIsReported()
    {
        var errors = Errors("""
            model_list:
              - model_name: codex/gpt-5.2
                litellm_params:
                  model: chatgpt/gpt-5.2
              - model_name: sonnet-direct
                litellm_params:
                  model: mock/sonnet
            router_settings:
              model_group_alias:
                opus: codex/gpt-5.2
              fallbacks:
                - sonnet-direct: [codex/gpt-5.2]
            """);

        var e = Assert.Single(errors);
        Assert.Equal("model_list[0].litellm_params.model", e.Path);
        Assert.Contains("provider 'chatgpt'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_AliasGivenAsAList_WarnedAndIgnoredTheRestLoads()
    {
        var config = Load("""
            model_list:
              - model_name: small
                litellm_params:
                  model: mock/small
            router_settings:
              model_group_alias:
                chat: [small]
                fast: small
            """);

        Assert.Equal("small", config.Router.ModelGroupAlias["fast"]);
        Assert.False(config.Router.ModelGroupAlias.ContainsKey("chat"));
        Assert.Contains(config.Warnings, w => w.Path == "router_settings.model_group_alias.chat" && w.Message.Contains("is a list", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("model_list: []")]
    [InlineData("model_list:\n")]
    public void Load_EmptyModelList_LoadsWithAWarningAsLiteLlmStarts(string yaml)
    {
        var config = Load(yaml);

        Assert.Empty(config.Deployments);
        var w = Assert.Single(config.Warnings);
        Assert.Equal("model_list", w.Path);
        Assert.Contains("/model/new", w.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SameEntryTwice_OneDeploymentAndAWarning()
    {
        var config = Load("""
            model_list:
              - model_name: claude
                litellm_params:
                  model: anthropic/claude-sonnet-4-5
                  api_key: os.environ/ANTHROPIC_API_KEY
              - model_name: claude
                litellm_params:
                  model: anthropic/claude-haiku-4-5
                  api_key: os.environ/ANTHROPIC_API_KEY
              - model_name: claude
                litellm_params:
                  model: anthropic/claude-sonnet-4-5
                  api_key: os.environ/ANTHROPIC_API_KEY
            """, new Dictionary<string, string> { ["ANTHROPIC_API_KEY"] = "sk-ant-test" });

        Assert.Equal(2, config.Deployments.Count);
        var w = Assert.Single(config.Warnings);
        Assert.Equal("model_list[2]", w.Path);
        Assert.Contains("repeats model_list[0]", w.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SameExplicitIdTwice_StillAnError()
    {
        var e = Assert.Single(Errors("""
            model_list:
              - model_name: a
                litellm_params:
                  model: mock/a
                model_info:
                  id: same
              - model_name: a
                litellm_params:
                  model: mock/a
                model_info:
                  id: same
            """));

        Assert.Contains("ids must be unique", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_DefaultModel_KeptAndAnUnknownTargetIsAnError()
    {
        var config = Load("""
            model_list:
              - model_name: gpt-5.4-mini
                litellm_params:
                  model: mock/mini
            litellm_settings:
              default_model: gpt-5.4-mini
            """);

        Assert.Equal("gpt-5.4-mini", config.Router.DefaultModel);
        Assert.Empty(config.Warnings);

        var e = Assert.Single(Errors("""
            model_list:
              - model_name: gpt-5.4-mini
                litellm_params:
                  model: mock/mini
            litellm_settings:
              default_model: gpt-5.4-mimi
            """));
        Assert.Equal("litellm_settings.default_model", e.Path);
        Assert.Contains("'gpt-5.4-mini'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_UnknownModelWithDefaultModel_GoesToTheDefault_KnownOnesToTheirOwn()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, r) => OpenAIWire.WriteCompletionAsync(c, "hi", System.Text.Json.JsonDocument.Parse(r.Body).RootElement.GetProperty("model").GetString()!, prompt: 10, completion: 2);
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: default-chat
                litellm_params:
                  model: openai/upstream-default
                  api_base: {{upstream.BaseUrl}}/v1
              - model_name: other
                litellm_params:
                  model: openai/upstream-other
                  api_base: {{upstream.BaseUrl}}/v1
            litellm_settings:
              default_model: default-chat
            """);

        var unknown = await gw.ChatAsync(GatewayFixture.MasterKey, "no-such-model");
        var known = await gw.ChatAsync(GatewayFixture.MasterKey, "other");

        Assert.Equal(200, unknown.Status);
        Assert.Equal("default-chat", unknown.Header("x-switchyard-route"));
        Assert.Equal(200, known.Status);
        Assert.Equal("other", known.Header("x-switchyard-route"));
        Assert.Equal(["upstream-default", "upstream-other"], upstream.Requests.Select(r => System.Text.Json.JsonDocument.Parse(r.Body).RootElement.GetProperty("model").GetString()!).ToArray());
    }

    [Fact]
    public async Task Chat_UnknownModelWithoutDefaultModel_Still404()
    {
        await using var gw = await GatewayFixture.StartAsync("""
            model_list:
              - model_name: only
                litellm_params:
                  model: mock/only
            """);

        var r = await gw.ChatAsync(GatewayFixture.MasterKey, "no-such-model");

        Assert.Equal(404, r.Status);
    }

    private const string CacheModels = "model_list:\n  - model_name: a\n    litellm_params:\n      model: mock/a\n";

    [Fact]
    public void Load_RedisCacheWithoutHost_ReadsRedisHostFromTheEnvironmentAsLiteLlm()
    {
        var config = Load(CacheModels + "litellm_settings:\n  cache: true\n  cache_params:\n    type: redis\n",
            new Dictionary<string, string> { ["REDIS_HOST"] = "cache.internal", ["REDIS_PORT"] = "6380", ["REDIS_PASSWORD"] = "pw" });

        Assert.Equal((CacheBackend.Redis, "redis://:pw@cache.internal:6380"), (config.Cache.Backend, config.Cache.RedisUrl));

        var e = Assert.Single(Errors(CacheModels + "litellm_settings:\n  cache: true\n  cache_params:\n    type: redis\n"));
        Assert.Contains("REDIS_HOST", e.Message, StringComparison.Ordinal); // nothing anywhere: LiteLLM fails to start too
    }

    [Fact]
    public void Load_RedisCacheUrl_IsTheServer()
    {
        var config = Load(CacheModels + "litellm_settings:\n  cache: true\n  cache_params:\n    type: redis\n    url: redis://poolspike-redis:6379\n");

        Assert.Equal((CacheBackend.Redis, "redis://poolspike-redis:6379"), (config.Cache.Backend, config.Cache.RedisUrl));
        Assert.Empty(config.Warnings);
    }

    [Theory]
    [InlineData("s3")]
    [InlineData("redis-semantic")]
    public void Load_CacheTypeNotBuilt_LoadsUncachedWithAWarning(string type)
    {
        var config = Load(CacheModels + $"litellm_settings:\n  cache: true\n  cache_params:\n    type: {type}\n    s3_bucket_name: b\n");

        Assert.False(config.Cache.Enabled);
        Assert.Contains(config.Warnings, w => w.Path == "litellm_settings.cache_params.type" && w.Message.Contains("not cached", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_CallTypeLiteLlmDoesNotHave_WarnedNotRefused()
    {
        var config = Load(CacheModels + "litellm_settings:\n  cache: true\n  cache_params:\n    type: local\n    supported_call_types: [chat_completion, acompletion]\n");

        Assert.True(config.Cache.Enabled);
        Assert.Contains(Switchyard.Core.Requests.OperationKind.Chat, config.Cache.Operations);
        Assert.Contains(config.Warnings, w => w.Path == "litellm_settings.cache_params.supported_call_types[0]" && w.Message.Contains("no call is cached", StringComparison.Ordinal));
    }

    [Fact]
    public void Load_AllowedIps_RefusedUnlessAcknowledged_ItWouldLetEveryAddressIn()
    {
        const string Yaml = """
            model_list:
              - model_name: a
                litellm_params:
                  model: mock/a
            general_settings:
              master_key: sk-config-test-key
              allowed_ips: ["10.0.0.1"]
            """;

        var e = Assert.Single(Errors(Yaml));
        Assert.Equal("general_settings.allowed_ips", e.Path);
        Assert.Contains("switchyard.compat.acknowledge: [allowed_ips]", e.Message, StringComparison.Ordinal);

        var config = Load(Yaml + "\nswitchyard:\n  compat:\n    acknowledge: [allowed_ips]\n");
        Assert.Contains(config.Warnings, w => w.Path == "general_settings.allowed_ips");
    }

    [Fact]
    public async Task Chat_MockResponseOnAnOpenAIDeployment_AnsweredWithoutCallingTheProvider()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: cloud/auto
                litellm_params:
                  model: openai/mock-fast
                  api_base: {{upstream.BaseUrl}}/v1
                  api_key: mock
                  mock_response: "pong from cloud/auto"
            """);

        var r = await gw.ChatAsync(GatewayFixture.MasterKey, "cloud/auto");

        Assert.Equal(200, r.Status);
        Assert.Contains("pong from cloud/auto", r.Body, StringComparison.Ordinal);
        Assert.Equal("true", r.Header("x-switchyard-mock"));
        Assert.Equal(0, upstream.Count);
    }

    [Fact]
    public void Load_ModelInfoMetadata_QuietUnlessLiteLlmActsOnIt()
    {
        var config = Load("""
            model_list:
              - model_name: a
                litellm_params:
                  model: mock/a
                model_info:
                  supports_vision: true
                  supports_function_calling: true
                  display_name: GPT-5.5
                  access_groups: [beta-models]
            """);

        var w = Assert.Single(config.Warnings);
        Assert.Equal("model_list[0].model_info.access_groups", w.Path);
    }

    [Fact]
    public void Load_ApiKeyWrittenAsShellVariable_WarnedWithTheReferenceToWrite()
    {
        var config = Load("""
            model_list:
              - model_name: gpt-4o
                litellm_params:
                  model: openai/gpt-4o
                  api_key: ${OPENAI_API_KEY}
            """);

        var w = Assert.Single(config.Warnings);
        Assert.Equal("model_list[0].litellm_params.api_key", w.Path);
        Assert.Contains("os.environ/OPENAI_API_KEY", w.Message, StringComparison.Ordinal);
    }
}
