using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Anthropic;
using Anthropic.Models.Messages;
using OpenAI.Chat;
using OpenAI.Responses;
using Switchyard.Tests.Infrastructure;

#pragma warning disable OPENAI001 // the Responses client is marked experimental

namespace Switchyard.Tests.Providers.Vertex;

/// <summary>
/// Vertex AI end to end: a real gateway, a fake aiplatform API and a fake Google OAuth token endpoint on real sockets.
/// The service account's key is made here; the token endpoint verifies the gateway's RS256 JWT assertion with it, and the
/// fake Vertex takes only the tokens the endpoint minted.
/// </summary>
public sealed class VertexGatewayTests : IAsyncLifetime
{
    private readonly VertexWire.ServiceAccount _account = new();
    private FakeUpstream _oauth = null!;
    private FakeUpstream _vertex = null!;
    private string _credentials = "";

    public async Task InitializeAsync()
    {
        _oauth = await FakeUpstream.StartAsync();
        _vertex = await FakeUpstream.StartAsync();
        var tokenUri = _oauth.BaseUrl + "/token";
        _oauth.Handler = VertexWire.TokenEndpoint(_account);
        _credentials = _account.WriteFile(tokenUri);
    }

    public async Task DisposeAsync()
    {
        await _oauth.DisposeAsync();
        await _vertex.DisposeAsync();
        _account.Dispose();
    }

    private Func<HttpContext, RecordedRequest, Task> Vertex(Func<HttpContext, RecordedRequest, Task> handler)
        => VertexWire.Validated(() => _account.Minted, handler);

