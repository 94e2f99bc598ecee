using System.CommandLine;
using System.Text.Json.Nodes;
using static Switchyard.Cli.AdminCommands;

namespace Switchyard.Cli;

/// <summary>
/// <c>switchyard tenants create|update|list|info|usage|delete</c>: a line or a table for people, the gateway's JSON with
/// <c>--json</c>. The model list is checked by the gateway as <c>keys create</c>'s is (unknown or misspelt aliases
/// refused, naming the nearest).
/// </summary>
public static class TenantsCommand
{
    private static readonly string[] TenantColumns = ["team_id", "team_alias", "models", "rpm_limit", "tpm_limit", "max_parallel_requests", "max_budget", "budget_duration", "spend", "source"];

    public static Command Create()
    {
        var tenants = AdminCommand("tenants", "Create, list, inspect, update and delete tenants (LiteLLM teams)");
        var id = new Argument<string>("tenant_id");

        Command Upsert(string name, string path, string description)
        {
            var cmd = new Command(name, description) { id, Alias, Models, Rpm, Tpm, MaxParallel, MaxBudget, SoftBudget, BudgetDuration };
            cmd.SetAction((p, ct) => Run(p, ct, async (c, json) =>
            {
                var body = new JsonObject { ["team_id"] = p.GetValue(id) };
                Set(body, "team_alias", p.GetValue(Alias));
                SetList(body, "models", p.GetValue(Models));
                SetLimits(body, p);
                Set(body, "soft_budget", p.GetValue(SoftBudget));
                var (status, answer) = await c.PostAsync(path, body, ct);
                return Print(status, answer, json, a => $"{name}d tenant {a["team_id"]}");
            }));
            return cmd;
        }

        var list = new Command("list", "List tenants");
        list.SetAction((p, ct) => Run(p, ct, async (c, json) =>
        {
            var (status, answer) = await c.GetAsync("/team/list", ct);
            return Print(status, answer, json, a => Table(a.AsArray(), TenantColumns));
        }));

        var info = new Command("info", "Show a tenant, its limits, spend and keys") { id };
        info.SetAction((p, ct) => Run(p, ct, async (c, json) =>
        {
            var (status, answer) = await c.GetAsync("/team/info?team_id=" + Uri.EscapeDataString(p.GetValue(id)!), ct);
            return Print(status, answer, json, Info);
        }));

        var usage = new Command("usage", "Current rpm, tpm, concurrency and budget use against limits, for the tenant, its aliases and its keys") { id };
        usage.SetAction((p, ct) => Run(p, ct, async (c, json) =>
        {
            var (status, answer) = await c.GetAsync("/team/usage?team_id=" + Uri.EscapeDataString(p.GetValue(id)!), ct);
            return Print(status, answer, json, UsageText);
        }));

        var delete = new Command("delete", "Delete a tenant and its keys") { id };
        delete.SetAction((p, ct) => Run(p, ct, async (c, json) =>
        {
            var (status, answer) = await c.PostAsync("/team/delete", new JsonObject { ["team_ids"] = new JsonArray(p.GetValue(id)) }, ct);
            return Print(status, answer, json, _ => "deleted tenant " + p.GetValue(id));
        }));

        tenants.Subcommands.Add(Upsert("create", "/team/new", "Create a tenant"));
        tenants.Subcommands.Add(Upsert("update", "/team/update", "Change a tenant's limits"));
        tenants.Subcommands.Add(list);
        tenants.Subcommands.Add(info);
        tenants.Subcommands.Add(usage);
        tenants.Subcommands.Add(delete);
        return tenants;
    }

    /// <summary>The tenant as "field: value" lines (the list's columns, then its per-alias limits and budget period), then its keys' table.</summary>
    private static string Info(JsonNode answer)
    {
        var team = answer["team_info"] ?? new JsonObject();
        var fields = TenantColumns.Concat(["soft_budget", "budget_reset_at", "blocked", "created_at"]).ToArray();
        var width = fields.Max(f => f.Length);
        var lines = fields.Select(f => $"{(f + ":").PadRight(width + 1)} {Cell(team[f])}").ToList();
        foreach (var (field, label) in new[] { ("model_rpm_limit", "rpm per alias"), ("model_tpm_limit", "tpm per alias") })
        {
            if (team[field] is JsonObject { Count: > 0 } perAlias)
            {
                lines.Add($"{(label + ":").PadRight(width + 1)} {string.Join(", ", perAlias.Select(kv => $"{kv.Key}={kv.Value}"))}");
            }
        }

        var keys = answer["keys"]?.AsArray() ?? [];
        lines.Add("");
        lines.Add(keys.Count == 0 ? "no keys" : $"{keys.Count} key(s):");
        if (keys.Count > 0)
        {
            lines.Add(Table(keys, ["token", "key_alias", "scopes", "models", "spend", "status", "expires"]));
        }

        return string.Join("\n", lines);
    }
}
