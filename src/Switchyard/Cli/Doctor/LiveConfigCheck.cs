using System.Text.Json;
using Switchyard.Core.Config;

namespace Switchyard.Cli.Doctor;

/// <summary>
/// Doctor's SY180-SY182: is the running gateway's config the file as it is now? The gateway's readiness answer names
/// the file it loaded and that file's <see cref="ConfigFileHash"/> as loaded; doctor hashes the file on disk the same way.
/// A difference is an edit that was not reloaded (or a reload the file refused).
/// </summary>
public static class LiveConfigCheck
{
    public static async Task<IEnumerable<Finding>> RunAsync(string path, Uri gateway, CancellationToken ct)
    {
        string text;
        try
        {
            text = await File.ReadAllTextAsync(path, ct);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return []; // SY101 has said the file cannot be read
        }

        string? livePath, liveHash;
        try
        {
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
            using var response = await http.GetAsync(new Uri(gateway, "/health/readiness"), ct);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct));
            livePath = doc.RootElement.TryGetProperty("config", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            liveHash = doc.RootElement.TryGetProperty("config_file_hash", out var h) && h.ValueKind == JsonValueKind.String ? h.GetString() : null;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
        {
            return []; // SY130/SY131 report a gateway that does not answer
        }

        var full = Path.GetFullPath(path);
        if (livePath is null || liveHash is null)
        {
            return [new Finding("SY181", Finding.Info, $"the gateway at {gateway} does not say which config file it runs (started from text, or an older version)", "")];
        }

        if (!string.Equals(livePath, full, StringComparison.Ordinal))
        {
            return [new Finding("SY181", Finding.Info, $"the gateway at {gateway} runs {livePath}, not {full}; the live config was not compared", "pass --config " + livePath + " to compare it")];
        }

        if (!string.Equals(liveHash, ConfigFileHash.Of(text), StringComparison.Ordinal))
        {
            return [new Finding("SY180", Finding.Warn, $"{full} was edited after the gateway loaded it: the running config is not the file's (edited but not reloaded, or a reload refused it)",
                "run switchyard reload (it prints every error and warning), or compare first: diff <(switchyard config show --redacted) <(switchyard config show --live)")];
        }

        return [new Finding("SY182", Finding.Info, $"the gateway at {gateway} runs {full} as it is on disk", "")];
    }
}
