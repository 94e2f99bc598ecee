using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>
/// The PostgreSQL store, as LiteLLM finds it: general_settings.database_url (a value or an <c>os.environ/NAME</c>
/// reference), else the DATABASE_URL environment variable, else a URL built from DATABASE_HOST, DATABASE_USERNAME,
/// DATABASE_PASSWORD and DATABASE_NAME when all four are set. Null: the embedded SQLite store. The value is a secret
/// (it carries the password): no message ever repeats it.
/// </summary>
internal static partial class DatabaseUrlReader
{
    private const string Shape = "use postgresql://user:password@host:port/database or an Npgsql connection string (Host=...;Database=...)";

    public static string? Read(YamlWalker w, YamlNode? general, SecretResolver secrets)
    {
        if (YamlWalker.Child(general, "general_settings", "database_url") is (var node, var path) && w.Reference(node, path) is { } raw)
        {
            return secrets.ResolveOrError(w, raw, path, node) is { } configured ? Checked(w, configured, path, node, "") : null;
        }

        if (secrets.Variable("DATABASE_URL") is { } env)
        {
            return Checked(w, env, "DATABASE_URL", null, " (from the environment, as general_settings.database_url is not set)");
        }

        string? host = secrets.Variable("DATABASE_HOST"), user = secrets.Variable("DATABASE_USERNAME"),
            password = secrets.Variable("DATABASE_PASSWORD"), name = secrets.Variable("DATABASE_NAME");
        if (host is null || user is null || password is null || name is null)
        {
            return null;
        }

        var built = $"postgresql://{Uri.EscapeDataString(user)}:{Uri.EscapeDataString(password)}@{host}/{Uri.EscapeDataString(name)}";
        return Checked(w, built, "DATABASE_HOST", null, " (built from DATABASE_HOST, DATABASE_USERNAME, DATABASE_PASSWORD and DATABASE_NAME)");
    }

    /// <summary>The value when it has a PostgreSQL shape, else null with an error that names the shape and not the value.</summary>
    private static string? Checked(YamlWalker w, string value, string path, YamlNode? node, string source)
    {
        if (Problem(value.Trim()) is { } problem)
        {
            w.Error(path, node, problem + source + "; " + Shape);
            return null;
        }

        return value.Trim();
    }

    /// <summary>
    /// Why the value cannot be a postgres(ql):// URL or a key=value connection string naming a host; null when its shape is
    /// right (the store checks the details at start).
    /// </summary>
    internal static string? Problem(string value)
    {
        var scheme = value.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            var name = value[..scheme];
            if (!name.Equals("postgresql", StringComparison.OrdinalIgnoreCase) && !name.Equals("postgres", StringComparison.OrdinalIgnoreCase))
            {
                return name.Length is > 0 and <= 20 && name.All(char.IsAsciiLetterOrDigit)
                    ? $"is a {name}:// URL, not PostgreSQL"
                    : "is not a PostgreSQL URL";
            }

            // The rest (several hosts, a host-less URL that means localhost, query parameters) is the store's to read at
            // start (PostgresConnectionString), which names what is wrong in detail; only what is never right is refused here.
            return value.Contains('#', StringComparison.Ordinal)
                ? "has a URL fragment (#...); percent-encode a '#' in the password as %23"
                : value.Length == scheme + 3 ? "has nothing after the scheme" : null;
        }

        // Npgsql's own syntax (values may be quoted and hold ';'), so only its outline: key=value pairs, one of them Host.
        if (!value.Contains('=', StringComparison.Ordinal))
        {
            return "is neither a URL nor a key=value connection string";
        }

        return HostKey().IsMatch(value) ? null : "is a connection string without Host=";
    }

    [GeneratedRegex(@"(^|;)\s*(host|server)\s*=", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HostKey();
}
