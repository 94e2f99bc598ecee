using System.Text.Json;
using OpenAI.Embeddings;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Providers.Gemini;

/// <summary>/v1/embeddings on gemini/ deployments: embedContent for one input, batchEmbedContents for a list.</summary>
public sealed class GeminiEmbeddingsTests
{
    private const string Key = GeminiGatewayTests.Key;

    private static Task WriteEmbeddingsAsync(HttpContext c, RecordedRequest r)
    {
        var body = GeminiWire.Body(r);
        float[] Vector(int i) => [0.25f * (i + 1), -0.5f, 1.0f];
        return r.PathAndQuery.EndsWith(":batchEmbedContents", StringComparison.Ordinal)
            ? GeminiWire.WriteJsonAsync(c, new { embeddings = body.GetProperty("requests").EnumerateArray().Select((_, i) => new { values = Vector(i) }).ToArray() })
            : GeminiWire.WriteJsonAsync(c, new { embedding = new { values = Vector(0) } });
    }

    [Fact]
    public async Task Sdk_OneAndMany_VectorsInOrder_Base64AsTheSdkAsks()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = GeminiWire.Validated(Key, WriteEmbeddingsAsync);
        await using var gw = await GeminiGatewayTests.StartGatewayAsync(upstream, model: "text-embedding-004");
        var client = gw.Client().GetEmbeddingClient("gem");

        var one = (await client.GenerateEmbeddingAsync("hello", new EmbeddingGenerationOptions { Dimensions = 3 })).Value;
        var many = (await client.GenerateEmbeddingsAsync(["alpha", "beta"])).Value;

        Assert.Equal([0.25f, -0.5f, 1.0f], one.ToFloats().ToArray());
        Assert.Equal(2, many.Count);
        Assert.Equal([0.5f, -0.5f, 1.0f], many[1].ToFloats().ToArray());
        var single = upstream.Requests.First();
        Assert.Equal("/v1beta/models/text-embedding-004:embedContent", single.PathAndQuery);
        Assert.Equal("""{"content":{"parts":[{"text":"hello"}]},"outputDimensionality":3}""", single.Body);
        var batch = upstream.Requests.Last();
        Assert.Equal("/v1beta/models/text-embedding-004:batchEmbedContents", batch.PathAndQuery);
        var requests = GeminiWire.Body(batch).GetProperty("requests");
        Assert.Equal("models/text-embedding-004", requests[0].GetProperty("model").GetString());
        Assert.Equal("beta", requests[1].GetProperty("content").GetProperty("parts")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Raw_FloatFormat_OpenAIList_TokenInputRefused()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = GeminiWire.Validated(Key, WriteEmbeddingsAsync);
        await using var gw = await GeminiGatewayTests.StartGatewayAsync(upstream, model: "text-embedding-004");

        using var floats = await gw.PostAsync("/v1/embeddings", """{"model":"gem","input":["a","b"],"encoding_format":"float"}""");
        using var tokens = await gw.PostAsync("/v1/embeddings", """{"model":"gem","input":[[1,2,3]]}""");

        var answer = JsonDocument.Parse(await floats.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("list", answer.GetProperty("object").GetString());
        Assert.Equal(1, answer.GetProperty("data")[1].GetProperty("index").GetInt32());
        Assert.Equal("[0.5,-0.5,1]", answer.GetProperty("data")[1].GetProperty("embedding").GetRawText());
        Assert.True(answer.GetProperty("usage").GetProperty("prompt_tokens").GetInt32() > 0);
        var summary = await FailureAssert.ReadAsync(tokens, 400, "invalid_request_error", "unsupported_value");
        Assert.Equal("input", summary.Param);
        Assert.Single(upstream.Requests);
    }
}
