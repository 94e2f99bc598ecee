using System.Buffers;
using System.Globalization;
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
/// LiteLLM-compatible key and team management (same paths, request and response field names), plus
/// <c>scopes</c> on keys. Needs the admin scope; <c>/key/info</c> and <c>/spend/logs</c> also answer usage:read tokens
/// about themselves and their own tenant. A global admin reaches everything; a tenant admin (an admin token bound to
/// a tenant) only its tenant's keys and spend, and its own tenant read-only. A key out of the caller's reach is
/// answered exactly like a key that does not exist.
/// </summary>
public sealed partial class AdminEndpoints(GatewayState state, Authenticator authenticator, TenancyService tenancy, SpendWriter spend, TimeProvider time)
{
    public Task GenerateKey(HttpContext c) => Admin(c, async (caller, body, ct) =>
    {
        var template = ReadKey(caller, body, new KeyRecord { TokenHash = "", KeyName = "" }, creating: true);
        var (token, record) = await tenancy.CreateKeyAsync(template, ct);
        return w => WriteKey(w, record, token);
    });

    public Task UpdateKey(HttpContext c) => Admin(c, async (caller, body, ct) =>
    {
        var entry = FindKey(AdminJson.String(body, "key") ?? throw Missing("key"), caller.MayManage);
        var record = await tenancy.UpdateKeyAsync(ReadKey(caller, body, entry.Record, creating: false), ct);
        var live = TenancyService.Live(FindKey(record.TokenHash, _ => true));
        return w => WriteKey(w, live, null);
    });

