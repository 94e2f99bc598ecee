using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Tenancy;

/// <summary>The LiteLLM-compatible key/team/spend admin API: shapes, errors (400 naming the field, 404, 409) and config-declared teams.</summary>
public sealed class AdminApiTests
{
    private const string Models = """
        model_list:
          - model_name: chat
            litellm_params:
              model: mock/priced
              mock_response: ok
              input_cost_per_token: 0.0001
              output_cost_per_token: 0
            model_info:
              id: mock-chat
          - model_name: other
            litellm_params:
              model: mock/other
              mock_response: ok
        """;

    private const string DeclaredTeam = """

        switchyard:
          tenants:
            - tenant_id: declared
              rpm_limit: 100
        """;

    private static readonly DateTimeOffset Start = new(2030, 1, 15, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task KeyGenerate_AllLiteLLMFields_ReturnsClearKeyOnceAndItsHash()
    {
        var time = new FakeTimeProvider(Start);
        await using var gw = await GatewayFixture.StartAsync(Models + DeclaredTeam, time);

        var r = await gw.PostAsync("/key/generate", new
        {
            models = new[] { "chat" },
            rpm_limit = 10,
            tpm_limit = 1000,
            max_parallel_requests = 2,
            max_budget = 5.5,
            budget_duration = "30d",
            duration = "7d",
            metadata = new { owner = "ops" },
            key_alias = "ci-bot",
            team_id = "declared",
            scopes = new[] { "invoke", "usage:read" },
        });

        Assert.Equal(200, r.Status);
        var k = r.Json;
        var key = k.GetProperty("key").GetString()!;
        Assert.StartsWith("sk-", key, StringComparison.Ordinal);
        Assert.Equal(GatewayApi.Sha256Hex(key), k.GetProperty("token").GetString());
        Assert.Equal("sk-..." + key[^4..], k.GetProperty("key_name").GetString());
        Assert.Equal("ci-bot", k.GetProperty("key_alias").GetString());
        Assert.Equal("declared", k.GetProperty("team_id").GetString());
        Assert.Equal(["chat"], Strings(k.GetProperty("models")));
        Assert.Equal(["invoke", "usage:read"], Strings(k.GetProperty("scopes")));
        Assert.Equal(10, k.GetProperty("rpm_limit").GetInt32());
        Assert.Equal(1000, k.GetProperty("tpm_limit").GetInt32());
        Assert.Equal(2, k.GetProperty("max_parallel_requests").GetInt32());
        Assert.Equal(5.5m, k.GetProperty("max_budget").GetDecimal());
        Assert.Equal("30d", k.GetProperty("budget_duration").GetString());
        Assert.Equal("2030-01-22T00:00:00.000Z", k.GetProperty("expires").GetString());
        Assert.Equal("ops", k.GetProperty("metadata").GetProperty("owner").GetString());
        Assert.Equal(0m, k.GetProperty("spend").GetDecimal());
        Assert.False(k.GetProperty("blocked").GetBoolean());

        var hash = GatewayApi.Sha256Hex(key);
        var info = await gw.GetAsync("/key/info?key=" + key);
        Assert.Equal(200, info.Status);
        Assert.Equal(hash, info.Json.GetProperty("key").GetString());
        Assert.Equal("ci-bot", info.Json.GetProperty("info").GetProperty("key_alias").GetString());
        Assert.False(info.Json.GetProperty("info").TryGetProperty("key", out _));
        var list = await gw.GetAsync("/key/list");
        Assert.Equal(1, list.Json.GetProperty("total_count").GetInt32());
        Assert.Equal(hash, list.Json.GetProperty("keys")[0].GetString()); // LiteLLM lists token hashes unless return_full_object=true
        var full = await gw.GetAsync("/key/list?return_full_object=true");
        Assert.Equal("ci-bot", full.Json.GetProperty("keys")[0].GetProperty("key_alias").GetString());
        Assert.DoesNotContain(key, info.Body + list.Body + full.Body, StringComparison.Ordinal); // shown once, at creation
    }

    [Fact]
    public async Task KeyUpdateAndDelete_ChangesApplyLiveAndDeletedKeysAreGone()
    {
        await using var gw = await GatewayFixture.StartAsync(Models);
        var (key, hash) = await gw.GenerateKeyAsync(new { key_alias = "a", max_budget = 3, models = new[] { "chat" } });
        var (second, secondHash) = await gw.GenerateKeyAsync(new { key_alias = "b" });

        var updated = await gw.PostAsync("/key/update", new { key, rpm_limit = 1, models = new[] { "chat", "other" }, key_alias = "renamed", metadata = new { v = 2 } });
        Assert.Equal(200, updated.Status);
        Assert.Equal(hash, updated.Json.GetProperty("token").GetString());
        Assert.Equal("renamed", updated.Json.GetProperty("key_alias").GetString());
        Assert.Equal(1, updated.Json.GetProperty("rpm_limit").GetInt32());
        Assert.Equal(3m, updated.Json.GetProperty("max_budget").GetDecimal()); // untouched fields stay
        Assert.Equal(["chat", "other"], Strings(updated.Json.GetProperty("models")));
        Assert.Equal(hash, updated.Json.GetProperty("key").GetString()); // LiteLLM's "key" field, but never the clear key
        Assert.DoesNotContain(key, updated.Body, StringComparison.Ordinal);
        Assert.Equal(200, (await gw.ChatAsync(key, "other")).Status);
        Assert.Equal((429, "rpm_limit"), await StatusAndCode(gw.ChatAsync(key, "chat")));

        var deleted = await gw.PostAsync("/key/delete", new { keys = new[] { key } });
        Assert.Equal(200, deleted.Status);
        Assert.Equal([hash], Strings(deleted.Json.GetProperty("deleted_keys")));
        Assert.Equal((404, "not_found"), await StatusAndCode(gw.GetAsync("/key/info?key=" + hash)));
        var byAlias = await gw.PostAsync("/key/delete", new { key_aliases = new[] { "b" } });
        Assert.Equal([secondHash], Strings(byAlias.Json.GetProperty("deleted_keys")));
        Assert.Equal(0, (await gw.GetAsync("/key/list")).Json.GetProperty("total_count").GetInt32());
        Assert.Equal((401, "invalid_token"), await StatusAndCode(gw.ChatAsync(second, "chat")));
    }

    [Fact]
    public async Task TeamLifecycle_NewInfoUpdateListDelete_LiteLLMShapesAndKeysFollowTheTeam()
    {
        await using var gw = await GatewayFixture.StartAsync(Models + DeclaredTeam);
        var created = await gw.PostAsync("/team/new", new
        {
            team_id = "blue",
            team_alias = "Blue",
            models = new[] { "chat" },
            rpm_limit = 5,
            max_budget = 2,
            budget_duration = "1d",
            metadata = new { cost_center = 7 },
            model_rpm_limit = new { chat = 3 },
        });
        Assert.Equal(200, created.Status);
        Assert.Equal("blue", created.Json.GetProperty("team_id").GetString());
        Assert.Equal("Blue", created.Json.GetProperty("team_alias").GetString());
        Assert.Equal(3, created.Json.GetProperty("model_rpm_limit").GetProperty("chat").GetInt32());
        Assert.Equal("api", created.Json.GetProperty("source").GetString());
        Assert.Equal((409, "team_exists"), await StatusAndCode(gw.PostAsync("/team/new", new { team_id = "blue" })));
        var generated = await gw.PostAsync("/team/new", new { team_alias = "anonymous" });
        Assert.StartsWith("team-", generated.Json.GetProperty("team_id").GetString(), StringComparison.Ordinal);

        var (key, hash) = await gw.GenerateKeyAsync(new { team_id = "blue" });
        var info = await gw.GetAsync("/team/info?team_id=blue");
        Assert.Equal(200, info.Status);
        Assert.Equal(5, info.Json.GetProperty("team_info").GetProperty("rpm_limit").GetInt32());
        Assert.Equal([hash], info.Json.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("token").GetString()!).ToArray());

        var updated = await gw.PostAsync("/team/update", new { team_id = "blue", rpm_limit = 1 });
        Assert.Equal(200, updated.Status);
        Assert.Equal("blue", updated.Json.GetProperty("team_id").GetString()); // LiteLLM's {"team_id", "data": team}
        var data = updated.Json.GetProperty("data");
        Assert.Equal(1, data.GetProperty("rpm_limit").GetInt32());
        Assert.Equal(2m, data.GetProperty("max_budget").GetDecimal());
        Assert.Equal(3, data.GetProperty("model_rpm_limit").GetProperty("chat").GetInt32());
        Assert.Equal(200, (await gw.ChatAsync(key, "chat")).Status);
        Assert.Equal((429, "rpm_limit"), await StatusAndCode(gw.ChatAsync(key, "chat")));

        var teams = (await gw.GetAsync("/team/list")).Json.EnumerateArray().ToDictionary(t => t.GetProperty("team_id").GetString()!, t => t.GetProperty("source").GetString());
        Assert.Equal(3, teams.Count);
        Assert.Equal("config", teams["declared"]);
        Assert.Equal("api", teams["blue"]);

        var deleted = await gw.PostAsync("/team/delete", new { team_ids = new[] { "blue" } });
        Assert.Equal(200, deleted.Status);
        Assert.Equal(["blue"], Strings(deleted.Json.GetProperty("deleted_teams")));
        Assert.Equal((404, "not_found"), await StatusAndCode(gw.GetAsync("/team/info?team_id=blue")));
        // the team's keys go with it: they must not keep working without the team's limits and model list
        Assert.Equal((401, "invalid_token"), await StatusAndCode(gw.ChatAsync(key, "other")));
        Assert.Equal((404, "not_found"), await StatusAndCode(gw.GetAsync("/key/info?key=" + hash)));
    }

