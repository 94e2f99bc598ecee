using System.Globalization;
using Npgsql;
using Switchyard.Core.Tenancy;

namespace Switchyard.Storage.Postgres;

/// <summary>
/// Reads <c>general_settings.database_url</c>: a libpq-style URL (<c>postgresql://user:password@host:port/db?sslmode=require</c>,
/// <c>postgres://</c> too, as LiteLLM and Prisma write it) or a plain Npgsql connection string
/// (<c>Host=…;Username=…;Database=…</c>). Errors name what is wrong and never echo the password.
/// </summary>
public static class PostgresConnectionString
{
    private static readonly string[] Schemes = ["postgresql://", "postgres://"];

    /// <summary>URL query parameters understood, with the Npgsql setting each one sets.</summary>
    private static readonly Dictionary<string, Action<NpgsqlConnectionStringBuilder, string>> Parameters = new(StringComparer.Ordinal)
    {
        ["sslmode"] = (b, v) => b.SslMode = SslMode(v),
        ["sslrootcert"] = (b, v) => b.RootCertificate = v,
        ["sslcert"] = (b, v) => b.SslCertificate = v,
        ["sslkey"] = (b, v) => b.SslKey = v,
        ["sslpassword"] = (b, v) => b.SslPassword = v,
        ["connect_timeout"] = (b, v) => b.Timeout = Int("connect_timeout", v),
        ["application_name"] = (b, v) => b.ApplicationName = v,
        ["options"] = (b, v) => b.Options = v,
        ["target_session_attrs"] = (b, v) => b.TargetSessionAttributes = v,
        ["channel_binding"] = (b, v) => b.ChannelBinding = ChannelBinding(v),
        ["host"] = (b, v) => b.Host = v,
        ["port"] = (b, v) => b.Port = Int("port", v),
        ["user"] = (b, v) => b.Username = v,
        ["password"] = (b, v) => b.Password = v,
        ["dbname"] = (b, v) => b.Database = v,

        // Prisma's (LiteLLM's own DATABASE_URL often carries them)
        ["schema"] = (b, v) => b.SearchPath = v,
        ["connection_limit"] = (b, v) => b.MaxPoolSize = Int("connection_limit", v),
        ["pool_timeout"] = (b, v) => b.Timeout = Int("pool_timeout", v),
    };

    /// <summary>Whether the text is meant as a URL (rather than a key=value connection string).</summary>
    public static bool IsUrl(string value) => Schemes.Any(s => value.StartsWith(s, StringComparison.OrdinalIgnoreCase));

    /// <exception cref="StoreUnavailableException">The value is neither a valid URL nor a valid connection string.</exception>
    public static NpgsqlConnectionStringBuilder Parse(string value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            throw Invalid("it is empty");
        }

        value = value.Trim();
        if (IsUrl(value))
        {
            return ParseUrl(value);
        }

        if (value.Contains("://", StringComparison.Ordinal))
        {
            throw Invalid($"the scheme '{value[..value.IndexOf("://", StringComparison.Ordinal)]}' is not postgresql:// or postgres://");
        }

        try
        {
            return new NpgsqlConnectionStringBuilder(value);
        }
        catch (Exception e) when (e is ArgumentException or FormatException)
        {
            throw Invalid("it is neither a postgresql:// URL nor a valid Npgsql connection string (" + FirstLine(e.Message) + ")");
        }
    }

    /// <summary>host:port/database, for messages and logs (no user, no password).</summary>
    public static string Describe(NpgsqlConnectionStringBuilder b)
        => $"{b.Host ?? "localhost"}{(b.Host?.Contains(':', StringComparison.Ordinal) == true ? "" : ":" + b.Port.ToString(CultureInfo.InvariantCulture))}/{b.Database ?? b.Username ?? ""}";

