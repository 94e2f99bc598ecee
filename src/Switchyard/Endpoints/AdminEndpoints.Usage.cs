using System.Text.Json;
using Switchyard.Core.Admission;
using Switchyard.Core.Tenancy;
using Switchyard.Tenancy;

namespace Switchyard.Endpoints;

public sealed partial class AdminEndpoints
{
    /// <summary>
    /// GET /team/usage?team_id=NAME (usage:read for its own team, admins as for /team/info): the tenant's, its per-alias
    /// and its keys' current use against their limits, from this gateway's live counters: requests and tokens in the
    /// last minute (tokens include reservations of requests in flight), requests in flight, and the budget period's
    /// spend and reservations. For reading a 429 storm at a glance (<c>switchyard tenants usage NAME</c>).
    /// </summary>
    public Task TeamUsage(HttpContext c) => Gate(c, new Route(Access.UsageRead, ReadsBody: false), async (caller, _, ct) =>
    {
        var id = c.Request.Query["team_id"].ToString();
        if (id.Length == 0)
        {
            id = caller.TenantId ?? throw Missing("team_id");
        }

        if (!caller.IsGlobalAdmin && caller.TenantId != id)
        {
            throw new AdminFailure(caller.Has(Scopes.Admin)
                ? AdminDenials.OutsideTenant(caller, "team_id")
                : Authenticator.Forbidden(Scopes.Admin) with { Message = "a usage:read token may read only its own team" });
        }

        var entry = FindTeam(id);
        var now = time.GetUtcNow();
        await Task.CompletedTask;
        return w =>
        {
            w.WriteString("team_id", id);
            w.WriteString("at", AdminJson.Time(now));
            w.WritePropertyName("team");
            WriteUsage(w, entry.Limits, now);
            w.WriteStartArray("aliases");
            foreach (var (alias, limits) in entry.AliasLimits.OrderBy(a => a.Key, StringComparer.Ordinal))
            {
                w.WriteStartObject();
                w.WriteString("alias", alias);
                WriteFields(w, limits, now);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("keys");
            foreach (var k in tenancy.Directory.Keys.Where(k => k.Record.TenantId == id).OrderBy(k => k.Record.KeyAlias ?? k.Record.TokenHash, StringComparer.Ordinal))
            {
                w.WriteStartObject();
                w.WriteString("token", k.Record.TokenHash);
                w.WriteString("key_alias", k.Record.KeyAlias);
                w.WriteBoolean("usable", k.Record.IsUsable(now));
                WriteFields(w, k.Limits, now);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        };
    });

    private static void WriteUsage(Utf8JsonWriter w, LimitState s, DateTimeOffset now)
    {
        w.WriteStartObject();
        WriteFields(w, s, now);
        w.WriteEndObject();
    }

    private static void WriteFields(Utf8JsonWriter w, LimitState s, DateTimeOffset now)
    {
        var limits = s.Limits;
        Pair(w, "rpm", s.Requests.Current(now), limits.Rpm);
        Pair(w, "tpm", s.Tokens.Current(now), limits.Tpm, s.TokensInFlight);
        Pair(w, "concurrency", s.InFlight.Current, limits.MaxParallelRequests);
        w.WriteStartObject("budget");
        w.WriteNumber("spent", s.Budget.SpentNanos / 1_000_000_000m);
        w.WriteNumber("reserved", s.Budget.ReservedNanos / 1_000_000_000m);
        Number(w, "limit", limits.MaxBudget);
        Number(w, "soft_limit", limits.SoftBudget);
        if (s.Budget.ResetAt is { } reset)
        {
            w.WriteString("resets_at", AdminJson.Time(reset));
        }
        else
        {
            w.WriteNull("resets_at");
        }

        w.WriteEndObject();
    }

    private static void Pair(Utf8JsonWriter w, string name, long used, int? limit, long? reserved = null)
    {
        w.WriteStartObject(name);
        w.WriteNumber("used", used);
        Number(w, "limit", limit);
        if (reserved is { } r)
        {
            w.WriteNumber("reserved", r);
        }

        w.WriteEndObject();
    }

    private static void Number(Utf8JsonWriter w, string name, decimal? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
