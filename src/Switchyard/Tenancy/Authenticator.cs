using System.Security.Cryptography;
using Switchyard.Core.Failures;
using Switchyard.Core.Tenancy;
using Switchyard.Hosting;

namespace Switchyard.Tenancy;

/// <summary>
/// Resolves the caller from <c>Authorization: Bearer</c> (or <c>api-key</c> / <c>x-api-key</c>): SHA-256 of the presented
/// token, compared in constant time with the master key hashes, then looked up among cached token hashes. The store is
/// never touched here. Admin and dashboard routes (<see cref="Authenticate"/>) also accept the dashboard's session cookie
/// when no token header is present; inference routes (<see cref="AuthenticateToken"/>) never read a cookie.
/// </summary>
public sealed class Authenticator(GatewayState state, TenantDirectory directory, TimeProvider time, Dashboard.SessionCookie sessions)
{
    /// <summary>The key of <see cref="HttpContext.Items"/> holding the <see cref="Dashboard.SessionClaims"/> of a cookie-authenticated request.</summary>
    public const string SessionItem = "switchyard.session";

    /// <summary>
    /// For admin and dashboard routes: the token header, or without one the <c>sy_session</c> cookie (re-checked against
    /// the live directory; any method but GET/HEAD must carry its CSRF token in <c>X-CSRF-Token</c>).
    /// </summary>
    public (CallerIdentity? Caller, FailureSummary? Failure) Authenticate(HttpContext context)
    {
        var headers = context.Request.Headers;
        if (Presented(headers) is null && headers.Cookie.Count > 0 && context.Request.Cookies[Dashboard.SessionCookie.Name] is { } cookie)
        {
            return AuthenticateSession(context, cookie);
        }

        return AuthenticateToken(context);
    }

    /// <summary>For inference routes: the token header only (no cookie is ever read here).</summary>
    public (CallerIdentity? Caller, FailureSummary? Failure) AuthenticateToken(HttpContext context)
    {
        var presented = Presented(context.Request.Headers);
        if (presented is null)
        {
            return (null, Unauthorized("missing_token", "no token: send Authorization: Bearer <token>"));
        }

        return Resolve(context, TokenHash.Of(presented));
    }

