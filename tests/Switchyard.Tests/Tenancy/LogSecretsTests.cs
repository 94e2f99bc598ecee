using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Tenancy;

/// <summary>
/// A whole admin and inference session with every log category captured at Trace, scopes and exception text included:
/// no clear token that was issued or presented (master key included) appears in any captured field.
/// </summary>
public sealed class LogSecretsTests
{
    private static string Yaml(FakeUpstream upstream, int rpm = 100) => $$"""
        model_list:
          - model_name: chat
            litellm_params:
              model: mock/priced
              mock_response: ok
              input_cost_per_token: 0.0001
          - model_name: flaky
            litellm_params:
              model: openai/gpt-4o-mini
              api_base: {{upstream.BaseUrl}}/v1
              rpm: {{rpm}}
        switchyard:
          auth:
            allow_admin_invoke: true
          tenants:
            - tenant_id: acme
        """;

    [Fact]
    public async Task EveryLogField_FullSessionAtTraceInEveryCategory_CarriesNoClearToken()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, r) => r.Body.Contains("fail", StringComparison.Ordinal)
            ? OpenAIWire.WriteErrorAsync(c, 500, "upstream broke")
            : OpenAIWire.WriteCompletionAsync(c, "hello");
        var tokens = new List<string> { GatewayFixture.MasterKey };
        string[] lines;
        await using (var gw = await GatewayFixture.StartFromFileAsync(Yaml(upstream), everyCategory: true))
        {
            Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "blue", max_budget = 10 })).Status);
            var (agent, _) = await gw.GenerateKeyAsync(new { team_id = "acme", key_alias = "agent", scopes = new[] { "invoke", "usage:read" } });
            var (ops, _) = await gw.GenerateKeyAsync(new { key_alias = "ops", scopes = new[] { "admin", "invoke" } });
            var (spare, _) = await gw.GenerateKeyAsync(new { team_id = "blue", key_alias = "spare" });
            tokens.AddRange([agent, ops, spare]);

            // inference with each key, and a failing upstream
            foreach (var t in tokens)
            {
                var answer = await gw.ChatAsync(t, "chat");
                Assert.True(answer.Status == 200, answer.ToString());
            }

            Assert.Equal(200, (await gw.ChatAsync(agent, "flaky")).Status);
            Assert.Equal(502, (await gw.SendAsync(HttpMethod.Post, "/v1/chat/completions", agent, """{"model":"flaky","messages":[{"role":"user","content":"fail"}]}""")).Status);
            Assert.Equal(200, (await gw.EmbedAsync(spare, "chat")).Status);

            // the key in every place a caller may put it: path, query strings, admin bodies
            Assert.Equal(200, (await gw.GetAsync("/key/info?key=" + agent)).Status);
            Assert.Equal(200, (await gw.GetAsync("/key/info", agent)).Status);
            Assert.Equal(200, (await gw.GetAsync("/spend/logs?api_key=" + agent)).Status);
            Assert.Equal(200, (await gw.GetAsync("/spend/logs?api_key=" + agent + "&team_id=acme", ops)).Status);
            Assert.Equal(200, (await gw.PostAsync("/key/update", new { key = spare, rpm_limit = 100 }, ops)).Status);

            // regenerate in the path form, the body form and with a grace period (a rotation)
            var regenerated = await gw.PostAsync("/key/" + agent + "/regenerate", new { });
            Assert.True(regenerated.Status == 200, regenerated.ToString());
            var agent2 = regenerated.Json.GetProperty("key").GetString()!;
            tokens.Add(agent2);
            var rotated = await gw.PostAsync("/key/regenerate", new { key = spare, grace_period = "1h" }, ops);
            Assert.True(rotated.Status == 200, rotated.ToString());
            var spare2 = rotated.Json.GetProperty("key").GetString()!;
            tokens.Add(spare2);
            var viaPath = await gw.SendAsync(HttpMethod.Post, "/key/" + Uri.EscapeDataString(spare2) + "/regenerate", GatewayFixture.MasterKey, """{"grace_period":"30m"}""");
            Assert.True(viaPath.Status == 200, viaPath.ToString());
            var spare3 = viaPath.Json.GetProperty("key").GetString()!;
            tokens.Add(spare3);

            // failures that carry a token: a replaced key, an unknown key in the path, a bad body, a wrong method, a typo
            var unknown = "sk-unknown-" + Guid.NewGuid().ToString("N");
            var mistyped = agent2 + "x";
            tokens.AddRange([unknown, mistyped]);
            Assert.Equal(401, (await gw.ChatAsync(agent, "chat")).Status);
            Assert.Equal(401, (await gw.ChatAsync(mistyped, "chat")).Status);
            Assert.Equal(404, (await gw.PostAsync("/key/" + unknown + "/regenerate", new { })).Status);
            Assert.Equal(400, (await gw.SendAsync(HttpMethod.Post, "/key/" + agent2 + "/regenerate", GatewayFixture.MasterKey, "{not json")).Status);
            Assert.Equal(403, (await gw.PostAsync("/key/" + spare3 + "/regenerate", new { }, agent2)).Status);
            Assert.Equal(404, (await gw.GetAsync("/key/info?key=" + unknown)).Status);
            Assert.NotEqual(200, (await gw.GetAsync("/key/" + agent2 + "/regenerate")).Status);
            Assert.NotEqual(200, (await gw.PostAsync("/key/" + agent2 + "/regenerat", new { })).Status);
            Assert.Equal(200, (await gw.ChatAsync(agent2, "chat")).Status);
            Assert.Equal(200, (await gw.ChatAsync(spare3, "flaky")).Status);

            // delete, then use the deleted key; reload (unchanged, then changed) between requests
            Assert.Equal(200, (await gw.PostAsync("/key/delete", new { keys = new[] { spare3 } })).Status);
            Assert.Equal(401, (await gw.ChatAsync(spare3, "chat")).Status);
            Assert.Equal(200, (await gw.PostAsync("/config/reload", new { })).Status);
            gw.WriteConfig(Yaml(upstream, rpm: 200));
            Assert.Equal(200, (await gw.PostAsync("/config/reload", new { }, ops)).Status);
            Assert.Equal(200, (await gw.ChatAsync(agent2, "flaky")).Status);
            Assert.Equal(200, (await gw.GetAsync("/spend/logs")).Status); // flushes spend
            lines = [.. gw.Logs.FullLines];
        }

        Assert.Contains(lines, l => l.Contains("RequestPath=/key/", StringComparison.Ordinal)); // the hosting scope was captured
        Assert.Contains(lines, l => l.Contains("Microsoft.AspNetCore.Hosting.Diagnostics", StringComparison.Ordinal));
        foreach (var token in tokens)
        {
            var secret = token.StartsWith("sk-", StringComparison.Ordinal) ? token[3..] : token;
            var leaks = lines.Where(l => l.Contains(secret, StringComparison.Ordinal) || l.Contains(Uri.EscapeDataString(secret), StringComparison.Ordinal)).ToArray();
            Assert.True(leaks.Length == 0, $"a clear token in {leaks.Length} log lines:\n" + string.Join("\n", leaks.Take(10)));
        }
    }
}
