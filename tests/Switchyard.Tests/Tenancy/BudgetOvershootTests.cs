using System.Text.Json;
using Switchyard.Core.Requests;
using Switchyard.Core.Usage;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Tenancy;

/// <summary>
/// The overshoot of a budget under a burst, against a fake OpenAI upstream that bills as OpenAI does (exact o200k counts,
/// message framing, tools rendered into the prompt). Reservations are the prompt's upper-bound estimate plus the
/// completion cap at the dearest prices, and a request is admitted while spent + reserved is below the budget, so the
/// final spend stays within the budget plus one request's reservation (docs/tenancy.md, "Worst-case overshoot").
/// </summary>
public sealed class BudgetOvershootTests
{
    private const decimal Budget = 0.002m;
    private const decimal InputPrice = 0.0000001m;
    private const decimal OutputPrice = 0.0000004m;

    [Fact]
    public async Task Budget_300RequestsWithMaxTokens1_100AtATime_SpendStaysWithinBudgetPlusOneReservation()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var billed = 0;
        upstream.Handler = async (c, request) =>
        {
            billed = OpenAIBilling.PromptTokens(request.Body);
            await Task.Delay(20);
            await OpenAIWire.WriteCompletionAsync(c, "o", "gpt-4o", prompt: billed, completion: 1);
        };
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: agent
                litellm_params:
                  model: openai/gpt-4o
                  api_base: {{upstream.BaseUrl}}/v1
                  api_key: sk-provider
                  input_cost_per_token: {{InputPrice}}
                  output_cost_per_token: {{OutputPrice}}
            """);
        var (token, hash) = await gw.GenerateKeyAsync(new { max_budget = Budget });
        var body = AgentBody();
        var reservedTokens = PromptEstimator.Estimate(System.Text.Encoding.UTF8.GetBytes(body), OperationKind.Chat, EstimateProfile.OpenAI, CancellationToken.None).PromptTokens;
        var reservation = (reservedTokens * InputPrice) + OutputPrice;

        using var gate = new SemaphoreSlim(100);
        var results = await Task.WhenAll(Enumerable.Range(0, 300).Select(async _ =>
        {
            await gate.WaitAsync();
            try
            {
                // a client that honours x-should-retry: a refusal caused only by reservations in flight is retried
                for (var attempt = 0; ; attempt++)
                {
                    var r = await gw.SendAsync(HttpMethod.Post, "/v1/chat/completions", token, body);
                    if (r.Status != 429 || r.ErrorCode != "budget_reserved" || attempt == 200)
                    {
                        return r;
                    }

                    await Task.Delay(10);
                }
            }
            finally
            {
                gate.Release();
            }
        }));

        Assert.True(reservedTokens >= billed, $"the estimate ({reservedTokens}) bounds what the provider billed ({billed})");
        Assert.All(results, r => Assert.True(r.Status == 200 || r.ErrorCode == "budget_exceeded", r.ToString()));
        var spend = (await gw.GetAsync("/key/info?key=" + hash)).Json.GetProperty("info").GetProperty("spend").GetDecimal();
        var cost = (billed * InputPrice) + OutputPrice;
        Assert.Equal(results.Count(r => r.Status == 200) * cost, spend);
        Assert.True(spend <= Budget + reservation, $"spend {spend} <= budget {Budget} + one reservation {reservation}");
        Assert.Contains(results, r => r.Status == 429 && r.ErrorCode == "budget_exceeded");
        Assert.True(spend >= Budget / 2, $"spend {spend}: the burst used the budget"); // minus what was reserved when the last request came
    }

    /// <summary>An agent turn: a system prompt, two tools with schemas, a one-word question, max_tokens 1.</summary>
    private static string AgentBody() => JsonSerializer.Serialize(new
    {
        model = "agent",
        max_tokens = 1,
        messages = new object[]
        {
            new { role = "system", content = "You are a coding agent. Read files before editing them, keep answers short, and never run destructive commands without asking." },
            new { role = "user", name = "dev", content = "hi" },
        },
        tools = new[] { Tool("read_file", "Read a file from the workspace."), Tool("run_shell", "Run a shell command in the sandbox and return its output.") },
    });

    private static object Tool(string name, string description) => new
    {
        type = "function",
        function = new
        {
            name,
            description,
            parameters = new
            {
                type = "object",
                properties = new Dictionary<string, object>
                {
                    ["path"] = new { type = "string", description = "Path relative to the workspace root" },
                    ["max_lines"] = new { type = "integer", description = "Lines to return" },
                    ["follow_links"] = new { type = "boolean" },
                },
                required = new[] { "path" },
            },
        },
    };
}