    public Task DeleteKeys(HttpContext c) => Admin(c, async (caller, body, ct) =>
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

    public Task RegenerateKey(HttpContext c) => Admin(c, async (caller, body, ct) =>
    {
        var given = RequestSecrets.PathKey(c) ?? AdminJson.String(body, "key") ?? throw Missing("key");
        var entry = FindKey(given, caller.MayManage);
        var grace = AdminJson.Duration(body, "grace_period");
        var now = time.GetUtcNow();
        var (token, record) = await tenancy.RotateKeyAsync(entry.Record, grace is { } g ? g.Next(now) - now : TimeSpan.Zero, ct);
        return w => WriteKey(w, record, token);
    });

    public Task KeyInfo(HttpContext c) => Authorized(c, Scopes.UsageRead, async (caller, ct) =>
    {
        var given = RequestSecrets.QueryValue(c, "key");
        // any key but the caller's own and those it administers is answered like one that does not exist
        var entry = given.Length == 0 ? caller.Key ?? throw Missing("key") : FindKey(given, k => caller.MayManage(k) || k.TokenHash == caller.TokenHash);
        await Task.CompletedTask;
        return w =>
        {
            w.WriteString("key", entry.Record.TokenHash);
            w.WritePropertyName("info");
            w.WriteStartObject();
            WriteKey(w, TenancyService.Live(entry), null);
            w.WriteEndObject();
        };
    });

    public Task ListKeys(HttpContext c) => Admin(c, async (caller, _, ct) =>
    {
        await Task.CompletedTask;
        var tenant = ConfineTeam(caller, c.Request.Query["team_id"].ToString() is { Length: > 0 } t ? t : null);
        var keys = tenancy.Directory.Keys.Where(k => (tenant is null || k.Record.TenantId == tenant) && caller.MayManage(k.Record)).OrderBy(k => k.Record.CreatedAt).ToArray();
        return w =>
        {
            w.WriteStartArray("keys");
            foreach (var k in keys)
            {
                w.WriteStartObject();
                WriteKey(w, TenancyService.Live(k), null);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("total_count", keys.Length);
        };
    }, readOnly: true);

    public Task NewTeam(HttpContext c) => Admin(c, async (_, body, ct) =>
    {
        var id = AdminJson.String(body, "team_id") ?? AdminJson.String(body, "tenant_id") ?? "team-" + Guid.CreateVersion7().ToString("N")[..12];
        if (tenancy.Directory.FindTenant(id) is not null)
        {
            throw new AdminFailure(new FailureSummary { Status = 409, Type = FailureType.InvalidRequest, Code = "team_exists", Param = "team_id", Message = $"team '{id}' already exists; use /team/update" });
        }

        var record = await tenancy.UpsertTenantAsync(ReadTeam(body, new TenantRecord { TenantId = id, CreatedAt = time.GetUtcNow() }), ct);
        return w => WriteTeam(w, record);
    }, globalOnly: "creating a team");

    public Task UpdateTeam(HttpContext c) => Admin(c, async (_, body, ct) =>
    {
        var entry = FindTeam(AdminJson.String(body, "team_id") ?? AdminJson.String(body, "tenant_id") ?? throw Missing("team_id"));
        RefuseDeclared(entry.Record);
        var record = await tenancy.UpsertTenantAsync(ReadTeam(body, entry.Record), ct);
        var live = TenancyService.Live(FindTeam(record.TenantId));
        return w => WriteTeam(w, live);
    }, globalOnly: "changing a team (its limits, budget and models bound its admins too)");

    public Task DeleteTeams(HttpContext c) => Admin(c, async (_, body, ct) =>
    {
        var ids = AdminJson.Strings(body, "team_ids") ?? throw Missing("team_ids");
        var entries = ids.Select(FindTeam).ToArray();
        foreach (var e in entries)
        {
            RefuseDeclared(e.Record);
        }

        foreach (var e in entries)
        {
            await tenancy.DeleteTenantAsync(e.Record.TenantId, ct);
        }

        return w =>
        {
            w.WriteStartArray("deleted_teams");
            foreach (var e in entries)
            {
                w.WriteStringValue(e.Record.TenantId);
            }

            w.WriteEndArray();
        };
    }, globalOnly: "deleting a team");

    public Task TeamInfo(HttpContext c) => Authorized(c, Scopes.UsageRead, async (caller, ct) =>
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
        await Task.CompletedTask;
        return w =>
        {
            w.WriteString("team_id", entry.Record.TenantId);
            w.WritePropertyName("team_info");
            w.WriteStartObject();
            WriteTeam(w, TenancyService.Live(entry));
            w.WriteEndObject();
            w.WriteStartArray("keys");
            foreach (var k in tenancy.Directory.Keys.Where(k => k.Record.TenantId == id))
            {
                w.WriteStartObject();
                WriteKey(w, TenancyService.Live(k), null);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        };
    });

    public Task ListTeams(HttpContext c) => Admin(c, async (caller, _, ct) =>
    {
        await Task.CompletedTask;
        var teams = tenancy.Directory.Tenants.Where(t => caller.IsGlobalAdmin || t.Record.TenantId == caller.AdminTenantId).OrderBy(t => t.Record.TenantId, StringComparer.Ordinal).ToArray();
        return w =>
        {
            w.WriteStartArray("teams");
            foreach (var t in teams)
            {
                w.WriteStartObject();
                WriteTeam(w, TenancyService.Live(t));
                w.WriteEndObject();
            }

            w.WriteEndArray();
        };
    }, readOnly: true);

    public Task SpendLogs(HttpContext c) => Authorized(c, Scopes.UsageRead, async (caller, ct) =>
    {
        var q = c.Request.Query;
        var (team, key) = SpendScope(c, caller);
        await spend.FlushAsync();
        var rows = await tenancy.Store.QuerySpendAsync(new SpendQuery
        {
            TenantId = team,
            TokenHash = key,
            From = Date(q["start_date"].ToString(), "start_date"),
            To = Date(q["end_date"].ToString(), "end_date") is { } end && end.TimeOfDay == TimeSpan.Zero ? end.AddDays(1) : Date(q["end_date"].ToString(), "end_date"),
            Limit = int.TryParse(q["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out var l) ? l : 1000,
        }, ct);
        return w =>
    {
        w.WriteStartArray();
        foreach (var r in rows)
        {
            w.WriteStartObject();
            w.WriteString("request_id", r.RequestId);
            w.WriteString("correlation_id", r.CorrelationId);
            w.WriteString("api_key", r.TokenHash);
            w.WriteString("team_id", r.TenantId);
            w.WriteString("tenant_id", r.TenantId);
            w.WriteString("model_group", r.Alias);
            w.WriteString("model", r.Model);
            w.WriteString("model_id", r.Deployment);
            w.WriteString("custom_llm_provider", r.ProviderFamily);
            w.WriteNumber("prompt_tokens", r.PromptTokens);
            w.WriteNumber("completion_tokens", r.CompletionTokens);
            w.WriteNumber("total_tokens", r.PromptTokens + r.CompletionTokens);
            w.WriteNumber("spend", r.Cost);
            w.WriteNumber("status_code", r.Status);
            w.WriteString("status", r.Status is >= 200 and < 300 ? "success" : "failure");
            w.WriteNumber("request_duration_ms", Math.Round(r.LatencyMs, 3));
            w.WriteString("startTime", AdminJson.Time(r.StartTime));
            w.WriteString("endTime", AdminJson.Time(r.StartTime.AddMilliseconds(r.LatencyMs)));
            w.WriteEndObject();
        }

        w.WriteEndArray();
    };
    }, wrapInObject: false);

    /// <summary>
    /// The team and token (hash) whose spend the caller asked for (<c>team_id</c>, <c>api_key</c>), confined to what it
    /// may read: a global admin anything, a tenant's token its tenant, a token without a tenant only itself.
    /// </summary>
    private (string? Team, string? Key) SpendScope(HttpContext c, CallerIdentity caller)
    {
        var team = c.Request.Query["team_id"].ToString() is { Length: > 0 } t ? t : null;
        var key = RequestSecrets.QueryValue(c, "api_key") is { Length: > 0 } k ? FindKey(k, caller.MayReadSpendOf).Record.TokenHash : null;
        if (caller.IsGlobalAdmin)
        {
            return (team, key);
        }

        if (caller.TenantId is null)
        {
            return (null, caller.TokenHash); // a token without a tenant sees only itself
        }

        if (team is not null && team != caller.TenantId)
        {
            throw new AdminFailure(caller.Has(Scopes.Admin)
                ? AdminDenials.OutsideTenant(caller, "team_id")
                : Authenticator.Forbidden(Scopes.Admin) with { Message = "a usage:read token may read only its own team's spend" });
        }

        return (caller.TenantId, key);
    }

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
            Models = models ?? record.Models,
            Scopes = scopes ?? (creating ? [Scopes.Invoke] : record.Scopes),
            Limits = limits,
            ExpiresAt = duration is { } d ? d.Next(now) : record.ExpiresAt,
            Revoked = AdminJson.Bool(body, "blocked") ?? record.Revoked,
            MetadataJson = AdminJson.Metadata(body) ?? record.MetadataJson,
        };
    }

    private TenantRecord ReadTeam(JsonObject body, TenantRecord record)
    {
        var models = ModelListCheck.Checked(state.Current.Routes, AdminJson.Strings(body, "models"));
        var aliasLimits = new Dictionary<string, AliasLimits>(record.AliasLimits, StringComparer.Ordinal);
        foreach (var (field, isRpm) in new[] { ("model_rpm_limit", true), ("model_tpm_limit", false) })
        {
            if (body[field] is JsonObject map)
            {
                foreach (var (alias, value) in map)
                {
                    if (value is null || value.GetValueKind() != JsonValueKind.Number || !value.AsValue().TryGetValue<int>(out var n) || n < 1)
                    {
                        throw AdminJson.Invalid($"{field}.{alias}", "a positive integer");
                    }

                    var current = aliasLimits.GetValueOrDefault(alias) ?? new AliasLimits(null, null);
                    aliasLimits[alias] = isRpm ? current with { Rpm = n } : current with { Tpm = n };
                }
            }
            else if (body[field] is not null)
            {
                throw AdminJson.Invalid(field, "an object of alias: limit");
            }
        }

        return record with
        {
            Alias = AdminJson.String(body, "team_alias") ?? record.Alias,
            Models = models ?? record.Models,
            Limits = record.Limits with
            {
                Rpm = AdminJson.Int(body, "rpm_limit") ?? record.Limits.Rpm,
                Tpm = AdminJson.Int(body, "tpm_limit") ?? record.Limits.Tpm,
                MaxParallelRequests = AdminJson.Int(body, "max_parallel_requests") ?? record.Limits.MaxParallelRequests,
                MaxBudget = AdminJson.Money(body, "max_budget") ?? record.Limits.MaxBudget,
                SoftBudget = AdminJson.Money(body, "soft_budget") ?? record.Limits.SoftBudget,
                BudgetDuration = AdminJson.Duration(body, "budget_duration") ?? record.Limits.BudgetDuration,
            },
            AliasLimits = aliasLimits,
            Blocked = AdminJson.Bool(body, "blocked") ?? record.Blocked,
            MetadataJson = AdminJson.Metadata(body) ?? record.MetadataJson,
        };
    }

    private void RefuseDeclared(TenantRecord t)
    {
        if (t.Source == "config")
        {
            throw new AdminFailure(new FailureSummary
            {
                Status = 409,
                Type = FailureType.InvalidRequest,
                Code = "declared_in_config",
                Param = "team_id",
                Message = $"team '{t.TenantId}' is declared in the config file ({state.Current.Config.SourcePath}); change it there and reload",
            });
        }
    }

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

    private void WriteKey(Utf8JsonWriter w, KeyRecord k, string? token)
    {
        if (token is not null)
        {
            w.WriteString("key", token);
        }

        w.WriteString("token", k.TokenHash);
        w.WriteString("key_name", k.KeyName);
        w.WriteString("key_alias", k.KeyAlias);
        w.WriteString("team_id", k.TenantId);
        w.WriteString("tenant_id", k.TenantId);
        WriteStrings(w, "models", k.Models);
        WriteStrings(w, "scopes", k.Scopes);
        WriteLimits(w, k.Limits);
        w.WriteNumber("spend", k.Spend);
        WriteTime(w, "budget_reset_at", k.BudgetResetAt);
        WriteTime(w, "expires", k.ExpiresAt);
        w.WriteBoolean("blocked", k.Revoked);
        w.WriteString("status", KeyStatus(k, time.GetUtcNow()));
        WriteTime(w, "grace_until", k.GraceUntil);
        w.WriteString("rotated_from", k.RotatedFrom);
        WriteMetadata(w, k.MetadataJson);
        WriteTime(w, "created_at", k.CreatedAt);
    }

    /// <summary>
    /// What the token can do now, in the order the authenticator checks: <c>revoked</c>, <c>expired</c> (its duration
    /// ended), <c>rotated</c> (replaced, still working until grace_until), <c>retired</c> (replaced, grace over) or <c>active</c>.
    /// </summary>
    internal static string KeyStatus(KeyRecord k, DateTimeOffset now)
        => k.Revoked ? "revoked" : k.ExpiresAt <= now ? "expired" : k.GraceUntil is { } g ? (g > now ? "rotated" : "retired") : "active";

    private static void WriteTeam(Utf8JsonWriter w, TenantRecord t)
    {
        w.WriteString("team_id", t.TenantId);
        w.WriteString("tenant_id", t.TenantId);
        w.WriteString("team_alias", t.Alias);
        WriteStrings(w, "models", t.Models);
        WriteLimits(w, t.Limits);
        w.WriteStartObject("model_rpm_limit");
        foreach (var (a, l) in t.AliasLimits.Where(x => x.Value.Rpm is not null))
        {
            w.WriteNumber(a, l.Rpm!.Value);
        }

        w.WriteEndObject();
        w.WriteStartObject("model_tpm_limit");
        foreach (var (a, l) in t.AliasLimits.Where(x => x.Value.Tpm is not null))
        {
            w.WriteNumber(a, l.Tpm!.Value);
        }

        w.WriteEndObject();
        w.WriteNumber("spend", t.Spend);
        WriteTime(w, "budget_reset_at", t.BudgetResetAt);
        w.WriteBoolean("blocked", t.Blocked);
        w.WriteString("source", t.Source);
        WriteMetadata(w, t.MetadataJson);
        WriteTime(w, "created_at", t.CreatedAt);
    }

    private static void WriteLimits(Utf8JsonWriter w, Limits l)
    {
        WriteNumber(w, "rpm_limit", l.Rpm);
        WriteNumber(w, "tpm_limit", l.Tpm);
        WriteNumber(w, "max_parallel_requests", l.MaxParallelRequests);
        if (l.MaxBudget is { } m)
        {
            w.WriteNumber("max_budget", m);
        }
        else
        {
            w.WriteNull("max_budget");
        }

        if (l.SoftBudget is { } s)
        {
            w.WriteNumber("soft_budget", s);
        }
        else
        {
            w.WriteNull("soft_budget");
        }

        w.WriteString("budget_duration", l.BudgetDuration?.ToString());
    }

    private static void WriteNumber(Utf8JsonWriter w, string name, int? v)
    {
        if (v is { } n)
        {
            w.WriteNumber(name, n);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    private static void WriteTime(Utf8JsonWriter w, string name, DateTimeOffset? t)
    {
        if (t is { } v)
        {
            w.WriteString(name, AdminJson.Time(v));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void WriteMetadata(Utf8JsonWriter w, string? json)
    {
        w.WritePropertyName("metadata");
        if (json is null)
        {
            w.WriteStartObject();
            w.WriteEndObject();
        }
        else
        {
            w.WriteRawValue(json);
        }
    }

    private static DateTimeOffset? Date(string text, string name)
    {
        if (text.Length == 0)
        {
            return null;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d) ? d : throw AdminJson.Invalid(name, "a date (YYYY-MM-DD or ISO 8601)");
    }

    private static AdminFailure Missing(string name) => new(FailureSummary.BadRequest($"'{name}' is required", name, "missing_field"));

    private static AdminFailure NotFound(string param, string message) => new(new FailureSummary { Status = 404, Type = FailureType.NotFound, Code = "not_found", Param = param, Message = message });

    /// <param name="globalOnly">What the route does, when only a global admin may do it (a tenant admin is refused before the body is read).</param>
    private Task Admin(HttpContext c, Func<CallerIdentity, JsonObject, CancellationToken, Task<Action<Utf8JsonWriter>>> work, bool readOnly = false, string? globalOnly = null)
        => Authorized(c, Scopes.Admin, async (caller, ct) =>
        {
            if (globalOnly is not null && !caller.IsGlobalAdmin)
            {
                throw new AdminFailure(AdminDenials.GlobalAdminRequired(caller, globalOnly));
            }

            JsonObject body;
            if (readOnly)
            {
                body = [];
            }
            else
            {
                var (bytes, length, tooLarge) = await BodyReader.ReadAsync(c, 1024 * 1024);
                if (tooLarge is not null)
                {
                    throw new AdminFailure(tooLarge);
                }

                try
                {
                    body = length == 0 ? [] : AdminJson.ParseObject(bytes.AsSpan(0, length));
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(bytes!);
                }
            }

            return await work(caller, body, ct);
        });

    private async Task Authorized(HttpContext c, string scope, Func<CallerIdentity, CancellationToken, Task<Action<Utf8JsonWriter>>> work, bool wrapInObject = true)
    {
        var (caller, denied) = authenticator.Authenticate(c);
        if (caller is null)
        {
            await FailureResponses.WriteAsync(c, denied!);
            return;
        }

        if (!caller.Has(Scopes.Admin) && !(scope == Scopes.UsageRead && caller.Has(Scopes.UsageRead)))
        {
            await FailureResponses.WriteAsync(c, Authenticator.Forbidden(scope == Scopes.Admin ? Scopes.Admin : scope + " or admin"));
            return;
        }

        Action<Utf8JsonWriter> write;
        try
        {
            write = await work(caller, c.RequestAborted);
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

        c.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(c.Response.Body);
        if (!wrapInObject)
        {
            write(w);
            return;
        }

        w.WriteStartObject();
        write(w);
        w.WriteEndObject();
    }

    private sealed class AdminFailure(FailureSummary summary) : Exception(summary.Message)
    {
        public FailureSummary Summary { get; } = summary;
    }
}
