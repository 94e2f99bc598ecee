using System.Collections.Frozen;
using System.Text.Json;

namespace Switchyard.Core.Tenancy;

/// <summary>
/// The routing tags in a key's or team's metadata (<c>metadata.tags</c>, as LiteLLM's /key/generate and /team/new
/// store them): added to every request the key makes, for tag-based routing (router_settings.enable_tag_filtering).
/// </summary>
public static class MetadataTags
{
    public static FrozenSet<string> Read(string? metadataJson)
    {
        if (string.IsNullOrEmpty(metadataJson) || !metadataJson.Contains("\"tags\"", StringComparison.Ordinal))
        {
            return FrozenSet<string>.Empty;
        }

        try
        {
            using var doc = JsonDocument.Parse(metadataJson);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("tags", out var tags) || tags.ValueKind != JsonValueKind.Array)
            {
                return FrozenSet<string>.Empty;
            }

            return tags.EnumerateArray().Where(t => t.ValueKind == JsonValueKind.String).Select(t => t.GetString()!).ToFrozenSet(StringComparer.Ordinal);
        }
        catch (JsonException)
        {
            return FrozenSet<string>.Empty; // stored metadata is the admin API's JSON; anything else carries no tags
        }
    }
}
