using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Switchyard.Core.Config;

namespace Switchyard.Operations;

/// <summary>
/// The effective config (every default applied, every reference resolved) as indented JSON with every secret replaced
/// by <see cref="Marker"/>: what <c>switchyard config show --redacted</c> prints for a file and <c>GET /config</c> answers
/// for the live snapshot, in the same shape, so the two can be diffed. Secrets are found two ways: by what they are
/// (provider keys, master keys, alert URLs and headers, database and Redis URLs, anything named like a password, token or
/// secret) and by value (any string holding a value the loader read from an <c>os.environ/</c> or <c>file:</c>
/// reference); an api_base keeps its host but loses user info and query.
/// </summary>
public static class EffectiveConfig
{
    public const string Marker = "[redacted]";

    private static readonly string[] SecretWords = ["password", "secret", "token", "apikey", "api_key"];

    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { Redact } },
    };

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static byte[] Render(GatewayConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        var secrets = config.SecretValues.Where(v => v.Length >= 4).ToArray();
        var node = JsonSerializer.SerializeToNode(config, Options)!;
        RedactValues(node, secrets);
        return JsonSerializer.SerializeToUtf8Bytes(node, Indented);
    }

    /// <summary>Any string that holds a secret value read from the environment or a file becomes the marker.</summary>
    private static void RedactValues(JsonNode node, string[] secrets)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in o.ToList())
                {
                    if (child is JsonValue v && v.TryGetValue<string>(out var s) && secrets.Any(x => s.Contains(x, StringComparison.Ordinal)))
                    {
                        o[name] = Marker;
                    }
                    else if (child is not null)
                    {
                        RedactValues(child, secrets);
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] is JsonValue v && v.TryGetValue<string>(out var s) && secrets.Any(x => s.Contains(x, StringComparison.Ordinal)))
                    {
                        a[i] = Marker;
                    }
                    else if (a[i] is { } child)
                    {
                        RedactValues(child, secrets);
                    }
                }

                break;
        }
    }

    private static void Redact(JsonTypeInfo type)
    {
        if (type.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        for (var i = type.Properties.Count - 1; i >= 0; i--)
        {
            var p = type.Properties[i];
            var name = p.Name;
            if (type.Type == typeof(GatewayConfig) && name is "warnings" or "secret_values")
            {
                type.Properties.RemoveAt(i); // warnings depend on who loads the file; secret values are what is hidden
                continue;
            }

            var get = p.Get;
            if (get is null)
            {
                continue;
            }

            if (IsSecret(type.Type, name, p.PropertyType))
            {
                p.Get = o => get(o) is null ? null : p.PropertyType == typeof(string) ? Marker : Redacted(get(o));
            }
            else if (name == "api_base" && p.PropertyType == typeof(string))
            {
                p.Get = o => get(o) is string url ? StripCredentials(url) : null;
            }
        }
    }

    private static bool IsSecret(Type owner, string name, Type type)
    {
        if (owner == typeof(MasterKey) && name == "value")
        {
            return true;
        }

        if (owner == typeof(StoreSettings) && name == "encryption_key")
        {
            return true;
        }

        if ((owner == typeof(Core.Alerts.AlertSink) || owner == typeof(WebhookCallback)) && name is "url" or "headers")
        {
            return true; // webhook URLs carry their token (Slack, Teams), headers carry auth
        }

        var text = name.Replace("_", "", StringComparison.Ordinal);
        return (type == typeof(string) && (name.EndsWith("_url", StringComparison.Ordinal) || SecretWords.Any(w => text.Contains(w.Replace("_", "", StringComparison.Ordinal), StringComparison.Ordinal))))
            || name == "headers";
    }

    private static object? Redacted(object? value) => value switch
    {
        IReadOnlyDictionary<string, string> d => d.ToDictionary(kv => kv.Key, _ => Marker),
        _ => Marker,
    };

    internal static string StripCredentials(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var u) || (u.UserInfo.Length == 0 && u.Query.Length == 0))
        {
            return url;
        }

        var b = new UriBuilder(u) { UserName = u.UserInfo.Length > 0 ? Marker : "", Password = "", Query = u.Query.Length > 0 ? Marker : "" };
        return b.Uri.ToString();
    }
}
