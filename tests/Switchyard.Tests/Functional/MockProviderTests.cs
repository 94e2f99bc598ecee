using System.Text.Json;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Functional;

/// <summary>The built-in mock speaks the OpenAI shapes real SDKs expect (the default config and smoke rely on it).</summary>
public sealed class MockProviderTests
{
    private const string Yaml = """
        model_list:
          - model_name: embed
            litellm_params: { model: mock/embed }
        """;

    [Fact]
    public async Task Embeddings_ThroughSdk_OneVectorPerInputInBase64AndFloatAlike()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);

        var sdk = await gw.Client().GetEmbeddingClient("embed").GenerateEmbeddingsAsync(["alpha", "beta", "alpha"]);
        using var raw = await gw.Http.PostAsync("/v1/embeddings", new StringContent("""{"model":"embed","input":["alpha"],"encoding_format":"float"}"""));
        var floats = JsonDocument.Parse(await raw.Content.ReadAsStringAsync()).RootElement.GetProperty("data")[0].GetProperty("embedding")
            .EnumerateArray().Select(e => e.GetSingle()).ToArray();

        Assert.Equal(3, sdk.Value.Count);
        var vectors = sdk.Value.Select(e => e.ToFloats().ToArray()).ToArray();
        Assert.All(vectors, v => Assert.Equal(16, v.Length));
        Assert.Equal(vectors[0], vectors[2]);
        Assert.NotEqual(vectors[0], vectors[1]);
        Assert.Equal(floats, vectors[0]);
    }
}