    private static NpgsqlConnectionStringBuilder ParseUrl(string url)
    {
        var rest = url[(url.IndexOf("://", StringComparison.Ordinal) + 3)..];
        var query = "";
        if (rest.IndexOf('?') is var q and >= 0)
        {
            query = rest[(q + 1)..];
            rest = rest[..q];
        }

        if (rest.Contains('#', StringComparison.Ordinal))
        {
            throw Invalid("a URL fragment (#…) has no meaning here; percent-encode a '#' in the password as %23");
        }

        var path = "";
        var slash = rest.IndexOf('/', rest.LastIndexOf('@') + 1);
        if (slash >= 0)
        {
            path = rest[(slash + 1)..];
            rest = rest[..slash];
        }

        var b = new NpgsqlConnectionStringBuilder();
        if (rest.LastIndexOf('@') is var at and >= 0)
        {
            var userInfo = rest[..at];
            rest = rest[(at + 1)..];
            var colon = userInfo.IndexOf(':');
            var user = Decode("the user name", colon >= 0 ? userInfo[..colon] : userInfo);
            if (user.Length > 0)
            {
                b.Username = user;
            }

            if (colon >= 0)
            {
                b.Password = Decode("the password", userInfo[(colon + 1)..]);
            }
        }

        if (rest.Length > 0)
        {
            b.Host = Hosts(rest, b);
        }

        if (path.Length > 0)
        {
            if (path.Contains('/', StringComparison.Ordinal))
            {
                throw Invalid("the database name (the path) must be one segment, as in postgresql://host/switchyard");
            }

            b.Database = Decode("the database name", path);
        }

        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var name = Decode("a parameter name", eq >= 0 ? pair[..eq] : pair);
            var value = eq >= 0 ? Decode($"the value of {name}", pair[(eq + 1)..]) : "";
            if (!Parameters.TryGetValue(name, out var apply))
            {
                throw Invalid($"the parameter '{name}' is not known (known: {string.Join(", ", Parameters.Keys.Order(StringComparer.Ordinal))})");
            }

            apply(b, value);
        }

        return b;
    }

    /// <summary>One host (<c>db</c>, <c>db:5433</c>, <c>[::1]:5432</c>) or several separated by commas, each with its own port.</summary>
    private static string Hosts(string text, NpgsqlConnectionStringBuilder b)
    {
        var hosts = new List<(string Host, int? Port)>();
        foreach (var part in text.Split(','))
        {
            string host;
            string? port = null;
            if (part.StartsWith('['))
            {
                var close = part.IndexOf(']');
                if (close < 0)
                {
                    throw Invalid($"the host '{part}' opens '[' without closing it");
                }

                host = part[1..close];
                if (close + 1 < part.Length)
                {
                    port = part[(close + 1)..] is [':', .. var p] ? p : throw Invalid($"unexpected text after the IPv6 address in '{part}'");
                }
            }
            else if (part.LastIndexOf(':') is var colon and >= 0)
            {
                host = part[..colon];
                port = part[(colon + 1)..];
            }
            else
            {
                host = part;
            }

            host = Decode("the host", host);
            if (host.Length == 0)
            {
                throw Invalid("a host name is empty");
            }

            hosts.Add((host, port is null or "" ? null : Int("the port", port)));
        }

        if (hosts.Count == 1)
        {
            if (hosts[0].Port is { } single)
            {
                b.Port = single;
            }

            return hosts[0].Host;
        }

        return string.Join(",", hosts.Select(h => h.Port is { } p ? $"{h.Host}:{p.ToString(CultureInfo.InvariantCulture)}" : h.Host));
    }

    private static string Decode(string what, string text)
    {
        try
        {
            return Uri.UnescapeDataString(text);
        }
        catch (UriFormatException)
        {
            throw Invalid($"{what} is not valid percent-encoding");
        }
    }

    private static int Int(string what, string text)
        => int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is > 0 and <= 65535
            ? n
            : throw Invalid($"{what} must be a whole number from 1 to 65535, not '{text}'");

    private static SslMode SslMode(string v) => v switch
    {
        "disable" => Npgsql.SslMode.Disable,
        "allow" => Npgsql.SslMode.Allow,
        "prefer" => Npgsql.SslMode.Prefer,
        "require" => Npgsql.SslMode.Require,
        "verify-ca" => Npgsql.SslMode.VerifyCA,
        "verify-full" => Npgsql.SslMode.VerifyFull,
        _ => throw Invalid($"sslmode '{v}' is not one of disable, allow, prefer, require, verify-ca, verify-full"),
    };

    private static ChannelBinding ChannelBinding(string v) => v switch
    {
        "disable" => Npgsql.ChannelBinding.Disable,
        "prefer" => Npgsql.ChannelBinding.Prefer,
        "require" => Npgsql.ChannelBinding.Require,
        _ => throw Invalid($"channel_binding '{v}' is not one of disable, prefer, require"),
    };

    private static string FirstLine(string message) => message.Split('\n')[0].Trim();

    private static StoreUnavailableException Invalid(string why) => new("database_url is not a usable PostgreSQL address: " + why);
}
