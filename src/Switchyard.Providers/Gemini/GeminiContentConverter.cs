using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Providers.Abstractions;
using Switchyard.Providers.Anthropic;

namespace Switchyard.Providers.Gemini;

/// <summary>
/// OpenAI message content (a string or parts) -> Gemini parts: text, and images or files given as base64 data: URLs as
/// <c>inlineData</c>. A remote image URL is refused (Gemini fetches none; send it as a data: URL).
/// </summary>
internal static class GeminiContentConverter
{
    public static List<JsonObject> Parts(JsonElement content, string path, bool textOnly)
    {
        var parts = new List<JsonObject>();
        switch (content.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                break;
            case JsonValueKind.String:
                if (content.GetString() is { Length: > 0 } text)
                {
                    parts.Add(new JsonObject { ["text"] = text });
                }

                break;
            case JsonValueKind.Array:
                var j = 0;
                foreach (var part in content.EnumerateArray())
                {
                    if (Part(part, $"{path}[{j}]", textOnly) is { } converted)
                    {
                        parts.Add(converted);
                    }

                    j++;
                }

                break;
            default:
                throw new TranslationException(path, "content must be a string, an array of parts or null", "invalid_type");
        }

        return parts;
    }

    /// <summary>The text of a content value (a string, or its text parts joined).</summary>
    public static string Text(JsonElement content)
        => content.ValueKind switch
        {
            JsonValueKind.String => content.GetString() ?? "",
            JsonValueKind.Array => string.Concat(content.EnumerateArray().Select(p => AnthropicJson.String(p, "text") ?? "")),
            _ => "",
        };

    private static JsonObject? Part(JsonElement part, string path, bool textOnly)
    {
        var type = AnthropicJson.String(part, "type");
        switch (type)
        {
            case "text":
            case "refusal" when !textOnly:
                var text = AnthropicJson.String(part, type) ?? throw new TranslationException(path + "." + type, $"a {type} part needs a string '{type}'", "invalid_type");
                return text.Length == 0 ? null : new JsonObject { ["text"] = text };
            case "image_url" when !textOnly:
                var imageUrl = AnthropicJson.Get(part, "image_url");
                var url = imageUrl.ValueKind == JsonValueKind.String ? imageUrl.GetString() : AnthropicJson.String(imageUrl, "url");
                return Inline(url, path + ".image_url", "image/");
            case "file" when !textOnly:
                return Inline(AnthropicJson.String(AnthropicJson.Get(part, "file"), "file_data"), path + ".file.file_data", "");
            default:
                throw new TranslationException(path + ".type", $"content part type '{type}' is not supported here for Gemini models", "unsupported_value");
        }
    }

    private static JsonObject Inline(string? url, string path, string mediaPrefix)
    {
        if (string.IsNullOrEmpty(url))
        {
            throw new TranslationException(path, "the part needs a url", "missing_field");
        }

        if (!url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            throw new TranslationException(path, "Gemini takes images and files inline: send a base64 data: URL (data:image/png;base64,...), not a link",
                "unsupported_value", noEquivalent: true);
        }

        var comma = url.IndexOf(',', StringComparison.Ordinal);
        var header = comma > 5 ? url[5..comma] : "";
        if (!header.StartsWith(mediaPrefix, StringComparison.OrdinalIgnoreCase) || !header.EndsWith(";base64", StringComparison.OrdinalIgnoreCase) || header.Length <= 7)
        {
            throw new TranslationException(path, $"a data: URL must hold base64-encoded {(mediaPrefix.Length == 0 ? "data" : "an image")} (data:{(mediaPrefix.Length == 0 ? "application/pdf" : "image/png")};base64,...)", "invalid_value");
        }

        return new JsonObject { ["inlineData"] = new JsonObject { ["mimeType"] = header[..^7].ToLowerInvariant(), ["data"] = url[(comma + 1)..] } };
    }
}
