using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Switchyard.Core.Failures;
using Switchyard.Core.Tenancy;
using Switchyard.Http;
using Switchyard.Tenancy;

namespace Switchyard.Dashboard;

/// <summary>
/// The dashboard's data endpoints that read this replica's memory (docs/dashboard.md, "Data endpoints"):
/// GET /ui/api/overview, /ui/api/routes, /ui/api/failures, /ui/api/calls/{correlation_id} and /ui/api/reloads. The
/// same authentication as every admin route (a bearer token, or the dashboard's session cookie once the authenticator
/// reads it); scoped: a global admin sees everything, any other admin or usage:read token its own tenant.
/// </summary>
public sealed partial class DashboardData(Authenticator authenticator, DashboardRecorder recorder, ReloadHistory reloads, Hosting.GatewayState state, IGatewayStore store)
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 500;

    /// <summary>
    /// The caller (admin or usage:read) and the tenant it may see: a global admin the <c>tenant</c> parameter (null =
    /// all), anyone else its own tenant, refused 403 when the parameter names another or when it has no tenant.
    /// </summary>
    private async ValueTask<(bool Ok, string? Tenant)> ScopeAsync(HttpContext c)
    {
        if (await authenticator.RequireAsync(c, Scopes.UsageRead) is not { } caller)
        {
            return (false, null);
        }

        var requested = c.Request.Query["tenant"].ToString() is { Length: > 0 } t ? t : null;
        if (caller.IsGlobalAdmin)
        {
            return (true, requested);
        }

        if (caller.TenantId is not { } own)
        {
            await FailureResponses.WriteAsync(c, new FailureSummary
            {
                Status = 403,
                Type = FailureType.PermissionDenied,
                Code = "tenant_required",
                Message = "this token belongs to no tenant, so it has no tenant's usage to see; use a global admin token or a tenant's token",
            });
            return (false, null);
        }

        if (requested is not null && requested != own)
        {
            await FailureResponses.WriteAsync(c, new FailureSummary
            {
                Status = 403,
                Type = FailureType.PermissionDenied,
                Code = AdminDenials.OutsideTenantCode,
                Param = "tenant",
                Message = $"this token sees tenant '{own}' only; leave 'tenant' out or set it to '{own}'",
            });
            return (false, null);
        }

        return (true, own);
    }

    /// <summary>Routes and deployments are the whole gateway's: global admins only.</summary>
    private async ValueTask<bool> RequireGlobalAdminAsync(HttpContext c, string what)
    {
        if (await authenticator.RequireAsync(c, Scopes.Admin) is not { } caller)
        {
            return false;
        }

        if (caller.IsGlobalAdmin)
        {
            return true;
        }

        await FailureResponses.WriteAsync(c, AdminDenials.GlobalAdminRequired(caller, what));
        return false;
    }

    /// <summary><c>page</c> (1-based) and <c>page_size</c> (default 50, at most 500); null with a 400 written when invalid.</summary>
    private static async ValueTask<(int Page, int Size)?> PagingAsync(HttpContext c)
    {
        var page = 1;
        var size = DefaultPageSize;
        var q = c.Request.Query;
        if (q["page"].ToString() is { Length: > 0 } p && (!int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out page) || page < 1))
        {
            await FailureResponses.WriteAsync(c, FailureSummary.BadRequest("'page' must be a whole number from 1", "page", "invalid_value"));
            return null;
        }

        if (q["page_size"].ToString() is { Length: > 0 } s && (!int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out size) || size < 1 || size > MaxPageSize))
        {
            await FailureResponses.WriteAsync(c, FailureSummary.BadRequest($"'page_size' must be a whole number from 1 to {MaxPageSize}", "page_size", "invalid_value"));
            return null;
        }

        return (page, size);
    }

    private static async Task WriteAsync(HttpContext c, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(4096);
        await using (var w = new Utf8JsonWriter(buffer))
        {
            body(w);
        }

        c.Response.StatusCode = 200;
        c.Response.ContentType = "application/json";
        c.Response.Headers.CacheControl = "no-store";
        c.Response.ContentLength = buffer.WrittenCount;
        await c.Response.Body.WriteAsync(buffer.WrittenMemory, c.RequestAborted);
    }

    private static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);

    private static double Usd(long nanos) => (double)(nanos / 1_000_000_000m);

    private static void NumberOrNull(Utf8JsonWriter w, string name, double? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, Math.Round(v, 3));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void StringOrNull(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }
}
