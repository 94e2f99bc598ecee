using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Operations;

/// <summary>Hot reload from a real file: POST /config/reload under load, breaker state across reloads, refused files, the file watcher.</summary>
public sealed class ReloadTests
{
    /// <summary>Two offline deployments behind router.default, weights and extra aliases varying by version.</summary>
    private static string Config(int version, string extra = "")
    {
        var aliases = string.Concat(Enumerable.Range(1, version).Select(i => $"\n    extra.v{i}: primary"));
        return $"""
            model_list:
              - model_name: primary
                litellm_params:
                  model: mock/a
                  mock_response: from-a
                  weight: {1 + version}
                model_info:
                  id: a-1
              - model_name: primary
                litellm_params:
                  model: mock/b
                  mock_response: from-b
                  weight: {100 - version}
                model_info:
                  id: b-1
            router_settings:
              num_retries: 0
              model_group_alias:
                router.default: primary{aliases}
            {extra}
            """;
    }

    private static async Task<string[]> ModelIdsAsync(GatewayFixture gw)
    {
        var r = await gw.GetAsync("/v1/models");
        Assert.Equal(200, r.Status);
        return r.Json.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).ToArray();
    }

    [Fact]
    public async Task ReloadUnderLoad_NoRequestFails_AndNewAliasWorks()
    {
        await using var gw = await GatewayFixture.StartFromFileAsync(Config(0));
        var statuses = new ConcurrentBag<int>();
        using var stop = new CancellationTokenSource();
        var loops = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                var r = await gw.ChatAsync(GatewayFixture.MasterKey, "router.default");
                statuses.Add(r.Status);
            }
        })).ToArray();

        var clock = Stopwatch.StartNew();
        var reloads = 0;
        while (clock.Elapsed < TimeSpan.FromSeconds(2) || reloads < 5)
        {
            await Task.Delay(250);
            gw.WriteConfig(Config(++reloads));
            var reload = await gw.PostAsync("/config/reload", (object)"");
            Assert.True(reload.Status == 200, reload.ToString());
            Assert.Equal("reloaded", reload.Json.GetProperty("status").GetString());
            Assert.Empty(reload.Json.GetProperty("errors").EnumerateArray());
        }

        await stop.CancelAsync();
        await Task.WhenAll(loops).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(statuses.Count > 20, $"only {statuses.Count} requests ran");
        Assert.All(statuses, s => Assert.Equal(200, s));
        var added = $"extra.v{reloads}";
        Assert.Contains(added, await ModelIdsAsync(gw));
        var viaNewAlias = await gw.ChatAsync(GatewayFixture.MasterKey, added);
        Assert.True(viaNewAlias.Status == 200, viaNewAlias.ToString());
        Assert.Equal(added, viaNewAlias.Header("x-switchyard-route"));
    }

    [Fact]
    public async Task Reload_KeepsAnOpenBreakerOpen_ForTheSameDeploymentId()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 500, "down");
        string Yaml(string alias) => $$"""
            model_list:
              - model_name: primary
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: {{upstream.BaseUrl}}/v1
                model_info:
                  id: stable-id
            router_settings:
              num_retries: 0
              model_group_alias:
                {{alias}}: primary
            switchyard:
              breaker:
                consecutive_failures: 1
                open_duration: 10m
            """;
        await using var gw = await GatewayFixture.StartFromFileAsync(Yaml("router.default"));

        var first = await gw.ChatAsync(GatewayFixture.MasterKey, "router.default");
        Assert.True(first.Status >= 500, first.ToString());
        Assert.Equal(1, upstream.Count);

        gw.WriteConfig(Yaml("renamed.alias"));
        var reload = await gw.PostAsync("/config/reload", (object)"");
        Assert.True(reload.Status == 200, reload.ToString());

        var after = await gw.ChatAsync(GatewayFixture.MasterKey, "renamed.alias");
        Assert.Equal(503, after.Status);
        Assert.Equal("breaker_open", after.ErrorCode);
        Assert.Equal(1, upstream.Count); // the open breaker kept the upstream from being called
        var health = await gw.GetAsync("/health");
        Assert.Contains("open", health.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("invalid-yaml")]
    [InlineData("unclosed-bracket")]
    [InlineData("unknown-provider")]
    public async Task BrokenFile_IsRefusedWith422AndErrors_AndTheOldConfigKeepsServing(string kind)
    {
        await using var gw = await GatewayFixture.StartFromFileAsync(Config(0));
        var broken = kind switch
        {
            "invalid-yaml" => "model_list:\n  - model_name: primary\n    litellm_params:\n      model: mock/a\n     bad: indentation\n",

            // YamlDotNet throws InvalidOperationException (no YamlException) on this one
            "unclosed-bracket" => "model_list:\n  - model_name: primary\n    litellm_params: [model: mock/a\n  - model_name: [\n",
            _ => Config(1).Replace("model: mock/b", "model: nosuchprovider/b", StringComparison.Ordinal),
        };
        gw.WriteConfig(broken);

        var reload = await gw.PostAsync("/config/reload", (object)"");

        Assert.True(reload.Status == 422, reload.ToString());
        Assert.Equal("config_invalid", reload.ErrorCode);
        Assert.Equal("false", reload.Header("x-should-retry"));
        var errors = reload.Json.GetProperty("errors").EnumerateArray().ToArray();
        Assert.NotEmpty(errors);
        var error = kind != "unknown-provider" ? errors[0] : errors.Single(e => e.GetProperty("path").GetString() == "model_list[1].litellm_params.model");
        Assert.False(string.IsNullOrEmpty(error.GetProperty("path").GetString()));
        Assert.Equal(JsonValueKind.Number, error.GetProperty("line").ValueKind);
        Assert.True(error.GetProperty("line").GetInt32() > 0);
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.Contains(error.GetProperty("message").GetString()!, reload.Error.GetProperty("message").GetString(), StringComparison.Ordinal);

        var still = await gw.ChatAsync(GatewayFixture.MasterKey, "router.default");
        Assert.True(still.Status == 200, still.ToString());
        Assert.DoesNotContain("extra.v1", await ModelIdsAsync(gw));
    }

    [Fact]
    public async Task FileWatcher_PicksUpAChangedFile()
    {
        const string watch = """
            switchyard:
              reload:
                watch: true
            """;
        await using var gw = await GatewayFixture.StartFromFileAsync(Config(0, watch));
        Assert.DoesNotContain("extra.v1", await ModelIdsAsync(gw));

        gw.WriteConfig(Config(1, watch));

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!(await ModelIdsAsync(gw)).Contains("extra.v1"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the watcher did not reload the changed file");
            await Task.Delay(50);
        }

        Assert.Equal(200, (await gw.ChatAsync(GatewayFixture.MasterKey, "extra.v1")).Status);
    }
}
