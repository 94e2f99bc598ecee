using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Core.Failures;
using Switchyard.Core.Routing;
using Switchyard.Providers.Anthropic;

namespace Switchyard.Providers.Cohere;

/// <summary>
/// OpenAI embeddings -> Cohere <c>POST /v2/embed</c>: the inputs as <c>texts</c>, <c>embedding_types ["float"]</c>,
/// <c>input_type</c> from the request (Cohere's search_document, search_query, classification, clustering) or
/// search_document, <c>dimensions</c> as <c>output_dimension</c>; the answer's <c>embeddings.float</c> back as an
/// OpenAI list with the billed input tokens as usage.
/// </summary>
internal static class CohereEmbeddings
{
    private static readonly string[] InputTypes = ["search_document", "search_query", "classification", "clustering", "image"];

    public static AttemptResult<CohereEmbedPlan> Translate(ReadOnlyMemory<byte> body, string model)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            var input = AnthropicJson.Get(root, "input");
            List<string> inputs = input.ValueKind == JsonValueKind.String ? [input.GetString()!]
                : input.ValueKind == JsonValueKind.Array && input.GetArrayLength() > 0 && input.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String)
                    ? [.. input.EnumerateArray().Select(e => e.GetString()!)]
                    : [];
            if (inputs.Count == 0)
            {
                return new UpstreamFailure(FailureKind.CallerError, 400, "Cohere embeddings take 'input' as a string or an array of strings") { UpstreamCode = "invalid_value", UpstreamParam = "input" };
            }

            var inputType = AnthropicJson.String(root, "input_type") ?? "search_document";
            if (!InputTypes.Contains(inputType))
            {
                return new UpstreamFailure(FailureKind.CallerError, 400, $"input_type '{inputType}' is not one of {string.Join(", ", InputTypes)}") { UpstreamCode = "invalid_value", UpstreamParam = "input_type" };
            }

            var request = new JsonObject
            {
                ["model"] = model,
                ["texts"] = new JsonArray([.. inputs.Select(i => (JsonNode?)i)]),
                ["input_type"] = inputType,
                ["embedding_types"] = new JsonArray("float"),
            };
            if (AnthropicJson.Get(root, "dimensions") is { ValueKind: JsonValueKind.Number } dimensions)
            {
                request["output_dimension"] = dimensions.TryGetInt32(out var d) && d > 0 ? d : null;
            }

            return AttemptResult<CohereEmbedPlan>.Ok(new CohereEmbedPlan(JsonSerializer.SerializeToUtf8Bytes(request), inputs.Count));
        }
        catch (JsonException)
        {
            return new UpstreamFailure(FailureKind.CallerError, 400, "the request body is not valid JSON") { UpstreamCode = "invalid_json" };
        }
    }

    /// <summary>The OpenAI answer and its input tokens, or null when the payload is not an embed answer for <paramref name="count"/> texts.</summary>
    public static (byte[] Body, long Tokens)? Answer(ReadOnlySpan<byte> payload, int count, string model)
    {
        JsonNode? root;
        try
        {
            var reader = new Utf8JsonReader(payload);
            root = JsonNode.Parse(ref reader);
        }
        catch (JsonException)
        {
            return null;
        }

        if (root?["embeddings"]?["float"] is not JsonArray vectors || vectors.Count != count)
        {
            return null;
        }

        var meta = root["meta"]?["billed_units"];
        var tokens = meta?["input_tokens"] is JsonValue v && v.TryGetValue<double>(out var n) ? (long)n : 0;
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
            w.WriteString("model", model);
            w.WriteStartObject("usage");
            w.WriteNumber("prompt_tokens", tokens);
            w.WriteNumber("total_tokens", tokens);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return (buffer.WrittenSpan.ToArray(), tokens);
    }
}
