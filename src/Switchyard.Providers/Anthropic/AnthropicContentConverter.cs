using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Providers.Abstractions;

namespace Switchyard.Providers.Anthropic;

/// <summary>OpenAI message content (a string or parts) -> Anthropic content blocks (text and image).</summary>
internal static class AnthropicContentConverter
{
    public static List<JsonObject> Blocks(JsonElement content, string path, bool textOnly)
    {
        var blocks = new List<JsonObject>();
        switch (content.ValueKind)
        {
            case JsonValueKind.Undefined or JsonValueKind.Null:
                break;
            case JsonValueKind.String:
                if (content.GetString() is { Length: > 0 } text)
                {
                    blocks.Add(Text(text, default));
                }

                break;
            case JsonValueKind.Array:
                var j = 0;
                foreach (var part in content.EnumerateArray())
                {
                    if (Part(part, $"{path}[{j}]", textOnly) is { } block)
                    {
                        blocks.Add(block);
                    }

                    j++;
                }

                break;
            default:
                throw new TranslationException(path, "content must be a string, an array of parts or null", "invalid_type");
        }

        return blocks;
    }

    private static JsonObject? Part(JsonElement part, string path, bool textOnly)
    {
        var type = AnthropicJson.String(part, "type");
        switch (type)
        {
            case "text":
            case "refusal" when !textOnly:
                var text = AnthropicJson.String(part, type) ?? throw new TranslationException(path + "." + type, $"a {type} part needs a string '{type}'", "invalid_type");
                return text.Length == 0 ? null : Text(text, part);
            case "image_url" when !textOnly:
                return Image(part, path);
            default:
                throw new TranslationException(path + ".type", $"content part type '{type}' is not supported here for Anthropic models", "unsupported_value");
        }
    }

    private static JsonObject Text(string text, JsonElement part)
        => WithCacheControl(new JsonObject { ["type"] = "text", ["text"] = text }, part);

    private static JsonObject Image(JsonElement part, string path)
    {
        var imageUrl = AnthropicJson.Get(part, "image_url");
        var url = imageUrl.ValueKind == JsonValueKind.String ? imageUrl.GetString() : AnthropicJson.String(imageUrl, "url");
        path += ".image_url";
        if (string.IsNullOrEmpty(url))
        {
            throw new TranslationException(path, "an image_url part needs a url", "missing_field");
        }

        JsonObject source;
        if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            var comma = url.IndexOf(',', StringComparison.Ordinal);
            var header = comma > 5 ? url[5..comma] : "";
            if (!header.StartsWith("image/", StringComparison.OrdinalIgnoreCase) || !header.EndsWith(";base64", StringComparison.OrdinalIgnoreCase))
            {
                throw new TranslationException(path, "a data: URL must hold a base64-encoded image (data:image/png;base64,...)", "invalid_value");
            }

            source = new JsonObject { ["type"] = "base64", ["media_type"] = header[..^7].ToLowerInvariant(), ["data"] = url[(comma + 1)..] };
        }
        else if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            source = new JsonObject { ["type"] = "url", ["url"] = url };
        }
        else
        {
            throw new TranslationException(path, "an image url must be http(s) or a base64 data: URL", "invalid_value");
        }

        return WithCacheControl(new JsonObject { ["type"] = "image", ["source"] = source }, part);
    }

    /// <summary>Keeps an Anthropic prompt-caching marker the caller put on a part.</summary>
    private static JsonObject WithCacheControl(JsonObject block, JsonElement part)
    {
        if (AnthropicJson.TryGet(part, "cache_control", out var cc) && cc.ValueKind == JsonValueKind.Object)
        {
            block["cache_control"] = AnthropicJson.ToNode(cc);
        }

        return block;
    }
}
