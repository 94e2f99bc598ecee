using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Functional;

/// <summary>
/// The failure contract's route on refusals: the name the caller asked for whenever it gave one, on a 404 for an
/// unknown alias and on 401/403 refusals made before the body is read (read then only when it is small and says so,
/// docs/failure-contract.md); and an expired master key's own code.
/// </summary>
public sealed class RefusalRouteTests
{
    private const string Yaml = """
        model_list:
          - model_name: router.default
            litellm_params: { model: mock/chat, mock_response: ok }
        switchyard:
          master_keys:
            - key: sk-old-master-key-0001
              valid_until: "2020-01-01T00:00:00Z"
        """;

    private static string Chat(string model) => $$"""{"model":"{{model}}","messages":[{"role":"user","content":"ping"}]}""";

    [Fact]
    public async Task UnknownAlias_404_RouteIsTheNameAsked()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);

        var r = await gw.SendAsync(HttpMethod.Post, "/v1/chat/completions", GatewayFixture.MasterKey, Chat("Router.Default"));

        Assert.Equal(404, r.Status);
        Assert.Equal("model_not_found", r.ErrorCode);
        Assert.Equal("Router.Default", r.Error.GetProperty("route").GetString());
    }

    [Fact]
    public async Task WrongOrMissingToken_401_RouteIsTheNameAsked()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);

        var wrong = await gw.SendAsync(HttpMethod.Post, "/v1/chat/completions", "sk-not-a-token", Chat("router.default"));
        var missing = await gw.SendAsync(HttpMethod.Post, "/v1/chat/completions", null, Chat("draft.fast"));

        Assert.Equal((401, "invalid_token"), (wrong.Status, wrong.ErrorCode));
        Assert.Equal("router.default", wrong.Error.GetProperty("route").GetString());
        Assert.Equal((401, "missing_token"), (missing.Status, missing.ErrorCode));
        Assert.Equal("draft.fast", missing.Error.GetProperty("route").GetString());
    }

    [Fact]
    public async Task TokenWithoutInvoke_403_RouteIsTheNameAsked()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        var (reader, _) = await gw.GenerateKeyAsync(new { scopes = new[] { "usage:read" } });

        var r = await gw.SendAsync(HttpMethod.Post, "/v1/chat/completions", reader, Chat("router.default"));

        Assert.Equal((403, "missing_scope"), (r.Status, r.ErrorCode));
        Assert.Equal("router.default", r.Error.GetProperty("route").GetString());
    }

    [Fact]
    public async Task MessagesIngress_401_RouteInAnthropicsShape()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);

        var r = await gw.SendAsync(HttpMethod.Post, "/v1/messages", "sk-not-a-token", """{"model":"router.default","max_tokens":8,"messages":[{"role":"user","content":"ping"}]}""");

        Assert.Equal(401, r.Status);
        Assert.Equal("router.default", r.Json.GetProperty("error").GetProperty("route").GetString());
    }

    [Fact]
    public async Task Refusal_BodyOver64KiBOrWithoutLength_RouteNull()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);
        var big = $$"""{"model":"router.default","messages":[{"role":"user","content":"{{new string('x', 70_000)}}"}]}""";

        var large = await gw.SendAsync(HttpMethod.Post, "/v1/chat/completions", "sk-not-a-token", big);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(Chat("router.default")))) };
        request.Headers.TransferEncodingChunked = true;
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-not-a-token");
        using var chunked = await gw.Bare.SendAsync(request);
        var chunkedError = JsonDocument.Parse(await chunked.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(401, large.Status);
        Assert.Equal(JsonValueKind.Null, large.Error.GetProperty("route").ValueKind);
        Assert.Equal(401, (int)chunked.StatusCode);
        Assert.Equal(JsonValueKind.Null, chunkedError.GetProperty("route").ValueKind);
    }

    [Fact]
    public async Task Refusal_BodyNotJsonOrModelNotAString_RouteNull()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);

        var notJson = await gw.SendAsync(HttpMethod.Post, "/v1/chat/completions", "sk-not-a-token", "model=router.default");
        var number = await gw.SendAsync(HttpMethod.Post, "/v1/chat/completions", "sk-not-a-token", """{"messages":[],"model":7}""");
        var surrogate = await gw.SendAsync(HttpMethod.Post, "/v1/chat/completions", "sk-not-a-token", """{"model":"\ud800"}""");

        foreach (var r in new[] { notJson, number, surrogate })
        {
            Assert.Equal(401, r.Status);
            Assert.Equal(JsonValueKind.Null, r.Error.GetProperty("route").ValueKind);
        }
    }

    [Fact]
    public async Task ExpiredOldMasterKey_401TokenExpiredNamingWhen()
    {
        await using var gw = await GatewayFixture.StartAsync(Yaml);

        var old = await gw.SendAsync(HttpMethod.Post, "/v1/chat/completions", "sk-old-master-key-0001", Chat("router.default"));
        var current = await gw.SendAsync(HttpMethod.Post, "/v1/chat/completions", GatewayFixture.MasterKey, Chat("router.default"));
        var admin = await gw.GetAsync("/key/list", "sk-old-master-key-0001");

        Assert.Equal((401, "token_expired"), (old.Status, old.ErrorCode));
        Assert.Contains("the master key expired at 2020-01-01 00:00:00Z", old.Error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal("router.default", old.Error.GetProperty("route").GetString());
        Assert.Equal(200, current.Status);
        Assert.Equal((401, "token_expired"), (admin.Status, admin.ErrorCode));
    }
}
