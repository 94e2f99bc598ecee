using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Anthropic;
using Switchyard.Providers.Gemini;
using Switchyard.Providers.Http;

namespace Switchyard.Providers.Vertex;

/// <summary>
/// OpenAI embeddings on Vertex AI's text embedding models (<c>text-embedding-005</c>, <c>text-multilingual-embedding-002</c>,
/// <c>gemini-embedding-001</c>): <c>POST …/publishers/google/models/{model}:predict</c> with one instance per input
/// string (<c>dimensions</c> as <c>parameters.outputDimensionality</c>), the vectors back as an OpenAI list (floats, or
/// base64 float32 when encoding_format asks), usage from each prediction's <c>statistics.token_count</c>.
/// </summary>
internal static class VertexEmbeddings
{
    private const int MaxResponseBytes = 64 * 1024 * 1024;

    /// <summary>Whether a Vertex model is an embeddings model (its name says so, as Google names them).</summary>
    public static bool IsEmbeddingModel(string model)
        => model.Contains("embedding", StringComparison.OrdinalIgnoreCase) || model.StartsWith("textembedding-", StringComparison.OrdinalIgnoreCase);

    public static async ValueTask<AttemptResult<UpstreamResponse>> SendAsync(UpstreamHttp http, VertexTokens tokens, ProviderRequest request, CancellationToken cancellationToken)
    {
        var d = request.Deployment;
        var plan = Translate(request.Body);
        if (plan.Value is not { } p)
        {
            return plan.Failure!;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(d.Timeout);
        var token = await tokens.TokenAsync(d, cts.Token, cancellationToken).ConfigureAwait(false);
        if (token.Value is not { } bearer)
        {
            return token.Failure!;
        }

        using var message = VertexApi.CreateRequest(request, VertexApi.ModelUri(d, "google", "predict", sse: false), p.Body, bearer);
        var (response, failure) = await GeminiErrors.HeadersAsync(http, message, cts, d.Timeout, cancellationToken).ConfigureAwait(false);
        if (response is null)
        {
            return failure!;
        }

        using (response)
        {
            var read = await UpstreamErrors.ReadBodyAsync(response.Content, MaxResponseBytes, d.Timeout, cts.Token, cancellationToken).ConfigureAwait(false);
            if (read.Value is not { } bytes)
            {
                return read.Failure!;
            }

            return Answer(bytes, p, d.Model) is { } answer
#pragma warning disable CA2000 // ownership passes to the caller inside the AttemptResult, which disposes it
                ? AttemptResult<UpstreamResponse>.Ok(new BufferedResponse(answer.Body, new Usage(answer.Tokens, 0)) { RequestId = UpstreamRequestId.From(response) })
#pragma warning restore CA2000
                : new UpstreamFailure(FailureKind.InvalidResponse, (int)response.StatusCode, "answered 200 with a body that is not a predict answer with embeddings");
        }
    }

    private sealed record Plan(byte[] Body, int Count, bool Base64, long EstimatedTokens);

    private static AttemptResult<Plan> Translate(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var input = AnthropicJson.Get(root, "input");
            List<string> texts;
            if (input.ValueKind == JsonValueKind.String)
            {
                texts = [input.GetString()!];
            }
            else if (input.ValueKind == JsonValueKind.Array && input.GetArrayLength() > 0 && input.EnumerateArray().All(i => i.ValueKind == JsonValueKind.String))
            {
                texts = [.. input.EnumerateArray().Select(i => i.GetString()!)];
            }
            else if (input.ValueKind == JsonValueKind.Array && input.GetArrayLength() > 0)
            {
                return new UpstreamFailure(FailureKind.Unsupported, 400, "Vertex AI embeds text; token-id input has no equivalent") { UpstreamCode = "unsupported_value", UpstreamParam = "input" };
            }
            else
            {
                return new UpstreamFailure(FailureKind.CallerError, 400, "'input' must be a string or a non-empty array of strings") { UpstreamCode = "invalid_value", UpstreamParam = "input" };
            }

            var request = new JsonObject { ["instances"] = new JsonArray([.. texts.Select(t => (JsonNode)new JsonObject { ["content"] = t })]) };
            if (AnthropicJson.TryGet(root, "dimensions", out var dims))
            {
                if (!dims.TryGetInt32(out var n) || n <= 0)
                {
                    return new UpstreamFailure(FailureKind.CallerError, 400, "'dimensions' must be a positive integer") { UpstreamCode = "invalid_value", UpstreamParam = "dimensions" };
                }

                request["parameters"] = new JsonObject { ["outputDimensionality"] = n };
            }

            var estimate = Math.Max(1, texts.Sum(t => (long)Encoding.UTF8.GetByteCount(t)) / 4);
            return AttemptResult<Plan>.Ok(new Plan(JsonSerializer.SerializeToUtf8Bytes(request), texts.Count, AnthropicJson.String(root, "encoding_format") == "base64", estimate));
        }
        catch (JsonException)
        {
            return new UpstreamFailure(FailureKind.CallerError, 400, "the request body is not valid JSON") { UpstreamCode = "invalid_json" };
        }
    }

    private static (byte[] Body, long Tokens)? Answer(ReadOnlySpan<byte> payload, Plan plan, string model)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            using var document = JsonDocument.ParseValue(ref reader);
            var predictions = GeminiResponseTranslator.Items(AnthropicJson.Get(document.RootElement, "predictions")).ToList();
            if (predictions.Count != plan.Count || predictions.Any(p => AnthropicJson.Get(AnthropicJson.Get(p, "embeddings"), "values").ValueKind != JsonValueKind.Array))
            {
                return null;
            }

            long tokens = 0;
            var counted = true;
            var buffer = new ArrayBufferWriter<byte>(payload.Length);
            using (var w = new Utf8JsonWriter(buffer))
            {
                w.WriteStartObject();
                w.WriteString("object", "list");
                w.WriteStartArray("data");
                for (var i = 0; i < predictions.Count; i++)
                {
                    var embeddings = AnthropicJson.Get(predictions[i], "embeddings");
                    if (AnthropicJson.Get(AnthropicJson.Get(embeddings, "statistics"), "token_count") is { ValueKind: JsonValueKind.Number } count && count.TryGetInt64(out var n))
                    {
                        tokens += n;
                    }
                    else
                    {
                        counted = false;
                    }

                    w.WriteStartObject();
                    w.WriteString("object", "embedding");
                    w.WriteNumber("index", i);
                    var values = embeddings.GetProperty("values");
                    if (plan.Base64)
                    {
                        var floats = values.EnumerateArray().Select(v => v.GetSingle()).ToArray();
                        w.WriteString("embedding", Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(floats.AsSpan())));
                    }
                    else
                    {
                        w.WritePropertyName("embedding");
                        values.WriteTo(w);
                    }

                    w.WriteEndObject();
                }

                tokens = counted ? tokens : plan.EstimatedTokens;
                w.WriteEndArray();
                w.WriteString("model", model);
                w.WriteStartObject("usage");
                w.WriteNumber("prompt_tokens", tokens);
                w.WriteNumber("total_tokens", tokens);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            return (buffer.WrittenSpan.ToArray(), tokens);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }
}
