using Switchyard.Cli.Doctor;
using Switchyard.Core.Config;
using Switchyard.Core.Usage;
using OpenAI.Chat;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Providers.Gemini;

/// <summary>gemini/ in config: the key from the environment, the default endpoint, Google's OpenAI-compatible endpoint, doctor.</summary>
public sealed class GeminiConfigTests
{
    [Fact]
    public void GeminiPrefix_LoadsWithEnvironmentKeyAndDefaultBase()
    {
        var config = ConfigLoader.Load("""
            model_list:
              - model_name: gem
                litellm_params:
                  model: gemini/gemini-2.5-pro
                  api_key: os.environ/GEMINI_API_KEY
            general_settings: { master_key: sk-gemini-config-0001 }
            """, Path.GetTempPath(), name => name == "GEMINI_API_KEY" ? "AIza-from-env" : null);

        var d = Assert.Single(config.Deployments);
        Assert.Equal(ProviderFamilies.Gemini, d.Family);
        Assert.Equal("gemini-2.5-pro", d.Model);
        Assert.Equal("https://generativelanguage.googleapis.com", d.ApiBase);
        Assert.Equal("AIza-from-env", d.ApiKey);
        Assert.True(d.Enabled);
        Assert.False(PriceTable.IsUnpriced(d));
    }

    [Fact]
    public async Task OpenAICompatibleBase_RoutesAsOpenAIFamily_BearerToChatCompletions()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteCompletionAsync(c, "hi via compat", model: "gemini-2.5-flash");
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: gem
                litellm_params:
                  model: gemini/gemini-2.5-flash
                  api_base: {{upstream.BaseUrl}}/v1beta/openai/
                  api_key: AIza-compat
            """);

        var completion = (await gw.Chat("gem").CompleteChatAsync([new UserChatMessage("hi")])).Value;

        Assert.Equal("hi via compat", completion.Content[0].Text);
        Assert.Equal(ProviderFamilies.OpenAI, Assert.Single(gw.Config.Deployments).Family);
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1beta/openai/chat/completions", sent.PathAndQuery);
        Assert.Equal("Bearer AIza-compat", sent.Headers["authorization"]);
        Assert.Contains("\"model\":\"gemini-2.5-flash\"", sent.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Doctor_ValidConfigAndProbe_AnswersThroughTheGeminiAdapter()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = GeminiWire.Validated(GeminiGatewayTests.Key, (c, _) => GeminiWire.WriteResponseAsync(c, [GeminiWire.Text("p")], "MAX_TOKENS"));
        var dir = Directory.CreateTempSubdirectory("sy-gemini-doctor-").FullName;
        try
        {
            var path = Path.Combine(dir, "config.yaml");
            File.WriteAllText(path, $$"""
                model_list:
                  - model_name: gem
                    litellm_params:
                      model: gemini/{{GeminiWire.Model}}
                      api_base: {{upstream.BaseUrl}}
                      api_key: {{GeminiGatewayTests.Key}}
                general_settings: { master_key: sk-gemini-doctor-0001 }
                """);

            var (config, findings) = DoctorChecks.Config(path);
            var probe = (await DoctorChecks.ProbeAsync(config!, CancellationToken.None)).ToArray();

            Assert.Contains(findings, f => f.Id == "SY100");
            Assert.DoesNotContain(findings, f => f.Id == "SY101");
            var answered = Assert.Single(probe);
            Assert.Equal("SY170", answered.Id);
            Assert.Contains($"gemini/{GeminiWire.Model}", answered.Message, StringComparison.Ordinal);
            Assert.Equal(1, GeminiWire.Body(Assert.Single(upstream.Requests)).GetProperty("generationConfig").GetProperty("maxOutputTokens").GetInt32());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
