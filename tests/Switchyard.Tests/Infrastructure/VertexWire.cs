using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Switchyard.Tests.Infrastructure;

/// <summary>
/// Google Cloud as Vertex AI callers meet it. <see cref="TokenEndpoint"/>: Google's OAuth token endpoint for service
/// accounts (RFC 7523 JWT bearer grant: the form's assertion must be an RS256 JWT signed by the account's key, iss the
/// account, aud Google's token URL, scope cloud-platform, exp one hour after iat) answering <c>{"access_token",
/// "expires_in", "token_type"}</c> or <c>{"error":"invalid_grant"}</c>; the metadata server's token path (needs
/// <c>Metadata-Flavor: Google</c>). <see cref="Check"/>: aiplatform's checks, a bearer token that must be one the token
/// endpoint minted (else 401 UNAUTHENTICATED), the resource path with project, location, publisher and model (else 404),
/// and the publisher's body rules: Gemini's (GeminiWire) for <c>publishers/google</c> (<c>:predict</c>, text embedding
/// models, takes <c>instances[].content</c>), and for
/// <c>publishers/anthropic</c> the Messages rules with <c>anthropic_version: vertex-2023-10-16</c> in the body and no model.
/// </summary>
public static partial class VertexWire
{
    public const string Project = "switchyard-test-1";
    public const string Location = "europe-west4";
    public const string ClientEmail = "gateway@switchyard-test-1.iam.gserviceaccount.com";

    [GeneratedRegex(@"^/v1/projects/([a-z0-9\-]+)/locations/([a-z0-9\-]+)/publishers/(google|anthropic)/models/([A-Za-z0-9.\-@]+):(generateContent|streamGenerateContent\?alt=sse|predict|rawPredict|streamRawPredict)$")]
    private static partial Regex PathPattern();

    /// <summary>A service account: an RSA key, the JSON file Google issues for it (token_uri at the fake), and what the fake minted.</summary>
    public sealed class ServiceAccount : IDisposable
    {
        public RSA Key { get; } = RSA.Create(2048);

        public ConcurrentQueue<string> Minted { get; } = new();

        public ConcurrentQueue<JsonElement> Claims { get; } = new();

        /// <summary>Seconds each minted token lives (expires_in).</summary>
        public int ExpiresIn { get; set; } = 3600;

        /// <summary>When set, the token endpoint refuses with this HTTP status and OAuth error.</summary>
        public (int Status, string Error)? Refuse { get; set; }

        public string Json(string tokenUri, string? projectId = Project) => JsonSerializer.Serialize(new Dictionary<string, string?>
        {
            ["type"] = "service_account",
            ["project_id"] = projectId,
            ["private_key_id"] = "0123456789abcdef",
            ["private_key"] = Key.ExportPkcs8PrivateKeyPem(),
            ["client_email"] = ClientEmail,
            ["client_id"] = "100000000000000000001",
            ["auth_uri"] = "https://accounts.google.com/o/oauth2/auth",
            ["token_uri"] = tokenUri,
        });

        /// <summary>Writes the JSON to a fresh file and returns its path.</summary>
        public string WriteFile(string tokenUri, string? projectId = Project)
        {
            var dir = Path.Combine(Path.GetTempPath(), "switchyard-tests", "vertex-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            var path = Path.Combine(dir, "service-account.json");
            File.WriteAllText(path, Json(tokenUri, projectId));
            return path;
        }

        public void Dispose() => Key.Dispose();
    }

    /// <summary>Google's token endpoint for <paramref name="account"/> (POST {base}/token).</summary>
    public static Func<HttpContext, RecordedRequest, Task> TokenEndpoint(ServiceAccount account)
        => async (c, r) =>
        {
            if (r.Method != "POST" || r.PathAndQuery != "/token" || !r.Headers.TryGetValue("content-type", out var type) || !type.StartsWith("application/x-www-form-urlencoded", StringComparison.Ordinal))
            {
                await OAuthErrorAsync(c, 400, "invalid_request");
                return;
            }

            var form = r.Body.Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => Uri.UnescapeDataString(p[0]), p => Uri.UnescapeDataString(p.Length > 1 ? p[1].Replace('+', ' ') : ""));
            if (form.GetValueOrDefault("grant_type") != "urn:ietf:params:oauth:grant-type:jwt-bearer" || !form.TryGetValue("assertion", out var jwt))
            {
                await OAuthErrorAsync(c, 400, "unsupported_grant_type");
                return;
            }

