using Microsoft.Playwright;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Dashboard;

/// <summary>A fact that drives Debian's Chromium; skipped, saying so, when /usr/bin/chromium is absent.</summary>
public sealed class ChromiumFactAttribute : FactAttribute
{
    public const string Path = "/usr/bin/chromium";

    public ChromiumFactAttribute()
    {
        if (!File.Exists(Path))
        {
            Skip = "Debian's chromium is not installed (/usr/bin/chromium): scripts/test.sh installs it when run as root (apt-get install chromium)";
        }
    }
}

/// <summary>
/// The real pages in a real headless Chromium (Playwright's .NET driver, the system browser) against a gateway on a
/// real socket: sign in, read every page, create and revoke a key, promote a canary, a tenant's token confined to its
/// tenant. Each page's screenshot goes to TestResults/dashboard-screenshots.
/// </summary>
public sealed class BrowserTests
{
    private const string Yaml = """
        model_list:
          - model_name: primary
            litellm_params:
              model: mock/stable
              mock_response: stable
            model_info:
              id: stable-1
          - model_name: next
            litellm_params:
              model: mock/next
              mock_response: next
            model_info:
              id: next-1
        router_settings:
          num_retries: 0
          model_group_alias:
            router.default: primary
        switchyard:
          canaries:
            router.default:
              target: next
              percent: 20
        """;

    private static readonly string Shots = System.IO.Path.Combine(AppContext.BaseDirectory, "TestResults", "dashboard-screenshots");

