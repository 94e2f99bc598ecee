using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Switchyard.Core.Requests;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Fuzz;

/// <summary>
/// The schema gate and the HTTP path under generated and mutated bodies: a body is refused with a
/// <see cref="RequestValidationException"/> or accepted, and an accepted body is one every later reader can read with
/// System.Text.Json's defaults. Over HTTP: never a 5xx, never a hang, never an Error log line.
/// </summary>
[Collection(FuzzCollection.Name)]
public sealed class RequestParserFuzzTests
{
    [Fact]
    public Task Inspect_AnyBody_RefusesWithValidationErrorOrAcceptsReadableJson()
        => FuzzRun.CheckAsync(JsonGen.Body, c =>
        {
            RequestInfo info;
            try
            {
                info = RequestInspector.Inspect(c.Body, c.Chat ? OperationKind.Chat : OperationKind.Embeddings);
            }
            catch (RequestValidationException e)
            {
                Assert.False(string.IsNullOrWhiteSpace(e.Message));
                return;
            }

            using var document = JsonDocument.Parse(c.Body);
            ReadEveryString(document.RootElement);
            var rewritten = RequestRewriter.Rewrite(c.Body, info, "gpt-4o-mini", new Dictionary<string, System.Text.Json.Nodes.JsonNode?>(), requestStreamUsage: true);
            using var again = JsonDocument.Parse(rewritten);
            Assert.Equal("gpt-4o-mini", again.RootElement.GetProperty("model").GetString());
        }, cases: 3000, describe: c => Encoding.UTF8.GetString(c.Body));

    [Fact]
    public async Task Gateway_AnyBody_AnswersWithoutServerError()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, r) => r.PathAndQuery.EndsWith("/embeddings", StringComparison.Ordinal)
            ? c.Response.WriteAsync("{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.1]}],\"model\":\"text-embedding-3-small\",\"usage\":{\"prompt_tokens\":1,\"total_tokens\":1}}")
            : OpenAIWire.WriteCompletionAsync(c, "ok");
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: chat
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: {{upstream.BaseUrl}}/v1
              - model_name: embed
                litellm_params:
                  model: openai/text-embedding-3-small
                  api_base: {{upstream.BaseUrl}}/v1
            switchyard:
              server:
                max_body_bytes: 4096
            """);
        var (invoke, _) = await gw.GenerateKeyAsync(new { scopes = new[] { "invoke" }, tpm_limit = 1_000_000_000 });

        await FuzzRun.CheckAsync(Gen2(), async c =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, c.Chat ? "/v1/chat/completions" : "/v1/embeddings") { Content = new ByteArrayContent(c.Body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", c.Scoped ? invoke : GatewayFixture.MasterKey);
            using var response = await gw.Bare.SendAsync(request);
            var status = (int)response.StatusCode;
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(status is 200 or 400 or 404 or 413 or 429, $"HTTP {status}: {text}");
            if (status != 200)
            {
                FailureAssert.Parse(text);
            }
        }, cases: 400, describe: c => Encoding.UTF8.GetString(c.Body));

        var loud = gw.Logs.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => e.Message).ToArray();
        Assert.True(loud.Length == 0, string.Join("\n", loud));
    }

    private static CsCheck.Gen<(bool Chat, byte[] Body, bool Scoped)> Gen2()
        => CsCheck.Gen.Select(JsonGen.Body, CsCheck.Gen.Bool, (b, isScoped) => (b.Chat, b.Body, isScoped));

    private static void ReadEveryString(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                _ = e.GetString();
                break;
            case JsonValueKind.Array:
                foreach (var item in e.EnumerateArray())
                {
                    ReadEveryString(item);
                }

                break;
            case JsonValueKind.Object:
                foreach (var p in e.EnumerateObject())
                {
                    _ = p.Name;
                    ReadEveryString(p.Value);
                }

                break;
        }
    }
}
