using System.Text.Json.Nodes;
using Switchyard.Core.Failures;
using Switchyard.Core.Tenancy;
using Switchyard.Http;
using Switchyard.Tenancy;

namespace Switchyard.Endpoints;

/// <summary>Key routes: <c>/key/generate</c>, <c>/key/update</c>, <c>/key/delete</c>, <c>/key/regenerate</c>, <c>/key/info</c>, <c>/key/list</c>.</summary>
public sealed partial class AdminEndpoints
{
    public Task GenerateKey(HttpContext c) => Gate(c, new Route(Access.Admin), async (caller, body, ct) =>
    {
        var template = ReadKey(caller, body, new KeyRecord { TokenHash = "", KeyName = "" }, creating: true);
        var (token, record) = await tenancy.CreateKeyAsync(template, ct);
        return w => AdminWriter.WriteKey(w, record, token, time.GetUtcNow());
    });

    public Task UpdateKey(HttpContext c) => Gate(c, new Route(Access.Admin), async (caller, body, ct) =>
    {
        var entry = FindKey(AdminJson.String(body, "key") ?? throw Missing("key"), caller.MayManage);
        var record = await tenancy.UpdateKeyAsync(ReadKey(caller, body, entry.Record, creating: false), ct);
        var live = TenancyService.Live(FindKey(record.TokenHash, _ => true));
        return w => AdminWriter.WriteKey(w, live, null, time.GetUtcNow());
    });

    public Task DeleteKeys(HttpContext c) => Gate(c, new Route(Access.Admin), async (caller, body, ct) =>
    {
        var keys = AdminJson.Strings(body, "keys") ?? [];
        var aliases = AdminJson.Strings(body, "key_aliases") ?? [];
        if (keys.Count == 0 && aliases.Count == 0)
        {
            throw Missing("keys");
        }

        var targets = keys.Select(k => FindKey(k, caller.MayManage).Record)
            .Concat(aliases.Select(a => tenancy.Directory.Keys.FirstOrDefault(k => k.Record.KeyAlias == a && caller.MayManage(k.Record))?.Record
                ?? throw NotFound("key_aliases", $"no key with alias '{a}'")))
            .ToArray();
        foreach (var t in targets)
        {
            await tenancy.DeleteKeyAsync(t.TokenHash, ct);
        }

        return w =>
        {
            w.WriteStartArray("deleted_keys");
            foreach (var t in targets)
            {
                w.WriteStringValue(t.TokenHash);
            }

            w.WriteEndArray();
        };
    });

    public Task RegenerateKey(HttpContext c) => Gate(c, new Route(Access.Admin), async (caller, body, ct) =>
    {
        var given = RequestSecrets.PathKey(c) ?? AdminJson.String(body, "key") ?? throw Missing("key");
        var entry = FindKey(given, caller.MayManage);
        if (tenancy.Directory.Keys.FirstOrDefault(k => k.Record.RotatedFrom == entry.Record.TokenHash) is { } successor)
        {
            throw new AdminFailure(new FailureSummary
            {
                Status = 409,
                Type = FailureType.InvalidRequest,
                Code = "key_already_rotated",
                Param = "key",
                Message = $"the key was already regenerated (its successor is {successor.Record.TokenHash}); regenerate that one instead",
            });
        }

        var grace = AdminJson.Duration(body, "grace_period");
        var now = time.GetUtcNow();
        var (token, record) = await tenancy.RotateKeyAsync(entry.Record, grace is { } g ? g.Next(now) - now : TimeSpan.Zero, ct);
        return w => AdminWriter.WriteKey(w, record, token, time.GetUtcNow());
    });

    public Task KeyInfo(HttpContext c) => Gate(c, new Route(Access.AnyKey, ReadsBody: false), async (caller, _, ct) =>
    {
        var given = RequestSecrets.QueryValue(c, "key");
        if (given.Length > 0 && !caller.Has(Scopes.Admin) && !caller.Has(Scopes.UsageRead) && TokenHashOf(given) != caller.TokenHash)
        {
            throw new AdminFailure(Authenticator.Forbidden(Scopes.Admin) with { Message = "a key may read only its own /key/info; reading another needs the 'admin' scope" });
        }

        // any key but the caller's own and those it administers is answered like one that does not exist
        var entry = given.Length == 0 ? caller.Key ?? throw Missing("key") : FindKey(given, k => caller.MayManage(k) || k.TokenHash == caller.TokenHash);
        await Task.CompletedTask;
        return w =>
        {
            w.WriteString("key", entry.Record.TokenHash);
            w.WritePropertyName("info");
            w.WriteStartObject();
            AdminWriter.WriteKey(w, TenancyService.Live(entry), null, time.GetUtcNow());
            w.WriteEndObject();
        };
    });

