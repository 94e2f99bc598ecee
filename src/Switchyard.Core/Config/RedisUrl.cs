using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>Checks a Redis URL's shape: <c>redis://</c> or <c>rediss://</c> (TLS), a host, an optional port and database number.</summary>
internal static class RedisUrl
{
    /// <summary>The URL when its shape is right, else null with an error that never repeats the URL (it may hold the password).</summary>
    public static string? Check(YamlWalker w, string value, string path, YamlNode? node)
    {
        var url = value.Trim();
        string? problem = null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
        {
            problem = "is not a URL";
        }
        else if (uri.Scheme is not ("redis" or "rediss"))
        {
            problem = $"is a {uri.Scheme}:// URL; Redis URLs start with redis:// (or rediss:// for TLS)";
        }
        else if (uri.Host.Length == 0)
        {
            problem = "names no host";
        }
        else if (uri.AbsolutePath is not ("" or "/") && !int.TryParse(uri.AbsolutePath.AsSpan(1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
        {
            problem = "has a path that is not a database number (redis://host:6379/0)";
        }

        if (problem is null)
        {
            return url;
        }

        w.Error(path, node, problem + "; expected redis://[:password@]host:port[/db]");
        return null;
    }
}
