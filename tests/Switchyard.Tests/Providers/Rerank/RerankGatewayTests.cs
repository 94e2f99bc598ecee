using System.Globalization;
using System.Text.Json;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Providers.Rerank;

/// <summary>
/// Rerank end to end: a real gateway, fake Cohere, Jina and Voyage rerank APIs on real sockets that check the Bearer
/// key and speak each wire shape; the answer always in Cohere's v2 shape, failures typed, upstream bodies never passed on.
/// </summary>
public sealed class RerankGatewayTests
{
    private const string Query = "capital of france";

    private static readonly object[] Documents = ["Berlin is the capital of Germany", new { text = "Paris is the capital of France", id = "fr" }, "Bananas are yellow"];

    private static Task<GatewayFixture> StartAsync(FakeUpstream upstream, string key = RerankWire.Key, string extra = "")
        => GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: rerank
                litellm_params:
                  model: cohere/rerank-v3.5
                  api_key: {{key}}
                  api_base: {{upstream.BaseUrl}}
                model_info: { mode: rerank }
              - model_name: jina
                litellm_params:
                  model: jina_ai/jina-reranker-v2-base-multilingual
                  api_key: {{key}}
                  api_base: {{upstream.BaseUrl}}/v1
              - model_name: voyage
                litellm_params:
                  model: voyage/rerank-2
                  api_key: {{key}}
                  api_base: {{upstream.BaseUrl}}/v1
            router_settings: { num_retries: 0 }
            {{extra}}
            """);

    private static string Body(string model, object? topN = null, bool? returnDocuments = null, object[]? documents = null, int? maxTokensPerDoc = null, int? maxChunksPerDoc = null)
    {
        var body = new Dictionary<string, object?> { ["model"] = model, ["query"] = Query, ["documents"] = documents ?? Documents };
        if (topN is not null)
        {
            body["top_n"] = topN;
        }

        if (returnDocuments is not null)
        {
            body["return_documents"] = returnDocuments;
        }

        if (maxTokensPerDoc is not null)
        {
            body["max_tokens_per_doc"] = maxTokensPerDoc;
        }

        if (maxChunksPerDoc is not null)
        {
            body["max_chunks_per_doc"] = maxChunksPerDoc;
        }

        return JsonSerializer.Serialize(body);
    }

    [Theory]
    [InlineData("/rerank")]
    [InlineData("/v1/rerank")]
    [InlineData("/v2/rerank")]
    public async Task Cohere_EveryPath_SendsV2RerankWithTexts_AnswersCohereShapeWithTheDocumentsAsSent(string path)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = RerankWire.Cohere();
        await using var gw = await StartAsync(upstream);

        var r = await SendAsync(gw, path, Body("rerank", topN: 2, returnDocuments: true));

        Assert.True(r.Status == 200, r.ToString());
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v2/rerank", sent.PathAndQuery);
        Assert.Equal("Bearer " + RerankWire.Key, sent.Headers["authorization"]);
        var body = JsonDocument.Parse(sent.Body).RootElement;
        Assert.Equal("rerank-v3.5", body.GetProperty("model").GetString());
        Assert.Equal(Query, body.GetProperty("query").GetString());
        Assert.Equal("""["Berlin is the capital of Germany","Paris is the capital of France","Bananas are yellow"]""", body.GetProperty("documents").GetRawText());
        Assert.Equal(2, body.GetProperty("top_n").GetInt32());
        Assert.False(body.TryGetProperty("return_documents", out _)); // v2 has none: the gateway returns them itself
        var answer = r.Json;
        Assert.Equal("07734bd2-2473-4f07-94e1-0d9f0e6843cf", answer.GetProperty("id").GetString());
        var results = answer.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal([1, 0], results.Select(x => x.GetProperty("index").GetInt32()));
        Assert.True(results[0].GetProperty("relevance_score").GetDouble() > results[1].GetProperty("relevance_score").GetDouble());
        Assert.Equal("""{"text":"Paris is the capital of France","id":"fr"}""", results[0].GetProperty("document").GetRawText());
        Assert.Equal("""{"text":"Berlin is the capital of Germany"}""", results[1].GetProperty("document").GetRawText());
        Assert.Equal(1, answer.GetProperty("meta").GetProperty("billed_units").GetProperty("search_units").GetInt32());
        Assert.Equal("cohere", gw.Config.Deployments.Single(d => d.ModelName == "rerank").Family);
        Assert.Equal("0.002", r.Header("x-switchyard-response-cost"));
    }

    [Fact]
    public async Task Cohere_WithoutReturnDocuments_ResultsCarryNoDocument_AndTopNAboveTheCountIsEveryDocument()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = RerankWire.Cohere();
        await using var gw = await StartAsync(upstream);

        var r = await SendAsync(gw, "/v1/rerank", Body("rerank", topN: 50));

        Assert.True(r.Status == 200, r.ToString());
        Assert.Equal(3, JsonDocument.Parse(Assert.Single(upstream.Requests).Body).RootElement.GetProperty("top_n").GetInt32());
        var results = r.Json.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(3, results.Length);
        Assert.All(results, x => Assert.False(x.TryGetProperty("document", out _)));
    }

    [Fact]
    public async Task Cohere_RankFields_ObjectsRankedOnThoseFieldsAsLines()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = RerankWire.Cohere();
        await using var gw = await StartAsync(upstream);

        var r = await SendAsync(gw, "/rerank", JsonSerializer.Serialize(new
        {
            model = "rerank",
            query = Query,
            documents = new object[] { new { title = "France", body = "Paris is the capital", n = 1 }, new { title = "Fruit", body = "yellow" } },
            rank_fields = new[] { "title", "n" },
        }));

        Assert.True(r.Status == 200, r.ToString());
        Assert.Equal("""["title: France\nn: 1","title: Fruit"]""", JsonDocument.Parse(Assert.Single(upstream.Requests).Body).RootElement.GetProperty("documents").GetRawText());
    }

    [Fact]
    public async Task Cohere_MaxChunksPerDoc_GoesToV1Rerank_MaxTokensPerDocToV2()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = RerankWire.Cohere();
        await using var gw = await StartAsync(upstream);

        var v1 = await SendAsync(gw, "/rerank", Body("rerank", maxChunksPerDoc: 4));
        var v2 = await SendAsync(gw, "/rerank", Body("rerank", maxTokensPerDoc: 512));
        var both = await SendAsync(gw, "/rerank", Body("rerank", maxChunksPerDoc: 4, maxTokensPerDoc: 512));

        Assert.Equal([200, 200], new[] { v1.Status, v2.Status });
        var sent = upstream.Requests.ToArray();
        Assert.Equal(["/v1/rerank", "/v2/rerank"], sent.Select(s => s.PathAndQuery));
        Assert.Equal(4, JsonDocument.Parse(sent[0].Body).RootElement.GetProperty("max_chunks_per_doc").GetInt32());
        Assert.Equal(512, JsonDocument.Parse(sent[1].Body).RootElement.GetProperty("max_tokens_per_doc").GetInt32());
        Assert.Equal(400, both.Status);
        Assert.Equal("unsupported_value", both.ErrorCode);
        Assert.Equal("max_tokens_per_doc", both.ErrorParam);
    }

    [Fact]
    public async Task Cohere_WrongKey_TypedAuthFailure_CoheresMessageNotPassedOn()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = RerankWire.Cohere();
        await using var gw = await StartAsync(upstream, key: "not-the-key");

        using var response = await gw.PostAsync("/v1/rerank", Body("rerank"));

        var summary = await FailureAssert.ReadAsync(response, 502, "upstream_error", "upstream_auth_failed");
        Assert.Equal("cohere", summary.ProviderFamily);
        Assert.Equal("rerank", summary.Route);
        Assert.DoesNotContain("invalid api token", summary.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cohere_429_RateLimitedWithTheWaitFromRetryAfter()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => CohereWire.WriteErrorAsync(c, 429, "You are using a Trial key, which is limited to 10 API calls / minute.", retryAfter: "7");
        await using var gw = await StartAsync(upstream);

        using var response = await gw.PostAsync("/v1/rerank", Body("rerank"));

        var summary = await FailureAssert.ReadAsync(response, 429, "rate_limited", "upstream_rate_limited");
        Assert.Equal(7000, summary.RetryAfterMs);
        Assert.DoesNotContain("Trial key", summary.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(500, "text/plain", "internal error: stack trace at Rerank()", 502, "upstream_server_error")]
    [InlineData(200, "application/json", """{"results":[{"index":9,"relevance_score":0.5}]}""", 502, "upstream_invalid_response")]
    [InlineData(200, "text/html", "<html>gateway</html>", 502, "upstream_invalid_response")]
    [InlineData(200, "application/json", """{"results":[{"index":0}]}""", 502, "upstream_invalid_response")]
    public async Task Cohere_ServerErrorsAndGarbage_TypedSummaries_BodiesNotPassedOn(int status, string contentType, string payload, int expected, string code)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = async (c, _) =>
        {
            c.Response.StatusCode = status;
            c.Response.ContentType = contentType;
            await c.Response.WriteAsync(payload);
        };
        await using var gw = await StartAsync(upstream);

        using var response = await gw.PostAsync("/v1/rerank", Body("rerank"));

        var summary = await FailureAssert.ReadAsync(response, expected, "upstream_error", code);
        Assert.DoesNotContain("stack trace", summary.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("html", summary.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cohere_Timeout_Typed504()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = async (c, _) => await Task.Delay(TimeSpan.FromSeconds(30), c.RequestAborted);
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: rerank
                litellm_params: { model: cohere/rerank-v3.5, api_key: {{RerankWire.Key}}, api_base: "{{upstream.BaseUrl}}", timeout: 0.3 }
            router_settings: { num_retries: 0 }
            """);

        using var response = await gw.PostAsync("/v1/rerank", Body("rerank"));

        await FailureAssert.ReadAsync(response, 504, "upstream_timeout", "upstream_timeout");
    }

    [Fact]
    public async Task Jina_TopNSent_DocumentsNotAskedBack_TokensFromUsage_InSpendRow()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = RerankWire.Jina();
        await using var gw = await StartAsync(upstream);

        var r = await SendAsync(gw, "/rerank", Body("jina", topN: 1, returnDocuments: true));

        Assert.True(r.Status == 200, r.ToString());
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/rerank", sent.PathAndQuery);
        var body = JsonDocument.Parse(sent.Body).RootElement;
        Assert.Equal("jina-reranker-v2-base-multilingual", body.GetProperty("model").GetString());
        Assert.Equal(1, body.GetProperty("top_n").GetInt32());
        Assert.False(body.GetProperty("return_documents").GetBoolean());
        var result = Assert.Single(r.Json.GetProperty("results").EnumerateArray());
        Assert.Equal(1, result.GetProperty("index").GetInt32());
        Assert.Equal("Paris is the capital of France", result.GetProperty("document").GetProperty("text").GetString());
        var meta = r.Json.GetProperty("meta");
        Assert.Equal(37, meta.GetProperty("billed_units").GetProperty("total_tokens").GetInt32());
        Assert.Equal(37, meta.GetProperty("tokens").GetProperty("input_tokens").GetInt32());
        var row = await SpendRowAsync(gw);
        Assert.Equal(37, row.PromptTokens);
        Assert.Equal(0, row.CompletionTokens);
        Assert.Equal(666, row.CostNanos); // 37 tokens x $0.018 per million
    }

    [Fact]
    public async Task Voyage_TopK_ResultsUnderData_ReadBack()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = RerankWire.Voyage();
        await using var gw = await StartAsync(upstream);

        var r = await SendAsync(gw, "/v1/rerank", Body("voyage", topN: 2));

        Assert.True(r.Status == 200, r.ToString());
        var body = JsonDocument.Parse(Assert.Single(upstream.Requests).Body).RootElement;
        Assert.Equal(2, body.GetProperty("top_k").GetInt32());
        Assert.Equal("rerank-2", body.GetProperty("model").GetString());
        Assert.Equal([1, 0], r.Json.GetProperty("results").EnumerateArray().Select(x => x.GetProperty("index").GetInt32()));
        Assert.Equal(52, r.Json.GetProperty("meta").GetProperty("billed_units").GetProperty("total_tokens").GetInt32());
        Assert.Equal(0.0000026m, decimal.Parse(r.Header("x-switchyard-response-cost")!, CultureInfo.InvariantCulture)); // 52 x $0.05 per million
    }

    [Fact]
    public async Task Voyage_MaxTokensPerDoc_RefusedByName_OrDroppedUnderDropParams()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = RerankWire.Voyage();
        await using var gw = await StartAsync(upstream, extra: """
            switchyard:
              aliases:
                voyage-loose: { model: voyage, drop_params: true }
            """);

        using var refused = await gw.PostAsync("/v1/rerank", Body("voyage", maxTokensPerDoc: 100));
        var dropped = await SendAsync(gw, "/v1/rerank", Body("voyage-loose", maxTokensPerDoc: 100));

        var summary = await FailureAssert.ReadAsync(refused, 400, "invalid_request_error", "unsupported_value");
        Assert.Equal("max_tokens_per_doc", summary.Param);
        Assert.True(dropped.Status == 200, dropped.ToString());
        Assert.Equal("max_tokens_per_doc", dropped.Header("x-switchyard-dropped-params"));
        Assert.False(JsonDocument.Parse(Assert.Single(upstream.Requests).Body).RootElement.TryGetProperty("max_tokens_per_doc", out _));
    }

    [Fact]
    public async Task Voyage_WrongKey_And429_Typed()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = RerankWire.Voyage();
        await using var gw = await StartAsync(upstream, key: "pa-wrong");

        using var denied = await gw.PostAsync("/v1/rerank", Body("voyage"));
        upstream.Handler = (c, _) => RerankWire.WriteDetailAsync(c, 429, "You have exceeded your rate limit", retryAfter: "3");
        using var limited = await gw.PostAsync("/v1/rerank", Body("voyage"));

        await FailureAssert.ReadAsync(denied, 502, "upstream_error", "upstream_auth_failed");
        var summary = await FailureAssert.ReadAsync(limited, 429, "rate_limited", "upstream_rate_limited");
        Assert.Equal(3000, summary.RetryAfterMs);
        Assert.Equal("Bearer pa-wrong", upstream.Requests.First().Headers["authorization"]);
    }

    [Theory]
    [InlineData("hosted_vllm/BAAI/bge-reranker-v2-m3")]
    [InlineData("together_ai/Salesforce/Llama-Rank-V1")]
    [InlineData("infinity/mixedbread-ai/mxbai-rerank-xsmall-v1")]
    public async Task CohereShapedServers_RerankAtApiBase_TopNSent_UsageTokensRead(string model)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = async (c, r) =>
        {
            if (r.Headers.GetValueOrDefault("authorization") != "Bearer " + RerankWire.Key)
            {
                await RerankWire.WriteDetailAsync(c, 401, "unauthorized");
                return;
            }

            var body = JsonDocument.Parse(r.Body).RootElement;
            var count = body.GetProperty("documents").GetArrayLength();
            await c.Response.WriteAsJsonAsync(new
            {
                id = "rerank-d9f2",
                model = body.GetProperty("model").GetString(),
                usage = new { prompt_tokens = 19, total_tokens = 19 },
                results = Enumerable.Range(0, count).Select(i => new { index = i, relevance_score = i == 1 ? 0.93 : 0.02 / (i + 1) }).OrderByDescending(x => x.relevance_score).Take(body.GetProperty("top_n").GetInt32()),
            });
        };
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: local
                litellm_params: { model: {{model}}, api_base: "{{upstream.BaseUrl}}/v1", api_key: {{RerankWire.Key}} }
            """);

        var r = await SendAsync(gw, "/v1/rerank", Body("local", topN: 2));

        Assert.True(r.Status == 200, r.ToString());
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/v1/rerank", sent.PathAndQuery);
        Assert.Equal(model[(model.IndexOf('/', StringComparison.Ordinal) + 1)..], JsonDocument.Parse(sent.Body).RootElement.GetProperty("model").GetString());
        Assert.Equal("rerank-d9f2", r.Json.GetProperty("id").GetString());
        Assert.Equal([1, 0], r.Json.GetProperty("results").EnumerateArray().Select(x => x.GetProperty("index").GetInt32()));
        Assert.Equal(19, r.Json.GetProperty("meta").GetProperty("tokens").GetProperty("input_tokens").GetInt32());
    }

    [Fact]
    public async Task CohereSpendRow_CostIsSearchUnitsTimesThePricePerQuery_TokensEstimated()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = RerankWire.Cohere(searchUnits: 3);
        await using var gw = await StartAsync(upstream);
        var (key, _) = await gw.GenerateKeyAsync(new { models = new[] { "rerank" } });

        var r = await gw.SendAsync(HttpMethod.Post, "/v1/rerank", key, Body("rerank"));

        Assert.True(r.Status == 200, r.ToString());
        var row = await SpendRowAsync(gw);
        Assert.Equal(6_000_000, row.CostNanos); // 3 search units x $0.002
        Assert.True(row.PromptTokens > 0, "the query and documents count as input tokens");
        Assert.Equal("rerank", row.Alias);
    }

    [Fact]
    public async Task InputCostPerQuery_FromModelInfo_WinsOverTheBuiltInPrice()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = RerankWire.Cohere();
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: rerank
                litellm_params: { model: cohere/rerank-v3.5, api_key: {{RerankWire.Key}}, api_base: "{{upstream.BaseUrl}}" }
                model_info: { mode: rerank, input_cost_per_query: 0.005 }
            """);

        var r = await SendAsync(gw, "/rerank", Body("rerank"));

        Assert.True(r.Status == 200, r.ToString());
        Assert.Equal("0.005", r.Header("x-switchyard-response-cost"));
    }

    [Fact]
    public async Task Bedrock_SignedRerankOnTheAgentRuntimeShape_ResultsReadBack_SearchUnitsPriced()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = BedrockWire.Verified(async (c, r) =>
        {
            var body = JsonDocument.Parse(r.Body).RootElement;
            var sources = body.GetProperty("sources").EnumerateArray().Select(s => s.GetProperty("inlineDocumentSource").GetProperty("textDocument").GetProperty("text").GetString()!).ToArray();
            var top = body.GetProperty("rerankingConfiguration").GetProperty("bedrockRerankingConfiguration").GetProperty("numberOfResults").GetInt32();
            await c.Response.WriteAsJsonAsync(new
            {
                results = sources.Select((t, i) => new { index = i, relevanceScore = t.Contains("Paris", StringComparison.Ordinal) ? 0.9 : 0.1 })
                    .OrderByDescending(x => x.relevanceScore).Take(top),
            });
        });
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: bedrock-rerank
                litellm_params:
                  model: bedrock/cohere.rerank-v3-5:0
                  aws_access_key_id: {{BedrockWire.AccessKey}}
                  aws_secret_access_key: {{BedrockWire.Secret}}
                  aws_region_name: {{BedrockWire.Region}}
                  aws_bedrock_runtime_endpoint: {{upstream.BaseUrl}}
                model_info: { mode: rerank }
            router_settings: { num_retries: 0 }
            """);

        var r = await SendAsync(gw, "/v1/rerank", Body("bedrock-rerank", topN: 1, returnDocuments: true));

        Assert.True(r.Status == 200, r.ToString());
        var sent = Assert.Single(upstream.Requests);
        Assert.Equal("/rerank", sent.PathAndQuery);
        var body = JsonDocument.Parse(sent.Body).RootElement;
        Assert.Equal(Query, body.GetProperty("queries")[0].GetProperty("textQuery").GetProperty("text").GetString());
        Assert.Equal("TEXT", body.GetProperty("queries")[0].GetProperty("type").GetString());
        var config = body.GetProperty("rerankingConfiguration");
        Assert.Equal("BEDROCK_RERANKING_MODEL", config.GetProperty("type").GetString());
        Assert.Equal($"arn:aws:bedrock:{BedrockWire.Region}::foundation-model/cohere.rerank-v3-5:0",
            config.GetProperty("bedrockRerankingConfiguration").GetProperty("modelConfiguration").GetProperty("modelArn").GetString());
        var result = Assert.Single(r.Json.GetProperty("results").EnumerateArray());
        Assert.Equal(1, result.GetProperty("index").GetInt32());
        Assert.Equal("Paris is the capital of France", result.GetProperty("document").GetProperty("text").GetString());
        Assert.Equal(1, r.Json.GetProperty("meta").GetProperty("billed_units").GetProperty("search_units").GetInt32());
        Assert.Equal("0.002", r.Header("x-switchyard-response-cost"));
    }

    [Fact]
    public async Task Bedrock_WrongSecret_TypedAuthFailure()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = BedrockWire.Verified((c, _) => c.Response.WriteAsJsonAsync(new { results = Array.Empty<object>() }));
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: bedrock-rerank
                litellm_params:
                  model: bedrock/amazon.rerank-v1:0
                  aws_access_key_id: {{BedrockWire.AccessKey}}
                  aws_secret_access_key: not-the-secret
                  aws_region_name: {{BedrockWire.Region}}
                  aws_bedrock_runtime_endpoint: {{upstream.BaseUrl}}
            router_settings: { num_retries: 0 }
            """);

        using var response = await gw.PostAsync("/v1/rerank", Body("bedrock-rerank"));

        var summary = await FailureAssert.ReadAsync(response, 502, "upstream_error", "upstream_auth_failed");
        Assert.Equal("bedrock", summary.ProviderFamily);
    }

    [Fact]
    public async Task DoctorProbe_RerankDeployment_ProbesWithARerankNotAChat()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = RerankWire.Cohere();
        var config = Switchyard.Core.Config.ConfigLoader.Load($$"""
            model_list:
              - model_name: rerank
                litellm_params: { model: cohere/rerank-v3.5, api_base: "{{upstream.BaseUrl}}", api_key: {{RerankWire.Key}} }
                model_info: { mode: rerank }
            general_settings: { master_key: sk-rerank-probe-0001 }
            """, Path.GetTempPath());

        var probe = Assert.Single(await Switchyard.Cli.Doctor.DoctorChecks.ProbeAsync(config, CancellationToken.None));

        Assert.True(probe.Id == "SY170", probe.ToString());
        Assert.Equal("/v2/rerank", Assert.Single(upstream.Requests).PathAndQuery);
    }

    private static Task<ApiResponse> SendAsync(GatewayFixture gw, string path, string body) => gw.SendAsync(HttpMethod.Post, path, GatewayFixture.MasterKey, body);

    private static async Task<(string Alias, long PromptTokens, long CompletionTokens, long CostNanos)> SpendRowAsync(GatewayFixture gw)
    {
        await GatewayApi.WaitUntilAsync(() =>
        {
            using var c = GatewayApi.OpenSqlite(gw.SqlitePath);
            return c.Scalar("SELECT COUNT(*) FROM spend_logs") >= 1;
        }, "a spend row");
        using var db = GatewayApi.OpenSqlite(gw.SqlitePath);
        using var cmd = db.CreateCommand();
        cmd.CommandText = "SELECT alias, prompt_tokens, completion_tokens, cost_nanos FROM spend_logs";
        using var reader = cmd.ExecuteReader();
        Assert.True(reader.Read());
        var row = (reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3));
        Assert.False(reader.Read());
        return row;
    }
}
