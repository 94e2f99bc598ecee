using System.CommandLine;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchyard.Cli;

/// <summary>
/// The admin API from the command line: options and helpers shared by <c>keys</c> (<see cref="KeysCommand"/>),
/// <c>tenants</c> (<see cref="TenantsCommand"/>) and <c>spend</c> (<see cref="SpendCommand"/>); <c>reload</c> and <c>alias</c>.
/// Every command prints for people by default (one line, or a table) and the gateway's JSON with <c>--json</c>.
/// </summary>
public static class AdminCommands
{
    internal static readonly Option<string?> Url = new("--url") { Description = "Gateway base URL (default $SWITCHYARD_URL, else http://127.0.0.1:4000)", Recursive = true };
    internal static readonly Option<string?> TokenFile = new("--token-file") { Description = "File holding an admin token (default $SWITCHYARD_TOKEN_FILE, $SWITCHYARD_TOKEN, ~/.switchyard/master.key)", Recursive = true };
    internal static readonly Option<bool> Json = new("--json") { Description = "Print the raw JSON answer", Recursive = true };

    internal static readonly Option<string?> Team = new("--team", "--tenant") { Description = "Tenant (team) id" };
    internal static readonly Option<string?> Models = new("--models") { Description = "Comma-separated aliases allowed" };
    internal static readonly Option<string?> ScopesOption = new("--scopes") { Description = "Comma-separated scopes: invoke, health:read, usage:read, admin (default invoke)" };
    internal static readonly Option<string?> Alias = new("--alias") { Description = "Human name" };
    internal static readonly Option<int?> Rpm = new("--rpm") { Description = "Requests per minute" };
    internal static readonly Option<int?> Tpm = new("--tpm") { Description = "Tokens per minute" };
    internal static readonly Option<int?> MaxParallel = new("--max-parallel") { Description = "Concurrent requests" };
    internal static readonly Option<decimal?> MaxBudget = new("--max-budget") { Description = "Budget in dollars" };
    internal static readonly Option<decimal?> SoftBudget = new("--soft-budget") { Description = "Alert-only budget in dollars" };
    internal static readonly Option<string?> BudgetDuration = new("--budget-duration") { Description = "Budget period: 30s, 30m, 24h, 30d, 1mo" };
    internal static readonly Option<string?> Duration = new("--duration") { Description = "Key lifetime: 30m, 24h, 30d, ..." };
    internal static readonly Option<string?> Grace = new("--grace") { Description = "How long the old key keeps working after rotation (e.g. 24h)" };

    public static Command Reload()
    {
        var reload = AdminCommand("reload", "Reload the running gateway's config file (the old config stays live if the file is invalid)");
        reload.SetAction((p, ct) => Run(p, ct, async (c, json) =>
        {
            var (status, answer) = await c.PostAsync("/config/reload", new JsonObject(), ct);
            if (status == 422 && !json)
            {
                Console.Error.WriteLine("switchyard: reload refused; the previous config stays live:");
                foreach (var e in answer?["errors"]?.AsArray() ?? [])
                {
                    Console.Error.WriteLine($"  error: {e?["path"]}{(e?["line"] is { } l ? $" (line {l})" : "")}: {e?["message"]}");
                }

                return 1;
            }

            return Print(status, answer, json, ReloadText);
        }));
        return reload;
    }

    /// <summary>The reload's answer for people: the count line, then every warning and every change that waits for a restart.</summary>
    internal static string ReloadText(JsonNode answer)
    {
        var warnings = answer["warnings"]?.AsArray() ?? [];
        var restart = answer["restart_required"]?.AsArray() ?? [];
        var lines = new List<string>
        {
            $"reloaded: {answer["deployments_enabled"]} deployments enabled, {Plural(warnings.Count, "warning")}"
                + (restart.Count > 0 ? $", {Plural(restart.Count, "change")} waiting for a restart" : ""),
        };
        lines.AddRange(warnings.Select(w => "  warning: " + Diagnostic(w)));
        lines.AddRange(restart.Select(r => "  restart needed: " + Diagnostic(r)));
        return string.Join("\n", lines);

        static string Plural(int n, string word) => $"{n} {word}{(n == 1 ? "" : "s")}";
        static string Diagnostic(JsonNode? d) => $"{d?["path"]}{(d?["line"] is { } l ? $" (line {l})" : "")}: {d?["message"]}";
    }

