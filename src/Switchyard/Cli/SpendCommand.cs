using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using static Switchyard.Cli.AdminCommands;

namespace Switchyard.Cli;

/// <summary>
/// <c>switchyard spend [--by model|tenant|alias|day|key] [--since 7d|DATE] [--until DATE] [--tenant ID] [--json]</c>:
/// requests, tokens and dollars from the spend log per group, biggest first, with the total (the gateway's
/// <c>GET /spend/summary</c>).
/// </summary>
public static partial class SpendCommand
{
    public static Command Create()
    {
        var by = new Option<string>("--by") { Description = "Group by model (provider model), tenant, alias, day (UTC) or key", DefaultValueFactory = _ => "model" };
        by.AcceptOnlyFromAmong(Endpoints.AdminEndpoints.SummaryGroups);
        var since = new Option<string>("--since") { Description = "From: a span back from now (30m, 24h, 7d, 2w) or a date/time (2026-05-01, ISO 8601)", DefaultValueFactory = _ => "30d" };
        var until = new Option<string?>("--until") { Description = "Up to: a span back from now or a date/time; a date includes its whole day (default now)" };
        var spend = AdminCommand("spend", "Spend at a glance: requests, tokens and dollars per model, tenant, alias, day or key");
        spend.Options.Add(by);
        spend.Options.Add(since);
        spend.Options.Add(until);
        spend.Options.Add(Team);
        spend.SetAction((p, ct) =>
        {
            var now = TimeProvider.System.GetUtcNow();
            var (from, fromError) = When(p.GetValue(since)!, "--since", now);
            var (to, toError) = p.GetValue(until) is { } u ? When(u, "--until", now) : (null, null);
            if ((fromError ?? toError) is { } error)
            {
                Console.Error.WriteLine("switchyard: " + error);
                return Task.FromResult(2);
            }

            return Run(p, ct, async (c, json) =>
            {
                var group = p.GetValue(by)!;
                var query = $"/spend/summary?group_by={group}&start_date={Uri.EscapeDataString(from!)}"
                    + (to is null ? "" : "&end_date=" + Uri.EscapeDataString(to))
                    + (p.GetValue(Team) is { } team ? "&team_id=" + Uri.EscapeDataString(team) : "");
                var (status, answer) = await c.GetAsync(query, ct);
                return Print(status, answer, json, a => Render(a, group, p.GetValue(since)!, p.GetValue(until)));
            });
        });
        return spend;
    }

    /// <summary>A --since/--until value as the gateway reads it: a span becomes a UTC time, a date or time is passed on.</summary>
    internal static (string? Value, string? Error) When(string text, string option, DateTimeOffset now)
    {
        var trimmed = text.Trim();
        if (Span().Match(trimmed) is { Success: true } m)
        {
            var n = int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            var span = m.Groups[2].Value switch
            {
                "m" => TimeSpan.FromMinutes(n),
                "h" => TimeSpan.FromHours(n),
                "d" => TimeSpan.FromDays(n),
                _ => TimeSpan.FromDays(7 * n),
            };
            return ((now - span).UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture), null);
        }

        return DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _)
            ? (trimmed, null)
            : (null, $"{option} '{text}' is neither a span back from now (30m, 24h, 7d, 2w) nor a date (2026-05-01) or ISO 8601 time");
    }

    private static string Render(JsonNode answer, string group, string since, string? until)
    {
        var rows = answer["rows"]?.AsArray() ?? [];
        var total = answer["total"] ?? new JsonObject();
        var totalSpend = total["spend"]?.GetValue<decimal>() ?? 0;
        var table = new JsonArray();
        foreach (var r in rows)
        {
            table.Add(Row(group, Label(r, group), r, totalSpend));
        }

        table.Add(Row(group, "total", total, totalSpend));
        var header = $"spend since {since}{(until is null ? "" : " until " + until)}, by {group}";
        return rows.Count == 0 ? header + "\nno spend recorded in this period" : header + "\n" + Table(table, [group, "requests", "prompt_tokens", "completion_tokens", "spend", "share"]);
    }

    private static JsonObject Row(string column, string label, JsonNode? r, decimal totalSpend)
    {
        var spend = r?["spend"]?.GetValue<decimal>() ?? 0;
        return new JsonObject
        {
            [column] = label,
            ["requests"] = r?["requests"]?.DeepClone(),
            ["prompt_tokens"] = r?["prompt_tokens"]?.DeepClone(),
            ["completion_tokens"] = r?["completion_tokens"]?.DeepClone(),
            ["spend"] = "$" + spend.ToString("0.000000", CultureInfo.InvariantCulture),
            ["share"] = totalSpend == 0 ? "-" : (spend / totalSpend).ToString("0.0%", CultureInfo.InvariantCulture),
        };
    }

    /// <summary>A group's name as people read it: a key by alias and short id, a tenant with its alias, "(none)" for no value.</summary>
    private static string Label(JsonNode? r, string group)
    {
        var name = r?["name"]?.GetValue<string>();
        return group switch
        {
            "key" when name is null => "(master key)",
            "key" => $"{r!["key_alias"]?.GetValue<string>() ?? r["key_name"]?.GetValue<string>() ?? "(deleted)"} {name[..Math.Min(12, name.Length)]}",
            "tenant" when name is null => "(no tenant)",
            "tenant" when r!["team_alias"]?.GetValue<string>() is { } alias => $"{name} ({alias})",
            _ => name ?? "(none)",
        };
    }

    [GeneratedRegex("^([0-9]{1,6})([mhdw])$")]
    private static partial Regex Span();
}
