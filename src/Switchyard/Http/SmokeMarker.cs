using System.Text.Json;
using Switchyard.Tenancy;

namespace Switchyard.Http;

/// <summary>
/// <c>x-switchyard-smoke: 1</c> marks a request as a smoke test: its outcome is no breaker evidence and no canary
/// evidence (it is still routed, limited, billed and logged). Honoured only from the master key, admin tokens, and
/// keys a global admin minted with <c>metadata.switchyard_smoke: true</c> (what <c>switchyard smoke</c> does); from
/// anyone else the header is ignored.
/// </summary>
public static class SmokeMarker
{
    public const string Header = "x-switchyard-smoke";

    /// <summary>The key metadata field that lets an invoke token mark its requests (set by global admins only).</summary>
    public const string MetadataField = "switchyard_smoke";

    public static bool IsSmoke(HttpContext context, CallerIdentity caller)
        => context.Request.Headers.TryGetValue(Header, out var value) && value == "1"
            && (caller.IsMaster || caller.Has(Core.Tenancy.Scopes.Admin) || IsSmokeKey(caller.Key?.Record.MetadataJson));

    /// <summary>Whether key metadata carries <see cref="MetadataField"/>: true.</summary>
    public static bool IsSmokeKey(string? metadataJson)
    {
        if (metadataJson is null || !metadataJson.Contains(MetadataField, StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            using var doc = JsonDocument.Parse(metadataJson);
            return doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty(MetadataField, out var v) && v.ValueKind == JsonValueKind.True;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
