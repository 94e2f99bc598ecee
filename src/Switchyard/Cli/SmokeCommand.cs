using System.CommandLine;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Switchyard.Cli;

/// <summary>
/// <c>switchyard smoke</c>: calls each alias of a running gateway once with a tiny prompt (model groups too with
/// <c>--groups</c>), then bursts a throwaway tenant past its RPM to confirm throttling answers 429 summaries, and prints
/// a table. Its calls carry <c>x-switchyard-smoke: 1</c>, so they are no breaker or canary evidence, and go out with a
/// throwaway invoke-only token when the given token can mint one (never the master key then). Exits 1 when a step fails.
/// </summary>
public static class SmokeCommand
{
    public static Command Create()
    {
        var url = new Option<string?>("--url") { Description = "Gateway base URL (default $SWITCHYARD_URL, else http://127.0.0.1:4000)" };
        var tokenFile = new Option<string?>("--token-file") { Description = "Admin token file (default $SWITCHYARD_TOKEN_FILE, $SWITCHYARD_TOKEN, ~/.switchyard/master.key); an invoke token works with --skip-throttle" };
        var skipThrottle = new Option<bool>("--skip-throttle") { Description = "Do not run the RPM burst (which needs an admin token)" };
        var groups = new Option<bool>("--groups") { Description = "Call the model groups too, not only the aliases" };
        var command = new Command("smoke", "Call each alias once with a tiny prompt and confirm throttling returns 429 summaries") { url, tokenFile, skipThrottle, groups };
        command.SetAction(async (p, ct) =>
        {
            using var admin = AdminClient.Create(p.GetValue(url), p.GetValue(tokenFile), Console.Error);
            if (admin is null)
            {
                return 2;
            }

            using var http = new HttpClient { BaseAddress = new Uri(admin.BaseUrl + "/"), Timeout = TimeSpan.FromSeconds(60) };
            http.DefaultRequestHeaders.Add(SmokeHeader, "1"); // no breaker or canary evidence (honoured for admin and smoke keys)
            var rows = new List<string[]>();
            var failed = 0;
            string? minted = null;
            try
            {
                var (status, models) = await admin.GetAsync("/v1/models", ct);
                if (status != 200)
                {
                    Console.Error.WriteLine($"switchyard: GET /v1/models answered {status}: {models?["error"]?["message"]}");
                    return 1;
                }

                // a wildcard route (openai/*) stands for names, it is none to call
                var names = models!["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).Where(n => !Core.Routing.WildcardPattern.IsPattern(n)).ToList();
                var groupNames = await GroupsAsync(admin, ct);
                if (!p.GetValue(groups))
                {
                    if (groupNames is null)
                    {
                        Console.Error.WriteLine("switchyard: this token cannot read /health, so aliases cannot be told from model groups; calling every name");
                    }
                    else if (names.Where(n => !groupNames.Contains(n)).ToList() is { Count: > 0 } aliasesOnly)
                    {
                        names = aliasesOnly;
                    }
                    else
                    {
                        Console.Error.WriteLine("switchyard: the config declares no alias; calling the model groups");
                    }
                }

                // inference with a throwaway invoke-only token when this token can mint one (an admin's); else with this token
                (minted, var invoke) = await MintAsync(admin, ct);
                http.DefaultRequestHeaders.Authorization = invoke is null ? null : new AuthenticationHeaderValue("Bearer", invoke);
                foreach (var alias in names)
                {
                    var embeddings = alias.StartsWith("embed", StringComparison.OrdinalIgnoreCase);
                    var rerank = alias.StartsWith("rerank", StringComparison.OrdinalIgnoreCase);
                    var body = embeddings ? new JsonObject { ["model"] = alias, ["input"] = "ping" }
                        : rerank ? new JsonObject { ["model"] = alias, ["query"] = "ping", ["documents"] = new JsonArray("ping", "pong") }
                        : new JsonObject { ["model"] = alias, ["max_tokens"] = 8, ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "ping" }) };
                    var (code, deployment, ms, detail) = await CallAsync(http, embeddings ? "v1/embeddings" : rerank ? "v1/rerank" : "v1/chat/completions", body, null, ct);
                    failed += code == 200 ? 0 : 1;
                    rows.Add([alias, deployment ?? "-", $"{ms:0} ms", code.ToString(System.Globalization.CultureInfo.InvariantCulture), detail]);
                }

                if (!p.GetValue(skipThrottle))
                {
                    failed += await ThrottleAsync(admin, http, names.FirstOrDefault(a => !a.StartsWith("embed", StringComparison.OrdinalIgnoreCase) && !a.StartsWith("rerank", StringComparison.OrdinalIgnoreCase)), rows, ct);
                }
            }
            catch (HttpRequestException e)
            {
                Console.Error.WriteLine($"switchyard: cannot reach the gateway at {admin.BaseUrl} ({e.Message})");
                return 3;
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
                Console.Error.WriteLine($"switchyard: the gateway at {admin.BaseUrl} did not answer in time");
                return 3;
            }
            finally
            {
                if (minted is not null)
                {
                    await admin.PostAsync("/key/delete", new JsonObject { ["keys"] = new JsonArray(minted) }, CancellationToken.None);
                }
            }

            Print(rows);
            Console.WriteLine(failed == 0 ? "smoke: all checks passed" : $"smoke: {failed} check(s) failed");
            return failed == 0 ? 0 : 1;
        });
        return command;
    }

    private const string SmokeHeader = "x-switchyard-smoke";

    /// <summary>The key metadata that lets an invoke token mark its calls as smoke (only a global admin may set it).</summary>
    private static JsonObject SmokeMetadata() => new() { ["switchyard_smoke"] = true };

    /// <summary>The model group names (from /health), or null when this token may not read it.</summary>
    private static async Task<HashSet<string>?> GroupsAsync(AdminClient admin, CancellationToken ct)
    {
        var (status, health) = await admin.GetAsync("/health", ct);
        return status != 200 || health?["deployments"] is not JsonArray deployments
            ? null
            : deployments.Select(d => d?["model_name"]?.GetValue<string>()).OfType<string>().ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>A throwaway invoke-only smoke key (id and token, 15-minute life), or (null, the given token) when this token cannot mint one.</summary>
    private static async Task<(string? Id, string? Token)> MintAsync(AdminClient admin, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["key_alias"] = "smoke-" + Guid.NewGuid().ToString("N")[..8],
            ["scopes"] = new JsonArray("invoke"),
            ["duration"] = "15m",
            ["metadata"] = SmokeMetadata(),
        };
        var (status, key) = await admin.PostAsync("/key/generate", body, ct);
        return status == 200 && key?["key"] is { } token ? (key["token"]?.GetValue<string>(), token.GetValue<string>()) : (null, admin.Token);
    }

    /// <summary>Creates a tenant with rpm_limit 3 and a key, sends 5 calls, expects 3 x 200 then 429 rpm_limit summaries; cleans up.</summary>
    private static async Task<int> ThrottleAsync(AdminClient admin, HttpClient http, string? alias, List<string[]> rows, CancellationToken ct)
    {
        if (alias is null)
        {
            return 0;
        }

        var tenant = "smoke-" + Guid.NewGuid().ToString("N")[..8];
        var (s1, team) = await admin.PostAsync("/team/new", new JsonObject { ["team_id"] = tenant, ["rpm_limit"] = 3 }, ct);
        var (s2, key) = s1 == 200 ? await admin.PostAsync("/key/generate", new JsonObject { ["team_id"] = tenant, ["key_alias"] = tenant, ["metadata"] = SmokeMetadata() }, ct) : (s1, team);
        if (s2 != 200)
        {
            rows.Add([$"throttle ({alias})", "-", "-", s2.ToString(System.Globalization.CultureInfo.InvariantCulture), "could not create a tenant and key (admin token needed): " + key?["error"]?["message"]]);
            return 1;
        }

        var codes = new List<int>();
        var summaryOk = true;
        try
        {
            for (var i = 0; i < 5; i++)
            {
                var body = new JsonObject { ["model"] = alias, ["max_tokens"] = 4, ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "ping" }) };
                var (code, _, _, detail) = await CallAsync(http, "v1/chat/completions", body, key!["key"]!.GetValue<string>(), ct);
                codes.Add(code);
                if (code == 429)
                {
                    summaryOk &= detail.Contains("rpm_limit", StringComparison.Ordinal) && detail.Contains("retry_after_ms", StringComparison.Ordinal);
                }
            }
        }
        finally
        {
            await admin.PostAsync("/key/delete", new JsonObject { ["keys"] = new JsonArray(key!["token"]!.GetValue<string>()) }, ct);
            await admin.PostAsync("/team/delete", new JsonObject { ["team_ids"] = new JsonArray(tenant) }, ct);
        }

        var ok = codes.Take(3).All(c => c == 200) && codes.Skip(3).All(c => c == 429) && summaryOk;
        rows.Add([$"throttle ({alias}, rpm 3, 5 calls)", "-", "-", string.Join(",", codes), ok ? "429 summaries with rpm_limit and retry_after_ms" : "expected 200,200,200,429,429"]);
        return ok ? 0 : 1;
    }

    private static async Task<(int Status, string? Deployment, double Ms, string Detail)> CallAsync(HttpClient http, string path, JsonObject body, string? token, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json") };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        var started = TimeProvider.System.GetTimestamp();
        using var response = await http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        var elapsed = TimeProvider.System.GetElapsedTime(started);
        var deployment = response.Headers.TryGetValues("x-switchyard-deployment", out var d) ? d.First() : null;
        string detail;
        if (response.IsSuccessStatusCode)
        {
            detail = "ok";
        }
        else
        {
            try
            {
                var error = JsonNode.Parse(text)?["error"];
                detail = $"{error?["code"]}: {error?["message"]} (retry_after_ms {error?["retry_after_ms"]?.ToString() ?? "null"})";
            }
            catch (System.Text.Json.JsonException)
            {
                detail = "answer is not a failure summary";
            }
        }

        return ((int)response.StatusCode, deployment, elapsed.TotalMilliseconds, detail);
    }

    private static void Print(List<string[]> rows)
    {
        string[] header = ["alias", "deployment", "latency", "status", "detail"];
        var widths = header.Select((h, i) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[i].Length))).ToArray();
        Console.WriteLine(string.Join("  ", header.Select((h, i) => h.PadRight(widths[i]))));
        foreach (var r in rows)
        {
            Console.WriteLine(string.Join("  ", r.Select((c, i) => c.PadRight(widths[i]))));
        }
    }
}
