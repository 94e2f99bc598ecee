using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>
/// LiteLLM's Redis keys in router_settings: redis_url, or redis_host with redis_port and redis_password (values or
/// <c>os.environ/NAME</c> references). As in LiteLLM's router, the config has to name the server; the REDIS_PORT and
/// REDIS_PASSWORD environment variables then fill in what it leaves out (port 6379 otherwise). REDIS_HOST or REDIS_URL
/// in the environment alone turn nothing on: a warning says how to name them.
/// </summary>
internal static class RouterRedisReader
{
    /// <summary>The server as a redis:// URL, with where it was named; null when router_settings names none.</summary>
    public static (string Url, string Path, YamlNode Node)? Read(YamlWalker w, YamlNode? router, SecretResolver secrets)
    {
        var url = YamlWalker.Child(router, "router_settings", "redis_url");
        var host = YamlWalker.Child(router, "router_settings", "redis_host");
        var port = YamlWalker.Child(router, "router_settings", "redis_port");
        var password = YamlWalker.Child(router, "router_settings", "redis_password");
        if (url is (var urlNode, var urlPath) && w.Reference(urlNode, urlPath) is { } rawUrl)
        {
            foreach (var (node, path) in new[] { host, port, password }.OfType<(YamlNode, string)>())
            {
                w.Warn(path, node, "ignored: router_settings.redis_url names the server (put the password in the URL)");
            }

            return secrets.ResolveOrError(w, rawUrl, urlPath, urlNode) is { } value && RedisUrl.Check(w, value, urlPath, urlNode) is { } checkedUrl
                ? (checkedUrl, urlPath, urlNode)
                : null;
        }

        if (host is not (var hostNode, var hostPath) || w.Reference(hostNode, hostPath) is not { } rawHost)
        {
            foreach (var (node, path) in new[] { port, password }.OfType<(YamlNode, string)>())
            {
                w.Warn(path, node, "has no effect without router_settings.redis_host (or redis_url)");
            }

            if (secrets.Variable("REDIS_HOST") is not null || secrets.Variable("REDIS_URL") is not null)
            {
                w.Warn("router_settings.redis_host", router, "not set, but the environment has REDIS_HOST or REDIS_URL: state stays in this replica (as in LiteLLM's router, the config has to name Redis; add redis_host: os.environ/REDIS_HOST or redis_url: os.environ/REDIS_URL)");
            }

            return null;
        }

        var hostName = secrets.ResolveOrError(w, rawHost, hostPath, hostNode);
        if (hostName is not null && (hostName.Length == 0 || hostName.Contains("://", StringComparison.Ordinal) || hostName.Any(c => char.IsWhiteSpace(c) || c is '/' or '@')))
        {
            w.Error(hostPath, hostNode, "must be a host name or address (a URL goes in redis_url)");
            hostName = null;
        }

        var portNumber = ReadPort(w, port, secrets);
        string? secret = null;
        if (password is (var passwordNode, var passwordPath))
        {
            secret = w.Reference(passwordNode, passwordPath) is { } rawPassword ? secrets.ResolveOrError(w, rawPassword, passwordPath, passwordNode) : null;
        }
        else
        {
            secret = secrets.Variable("REDIS_PASSWORD");
        }

        if (hostName is null || portNumber is null)
        {
            return null;
        }

        var auth = string.IsNullOrEmpty(secret) ? "" : ":" + Uri.EscapeDataString(secret) + "@";
        var hostPart = hostName.Contains(':', StringComparison.Ordinal) && !hostName.StartsWith('[') ? "[" + hostName + "]" : hostName;
        return ($"redis://{auth}{hostPart}:{portNumber.Value.ToString(CultureInfo.InvariantCulture)}", hostPath, hostNode);
    }

    private static int? ReadPort(YamlWalker w, (YamlNode Value, string Path)? port, SecretResolver secrets)
    {
        string? text;
        string path;
        YamlNode? node = null;
        if (port is (var portNode, var portPath))
        {
            (node, path) = (portNode, portPath);
            text = w.Reference(portNode, portPath) is { } raw ? secrets.ResolveOrError(w, raw, portPath, portNode) : "6379";
            if (text is null)
            {
                return null;
            }
        }
        else
        {
            path = "REDIS_PORT";
            text = secrets.Variable("REDIS_PORT") ?? "6379";
        }

        if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 65535)
        {
            return n;
        }

        w.Error(path, node, $"must be a port between 1 and 65535, got '{text}'" + (node is null ? " (from the environment, as router_settings.redis_port is not set)" : ""));
        return null;
    }
}
