using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchyard.Cli;

/// <summary>
/// The CLI's way to a running gateway's admin API. The token comes from --token-file, SWITCHYARD_TOKEN_FILE,
/// SWITCHYARD_TOKEN, or ~/.switchyard/master.key, in that order; it is sent as a bearer header and never printed.
/// </summary>
public sealed class AdminClient : IDisposable
{
    private readonly HttpClient _http;

    public AdminClient(string? url, string? tokenFile)
    {
        BaseUrl = (url ?? Environment.GetEnvironmentVariable("SWITCHYARD_URL") ?? "http://127.0.0.1:4000").TrimEnd('/');
        _http = new HttpClient { BaseAddress = new Uri(BaseUrl + "/"), Timeout = TimeSpan.FromSeconds(30) };
        var token = ReadToken(tokenFile);
        if (token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    public string BaseUrl { get; }

    public static string? ReadToken(string? tokenFile)
    {
        var file = tokenFile ?? Environment.GetEnvironmentVariable("SWITCHYARD_TOKEN_FILE");
        if (file is { Length: > 0 })
        {
            return File.ReadAllText(file).Trim().Split('\n')[0].Trim();
        }

        if (Environment.GetEnvironmentVariable("SWITCHYARD_TOKEN") is { Length: > 0 } env)
        {
            return env.Trim();
        }

        var fallback = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".switchyard", "master.key");
        return File.Exists(fallback) ? File.ReadAllText(fallback).Trim() : null;
    }

    public Task<(int Status, JsonNode? Body)> GetAsync(string path, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, ct);

    public Task<(int Status, JsonNode? Body)> PostAsync(string path, JsonObject body, CancellationToken ct) => SendAsync(HttpMethod.Post, path, body, ct);

    private async Task<(int Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, JsonObject? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request, ct);
        var text = await response.Content.ReadAsStringAsync(ct);
        JsonNode? node = null;
        try
        {
            node = text.Length == 0 ? null : JsonNode.Parse(text);
        }
        catch (JsonException)
        {
        }

        return ((int)response.StatusCode, node);
    }

    public void Dispose() => _http.Dispose();
}
