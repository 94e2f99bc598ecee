using Switchyard.Audit;

namespace Switchyard.Tests.Unit;

/// <summary>The audit route match: every audited route found whatever its case or trailing slash, nothing else.</summary>
public sealed class AuditActionsTests
{
    [Fact]
    public void Match_EveryAuditedRoute_FoundInAnyCaseAndWithATrailingSlash()
    {
        Assert.NotEmpty(AuditActions.Exact);
        foreach (var ((method, path), action) in AuditActions.Exact)
        {
            Assert.Equal(action, AuditActions.Match(method, path));
            Assert.Equal(action, AuditActions.Match(method.ToLowerInvariant(), path.ToUpperInvariant()));
            Assert.Equal(action, AuditActions.Match(method, path + "/"));
        }
    }

    [Theory]
    [InlineData("POST", "/key/sk-abc/regenerate", "key.regenerate")]
    [InlineData("POST", "/KEY/sk-abc/Regenerate/", "key.regenerate")]
    [InlineData("POST", "/v1/chat/completions", null)]
    [InlineData("POST", "/chat/completions", null)]
    [InlineData("POST", "/v1/key/generate", null)]
    [InlineData("POST", "/keys/generate", null)]
    [InlineData("POST", "/ui", null)]
    [InlineData("GET", "/key/generate", null)]
    [InlineData("DELETE", "/key/generate", null)]
    [InlineData("POST", "/", null)]
    [InlineData("POST", "", null)]
    public void Match_OtherRequests_AnswerTheirActionOrNull(string method, string path, string? expected)
        => Assert.Equal(expected, AuditActions.Match(method, path));
}