            if (Verify(jwt, account.Key) is not { } claims)
            {
                await OAuthErrorAsync(c, 400, "invalid_grant");
                return;
            }

            account.Claims.Enqueue(claims);
            if (account.Refuse is { } refuse)
            {
                await OAuthErrorAsync(c, refuse.Status, refuse.Error);
                return;
            }

            var token = $"ya29.fake-token-{account.Minted.Count + 1:D3}";
            account.Minted.Enqueue(token);
            c.Response.ContentType = "application/json; charset=utf-8";
            await c.Response.WriteAsync(JsonSerializer.Serialize(new { access_token = token, expires_in = account.ExpiresIn, token_type = "Bearer" }));
        };

    /// <summary>
    /// The claims of a JWT that is RS256-signed by <paramref name="key"/> (kid: the key's id) for Google's token audience
    /// (<c>https://oauth2.googleapis.com/token</c>, whatever URL the request went to) with the cloud-platform scope, else null.
    /// </summary>
    public static JsonElement? Verify(string jwt, RSA key)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        var header = JsonDocument.Parse(Base64Url(parts[0])).RootElement;
        if (header.GetProperty("alg").GetString() != "RS256" || header.GetProperty("typ").GetString() != "JWT" || header.GetProperty("kid").GetString() != "0123456789abcdef")
        {
            return null;
        }

        if (!key.VerifyData(Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]), Base64Url(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return null;
        }

