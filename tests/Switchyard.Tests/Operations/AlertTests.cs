using System.Text.Json;
using Switchyard.Operations;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Operations;

/// <summary>Merged alerts delivered to real local HTTP receivers (FakeUpstream plays the webhook and Slack endpoints).</summary>
public sealed class AlertTests
{
    private static IEnumerable<JsonElement> Posts(FakeUpstream receiver, string path, string? kind = null)
        => receiver.Requests.Where(r => r.Method == "POST" && r.PathAndQuery == path)
            .Select(r => JsonDocument.Parse(r.Body).RootElement.Clone())
            .Where(j => kind is null || (j.TryGetProperty("kind", out var k) && k.GetString() == kind));

    [Fact]
    public async Task BreakerOpeningRepeatedly_IsOneMergedWebhookPost_AndOneSlackText()
    {
        await using var receiver = await FakeUpstream.StartAsync();
        receiver.Handler = (c, _) => { c.Response.StatusCode = 200; return Task.CompletedTask; };
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 500, "always down");

        // One request, five attempts on one deployment: every failure opens its breaker (consecutive_failures 1), the
        // next retry waits out the short open duration and its half-open probe fails, opening it again. The request
        // takes a few tens of milliseconds, so all five openings fall in one 500 ms merge window.
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: flaky
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: {{upstream.BaseUrl}}/v1
                model_info:
                  id: flaky-1
            router_settings:
              num_retries: 4
              retry_after: 10ms
              model_group_alias:
                router.default: flaky
                draft.fast: flaky
            switchyard:
              retry:
                base_delay: 1ms
                max_delay: 10ms
              breaker:
                consecutive_failures: 1
                open_duration: 2ms
              alerts:
                merge_window: 500ms
                retry_base_delay: 10ms
                sinks:
                  - type: webhook
                    url: {{receiver.BaseUrl}}/hook
                  - type: slack
                    url: {{receiver.BaseUrl}}/slack
            """);

        var failed = await gw.ChatAsync(GatewayFixture.MasterKey, "router.default");

        Assert.True(failed.Status >= 500, failed.ToString());
        var opened = upstream.Count; // each attempt failed and opened the breaker once
        Assert.Equal(5, opened);
        await GatewayApi.WaitUntilAsync(() => Posts(receiver, "/hook", "breaker_opened").Sum(j => j.GetProperty("count").GetInt32()) >= opened, "the merged breaker alert");
        var alert = Assert.Single(Posts(receiver, "/hook", "breaker_opened"));
        Assert.Equal("flaky-1", alert.GetProperty("subject").GetString()); // keyed by deployment, model named beside it
        Assert.Equal("flaky-1", alert.GetProperty("deployment").GetString());
        Assert.Equal("openai/gpt-4o-mini", alert.GetProperty("model").GetString());
        Assert.Equal(opened, alert.GetProperty("count").GetInt32());
        Assert.Equal("critical", alert.GetProperty("severity").GetString());
        Assert.Equal(0.5, alert.GetProperty("window_seconds").GetDouble());
        var aliases = alert.GetProperty("aliases").EnumerateArray().Select(a => a.GetString()).ToArray();
        Assert.Contains("router.default", aliases);
        Assert.Contains("draft.fast", aliases);
        var message = alert.GetProperty("message").GetString()!;
        Assert.StartsWith($"breaker opened {opened} times on deployment flaky-1 (openai/gpt-4o-mini) in 0.5 s (aliases ", message, StringComparison.Ordinal);
        Assert.Contains("router.default", message, StringComparison.Ordinal);
        Assert.Contains("draft.fast", message, StringComparison.Ordinal);

        await GatewayApi.WaitUntilAsync(() => receiver.Requests.Any(r => r.PathAndQuery == "/slack" && r.Body.Contains("breaker opened", StringComparison.Ordinal)), "the Slack message");
        var slack = receiver.Requests.Where(r => r.PathAndQuery == "/slack").Select(r => JsonDocument.Parse(r.Body).RootElement.Clone())
            .Single(j => j.GetProperty("text").GetString()!.Contains("breaker opened", StringComparison.Ordinal));
        Assert.Equal(["text"], slack.EnumerateObject().Select(p => p.Name));
        Assert.Contains(message, slack.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReceiverFailingTwice_GetsTheSameAlertOnTheThirdAttempt()
    {
        await using var receiver = await FakeUpstream.StartAsync();
        var posts = 0;
        receiver.Handler = (c, _) =>
        {
            c.Response.StatusCode = Interlocked.Increment(ref posts) <= 2 ? 500 : 200;
            return Task.CompletedTask;
        };
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: broken
                litellm_params:
                  model: mock/broken
                  mock_fail_status: 500
                model_info:
                  id: broken-1
            router_settings:
              num_retries: 0
            switchyard:
              alerts:
                merge_window: 50ms
                retry_base_delay: 10ms
                sinks:
                  - type: webhook
                    url: {{receiver.BaseUrl}}/hook
            """);
        var alerts = gw.Service<AlertService>();

        var failed = await gw.ChatAsync(GatewayFixture.MasterKey, "broken");

        Assert.True(failed.Status >= 500, failed.ToString());
        await GatewayApi.WaitUntilAsync(() => alerts.Delivered == 1, "the alert to be delivered");
        var bodies = receiver.Requests.Select(r => r.Body).ToArray();
        Assert.Equal(3, bodies.Length);
        Assert.Single(bodies.Distinct());
        var alert = JsonDocument.Parse(bodies[0]).RootElement;
        Assert.Equal("upstream_5xx", alert.GetProperty("kind").GetString());
        Assert.Equal("broken-1", alert.GetProperty("subject").GetString());
    }

    [Fact]
    public async Task FourDeploymentsOfOneModel_AreFourAlerts_EachClassifiedByHowItFailed()
    {
        await using var receiver = await FakeUpstream.StartAsync();
        receiver.Handler = (c, _) => { c.Response.StatusCode = 200; return Task.CompletedTask; };
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = async (c, r) =>
        {
            switch (r.PathAndQuery)
            {
                case "/auth/v1/chat/completions":
                    await OpenAIWire.WriteErrorAsync(c, 401, "Incorrect API key provided");
                    break;
                case "/garbage/v1/chat/completions":
                    c.Response.StatusCode = 200;
                    c.Response.ContentType = "application/json";
                    await c.Response.WriteAsync("<html>not an API</html>");
                    break;
                case "/down/v1/chat/completions":
                    await OpenAIWire.WriteErrorAsync(c, 500, "boom");
                    break;
                default:
                    await OpenAIWire.WriteErrorAsync(c, 403, "forbidden");
                    break;
            }
        };

        // four unrelated openai/gpt-4o deployments, each behind its own alias
        string Deployment(string name) => $$"""
              - model_name: {{name}}
                litellm_params: { model: openai/gpt-4o, api_base: "{{upstream.BaseUrl}}/{{name}}/v1", api_key: sk-test }
                model_info: { id: {{name}}-1 }
            """;
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
            {{Deployment("auth")}}
            {{Deployment("garbage")}}
            {{Deployment("down")}}
            {{Deployment("forbidden")}}
            router_settings:
              num_retries: 0
              model_group_alias: { team.auth: auth, team.garbage: garbage, team.down: down, team.forbidden: forbidden }
            switchyard:
              alerts:
                merge_window: 100ms
                retry_base_delay: 10ms
                sinks:
                  - type: webhook
                    url: {{receiver.BaseUrl}}/hook
            """);

        foreach (var alias in new[] { "team.auth", "team.garbage", "team.down", "team.forbidden" })
        {
            var answer = await gw.ChatAsync(GatewayFixture.MasterKey, alias);
            Assert.True(answer.Status >= 500, answer.ToString());
        }

        string[] expected = ["auth-1", "garbage-1", "down-1", "forbidden-1"];
        await GatewayApi.WaitUntilAsync(() => expected.All(id => Posts(receiver, "/hook").Any(j => j.GetProperty("subject").GetString() == id)), "one alert per deployment");
        JsonElement For(string id) => Posts(receiver, "/hook").Single(j => j.GetProperty("subject").GetString() == id && j.GetProperty("kind").GetString() != "route_unavailable");
        Assert.Equal("upstream_auth", For("auth-1").GetProperty("kind").GetString());
        Assert.Equal("upstream_auth", For("forbidden-1").GetProperty("kind").GetString());
        Assert.Equal("invalid_response", For("garbage-1").GetProperty("kind").GetString());
        Assert.Equal("upstream_5xx", For("down-1").GetProperty("kind").GetString());
        Assert.All(expected, id => Assert.Equal("openai/gpt-4o", For(id).GetProperty("model").GetString()));
        Assert.Contains("team.down", For("down-1").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Contains("on deployment down-1 (openai/gpt-4o)", For("down-1").GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Posts(receiver, "/hook"), j => j.GetProperty("subject").GetString() == "openai/gpt-4o");
    }

    [Fact]
    public void MergedAlert_NamesTheDeploymentAndItsModel()
    {
        var merger = new Switchyard.Core.Alerts.AlertMerger(TimeSpan.FromSeconds(60));
        var at = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        foreach (var id in new[] { "eu-1", "us-1", "eu-1" })
        {
            merger.Add(new Switchyard.Core.Alerts.AlertEvent("breaker_opened", id, "critical", "3 consecutive failures", at) { Model = "openai/gpt-4o", Aliases = ["router.default"] });
        }

        var merged = merger.Due(at.AddMinutes(1)).OrderBy(m => m.Subject, StringComparer.Ordinal).ToArray();

        Assert.Equal(2, merged.Length);
        Assert.Equal("breaker opened 2 times on deployment eu-1 (openai/gpt-4o) in 60 s (aliases router.default); last: 3 consecutive failures", merged[0].Message);
        Assert.Equal(1, merged[1].Count);
    }

    [Fact]
    public async Task HangingReceiver_DoesNotHoldRequestsOrTheOtherSink()
    {
        await using var receiver = await FakeUpstream.StartAsync();
        var hang = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        receiver.Handler = async (c, r) =>
        {
            if (r.PathAndQuery == "/hook")
            {
                await hang.Task; // never answers while the test runs
            }

            c.Response.StatusCode = StatusCodes.Status200OK;
        };
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: router.default
                litellm_params:
                  model: mock/ok
                  mock_response: fine
              - model_name: broken
                litellm_params:
                  model: mock/broken
                  mock_fail_status: 503
            router_settings:
              num_retries: 0
            switchyard:
              alerts:
                merge_window: 50ms
                retry_base_delay: 10ms
                sinks:
                  - type: webhook
                    url: {{receiver.BaseUrl}}/hook
                  - type: slack
                    url: {{receiver.BaseUrl}}/slack
            """);
        try
        {
            Assert.True((await gw.ChatAsync(GatewayFixture.MasterKey, "broken")).Status >= 500);
            await GatewayApi.WaitUntilAsync(() => receiver.Requests.Any(r => r.PathAndQuery == "/hook"), "the webhook to receive (and hang on) the first alert");

            // while the webhook hangs: requests (failing ones publish more alerts) all complete
            var calls = Enumerable.Range(0, 20).Select(i => gw.ChatAsync(GatewayFixture.MasterKey, i % 2 == 0 ? "router.default" : "broken")).ToArray();
            var answers = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.All(answers.Where((_, i) => i % 2 == 0), a => Assert.Equal(200, a.Status));
            Assert.All(answers.Where((_, i) => i % 2 == 1), a => Assert.True(a.Status >= 500, a.ToString()));

            // and the Slack sink gets the alert the webhook is stuck on
            await GatewayApi.WaitUntilAsync(() => receiver.Requests.Any(r => r.PathAndQuery == "/slack"), "the Slack sink while the webhook hangs", TimeSpan.FromSeconds(5));
        }
        finally
        {
            hang.TrySetResult();
        }
    }
}
