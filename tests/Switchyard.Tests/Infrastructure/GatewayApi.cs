using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Switchyard.Tests.Infrastructure;

/// <summary>One answer of the gateway: status, body text and headers, with JSON shortcuts.</summary>
public sealed class ApiResponse(int status, string body, HttpResponseHeaders headers)
{
    public int Status { get; } = status;

    public string Body { get; } = body;

    public HttpResponseHeaders Headers { get; } = headers;

    public JsonElement Json => JsonDocument.Parse(Body).RootElement.Clone();

    public JsonElement Error => Json.GetProperty("error");

    public string? ErrorCode => Error.GetProperty("code").GetString();

    public string? ErrorParam => Error.GetProperty("param").GetString();

    public long? RetryAfterMs => Error.GetProperty("retry_after_ms").ValueKind == JsonValueKind.Null ? null : Error.GetProperty("retry_after_ms").GetInt64();

    public string? Header(string name) => Headers.TryGetValues(name, out var v) ? string.Join(",", v) : null;

    public override string ToString() => $"{Status} {Body}";
}

/// <summary>Raw HTTP helpers for the tenancy tests: every request names the token it presents.</summary>
public static class GatewayApi
{
    public static async Task<ApiResponse> SendAsync(this GatewayFixture gw, HttpMethod method, string path, string? token, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        using var response = await gw.Bare.SendAsync(request);
        return new ApiResponse((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers);
    }

    public static Task<ApiResponse> GetAsync(this GatewayFixture gw, string path, string? token = GatewayFixture.MasterKey)
        => gw.SendAsync(HttpMethod.Get, path, token);

    public static Task<ApiResponse> PostAsync(this GatewayFixture gw, string path, object body, string? token = GatewayFixture.MasterKey)
        => gw.SendAsync(HttpMethod.Post, path, token, body as string ?? JsonSerializer.Serialize(body));

    /// <summary>/key/generate with the master key; fails the test unless it answers 200.</summary>
    public static async Task<(string Key, string Hash)> GenerateKeyAsync(this GatewayFixture gw, object body)
    {
        var r = await gw.PostAsync("/key/generate", body);
        Assert.True(r.Status == 200, r.ToString());
        return (r.Json.GetProperty("key").GetString()!, r.Json.GetProperty("token").GetString()!);
    }

    /// <summary>A chat request whose body is exactly <paramref name="length"/> bytes (the mock counts length / 4 prompt tokens).</summary>
    public static Task<ApiResponse> ChatAsync(this GatewayFixture gw, string? token, string model, int length = 400, int? maxTokens = null)
        => gw.SendAsync(HttpMethod.Post, "/v1/chat/completions", token, ChatBody(model, length, maxTokens));

    public static Task<ApiResponse> EmbedAsync(this GatewayFixture gw, string? token, string model)
        => gw.SendAsync(HttpMethod.Post, "/v1/embeddings", token, JsonSerializer.Serialize(new { model, input = "hello" }));

    public static string ChatBody(string model, int length, int? maxTokens)
    {
        var prefix = "{\"model\":" + JsonSerializer.Serialize(model) + (maxTokens is { } m ? ",\"max_tokens\":" + m : "") + ",\"messages\":[{\"role\":\"user\",\"content\":\"";
        const string suffix = "\"}]}";
        var pad = length - prefix.Length - suffix.Length;
        Assert.True(pad >= 1, $"a body of {length} bytes is too short for model {model}");
        var body = prefix + new string('a', pad) + suffix;
        Assert.Equal(length, Encoding.UTF8.GetByteCount(body));
        return body;
    }

    public static string Sha256Hex(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>A non-pooled connection to a gateway's SQLite file (so the test holds no handle after it).</summary>
    public static SqliteConnection OpenSqlite(string path, bool readOnly = true)
    {
        var c = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = readOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWrite,
            Pooling = false,
        }.ToString());
        c.Open();
        return c;
    }

    public static long Scalar(this SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or <paramref name="limit"/> passes (a bound against hanging, not a timing assertion).</summary>
    public static async Task WaitUntilAsync(Func<bool> condition, string what, TimeSpan? limit = null)
    {
        var deadline = DateTime.UtcNow + (limit ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "gave up waiting for " + what);
            await Task.Delay(10);
        }
    }
}
