using System.Text.Json.Nodes;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Functional;

/// <summary>
/// o-series deployments refuse what o-series models refuse (temperature other than 1, top_p, penalties, logprobs), as
/// LiteLLM's o-series config does, or drop and report it under drop_params; through real HTTP to a fake OpenAI upstream.
/// </summary>
public sealed class OSeriesParamsTests
{
    private static string Config(FakeUpstream upstream, string extra = "") => $$"""
        model_list:
          - model_name: o3
            litellm_params:
              model: openai/o3-mini
              api_base: {{upstream.BaseUrl}}/v1
              api_key: key-0123456789
              {{extra}}
        router_settings:
          num_retries: 0
        """;

    private static string Body(string extra) => $$"""{"model":"o3",{{extra}}"messages":[{"role":"user","content":"hi"}]}""";

    [Theory]
    [InlineData("\"temperature\":0.2,", "temperature")]
    [InlineData("\"top_p\":0.9,", "top_p")]
    [InlineData("\"presence_penalty\":0.5,", "presence_penalty")]
    public async Task Chat_ParameterOSeriesRefuses_400NamingIt_NothingSent(string param, string name)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync(Config(upstream));

        var r = await gw.PostAsync("/v1/chat/completions", (object)Body(param));

        Assert.Equal(400, r.Status);
        Assert.Equal(name, JsonNode.Parse(r.Body)!["error"]!["param"]!.GetValue<string>());
        Assert.Equal(0, upstream.Count);
    }

    [Fact]
    public async Task Chat_DropParams_RefusedParametersDroppedAndReported()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync(Config(upstream, "drop_params: true"));

        var r = await gw.PostAsync("/v1/chat/completions", (object)Body("\"temperature\":0.2,\"top_p\":0.9,\"max_tokens\":100,"));

        Assert.Equal(200, r.Status);
        var sent = JsonNode.Parse(Assert.Single(upstream.Requests).Body)!.AsObject();
        Assert.False(sent.ContainsKey("temperature"));
        Assert.False(sent.ContainsKey("top_p"));
        Assert.Equal(100, sent["max_completion_tokens"]!.GetValue<int>());
        Assert.Equal("temperature,top_p", r.Header("x-switchyard-dropped-params"));
    }

    [Fact]
    public async Task Chat_TemperatureOneAndValuesThatAskForNothing_Pass()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync(Config(upstream));

        var r = await gw.PostAsync("/v1/chat/completions", (object)Body("\"temperature\":1,\"logprobs\":false,\"top_p\":null,"));

        Assert.Equal(200, r.Status);
        var sent = JsonNode.Parse(Assert.Single(upstream.Requests).Body)!.AsObject();
        Assert.Equal(1, sent["temperature"]!.GetValue<double>());
        Assert.False(sent.ContainsKey("logprobs"));
        Assert.False(sent.ContainsKey("top_p"));
        Assert.Null(r.Header("x-switchyard-dropped-params"));
    }

    [Fact]
    public async Task Chat_NotOSeries_TemperaturePassesThrough()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync(Config(upstream).Replace("openai/o3-mini", "openai/gpt-4o", StringComparison.Ordinal));

        var r = await gw.PostAsync("/v1/chat/completions", (object)Body("\"temperature\":0.2,"));

        Assert.Equal(200, r.Status);
        Assert.Equal(0.2, JsonNode.Parse(Assert.Single(upstream.Requests).Body)!["temperature"]!.GetValue<double>());
    }
}
