using System.Text.Json;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Dashboard;

/// <summary>
/// Dashboard sign-in on a real gateway socket: the sy_session cookie's flags and contents, CSRF on every change made
/// with it, who may sign in, the cookie never reaching an inference route, sessions ending with their key, the security
/// headers of every /ui answer, and no token in any URL or log.
/// </summary>
public sealed class SessionTests
{
    private const string Yaml = """
        model_list:
          - model_name: m
            litellm_params:
              model: mock/m
              mock_response: hello
        """;

    private static async Task<string> TeamKeyAsync(GatewayFixture gw, string team, params string[] scopes)
    {
        var r = await gw.PostAsync("/team/new", new { team_id = team });
        Assert.True(r.Status is 200 or 409 or 400, r.ToString());
        return (await gw.GenerateKeyAsync(new { team_id = team, key_alias = team + "-" + string.Join("-", scopes).Replace(":", "", StringComparison.Ordinal), scopes })).Key;
    }

    [Fact]
    public async Task SignIn_MasterKey_SetsHttpOnlyStrictEightHourCookieHoldingNoToken()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        using var ui = new DashboardClient(gw);

        var s = await ui.SignInAsync(GatewayFixture.MasterKey);

        var flags = s.SetCookie.ToLowerInvariant();
        Assert.Contains("httponly", flags, StringComparison.Ordinal);
        Assert.Contains("samesite=strict", flags, StringComparison.Ordinal);
        Assert.Contains("path=/", flags, StringComparison.Ordinal);
        Assert.Contains("max-age=28800", flags, StringComparison.Ordinal);
        Assert.DoesNotContain("secure", flags, StringComparison.Ordinal); // plain HTTP here: Secure only over TLS
        Assert.StartsWith("v1.", s.Cookie, StringComparison.Ordinal);
        Assert.Equal(3, s.Cookie.Split('.').Length);
        var payload = System.Text.Encoding.ASCII.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(s.Cookie.Split('.')[1]));
        // a master key is named by a MAC of its hash, never the key nor its hash (the session secret derives from the hash)
        Assert.Matches("^m[0-9a-f]{32}\\.", payload);
        Assert.DoesNotContain(GatewayApi.Sha256Hex(GatewayFixture.MasterKey), payload, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(GatewayFixture.MasterKey, s.SetCookie, StringComparison.Ordinal);
        Assert.Equal("master", s.Body.GetProperty("identity").GetProperty("kind").GetString());
        Assert.NotEmpty(s.Csrf);

        var read = await ui.SendAsync(HttpMethod.Get, "/ui/session", s.Cookie);
        Assert.Equal(200, read.Status);
        Assert.Equal(s.Csrf, read.Json.GetProperty("csrf_token").GetString());
    }

    [Fact]
    public async Task Cookie_ReadsAdminRoutes_ButChangesNeedTheCsrfToken_AndRefusedOnesChangeNothing()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        using var ui = new DashboardClient(gw);
        var s = await ui.SignInAsync(GatewayFixture.MasterKey);
        var body = JsonSerializer.Serialize(new { key_alias = "from-the-dashboard" });

        Assert.Equal(200, (await ui.SendAsync(HttpMethod.Get, "/key/list", s.Cookie)).Status);
        var missing = await ui.SendAsync(HttpMethod.Post, "/key/generate", s.Cookie, json: body);
        var wrong = await ui.SendAsync(HttpMethod.Post, "/key/generate", s.Cookie, csrf: "not-the-token", json: body);
        var reload = await ui.SendAsync(HttpMethod.Post, "/config/reload", s.Cookie);

        Assert.Equal((403, "csrf_token_missing"), (missing.Status, missing.ErrorCode));
        Assert.Equal((403, "csrf_token_invalid"), (wrong.Status, wrong.ErrorCode));
        Assert.Equal((403, "csrf_token_missing"), (reload.Status, reload.ErrorCode));
        Assert.Equal(0, (await gw.GetAsync("/key/list")).Json.GetProperty("total_count").GetInt32());

        var made = await ui.SendAsync(HttpMethod.Post, "/key/generate", s.Cookie, csrf: s.Csrf, json: body);
        Assert.Equal(200, made.Status);
        Assert.Equal(1, (await gw.GetAsync("/key/list")).Json.GetProperty("total_count").GetInt32());

        // another session's CSRF token does not fit this one
        var other = await ui.SignInAsync(GatewayFixture.MasterKey);
        Assert.Equal("csrf_token_invalid", (await ui.SendAsync(HttpMethod.Post, "/key/generate", s.Cookie, csrf: other.Csrf, json: body)).ErrorCode);
    }

    [Theory]
    [InlineData("invoke")]
    [InlineData("health:read")]
    public async Task SignIn_TokenWithoutAdminOrUsageRead_IsRefused403InsufficientScope(string scope)
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        using var ui = new DashboardClient(gw);
        var key = await TeamKeyAsync(gw, "acme", scope);

        var r = await ui.SignInRawAsync(JsonSerializer.Serialize(new { token = key }));

        Assert.Equal((403, "insufficient_scope"), (r.Status, r.ErrorCode));
        Assert.Null(r.Header("Set-Cookie"));
    }

    [Theory]
    [InlineData("not json", 400, "invalid_json")]
    [InlineData("{}", 400, "missing_field")]
    [InlineData("{\"token\": 5}", 400, "invalid_type")]
    [InlineData("{\"token\": \"sk-not-a-key-at-all\"}", 401, "invalid_token")]
    public async Task SignIn_BadBodyOrWrongToken_IsTypedAndSetsNoCookie(string body, int status, string code)
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        using var ui = new DashboardClient(gw);

        var r = await ui.SignInRawAsync(body);

        Assert.Equal((status, code), (r.Status, r.ErrorCode));
        Assert.Null(r.Header("Set-Cookie"));
    }

    [Fact]
    public async Task Cookie_NeverAuthenticatesAnInferenceRoute()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        using var ui = new DashboardClient(gw);
        var s = await ui.SignInAsync(GatewayFixture.MasterKey);
        var chat = GatewayApi.ChatBody("m", 400, null);

        foreach (var path in new[] { "/v1/chat/completions", "/chat/completions", "/v1/embeddings", "/v1/responses", "/v1/messages" })
        {
            var r = await ui.SendAsync(HttpMethod.Post, path, s.Cookie, s.Csrf, chat);
            Assert.True(r.Status == 401 && r.ErrorCode == "missing_token", $"{path}: {r}");
        }

        Assert.Equal((401, "missing_token"), ((await ui.SendAsync(HttpMethod.Get, "/v1/models", s.Cookie)).Status, (await ui.SendAsync(HttpMethod.Get, "/v1/models", s.Cookie)).ErrorCode));
        Assert.Equal(200, (await ui.SendAsync(HttpMethod.Post, "/v1/chat/completions", null, json: chat, bearer: GatewayFixture.MasterKey)).Status); // the route itself works
    }

    [Fact]
    public async Task RevokedOrRotatedKey_EndsItsSessionsAtTheNextRequest()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        using var ui = new DashboardClient(gw);
        var revoked = await TeamKeyAsync(gw, "acme", "admin");
        var rotated = await TeamKeyAsync(gw, "beta", "admin");
        var a = await ui.SignInAsync(revoked);
        var b = await ui.SignInAsync(rotated);
        Assert.Equal("tenant_admin", a.Body.GetProperty("identity").GetProperty("kind").GetString());
        Assert.Equal(200, (await ui.SendAsync(HttpMethod.Get, "/key/list", a.Cookie)).Status);
        Assert.Equal(200, (await ui.SendAsync(HttpMethod.Get, "/key/list", b.Cookie)).Status);

        Assert.Equal(200, (await gw.PostAsync("/key/delete", new { keys = new[] { revoked } })).Status);
        Assert.Equal(200, (await gw.PostAsync("/key/regenerate", new { key = rotated, grace_period = "1h" })).Status);

        var afterRevoke = await ui.SendAsync(HttpMethod.Get, "/key/list", a.Cookie);
        var afterRotate = await ui.SendAsync(HttpMethod.Get, "/ui/session", b.Cookie);
        Assert.Equal((401, "session_invalid"), (afterRevoke.Status, afterRevoke.ErrorCode));
        Assert.Equal((401, "session_invalid"), (afterRotate.Status, afterRotate.ErrorCode));
        Assert.Equal(200, (await gw.GetAsync("/key/list", rotated)).Status); // the old token itself still works in its grace period
    }

    [Fact]
    public async Task TamperedCookie_IsRefused_AndTheSessionOfATenantAdminStaysInItsTenant()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        using var ui = new DashboardClient(gw);
        var acme = await TeamKeyAsync(gw, "acme", "admin");
        await TeamKeyAsync(gw, "beta", "invoke");
        var s = await ui.SignInAsync(acme);

        // the payload swapped for the master key's hash, MAC kept: refused
        var parts = s.Cookie.Split('.');
        var forged = System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.ASCII.GetBytes(
            GatewayApi.Sha256Hex(GatewayFixture.MasterKey) + System.Text.Encoding.ASCII.GetString(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]))[64..]));
        var r = await ui.SendAsync(HttpMethod.Get, "/config", $"v1.{forged}.{parts[2]}");
        Assert.Equal((401, "session_invalid"), (r.Status, r.ErrorCode));

        var keys = await ui.SendAsync(HttpMethod.Get, "/key/list?return_full_object=true", s.Cookie);
        Assert.All(keys.Json.GetProperty("keys").EnumerateArray(), k => Assert.Equal("acme", k.GetProperty("team_id").GetString()));
        Assert.Equal(403, (await ui.SendAsync(HttpMethod.Get, "/key/list?team_id=beta", s.Cookie)).Status);
        Assert.Equal(403, (await ui.SendAsync(HttpMethod.Get, "/config", s.Cookie)).Status);
    }

    [Fact]
    public async Task SignOut_NeedsTheCsrfToken_AndClearsTheCookie()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        using var ui = new DashboardClient(gw);
        var s = await ui.SignInAsync(GatewayFixture.MasterKey);

        Assert.Equal((403, "csrf_token_missing"), ((await ui.SendAsync(HttpMethod.Delete, "/ui/session", s.Cookie)).Status, (await ui.SendAsync(HttpMethod.Delete, "/ui/session", s.Cookie)).ErrorCode));
        var r = await ui.SendAsync(HttpMethod.Delete, "/ui/session", s.Cookie, s.Csrf);

        Assert.Equal(204, r.Status);
        var cleared = r.Header("Set-Cookie");
        Assert.NotNull(cleared);
        Assert.StartsWith("sy_session=;", cleared, StringComparison.Ordinal);
        Assert.Contains("expires=Thu, 01 Jan 1970", cleared, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/ui")]
    [InlineData("/ui/")]
    [InlineData("/ui/tenants")]
    [InlineData("/ui/failures/01ABC")]
    public async Task EveryPagePath_AnswersTheShellWithTheSecurityHeaders(string path)
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        using var ui = new DashboardClient(gw);

        using var r = await ui.GetRawAsync(path);
        var html = await r.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)r.StatusCode);
        Assert.Equal("text/html", r.Content.Headers.ContentType?.MediaType);
        AssertSecurityHeaders(r);
        Assert.Equal("no-store", r.Headers.CacheControl?.ToString());
        Assert.Contains("<script type=\"module\" src=\"/ui/assets/app.js?v=", html, StringComparison.Ordinal);
        Assert.DoesNotContain("style=", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Assets_AreServedFromMemoryWithAHashAndLongMaxAge_UnknownOnesAndApiPaths404()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        using var ui = new DashboardClient(gw);
        var version = gw.Service<Switchyard.Dashboard.DashboardAssets>().Version;

        using var js = await ui.GetRawAsync($"/ui/assets/app.js?v={version}");
        var text = await js.Content.ReadAsStringAsync();
        Assert.Equal(200, (int)js.StatusCode);
        Assert.Equal("text/javascript", js.Content.Headers.ContentType?.MediaType);
        Assert.Contains("max-age=31536000", js.Headers.CacheControl?.ToString(), StringComparison.Ordinal);
        AssertSecurityHeaders(js);
        Assert.Contains($"'./pages/overview.js?v={version}'", text, StringComparison.Ordinal); // module imports carry the hash too

        using var css = await ui.GetRawAsync("/ui/assets/app.css");
        Assert.Equal("text/css", css.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", css.Headers.CacheControl?.ToString()); // no hash: revalidate
        Assert.Equal(404, (int)(await ui.GetRawAsync("/ui/assets/nope.js")).StatusCode);
        var api = await ui.SendAsync(HttpMethod.Get, "/ui/api/not-a-thing", null);
        Assert.Equal((404, "unknown_route"), (api.Status, api.ErrorCode));
        var post = await ui.SendAsync(HttpMethod.Put, "/ui/session", null);
        Assert.Equal(405, post.Status);
    }

    [Fact]
    public async Task EmbeddedScripts_SetNoInlineStyleAndPutNoTokenInAUrl()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        using var ui = new DashboardClient(gw);
        var assets = gw.Service<Switchyard.Dashboard.DashboardAssets>();

        foreach (var name in assets.Names.Where(n => n.EndsWith(".js", StringComparison.Ordinal)))
        {
            using var r = await ui.GetRawAsync("/ui/assets/" + name);
            var text = await r.Content.ReadAsStringAsync();
            Assert.DoesNotContain(".style.", text, StringComparison.Ordinal);
            Assert.DoesNotContain("innerHTML", text, StringComparison.Ordinal);
            Assert.DoesNotContain("'style'", text, StringComparison.Ordinal);
            Assert.DoesNotMatch("[?&]token=", text);
        }
    }

    [Fact]
    public async Task SignIn_LeavesTheTokenOutOfTheAccessLogAndTheLogs()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        using var ui = new DashboardClient(gw);
        var key = await TeamKeyAsync(gw, "acme", "admin");

        var s = await ui.SignInAsync(key);
        await ui.SendAsync(HttpMethod.Get, "/key/list", s.Cookie);
        await GatewayApi.WaitUntilAsync(() => gw.AccessLog.Records.Any(r => r.GetProperty("path").GetString() == "/key/list" && r.TryGetProperty("tenant_id", out var t) && t.GetString() == "acme"), "the cookie-authenticated call's access-log line");

        Assert.Contains(gw.AccessLog.Records, r => r.GetProperty("path").GetString() == "/ui/session");
        Assert.DoesNotContain(gw.AccessLog.Lines, l => l.Contains(key, StringComparison.Ordinal) || l.Contains(s.Cookie, StringComparison.Ordinal));
        Assert.DoesNotContain(gw.Logs.Entries, e => e.Message.Contains(key, StringComparison.Ordinal));
    }

    private static void AssertSecurityHeaders(HttpResponseMessage r)
    {
        Assert.Equal(Switchyard.Dashboard.DashboardAssets.ContentSecurityPolicy, string.Join(",", r.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            string.Join(",", r.Headers.GetValues("Content-Security-Policy")));
        Assert.Equal("nosniff", string.Join(",", r.Headers.GetValues("X-Content-Type-Options")));
        Assert.Equal("no-referrer", string.Join(",", r.Headers.GetValues("Referrer-Policy")));
        Assert.Equal("DENY", string.Join(",", r.Headers.GetValues("X-Frame-Options")));
    }
}
