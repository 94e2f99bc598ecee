using Switchyard.Dashboard;

namespace Switchyard.Tests.Dashboard;

/// <summary>The session cookie's flags as SignIn sets them: Secure exactly when the request came over TLS.</summary>
public sealed class SessionCookieOptionsTests
{
    [Theory]
    [InlineData("https", true)]
    [InlineData("http", false)]
    public void Options_SecureOnlyOverTls_AlwaysHttpOnlyAndStrict(string scheme, bool secure)
    {
        var request = new DefaultHttpContext().Request;
        request.Scheme = scheme;
        var expires = DateTimeOffset.UnixEpoch + SessionCookie.Lifetime;

        var o = SessionCookie.Options(request, expires);
        var header = o.CreateCookieHeader(SessionCookie.Name, "v").ToString().ToLowerInvariant();

        Assert.Equal((secure, true, SameSiteMode.Strict, "/"), (o.Secure, o.HttpOnly, o.SameSite, o.Path));
        Assert.Equal(secure, header.Contains("; secure", StringComparison.Ordinal));
        Assert.Contains("samesite=strict", header, StringComparison.Ordinal);
        Assert.Contains("httponly", header, StringComparison.Ordinal);
    }
}
