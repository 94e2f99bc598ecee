using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Tenancy;

/// <summary>
/// Spend at a glance: GET /spend/summary and <c>switchyard spend</c> by model, tenant, alias, day and key; LiteLLM's
/// GET /global/spend/report in its own shapes; spend per model in metrics; a start-up warning for a deployment without
/// a price. Traffic: acme's key calls chat twice ($0.01 each), beta's key other once ($0.02), the master key chat once.
/// </summary>
[Collection("telemetry")] // metrics: a Meter listener hears every gateway of the process
public sealed class SpendReportTests
{
    private const string Yaml = """
        model_list:
          - model_name: chat
            litellm_params: { model: mock/priced, mock_response: ok, input_cost_per_token: 0.0001, output_cost_per_token: 0 }
            model_info: { id: mock-chat }
          - model_name: other
            litellm_params: { model: mock/dear, mock_response: ok, input_cost_per_token: 0.0002, output_cost_per_token: 0 }
          - model_name: private
            litellm_params: { model: openai/house-model-7b, api_base: "http://127.0.0.1:9/v1", api_key: sk-unused }
            model_info: { id: house-7b }
        router_settings:
          model_group_alias:
            smart: chat
        """;

    private static readonly DateTimeOffset Start = new(2030, 1, 15, 12, 0, 0, TimeSpan.Zero);

    private sealed record Traffic(GatewayFixture Gw, string AcmeKey, string AcmeHash, string BetaHash);

