namespace Switchyard.Cli;

/// <summary>
/// The gateway base URL a CLI command talks to: --url, else $SWITCHYARD_URL, else http://127.0.0.1:4000. Checked up
/// front, so a mistake (no scheme, an empty variable) is one line naming where the value came from.
/// </summary>
internal static class GatewayUrl
{
    public const string Default = "http://127.0.0.1:4000";

    public const string EnvironmentVariable = "SWITCHYARD_URL";

    /// <summary>The URL, or the one-line reason it cannot be used.</summary>
    public static (Uri? Url, string? Error) Resolve(string? option)
    {
        var env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        var (text, source) = option is not null ? (option, "--url") : env is not null ? (env, "$" + EnvironmentVariable) : (Default, "the default URL");
        return Parse(text, source);
    }

    /// <summary>Checks one value: an absolute http(s) URL with a host.</summary>
    public static (Uri? Url, string? Error) Parse(string text, string source)
    {
        var trimmed = text.Trim();
        if (trimmed.Length == 0)
        {
            return (null, $"{source} is empty; give the gateway's base URL, e.g. {Default}");
        }

        if (Uri.TryCreate(trimmed, UriKind.Absolute, out var url) && url.Scheme is "http" or "https" && url.Host.Length > 0)
        {
            return (url, null);
        }

        var hint = trimmed.Contains("://", StringComparison.Ordinal) ? "" : $"; did you mean http://{trimmed}?";
        return (null, $"{source} '{trimmed}' is not an http:// or https:// URL{hint}");
    }
}
