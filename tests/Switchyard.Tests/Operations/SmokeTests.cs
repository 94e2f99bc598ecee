using Switchyard.Cli;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Operations;

/// <summary>switchyard smoke against a gateway on the mock provider.</summary>
[Collection(ConsoleCollection.Name)]
public sealed class SmokeTests
{
    [Fact]
    public async Task Smoke_MockAliases_PassesAndShowsThrottling()
    {
        await using var gw = await GatewayFixture.StartAsync("""
            model_list:
              - model_name: chat.group
                litellm_params: { model: mock/chat }
                model_info: { id: mock-chat }
              - model_name: embed.default
                litellm_params: { model: mock/embed }
            router_settings:
              model_group_alias: { router.default: chat.group }
            """);
        var tokenFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(tokenFile, GatewayFixture.MasterKey + "\n");

        var (code, output) = await ConsoleCollection.RunAsync(() => SmokeCommand.Create().Parse(["--url", gw.BaseUrl, "--token-file", tokenFile]).InvokeAsync());

        Assert.Equal(0, code);
        Assert.Matches(@"router\.default\s+mock-chat\s+\d+ ms\s+200", output);
        Assert.DoesNotMatch(@"(?m)^chat\.group\s", output); // aliases only by default
        Assert.DoesNotMatch(@"(?m)^embed\.default\s", output);
        Assert.Contains("200,200,200,429,429", output, StringComparison.Ordinal);
        Assert.Contains("smoke: all checks passed", output, StringComparison.Ordinal);

        var (withGroups, all) = await ConsoleCollection.RunAsync(() => SmokeCommand.Create().Parse(["--url", gw.BaseUrl, "--token-file", tokenFile, "--skip-throttle", "--groups"]).InvokeAsync());
        Assert.Equal(0, withGroups);
        Assert.Matches(@"(?m)^chat\.group\s+mock-chat\s+\d+ ms\s+200", all);
        Assert.Matches(@"(?m)^embed\.default\s+\S+\s+\d+ ms\s+200", all);
    }

    [Fact]
    public async Task Smoke_CallsAreNoBreakerEvidence_AndGoOutWithAnInvokeToken()
    {
        // the master key may not call inference here: smoke passes only with a token it minted for itself
        await using var gw = await GatewayFixture.StartAsync("""
            model_list:
              - model_name: broken.group
                litellm_params: { model: mock/broken, mock_fail_status: 500 }
                model_info: { id: broken-1 }
            router_settings:
              num_retries: 0
              model_group_alias: { router.default: broken.group }
            switchyard:
              auth: { master_key_invoke: false }
              breaker: { consecutive_failures: 1, open_duration: 10m }
            """);
        var tokenFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(tokenFile, GatewayFixture.MasterKey);

        var (code, output) = await ConsoleCollection.RunAsync(() => SmokeCommand.Create().Parse(["--url", gw.BaseUrl, "--token-file", tokenFile, "--skip-throttle", "--groups"]).InvokeAsync());

        Assert.Equal(1, code);
        Assert.Matches(@"router\.default\s+-\s+\d+ ms\s+502", output); // reached the deployment: not refused as admin_token_on_inference
        Assert.Matches(@"broken\.group\s+-\s+\d+ ms\s+502", output); // and again: the breaker did not open on the first (503 then)
        var health = await gw.GetAsync("/health");
        Assert.Equal("closed", health.Json.GetProperty("deployments")[0].GetProperty("breaker").GetString());
        var keys = await gw.GetAsync("/key/list");
        Assert.Equal(0, keys.Json.GetProperty("keys").GetArrayLength()); // the throwaway key is gone

        // the same header from an ordinary invoke token is ignored: its failure is breaker evidence
        var (agent, _) = await gw.GenerateKeyAsync(new { key_alias = "agent" });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent(GatewayApi.ChatBody("router.default", 400, null), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", agent);
        request.Headers.Add("x-switchyard-smoke", "1");
        using var response = await gw.Http.SendAsync(request);
        Assert.Equal(502, (int)response.StatusCode);
        health = await gw.GetAsync("/health");
        Assert.Equal("open", health.Json.GetProperty("deployments")[0].GetProperty("breaker").GetString());
    }

    [Fact]
    public async Task SmokeKey_OnlyAGlobalAdminMintsOne()
    {
        await using var gw = await GatewayFixture.StartAsync("""
            model_list:
              - model_name: a
                litellm_params: { model: mock/a }
            """);
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "t1" })).Status);
        var (tenantAdmin, _) = await gw.GenerateKeyAsync(new { team_id = "t1", scopes = new[] { "admin" } });

        var refused = await gw.PostAsync("/key/generate", new { team_id = "t1", metadata = new Dictionary<string, object> { ["switchyard_smoke"] = true } }, tenantAdmin);

        Assert.Equal(403, refused.Status);
        Assert.Equal("global_admin_required", refused.ErrorCode);
    }

    [Fact]
    public async Task Smoke_FailingAlias_ExitsNonZero()
    {
        await using var gw = await GatewayFixture.StartAsync("""
            model_list:
              - model_name: broken
                litellm_params: { model: mock/broken, mock_fail_status: 500 }
            switchyard: { retry: { base_delay: 0 } }
            """);
        var tokenFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(tokenFile, GatewayFixture.MasterKey);

        var (code, output) = await ConsoleCollection.RunAsync(() => SmokeCommand.Create().Parse(["--url", gw.BaseUrl, "--token-file", tokenFile, "--skip-throttle"]).InvokeAsync());

        Assert.Equal(1, code);
        Assert.Matches(@"broken\s+-\s+\d+ ms\s+502", output);
    }
}

/// <summary>Tests that capture Console output run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ConsoleCollection
{
    public const string Name = "console";

    public static async Task<(int Code, string Output)> RunAsync(Func<Task<int>> run)
    {
        var previous = Console.Out;
        var writer = new StringWriter();
        Console.SetOut(writer);
        try
        {
            var code = await run();
            return (code, writer.ToString());
        }
        finally
        {
            Console.SetOut(previous);
        }
    }
}