    [Fact]
    public async Task SpendLogs_TeamKeyAndDateFilters_ReturnMatchingRowsInLiteLLMShape()
    {
        var time = new FakeTimeProvider(Start);
        await using var gw = await GatewayFixture.StartAsync(Models, time);
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "blue" })).Status);
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "red" })).Status);
        var (blue, blueHash) = await gw.GenerateKeyAsync(new { team_id = "blue" });
        var (red, redHash) = await gw.GenerateKeyAsync(new { team_id = "red" });
        Assert.Equal(200, (await gw.ChatAsync(blue, "chat")).Status);
        Assert.Equal(200, (await gw.ChatAsync(blue, "chat")).Status);
        Assert.Equal(200, (await gw.ChatAsync(red, "chat")).Status);
        time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(200, (await gw.ChatAsync(blue, "chat")).Status);

        Assert.Equal(4, await CountAsync(gw, "/spend/logs"));
        Assert.Equal(3, await CountAsync(gw, "/spend/logs?team_id=blue"));
        Assert.Equal(3, await CountAsync(gw, "/spend/logs?api_key=" + blue));
        Assert.Equal(1, await CountAsync(gw, "/spend/logs?api_key=" + redHash));
        Assert.Equal(1, await CountAsync(gw, "/spend/logs?start_date=2030-01-16"));
        Assert.Equal(3, await CountAsync(gw, "/spend/logs?end_date=2030-01-15"));
        Assert.Equal(2, await CountAsync(gw, $"/spend/logs?team_id=blue&api_key={blueHash}&start_date=2030-01-15&end_date=2030-01-15&summarize=false"));
        Assert.Equal(0, await CountAsync(gw, "/spend/logs?team_id=nobody"));

        var row = (await gw.GetAsync("/spend/logs?team_id=red")).Json[0];
        Assert.Equal(redHash, row.GetProperty("api_key").GetString());
        Assert.Equal("red", row.GetProperty("team_id").GetString());
        Assert.Equal("chat", row.GetProperty("model_group").GetString());
        Assert.Equal("mock-chat", row.GetProperty("model_id").GetString());
        Assert.Equal("mock", row.GetProperty("custom_llm_provider").GetString());
        Assert.Equal(100, row.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(1, row.GetProperty("completion_tokens").GetInt32());
        Assert.Equal(101, row.GetProperty("total_tokens").GetInt32());
        Assert.Equal(0.01m, row.GetProperty("spend").GetDecimal());
        Assert.Equal("success", row.GetProperty("status").GetString());
        Assert.Equal("2030-01-15T00:00:00.000Z", row.GetProperty("startTime").GetString());

        // both dates without summarize=false: LiteLLM's daily summary, every day of the range, spend per model and per key
        var summary = (await gw.GetAsync("/spend/logs?start_date=2030-01-14&end_date=2030-01-16")).Json;
        Assert.Equal(["2030-01-14", "2030-01-15", "2030-01-16"], summary.EnumerateArray().Select(d => d.GetProperty("startTime").GetString()));
        Assert.Equal((0m, 0.03m, 0.01m), (summary[0].GetProperty("spend").GetDecimal(), summary[1].GetProperty("spend").GetDecimal(), summary[2].GetProperty("spend").GetDecimal()));
        Assert.Equal(0.02m, summary[1].GetProperty(blueHash).GetDecimal());
        Assert.Equal(0.01m, summary[1].GetProperty(redHash).GetDecimal());
        Assert.Equal(0.03m, summary[1].GetProperty("models").EnumerateObject().Single().Value.GetDecimal());
        Assert.Equal(3, (await gw.GetAsync($"/spend/logs?start_date=2030-01-14&end_date=2030-01-16&api_key={blue}")).Json.GetArrayLength()); // days, one key's spend
        Assert.Equal(0.01m, (await gw.GetAsync($"/spend/logs?start_date=2030-01-14&end_date=2030-01-16&api_key={blue}")).Json[2].GetProperty("spend").GetDecimal());

        var badDate = await gw.GetAsync("/spend/logs?start_date=yesterday");
        Assert.Equal((400, "invalid_type", "start_date"), (badDate.Status, badDate.ErrorCode, badDate.ErrorParam));
        Assert.Equal((404, "not_found"), await StatusAndCode(gw.GetAsync("/spend/logs?api_key=sk-unknown")));
    }

    [Theory]
    [InlineData("/key/generate", """{"rpm_limit":"10"}""", "rpm_limit")]
    [InlineData("/key/generate", """{"tpm_limit":-1}""", "tpm_limit")]
    [InlineData("/key/generate", """{"max_parallel_requests":1.5}""", "max_parallel_requests")]
    [InlineData("/key/generate", """{"max_budget":"5"}""", "max_budget")]
    [InlineData("/key/generate", """{"soft_budget":true}""", "soft_budget")]
    [InlineData("/key/generate", """{"budget_duration":"weekly"}""", "budget_duration")]
    [InlineData("/key/generate", """{"duration":30}""", "duration")]
    [InlineData("/key/generate", """{"metadata":"x"}""", "metadata")]
    [InlineData("/key/generate", """{"key_alias":5}""", "key_alias")]
    [InlineData("/key/generate", """{"team_id":true}""", "team_id")]
    [InlineData("/key/generate", """{"models":"chat"}""", "models")]
    [InlineData("/key/generate", """{"models":["nope"]}""", "models")]
    [InlineData("/key/generate", """{"scopes":"invoke"}""", "scopes")]
    [InlineData("/key/generate", """{"scopes":["root"]}""", "scopes")]
    [InlineData("/key/update", """{"rpm_limit":1}""", "key")]
    [InlineData("/key/update", """{"key":5}""", "key")]
    [InlineData("/key/delete", """{"keys":"sk-x"}""", "keys")]
    [InlineData("/key/regenerate", """{"key":"KEY","grace_period":"soon"}""", "grace_period")]
    [InlineData("/team/new", """{"rpm_limit":"x"}""", "rpm_limit")]
    [InlineData("/team/new", """{"team_alias":[]}""", "team_alias")]
    [InlineData("/team/new", """{"models":1}""", "models")]
    [InlineData("/team/new", """{"model_rpm_limit":{"chat":"3"}}""", "model_rpm_limit.chat")]
    [InlineData("/team/new", """{"model_tpm_limit":[1]}""", "model_tpm_limit")]
    [InlineData("/team/update", """{"team_id":"blue","blocked":"yes"}""", "blocked")]
    [InlineData("/team/delete", """{"team_ids":"blue"}""", "team_ids")]
    [InlineData("/team/delete", """{}""", "team_ids")]
    [InlineData("/key/generate", """{"model_max_budget":{"chat":1}}""", "model_max_budget")]
    [InlineData("/key/generate", """{"guardrails":["pii"]}""", "guardrails")]
    [InlineData("/key/update", """{"key":"KEY","organization_id":"org-1"}""", "organization_id")]
    [InlineData("/team/new", """{"organization_id":"org-1"}""", "organization_id")]
    [InlineData("/team/update", """{"team_id":"blue","guardrails":["pii"]}""", "guardrails")]
    public async Task AdminCall_WrongTypeOrMissingField_400NamingTheField(string path, string body, string field)
    {
        await using var gw = await GatewayFixture.StartAsync(Models);
        var (key, _) = await gw.GenerateKeyAsync(new { });
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "blue" })).Status);

        var r = await gw.PostAsync(path, (object)body.Replace("KEY", key, StringComparison.Ordinal));

        Assert.Equal(400, r.Status);
        Assert.Equal("invalid_request_error", r.Error.GetProperty("type").GetString());
        Assert.Equal(field, r.ErrorParam);
        if (r.ErrorCode is "invalid_type" or "missing_field" or "unsupported_field")
        {
            Assert.Contains($"'{field}'", r.Error.GetProperty("message").GetString(), StringComparison.Ordinal);
        }

        Assert.Equal(1, (await gw.GetAsync("/key/list")).Json.GetProperty("total_count").GetInt32()); // nothing was created or deleted
    }

    [Fact]
    public async Task AdminCall_UnappliedLiteLLMFieldsWithoutAValue_Pass_WithAValue_RefusedAndNothingChanged()
    {
        await using var gw = await GatewayFixture.StartAsync(Models);

        // LiteLLM's clients send these as defaults: null, {}, [] and false ask for nothing
        var created = await gw.PostAsync("/key/generate", new { model_max_budget = new { }, guardrails = Array.Empty<string>(), permissions = (object?)null, enforced_params = false });
        Assert.Equal(200, created.Status);
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "blue", organization_id = (string?)null, guardrails = Array.Empty<string>() })).Status);

        var refused = await gw.PostAsync("/key/generate", new { team_id = "blue", permissions = new { allow_pii_controls = true } });
        Assert.Equal((400, "unsupported_field", "permissions"), (refused.Status, refused.ErrorCode, refused.ErrorParam));
        Assert.Contains("scopes", refused.Error.GetProperty("message").GetString(), StringComparison.Ordinal); // says what to use instead
        Assert.Equal(1, (await gw.GetAsync("/key/list")).Json.GetProperty("total_count").GetInt32());
    }

    [Fact]
    public async Task AdminCall_BodyNotJson_400InvalidJson()
    {
        await using var gw = await GatewayFixture.StartAsync(Models);
        var r = await gw.PostAsync("/key/generate", (object)"{not json");
        Assert.Equal((400, "invalid_json"), (r.Status, r.ErrorCode));
        var array = await gw.PostAsync("/team/new", (object)"[1]");
        Assert.Equal((400, "invalid_json"), (array.Status, array.ErrorCode));
    }

    [Fact]
    public async Task AdminCall_UnknownKeyOrTeam_404NotFound()
    {
        await using var gw = await GatewayFixture.StartAsync(Models);
        var (key, hash) = await gw.GenerateKeyAsync(new { });
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "blue" })).Status);

        (string Path, object? Body, string Param)[] calls =
        [
            ("/key/info?key=sk-nope", null, "key"),
            ("/key/info?key=" + new string('0', 64), null, "key"),
            ("/key/update", new { key = "sk-nope", rpm_limit = 1 }, "key"),
            ("/key/delete", new { keys = new[] { hash, "sk-nope" } }, "key"),
            ("/key/delete", new { key_aliases = new[] { "nobody" } }, "key_aliases"),
            ("/key/regenerate", new { key = "sk-nope" }, "key"),
            ("/key/sk-nope/regenerate", new { }, "key"),
            ("/key/generate", new { team_id = "nope" }, "team_id"),
            ("/key/update", new { key, team_id = "nope" }, "team_id"),
            ("/team/info?team_id=nope", null, "team_id"),
            ("/team/update", new { team_id = "nope", rpm_limit = 1 }, "team_id"),
            ("/team/delete", new { team_ids = new[] { "blue", "nope" } }, "team_id"),
        ];

        foreach (var (path, body, param) in calls)
        {
            var r = body is null ? await gw.GetAsync(path) : await gw.PostAsync(path, body);
            Assert.True(r.Status == 404 && r.ErrorCode == "not_found" && r.ErrorParam == param, $"{path}: {r}");
            Assert.Equal("not_found", r.Error.GetProperty("type").GetString());
        }

        // a batch with one unknown id changed nothing
        Assert.Equal(200, (await gw.ChatAsync(key, "chat")).Status);
        Assert.Equal(200, (await gw.GetAsync("/team/info?team_id=blue")).Status);
    }

    [Fact]
    public async Task ConfigDeclaredTeam_UpdateOrDelete_409DeclaredInConfig()
    {
        await using var gw = await GatewayFixture.StartAsync(Models + DeclaredTeam);
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "blue" })).Status);

        var update = await gw.PostAsync("/team/update", new { team_id = "declared", rpm_limit = 1 });
        Assert.Equal((409, "declared_in_config", "team_id"), (update.Status, update.ErrorCode, update.ErrorParam));
        Assert.Equal("false", update.Header("x-should-retry"));
        var delete = await gw.PostAsync("/team/delete", new { team_ids = new[] { "blue", "declared" } });
        Assert.Equal((409, "declared_in_config"), (delete.Status, delete.ErrorCode));

        var team = (await gw.GetAsync("/team/info?team_id=declared")).Json.GetProperty("team_info");
        Assert.Equal(100, team.GetProperty("rpm_limit").GetInt32());
        Assert.Equal(200, (await gw.GetAsync("/team/info?team_id=blue")).Status); // the batch deleted nothing
    }

    [Fact]
    public async Task ConfigDeclaredTeam_ConflictsWithApiTeamAtStart_FileWinsAndSpendIsKept()
    {
        var path = GatewayFixture.NewSqlitePath();
        string key;
        await using (var first = await GatewayFixture.StartAsync(Models, sqlitePath: path))
        {
            Assert.Equal(200, (await first.PostAsync("/team/new", new { team_id = "acme", rpm_limit = 100, max_budget = 1, models = new[] { "other" } })).Status);
            (key, _) = await first.GenerateKeyAsync(new { team_id = "acme" });
            Assert.Equal(200, (await first.ChatAsync(key, "other")).Status);
            Assert.Equal((403, "model_not_allowed"), await StatusAndCode(first.ChatAsync(key, "chat")));
            Assert.Equal(200, (await first.ChatAsync(key, "other")).Status);
        }

        await using var second = await GatewayFixture.StartAsync(Models + """

            switchyard:
              tenants:
                - tenant_id: acme
                  rpm_limit: 2
                  max_budget: 10
                  models: [chat]
            """, sqlitePath: path);

        var team = (await second.GetAsync("/team/info?team_id=acme")).Json.GetProperty("team_info");
        Assert.Equal(2, team.GetProperty("rpm_limit").GetInt32());
        Assert.Equal(10m, team.GetProperty("max_budget").GetDecimal());
        Assert.Equal(["chat"], Strings(team.GetProperty("models")));
        Assert.Equal("config", team.GetProperty("source").GetString());
        Assert.Contains("tenant acme is declared in the config file", second.Logs.All, StringComparison.Ordinal);
        Assert.Equal((403, "model_not_allowed"), await StatusAndCode(second.ChatAsync(key, "other")));
        Assert.Equal(200, (await second.ChatAsync(key, "chat")).Status);
        Assert.Equal(200, (await second.ChatAsync(key, "chat")).Status);
        var limited = await second.ChatAsync(key, "chat");
        Assert.Equal((429, "rpm_limit"), (limited.Status, limited.ErrorCode));
        Assert.Contains("tenant 'acme'", limited.Error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal((409, "declared_in_config"), await StatusAndCode(second.PostAsync("/team/update", new { team_id = "acme", rpm_limit = 50 })));
    }

    [Fact]
    public async Task ConfigDeclaredTeam_RemovedFromTheFile_BecomesManageableThroughTheApi()
    {
        var path = GatewayFixture.NewSqlitePath();
        await using (var first = await GatewayFixture.StartAsync(Models + """

            switchyard:
              tenants:
                - tenant_id: acme
                  rpm_limit: 2
            """, sqlitePath: path))
        {
            Assert.Equal((409, "declared_in_config"), await StatusAndCode(first.PostAsync("/team/update", new { team_id = "acme", rpm_limit = 50 })));
        }

        await using var second = await GatewayFixture.StartAsync(Models, sqlitePath: path);

        var team = (await second.GetAsync("/team/info?team_id=acme")).Json.GetProperty("team_info");
        Assert.Equal(("api", 2), (team.GetProperty("source").GetString(), team.GetProperty("rpm_limit").GetInt32()));
        Assert.Equal(200, (await second.PostAsync("/team/update", new { team_id = "acme", rpm_limit = 50 })).Status);
        Assert.Equal(200, (await second.PostAsync("/team/delete", new { team_ids = new[] { "acme" } })).Status);
    }

    [Fact]
    public async Task KeyAndTeamUpdate_AfterSpendWasWritten_PersistedSpendSurvivesRestart()
    {
        var path = GatewayFixture.NewSqlitePath();
        string hash;
        await using (var first = await GatewayFixture.StartAsync(Models, sqlitePath: path))
        {
            Assert.Equal(200, (await first.PostAsync("/team/new", new { team_id = "blue", max_budget = 1 })).Status);
            string key;
            (key, hash) = await first.GenerateKeyAsync(new { team_id = "blue", max_budget = 1 });
            for (var i = 0; i < 3; i++)
            {
                Assert.Equal(200, (await first.ChatAsync(key, "chat")).Status);
            }

            Assert.Equal(3, await CountAsync(first, "/spend/logs")); // flushes the spend writer
            Assert.Equal(200, (await first.PostAsync("/key/update", new { key = hash, rpm_limit = 50 })).Status);
            Assert.Equal(200, (await first.PostAsync("/team/update", new { team_id = "blue", rpm_limit = 50 })).Status);
        }

        await using var second = await GatewayFixture.StartAsync(Models, sqlitePath: path);
        var info = (await second.GetAsync("/key/info?key=" + hash)).Json.GetProperty("info");
        Assert.Equal(0.03m, info.GetProperty("spend").GetDecimal());
        Assert.Equal(50, info.GetProperty("rpm_limit").GetInt32());
        var team = (await second.GetAsync("/team/info?team_id=blue")).Json.GetProperty("team_info");
        Assert.Equal(0.03m, team.GetProperty("spend").GetDecimal());
    }

    private static string[] Strings(JsonElement array) => array.EnumerateArray().Select(e => e.GetString()!).ToArray();

    [Fact]
    public async Task RegenerateKey_AlreadyRotated_Refused409_NothingChanges()
    {
        await using var gw = await GatewayFixture.StartAsync(Models);
        var (_, hash) = await gw.GenerateKeyAsync(new { });
        var first = await gw.PostAsync("/key/regenerate", new { key = hash, grace_period = "1h" });
        Assert.Equal(200, first.Status);
        var successor = first.Json.GetProperty("token").GetString();
        var keysBefore = (await gw.GetAsync("/key/list")).Json.GetProperty("total_count").GetInt32();

        foreach (var path in new[] { "/key/regenerate", $"/key/{hash}/regenerate" })
        {
            var again = await gw.PostAsync(path, new { key = hash });
            Assert.True(again.Status == 409 && again.ErrorCode == "key_already_rotated", $"{path}: {again}");
        }

        Assert.Equal(keysBefore, (await gw.GetAsync("/key/list")).Json.GetProperty("total_count").GetInt32());
        var second = await gw.PostAsync("/key/regenerate", new { key = successor });
        Assert.Equal(200, second.Status); // the successor itself may be regenerated
        Assert.False(second.Json.GetProperty("blocked").GetBoolean());
    }

    private static async Task<(int, string?)> StatusAndCode(Task<ApiResponse> call)
    {
        var r = await call;
        return (r.Status, r.Status >= 400 ? r.ErrorCode : null);
    }

    private static async Task<int> CountAsync(GatewayFixture gw, string path)
    {
        var r = await gw.GetAsync(path);
        Assert.True(r.Status == 200, r.ToString());
        return r.Json.GetArrayLength();
    }
}
