using System.CommandLine;
using System.Text.Json.Nodes;
using static Switchyard.Cli.AdminCommands;

namespace Switchyard.Cli;

/// <summary>
/// <c>switchyard users create|update|list|info|delete|add-to|remove-from</c>: LiteLLM's /user/* and team membership
/// routes; a line or a table for people, the gateway's JSON with <c>--json</c>. <c>users create</c> issues no key unless
/// <c>--key</c> is given (then the key is the one line printed, shown once, as <c>keys create</c> prints it).
/// </summary>
public static class UsersCommand
{
    private static readonly string[] UserColumns = ["user_id", "user_email", "user_role", "teams", "models", "rpm_limit", "tpm_limit", "max_budget", "budget_duration", "spend"];

    private static readonly Option<string?> Email = new("--email") { Description = "The user's email (user_email)" };
    private static readonly Option<string?> Role = new("--role") { Description = "proxy_admin, proxy_admin_viewer, internal_user (default) or internal_user_viewer" };
    private static readonly Option<string?> Teams = new("--teams") { Description = "Comma-separated teams (tenants) the user joins as a member" };
    private static readonly Option<bool> Key = new("--key") { Description = "Also issue a key for the user (printed once)" };
    private static readonly Option<string?> TeamRole = new("--team-role") { Description = "admin or user (default user)" };

    public static Command Create()
    {
        var users = AdminCommand("users", "Create, list, inspect, update and delete users (LiteLLM internal users) and their team memberships");
        var id = new Argument<string>("user_id");
        var team = new Argument<string>("team_id");

        Command Upsert(string name, string path, string description, bool creating)
        {
            var cmd = new Command(name, description) { id, Email, Role, Models, Rpm, Tpm, MaxParallel, MaxBudget, SoftBudget, BudgetDuration };
            if (creating)
            {
                cmd.Options.Add(Teams);
                cmd.Options.Add(Key);
            }

            cmd.SetAction((p, ct) => Run(p, ct, async (c, json) =>
            {
                var body = new JsonObject { ["user_id"] = p.GetValue(id) };
                Set(body, "user_email", p.GetValue(Email));
                Set(body, "user_role", p.GetValue(Role));
                SetList(body, "models", p.GetValue(Models));
                SetLimits(body, p);
                Set(body, "soft_budget", p.GetValue(SoftBudget));
                if (creating)
                {
                    SetList(body, "teams", p.GetValue(Teams));
                    body["auto_create_key"] = p.GetValue(Key);
                }

                var (status, answer) = await c.PostAsync(path, body, ct);
                return Print(status, answer, json, a => a["key"] is JsonValue k ? k.ToString() : $"{name}d user {p.GetValue(id)}");
            }));
            return cmd;
        }

        var list = new Command("list", "List users") { Team };
        list.SetAction((p, ct) => Run(p, ct, async (c, json) =>
        {
            var query = p.GetValue(Team) is { } t ? "?team_id=" + Uri.EscapeDataString(t) : "";
            var (status, answer) = await c.GetAsync("/user/list" + query, ct);
            return Print(status, answer, json, a => Table(a["users"]!.AsArray(), UserColumns));
        }));

        var info = new Command("info", "Show a user, their limits, spend, keys and teams") { id };
        info.SetAction((p, ct) => Run(p, ct, async (c, json) =>
        {
            var (status, answer) = await c.GetAsync("/user/info?user_id=" + Uri.EscapeDataString(p.GetValue(id)!), ct);
            return Print(status, answer, json, Info);
        }));

        var delete = new Command("delete", "Delete a user and every key they own") { id };
        delete.SetAction((p, ct) => Run(p, ct, async (c, json) =>
        {
            var (status, answer) = await c.PostAsync("/user/delete", new JsonObject { ["user_ids"] = new JsonArray(p.GetValue(id)) }, ct);
            return Print(status, answer, json, a => $"deleted user {p.GetValue(id)} and {a["deleted_keys"]?.AsArray().Count ?? 0} key(s)");
        }));

        var add = new Command("add-to", "Make the user a member of a team (created if it does not exist)") { team, id, TeamRole };
        add.SetAction((p, ct) => Run(p, ct, async (c, json) =>
        {
            var member = new JsonObject { ["user_id"] = p.GetValue(id), ["role"] = p.GetValue(TeamRole) ?? "user" };
            var (status, answer) = await c.PostAsync("/team/member_add", new JsonObject { ["team_id"] = p.GetValue(team), ["member"] = member }, ct);
            return Print(status, answer, json, _ => $"user {p.GetValue(id)} is a member ({member["role"]}) of team {p.GetValue(team)}");
        }));

        var remove = new Command("remove-from", "End the user's membership of a team") { team, id };
        remove.SetAction((p, ct) => Run(p, ct, async (c, json) =>
        {
            var (status, answer) = await c.PostAsync("/team/member_delete", new JsonObject { ["team_id"] = p.GetValue(team), ["user_id"] = p.GetValue(id) }, ct);
            return Print(status, answer, json, _ => $"user {p.GetValue(id)} is no longer a member of team {p.GetValue(team)}");
        }));

        users.Subcommands.Add(Upsert("create", "/user/new", "Create a user", creating: true));
        users.Subcommands.Add(Upsert("update", "/user/update", "Change a user's role, email, models, limits or budget", creating: false));
        users.Subcommands.Add(list);
        users.Subcommands.Add(info);
        users.Subcommands.Add(delete);
        users.Subcommands.Add(add);
        users.Subcommands.Add(remove);
        return users;
    }

    /// <summary>The user as "field: value" lines, then their keys' table.</summary>
    private static string Info(JsonNode answer)
    {
        var user = answer["user_info"] ?? new JsonObject();
        var fields = UserColumns.Concat(["soft_budget", "budget_reset_at", "created_at"]).ToArray();
        var width = fields.Max(f => f.Length);
        var lines = fields.Select(f => $"{(f + ":").PadRight(width + 1)} {Cell(user[f])}").ToList();
        var keys = answer["keys"]?.AsArray() ?? [];
        lines.Add("");
        lines.Add(keys.Count == 0 ? "no keys" : $"{keys.Count} key(s):");
        if (keys.Count > 0)
        {
            lines.Add(Table(keys, ["token", "key_alias", "team_id", "models", "spend", "status", "expires"]));
        }

        return string.Join("\n", lines);
    }
}
