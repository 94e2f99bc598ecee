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

            return Print(status, answer, json, a => $"reloaded: {a["deployments_enabled"]} deployments enabled, {a["warnings"]?.AsArray().Count ?? 0} warnings");
        }));
        return reload;
    }

    public static Command AliasCommand()
    {
        var alias = AdminCommand("alias", "Manage aliases");
        var name = new Argument<string>("name") { Description = "The alias whose canary becomes its primary" };
        var promote = new Command("promote", "Make an alias's canary group its primary (rewrites the config file, keeps a backup, reloads)") { name };
        promote.SetAction((p, ct) => Run(p, ct, async (c, json) =>
        {
            var (status, answer) = await c.PostAsync("/alias/promote", new JsonObject { ["alias"] = p.GetValue(name) }, ct);
            return Print(status, answer, json, a => $"{a["message"]}; previous config saved as {a["backup"]}");
        }));
        alias.Subcommands.Add(promote);
        return alias;
    }

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
