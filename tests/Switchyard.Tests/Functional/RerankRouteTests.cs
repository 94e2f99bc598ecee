using System.Text.Json;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Functional;

/// <summary>
/// The rerank route through the one inference pipeline on the mock provider: the schema gate's typed 400s, unknown
/// aliases, model_info.mode keeping rerank and chat deployments apart, tokens and scopes, RPM and TPM limits, spend rows.
/// </summary>
public sealed class RerankRouteTests
{
    private const string MockYaml = """
        model_list:
          - model_name: ranker
            litellm_params: { model: mock/rerank-v3.5 }
            model_info: { mode: rerank }
          - model_name: chatty
            litellm_params: { model: mock/chat-model }
            model_info: { mode: chat }
          - model_name: anything
            litellm_params: { model: mock/any }
        """;

    private const string Valid = """{"model":"ranker","query":"red apples","documents":["green pears","red apples and red cherries","blue sky"]}""";

    [Fact]
    public async Task Mock_RanksTheDocumentHoldingTheQueryFirst_SameAnswerEveryTime_MarkedMock()
    {
        await using var gw = await GatewayFixture.StartAsync(MockYaml);

        var first = await gw.SendAsync(HttpMethod.Post, "/v1/rerank", GatewayFixture.MasterKey, Valid);
        var again = await gw.SendAsync(HttpMethod.Post, "/rerank", GatewayFixture.MasterKey, Valid);

        Assert.True(first.Status == 200, first.ToString());
        Assert.Equal("true", first.Header("x-switchyard-mock"));
        var results = first.Json.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(3, results.Length);
        Assert.Equal(1, results[0].GetProperty("index").GetInt32());
        Assert.True(results[0].GetProperty("relevance_score").GetDouble() > results[1].GetProperty("relevance_score").GetDouble());
        Assert.StartsWith("rerank-mock-", first.Json.GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, first.Json.GetProperty("meta").GetProperty("billed_units").GetProperty("search_units").GetInt32());
        Assert.Equal(first.Body, again.Body);
    }

    [Fact]
    public async Task Mock_NoModeDeployment_TakesRerankToo_WithTopNAndDocuments()
    {
        await using var gw = await GatewayFixture.StartAsync(MockYaml);

        var r = await gw.SendAsync(HttpMethod.Post, "/v2/rerank", GatewayFixture.MasterKey,
            """{"model":"anything","query":"red apples","documents":["green pears",{"text":"red apples"}],"top_n":1,"return_documents":true}""");

        Assert.True(r.Status == 200, r.ToString());
        var result = Assert.Single(r.Json.GetProperty("results").EnumerateArray());
        Assert.Equal("""{"text":"red apples"}""", result.GetProperty("document").GetRawText());
    }

    [Theory]
    [InlineData("""{"query":"q","documents":["a"]}""", "model", "missing_field")]
    [InlineData("""{"model":"ranker","documents":["a"]}""", "query", "missing_field")]
    [InlineData("""{"model":"ranker","query":"","documents":["a"]}""", "query", "invalid_value")]
    [InlineData("""{"model":"ranker","query":["q"],"documents":["a"]}""", "query", "invalid_type")]
    [InlineData("""{"model":"ranker","query":"q"}""", "documents", "missing_field")]
    [InlineData("""{"model":"ranker","query":"q","documents":[]}""", "documents", "invalid_value")]
    [InlineData("""{"model":"ranker","query":"q","documents":"a"}""", "documents", "invalid_type")]
    [InlineData("""{"model":"ranker","query":"q","documents":["a",42]}""", "documents[1]", "invalid_type")]
    [InlineData("""{"model":"ranker","query":"q","documents":["a",{"title":"t"}]}""", "documents[1]", "invalid_value")]
    [InlineData("""{"model":"ranker","query":"q","documents":["a"],"top_n":0}""", "top_n", "invalid_value")]
    [InlineData("""{"model":"ranker","query":"q","documents":["a"],"top_n":-3}""", "top_n", "invalid_value")]
    [InlineData("""{"model":"ranker","query":"q","documents":["a"],"top_n":"2"}""", "top_n", "invalid_type")]
    [InlineData("""{"model":"ranker","query":"q","documents":["a"],"top_n":1.5}""", "top_n", "invalid_type")]
    [InlineData("""{"model":"ranker","query":"q","documents":["a"],"return_documents":"yes"}""", "return_documents", "invalid_type")]
    [InlineData("""{"model":"ranker","query":"q","documents":["a"],"rank_fields":"title"}""", "rank_fields", "invalid_type")]
    [InlineData("""{"model":"ranker","query":"q","documents":["a"],"rank_fields":[1]}""", "rank_fields[0]", "invalid_type")]
    [InlineData("""{"model":"ranker","query":"q","documents":["a"],"max_chunks_per_doc":0}""", "max_chunks_per_doc", "invalid_value")]
    [InlineData("""{"model":"ranker","query":"q","documents":["a"]} trailing""", null, "invalid_json")]
    public async Task BadBody_Typed400NamingTheField(string body, string? param, string code)
    {
        await using var gw = await GatewayFixture.StartAsync(MockYaml);

        using var r = await gw.PostAsync("/v1/rerank", body);

        var s = await FailureAssert.ReadAsync(r, 400, "invalid_request_error", code);
        Assert.Equal(param, s.Param);
    }

