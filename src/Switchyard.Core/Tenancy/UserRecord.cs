namespace Switchyard.Core.Tenancy;

/// <summary>
/// A user (LiteLLM's internal user): who owns keys, with a role, team memberships, a model list, limits and a budget
/// of their own. The user's max_budget bounds every key the user owns, together with the key's and its team's.
/// </summary>
public sealed record UserRecord
{
    public required string UserId { get; init; }
    public string? UserEmail { get; init; }

    /// <summary>One of <see cref="UserRoles"/>; LiteLLM's default is internal_user.</summary>
    public string UserRole { get; init; } = UserRoles.InternalUser;

    /// <summary>Team (tenant) id to the user's role in it (<see cref="TeamRoles"/>).</summary>
    public IReadOnlyDictionary<string, string> Teams { get; init; } = new Dictionary<string, string>();

    /// <summary>Aliases the user's keys may call; empty means all their key and team allow.</summary>
    public IReadOnlyList<string> Models { get; init; } = [];

    public Limits Limits { get; init; } = Limits.None;
    public decimal Spend { get; init; }
    public DateTimeOffset? BudgetResetAt { get; init; }
    public string? MetadataJson { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>LiteLLM's user roles (user_role).</summary>
public static class UserRoles
{
    public const string ProxyAdmin = "proxy_admin";
    public const string ProxyAdminViewer = "proxy_admin_viewer";
    public const string InternalUser = "internal_user";
    public const string InternalUserViewer = "internal_user_viewer";

    public static readonly IReadOnlyList<string> All = [ProxyAdmin, ProxyAdminViewer, InternalUser, InternalUserViewer];
}

/// <summary>A member's role in a team (LiteLLM's members_with_roles[].role).</summary>
public static class TeamRoles
{
    public const string Admin = "admin";
    public const string User = "user";

    public static bool IsKnown(string role) => role is Admin or User;
}
