using System.CommandLine;
using System.Text.Json.Nodes;
using static Switchyard.Cli.AdminCommands;

namespace Switchyard.Cli;

/// <summary>
/// <c>switchyard audit [--since 7d|DATE] [--action key.|key.generate] [--actor ID|ALIAS|master] [--target ID] [--limit N] [--json]</c>:
/// the most recent audit log rows, newest first (the gateway's <c>GET /audit/log</c>).
/// </summary>
public static class AuditCommand
{
    public static Command Create()
    {
        var since = new Option<string?>("--since") { Description = "From: a span back from now (30m, 24h, 7d, 2w) or a date/time (default: all)" };
        var action = new Option<string?>("--action") { Description = "One action (key.generate) or every action under a prefix ending in a dot (key.)" };
        var actor = new Option<string?>("--actor") { Description = "A key id, key alias or master" };
        var target = new Option<string?>("--target") { Description = "A key id, team id, user id, model id or alias" };
        var limit = new Option<int>("--limit") { Description = "How many rows (1 to 500)", DefaultValueFactory = _ => 50 };
        var audit = AdminCommand("audit", "The audit log: who did which admin action, to what, how it ended and from where");
        foreach (var o in new Option[] { since, action, actor, target, limit })
        {
            audit.Options.Add(o);
        }

        audit.SetAction((p, ct) =>
        {
            string? from = null;
            if (p.GetValue(since) is { } s)
            {
                (from, var error) = SpendCommand.When(s, "--since", TimeProvider.System.GetUtcNow());
                if (error is not null)
                {
                    Console.Error.WriteLine("switchyard: " + error);
                    return Task.FromResult(2);
                }
            }

            return Run(p, ct, async (c, json) =>
            {
                var query = "/audit/log?page_size=" + p.GetValue(limit)
                    + Param("since", from) + Param("action", p.GetValue(action)) + Param("actor", p.GetValue(actor)) + Param("target", p.GetValue(target));
                var (status, answer) = await c.GetAsync(query, ct);
                return Print(status, answer, json, Render);
            });
        });
        return audit;
    }

    private static string Param(string name, string? value) => value is null ? "" : $"&{name}={Uri.EscapeDataString(value)}";

    private static string Render(JsonNode answer)
    {
        var rows = answer["data"]?.AsArray() ?? [];
        if (rows.Count == 0)
        {
            return "no audit rows";
        }

        var table = new JsonArray();
        foreach (var r in rows)
        {
            var actor = r?["actor"]?.GetValue<string>();
            table.Add(new JsonObject
            {
                ["time"] = r?["time"]?.DeepClone(),
                ["actor"] = r?["actor_alias"]?.GetValue<string>() ?? (actor is null ? "(invalid token)" : actor[..Math.Min(12, actor.Length)]),
                ["tenant"] = r?["tenant_id"]?.DeepClone() ?? "-",
                ["action"] = r?["action"]?.DeepClone(),
                ["target"] = r?["target"]?.GetValue<string>() is { } t ? t[..Math.Min(24, t.Length)] : "-",
                ["outcome"] = $"{r?["outcome"]?.GetValue<string>()} {r?["status"]}" + (r?["error_code"]?.GetValue<string>() is { } code ? " " + code : ""),
                ["from"] = r?["client_address"]?.DeepClone() ?? "-",
            });
        }

        return $"{rows.Count} of {answer["total"]} audit rows, newest first\n" + Table(table, ["time", "actor", "tenant", "action", "target", "outcome", "from"]);
    }
}
