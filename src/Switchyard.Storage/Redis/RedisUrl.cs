using System.Globalization;
using StackExchange.Redis;

namespace Switchyard.Storage.Redis;

/// <summary>
/// Reads <c>redis://[[user]:password@]host[:port][/db]</c> (<c>rediss://</c>: TLS) into StackExchange.Redis options,
/// with every timeout set to the shared state timeout and no abort when Redis is down at start (it reconnects).
/// </summary>
public static class RedisUrl
{
    public static ConfigurationOptions ToOptions(string url, TimeSpan timeout)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("redis" or "rediss") || uri.Host.Length == 0)
        {
            throw new FormatException("a Redis URL is redis://[:password@]host[:port][/db] or rediss://...");
        }

        var options = new ConfigurationOptions
        {
            AbortOnConnectFail = false,
            Ssl = uri.Scheme == "rediss",
            ConnectTimeout = (int)Math.Max(1_000, timeout.TotalMilliseconds * 4),
            AsyncTimeout = (int)Math.Max(1, timeout.TotalMilliseconds),
            SyncTimeout = (int)Math.Max(1, timeout.TotalMilliseconds),
            ConnectRetry = 1,
            ReconnectRetryPolicy = new LinearRetry(500),
            ClientName = "switchyard",

            // while disconnected, fail at once (the breaker and the failure policy take over) instead of queueing
            BacklogPolicy = BacklogPolicy.FailFast,
        };
        options.EndPoints.Add(uri.Host, uri.IsDefaultPort || uri.Port < 0 ? 6379 : uri.Port);
        if (uri.UserInfo.Length > 0)
        {
            var colon = uri.UserInfo.IndexOf(':', StringComparison.Ordinal);
            var user = Uri.UnescapeDataString(colon < 0 ? "" : uri.UserInfo[..colon]);
            var password = Uri.UnescapeDataString(colon < 0 ? uri.UserInfo : uri.UserInfo[(colon + 1)..]);
            if (user.Length > 0)
            {
                options.User = user;
            }

            options.Password = password;
        }

        var path = uri.AbsolutePath.Trim('/');
        if (path.Length > 0)
        {
            options.DefaultDatabase = int.TryParse(path, NumberStyles.None, CultureInfo.InvariantCulture, out var db) ? db : throw new FormatException($"the Redis URL's database '{path}' is not a number");
        }

        return options;
    }
}
