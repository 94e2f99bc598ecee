using System.Text;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Functional;

/// <summary>One gateway with a group per upstream failure mode, shared by the contract tests.</summary>
public sealed class ContractGateway : IAsyncLifetime
{
    public FakeUpstream Upstream { get; private set; } = null!;

    public GatewayFixture Gateway { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Upstream = await FakeUpstream.StartAsync();
        Upstream.Handler = (c, r) => r.Body switch
        {
            var b when b.Contains("\"model\":\"m-ratelimited", StringComparison.Ordinal) =>
                OpenAIWire.WriteErrorAsync(c, 429, "Rate limit reached", "requests", "rate_limit_exceeded", retryAfter: TimeSpan.FromSeconds(42)),
            var b when b.Contains("\"model\":\"m-broken\"", StringComparison.Ordinal) => OpenAIWire.WriteErrorAsync(c, 500, "The server had an error"),
            var b when b.Contains("\"model\":\"m-slow\"", StringComparison.Ordinal) => OpenAIWire.HangAsync(c),
            var b when b.Contains("\"model\":\"m-reset\"", StringComparison.Ordinal) => Abort(c),
            var b when b.Contains("\"model\":\"m-garbage\"", StringComparison.Ordinal) => OpenAIWire.WriteGarbageAsync(c),
            var b when b.Contains("\"model\":\"m-rejected\"", StringComparison.Ordinal) =>
                OpenAIWire.WriteErrorAsync(c, 400, "'messages' is too short - secret words", "invalid_request_error", "invalid_value", "messages"),
            _ => OpenAIWire.WriteCompletionAsync(c, "fine"),
        };
        var yaml = new StringBuilder("model_list:\n");
        foreach (var g in new[] { "ok", "ratelimited", "ratelimited-sdk", "broken", "slow", "reset", "garbage", "rejected" })
        {
            yaml.Append($"  - model_name: {g}\n    litellm_params:\n      model: openai/m-{g}\n      api_base: {Upstream.BaseUrl}/v1\n      timeout: {(g == "slow" ? "300ms" : "10s")}\n");
        }

        yaml.Append("  - model_name: nokeys\n    litellm_params:\n      model: openai/m-nokeys\n      api_key: os.environ/UNSET_KEY_FOR_TESTS\n");
        yaml.Append("router_settings:\n  num_retries: 0\nswitchyard:\n  server:\n    max_body_bytes: 2048\n  retry:\n    max_delay: 1s\n  breaker:\n    consecutive_failures: 1000\n    failure_ratio: 0\n");
        Gateway = await GatewayFixture.StartAsync(yaml.ToString());
    }

    public async Task DisposeAsync()
    {
        await Gateway.DisposeAsync();
        await Upstream.DisposeAsync();
    }

    private static Task Abort(Microsoft.AspNetCore.Http.HttpContext c)
    {
        c.Abort();
        return Task.CompletedTask;
    }
}