    [Fact]
    public async Task Documents_AThousandPass_OneMoreIsRefusedNamingTheLimit()
    {
        await using var gw = await GatewayFixture.StartAsync(MockYaml);
        static string Body(int n) => JsonSerializer.Serialize(new { model = "ranker", query = "q", documents = Enumerable.Range(0, n).Select(i => "doc " + i) });

        var thousand = await gw.SendAsync(HttpMethod.Post, "/v1/rerank", GatewayFixture.MasterKey, Body(1000));
        using var tooMany = await gw.PostAsync("/v1/rerank", Body(1001));

        Assert.True(thousand.Status == 200, thousand.ToString());
        Assert.Equal(10, thousand.Json.GetProperty("meta").GetProperty("billed_units").GetProperty("search_units").GetInt32());
        var s = await FailureAssert.ReadAsync(tooMany, 400, "invalid_request_error", "invalid_value");
        Assert.Equal("documents", s.Param);
        Assert.Contains("1000", s.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RankFields_ObjectsWithoutText_Pass()
    {
        await using var gw = await GatewayFixture.StartAsync(MockYaml);

        var r = await gw.SendAsync(HttpMethod.Post, "/v1/rerank", GatewayFixture.MasterKey,
            """{"model":"ranker","query":"red apples","documents":[{"title":"blue"},{"title":"red apples"}],"rank_fields":["title"]}""");

        Assert.True(r.Status == 200, r.ToString());
        Assert.Equal(1, r.Json.GetProperty("results")[0].GetProperty("index").GetInt32());
    }

    [Fact]
    public async Task UnknownAlias_Typed404WithTheNearestName()
    {
        await using var gw = await GatewayFixture.StartAsync(MockYaml);

        using var r = await gw.PostAsync("/v1/rerank", """{"model":"rankr","query":"q","documents":["a"]}""");

        var s = await FailureAssert.ReadAsync(r, 404, "not_found", "model_not_found");
        Assert.Contains("'ranker'", s.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Mode_ChatDeploymentRefusesRerank_RerankDeploymentRefusesChatAndEmbeddings()
    {
        await using var gw = await GatewayFixture.StartAsync(MockYaml);

        using var rerankOnChat = await gw.PostAsync("/v1/rerank", """{"model":"chatty","query":"q","documents":["a"]}""");
        using var chatOnRerank = await gw.PostAsync("/v1/chat/completions", """{"model":"ranker","messages":[{"role":"user","content":"hi"}]}""");
        using var embedOnRerank = await gw.PostAsync("/v1/embeddings", """{"model":"ranker","input":"hi"}""");

        var s1 = await FailureAssert.ReadAsync(rerankOnChat, 400, "invalid_request_error", "operation_not_supported");
        Assert.Contains("'rerank'", s1.Message, StringComparison.Ordinal);
        Assert.Contains("'chat'", s1.Message, StringComparison.Ordinal);
        var s2 = await FailureAssert.ReadAsync(chatOnRerank, 400, "invalid_request_error", "operation_not_supported");
        Assert.Contains("'rerank'", s2.Message, StringComparison.Ordinal);
        await FailureAssert.ReadAsync(embedOnRerank, 400, "invalid_request_error", "operation_not_supported");
    }

    [Fact]
    public async Task ProvidersWithoutRerank_RefusedTyped_NothingSent()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: gpt
                litellm_params: { model: openai/gpt-4o-mini, api_base: "{{upstream.BaseUrl}}/v1", api_key: sk-x }
              - model_name: claude
                litellm_params: { model: anthropic/claude-x, api_base: "{{upstream.BaseUrl}}", api_key: sk-ant }
              - model_name: cohere-chat
                litellm_params: { model: cohere_chat/command-r, api_base: "{{upstream.BaseUrl}}", api_key: co-x }
            """);

        foreach (var model in new[] { "gpt", "claude", "cohere-chat" })
        {
            using var r = await gw.PostAsync("/v1/rerank", $$"""{"model":"{{model}}","query":"q","documents":["a"]}""");
            var s = await FailureAssert.ReadAsync(r, 400, "invalid_request_error", "operation_not_supported");
            Assert.Contains("rerank", s.Message, StringComparison.Ordinal);
        }

        Assert.Empty(upstream.Requests);
    }

    [Fact]
    public async Task Tokens_InvokeScopeCallsRerank_OthersRefused_ModelsAndRpmApply_SpendRowPerCall()
    {
        await using var gw = await GatewayFixture.StartAsync(MockYaml);
        var (limited, _) = await gw.GenerateKeyAsync(new { rpm_limit = 2 });
        var (narrow, _) = await gw.GenerateKeyAsync(new { models = new[] { "chatty" } });
        var (usageOnly, _) = await gw.GenerateKeyAsync(new { scopes = new[] { "usage:read" } });

        var anonymous = await gw.SendAsync(HttpMethod.Post, "/v1/rerank", null, Valid);
        var notAllowed = await gw.SendAsync(HttpMethod.Post, "/v1/rerank", narrow, Valid);
        var noScope = await gw.SendAsync(HttpMethod.Post, "/v1/rerank", usageOnly, Valid);
        var one = await gw.SendAsync(HttpMethod.Post, "/v1/rerank", limited, Valid);
        var two = await gw.SendAsync(HttpMethod.Post, "/v2/rerank", limited, Valid);
        var three = await gw.SendAsync(HttpMethod.Post, "/rerank", limited, Valid);

        Assert.Equal(401, anonymous.Status);
        Assert.Equal(403, notAllowed.Status);
        Assert.Equal("model_not_allowed", notAllowed.ErrorCode);
        Assert.Equal(403, noScope.Status);
        Assert.Equal("missing_scope", noScope.ErrorCode);
        Assert.Equal([200, 200], new[] { one.Status, two.Status });
        Assert.Equal(429, three.Status);
        Assert.Equal("rate_limited", three.Error.GetProperty("type").GetString());
        await GatewayApi.WaitUntilAsync(() =>
        {
            using var c = GatewayApi.OpenSqlite(gw.SqlitePath);
            return c.Scalar("SELECT COUNT(*) FROM spend_logs WHERE status = 200") >= 2;
        }, "two spend rows");
        using var db = GatewayApi.OpenSqlite(gw.SqlitePath);
        Assert.Equal(2, db.Scalar("SELECT COUNT(*) FROM spend_logs WHERE alias = 'ranker' AND status = 200 AND prompt_tokens > 0"));
    }

    [Fact]
    public async Task Tpm_EstimateOfQueryAndDocuments_RefusesALargeRequestBeforeRouting()
    {
        await using var gw = await GatewayFixture.StartAsync(MockYaml);
        var (key, _) = await gw.GenerateKeyAsync(new { tpm_limit = 200 });
        var large = JsonSerializer.Serialize(new { model = "ranker", query = "q", documents = Enumerable.Range(0, 50).Select(i => $"document number {i} about many different topics and words") });

        var small = await gw.SendAsync(HttpMethod.Post, "/v1/rerank", key, Valid);
        var refused = await gw.SendAsync(HttpMethod.Post, "/v1/rerank", key, large);

        Assert.True(small.Status == 200, small.ToString());
        Assert.Equal(429, refused.Status);
        Assert.Equal("tpm_limit", refused.ErrorCode);
    }

    [Fact]
    public async Task Routes_ListsTheThreeRerankPaths()
    {
        await using var gw = await GatewayFixture.StartAsync(MockYaml);

        var r = await gw.GetAsync("/routes");

        var routes = r.Json.GetProperty("routes").EnumerateArray()
            .ToDictionary(e => e.GetProperty("path").GetString()!, e => e.GetProperty("methods").EnumerateArray().Select(m => m.GetString()!).ToArray());
        foreach (var path in new[] { "/rerank", "/v1/rerank", "/v2/rerank" })
        {
            Assert.Equal(["POST"], routes[path]);
        }
    }
}
