using System.Text.Json.Nodes;
using Switchyard.Core.Failures;
using Switchyard.Core.Tenancy;
using Switchyard.Http;
using Switchyard.Tenancy;

namespace Switchyard.Endpoints;

/// <summary>Key routes: <c>/key/generate</c>, <c>/key/update</c>, <c>/key/delete</c>, <c>/key/regenerate</c>, <c>/key/info</c>, <c>/key/list</c>.</summary>
public sealed partial class AdminEndpoints
{
    /// <summary>LiteLLM key fields Switchyard has no equivalent for (docs/litellm-compatibility.md, "Not supported yet").</summary>
    private static readonly (string Field, string Instead)[] UnappliedKeyFields =
    [
        ("model_max_budget", "budgets are per key, team and user: give the model its own key or team"),
        ("model_rpm_limit", "per-model limits are set on the team (/team/new model_rpm_limit)"),
        ("model_tpm_limit", "per-model limits are set on the team (/team/new model_tpm_limit)"),
        ("guardrails", "guardrails are not built"),
        ("permissions", "what a key may do is its scopes"),
        ("allowed_routes", "what a key may do is its scopes"),
        ("config", "per-key config is not applied; use the team's models and aliases"),
        ("allowed_cache_controls", "cache controls are allowed for every key"),
        ("enforced_params", "not built"),
        ("organization_id", "organizations are not built; use teams"),
        ("budget_id", "budgets are set on the key, team or user itself"),
    ];

    public Task GenerateKey(HttpContext c) => Gate(c, new Route(Access.Admin), async (caller, body, ct) =>
    {
        var template = ReadKey(caller, body, new KeyRecord { TokenHash = "", KeyName = "" }, creating: true);
        var (token, record) = await tenancy.CreateKeyAsync(template, ct);
        Audit.AuditEntry.Of(c)?.Describe(record.TokenHash, record.TenantId);
        return w => AdminWriter.WriteKey(w, record, token, time.GetUtcNow());
    });

    public Task UpdateKey(HttpContext c) => Gate(c, new Route(Access.Admin), async (caller, body, ct) =>
    {
        var entry = FindKey(AdminJson.String(body, "key") ?? throw Missing("key"), caller.MayManage);
        Audit.AuditEntry.Of(c)?.Describe(entry.Record.TokenHash, entry.Record.TenantId);
        var record = await tenancy.UpdateKeyAsync(ReadKey(caller, body, entry.Record, creating: false), ct);
        var live = TenancyService.Live(FindKey(record.TokenHash, _ => true));
        return w =>
        {
            w.WriteString("key", live.TokenHash); // LiteLLM echoes the key it was given; the hash here, never a clear key
            AdminWriter.WriteKey(w, live, null, time.GetUtcNow());
        };
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
        Audit.AuditEntry.Of(c)?.Describe(string.Join(",", targets.Select(t => t.TokenHash)), targets.Select(t => t.TenantId).Distinct().Count() == 1 ? targets[0].TenantId : null);
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
        Audit.AuditEntry.Of(c)?.Describe(entry.Record.TokenHash, entry.Record.TenantId);
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
        Audit.AuditEntry.Of(c)?.Describe(detail: $"new key {record.TokenHash}" + (grace is { } period ? $", grace_period {period}" : ""));
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

    private static bool Matches(KeyRecord k, string search)
        => (k.KeyAlias?.Contains(search, StringComparison.OrdinalIgnoreCase) ?? false) || k.KeyName.Contains(search, StringComparison.OrdinalIgnoreCase)
            || (k.TenantId?.Contains(search, StringComparison.OrdinalIgnoreCase) ?? false) || k.TokenHash.StartsWith(search, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// LiteLLM's shape: <c>keys</c> (token hashes; whole key objects with <c>return_full_object=true</c>), one page of
    /// <c>size</c> (default 10, at most 100) at <c>page</c> (from 1), <c>total_count</c>, <c>current_page</c>, <c>total_pages</c>.
    /// Filters: <c>team_id</c>, <c>key_alias</c>, <c>user_id</c>, <c>key_hash</c>, and (Switchyard's, for the dashboard)
    /// <c>search</c>: a case-insensitive part of the key's alias, masked name, tenant or id (hash). Paged in memory on the
    /// directory every replica holds, so a page costs the same at thousands of keys (docs/performance.md, "Dashboard at scale").
    /// </summary>
    public Task ListKeys(HttpContext c) => Gate(c, new Route(Access.Admin, ReadsBody: false), async (caller, _, ct) =>
    {
        await Task.CompletedTask;
        var q = c.Request.Query;
        var tenant = ConfineTeam(caller, q["team_id"].ToString() is { Length: > 0 } t ? t : null);
        var alias = q["key_alias"].ToString() is { Length: > 0 } a ? a : null;
        var user = q["user_id"].ToString() is { Length: > 0 } u ? u : null;
        var hash = q["key_hash"].ToString() is { Length: > 0 } kh ? kh : null;
        var search = q["search"].ToString() is { Length: > 0 } f ? f.Trim() : null;
        var page = QueryInt(c, "page", 1, 1, int.MaxValue);
        var size = QueryInt(c, "size", 10, 1, 100);
        var full = QueryBool(c, "return_full_object");
        var keys = tenancy.Directory.Keys.Where(k => (tenant is null || k.Record.TenantId == tenant) && (alias is null || k.Record.KeyAlias == alias) && (user is null || k.Record.UserId == user)
                && (hash is null || k.Record.TokenHash == hash) && caller.MayManage(k.Record)
                && (search is null || Matches(k.Record, search)))
            .OrderBy(k => k.Record.CreatedAt).ThenBy(k => k.Record.TokenHash, StringComparer.Ordinal).ToArray();
        var shown = keys.Skip((int)Math.Min((long)(page - 1) * size, int.MaxValue)).Take(size).ToArray();
        var now = time.GetUtcNow();
        return w =>
        {
            w.WriteStartArray("keys");
            foreach (var k in shown)
            {
                if (!full)
                {
                    w.WriteStringValue(k.Record.TokenHash);
                    continue;
                }

                w.WriteStartObject();
                AdminWriter.WriteKey(w, TenancyService.Live(k), null, now);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("total_count", keys.Length);
            w.WriteNumber("current_page", page);
            w.WriteNumber("total_pages", (keys.Length + size - 1) / size);
        };
    });

    private static int QueryInt(HttpContext c, string name, int fallback, int min, int max)
    {
        var text = c.Request.Query[name].ToString();
        if (text.Length == 0)
        {
            return fallback;
        }

        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw AdminJson.Invalid(name, $"an integer from {min} to {max}");
    }

    private static bool QueryBool(HttpContext c, string name) => c.Request.Query[name].ToString() switch
    {
        "" or "false" or "False" => false,
        "true" or "True" => true,
        _ => throw AdminJson.Invalid(name, "true or false"),
    };

    private KeyRecord ReadKey(CallerIdentity caller, JsonObject body, KeyRecord record, bool creating)
    {
        AdminJson.RefuseUnapplied(body, UnappliedKeyFields);
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
            Aliases = ModelListCheck.Aliases(state.Current.Routes, body, "aliases") ?? record.Aliases,
            Scopes = scopes ?? (creating ? [Scopes.Invoke] : record.Scopes),
            Limits = limits,
            ExpiresAt = duration is { } d ? d.Next(now) : record.ExpiresAt,
            Revoked = AdminJson.Bool(body, "blocked") ?? record.Revoked,
            MetadataJson = AdminJson.Metadata(body) ?? record.MetadataJson,
        };
    }

}
