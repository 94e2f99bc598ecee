namespace Switchyard.Audit;

/// <summary>
/// The audited routes: every state-changing admin route and the dashboard's sign-in and sign-out, each with its action
/// name. Matched on method and path before routing, so a route is audited whoever answers it (also a refusal, and also
/// routes mapped by other parts of the host such as <c>/ui/session</c>).
/// </summary>
public static class AuditActions
{
    // Keyed by path, ignoring case, so matching allocates nothing (it runs on every request, inference included).
    internal static readonly Dictionary<(string Method, string Path), string> Exact = new(PathComparer.Instance)
    {
        [("POST", "/key/generate")] = "key.generate",
        [("POST", "/key/update")] = "key.update",
        [("POST", "/key/delete")] = "key.delete",
        [("POST", "/key/regenerate")] = "key.regenerate",
        [("POST", "/team/new")] = "team.new",
        [("POST", "/team/update")] = "team.update",
        [("POST", "/team/delete")] = "team.delete",
        [("POST", "/team/member_add")] = "team.member_add",
        [("POST", "/team/member_delete")] = "team.member_delete",
        [("POST", "/user/new")] = "user.new",
        [("POST", "/user/update")] = "user.update",
        [("POST", "/user/delete")] = "user.delete",
        [("POST", "/model/new")] = "model.new",
        [("POST", "/model/update")] = "model.update",
        [("POST", "/model/delete")] = "model.delete",
        [("POST", "/config/reload")] = "config.reload",
        [("POST", "/alias/promote")] = "alias.promote",
        [("POST", "/alias/rollback")] = "alias.rollback",
        [("POST", "/alias/finalize")] = "alias.finalize",
        [("POST", "/ui/session")] = "session.sign_in",
        [("DELETE", "/ui/session")] = "session.sign_out",
    };

    /// <summary>The first path segment of every audited route (keep in step with <see cref="Exact"/>).</summary>
    private static readonly string[] Roots = ["key", "team", "user", "model", "config", "alias", "ui"];

    /// <summary>Every action name, for docs and for validating an <c>action</c> filter.</summary>
    public static IEnumerable<string> All => Exact.Values.Distinct();

    /// <summary>The action of a request, or null when it is not audited.</summary>
    public static string? Match(string method, string? path)
    {
        if (string.IsNullOrEmpty(path) || !(HttpMethods.IsPost(method) || HttpMethods.IsDelete(method)) || !HasAuditedRoot(path))
        {
            return null;
        }

        var trimmed = path.Length > 1 ? path.TrimEnd('/') : path;
        if (Exact.TryGetValue((method, trimmed), out var action))
        {
            return action;
        }

        // POST /key/{key}/regenerate (the key in the path never reaches the row: the handler names the key by its id)
        return HttpMethods.IsPost(method) && trimmed.StartsWith("/key/", StringComparison.OrdinalIgnoreCase)
            && trimmed.EndsWith("/regenerate", StringComparison.OrdinalIgnoreCase) ? "key.regenerate" : null;
    }

    /// <summary>
    /// Whether the path's first segment is one an audited route starts with, compared without hashing the path: the
    /// quick no for every inference request (/v1/..., /chat/...), before the dictionary lookup.
    /// </summary>
    private static bool HasAuditedRoot(string path)
    {
        var rest = path.AsSpan(1);
        var slash = rest.IndexOf('/');
        var root = slash < 0 ? rest : rest[..slash];
        foreach (var audited in Roots)
        {
            if (root.Equals(audited, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private sealed class PathComparer : IEqualityComparer<(string Method, string Path)>
    {
        public static readonly PathComparer Instance = new();

        public bool Equals((string Method, string Path) x, (string Method, string Path) y)
            => string.Equals(x.Method, y.Method, StringComparison.OrdinalIgnoreCase) && string.Equals(x.Path, y.Path, StringComparison.OrdinalIgnoreCase);

        public int GetHashCode((string Method, string Path) obj)
            => HashCode.Combine(StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Method), StringComparer.OrdinalIgnoreCase.GetHashCode(obj.Path));
    }
}