    private static async Task<(IPlaywright, IBrowser)> LaunchAsync()
    {
        var pw = await Playwright.CreateAsync();
        var browser = await pw.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = ChromiumFactAttribute.Path, Headless = true, Args = ["--no-sandbox"] });
        return (pw, browser);
    }

    private static async Task<IPage> SignInAsync(IBrowser browser, GatewayFixture gw, string token, List<string> errors)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = gw.BaseUrl, ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        page.Console += (_, m) =>
        {
            if (m.Type == "error" && !m.Text.StartsWith("Failed to load resource", StringComparison.Ordinal))
            {
                errors.Add(m.Text); // a CSP violation or a script error (an answer's 4xx status, expected here, is not counted)
            }
        };
        page.PageError += (_, e) => errors.Add(e);
        await page.GotoAsync("/ui/");
        await page.GetByLabel("Token").FillAsync(token);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).WaitForAsync();
        return page;
    }

    private static async Task ShotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(Shots);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = System.IO.Path.Combine(Shots, name + ".png"), FullPage = true });
    }

    /// <summary>
    /// Keyboard only: the sign-in form, the skip link as the first stop, every navigation link reached with Tab and
    /// followed with Enter, each stop visibly focused. Contrast: every visible text on each page at least 4.5:1 against
    /// the background it sits on (WCAG AA for normal text), computed in the page from the rendered colours.
    /// </summary>
    [ChromiumFact]
    public async Task KeyboardOnly_SignsInAndReachesEveryPage_AndEveryTextHasReadableContrast()
    {
        await using var gw = await GatewayFixture.StartFromFileAsync(Yaml);
        var (pw, browser) = await LaunchAsync();
        using var _ = pw;
        await using var __ = browser;
        var context = await browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = gw.BaseUrl, ViewportSize = new ViewportSize { Width = 1280, Height = 900 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/ui/");

        // sign in without a mouse: Tab to the token field, type, Enter submits
        for (var i = 0; i < 10 && await page.EvaluateAsync<string>("document.activeElement?.getAttribute('name') ?? document.activeElement?.id ?? ''") is not ("token"); i++)
        {
            await page.Keyboard.PressAsync("Tab");
        }

        await page.Keyboard.TypeAsync(GatewayFixture.MasterKey);
        await page.Keyboard.PressAsync("Enter");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).WaitForAsync();

        foreach (var (link, heading) in new[] { ("Routes", "Routes"), ("Tenants and keys", "Tenants and keys"), ("Spend", "Spend"), ("Failures", "Failures"), ("Config", "Config"), ("Audit", "Audit log"), ("Overview", "Overview") })
        {
            // from the top of the page (after a page change the app moves focus into the page's content): the skip link first
            await page.ReloadAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).WaitForAsync();
            await page.Keyboard.PressAsync("Tab");
            Assert.Equal("Skip to content", (await page.EvaluateAsync<string>("document.activeElement.textContent")).Trim());
            var reached = false;
            for (var i = 0; i < 30 && !reached; i++)
            {
                await page.Keyboard.PressAsync("Tab");
                reached = (await page.EvaluateAsync<string>("document.activeElement.textContent")).Trim() == link;
            }

            Assert.True(reached, $"Tab never reached the '{link}' link");
            var outline = await page.EvaluateAsync<string>("(() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.boxShadow; })()");
            Assert.False(outline.StartsWith("none 0px none", StringComparison.Ordinal), $"the focused '{link}' link shows no focus ring: {outline}");
            await page.Keyboard.PressAsync("Enter");
            await page.GetByRole(AriaRole.Heading, new() { Name = heading, Level = 1 }).WaitForAsync();
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);

            var low = await page.EvaluateAsync<string[]>(ContrastScript);
            Assert.True(low.Length == 0, $"{heading}: text under 4.5:1 contrast: " + string.Join("; ", low.Take(5)));
        }

        // the check itself sees pale text: light grey on white (2.3:1) is reported
        await page.EvaluateAsync("(() => { const s = document.createElement('span'); s.textContent = 'pale probe'; s.style.color = '#aaaaaa'; s.style.backgroundColor = '#ffffff'; document.querySelector('main').append(s); })()");
        Assert.Contains(await page.EvaluateAsync<string[]>(ContrastScript), l => l.Contains("pale probe", StringComparison.Ordinal));
    }

    /// <summary>Every element with its own visible text whose colour against the first opaque background behind it is under 4.5:1.</summary>
    private const string ContrastScript = """
        (() => {
          const rgb = c => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null; const p = m[1].split(',').map(Number); return { r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1 }; };
          const lum = ({ r, g, b }) => { const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); }; return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
          const bg = el => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor); if (c && c.a >= 0.99) return c; } return { r: 255, g: 255, b: 255, a: 1 }; };
          const out = [];
          for (const el of document.querySelectorAll('body *')) {
            const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim().length > 0);
            if (!own || el.closest('svg')) continue;
            const s = getComputedStyle(el);
            if (s.visibility === 'hidden' || s.display === 'none' || el.getClientRects().length === 0) continue;
            if (el.matches(':disabled, [aria-disabled=true]') || el.closest(':disabled')) continue; // WCAG exempts inactive controls
            const fg = rgb(s.color); if (!fg) continue;
            const a = lum(fg), b = lum(bg(el));
            const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
            if (ratio < 4.5) out.push(`${el.tagName.toLowerCase()} "${el.textContent.trim().slice(0, 30)}" ${ratio.toFixed(2)}:1`);
          }
          return out;
        })()
        """;

    [ChromiumFact]
    public async Task Admin_SignsIn_ReadsEveryPage_CreatesAndRevokesAKey_PromotesTheCanary()
    {
        await using var gw = await GatewayFixture.StartFromFileAsync(Yaml);
        var (pw, browser) = await LaunchAsync();
        using var _ = pw;
        await using var __ = browser;
        var errors = new List<string>();
        var page = await SignInAsync(browser, gw, GatewayFixture.MasterKey, errors);
        Assert.DoesNotContain(GatewayFixture.MasterKey, page.Url, StringComparison.Ordinal);

        foreach (var (link, heading, shot) in new[]
        {
            ("Overview", "Overview", "overview"), ("Routes", "Routes", "routes"), ("Tenants and keys", "Tenants and keys", "tenants"),
            ("Spend", "Spend", "spend"), ("Failures", "Failures", "failures"), ("Config", "Config", "config"), ("Audit", "Audit log", "audit"),
        })
        {
            await page.GetByRole(AriaRole.Navigation, new() { Name = "Dashboard pages" }).GetByRole(AriaRole.Link, new() { Name = link, Exact = true }).ClickAsync();
            await page.GetByRole(AriaRole.Heading, new() { Name = heading, Exact = true, Level = 1 }).WaitForAsync();
            await page.Locator("main .page[aria-busy=false]").WaitForAsync(); // the page's first data has been drawn
            await ShotAsync(page, shot);
        }

        // the config page shows the live config's hash
        await page.GetByRole(AriaRole.Link, new() { Name = "Config", Exact = true }).ClickAsync();
        await page.GetByText("sha256:").First.WaitForAsync();

        // create a key: shown once, then revoke it with confirmation
        await page.GetByRole(AriaRole.Link, new() { Name = "Tenants and keys", Exact = true }).ClickAsync();
        await page.GetByLabel("Alias").FillAsync("from-the-browser");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create key" }).ClickAsync();
        var token = await page.GetByTestId("new-token").TextContentAsync();
        Assert.StartsWith("sk-", token, StringComparison.Ordinal);
        Assert.Equal(200, (await gw.GetAsync("/key/info?key=" + token, token)).Status);
        await ShotAsync(page, "key-created");
        await page.GetByRole(AriaRole.Button, new() { Name = "Revoke key from-the-browser" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await page.GetByText("Revoked from-the-browser").WaitForAsync();
        Assert.Equal(401, (await gw.ChatAsync(token, "primary")).Status);

        // promote the canary: no evidence yet, so the gateway refuses with the figures; promote anyway, confirmed
        await page.GetByRole(AriaRole.Link, new() { Name = "Routes", Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Promote next" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Promote" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Promote anyway…" }).ClickAsync();
        await page.GetByRole(AriaRole.Dialog).GetByRole(AriaRole.Button, new() { Name = "Promote anyway" }).ClickAsync();
        await page.GetByText("router.default: promoted").WaitForAsync();
        await ShotAsync(page, "routes-promoted");
        var status = await gw.GetAsync("/alias/status?alias=router.default");
        Assert.Equal("next", status.Json.GetProperty("primary").GetString());
        Assert.Empty(errors);
    }

    /// <summary>
    /// Real traffic first (a tenant's priced calls, a group whose upstream answers 500 and falls back, a group whose
    /// upstream answers 500 until its breaker opens), then every page must show it.
    /// </summary>
    [ChromiumFact]
    public async Task Admin_AfterRealTraffic_EveryPageShowsIt()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 500, "boom");
        var yaml = $$"""
            model_list:
              - model_name: chat
                litellm_params: { model: mock/chat, mock_response: ok, input_cost_per_token: 0.001, output_cost_per_token: 0.001 }
                model_info: { id: chat-1 }
              - model_name: flaky
                litellm_params: { model: openai/model-flaky, api_base: "{{upstream.BaseUrl}}/v1" }
                model_info: { id: flaky-1 }
              - model_name: broken
                litellm_params: { model: openai/model-broken, api_base: "{{upstream.BaseUrl}}/v1" }
                model_info: { id: broken-1 }
            router_settings:
              num_retries: 0
              fallbacks:
                - flaky: [chat]
            switchyard:
              retry:
                base_delay: 0
              breaker:
                consecutive_failures: 3
                failure_ratio: 0
                open_duration: 10m
            """;
        await using var gw = await GatewayFixture.StartFromFileAsync(yaml);
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "acme", max_budget = 10, budget_duration = "30d" })).Status);
        var (key, _) = await gw.GenerateKeyAsync(new { team_id = "acme", key_alias = "acme-app" });
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, (await gw.ChatAsync(key, "chat")).Status);
        }

        var fellBack = await gw.ChatAsync(key, "flaky");
        Assert.True(fellBack.Status == 200, fellBack.ToString());
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(502, (await gw.ChatAsync(key, "broken")).Status); // the third opens broken-1's breaker
        }

        var reload = await gw.PostAsync("/config/reload", new { });
        Assert.True(reload.Status == 200, reload.ToString());
        var failures = await gw.GetAsync("/ui/api/failures?deployment=broken-1");
        Assert.True(failures.Status == 200, failures.ToString());
        var failure = failures.Json.GetProperty("data")[0];
        var code = failure.GetProperty("code").GetString()!;
        var correlation = failure.GetProperty("correlation_id").GetString()!;
        for (var i = 0; i < 100 && (await gw.GetAsync("/ui/api/spend?group_by=model")).Json.GetProperty("data").GetArrayLength() == 0; i++)
        {
            await Task.Delay(100); // the spend writer flushes every 100 ms; bounded
        }

        var (pw, browser) = await LaunchAsync();
        using var _ = pw;
        await using var __ = browser;
        var errors = new List<string>();
        var page = await SignInAsync(browser, gw, GatewayFixture.MasterKey, errors);
        var nav = page.GetByRole(AriaRole.Navigation, new() { Name = "Dashboard pages" });
        async Task OpenAsync(string link, string shot)
        {
            await nav.GetByRole(AriaRole.Link, new() { Name = link, Exact = true }).ClickAsync();
            await page.Locator("main .page[aria-busy=false]").WaitForAsync();
            await ShotAsync(page, shot);
        }

        // Overview: today's requests counted
        await OpenAsync("Overview", "traffic-overview");
        var today = await page.Locator(".card", new() { Has = page.GetByText("Requests today", new() { Exact = true }) }).Locator(".card-value").InnerTextAsync();
        Assert.True(long.Parse(today.Replace(",", "", StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture) >= 7, today);

        // Routes: broken-1's breaker open, flaky's fallback to chat listed
        await OpenAsync("Routes", "traffic-routes");
        var brokenRow = page.Locator("tr", new() { Has = page.Locator("code", new() { HasText = "broken-1" }) }).First;
        Assert.Contains("open", await brokenRow.InnerTextAsync(), StringComparison.Ordinal);
        var fallbackRow = page.GetByRole(AriaRole.Table, new() { Name = "Recent fallbacks of flaky" }).Locator("tbody tr").First;
        Assert.Contains("chat", await fallbackRow.InnerTextAsync(), StringComparison.Ordinal);

        // Tenants: acme with its budget
        await OpenAsync("Tenants and keys", "traffic-tenants");
        var acme = page.GetByRole(AriaRole.Table, new() { Name = "Tenants with limits and use" }).Locator("tbody tr", new() { HasText = "acme" });
        Assert.Contains("/ $10.00", await acme.InnerTextAsync(), StringComparison.Ordinal);

        // Spend: the priced model's row with spend
        await OpenAsync("Spend", "traffic-spend");
        var model = page.GetByRole(AriaRole.Table, new() { Name = "Spend by model" }).Locator("tbody tr", new() { HasText = "mock/chat" });
        var spend = await model.Locator("td").Nth(4).InnerTextAsync();
        Assert.StartsWith("$", spend, StringComparison.Ordinal);
        Assert.NotEqual("$0.00", spend);
        Assert.Contains("format=csv", await page.GetByRole(AriaRole.Link, new() { Name = "Export CSV" }).GetAttributeAsync("href"), StringComparison.Ordinal);

        // Failures: the failing call's row; its correlation id opens the call with its attempt
        await OpenAsync("Failures", "traffic-failures");
        var row = page.Locator("tbody tr", new() { Has = page.GetByRole(AriaRole.Link, new() { Name = correlation, Exact = true }) });
        Assert.Contains(code, await row.InnerTextAsync(), StringComparison.Ordinal);
        await row.GetByRole(AriaRole.Link, new() { Name = correlation, Exact = true }).ClickAsync();
        await page.GetByRole(AriaRole.Heading, new() { Name = "Attempts", Level = 2 }).WaitForAsync();
        var attempt = page.GetByRole(AriaRole.Table, new() { Name = "Attempts" }).Locator("tbody tr").First;
        var attemptText = await attempt.InnerTextAsync();
        Assert.Contains("broken-1", attemptText, StringComparison.Ordinal);
        Assert.Contains("500", attemptText, StringComparison.Ordinal);
        await ShotAsync(page, "traffic-call");

        // Config: the reload in this replica's history; Audit: the key's generation
        await OpenAsync("Config", "traffic-config");
        var reloaded = page.GetByRole(AriaRole.Table, new() { Name = "Last reloads" }).Locator("tbody tr").First;
        Assert.Contains("reloaded", await reloaded.InnerTextAsync(), StringComparison.Ordinal);
        await OpenAsync("Audit", "traffic-audit");
        var generated = page.Locator("tbody tr", new() { HasText = "key.generate" }).First;
        Assert.Contains("ok", await generated.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Empty(errors);
    }

    [ChromiumFact]
    public async Task TenantAdmin_SeesOnlyItsTenant_AndNoGlobalPages()
    {
        await using var gw = await GatewayFixture.StartFromFileAsync(Yaml);
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "acme" })).Status);
        Assert.Equal(200, (await gw.PostAsync("/team/new", new { team_id = "beta" })).Status);
        var (acme, _) = await gw.GenerateKeyAsync(new { team_id = "acme", key_alias = "acme-admin", scopes = new[] { "admin" } });
        await gw.GenerateKeyAsync(new { team_id = "beta", key_alias = "beta-secret-key", scopes = new[] { "invoke" } });
        var (pw, browser) = await LaunchAsync();
        using var _ = pw;
        await using var __ = browser;
        var errors = new List<string>();
        var page = await SignInAsync(browser, gw, acme, errors);

        var nav = page.GetByRole(AriaRole.Navigation, new() { Name = "Dashboard pages" });
        Assert.Equal(0, await nav.GetByRole(AriaRole.Link, new() { Name = "Config", Exact = true }).CountAsync());
        Assert.Equal(0, await nav.GetByRole(AriaRole.Link, new() { Name = "Routes", Exact = true }).CountAsync());
        await nav.GetByRole(AriaRole.Link, new() { Name = "Tenants and keys", Exact = true }).ClickAsync();
        await page.GetByText("acme-admin").First.WaitForAsync();
        await page.Locator("main .page[aria-busy=false]").WaitForAsync();
        await ShotAsync(page, "tenant-admin");
        var text = await page.Locator("main").InnerTextAsync();
        Assert.DoesNotContain("beta-secret-key", text, StringComparison.Ordinal);

        // typing another tenant's page address shows nothing of it either
        await page.GotoAsync("/ui/config");
        await page.GetByRole(AriaRole.Heading, new() { Name = "Not found", Level = 1 }).WaitForAsync();
        Assert.Empty(errors);
    }
}