    public static Command AliasCommand()
    {
        var alias = AdminCommand("alias", "Canaries: status, promote, rollback, finalize");
        var name = new Argument<string>("name") { Description = "The alias" };
        var force = new Option<bool>("--force") { Description = "Promote even when the canary's evidence is against it" };
        var grace = new Option<string?>("--grace") { Description = "How long the old primary backs the alias up after promotion (default 1h; 0 for none)" };
        var window = new Option<string?>("--window") { Description = "Evidence window (default the canary's promotion window, 15m; at most 1h)" };

        var status = new Command("status", "Traffic split, per-side calls, error rate, p50/p95 latency and breaker states (this gateway's memory)") { name, window };
        status.SetAction((p, ct) => Run(p, ct, async (c, json) =>
        {
            var query = "/alias/status?alias=" + Uri.EscapeDataString(p.GetValue(name)!) + (p.GetValue(window) is { } w ? "&window=" + Uri.EscapeDataString(w) : "");
            var (code, answer) = await c.GetAsync(query, ct);
            return Print(code, answer, json, AliasStatusText);
        }));

        var promote = new Command("promote", "Make an alias's canary its primary if its recent evidence allows (rewrites the config file keeping comments, keeps a backup, reloads)") { name, force, grace };
        promote.SetAction((p, ct) => Run(p, ct, async (c, json) =>
        {
            var body = new JsonObject { ["alias"] = p.GetValue(name), ["force"] = p.GetValue(force) };
            Set(body, "grace", p.GetValue(grace));
            var (code, answer) = await c.PostAsync("/alias/promote", body, ct);
            if (code == 409 && !json && answer?["evidence"] is { } evidence)
            {
                Console.Error.WriteLine($"switchyard: promotion refused: {answer["error"]?["message"]}");
                Console.Error.WriteLine(EvidenceText(evidence));
                return 1;
            }

            return Print(code, answer, json, a => $"{a["message"]}; previous config saved as {a["backup"]}");
        }));

        Command Edit(string verb, string description)
        {
            var cmd = new Command(verb, description) { name };
            cmd.SetAction((p, ct) => Run(p, ct, async (c, json) =>
            {
                var (code, answer) = await c.PostAsync("/alias/" + verb, new JsonObject { ["alias"] = p.GetValue(name) }, ct);
                return Print(code, answer, json, a => $"{a["message"]}; previous config saved as {a["backup"]}");
            }));
            return cmd;
        }

        alias.Subcommands.Add(status);
        alias.Subcommands.Add(promote);
        alias.Subcommands.Add(Edit("rollback", "End an active canary (share 0), or restore the alias's group from before its promotion"));
        alias.Subcommands.Add(Edit("finalize", "Make a promotion final: drop its record (the grace fallback and the way back)"));
        return alias;
    }

