using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Core.Failures;
using Switchyard.Core.Tenancy;
using Switchyard.Tenancy;

namespace Switchyard.Endpoints;

/// <summary>Team (tenant) routes: <c>/team/new</c>, <c>/team/update</c>, <c>/team/delete</c>, <c>/team/info</c>, <c>/team/list</c>.</summary>
public sealed partial class AdminEndpoints
{
    public Task NewTeam(HttpContext c) => Gate(c, new Route(Access.GlobalAdmin, What: "creating a team"), async (_, body, ct) =>
    {
        var id = AdminJson.String(body, "team_id") ?? AdminJson.String(body, "tenant_id") ?? "team-" + Guid.CreateVersion7().ToString("N")[..12];
        Audit.AuditEntry.Of(c)?.Describe(id, id);
        if (tenancy.Directory.FindTenant(id) is not null)
        {
            throw new AdminFailure(new FailureSummary { Status = 409, Type = FailureType.InvalidRequest, Code = "team_exists", Param = "team_id", Message = $"team '{id}' already exists; use /team/update" });
        }

        var members = body["members_with_roles"] switch
        {
            null => [],
            JsonArray a when a.All(m => m is JsonObject) => a.Select(m => (JsonObject)m!).ToArray(),
            _ => throw AdminJson.Invalid("members_with_roles", "an array of {role, user_id or user_email}"),
        };
        var record = await tenancy.UpsertTenantAsync(ReadTeam(body, new TenantRecord { TenantId = id, CreatedAt = time.GetUtcNow() }), ct);
        await AddMembersAsync(id, members, "members_with_roles", ct);
        return w =>
        {
            AdminWriter.WriteTeam(w, record);
            WriteMembers(w, id);
        };
    });

    public Task UpdateTeam(HttpContext c) => Gate(c, new Route(Access.GlobalAdmin, What: "changing a team (its limits, budget and models bound its admins too)"), async (_, body, ct) =>
    {
        var entry = FindTeam(AdminJson.String(body, "team_id") ?? AdminJson.String(body, "tenant_id") ?? throw Missing("team_id"));
        RefuseDeclared(entry.Record);
        var record = await tenancy.UpsertTenantAsync(ReadTeam(body, entry.Record), ct);
        var live = TenancyService.Live(FindTeam(record.TenantId));
        return w =>
        {
            // LiteLLM's shape: the id, and the team under "data"
            w.WriteString("team_id", live.TenantId);
            w.WritePropertyName("data");
            w.WriteStartObject();
            AdminWriter.WriteTeam(w, live);
            w.WriteEndObject();
        };
    });

    public Task DeleteTeams(HttpContext c) => Gate(c, new Route(Access.GlobalAdmin, What: "deleting a team"), async (_, body, ct) =>
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
    });

    public Task TeamInfo(HttpContext c) => Gate(c, new Route(Access.AnyKey, ReadsBody: false), async (caller, _, ct) =>
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
                : Authenticator.Forbidden(Scopes.Admin) with { Message = "a key may read only its own team; reading another needs the 'admin' scope" });
        }

        var entry = FindTeam(id);
        await Task.CompletedTask;
        return w =>
        {
            w.WriteString("team_id", entry.Record.TenantId);
            w.WritePropertyName("team_info");
            w.WriteStartObject();
            AdminWriter.WriteTeam(w, TenancyService.Live(entry));
            WriteMembers(w, id);
            w.WriteEndObject();
            w.WriteStartArray("keys");
            foreach (var k in tenancy.Directory.Keys.Where(k => k.Record.TenantId == id))
            {
                w.WriteStartObject();
                AdminWriter.WriteKey(w, TenancyService.Live(k), null, time.GetUtcNow());
                w.WriteEndObject();
            }

            w.WriteEndArray();
        };
    });

    /// <summary>LiteLLM's shape: a JSON array of teams (each with its keys), sorted by team_alias, then team_id.</summary>
    public Task ListTeams(HttpContext c) => Gate(c, new Route(Access.Admin, ReadsBody: false, Wrap: false), async (caller, _, ct) =>
    {
        await Task.CompletedTask;
        var teams = tenancy.Directory.Tenants.Where(t => caller.IsGlobalAdmin || t.Record.TenantId == caller.AdminTenantId)
            .OrderBy(t => t.Record.Alias ?? "", StringComparer.Ordinal).ThenBy(t => t.Record.TenantId, StringComparer.Ordinal).ToArray();
        var now = time.GetUtcNow();
        return w =>
        {
            w.WriteStartArray();
            foreach (var t in teams)
            {
                w.WriteStartObject();
                AdminWriter.WriteTeam(w, TenancyService.Live(t));
                w.WriteStartArray("keys");
                foreach (var k in tenancy.Directory.Keys.Where(k => k.Record.TenantId == t.Record.TenantId).OrderBy(k => k.Record.CreatedAt))
                {
                    w.WriteStartObject();
                    AdminWriter.WriteKey(w, TenancyService.Live(k), null, now);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        };
    });

    /// <summary>LiteLLM team fields Switchyard has no equivalent for (docs/litellm-compatibility.md, "Not supported yet").</summary>
    private static readonly (string Field, string Instead)[] UnappliedTeamFields =
    [
        ("organization_id", "organizations are not built"),
        ("guardrails", "guardrails are not built"),
        ("model_max_budget", "budgets are per team, key and user: give the model its own team"),
        ("team_member_permissions", "what a member's key may do is its scopes"),
        ("team_member_budget", "set max_budget on each user (/user/update)"),
    ];

    private TenantRecord ReadTeam(JsonObject body, TenantRecord record)
    {
        AdminJson.RefuseUnapplied(body, UnappliedTeamFields);
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
            ModelAliases = ModelListCheck.Aliases(state.Current.Routes, body, "model_aliases") ?? record.ModelAliases,
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
}
