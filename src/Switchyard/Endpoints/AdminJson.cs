using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Core.Requests;
using Switchyard.Core.Tenancy;

namespace Switchyard.Endpoints;

/// <summary>Reads LiteLLM-style admin request fields with typed errors naming the field.</summary>
internal static class AdminJson
{
    public static JsonObject ParseObject(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            return JsonNode.Parse(ref reader) as JsonObject ?? throw new RequestValidationException("the body must be a JSON object", null, "invalid_json");
        }
        catch (JsonException e)
        {
            throw new RequestValidationException($"the body is not valid JSON (line {e.LineNumber + 1})", null, "invalid_json");
        }
    }

    public static string? String(JsonObject o, string name)
    {
        var n = o[name];
        if (n is null)
        {
            return null;
        }

        return n.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : throw Invalid(name, "a string");
    }

    public static int? Int(JsonObject o, string name)
    {
        var n = o[name];
        if (n is null)
        {
            return null;
        }

        if (n.GetValueKind() != JsonValueKind.Number || !n.AsValue().TryGetValue<int>(out var v) || v < 0)
        {
            throw Invalid(name, "a non-negative integer");
        }

        return v;
    }

    public static decimal? Money(JsonObject o, string name)
    {
        var n = o[name];
        if (n is null)
        {
            return null;
        }

        if (n.GetValueKind() != JsonValueKind.Number || !n.AsValue().TryGetValue<decimal>(out var v) || v < 0)
        {
            throw Invalid(name, "a non-negative number");
        }

        return v;
    }

    public static bool? Bool(JsonObject o, string name)
    {
        var n = o[name];
        if (n is null)
        {
            return null;
        }

        return n.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw Invalid(name, "true or false"),
        };
    }

    public static IReadOnlyList<string>? Strings(JsonObject o, string name)
    {
        var n = o[name];
        if (n is null)
        {
            return null;
        }

        if (n is not JsonArray a || a.Any(x => x is null || x.GetValueKind() != JsonValueKind.String))
        {
            throw Invalid(name, "an array of strings");
        }

        return a.Select(x => x!.GetValue<string>()).ToArray();
    }

    public static BudgetDuration? Duration(JsonObject o, string name)
    {
        var s = String(o, name);
        if (s is null)
        {
            return null;
        }

        return BudgetDuration.TryParse(s, out var d) ? d : throw Invalid(name, "a period such as 30s, 30m, 24h, 30d or 1mo");
    }

    /// <summary>
    /// The metadata to store, as JSON; a top-level <c>tags</c> list (LiteLLM's /key/generate and /team/new field) is
    /// kept as <c>metadata.tags</c>, where tag-based routing reads it (<see cref="Core.Tenancy.MetadataTags"/>).
    /// </summary>
    public static string? Metadata(JsonObject o)
    {
        var n = o["metadata"];
        if (n is not null and not JsonObject)
        {
            throw Invalid("metadata", "an object");
        }

        if (o["tags"] is not { } tags)
        {
            return n?.ToJsonString();
        }

        if (tags is not JsonArray list || list.Any(t => t is not JsonValue v || v.GetValueKind() != System.Text.Json.JsonValueKind.String))
        {
            throw Invalid("tags", "an array of strings");
        }

        var merged = n is null ? [] : (JsonObject)n.DeepClone();
        merged["tags"] = list.DeepClone();
        return merged.ToJsonString();
    }

    /// <summary>
    /// LiteLLM fields a route does not apply, each with what to do instead. One that carries a value is refused naming
    /// it (400 <c>unsupported_field</c>), never dropped silently; <c>null</c>, <c>false</c>, <c>0</c> and an empty object,
    /// list or string ask for nothing (LiteLLM's own clients send them as defaults) and pass.
    /// </summary>
    public static void RefuseUnapplied(JsonObject body, IEnumerable<(string Field, string Instead)> fields)
    {
        foreach (var (field, instead) in fields)
        {
            if (body[field] is { } value && !AsksForNothing(value))
            {
                throw new RequestValidationException($"'{field}' is a LiteLLM field Switchyard does not apply; {instead}", field, "unsupported_field");
            }
        }
    }

    private static bool AsksForNothing(JsonNode value) => value switch
    {
        JsonObject o => o.Count == 0,
        JsonArray a => a.Count == 0,
        JsonValue v => v.GetValueKind() switch
        {
            System.Text.Json.JsonValueKind.False or System.Text.Json.JsonValueKind.Null => true,
            System.Text.Json.JsonValueKind.String => v.GetValue<string>().Length == 0,
            System.Text.Json.JsonValueKind.Number => v.GetValue<double>() == 0,
            _ => false,
        },
        _ => false,
    };

    public static RequestValidationException Invalid(string name, string what) => new($"'{name}' must be {what}", name, "invalid_type");

    public static string Time(DateTimeOffset? t) => t?.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture) ?? "";
}
