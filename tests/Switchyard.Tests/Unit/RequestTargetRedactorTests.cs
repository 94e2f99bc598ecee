using Switchyard.Http;

namespace Switchyard.Tests.Unit;

public sealed class RequestTargetRedactorTests
{
    [Theory]
    [InlineData("/v1/chat/completions", "")]
    [InlineData("/v1/chat/completions", "?api-version=2024-10-21")]
    [InlineData("/key/regenerate", "")]
    [InlineData("/key/info", "?team_id=acme")]
    [InlineData("/key/[redacted]/regenerate", "")]
    public void Redact_NoTokenInTarget_ReturnsNull(string path, string query)
        => Assert.Null(RequestTargetRedactor.Redact(path, query));

    [Theory]
    [InlineData("/key/sk-abc/regenerate", "/key/[redacted]/regenerate")]
    [InlineData("/KEY/sk-abc/regenerate/", "/key/[redacted]/regenerate/")]
    [InlineData("/key/sk-abc/regenerat", "/key/[redacted]/regenerat")]
    [InlineData("/key/sk-abc", "/key/[redacted]")]
    public void Redact_TokenAsKeySegment_PathRedactedTokenKept(string path, string expected)
    {
        var r = RequestTargetRedactor.Redact(path, "")!.Value;

        Assert.Equal(expected, r.Path);
        Assert.Equal("sk-abc", r.Secrets.KeySegment);
    }

    [Fact]
    public void Redact_SecretQueryParameters_EncodedAndRepeated_ValuesRedactedAndDecodedValuesKept()
    {
        var r = RequestTargetRedactor.Redact("/spend/logs", "?team_id=acme&%61pi_key=sk-a%2Bb&API_KEY=sk-c&flag&token=")!.Value;

        Assert.Equal("?team_id=acme&%61pi_key=[redacted]&API_KEY=[redacted]&flag&token=[redacted]", r.QueryString);
        Assert.Equal("/spend/logs", r.Path);
        Assert.Null(r.Secrets.KeySegment);
        Assert.Equal("sk-a+b,sk-c", r.Secrets.Query!["api_key"]);
        Assert.Equal("", r.Secrets.Query["token"]);
    }
}
