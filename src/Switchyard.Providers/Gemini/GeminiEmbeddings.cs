using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Core.Config;
using Switchyard.Core.Failures;
using Switchyard.Core.Routing;
using Switchyard.Providers.Anthropic;

namespace Switchyard.Providers.Gemini;

/// <summary>
/// OpenAI embeddings to and from Gemini: one input string goes to <c>:embedContent</c>, a list to <c>:batchEmbedContents</c>
/// (dimensions as outputDimensionality), and the vectors come back as an OpenAI list, as floats or as base64 float32
/// when encoding_format asks for it. Token-id input is refused (Gemini embeds text). Gemini reports no token counts
/// for embeddings, so usage is the gateway's estimate (a token per four bytes of input).
/// </summary>
internal static class GeminiEmbeddings
{
    public sealed record Plan(string Method, byte[] Body, bool Batch, bool Base64, long PromptTokens);

    public static AttemptResult<Plan> Translate(ReadOnlyMemory<byte> body, DeploymentConfig deployment)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var input = AnthropicJson.Get(root, "input");
            var texts = new List<string>();
            var batch = input.ValueKind == JsonValueKind.Array;
            if (input.ValueKind == JsonValueKind.String)
            {
                texts.Add(input.GetString()!);
            }
            else if (batch && input.GetArrayLength() > 0 && input.EnumerateArray().All(i => i.ValueKind == JsonValueKind.String))
            {
                texts.AddRange(input.EnumerateArray().Select(i => i.GetString()!));
            }
            else if (batch && input.GetArrayLength() > 0 && input.EnumerateArray().All(i => i.ValueKind is JsonValueKind.Number or JsonValueKind.Array))
            {
                return new UpstreamFailure(FailureKind.Unsupported, 400, "Gemini embeds text; token-id input has no equivalent") { UpstreamCode = "unsupported_value", UpstreamParam = "input" };
            }
            else
            {
                return new UpstreamFailure(FailureKind.CallerError, 400, "'input' must be a string or a non-empty array of strings") { UpstreamCode = "invalid_value", UpstreamParam = "input" };
            }

            int? dimensions = null;
            if (AnthropicJson.TryGet(root, "dimensions", out var d))
            {
                dimensions = d.TryGetInt32(out var n) && n > 0 ? n : null;
                if (dimensions is null)
                {
                    return new UpstreamFailure(FailureKind.CallerError, 400, "'dimensions' must be a positive integer") { UpstreamCode = "invalid_value", UpstreamParam = "dimensions" };
                }
            }

            var base64 = AnthropicJson.String(root, "encoding_format") == "base64";
            var model = GeminiApi.ResourceName(deployment.Model);
            JsonObject request;
            if (batch)
            {
                request = new JsonObject { ["requests"] = new JsonArray([.. texts.Select(t => (JsonNode)One(model, t, dimensions))]) };
            }
            else
            {
                request = One(model, texts[0], dimensions);
                request.Remove("model");
            }

            var tokens = Math.Max(1, texts.Sum(t => (long)Encoding.UTF8.GetByteCount(t)) / 4);
            return AttemptResult<Plan>.Ok(new Plan(batch ? "batchEmbedContents" : "embedContent", JsonSerializer.SerializeToUtf8Bytes(request), batch, base64, tokens));
        }
        catch (JsonException)
        {
            return new UpstreamFailure(FailureKind.CallerError, 400, "the request body is not valid JSON") { UpstreamCode = "invalid_json" };
        }
    }

    /// <summary>Gemini's answer as an OpenAI embeddings list; null when it is not an embeddings answer.</summary>
    public static byte[]? Answer(ReadOnlySpan<byte> payload, Plan plan, string model)
    {
        try
        {
            var reader = new Utf8JsonReader(payload);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            var vectors = plan.Batch
                ? GeminiResponseTranslator.Items(AnthropicJson.Get(root, "embeddings")).ToList()
                : AnthropicJson.Get(root, "embedding") is { ValueKind: JsonValueKind.Object } one ? [one] : [];
            if (vectors.Count == 0 || vectors.Any(v => AnthropicJson.Get(v, "values").ValueKind != JsonValueKind.Array))
            {
                return null;
            }

            var buffer = new ArrayBufferWriter<byte>(payload.Length);
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
                    var values = vectors[i].GetProperty("values");
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

                w.WriteEndArray();
                w.WriteString("model", model);
                w.WriteStartObject("usage");
                w.WriteNumber("prompt_tokens", plan.PromptTokens);
                w.WriteNumber("total_tokens", plan.PromptTokens);
                w.WriteEndObject();
                w.WriteEndObject();
            }

            return buffer.WrittenSpan.ToArray();
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }

    private static JsonObject One(string model, string text, int? dimensions)
    {
        var request = new JsonObject { ["model"] = model, ["content"] = new JsonObject { ["parts"] = new JsonArray(new JsonObject { ["text"] = text }) } };
        if (dimensions is { } n)
        {
            request["outputDimensionality"] = n;
        }

        return request;
    }
}