    /// <summary>The caller whose token hashes to <paramref name="hash"/>, checked against the live master keys and directory.</summary>
    public (CallerIdentity? Caller, FailureSummary? Failure) Resolve(HttpContext context, TokenHash hash)
    {
        var master = false;
        var snapshot = state.Current;
        var now = time.GetUtcNow();
        Span<byte> bytes = stackalloc byte[32];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes, hash.A);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], hash.B);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes[16..], hash.C);
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes[24..], hash.D);
        DateTimeOffset? expiredMaster = null;
        for (var i = 0; i < snapshot.MasterKeyHashes.Length; i++)
        {
            var matches = CryptographicOperations.FixedTimeEquals(bytes, snapshot.MasterKeyHashes[i]);
            var live = snapshot.MasterKeyValidUntil[i] is not { } until || until > now;
            master |= matches && live;
            if (matches && !live)
            {
                expiredMaster = snapshot.MasterKeyValidUntil[i];
            }
        }

        if (master)
        {
            Record(context, CallerIdentity.Master);
            return (CallerIdentity.Master, null);
        }

        if (expiredMaster is { } ended)
        {
            // an old master key past its valid_until (switchyard.master_keys): as typed as an expired scoped token
            return (null, Unauthorized("token_expired", $"the master key expired at {ended:u} (switchyard.master_keys valid_until); use the current one"));
        }

        var entry = directory.FindKey(hash);
        if (entry is null)
        {
            return (null, Unauthorized("invalid_token", "the token is not valid"));
        }

        var record = entry.Record;
        if (context.Features.Get<AccessLog.AccessRecord>() is { } access)
        {
            // named even when refused below: "who still uses the rotated key" is an access-log grep
            access.TenantId = record.TenantId;
            access.TokenId = record.TokenHash;
            access.KeyAlias = record.KeyAlias;
        }

        Audit.AuditEntry.Of(context)?.SetRefusedActor(record);

        if (record.Revoked)
        {
            // a revoked token is answered like an unknown one (the failure contract's invalid_token)
            return (null, Unauthorized("invalid_token", "the token is not valid (revoked)"));
        }

        if (record.ExpiresAt is { } exp && exp <= now)
        {
            return (null, Unauthorized("token_expired", $"the token expired at {exp:u}"));
        }

        if (record.GraceUntil is { } grace && grace <= now)
        {
            return (null, Unauthorized("token_rotated", "the token was rotated and its grace period is over"));
        }

        var tenant = directory.FindTenant(record.TenantId);
        if (record.TenantId is not null && tenant is null)
        {
            // fail closed: without its tenant the token would escape the tenant's model list and limits
            return (null, Unauthorized("invalid_token", "the token is not valid (its tenant no longer exists)"));
        }

        if (tenant?.Record.Blocked == true)
        {
            return (null, new FailureSummary { Status = 403, Type = FailureType.PermissionDenied, Code = "tenant_blocked", Message = $"tenant '{record.TenantId}' is blocked" });
        }

        var user = directory.FindUser(record.UserId);
        if (record.UserId is not null && user is null)
        {
            // fail closed, as for a missing tenant: without its user the token would escape the user's budget
            return (null, Unauthorized("invalid_token", "the token is not valid (its user no longer exists)"));
        }

        var caller = CallerIdentity.ForKey(entry, tenant, user);
        Record(context, caller);
        return (caller, null);
    }

    private (CallerIdentity? Caller, FailureSummary? Failure) AuthenticateSession(HttpContext context, string cookie)
    {
        if (sessions.Verify(cookie) is not { } claims)
        {
            return (null, Unauthorized("session_invalid", "the dashboard session is not valid or has expired: sign in again"));
        }

        var (caller, failure) = Resolve(context, claims.Hash);
        if (caller is null)
        {
            return (null, failure!.Status == 401 ? failure with { Code = "session_invalid", Message = "the dashboard session ended: " + failure.Message } : failure);
        }

        if (caller.Key?.Record.GraceUntil is not null)
        {
            // a rotated key ends its sessions at once, even while the old token's grace period lets it call
            return (null, Unauthorized("session_invalid", "the dashboard session ended: its key was rotated"));
        }

        if (!MaySignIn(caller))
        {
            return (null, InsufficientScope());
        }

        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            var given = context.Request.Headers[Dashboard.SessionCookie.CsrfHeader].ToString();
            if (given.Length == 0)
            {
                return (null, CsrfRefused("csrf_token_missing", $"a change made with the dashboard session needs its CSRF token in {Dashboard.SessionCookie.CsrfHeader}"));
            }

            if (!sessions.CsrfMatches(claims, given))
            {
                return (null, CsrfRefused("csrf_token_invalid", $"the {Dashboard.SessionCookie.CsrfHeader} header does not match the dashboard session"));
            }
        }

        context.Items[SessionItem] = claims;
        return (caller, null);
    }

    /// <summary>Who may sign in to the dashboard: the master key and tokens with admin or usage:read.</summary>
    public static bool MaySignIn(CallerIdentity caller) => caller.Has(Scopes.Admin) || caller.Has(Scopes.UsageRead);

    public static FailureSummary InsufficientScope() => new()
    {
        Status = 403,
        Type = FailureType.PermissionDenied,
        Code = "insufficient_scope",
        Message = "signing in to the dashboard needs the 'admin' or 'usage:read' scope",
    };

    private static FailureSummary CsrfRefused(string code, string message) => new() { Status = 403, Type = FailureType.PermissionDenied, Code = code, Message = message };

    /// <summary>The access-log line (and the audit row, on an audited route) names who called: tenant, the token's public id (never the token), its alias.</summary>
    private static void Record(HttpContext context, CallerIdentity caller)
    {
        Audit.AuditEntry.Of(context)?.SetActor(caller);
        if (context.Features.Get<AccessLog.AccessRecord>() is not { } access)
        {
            return;
        }

        access.TenantId = caller.TenantId;
        access.TokenId = caller.IsMaster ? "master" : caller.TokenHash;
        access.KeyAlias = caller.Key?.Record.KeyAlias;
    }

    /// <summary>
    /// Authenticates and checks that the caller has <paramref name="scope"/> or <paramref name="alternative"/> (admin always passes); on failure
    /// writes the summary and returns null.
    /// </summary>
    /// <param name="session">Whether the dashboard's session cookie may stand in for a token (false on inference-side routes).</param>
    public async ValueTask<CallerIdentity?> RequireAsync(HttpContext context, string scope, string? alternative = null, bool session = true)
    {
        var (caller, denied) = session ? Authenticate(context) : AuthenticateToken(context);
        if (caller is null)
        {
            await Http.FailureResponses.WriteAsync(context, denied!);
            return null;
        }

        if (caller.Has(scope) || caller.Has(Scopes.Admin) || (alternative is not null && caller.Has(alternative)))
        {
            return caller;
        }

        await Http.FailureResponses.WriteAsync(context, Forbidden(scope));
        return null;
    }

    public static FailureSummary Forbidden(string scope) => new()
    {
        Status = 403,
        Type = FailureType.PermissionDenied,
        Code = "missing_scope",
        Message = $"the token lacks the '{scope}' scope this route needs",
    };

    private static FailureSummary Unauthorized(string code, string message) => new() { Status = 401, Type = FailureType.Authentication, Code = code, Message = message };

    private static string? Presented(IHeaderDictionary headers)
    {
        var authorization = headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            var t = authorization[7..].Trim();
            return t.Length > 0 ? t : null;
        }

        var apiKey = headers["api-key"].ToString();
        if (apiKey.Length > 0)
        {
            return apiKey;
        }

        var x = headers["x-api-key"].ToString();
        return x.Length > 0 ? x : null;
    }
}
