using Microsoft.Extensions.Time.Testing;
using Switchyard.Core.Config;
using Switchyard.Providers.Vertex;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Providers.Vertex;

/// <summary>
/// The token cache on its own, with a fake clock: one credential per credentials source, one token minted and reused,
/// a new one minted once the old is about to expire, against the fake token endpoint on a real socket.
/// </summary>
public sealed class VertexTokensTests
{
    [Fact]
    public async Task Token_MintedOnce_Reused_RefreshedNearExpiry_OneCredentialPerSource()
    {
        using var account = new VertexWire.ServiceAccount();
        await using var oauth = await FakeUpstream.StartAsync();
        var tokenUri = oauth.BaseUrl + "/token";
        oauth.Handler = VertexWire.TokenEndpoint(account);
        var file = account.WriteFile(tokenUri);
        var config = ConfigLoader.Load($$"""
            model_list:
              - model_name: a
                litellm_params: { model: vertex_ai/gemini-2.5-flash, vertex_credentials: {{file}} }
              - model_name: b
                litellm_params: { model: vertex_ai/claude-sonnet-4@20250514, vertex_credentials: {{file}}, vertex_location: global }
            general_settings: { master_key: sk-vertex-tokens-0001 }
            """, Path.GetTempPath(), _ => null);
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var tokens = new VertexTokens(time);

        var first = await tokens.TokenAsync(config.Deployments[0], CancellationToken.None, CancellationToken.None);
        var again = await tokens.TokenAsync(config.Deployments[1], CancellationToken.None, CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(30));
        var later = await tokens.TokenAsync(config.Deployments[0], CancellationToken.None, CancellationToken.None);

        Assert.Equal("ya29.fake-token-001", first.Value);
        Assert.Equal(first.Value, again.Value);
        Assert.Equal(first.Value, later.Value);
        Assert.Single(account.Minted);
        Assert.Equal(1, tokens.Count);

        time.Advance(TimeSpan.FromMinutes(29.5)); // 30 s before the hour's end: inside the expiry window
        var refreshed = await tokens.TokenAsync(config.Deployments[0], CancellationToken.None, CancellationToken.None);

        Assert.Equal("ya29.fake-token-002", refreshed.Value);
        Assert.Equal(2, account.Minted.Count);
        var claims = account.Claims.Last();
        Assert.Equal(time.GetUtcNow().ToUnixTimeSeconds(), claims.GetProperty("iat").GetInt64(), 60.0);
    }

    [Fact]
    public async Task TokenEndpointHangs_EndedByTheAttemptTimeout_AuthFailure()
    {
        using var account = new VertexWire.ServiceAccount();
        await using var oauth = await FakeUpstream.StartAsync();
        oauth.Handler = (c, _) => Task.Delay(Timeout.InfiniteTimeSpan, TimeProvider.System, c.RequestAborted);
        var file = account.WriteFile(oauth.BaseUrl + "/token");
        var config = ConfigLoader.Load($$"""
            model_list:
              - model_name: a
                litellm_params: { model: vertex_ai/gemini-2.5-flash, vertex_credentials: {{file}} }
            general_settings: { master_key: sk-vertex-tokens-0001 }
            """, Path.GetTempPath(), _ => null);
        using var attempt = new CancellationTokenSource(TimeSpan.FromSeconds(1));

        var result = await new VertexTokens(TimeProvider.System).TokenAsync(config.Deployments[0], attempt.Token, CancellationToken.None);

        Assert.Null(result.Value);
        Assert.Equal(Switchyard.Core.Failures.FailureKind.UpstreamAuth, result.Failure!.Kind);
        Assert.Contains("within the deployment's timeout", result.Failure.Detail, StringComparison.Ordinal);
        Assert.Equal(1, oauth.Count);
    }

    [Fact]
    public async Task TokenEndpointUnreachable_AuthFailureNamingTheSource_NotAHang()
    {
        using var account = new VertexWire.ServiceAccount();
        var file = account.WriteFile("http://127.0.0.1:9/token"); // discard port: refused at once
        var config = ConfigLoader.Load($$"""
            model_list:
              - model_name: a
                litellm_params: { model: vertex_ai/gemini-2.5-flash, vertex_credentials: {{file}} }
            general_settings: { master_key: sk-vertex-tokens-0001 }
            """, Path.GetTempPath(), _ => null);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        var result = await new VertexTokens(TimeProvider.System).TokenAsync(config.Deployments[0], timeout.Token, CancellationToken.None);

        Assert.Null(result.Value);
        Assert.Equal(Switchyard.Core.Failures.FailureKind.UpstreamAuth, result.Failure!.Kind);
        Assert.Contains(file, result.Failure.Detail, StringComparison.Ordinal);
    }
}