        var claims = JsonDocument.Parse(Base64Url(parts[1])).RootElement;
        var iat = claims.GetProperty("iat").GetInt64();
        var ok = claims.GetProperty("iss").GetString() == ClientEmail
            && claims.GetProperty("aud").GetString() == "https://oauth2.googleapis.com/token"
            && claims.GetProperty("scope").GetString()!.Split(' ').Contains("https://www.googleapis.com/auth/cloud-platform")
            && claims.GetProperty("exp").GetInt64() - iat == 3600;
        return ok ? claims : null;
    }

    private static byte[] Base64Url(string s)
    {
        var b = s.Replace('-', '+').Replace('_', '/');
        return Convert.FromBase64String(b.PadRight(b.Length + ((4 - (b.Length % 4)) % 4), '='));
    }

    private static Task OAuthErrorAsync(HttpContext c, int status, string error)
    {
        c.Response.StatusCode = status;
        c.Response.ContentType = "application/json; charset=utf-8";
        return c.Response.WriteAsync(JsonSerializer.Serialize(new { error, error_description = "Invalid JWT Signature." }));
    }

    /// <summary>The GCE metadata server's token path, minting tokens into <paramref name="minted"/>.</summary>
    public static Func<HttpContext, RecordedRequest, Task> MetadataServer(ConcurrentQueue<string> minted)
        => async (c, r) =>
        {
            if (r.Method != "GET" || !r.PathAndQuery.StartsWith("/computeMetadata/v1/instance/service-accounts/default/token", StringComparison.Ordinal))
            {
                c.Response.StatusCode = 404;
                return;
            }

            if (r.Headers.GetValueOrDefault("metadata-flavor") != "Google")
            {
                c.Response.StatusCode = 403; // the real server refuses requests without the header
                await c.Response.WriteAsync("Missing Metadata-Flavor:Google header.");
                return;
            }

            var token = $"ya29.metadata-token-{minted.Count + 1:D3}";
            minted.Enqueue(token);
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync(JsonSerializer.Serialize(new { access_token = token, expires_in = 3599, token_type = "Bearer" }));
        };

    /// <summary>Wraps a handler with aiplatform's checks; refusals in Google's error shape.</summary>
    public static Func<HttpContext, RecordedRequest, Task> Validated(Func<IEnumerable<string>> validTokens, Func<HttpContext, RecordedRequest, Task> handler, string project = Project, string location = Location)
        => async (c, r) =>
        {
            if (Check(r, validTokens(), project, location) is { } rejection)
            {
                await GeminiWire.WriteErrorAsync(c, rejection.Code, rejection.Status, rejection.Message);
                return;
            }

            await handler(c, r);
        };

    public static (int Code, string Status, string Message)? Check(RecordedRequest r, IEnumerable<string> validTokens, string project = Project, string location = Location)
    {
        if (!r.Headers.TryGetValue("authorization", out var auth) || !auth.StartsWith("Bearer ", StringComparison.Ordinal) || !validTokens.Contains(auth["Bearer ".Length..]))
        {
            return (401, "UNAUTHENTICATED", "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.");
        }

        var path = PathPattern().Match(r.PathAndQuery);
        if (r.Method != "POST" || !path.Success || path.Groups[1].Value != project || path.Groups[2].Value != location)
        {
            return (404, "NOT_FOUND", "Publisher Model was not found or your project does not have access to it.");
        }

        var publisher = path.Groups[3].Value;
        var method = path.Groups[5].Value;
        if ((publisher == "google") != (method.Contains("GenerateContent", StringComparison.OrdinalIgnoreCase) || method == "predict"))
        {
            return (400, "FAILED_PRECONDITION", $"{method} is not served for this publisher's models.");
        }

        JsonNode? body;
        try
        {
            body = JsonNode.Parse(r.Body);
        }
        catch (JsonException)
        {
            return (400, "INVALID_ARGUMENT", "Invalid JSON payload received.");
        }

        if (method == "predict")
        {
            // text embedding models: {"instances":[{"content":…}],"parameters":{…}}, nothing else
            return body is JsonObject p && p["instances"] is JsonArray { Count: > 0 } instances
                && instances.All(i => i is JsonObject io && io["content"]?.GetValueKind() == JsonValueKind.String && io.All(kv => kv.Key is "content" or "task_type" or "title"))
                && p.All(kv => kv.Key is "instances" or "parameters")
                ? null
                : (400, "INVALID_ARGUMENT", "Invalid JSON payload received. instances[].content is required.");
        }

        if (publisher == "google")
        {
            return GeminiWire.CheckGenerate(JsonDocument.Parse(r.Body).RootElement) is { } bad ? (bad.Item1, bad.Item2, bad.Item3) : null;
        }

        if (body is not JsonObject o || o["anthropic_version"]?.GetValue<string>() != "vertex-2023-10-16")
        {
            return (400, "INVALID_ARGUMENT", "anthropic_version: vertex-2023-10-16 is required in the body");
        }

        if (o.ContainsKey("model"))
        {
            return (400, "INVALID_ARGUMENT", "model: Extra inputs are not permitted");
        }

        if ((o["stream"]?.GetValue<bool>() ?? false) != (method == "streamRawPredict"))
        {
            return (400, "INVALID_ARGUMENT", "stream must be true for streamRawPredict and absent or false for rawPredict");
        }

        o["model"] = "claude";
        return AnthropicWire.CheckBody(o.ToJsonString()) is { } badMessages ? (badMessages.Item1, "INVALID_ARGUMENT", badMessages.Item3) : null;
    }

    /// <summary>A <c>:predict</c> answer of a text embedding model: one prediction per instance, with its token count.</summary>
    public static Task WritePredictAsync(HttpContext c, params (float[] Values, int Tokens)[] predictions)
    {
        c.Response.ContentType = "application/json; charset=UTF-8";
        return c.Response.WriteAsync(JsonSerializer.Serialize(new
        {
            predictions = predictions.Select(p => new { embeddings = new { statistics = new { truncated = false, token_count = p.Tokens }, values = p.Values } }),
            metadata = new { billableCharacterCount = 42 },
        }));
    }

    /// <summary>The publisher model path the gateway called, e.g. <c>publishers/google/models/gemini-2.5-flash:generateContent</c>.</summary>
    public static string ModelPath(string publisher, string model, string method, string project = Project, string location = Location)
        => $"/v1/projects/{project}/locations/{location}/publishers/{publisher}/models/{model}:{method}";
}
