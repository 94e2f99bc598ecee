using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Dashboard;

/// <summary>A session as the browser holds it: the sy_session cookie and the CSRF token, sent by hand (no cookie jar).</summary>
internal sealed record DashboardSession(string Cookie, string Csrf, JsonElement Body, string SetCookie);

/// <summary>Raw HTTP to the dashboard's routes on a real gateway socket, cookies set explicitly per request.</summary>
internal sealed class DashboardClient(GatewayFixture gw) : IDisposable
{
    private readonly HttpClient _http = new(new HttpClientHandler { UseCookies = false }) { BaseAddress = new Uri(gw.BaseUrl) };

    public async Task<ApiResponse> SignInRawAsync(string body)
        => await SendAsync(HttpMethod.Post, "/ui/session", null, null, body);

    public async Task<DashboardSession> SignInAsync(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ui/session") { Content = new StringContent(JsonSerializer.Serialize(new { token }), Encoding.UTF8, "application/json") };
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode} {text}");
        var setCookie = response.Headers.GetValues("Set-Cookie").Single();
        var value = setCookie.Split(';')[0];
        Assert.StartsWith("sy_session=", value, StringComparison.Ordinal);
        var json = JsonDocument.Parse(text).RootElement.Clone();
        return new DashboardSession(value["sy_session=".Length..], json.GetProperty("csrf_token").GetString()!, json, setCookie);
    }

    public async Task<ApiResponse> SendAsync(HttpMethod method, string path, string? cookie, string? csrf = null, string? json = null, string? bearer = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (cookie is not null)
        {
            request.Headers.Add("Cookie", "sy_session=" + cookie);
        }

        if (csrf is not null)
        {
            request.Headers.Add("X-CSRF-Token", csrf);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return new ApiResponse((int)response.StatusCode, body, response.Headers);
    }

    /// <summary>A GET answering the raw response (content headers included).</summary>
    public Task<HttpResponseMessage> GetRawAsync(string path) => _http.GetAsync(path);

    public void Dispose() => _http.Dispose();
}
