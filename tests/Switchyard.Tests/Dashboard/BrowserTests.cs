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
