using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Anthropic;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// OpenAI embeddings on Bedrock through InvokeModel: Amazon Titan models (<c>amazon.titan-embed-text-v1</c>, <c>-v2</c>)
/// take one text per call (<c>{"inputText":…}</c>, v2 also <c>dimensions</c>), so each input is one signed call;
/// Cohere models (<c>cohere.embed-*</c>) take them all at once (<c>{"texts":[…],"input_type":"search_document"}</c>).
/// Token counts come from Titan's <c>inputTextTokenCount</c> or the <c>X-Amzn-Bedrock-Input-Token-Count</c> header.
/// </summary>
internal static class BedrockEmbeddings
{
    private const int MaxResponseBytes = 64 * 1024 * 1024;

    public static async ValueTask<AttemptResult<UpstreamResponse>> SendAsync(UpstreamHttp http, TimeProvider time, ProviderRequest request, CancellationToken cancellationToken)
    {
        var d = request.Deployment;
        List<string> inputs;
        int? dimensions = null;
        try
        {
            using var doc = JsonDocument.Parse(request.Body);
            var input = AnthropicJson.Get(doc.RootElement, "input");
            inputs = input.ValueKind == JsonValueKind.String ? [input.GetString()!]
                : input.ValueKind == JsonValueKind.Array && input.GetArrayLength() > 0 && input.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
                    ? [.. input.EnumerateArray().Select(e => e.GetString()!)]
                    : [];
            if (AnthropicJson.Get(doc.RootElement, "dimensions") is { ValueKind: JsonValueKind.Number } dim)
            {
                dimensions = dim.GetInt32();
            }
        }
        catch (JsonException)
        {
            return new UpstreamFailure(FailureKind.CallerError, 400, "the request body is not valid JSON") { UpstreamCode = "invalid_json" };
        }

        if (inputs.Count == 0)
        {
            return new UpstreamFailure(FailureKind.CallerError, 400, "Bedrock embeddings take 'input' as a string or an array of strings") { UpstreamCode = "invalid_value", UpstreamParam = "input" };
        }

        var cohere = d.Model.Contains("cohere.", StringComparison.Ordinal);
        var vectors = new List<JsonNode?>();
        long tokens = 0;
        foreach (var body in cohere ? [new JsonObject { ["texts"] = new JsonArray([.. inputs.Select(i => (JsonNode?)i)]), ["input_type"] = "search_document" }] : inputs.Select(i => Titan(i, d.Model, dimensions)))
        {
            var bytes = JsonSerializer.SerializeToUtf8Bytes(body);
            using var message = BedrockApi.CreateRequest(request, BedrockApi.ModelUri(d, "invoke"), bytes, time.GetUtcNow());
            using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            cts.CancelAfter(d.Timeout);
            var (response, failure) = await BedrockErrors.HeadersAsync(http, message, cts, d.Timeout, cancellationToken).ConfigureAwait(false);
            if (response is null)
            {
                return failure!;
            }

            using (response)
            {
                var read = await UpstreamErrors.ReadBodyAsync(response.Content, MaxResponseBytes, d.Timeout, cts.Token, cancellationToken).ConfigureAwait(false);
                if (read.Value is not { } payload)
                {
                    return read.Failure!;
                }

                JsonNode? root;
                try
                {
                    root = JsonNode.Parse(payload);
                }
                catch (JsonException)
                {
                    root = null;
                }

                var header = response.Headers.TryGetValues("X-Amzn-Bedrock-Input-Token-Count", out var h) && long.TryParse(h.First(), out var n) ? n : (long?)null;
                if (cohere && root?["embeddings"] is JsonArray many)
                {
                    vectors.AddRange(many.Select(v => v?.DeepClone()));
                    tokens += header ?? 0;
                }
                else if (!cohere && root?["embedding"] is JsonArray one)
                {
                    vectors.Add(one.DeepClone());
                    tokens += root["inputTextTokenCount"]?.GetValue<long>() ?? header ?? 0;
                }
                else
                {
                    return new UpstreamFailure(FailureKind.InvalidResponse, (int)response.StatusCode, "answered 200 with a body that is not an embeddings answer");
                }
            }
        }

        if (vectors.Count != inputs.Count)
        {
            return new UpstreamFailure(FailureKind.InvalidResponse, 200, $"answered {vectors.Count} embeddings for {inputs.Count} inputs");
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("object", "list");
            w.WriteStartArray("data");
            for (var i = 0; i < vectors.Count; i++)
            {
                w.WriteStartObject();
                w.WriteString("object", "embedding");
                w.WriteNumber("index", i);
                w.WritePropertyName("embedding");
                (vectors[i] ?? new JsonArray()).WriteTo(w);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteString("model", d.Model);
            w.WriteStartObject("usage");
            w.WriteNumber("prompt_tokens", tokens);
            w.WriteNumber("total_tokens", tokens);
            w.WriteEndObject();
            w.WriteEndObject();
        }

#pragma warning disable CA2000 // ownership passes to the caller inside the AttemptResult, which disposes it
        return AttemptResult<UpstreamResponse>.Ok(new BufferedResponse(buffer.WrittenSpan.ToArray(), new Usage(tokens, 0)));
#pragma warning restore CA2000
    }

    private static JsonObject Titan(string text, string model, int? dimensions)
    {
        var body = new JsonObject { ["inputText"] = text };
        if (dimensions is { } dim && model.Contains("v2", StringComparison.Ordinal))
        {
            body["dimensions"] = dim;
        }

        return body;
    }
}
