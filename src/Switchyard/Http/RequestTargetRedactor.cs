using System.Text;

namespace Switchyard.Http;

/// <summary>
/// Finds the clear tokens a caller may put in a request target (LiteLLM's <c>/key/{token}/regenerate</c>, and
/// <c>?key=</c> / <c>?api_key=</c> style query parameters) and gives the target with each replaced by a placeholder.
/// </summary>
internal static class RequestTargetRedactor
{
    public const string Placeholder = "[redacted]";

    private const string KeyPrefix = "/key/";

    /// <summary>Second segments under /key/ that are route names, not tokens.</summary>
    private static readonly HashSet<string> KeyActions = new(StringComparer.OrdinalIgnoreCase) { "generate", "update", "delete", "regenerate", "info", "list", Placeholder };

    /// <summary>Query parameters that carry tokens in the APIs we accept (and in common provider styles).</summary>
    private static readonly HashSet<string> SecretParameters = new(StringComparer.OrdinalIgnoreCase) { "key", "api_key", "api-key", "token", "access_token", "master_key" };

    /// <summary>
    /// The path and query string with every token replaced, and the tokens taken out; null when the target holds none
    /// (the common case, decided without allocating).
    /// </summary>
    public static (string Path, string QueryString, RequestSecrets Secrets)? Redact(string path, string queryString)
    {
        var keySegment = KeySegment(path, out var segmentEnd);
        var query = queryString.Length > 1 && MayHoldSecret(queryString) ? SecretQuery(queryString) : null;
        if (keySegment is null && query is null)
        {
            return null;
        }

        var redactedPath = keySegment is null ? path : KeyPrefix + Placeholder + path[segmentEnd..];
        var redactedQuery = query is null ? queryString : RedactQuery(queryString);
        return (redactedPath, redactedQuery, new RequestSecrets { KeySegment = keySegment, Query = query });
    }

    private static bool MayHoldSecret(string queryString)
        => queryString.Contains("key", StringComparison.OrdinalIgnoreCase) || queryString.Contains("token", StringComparison.OrdinalIgnoreCase)
            || queryString.Contains('%'); // an encoded name

    private static string? KeySegment(string path, out int end)
    {
        end = 0;
        if (!path.StartsWith(KeyPrefix, StringComparison.OrdinalIgnoreCase) || path.Length == KeyPrefix.Length)
        {
            return null;
        }

        var slash = path.IndexOf('/', KeyPrefix.Length);
        end = slash < 0 ? path.Length : slash;
        var segment = path[KeyPrefix.Length..end];
        return segment.Length == 0 || KeyActions.Contains(segment) ? null : segment;
    }

    private static Dictionary<string, string>? SecretQuery(string queryString)
    {
        Dictionary<string, string>? found = null;
        foreach (var (name, value) in Pairs(queryString))
        {
            var decoded = Decode(name);
            if (SecretParameters.Contains(decoded))
            {
                found ??= new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                var clear = Decode(value);
                found[decoded] = found.TryGetValue(decoded, out var earlier) ? earlier + "," + clear : clear;
            }
        }

        return found;
    }

    private static string RedactQuery(string queryString)
    {
        var b = new StringBuilder(queryString.Length);
        foreach (var (name, value) in Pairs(queryString))
        {
            b.Append(b.Length == 0 ? '?' : '&').Append(name);
            if (value.Length > 0 || SecretParameters.Contains(Decode(name)))
            {
                b.Append('=').Append(SecretParameters.Contains(Decode(name)) ? Placeholder : value);
            }
        }

        return b.ToString();
    }

    private static IEnumerable<(string Name, string Value)> Pairs(string queryString)
    {
        foreach (var part in queryString.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=');
            yield return eq < 0 ? (part, "") : (part[..eq], part[(eq + 1)..]);
        }
    }

    private static string Decode(string s) => Uri.UnescapeDataString(s.Replace('+', ' '));
}
