using System.Text.Json;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Tenancy;

/// <summary>
/// LiteLLM's user routes and team membership through real HTTP: /user/new (with its key), /user/info, /user/update,
/// /user/list, /user/delete (the user's keys go with them), /team/member_add, /team/member_delete, members_with_roles;
/// a user's budget bounds every key they own; budget refusals carry LiteLLM's wording for keys, teams and users.
/// Each chat below (400-byte body, max_tokens 200) costs $0.0101.
/// </summary>
public sealed class UserAdminTests
{
    private const string Yaml = """
        model_list:
          - model_name: chat
            litellm_params:
              model: mock/fast
              mock_response: ok
              input_cost_per_token: 0.0001
              output_cost_per_token: 0.0001
          - model_name: other
            litellm_params:
              model: mock/other
              mock_response: ok
        switchyard:
          tenants:
            - tenant_id: acme
            - tenant_id: poor
              max_budget: 0.01
        """;

    [Fact]
    public async Task UserLifecycle_NewInfoUpdateListDelete_LiteLLMShapes_AndDeletingAUserDeletesTheirKeys()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);

        var created = await gw.PostAsync("/user/new", new
        {
            user_id = "ada",
            user_email = "ada@example.com",
            user_role = "internal_user",
            teams = new[] { "acme" },
            max_budget = 2.5,
            budget_duration = "30d",
            models = new[] { "chat" },
            tpm_limit = 1000,
            rpm_limit = 10,
            metadata = new { dept = "ml" },
        });
        Assert.True(created.Status == 200, created.ToString());
        var u = created.Json;
        var key = u.GetProperty("key").GetString()!;
        Assert.StartsWith("sk-", key, StringComparison.Ordinal);
        Assert.Equal(("ada", "ada@example.com", "internal_user"), (u.GetProperty("user_id").GetString(), u.GetProperty("user_email").GetString(), u.GetProperty("user_role").GetString()));
        Assert.Equal(["acme"], Strings(u.GetProperty("teams")));
        Assert.Equal((2.5m, "30d", 1000, 10), (u.GetProperty("max_budget").GetDecimal(), u.GetProperty("budget_duration").GetString(), u.GetProperty("tpm_limit").GetInt32(), u.GetProperty("rpm_limit").GetInt32()));
        Assert.Equal(["chat"], Strings(u.GetProperty("models")));
        Assert.Equal("ml", u.GetProperty("metadata").GetProperty("dept").GetString());

        // the key /user/new issued belongs to the user and their one team, and works
        var keyInfo = (await gw.GetAsync("/key/info", key)).Json.GetProperty("info");
        Assert.Equal(("ada", "acme"), (keyInfo.GetProperty("user_id").GetString(), keyInfo.GetProperty("team_id").GetString()));
        Assert.Equal(200, (await gw.ChatAsync(key, "chat", maxTokens: 200)).Status);
        var refused = await gw.ChatAsync(key, "other"); // the user's model list bounds their keys
        Assert.Equal(403, refused.Status);

        // a second key for the user through /key/generate; /key/list?user_id= finds both
        var (second, secondHash) = await gw.GenerateKeyAsync(new { user_id = "ada" });
        var listed = (await gw.GetAsync("/key/list?user_id=ada")).Json.GetProperty("keys").EnumerateArray().Select(k => k.GetString()!).ToArray(); // hashes, as LiteLLM lists them
        Assert.Equal([GatewayApi.Sha256Hex(key), secondHash], listed);
        Assert.Equal((404, "not_found"), await StatusAndCode(gw.PostAsync("/key/generate", new { user_id = "nobody" })));

        // a key reads its own user without the admin scope; another user's needs it
        var info = await gw.GetAsync("/user/info", key);
        Assert.True(info.Status == 200, info.ToString());
        Assert.Equal("ada", info.Json.GetProperty("user_id").GetString());
        Assert.Equal(0.0101m, info.Json.GetProperty("user_info").GetProperty("spend").GetDecimal());
        Assert.Equal(2, info.Json.GetProperty("keys").GetArrayLength());
        Assert.Equal("acme", info.Json.GetProperty("teams")[0].GetProperty("team_id").GetString());
        Assert.Equal(200, (await gw.PostAsync("/user/new", new { user_id = "bob", auto_create_key = false })).Status);
        Assert.Equal((403, "missing_scope"), await StatusAndCode(gw.GetAsync("/user/info?user_id=bob", key)));

        var updated = await gw.PostAsync("/user/update", new { user_id = "ada", user_role = "proxy_admin_viewer", max_budget = 3 });
        Assert.True(updated.Status == 200, updated.ToString());
        Assert.Equal("ada", updated.Json.GetProperty("user_id").GetString());
        Assert.Equal(("proxy_admin_viewer", 3m, "ada@example.com"), (updated.Json.GetProperty("data").GetProperty("user_role").GetString(), updated.Json.GetProperty("data").GetProperty("max_budget").GetDecimal(), updated.Json.GetProperty("data").GetProperty("user_email").GetString()));

        var list = (await gw.GetAsync("/user/list")).Json;
        Assert.Equal(["ada", "bob"], list.GetProperty("users").EnumerateArray().Select(x => x.GetProperty("user_id").GetString()!).ToArray());
        Assert.Equal(2, list.GetProperty("total").GetInt32());
        Assert.Equal(["ada"], (await gw.GetAsync("/user/list?role=proxy_admin_viewer")).Json.GetProperty("users").EnumerateArray().Select(x => x.GetProperty("user_id").GetString()!).ToArray());

        // deleting the user deletes their keys (as LiteLLM does): both stop working at once
        var deleted = await gw.PostAsync("/user/delete", new { user_ids = new[] { "ada" } });
        Assert.True(deleted.Status == 200, deleted.ToString());
        Assert.Equal(2, deleted.Json.GetProperty("deleted_keys").GetArrayLength());
        Assert.Equal(401, (await gw.ChatAsync(second, "chat")).Status);
        Assert.Equal(401, (await gw.ChatAsync(key, "chat")).Status);
        Assert.Equal((404, "not_found"), await StatusAndCode(gw.GetAsync("/user/info?user_id=ada")));
        Assert.Equal(["bob"], (await gw.GetAsync("/user/list")).Json.GetProperty("users").EnumerateArray().Select(x => x.GetProperty("user_id").GetString()!).ToArray());
    }

    [Theory]
    [InlineData("/user/new", """{"user_role":"superuser"}""", "user_role")]
    [InlineData("/user/new", """{"max_budget":"lots"}""", "max_budget")]
    [InlineData("/user/new", """{"teams":["nope"]}""", "team_id")]
    [InlineData("/user/update", """{"user_id":"nobody","max_budget":1}""", "user_id")]
    [InlineData("/user/delete", """{}""", "user_ids")]
    [InlineData("/team/member_add", """{"team_id":"acme","member":{"role":"owner","user_id":"x"}}""", "member.role")]
    [InlineData("/team/member_add", """{"team_id":"acme","member":{"role":"user"}}""", "member.user_id")]
    [InlineData("/team/member_add", """{"team_id":"acme","member":[{"user_id":"x"},{"user_id":7}]}""", "member[1].user_id")]
    [InlineData("/team/member_add", """{"team_id":"nope","member":{"user_id":"x"}}""", "team_id")]
    [InlineData("/team/new", """{"team_id":"t2","members_with_roles":[{"role":"boss","user_id":"x"}]}""", "members_with_roles[0].role")]
    public async Task UserOrMemberCall_BadField_RefusedNamingIt_AndChangesNothing(string path, string body, string field)
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        var r = await gw.SendAsync(HttpMethod.Post, path, GatewayFixture.MasterKey, body);
        Assert.True(r.Status is 400 or 404, r.ToString());
        Assert.Equal(field, r.ErrorParam);
        Assert.Equal(0, (await gw.GetAsync("/user/list")).Json.GetProperty("total").GetInt32());
        Assert.Equal(0, (await gw.GetAsync("/team/info?team_id=acme")).Json.GetProperty("team_info").GetProperty("members_with_roles").GetArrayLength());
    }

    [Fact]
    public async Task TeamMembers_NewWithMembers_AddByEmail_Remove_ShownInTeamInfo_AndTenantAdminConfined()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        var team = await gw.PostAsync("/team/new", new { team_id = "blue", members_with_roles = new object[] { new { role = "admin", user_id = "ada" } } });
        Assert.True(team.Status == 200, team.ToString());
        Assert.Equal(("ada", "admin"), Member(team.Json.GetProperty("members_with_roles")[0]));

        var added = await gw.PostAsync("/team/member_add", new { team_id = "blue", member = new { role = "user", user_email = "cy@example.com" } });
        Assert.True(added.Status == 200, added.ToString());
        var cy = added.Json.GetProperty("updated_users")[0].GetProperty("user_id").GetString();
        Assert.Equal("cy@example.com", added.Json.GetProperty("updated_users")[0].GetProperty("user_email").GetString());

        var members = (await gw.GetAsync("/team/info?team_id=blue")).Json.GetProperty("team_info").GetProperty("members_with_roles");
        Assert.Equal([("ada", "admin"), (cy, "user")], members.EnumerateArray().Select(Member).ToArray());
        Assert.Equal(["blue"], Strings((await gw.GetAsync("/user/info?user_id=" + cy)).Json.GetProperty("user_info").GetProperty("teams")));

        // a tenant admin of acme manages acme's members only, and reads only acme's users
        var (acmeAdmin, _) = await gw.GenerateKeyAsync(new { team_id = "acme", scopes = new[] { "admin" } });
        Assert.Equal(403, (await gw.PostAsync("/team/member_add", new { team_id = "blue", member = new { user_id = "eve" } }, acmeAdmin)).Status);
        Assert.Equal(200, (await gw.PostAsync("/team/member_add", new { team_id = "acme", member = new { user_id = "ada" } }, acmeAdmin)).Status);
        Assert.Equal(200, (await gw.GetAsync("/user/info?user_id=ada", acmeAdmin)).Status);
        Assert.Equal((404, "not_found"), await StatusAndCode(gw.GetAsync("/user/info?user_id=" + cy, acmeAdmin)));
        Assert.Equal(["ada"], (await gw.GetAsync("/user/list", acmeAdmin)).Json.GetProperty("users").EnumerateArray().Select(x => x.GetProperty("user_id").GetString()!).ToArray());
        Assert.Equal(403, (await gw.PostAsync("/user/new", new { user_id = "mallory" }, acmeAdmin)).Status);

        var removed = await gw.PostAsync("/team/member_delete", new { team_id = "blue", user_email = "cy@example.com" });
        Assert.True(removed.Status == 200, removed.ToString());
        Assert.Equal([("ada", "admin")], removed.Json.GetProperty("members_with_roles").EnumerateArray().Select(Member).ToArray());
        Assert.Equal((404, "not_found"), await StatusAndCode(gw.PostAsync("/team/member_delete", new { team_id = "blue", user_id = cy })));
    }

    [Fact]
    public async Task UserBudget_EnforcedForEveryKeyTheUserOwns_SpendSettlesToTheUser_AndSpendLogsFilterByUser()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        Assert.Equal(200, (await gw.PostAsync("/user/new", new { user_id = "ada", max_budget = 0.02, auto_create_key = false })).Status);
        var (first, _) = await gw.GenerateKeyAsync(new { user_id = "ada", team_id = "acme" });
        var (second, _) = await gw.GenerateKeyAsync(new { user_id = "ada" });
        var (stranger, _) = await gw.GenerateKeyAsync(new { team_id = "acme" });

        Assert.Equal(200, (await gw.ChatAsync(first, "chat", maxTokens: 200)).Status);  // user spent $0.0101
        Assert.Equal(200, (await gw.ChatAsync(second, "chat", maxTokens: 200)).Status); // $0.0202 >= $0.02: spent
        foreach (var token in new[] { first, second })
        {
            var r = await gw.ChatAsync(token, "chat", maxTokens: 200);
            Assert.Equal((429, "budget_exceeded"), (r.Status, r.ErrorCode));
            var message = r.Error.GetProperty("message").GetString();
            Assert.StartsWith("ExceededBudget: User=ada over budget. Spend=0.0202, Budget=0.02", message, StringComparison.Ordinal);
            Assert.Contains("user 'ada' has spent its budget of $0.02", message, StringComparison.Ordinal);
        }

        Assert.Equal(200, (await gw.ChatAsync(stranger, "chat", maxTokens: 200)).Status); // the team itself has room

        var user = (await gw.GetAsync("/user/info?user_id=ada")).Json.GetProperty("user_info");
        Assert.Equal(0.0202m, user.GetProperty("spend").GetDecimal());
        var rows = (await gw.GetAsync("/spend/logs?user_id=ada")).Json.EnumerateArray().ToArray();
        Assert.Equal(2, rows.Length); // the two paid calls (refused requests write no spend row), both the user's
        Assert.All(rows, r => Assert.Equal("ada", r.GetProperty("user_id").GetString()));
        Assert.Equal(0.0202m, rows.Sum(r => r.GetProperty("spend").GetDecimal()));
        Assert.Equal(2, (await gw.GetAsync("/spend/logs?user_id=ada", second)).Json.GetArrayLength()); // a key reads its own user's spend
        Assert.Equal((403, "missing_scope"), await StatusAndCode(gw.GetAsync("/spend/logs?user_id=ada", stranger)));
    }

    [Fact]
    public async Task BudgetExceeded_KeyAndTeam_MessagesCarryLiteLLMsWordingAndFigures()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        var (keyBound, _) = await gw.GenerateKeyAsync(new { max_budget = 0.01 });
        var (teamBound, _) = await gw.GenerateKeyAsync(new { team_id = "poor" });
        Assert.Equal(200, (await gw.ChatAsync(keyBound, "chat", maxTokens: 200)).Status);
        Assert.Equal(200, (await gw.ChatAsync(teamBound, "chat", maxTokens: 200)).Status);

        var key = await gw.ChatAsync(keyBound, "chat", maxTokens: 200);
        Assert.Equal((429, "budget_exceeded"), (key.Status, key.ErrorCode));
        Assert.StartsWith("Budget has been exceeded! Current cost: 0.0101, Max budget: 0.01;", key.Error.GetProperty("message").GetString(), StringComparison.Ordinal);

        var team = await gw.ChatAsync(teamBound, "chat", maxTokens: 200);
        Assert.Equal((429, "budget_exceeded"), (team.Status, team.ErrorCode));
        Assert.StartsWith("Budget has been exceeded! Team=poor Current cost: 0.0101, Max budget: 0.01;", team.Error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    private static (string?, string?) Member(JsonElement m) => (m.GetProperty("user_id").GetString(), m.GetProperty("role").GetString());

    private static string[] Strings(JsonElement a) => a.EnumerateArray().Select(x => x.GetString()!).ToArray();

    private static async Task<(int, string?)> StatusAndCode(Task<ApiResponse> response)
    {
        var r = await response;
        return (r.Status, r.ErrorCode);
    }
}
