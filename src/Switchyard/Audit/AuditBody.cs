using System.Text.Json.Nodes;
using Switchyard.Core.Tenancy;

namespace Switchyard.Audit;

/// <summary>
/// What an admin request's JSON body says about its target, for the audit row: the key (by its id: a clear token given
/// as <c>key</c> is hashed, never stored), team, user or model it names, and the names of the fields it set (names
/// only: values can hold secrets, e.g. a model's <c>api_key</c>).
/// </summary>
public static class AuditBody
{
    private static readonly string[] TargetFields = ["key", "keys", "key_aliases", "team_id", "team_ids", "user_id", "user_ids", "model_id", "id", "model_name", "alias"];

    public static void Describe(AuditEntry entry, JsonObject body)
    {
        string? target = null;
        foreach (var field in TargetFields)
        {
            if (Text(body[field], field == "key" || field == "keys") is { Length: > 0 } t)
            {
                target = t;
                break;
            }
        }

        var team = body["team_id"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;
        var fields = body.Select(p => p.Key).Order(StringComparer.Ordinal).Take(30).ToArray();
        entry.Describe(target, team, fields.Length == 0 ? null : "fields: " + string.Join(", ", fields));
    }

    private static string? Text(JsonNode? node, bool hash) => node switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => hash ? IdOf(s) : s,
        JsonArray a => string.Join(",", a.OfType<JsonValue>().Select(v => v.TryGetValue<string>(out var s) ? (hash ? IdOf(s) : s) : null).Where(s => s is not null).Take(20)),
        _ => null,
    };

    /// <summary>A key's public id: the hash as given, or the hash of a clear token.</summary>
    public static string IdOf(string given) => given.Length == 64 && TokenHash.TryParse(given, out var h) ? h.ToHex() : TokenHash.Of(given).ToHex();
}