    private Task<GatewayFixture> StartAsync(string model = "gemini-2.5-flash", string extra = "")
        => GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: vx
                litellm_params:
                  model: vertex_ai/{{model}}
                  vertex_project: {{VertexWire.Project}}
                  vertex_location: {{VertexWire.Location}}
                  vertex_credentials: {{_credentials}}
                  api_base: {{_vertex.BaseUrl}}
            """ + extra);

    [Fact]
    public async Task Chat_Gemini_TokenMintedOnceAndReused_PathNamesProjectLocationAndModel_UsageWithCachedAndThinking()
    {
        _vertex.Handler = Vertex((c, _) => GeminiWire.WriteResponseAsync(c, [GeminiWire.Text("Hallo")], usage: GeminiWire.Usage(prompt: 40, candidates: 4, cached: 32, thoughts: 9)));
        await using var gw = await StartAsync();

        var first = (await gw.Chat("vx").CompleteChatAsync([new SystemChatMessage("Be brief."), new UserChatMessage("Hello")])).Value;
        var second = (await gw.Chat("vx").CompleteChatAsync([new UserChatMessage("Again")])).Value;

        Assert.Equal("Hallo", first.Content[0].Text);
        Assert.Equal("Hallo", second.Content[0].Text);
        Assert.Equal(40, first.Usage.InputTokenCount);
        Assert.Equal(32, first.Usage.InputTokenDetails.CachedTokenCount);
        Assert.Equal(13, first.Usage.OutputTokenCount);
        Assert.Equal(9, first.Usage.OutputTokenDetails.ReasoningTokenCount);
        var token = Assert.Single(_account.Minted);
        Assert.Single(_account.Claims);
        Assert.Equal(2, _vertex.Count);
        Assert.All(_vertex.Requests, r =>
        {
            Assert.Equal(VertexWire.ModelPath("google", "gemini-2.5-flash", "generateContent"), r.PathAndQuery);
            Assert.Equal("Bearer " + token, r.Headers["authorization"]);
            Assert.False(r.Headers.ContainsKey("x-goog-api-key"));
        });
        Assert.Equal("Be brief.", GeminiWire.Body(_vertex.Requests.First()).GetProperty("systemInstruction").GetProperty("parts")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Chat_Gemini_Cost_VertexPricesFromTheTable()
    {
        _vertex.Handler = Vertex((c, _) => GeminiWire.WriteResponseAsync(c, [GeminiWire.Text("ok")], usage: GeminiWire.Usage(prompt: 1000, candidates: 100, cached: 400)));
        await using var gw = await StartAsync("gemini-2.5-pro");

        using var response = await gw.Http.PostAsync("/v1/chat/completions", new StringContent("""{"model":"vx","messages":[{"role":"user","content":"hi"}]}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        // gemini-2.5-pro on Vertex: $1.25 in, $10 out per million; cache reads 0.1x of the input price.
        var expected = (600 * 1.25m + 400 * 0.125m + 100 * 10m) / 1_000_000m;
        Assert.Equal(expected.ToString("0.##########", System.Globalization.CultureInfo.InvariantCulture), Assert.Single(response.Headers.GetValues("x-litellm-response-cost")));
    }

    [Fact]
    public async Task Stream_Gemini_StreamGenerateContentWithAltSse_ChunksRelayed()
    {
        _vertex.Handler = Vertex((c, _) => GeminiWire.WriteStreamAsync(c,
            GeminiWire.Response([GeminiWire.Text("Guten")], null, GeminiWire.Usage(20, 1)),
            GeminiWire.Response([GeminiWire.Text(" Tag")], "STOP", GeminiWire.Usage(20, 2))));
        await using var gw = await StartAsync();

        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        await foreach (var update in gw.Chat("vx").CompleteChatStreamingAsync([new UserChatMessage("Hello")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }

            finish ??= update.FinishReason;
        }

        Assert.Equal("Guten Tag", text.ToString());
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.Equal(VertexWire.ModelPath("google", "gemini-2.5-flash", "streamGenerateContent?alt=sse"), Assert.Single(_vertex.Requests).PathAndQuery);
    }

    [Fact]
    public async Task Responses_Gemini_TranslatedThroughChat()
    {
        _vertex.Handler = Vertex((c, _) => GeminiWire.WriteResponseAsync(c, [GeminiWire.Text("Hello from Vertex")], usage: GeminiWire.Usage(12, 4)));
        await using var gw = await StartAsync();

        var response = (await gw.Client().GetResponsesClient().CreateResponseAsync(new CreateResponseOptions("vx", [ResponseItem.CreateUserMessageItem("hi")]) { Instructions = "be kind" })).Value;

        Assert.Equal("Hello from Vertex", response.GetOutputText());
        Assert.Equal(12, response.Usage.InputTokenCount);
        var sent = Assert.Single(_vertex.Requests);
        Assert.Equal("be kind", GeminiWire.Body(sent).GetProperty("systemInstruction").GetProperty("parts")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Messages_Claude_PassedThroughToRawPredict_ModelOutOfTheBody_VertexVersionIn_UsageRead()
    {
        _vertex.Handler = Vertex((c, _) => AnthropicWire.WriteMessageAsync(c, [AnthropicWire.Text("Bonjour")], input: 30, output: 5, cacheRead: 10));
        await using var gw = await StartAsync("claude-sonnet-4@20250514");
        var sdk = new AnthropicClient { ApiKey = GatewayFixture.MasterKey, BaseUrl = gw.BaseUrl, MaxRetries = 0 };

        var message = await sdk.Messages.Create(new MessageCreateParams { Model = "vx", MaxTokens = 64, System = "Be brief.", Messages = [new UserMessageParam("Hello")] });

        Assert.True(Assert.Single(message.Content).TryPickText(out var text));
        Assert.Equal("Bonjour", text.Text);
        Assert.Equal(30, message.Usage.InputTokens);
        Assert.Equal(10, message.Usage.CacheReadInputTokens);
        var sent = Assert.Single(_vertex.Requests);
        Assert.Equal(VertexWire.ModelPath("anthropic", "claude-sonnet-4@20250514", "rawPredict"), sent.PathAndQuery);
        Assert.Equal("Bearer " + Assert.Single(_account.Minted), sent.Headers["authorization"]);
        Assert.False(sent.Headers.ContainsKey("x-api-key"));
        var body = JsonDocument.Parse(sent.Body).RootElement;
        Assert.Equal("vertex-2023-10-16", body.GetProperty("anthropic_version").GetString());
        Assert.False(body.TryGetProperty("model", out _));
        Assert.Equal("Be brief.", body.GetProperty("system").GetString());
    }

    [Fact]
    public async Task Chat_ClaudeStream_TranslatedFromStreamRawPredict()
    {
        _vertex.Handler = Vertex((c, _) => AnthropicWire.WriteTextStreamAsync(c, "end_turn", "Bon", "jour"));
        await using var gw = await StartAsync("claude-3-5-haiku@20241022");

        var text = new StringBuilder();
        await foreach (var update in gw.Chat("vx").CompleteChatStreamingAsync([new UserChatMessage("Hello")]))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
        }

        Assert.Equal("Bonjour", text.ToString());
        var sent = Assert.Single(_vertex.Requests);
        Assert.Equal(VertexWire.ModelPath("anthropic", "claude-3-5-haiku@20241022", "streamRawPredict"), sent.PathAndQuery);
        Assert.True(JsonDocument.Parse(sent.Body).RootElement.GetProperty("stream").GetBoolean());
    }

    [Fact]
    public async Task Embeddings_TextEmbeddingModel_PredictInstances_VectorsAndTokenCounts()
    {
        _vertex.Handler = Vertex((c, _) => VertexWire.WritePredictAsync(c, ([0.25f, -0.5f], 3), ([1f, 0f], 4)));
        await using var gw = await StartAsync("text-embedding-005");

        using var response = await gw.Http.PostAsync("/v1/embeddings", new StringContent("""{"model":"vx","input":["hello there","bye"],"dimensions":2}"""));

        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        var body = JsonDocument.Parse(text).RootElement;
        Assert.Equal("[0.25,-0.5]", body.GetProperty("data")[0].GetProperty("embedding").GetRawText());
        Assert.Equal(1, body.GetProperty("data")[1].GetProperty("index").GetInt32());
        Assert.Equal(7, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        var sent = Assert.Single(_vertex.Requests);
        Assert.Equal(VertexWire.ModelPath("google", "text-embedding-005", "predict"), sent.PathAndQuery);
        Assert.Equal("""{"instances":[{"content":"hello there"},{"content":"bye"}],"parameters":{"outputDimensionality":2}}""", sent.Body);
    }

    [Fact]
    public async Task RateLimited_ResourceExhausted_429WithRetryAfterFromRetryInfo_UpstreamMessageWithheld()
    {
        _vertex.Handler = Vertex((c, _) => GeminiWire.WriteErrorAsync(c, 429, "RESOURCE_EXHAUSTED",
            "Quota exceeded for aiplatform.googleapis.com/generate_content_requests_per_minute_per_project_per_base_model SECRET-QUOTA-DETAIL", [GeminiWire.RetryInfo("7s")]));
        await using var gw = await StartAsync();

        using var response = await gw.Http.PostAsync("/v1/chat/completions", new StringContent("""{"model":"vx","messages":[{"role":"user","content":"hi"}]}"""));

        var summary = await FailureAssert.ReadAsync(response, 429, "rate_limited", "upstream_rate_limited");
        Assert.Equal("vertex_ai", summary.ProviderFamily);
        Assert.Equal(7000, summary.RetryAfterMs);
        Assert.DoesNotContain("SECRET-QUOTA-DETAIL", summary.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TokenEndpointRefuses_AuthFailureSummaryNamingTheSource_NoKeyMaterial_VertexNotCalled()
    {
        _account.Refuse = (400, "invalid_grant");
        _vertex.Handler = Vertex((c, _) => GeminiWire.WriteResponseAsync(c, [GeminiWire.Text("never")]));
        await using var gw = await StartAsync();

        using var response = await gw.Http.PostAsync("/v1/chat/completions", new StringContent("""{"model":"vx","messages":[{"role":"user","content":"hi"}]}"""));

        var text = await response.Content.ReadAsStringAsync();
        var summary = FailureAssert.Parse(text);
        Assert.Equal(502, (int)response.StatusCode);
        Assert.Equal("upstream_auth_failed", summary.Code);
        Assert.Equal("vertex_ai", summary.ProviderFamily);
        Assert.Contains("invalid_grant", summary.Message, StringComparison.Ordinal);
        Assert.Contains(_credentials, summary.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE KEY", text, StringComparison.Ordinal);
        Assert.NotEmpty(_account.Claims); // the assertion reached the endpoint, signed and well-formed
        Assert.Equal(0, _vertex.Count);
    }

    [Fact]
    public async Task InlineCredentialsFromEnvironment_ProjectTakenFromTheServiceAccount()
    {
        _vertex.Handler = Vertex((c, _) => GeminiWire.WriteResponseAsync(c, [GeminiWire.Text("inline")]));
        var json = await File.ReadAllTextAsync(_credentials);
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: vx
                litellm_params:
                  model: vertex_ai/gemini-2.5-flash
                  vertex_credentials: os.environ/VERTEX_SA_JSON
                  region_name: {{VertexWire.Location}}
                  api_base: {{_vertex.BaseUrl}}
            """, env: new Dictionary<string, string> { ["VERTEX_SA_JSON"] = json });

        var completion = (await gw.Chat("vx").CompleteChatAsync([new UserChatMessage("Hello")])).Value;

        Assert.Equal("inline", completion.Content[0].Text);
        Assert.Equal(VertexWire.ModelPath("google", "gemini-2.5-flash", "generateContent"), Assert.Single(_vertex.Requests).PathAndQuery);
    }

    [Fact]
    public async Task MetadataServer_NoCredentials_TokenFromGceMetadataHost_MintedOnce()
    {
        await using var metadata = await FakeUpstream.StartAsync();
        var minted = new ConcurrentQueue<string>();
        metadata.Handler = VertexWire.MetadataServer(minted);
        _vertex.Handler = VertexWire.Validated(() => minted, (c, _) => GeminiWire.WriteResponseAsync(c, [GeminiWire.Text("from gce")]));
        var emptyGcloud = Path.Combine(Path.GetTempPath(), "switchyard-tests", "gcloud-" + Guid.NewGuid().ToString("N"));
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: vx
                litellm_params:
                  model: vertex_ai/gemini-2.5-flash
                  api_base: {{_vertex.BaseUrl}}
            """, env: new Dictionary<string, string>
        {
            ["VERTEXAI_PROJECT"] = VertexWire.Project,
            ["VERTEXAI_LOCATION"] = VertexWire.Location,
            ["GCE_METADATA_HOST"] = new Uri(metadata.BaseUrl).Authority,
            ["CLOUDSDK_CONFIG"] = emptyGcloud,
        });

        var first = (await gw.Chat("vx").CompleteChatAsync([new UserChatMessage("Hello")])).Value;
        var second = (await gw.Chat("vx").CompleteChatAsync([new UserChatMessage("Again")])).Value;

        Assert.Equal("from gce", first.Content[0].Text);
        Assert.Equal("from gce", second.Content[0].Text);
        Assert.Equal("ya29.metadata-token-001", Assert.Single(minted));
        Assert.All(_vertex.Requests, r => Assert.Equal("Bearer ya29.metadata-token-001", r.Headers["authorization"]));
        Assert.Empty(_account.Claims);
    }
}
