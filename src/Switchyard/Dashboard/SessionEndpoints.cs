using System.Buffers;
using System.Text.Json;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Core.Tenancy;
using Switchyard.Endpoints;
using Switchyard.Http;
using Switchyard.Tenancy;

namespace Switchyard.Dashboard;

/// <summary>
/// Dashboard sign-in: <c>POST /ui/session</c> takes <c>{"token"}</c> in the body (never a URL), checks it as every
/// route does, and answers the <c>sy_session</c> cookie with the CSRF token and who signed in; <c>GET</c> reads the
/// session, <c>DELETE</c> signs out. Tokens with only invoke or health:read are refused (403 insufficient_scope).
/// </summary>
public sealed class SessionEndpoints(Authenticator authenticator, SessionCookie sessions)
{
    public async Task SignIn(HttpContext c)
    {
        var (bytes, length, tooLarge) = await BodyReader.ReadAsync(c, 64 * 1024);
        if (tooLarge is not null)
        {
            await FailureResponses.WriteAsync(c, tooLarge);
            return;
        }

        string? token;
        try
        {
            var body = AdminJson.ParseObject(bytes.AsSpan(0, length));
            token = AdminJson.String(body, "token");
        }
        catch (RequestValidationException e)
        {
            await FailureResponses.WriteAsync(c, FailureSummary.BadRequest(e.Message, e.Param, e.Code));
            return;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes!);
        }

        if (string.IsNullOrWhiteSpace(token))
        {
            await FailureResponses.WriteAsync(c, FailureSummary.BadRequest("'token' is required: the body is {\"token\": \"sk-...\"}", "token", "missing_field"));
            return;
        }

        var hash = TokenHash.Of(token.Trim());
        var (caller, denied) = authenticator.Resolve(c, hash);
        if (caller is null)
        {
            await FailureResponses.WriteAsync(c, denied!);
            return;
        }

        if (!Authenticator.MaySignIn(caller))
        {
            await FailureResponses.WriteAsync(c, Authenticator.InsufficientScope());
            return;
        }

        var (value, claims) = sessions.Issue(hash);
        c.Response.Cookies.Append(SessionCookie.Name, value, SessionCookie.Options(c.Request, claims.ExpiresAt));
        await WriteAsync(c, caller, claims);
    }

    public async Task Read(HttpContext c)
    {
        var (caller, denied) = authenticator.Authenticate(c);
        if (caller is null)
        {
            await FailureResponses.WriteAsync(c, denied!);
            return;
        }

        if (!Authenticator.MaySignIn(caller))
        {
            await FailureResponses.WriteAsync(c, Authenticator.InsufficientScope());
            return;
        }

        await WriteAsync(c, caller, c.Items[Authenticator.SessionItem] as SessionClaims);
    }

    public async Task SignOut(HttpContext c)
    {
        // a live session must prove it is the page's own request (CSRF); a dead or absent one is simply cleared
        if (c.Request.Cookies[SessionCookie.Name] is { } cookie && sessions.Verify(cookie) is not null)
        {
            var (caller, denied) = authenticator.Authenticate(c);
            if (caller is null && denied!.Status == 403)
            {
                await FailureResponses.WriteAsync(c, denied);
                return;
            }
        }

        c.Response.Cookies.Delete(SessionCookie.Name, SessionCookie.Options(c.Request, null));
        c.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>The kind of dashboard identity: master, admin (global), tenant_admin or usage_reader.</summary>
    public static string Kind(CallerIdentity caller)
        => caller.IsMaster ? "master" : caller.IsGlobalAdmin ? "admin" : caller.AdminTenantId is not null ? "tenant_admin" : "usage_reader";

    private async Task WriteAsync(HttpContext c, CallerIdentity caller, SessionClaims? claims)
    {
        c.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(c.Response.Body);
        w.WriteStartObject();
        if (claims is not null)
        {
            w.WriteString("csrf_token", sessions.CsrfToken(claims));
            w.WriteString("expires_at", claims.ExpiresAt);
        }

        w.WriteStartObject("identity");
        w.WriteString("kind", Kind(caller));
        w.WriteString("tenant", caller.TenantId);
        w.WriteString("key_alias", caller.Key?.Record.KeyAlias);
        w.WriteString("key_id", caller.IsMaster ? "master" : caller.TokenHash);
        w.WriteStartArray("scopes");
        foreach (var scope in caller.IsMaster ? Scopes.All : Scopes.All.Where(caller.Has))
        {
            w.WriteStringValue(scope);
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
