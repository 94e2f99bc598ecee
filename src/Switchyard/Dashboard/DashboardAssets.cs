using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;

namespace Switchyard.Dashboard;

/// <summary>
/// The dashboard's files, embedded in the assembly (Dashboard/wwwroot, resource names <c>dashboard/...</c>) and served
/// from memory: <c>/ui/assets/...</c> with a long max-age (every reference carries <c>?v=</c> the hash of all the
/// files, also the ES module imports, rewritten at load), and the one HTML shell for every page path under <c>/ui</c>.
/// </summary>
public sealed class DashboardAssets
{
    /// <summary>The security headers every <c>/ui</c> answer carries (docs/dashboard.md).</summary>
    public const string ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private const string Prefix = "dashboard/";

    private readonly FrozenDictionary<string, File> _assets;

    private readonly byte[] _shell;

    public DashboardAssets()
    {
        var assembly = typeof(DashboardAssets).Assembly;
        var texts = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(Prefix, StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            texts[name[Prefix.Length..].Replace('\\', '/')] = reader.ReadToEnd();
        }

        var all = new StringBuilder();
        foreach (var (name, text) in texts)
        {
            all.Append(name).Append('\0').Append(text).Append('\0');
        }

        Version = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(all.ToString())))[..16];
        var map = new Dictionary<string, File>(StringComparer.Ordinal);
        foreach (var (name, text) in texts)
        {
            if (name == "index.html")
            {
                continue;
            }

            map[name] = new File(Encoding.UTF8.GetBytes(Versioned(text)), ContentType(name));
        }

        _assets = map.ToFrozenDictionary(StringComparer.Ordinal);
        _shell = Encoding.UTF8.GetBytes(Versioned(texts.GetValueOrDefault("index.html") ?? "<!doctype html><title>Switchyard</title><p>The dashboard's files are missing from this build.</p>"));
    }

    /// <summary>The hash of every file, the <c>v</c> query of every asset reference.</summary>
    public string Version { get; }

    public IEnumerable<string> Names => _assets.Keys;

    /// <summary>The HTML shell, for every page path (client-side routing).</summary>
    public Task Shell(HttpContext c)
    {
        var path = c.Request.Path.Value ?? "";
        if (path.StartsWith("/ui/api/", StringComparison.OrdinalIgnoreCase) || path.StartsWith("/ui/assets/", StringComparison.OrdinalIgnoreCase))
        {
            return Http.FailureResponses.WriteAsync(c, Http.FailureResponses.NotFound(path));
        }

        c.Response.ContentType = "text/html; charset=utf-8";
        c.Response.ContentLength = _shell.Length;
        return c.Response.Body.WriteAsync(_shell).AsTask();
    }

    public Task Asset(HttpContext c)
    {
        var name = c.Request.RouteValues["file"] as string ?? "";
        if (!_assets.TryGetValue(name, out var asset))
        {
            return Http.FailureResponses.WriteAsync(c, Http.FailureResponses.NotFound(c.Request.Path));
        }

        c.Response.Headers.CacheControl = c.Request.Query["v"] == Version ? "public, max-age=31536000, immutable" : "no-cache";
        c.Response.ContentType = asset.ContentType;
        c.Response.ContentLength = asset.Bytes.Length;
        return c.Response.Body.WriteAsync(asset.Bytes).AsTask();
    }

    /// <summary>The security headers of every <c>/ui</c> answer (assets then override Cache-Control).</summary>
    public static void SecureHeaders(HttpResponse response)
    {
        var h = response.Headers;
        h.ContentSecurityPolicy = ContentSecurityPolicy;
        h.XContentTypeOptions = "nosniff";
        h["Referrer-Policy"] = "no-referrer";
        h.XFrameOptions = "DENY";
        h.CacheControl = "no-store";
    }

    /// <summary>Every reference to one of our own files (<c>.js</c>, <c>.css</c>, <c>.svg</c> in quotes) gets <c>?v=</c>.</summary>
    private string Versioned(string text)
        => System.Text.RegularExpressions.Regex.Replace(text, "([\"'])((?:\\./|\\.\\./|/ui/assets/)[A-Za-z0-9_./-]+\\.(?:js|css|svg))\\1", m => m.Groups[1].Value + m.Groups[2].Value + "?v=" + Version + m.Groups[1].Value);

    private static string ContentType(string name) => Path.GetExtension(name) switch
    {
        ".js" => "text/javascript; charset=utf-8",
        ".css" => "text/css; charset=utf-8",
        ".svg" => "image/svg+xml",
        ".html" => "text/html; charset=utf-8",
        _ => "application/octet-stream",
    };

    private sealed record File(byte[] Bytes, string ContentType);
}