    private static string AliasStatusText(JsonNode a)
    {
        var lines = new List<string> { $"alias {a["alias"]} -> {a["primary"]} (evidence over the last {a["window_seconds"]} s, this gateway)" };
        if (a["canary"] is { } canary)
        {
            lines.Add($"canary {canary["target"]}: {canary["percent"]} % configured, {canary["effective_percent"]} % in effect"
                + (canary["auto_rollback"] is { } r ? $"; auto_rollback at {r["error_rate"]} error rate over {r["window_seconds"]} s (min {r["min_requests"]})" : ""));
            if (canary["rolled_back"] is { } rb)
            {
                lines.Add($"rolled back {rb["at"]}: {rb["reason"]}");
            }
        }

        if (a["promotion"] is { } promotion)
        {
            lines.Add($"promoted from {promotion["promoted_from"]}; grace until {promotion["grace_until"]} ({((bool?)promotion["grace_active"] == true ? "active" : "over")}); 'alias rollback' restores it, 'alias finalize' drops the record");
        }

        var rows = new JsonArray();
        foreach (var side in a["sides"]!.AsArray())
        {
            var deployments = side!["deployments"]!.AsArray().Select(d => $"{d!["id"]}:{d["breaker"]}");
            rows.Add(new JsonObject
            {
                ["side"] = side["role"]!.ToString(),
                ["group"] = side["group"]!.ToString(),
                ["share"] = side["share_percent"]!.ToString() + " %",
                ["requests"] = side["requests"]!.ToString(),
                ["failures"] = side["failures"]!.ToString(),
                ["error_rate"] = Percent(side["error_rate"]),
                ["p50_ms"] = side["latency_ms"]?["p50"]?.ToString() ?? "-",
                ["p95_ms"] = side["latency_ms"]?["p95"]?.ToString() ?? "-",
                ["breakers"] = string.Join(" ", deployments),
            });
        }

        lines.Add(Table(rows, ["side", "group", "share", "requests", "failures", "error_rate", "p50_ms", "p95_ms", "breakers"]));
        return string.Join("\n", lines);
    }

    private static string EvidenceText(JsonNode e)
    {
        var rows = new JsonArray();
        foreach (var side in new[] { "canary", "primary" })
        {
            var f = e[side]!;
            rows.Add(new JsonObject
            {
                ["side"] = side,
                ["group"] = f["group"]!.ToString(),
                ["requests"] = f["requests"]!.ToString(),
                ["failures"] = f["failures"]!.ToString(),
                ["error_rate"] = Percent(f["error_rate"]),
                ["p50_ms"] = f["latency_ms"]?["p50"]?.ToString() ?? "-",
                ["p95_ms"] = f["latency_ms"]?["p95"]?.ToString() ?? "-",
            });
        }

        return $"evidence over the last {e["window_seconds"]} s:\n" + Table(rows, ["side", "group", "requests", "failures", "error_rate", "p50_ms", "p95_ms"]);
    }

    /// <summary>One row per subject (the tenant, each alias limit, each key): used/limit per limit, "-" for no limit.</summary>
    internal static string UsageText(JsonNode a)
    {
        static string Of(JsonNode? pair, string extra = "")
        {
            var used = pair?["used"]?.ToString() ?? "0";
            var limit = pair?["limit"]?.ToString();
            var reserved = extra.Length > 0 && pair?[extra] is { } r && r.ToString() != "0" ? $" (+{r} reserved)" : "";
            return (limit is null ? used + "/-" : used + "/" + limit) + reserved;
        }

        static JsonObject Row(string subject, JsonNode s) => new()
        {
            ["subject"] = subject,
            ["rpm"] = Of(s["rpm"]),
            ["tpm"] = Of(s["tpm"], "reserved"),
            ["in_flight"] = Of(s["concurrency"]),
            ["budget_usd"] = s["budget"] is { } b ? $"{b["spent"]}/{b["limit"]?.ToString() ?? "-"}" + (b["reserved"]?.ToString() is { } res && res != "0" ? $" (+{res} reserved)" : "") : "-",
            ["resets_at"] = s["budget"]?["resets_at"]?.ToString() is { Length: > 0 } at ? at : "-",
        };

        var rows = new JsonArray { Row("team " + a["team_id"], a["team"]!) };
        foreach (var alias in a["aliases"]!.AsArray())
        {
            rows.Add(Row("alias " + alias!["alias"], alias));
        }

        foreach (var key in a["keys"]!.AsArray())
        {
            rows.Add(Row("key " + (key!["key_alias"]?.ToString() ?? key["token"]!.ToString()[..12]), key));
        }

        return $"usage of team {a["team_id"]} at {a["at"]} (last minute; this gateway)\n"
            + Table(rows, ["subject", "rpm", "tpm", "in_flight", "budget_usd", "resets_at"]);
    }