    private static async Task<Traffic> RunTrafficAsync(GatewayFixture gw)
    {
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "acme", team_alias = "Acme Research" })).Status);
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "beta" })).Status);
        var (acme, acmeHash) = await gw.GenerateKeyAsync(new { team_id = "acme", key_alias = "acme-agent", scopes = new[] { "invoke", "usage:read" } });
        var (beta, betaHash) = await gw.GenerateKeyAsync(new { team_id = "beta", key_alias = "beta-agent" });
        Assert.Equal(200, (await gw.ChatAsync(acme, "chat")).Status);
        Assert.Equal(200, (await gw.ChatAsync(acme, "smart")).Status);
        Assert.Equal(200, (await gw.ChatAsync(beta, "other")).Status);
        Assert.Equal(200, (await gw.ChatAsync(GatewayFixture.MasterKey, "chat")).Status);
        return new Traffic(gw, acme, acmeHash, betaHash);
    }

    private static (string? Name, long Requests, decimal Spend)[] Rows(JsonElement summary)
        => summary.GetProperty("rows").EnumerateArray().Select(r => (r.GetProperty("name").GetString(), r.GetProperty("requests").GetInt64(), r.GetProperty("spend").GetDecimal())).ToArray();

    [Fact]
    public async Task Summary_ByModelTenantAliasDayAndKey()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml, new FakeTimeProvider(Start));
        var t = await RunTrafficAsync(gw);

        var byModel = (await gw.GetAsync("/spend/summary?group_by=model")).Json;
        var byTenant = (await gw.GetAsync("/spend/summary?group_by=tenant")).Json;
        var byAlias = (await gw.GetAsync("/spend/summary?group_by=alias")).Json;
        var byDay = (await gw.GetAsync("/spend/summary?group_by=day&start_date=2030-01-15&end_date=2030-01-15")).Json;
        var byKey = (await gw.GetAsync("/spend/summary?group_by=key")).Json;

        Assert.Equal([("mock/priced", 3L, 0.03m), ("mock/dear", 1L, 0.02m)], Rows(byModel));
        Assert.Equal([("acme", 2L, 0.02m), ("beta", 1L, 0.02m), (null, 1L, 0.01m)], Rows(byTenant));
        Assert.Equal("Acme Research", byTenant.GetProperty("rows")[0].GetProperty("team_alias").GetString());
        Assert.Equal([("chat", 2L, 0.02m), ("other", 1L, 0.02m), ("smart", 1L, 0.01m)], Rows(byAlias));
        Assert.Equal([("2030-01-15", 4L, 0.05m)], Rows(byDay));
        var keyRows = Rows(byKey);
        Assert.Equal([(t.AcmeHash, 2L, 0.02m), (t.BetaHash, 1L, 0.02m)], keyRows[..2].OrderBy(r => r.Name == t.BetaHash)); // equal spend: by id
        Assert.Equal((null, 1L, 0.01m), keyRows[2]);
        Assert.Equal("acme-agent", byKey.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("name").GetString() == t.AcmeHash).GetProperty("key_alias").GetString());
        var total = byModel.GetProperty("total");
        Assert.Equal((4L, 400L, 0.05m), (total.GetProperty("requests").GetInt64(), total.GetProperty("prompt_tokens").GetInt64(), total.GetProperty("spend").GetDecimal()));
    }

    [Fact]
    public async Task Summary_DatesOutsideTheTraffic_NoRows_AndATenantTokenSeesItsTenantOnly()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml, new FakeTimeProvider(Start));
        var t = await RunTrafficAsync(gw);

        var before = (await gw.GetAsync("/spend/summary?start_date=2030-01-01&end_date=2030-01-14")).Json;
        var mine = (await gw.GetAsync("/spend/summary?group_by=tenant", t.AcmeKey)).Json;
        var bad = await gw.GetAsync("/spend/summary?group_by=weekday");

        Assert.Empty(Rows(before));
        Assert.Equal([("acme", 2L, 0.02m)], Rows(mine));
        Assert.Equal((400, "group_by"), (bad.Status, bad.ErrorParam));
    }

    [Fact]
    public async Task CliSpend_TableByTenant_AndJson()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml, new FakeTimeProvider(Start));
        await RunTrafficAsync(gw);
        var master = Path.Combine(CliProcess.NewFolder(), "master.key");
        File.WriteAllText(master, GatewayFixture.MasterKey + "\n");
        string[] common = ["--url", gw.BaseUrl, "--token-file", master, "--since", "2030-01-01"];

        var table = await CliProcess.RunAsync(["spend", "--by", "tenant", .. common]);
        var json = await CliProcess.RunAsync(["spend", "--by", "model", "--json", .. common]);
        var badSince = await CliProcess.RunAsync(["spend", "--since", "last week", .. common[..4]]);

        Assert.True(table.Code == 0, table.Stderr);
        var lines = table.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("spend since 2030-01-01, by tenant", lines[0]);
        Assert.Matches(@"^tenant\s+requests\s+prompt_tokens\s+completion_tokens\s+spend\s+share$", lines[1].TrimEnd());
        Assert.Matches(@"^acme \(Acme Research\)\s+2\s+200\s+\d+\s+\$0\.020000\s+40\.0%", lines[2]);
        Assert.Matches(@"^beta\s+1\s+100\s+\d+\s+\$0\.020000\s+40\.0%", lines[3]);
        Assert.Matches(@"^\(no tenant\)\s+1\s+100\s+\d+\s+\$0\.010000\s+20\.0%", lines[4]);
        Assert.Matches(@"^total\s+4\s+400\s+\d+\s+\$0\.050000\s+100\.0%", lines[5]);
        Assert.True(json.Code == 0, json.Stderr);
        Assert.Equal("mock/priced", JsonDocument.Parse(json.Stdout).RootElement.GetProperty("rows")[0].GetProperty("name").GetString());
        Assert.Equal(2, badSince.Code);
        Assert.Contains("--since 'last week' is neither a span", badSince.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GlobalSpendReport_LiteLLMsShapes()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml, new FakeTimeProvider(Start));
        var t = await RunTrafficAsync(gw);
        const string Dates = "start_date=2030-01-15&end_date=2030-01-15";

        var byTeam = (await gw.GetAsync("/global/spend/report?" + Dates)).Json;
        var byKey = (await gw.GetAsync("/global/spend/report?group_by=api_key&" + Dates)).Json;
        var byCustomer = (await gw.GetAsync("/global/spend/report?group_by=customer&" + Dates)).Json;
        var oneKey = (await gw.GetAsync("/global/spend/report?api_key=" + t.AcmeKey + "&" + Dates)).Json;
        var noEnd = await gw.GetAsync("/global/spend/report?start_date=2030-01-15");
        var earlier = (await gw.GetAsync("/global/spend/report?start_date=2030-01-01&end_date=2030-01-14")).Json;

        var day = Assert.Single(byTeam.EnumerateArray());
        Assert.Equal("2030-01-15T00:00:00+00:00", day.GetProperty("group_by_day").GetString());
        var teams = day.GetProperty("teams").EnumerateArray().ToDictionary(x => x.GetProperty("team_name").GetString()!);
        Assert.Equal(["Acme Research", "Unassigned Team", "beta"], teams.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(0.02m, teams["Acme Research"].GetProperty("total_spend").GetDecimal());
        var acme = Assert.Single(teams["Acme Research"].GetProperty("metadata").EnumerateArray());
        Assert.Equal(("mock/priced", t.AcmeHash, 0.02m), (acme.GetProperty("model").GetString(), acme.GetProperty("api_key").GetString(), acme.GetProperty("spend").GetDecimal()));
        Assert.True(acme.GetProperty("total_tokens").GetInt64() >= 200);

        var keys = byKey.EnumerateArray().ToArray();
        Assert.Equal(3, keys.Length);
        Assert.Equal(0.02m, keys[0].GetProperty("total_cost").GetDecimal());
        Assert.Equal(200, keys.Single(k => k.GetProperty("api_key").GetString() == t.AcmeHash).GetProperty("total_input_tokens").GetInt64());
        var detail = Assert.Single(keys.Single(k => k.GetProperty("api_key").GetString() == t.BetaHash).GetProperty("model_details").EnumerateArray());
        Assert.Equal(("mock/dear", 0.02m, 100L), (detail.GetProperty("model").GetString(), detail.GetProperty("total_cost").GetDecimal(), detail.GetProperty("total_input_tokens").GetInt64()));
        Assert.True(detail.TryGetProperty("total_output_tokens", out _));

        var customer = Assert.Single(Assert.Single(byCustomer.EnumerateArray()).GetProperty("customers").EnumerateArray());
        Assert.Equal(JsonValueKind.Null, customer.GetProperty("customer").ValueKind);
        Assert.Equal(0.05m, customer.GetProperty("total_spend").GetDecimal());
        Assert.Equal(t.AcmeHash, Assert.Single(oneKey.EnumerateArray()).GetProperty("api_key").GetString());
        Assert.Equal((400, "end_date"), (noEnd.Status, noEnd.ErrorParam));
        Assert.Equal(0, earlier.GetArrayLength());
    }

    [Fact]
    public async Task Metrics_SpendByAliasAndProviderModel()
    {
        var capture = new TelemetryCapture();
        await using var gw = await GatewayFixture.StartAsync(Yaml, metrics: capture.Metering);
        await RunTrafficAsync(gw);

        var metrics = capture.Collect(gw);

        var priced = TelemetryCapture.Points(metrics, "switchyard.spend", ("gen_ai.response.model", "priced"));
        Assert.Equal(0.03, priced.Sum(p => p.GetSumDouble()), 6);
        Assert.Equal(0.02, TelemetryCapture.Points(metrics, "switchyard.spend", ("switchyard.alias", "chat"), ("gen_ai.response.model", "priced")).Sum(p => p.GetSumDouble()), 6);
        Assert.Equal(0.01, Assert.Single(TelemetryCapture.Points(metrics, "switchyard.spend", ("switchyard.alias", "smart"))).GetSumDouble(), 6);
        Assert.Equal(0.02, Assert.Single(TelemetryCapture.Points(metrics, "switchyard.spend", ("gen_ai.response.model", "dear"), ("switchyard.tenant_id", "beta"))).GetSumDouble(), 6);
    }

    [Fact]
    public async Task Start_DeploymentWithoutAPrice_WarnedNamingIt()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);

        var warning = Assert.Single(gw.Logs.Entries, e => e.EventId.Id == 110);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("house-7b", warning.Message, StringComparison.Ordinal);
        Assert.Contains("openai/house-model-7b", warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(gw.Logs.Entries, e => e.EventId.Id == 110 && e.Message.Contains("mock", StringComparison.Ordinal));
    }
}
