using System.Buffers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Core.Tenancy;
using Switchyard.Hosting;
using Switchyard.Http;
using Switchyard.Tenancy;

namespace Switchyard.Endpoints;

/// <summary>
/// LiteLLM-compatible key, team and model (deployment) management (same paths, request and response field names), plus
/// <c>scopes</c> on keys. Needs the admin scope; <c>/key/info</c>, <c>/team/info</c> and <c>/spend/logs</c> also answer
/// any key about itself and its own team (as LiteLLM's do), and usage:read tokens about their team's keys and spend. A global admin reaches everything; a tenant admin (an admin token bound to
/// a tenant) only its tenant's keys and spend, and its own tenant read-only. A key out of the caller's reach is
/// answered exactly like a key that does not exist.
/// </summary>
public sealed partial class AdminEndpoints(GatewayState state, Authenticator authenticator, TenancyService tenancy, SpendWriter spend, TimeProvider time, Deployments.StoredModelService models, Audit.AuditWriter audit)
{
    /// <summary>The stored hash of a key given as its clear token or as its hash.</summary>
    private static string TokenHashOf(string given) => given.Length == 64 && TokenHash.TryParse(given, out var h) ? h.ToHex() : TokenHash.Of(given).ToHex();

    /// <summary>The key by clear token or hash, if <paramref name="visible"/> to the caller; otherwise the same 404 as an unknown key.</summary>
    private KeyEntry FindKey(string given, Func<KeyRecord, bool> visible)
    {
        var hash = given.Length == 64 && TokenHash.TryParse(given, out var h) ? h : TokenHash.Of(given);
        return tenancy.Directory.FindKey(hash) is { } entry && visible(entry.Record) ? entry : throw NotFound("key", "no such key");
    }

    /// <summary>
    /// For a tenant admin: the team it may name (its own, also when <paramref name="requested"/> is null); any other is
    /// refused before it is looked up. Global admins get <paramref name="requested"/> back.
    /// </summary>
    private static string? ConfineTeam(CallerIdentity caller, string? requested)
    {
        if (caller.IsGlobalAdmin || caller.AdminTenantId is not { } own)
        {
            return requested;
        }

        return requested is null || requested == own ? own : throw new AdminFailure(AdminDenials.OutsideTenant(caller, "team_id"));
    }

    private TenantEntry FindTeam(string id) => tenancy.Directory.FindTenant(id) ?? throw NotFound("team_id", $"no team '{id}'");

    private static AdminFailure Missing(string name) => new(FailureSummary.BadRequest($"'{name}' is required", name, "missing_field"));

    private static AdminFailure NotFound(string param, string message) => new(new FailureSummary { Status = 404, Type = FailureType.NotFound, Code = "not_found", Param = param, Message = message });

    /// <summary>
    /// The one authorization gate of every admin route: authenticates the caller, checks it against the route's
    /// <see cref="Access"/> before the body is read, reads the JSON body, runs the handler and writes its answer, or
    /// the failure summary (<see cref="FailureResponses"/>) of the first check that refused.
    /// </summary>
    /// <remarks>A handler that wrote its own answer (a CSV export) returns null.</remarks>
    private async Task Gate(HttpContext c, Route route, Func<CallerIdentity, JsonObject, CancellationToken, Task<Action<Utf8JsonWriter>?>> work)
    {
        var (caller, denied) = authenticator.Authenticate(c);
        if ((denied ?? Refusal(caller!, route)) is { } refusal)
        {
            await FailureResponses.WriteAsync(c, refusal);
            return;
        }

        Action<Utf8JsonWriter>? write;
        try
        {
            var (body, tooLarge) = route.ReadsBody ? await ReadBodyAsync(c) : ([], null);
            if (tooLarge is not null)
            {
                await FailureResponses.WriteAsync(c, tooLarge);
                return;
            }

            if (Audit.AuditEntry.Of(c) is { } audit)
            {
                Audit.AuditBody.Describe(audit, body);
            }

            write = await work(caller!, body, c.RequestAborted);
        }
        catch (RequestValidationException e)
        {
            await FailureResponses.WriteAsync(c, FailureSummary.BadRequest(e.Message, e.Param, e.Code));
            return;
        }
        catch (AdminFailure e)
        {
            await FailureResponses.WriteAsync(c, e.Summary);
            return;
        }

        if (write is null)
        {
            return;
        }

        c.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(c.Response.Body);
        if (!route.Wrap)
        {
            write(w);
            return;
        }

        w.WriteStartObject();
        write(w);
        w.WriteEndObject();
    }

    /// <summary>Why <paramref name="caller"/> may not pass <paramref name="route"/>'s gate, or null.</summary>
    private static FailureSummary? Refusal(CallerIdentity caller, Route route) => route.Access switch
    {
        Access.AnyKey => null,
        Access.UsageRead when !caller.Has(Scopes.Admin) && !caller.Has(Scopes.UsageRead) => Authenticator.Forbidden(Scopes.UsageRead + " or admin"),
        Access.UsageRead => null,
        _ when !caller.Has(Scopes.Admin) => Authenticator.Forbidden(Scopes.Admin),
        Access.GlobalAdmin when !caller.IsGlobalAdmin => AdminDenials.GlobalAdminRequired(caller, route.What ?? "this route"),
        _ => null,
    };

    private static async Task<(JsonObject Body, FailureSummary? TooLarge)> ReadBodyAsync(HttpContext c)
    {
        var (bytes, length, tooLarge) = await BodyReader.ReadAsync(c, 1024 * 1024);
        if (tooLarge is not null)
        {
            return ([], tooLarge);
        }

        try
        {
            return (length == 0 ? [] : AdminJson.ParseObject(bytes.AsSpan(0, length)), null);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(bytes!);
        }
    }

    /// <summary>Who passes an admin route's gate.</summary>
    private enum Access
    {
        /// <summary>An admin token: global, or bound to a tenant (the handler confines it there).</summary>
        Admin,

        /// <summary>A global admin only: the master key or an admin token bound to no tenant.</summary>
        GlobalAdmin,

        /// <summary>
        /// Any valid token; the handler confines it: itself and its own team for any key, its team's keys and spend with
        /// usage:read, what it administers with admin.
        /// </summary>
        AnyKey,

        /// <summary>A usage:read or admin token; the handler confines it to its own team.</summary>
        UsageRead,
    }

    /// <param name="Access">Who passes the gate.</param>
    /// <param name="ReadsBody">Whether the route takes a JSON body (read only after the gate passed).</param>
    /// <param name="Wrap">Whether the handler's fields are wrapped in one JSON object (false: it writes the whole value).</param>
    /// <param name="What">What the route does, named in a global-admin-required refusal.</param>
    private sealed record Route(Access Access, bool ReadsBody = true, bool Wrap = true, string? What = null);

    private sealed class AdminFailure(FailureSummary summary) : Exception(summary.Message)
    {
        public FailureSummary Summary { get; } = summary;
    }
}