    public Task ListKeys(HttpContext c) => Gate(c, new Route(Access.Admin, ReadsBody: false), async (caller, _, ct) =>
    {
        await Task.CompletedTask;
        var tenant = ConfineTeam(caller, c.Request.Query["team_id"].ToString() is { Length: > 0 } t ? t : null);
        var user = c.Request.Query["user_id"].ToString() is { Length: > 0 } u ? u : null;
        var keys = tenancy.Directory.Keys.Where(k => (tenant is null || k.Record.TenantId == tenant) && (user is null || k.Record.UserId == user) && caller.MayManage(k.Record)).OrderBy(k => k.Record.CreatedAt).ToArray();
        return w =>
        {
            w.WriteStartArray("keys");
            foreach (var k in keys)
            {
                w.WriteStartObject();
                AdminWriter.WriteKey(w, TenancyService.Live(k), null, time.GetUtcNow());
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("total_count", keys.Length);
        };
    });

    private KeyRecord ReadKey(CallerIdentity caller, JsonObject body, KeyRecord record, bool creating)
    {
        var scopes = AdminJson.Strings(body, "scopes");
        if (scopes is not null && scopes.FirstOrDefault(s => !Scopes.IsKnown(s)) is { } unknown)
        {
            throw new AdminFailure(FailureSummary.BadRequest($"unknown scope '{unknown}'; scopes are {string.Join(", ", Scopes.All)}", "scopes", "invalid_value"));
        }

        var team = AdminJson.String(body, "team_id") ?? AdminJson.String(body, "tenant_id");
        if (team is not null || creating)
        {
            // a tenant admin's keys stay in its tenant: created there by default, never created or moved elsewhere
            team = ConfineTeam(caller, team);
        }

        if (team is not null && tenancy.Directory.FindTenant(team) is null)
        {
            throw NotFound("team_id", $"no team '{team}'; create it with /team/new first");
        }

        if (!caller.IsGlobalAdmin && body["metadata"] is JsonObject metadata && metadata.ContainsKey(Http.SmokeMarker.MetadataField))
        {
            // such a key may keep its calls out of breaker evidence (x-switchyard-smoke): only a global admin mints one
            throw new AdminFailure(AdminDenials.GlobalAdminRequired(caller, "minting a smoke key (metadata." + Http.SmokeMarker.MetadataField + ")"));
        }

        var models = ModelListCheck.Checked(state.Current.Routes, AdminJson.Strings(body, "models"));
        var user = AdminJson.String(body, "user_id");
        if (user is not null && user != record.UserId)
        {
            // a key's owner bounds it with their budget: the user must exist, and a tenant admin binds only its team's members
            var owner = tenancy.Directory.FindUser(user);
            if (owner is null || !MayManageUser(caller, owner.Record))
            {
                throw NotFound("user_id", $"no user '{user}'; create it with /user/new first");
            }
        }

        var duration = AdminJson.Duration(body, "duration");
        var now = time.GetUtcNow();
        var limits = record.Limits with
        {
            Rpm = AdminJson.Int(body, "rpm_limit") ?? record.Limits.Rpm,
            Tpm = AdminJson.Int(body, "tpm_limit") ?? record.Limits.Tpm,
            MaxParallelRequests = AdminJson.Int(body, "max_parallel_requests") ?? record.Limits.MaxParallelRequests,
            MaxBudget = AdminJson.Money(body, "max_budget") ?? record.Limits.MaxBudget,
            SoftBudget = AdminJson.Money(body, "soft_budget") ?? record.Limits.SoftBudget,
            BudgetDuration = AdminJson.Duration(body, "budget_duration") ?? record.Limits.BudgetDuration,
        };
        return record with
        {
            KeyAlias = AdminJson.String(body, "key_alias") ?? record.KeyAlias,
            TenantId = team ?? record.TenantId,
            UserId = user ?? record.UserId,
            Models = models ?? record.Models,
            Scopes = scopes ?? (creating ? [Scopes.Invoke] : record.Scopes),
            Limits = limits,
            ExpiresAt = duration is { } d ? d.Next(now) : record.ExpiresAt,
            Revoked = AdminJson.Bool(body, "blocked") ?? record.Revoked,
            MetadataJson = AdminJson.Metadata(body) ?? record.MetadataJson,
        };
    }

}