    private static string Percent(JsonNode? rate)
        => rate is null ? "-" : (rate.GetValue<double>() * 100).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + " %";

    /// <summary>A command that talks to the admin API: --url, --token-file and --json apply to it and its subcommands.</summary>
    internal static Command AdminCommand(string name, string description)
    {
        var command = new Command(name, description);
        command.Options.Add(Url);
        command.Options.Add(TokenFile);
        command.Options.Add(Json);
        return command;
    }

    /// <summary>Runs one admin call; ordinary mistakes (bad URL, unreadable token file, no gateway) are one line on stderr and exit 2 or 3.</summary>
    internal static async Task<int> Run(ParseResult p, CancellationToken ct, Func<AdminClient, bool, Task<int>> work)
    {
        using var client = AdminClient.Create(p.GetValue(Url), p.GetValue(TokenFile), Console.Error);
        if (client is null)
        {
            return 2;
        }

        try
        {
            return await work(client, p.GetValue(Json));
        }
        catch (HttpRequestException e)
        {
            await Console.Error.WriteLineAsync($"switchyard: cannot reach the gateway at {client.BaseUrl} ({e.Message}); is it running? (--url, SWITCHYARD_URL)");
            return 3;
        }
        catch (TaskCanceledException) when (!ct.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync($"switchyard: the gateway at {client.BaseUrl} did not answer within {AdminClient.Timeout.TotalSeconds:0} s");
            return 3;
        }
    }

    internal static int Print(int status, JsonNode? answer, bool json, Func<JsonNode, string> human)
    {
        if (status is < 200 or >= 300)
        {
            var error = answer?["error"];
            Console.Error.WriteLine($"switchyard: {status} {error?["code"]}: {error?["message"] ?? "no answer"}");
            return 1;
        }

        Console.WriteLine(json || answer is null ? answer?.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) : human(answer));
        return 0;
    }

    /// <summary>A value as a table cell: "-" for none, a list comma-joined ("*" when empty: no restriction).</summary>
    internal static string Cell(JsonNode? n) => n switch
    {
        null => "-",
        JsonArray a => a.Count == 0 ? "*" : string.Join(",", a.Select(x => x?.ToString())),
        _ => n.ToString(),
    };

    internal static string Table(JsonArray rows, string[] columns)
    {
        var cells = rows.Select(r => columns.Select(c => Cell(r?[c])).ToArray()).ToList();
        var widths = columns.Select((c, i) => Math.Max(c.Length, cells.Count == 0 ? 0 : cells.Max(r => r[i].Length))).ToArray();
        var lines = new List<string> { string.Join("  ", columns.Select((c, i) => c.PadRight(widths[i]))) };
        lines.AddRange(cells.Select(r => string.Join("  ", r.Select((c, i) => c.PadRight(widths[i])))));
        return string.Join("\n", lines);
    }

    /// <summary>The limit fields keys and tenants share, under LiteLLM's names.</summary>
    internal static void SetLimits(JsonObject body, ParseResult p)
    {
        Set(body, "rpm_limit", p.GetValue(Rpm));
        Set(body, "tpm_limit", p.GetValue(Tpm));
        Set(body, "max_parallel_requests", p.GetValue(MaxParallel));
        Set(body, "max_budget", p.GetValue(MaxBudget));
        Set(body, "budget_duration", p.GetValue(BudgetDuration));
    }

    internal static void Set<T>(JsonObject body, string name, T? value)
    {
        if (value is not null)
        {
            body[name] = JsonValue.Create(value);
        }
    }

    internal static void SetList(JsonObject body, string name, string? csv)
    {
        if (csv is not null)
        {
            body[name] = new JsonArray(csv.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(s => (JsonNode)JsonValue.Create(s)).ToArray());
        }
    }
}
