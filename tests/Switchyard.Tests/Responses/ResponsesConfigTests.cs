using Switchyard.Core.Config;

namespace Switchyard.Tests.Responses;

/// <summary>litellm_params.responses and switchyard.responses.retention.</summary>
public sealed class ResponsesConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("switchyard-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private GatewayConfig Load(string yaml) => ConfigLoader.Load(yaml + "\ngeneral_settings:\n  master_key: sk-config-test-key\n", _dir, _ => null);

    [Fact]
    public void Responses_DefaultNativeOnlyForApiOpenAIcom_SettingOverrides()
    {
        var config = Load("""
            model_list:
              - model_name: a
                litellm_params: {model: openai/gpt-5, api_key: sk-x}
              - model_name: b
                litellm_params: {model: hosted_vllm/llama, api_base: "http://vllm:8000/v1"}
              - model_name: c
                litellm_params: {model: openai/gpt-5, api_base: "http://proxy:9000/v1", responses: native}
              - model_name: d
                litellm_params: {model: openai/gpt-5, api_key: sk-x, responses: chat}
              - model_name: e
                litellm_params: {model: anthropic/claude-sonnet-4-5, api_key: sk-x}
            """);

        Assert.Equal([true, false, true, false, false], config.Deployments.Select(d => d.NativeResponses));
        Assert.Equal(TimeSpan.FromDays(30), config.Store.ResponsesRetention);
    }

    [Theory]
    [InlineData("model: openai/gpt-5, responses: sometimes", "model_list[0].litellm_params.responses")]
    [InlineData("model: anthropic/claude-sonnet-4-5, responses: native", "model_list[0].litellm_params.responses")]
    public void Responses_BadSetting_ErrorNamingIt(string litellmParams, string path)
    {
        var e = Assert.Throws<ConfigException>(() => Load($$"""
            model_list:
              - model_name: a
                litellm_params: {{{litellmParams}}}
            """));

        Assert.Contains(e.Errors, d => d.Path == path);
    }

    [Fact]
    public void Retention_Read_ZeroRefused()
    {
        const string models = "model_list:\n  - model_name: m\n    litellm_params: {model: mock/m}\n";

        Assert.Equal(TimeSpan.FromDays(7), Load(models + "switchyard:\n  responses:\n    retention: 7d\n").Store.ResponsesRetention);
        var e = Assert.Throws<ConfigException>(() => Load(models + "switchyard:\n  responses:\n    retention: 0s\n"));
        Assert.Contains(e.Errors, d => d.Path == "switchyard.responses.retention");
    }
}
