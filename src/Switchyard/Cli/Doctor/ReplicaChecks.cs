using System.Text;
using System.Text.Json;

namespace Switchyard.Cli.Doctor;

/// <summary>
/// <c>switchyard doctor --url A --url B ...</c>: reads every replica's /health/readiness and compares them. Replicas
/// that run different configs (a different hash: another file, or another environment behind it) are drift, an error;
/// so is a replica that cannot be read. Different versions and state that is not shared are warnings.
/// </summary>
public static class ReplicaChecks
{
    public static async Task<IReadOnlyList<ReplicaReport>> ReadAsync(IReadOnlyList<Uri> urls, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        return await Task.WhenAll(urls.Select(u => ReadOneAsync(http, u, ct)));
    }

    private static async Task<ReplicaReport> ReadOneAsync(HttpClient http, Uri url, CancellationToken ct)
    {
        var name = url.ToString().TrimEnd('/');
        try
        {
            // 503 (no routable group) still carries the same body
            using var response = await http.GetAsync(new Uri(url, "/health/readiness"), ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("status", out _))
            {
                return new ReplicaReport(name) { Error = $"answered HTTP {(int)response.StatusCode} without Switchyard's readiness body" };
            }

            var store = Text(root, "store") is { } kind ? Text(root, "store_status") is { } s ? kind + " " + s : kind : null;
            return new ReplicaReport(name)
            {
                Status = Text(root, "status"),
                ConfigHash = Text(root, "config_hash"),
                Version = Text(root, "version"),
                Store = store,
                Redis = Text(root, "redis"),
            };
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return new ReplicaReport(name) { Error = e is JsonException ? "answered something other than JSON on /health/readiness" : $"cannot be reached ({e.GetType().Name})" };
        }
    }

    private static string? Text(JsonElement root, string name)
        => root.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    public static IReadOnlyList<Finding> Compare(IReadOnlyList<ReplicaReport> replicas)
    {
        var findings = new List<Finding>();
        foreach (var r in replicas)
        {
            findings.Add(r.Error is { } error
                ? new Finding("SY191", Finding.Error, $"replica {r.Url} {error}", "check the URL and that the replica runs; every replica behind the load balancer should be listed")
                : new Finding("SY190", Finding.Info, $"replica {r.Url}: {r.Status}, config {r.ConfigHash ?? "-"}, version {r.Version ?? "-"}, store {r.Store ?? "-"}, redis {r.Redis ?? "-"}", ""));
        }

        var read = replicas.Where(r => r.Error is null).ToArray();
        foreach (var r in read.Where(r => r.ConfigHash is null))
        {
            findings.Add(new Finding("SY195", Finding.Warn, $"replica {r.Url} reports no config hash (an older version, or a config not loaded from a file)", "upgrade it so drift can be seen"));
        }

        var groups = read.Where(r => r.ConfigHash is not null).GroupBy(r => r.ConfigHash!, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ToArray();
        if (groups.Length > 1)
        {
            findings.Add(new Finding("SY192", Finding.Error,
                $"config drift: {groups.Length} different configs among {read.Length} replicas: " + string.Join("; ", groups.Select(g => $"{Short(g.Key)} on {string.Join(", ", g.Select(r => r.Url))}")),
                "give every replica the same config file and environment (secrets, DATABASE_URL, REDIS_*), then reload (SIGHUP or POST /config/reload) or restart the odd ones"));
        }
        else if (groups.Length == 1 && read.Length == replicas.Count && read.All(r => r.ConfigHash is not null))
        {
            findings.Add(new Finding("SY193", Finding.Info, $"all {read.Length} replicas run the same config ({groups[0].Key})", ""));
        }

        var versions = read.Select(r => r.Version).Where(v => v is not null).Distinct(StringComparer.Ordinal).ToArray();
        if (versions.Length > 1)
        {
            findings.Add(new Finding("SY194", Finding.Warn, $"replicas run different versions: {string.Join(", ", versions)}", "finish the rollout; mixed versions are fine only while one is under way"));
        }

        foreach (var r in read.Where(r => r.Status != "healthy"))
        {
            findings.Add(new Finding("SY196", Finding.Warn, $"replica {r.Url} is not ready ({r.Status}): it has no routable model group", "see its /health and its start log"));
        }

        foreach (var r in read.Where(r => r.Store?.EndsWith(" unhealthy", StringComparison.Ordinal) == true))
        {
            findings.Add(new Finding("SY197", Finding.Warn, $"replica {r.Url} cannot reach its store ({r.Store})", "check the database it is configured with (general_settings.database_url or DATABASE_URL)"));
        }

        if (read.Length > 1 && read.Any(r => r.LocalStore))
        {
            findings.Add(new Finding("SY198", Finding.Warn, $"{read.Count(r => r.LocalStore)} replica(s) keep keys and spend in a local SQLite file: a key created on one is unknown to the others",
                "set general_settings.database_url (PostgreSQL) on every replica (docs/scaling.md)"));
        }

        if (read.Length > 1 && read.Any(r => r.Redis == "off"))
        {
            findings.Add(new Finding("SY199", Finding.Warn, $"{read.Count(r => r.Redis == "off")} replica(s) count limits and budgets alone: each admits the full rpm/tpm, so the real limit is multiplied by the replica count",
                "set router_settings.redis_host (or redis_url) on every replica (docs/scaling.md)"));
        }

        return findings;
    }

    /// <summary>One line per replica: its URL, status, config hash (shortened), version, store and Redis.</summary>
    public static string Table(IReadOnlyList<ReplicaReport> replicas)
    {
        string[] header = ["REPLICA", "STATUS", "CONFIG", "VERSION", "STORE", "REDIS"];
        var rows = replicas.Select(r => r.Error is not null
            ? new[] { r.Url, "unreachable", "-", "-", "-", "-" }
            : [r.Url, r.Status ?? "-", r.ConfigHash is { } h ? Short(h) : "-", ShortVersion(r.Version), r.Store ?? "-", r.Redis ?? "-"]).ToArray();
        var widths = header.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        var text = new StringBuilder();
        foreach (var row in rows.Prepend(header))
        {
            text.AppendLine(string.Join("  ", row.Select((c, i) => c.PadRight(widths[i]))).TrimEnd());
        }

        return text.ToString();
    }

    /// <summary>sha256: and the first 16 hex digits: enough to tell configs apart in a table.</summary>
    private static string Short(string hash) => hash.Length > 23 ? hash[..23] : hash;

    private static string ShortVersion(string? version)
    {
        if (version is null)
        {
            return "-";
        }

        var plus = version.IndexOf('+', StringComparison.Ordinal);
        return plus >= 0 && version.Length - plus > 13 ? version[..(plus + 13)] : version;
    }
}
