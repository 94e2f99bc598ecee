using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchyard.Cli;

/// <summary>
/// The CLI's way to a running gateway's admin API (URL from <see cref="GatewayUrl"/>, token from
/// <see cref="AdminToken"/>); the token is sent as a bearer header and never printed.
/// </summary>
public sealed class AdminClient : IDisposable
{
    private readonly HttpClient _http;

    private AdminClient(Uri url, string? token)
    {
        BaseUrl = url.ToString().TrimEnd('/');
        Token = token;
        _http = new HttpClient { BaseAddress = new Uri(BaseUrl + "/"), Timeout = Timeout };
        if (token is not null)
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
    }

    /// <summary>How long one admin call may take.</summary>
    public static TimeSpan Timeout { get; } = TimeSpan.FromSeconds(30);

    public string BaseUrl { get; }

    /// <summary>The token the client presents (null when none is configured).</summary>
    public string? Token { get; }

    /// <summary>A client, or null after writing the one-line reason (bad URL, unreadable token file) to <paramref name="stderr"/>.</summary>
    public static AdminClient? Create(string? url, string? tokenFile, TextWriter stderr)
    {
        var (uri, urlError) = GatewayUrl.Resolve(url);
        if (uri is null)
        {
            stderr.WriteLine("switchyard: " + urlError);
            return null;
        }

        var (token, tokenError) = AdminToken.Resolve(tokenFile, stderr);
        if (tokenError is not null)
        {
            stderr.WriteLine("switchyard: " + tokenError);
            return null;
        }

        return new AdminClient(uri, token);
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
