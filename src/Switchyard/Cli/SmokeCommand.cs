using System.CommandLine;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Switchyard.Cli;

/// <summary>
/// <c>switchyard smoke</c>: calls every alias of a running gateway with a tiny prompt, then bursts a throwaway tenant
/// past its RPM to confirm throttling answers 429 summaries, and prints a table. Exits 1 when any step fails.
/// </summary>
public static class SmokeCommand
{
    public static Command Create()
    {
        var url = new Option<string?>("--url") { Description = "Gateway base URL (default $SWITCHYARD_URL, else http://127.0.0.1:4000)" };
        var tokenFile = new Option<string?>("--token-file") { Description = "Admin token file (default $SWITCHYARD_TOKEN_FILE, $SWITCHYARD_TOKEN, ~/.switchyard/master.key)" };
        var skipThrottle = new Option<bool>("--skip-throttle") { Description = "Do not run the RPM burst (needs an admin token)" };
        var command = new Command("smoke", "Call each alias with a tiny prompt and confirm throttling returns 429 summaries") { url, tokenFile, skipThrottle };
        command.SetAction(async (p, ct) =>
        {
            using var admin = AdminClient.Create(p.GetValue(url), p.GetValue(tokenFile), Console.Error);
            if (admin is null)
            {
                return 2;
            }

            var token = admin.Token;
            using var http = new HttpClient { BaseAddress = new Uri(admin.BaseUrl + "/"), Timeout = TimeSpan.FromSeconds(60) };
            http.DefaultRequestHeaders.Authorization = token is null ? null : new AuthenticationHeaderValue("Bearer", token);
            var rows = new List<string[]>();
            var failed = 0;
            try
            {
                var (status, models) = await admin.GetAsync("/v1/models", ct);
                if (status != 200)
                {
                    Console.Error.WriteLine($"switchyard: GET /v1/models answered {status}: {models?["error"]?["message"]}");
                    return 1;
                }

                foreach (var alias in models!["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()))
                {
                    var embeddings = alias.StartsWith("embed", StringComparison.OrdinalIgnoreCase);
                    var body = embeddings
                        ? new JsonObject { ["model"] = alias, ["input"] = "ping" }
                        : new JsonObject { ["model"] = alias, ["max_tokens"] = 8, ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = "ping" }) };
                    var (code, deployment, ms, detail) = await CallAsync(http, embeddings ? "v1/embeddings" : "v1/chat/completions", body, null, ct);
                    failed += code == 200 ? 0 : 1;
                    rows.Add([alias, deployment ?? "-", $"{ms:0} ms", code.ToString(System.Globalization.CultureInfo.InvariantCulture), detail]);
                }

                if (!p.GetValue(skipThrottle))
                {
                    failed += await ThrottleAsync(admin, http, models["data"]!.AsArray().Select(m => m!["id"]!.GetValue<string>()).FirstOrDefault(a => !a.StartsWith("embed", StringComparison.OrdinalIgnoreCase)), rows, ct);
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

            Print(rows);
            Console.WriteLine(failed == 0 ? "smoke: all checks passed" : $"smoke: {failed} check(s) failed");
            return failed == 0 ? 0 : 1;
        });
        return command;
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
        var (s2, key) = s1 == 200 ? await admin.PostAsync("/key/generate", new JsonObject { ["team_id"] = tenant, ["key_alias"] = tenant }, ct) : (s1, team);
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
