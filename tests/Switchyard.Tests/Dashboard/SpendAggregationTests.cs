using Switchyard.Core.Tenancy;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Dashboard;

/// <summary>
/// GET /ui/api/spend: spend summed in the store per model, tenant, alias and day, paged, unpriced calls flagged, CSV
/// export; scoped like the rest of the dashboard. Also /key/list's server-side search.
/// </summary>
public sealed class SpendAggregationTests
{
    private const string Yaml = """
        model_list:
          - model_name: chat
            litellm_params: { model: mock/priced, mock_response: ok, input_cost_per_token: 0.0001, output_cost_per_token: 0 }
          - model_name: private
            litellm_params: { model: openai/house-model-7b, api_base: "http://127.0.0.1:9/v1", api_key: sk-unused }
            model_info: { id: house-7b }
        """;

    private static readonly DateTimeOffset Day = new(2030, 1, 15, 12, 0, 0, TimeSpan.Zero);

    private static async Task<GatewayFixture> StartAsync()
    {
        var gw = await GatewayFixture.StartAsync(Yaml);
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "acme" })).Status);
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "beta" })).Status);
        // rows as the spend writer stores them: a priced model, and an unpriced deployment answering with tokens at $0
        await gw.Service<IGatewayStore>().AppendSpendAsync(
        [
            Row("r1", "acme", "chat", "mock-chat", "mock/priced", 0.5m, 100, Day),
            Row("r2", "acme", "chat", "mock-chat", "mock/priced", 0.25m, 50, Day.AddDays(1)),
            Row("r3", "acme", "private", "house-7b", "openai/house-model-7b", 0m, 80, Day.AddDays(1)),
            Row("r4", "beta", "private", "house-7b", "openai/house-model-7b", 0m, 0, Day.AddDays(1)), // failed: no tokens, not unpriced
            Row("r5", "beta", "private", "house-7b", "=HYPERLINK(\"x\"),evil", 2m, 10, Day.AddDays(2)),
        ], CancellationToken.None);
        return gw;
    }

    private static SpendRecord Row(string id, string tenant, string alias, string deployment, string model, decimal cost, long prompt, DateTimeOffset at) => new()
    {
        RequestId = id, CorrelationId = "c-" + id, TenantId = tenant, Alias = alias, Deployment = deployment, Model = model, Cost = cost,
        PromptTokens = prompt, CompletionTokens = prompt / 10, Status = 200, StartTime = at,
    };

    [Fact]
    public async Task GroupedByModelTenantAliasAndDay_SummedInTheStore_UnpricedFlagged_Paged()
    {
        await using var gw = await StartAsync();

        var byModel = await gw.GetAsync("/ui/api/spend?group_by=model");
        var byTenant = await gw.GetAsync("/ui/api/spend?group_by=tenant");
        var byAlias = await gw.GetAsync("/ui/api/spend?group_by=alias&tenant=acme");
        var byDay = await gw.GetAsync("/ui/api/spend?group_by=day&start=2030-01-16&end=2030-01-16");

        Assert.True(byModel.Status == 200, byModel.ToString());
        var models = byModel.Json.GetProperty("data").EnumerateArray().ToArray();
        Assert.Equal(["=HYPERLINK(\"x\"),evil", "mock/priced", "openai/house-model-7b"], models.Select(m => m.GetProperty("key").GetString()));
        Assert.Equal((2L, 150L, 15L, 0.75m, 0L), (models[1].GetProperty("requests").GetInt64(), models[1].GetProperty("prompt_tokens").GetInt64(),
            models[1].GetProperty("completion_tokens").GetInt64(), models[1].GetProperty("spend_usd").GetDecimal(), models[1].GetProperty("unpriced").GetInt64()));
        Assert.Equal((2L, 1L), (models[2].GetProperty("requests").GetInt64(), models[2].GetProperty("unpriced").GetInt64()));
        Assert.Equal((3L, 1, 50), (byModel.Json.GetProperty("total").GetInt64(), byModel.Json.GetProperty("page").GetInt32(), byModel.Json.GetProperty("page_size").GetInt32()));
        Assert.Equal([("beta", 2m), ("acme", 0.75m)], byTenant.Json.GetProperty("data").EnumerateArray().Select(r => (r.GetProperty("key").GetString(), r.GetProperty("spend_usd").GetDecimal())));
        Assert.Equal([("chat", 2L), ("private", 1L)], byAlias.Json.GetProperty("data").EnumerateArray().Select(r => (r.GetProperty("key").GetString(), r.GetProperty("requests").GetInt64())));
        Assert.Equal([("2030-01-16", 3L)], byDay.Json.GetProperty("data").EnumerateArray().Select(r => (r.GetProperty("key").GetString(), r.GetProperty("requests").GetInt64())));

        var second = await gw.GetAsync("/ui/api/spend?group_by=model&page=2&page_size=2");
        Assert.Equal(("openai/house-model-7b", 3L), (second.Json.GetProperty("data")[0].GetProperty("key").GetString(), second.Json.GetProperty("total").GetInt64()));
    }

    [Fact]
    public async Task Csv_HeaderRowQuotedCellsFormulaEscaped_AsAnAttachment()
    {
        await using var gw = await StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/ui/api/spend?group_by=model&format=csv");
        request.Headers.Authorization = new("Bearer", GatewayFixture.MasterKey);
        using var response = await gw.Bare.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("key,requests,prompt_tokens,completion_tokens,spend_usd,unpriced", lines[0]);
        Assert.Equal("\"'=HYPERLINK(\"\"x\"\"),evil\",1,10,1,2,0", lines[1]); // quoted (comma, quotes), and not a formula
        Assert.Equal("openai/house-model-7b,2,80,8,0,1", lines[3]);
        Assert.Equal(4, lines.Length);
    }

    [Fact]
    public async Task Scoped_OwnTenantOnly_AnotherRefused_BadInputTyped()
    {
        await using var gw = await StartAsync();
        var (reader, _) = await gw.GenerateKeyAsync(new { team_id = "acme", scopes = new[] { "usage:read" } });
        var (tenantAdmin, _) = await gw.GenerateKeyAsync(new { team_id = "acme", scopes = new[] { "admin" } });
        var (invoker, _) = await gw.GenerateKeyAsync(new { team_id = "acme" });

        var mine = await gw.GetAsync("/ui/api/spend?group_by=tenant", reader);
        Assert.Equal(["acme"], mine.Json.GetProperty("data").EnumerateArray().Select(r => r.GetProperty("key").GetString()));
        Assert.Equal(200, (await gw.GetAsync("/ui/api/spend?group_by=tenant&tenant=acme", tenantAdmin)).Status);
        Assert.Equal(403, (await gw.GetAsync("/ui/api/spend?tenant=beta", reader)).Status);
        var outside = await gw.GetAsync("/ui/api/spend?tenant=beta", tenantAdmin);
        Assert.Equal((403, "outside_tenant"), (outside.Status, outside.ErrorCode));
        Assert.Equal(403, (await gw.GetAsync("/ui/api/spend", invoker)).Status);

        foreach (var (query, param) in new[] { ("group_by=key", "group_by"), ("format=xml", "format"), ("page_size=0", "page_size"), ("start=soon", "start"), ("start=2030-01-02&end=2030-01-01T00:00:00Z", "end") })
        {
            var r = await gw.GetAsync("/ui/api/spend?" + query);
            Assert.True(r.Status == 400 && r.ErrorParam == param, query + ": " + r);
        }
    }

    [Fact]
    public async Task KeyList_SearchesAliasAndIdOnTheServer_Paged()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        var hashes = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            hashes.Add((await gw.GenerateKeyAsync(new { key_alias = i % 3 == 0 ? $"Build-Bot-{i}" : $"agent-{i}" })).Hash);
        }

        var found = await gw.GetAsync("/key/list?search=build-bot&size=3&page=2");
        var byId = await gw.GetAsync($"/key/list?search={hashes[5][..10]}");

        Assert.True(found.Status == 200, found.ToString());
        Assert.Equal((4, 2, 2), (found.Json.GetProperty("total_count").GetInt32(), found.Json.GetProperty("current_page").GetInt32(), found.Json.GetProperty("total_pages").GetInt32()));
        Assert.Equal([hashes[9]], found.Json.GetProperty("keys").EnumerateArray().Select(k => k.GetString()));
        Assert.Equal([hashes[5]], byId.Json.GetProperty("keys").EnumerateArray().Select(k => k.GetString()));
    }
}
