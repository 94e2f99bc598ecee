using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Core.Failures;
using Switchyard.Core.Tenancy;
using Switchyard.Tenancy;

namespace Switchyard.Endpoints;

/// <summary>
/// User routes (<c>/user/new</c>, <c>/user/update</c>, <c>/user/delete</c>, <c>/user/info</c>, <c>/user/list</c>) and team
/// membership (<c>/team/member_add</c>, <c>/team/member_delete</c>), with LiteLLM's field names. Creating, changing and
/// deleting users is a global admin's (a user spans teams); a tenant admin manages its own team's members and reads them;
/// any key reads its own user.
/// </summary>
public sealed partial class AdminEndpoints
{
    public Task NewUser(HttpContext c) => Gate(c, new Route(Access.GlobalAdmin, What: "creating a user"), async (_, body, ct) =>
    {
        var id = AdminJson.String(body, "user_id") ?? Guid.CreateVersion7().ToString();
        Audit.AuditEntry.Of(c)?.Describe(id);
        if (tenancy.Directory.FindUser(id) is not null)
        {
            throw new AdminFailure(new FailureSummary { Status = 409, Type = FailureType.InvalidRequest, Code = "user_exists", Param = "user_id", Message = $"user '{id}' already exists; use /user/update" });
        }

        var teams = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var t in (AdminJson.Strings(body, "teams") ?? []).Append(AdminJson.String(body, "team_id")).OfType<string>())
        {
            teams[FindTeam(t).Record.TenantId] = TeamRoles.User;
        }

        var createKey = AdminJson.Bool(body, "auto_create_key") ?? true;
        var user = ReadUser(body, new UserRecord { UserId = id, Teams = teams, CreatedAt = time.GetUtcNow() });
        user = await tenancy.UpsertUserAsync(user, ct);

        // LiteLLM's /user/new also issues a key for the user (auto_create_key, default true), bound to the one team named
        string? token = null;
        KeyRecord? key = null;
        if (createKey)
        {
            var duration = AdminJson.Duration(body, "duration");
            (token, key) = await tenancy.CreateKeyAsync(new KeyRecord
            {
                TokenHash = "",
                KeyName = "",
                KeyAlias = AdminJson.String(body, "key_alias"),
                UserId = id,
                TenantId = teams.Count == 1 ? teams.Keys.First() : null,
                ExpiresAt = duration is { } d ? d.Next(time.GetUtcNow()) : null,
            }, ct);
        }

        var created = user;
        return w =>
        {
            if (token is not null)
            {
                w.WriteString("key", token);
                w.WriteString("token", key!.TokenHash);
                w.WriteString("key_name", key.KeyName);
                w.WriteString("team_id", key.TenantId);
            }
            else
            {
                w.WriteNull("key");
            }

            WriteUser(w, created);
        };
    });

    public Task UpdateUser(HttpContext c) => Gate(c, new Route(Access.GlobalAdmin, What: "changing a user"), async (_, body, ct) =>
    {
        var entry = FindUserBy(body);
        var user = await tenancy.UpsertUserAsync(ReadUser(body, entry.Record), ct);
        var live = TenancyService.Live(tenancy.Directory.FindUser(user.UserId)!);
        return w =>
        {
            w.WriteString("user_id", live.UserId);
            w.WritePropertyName("data");
            w.WriteStartObject();
            WriteUser(w, live);
            w.WriteEndObject();
        };
    });

    public Task DeleteUsers(HttpContext c) => Gate(c, new Route(Access.GlobalAdmin, What: "deleting a user"), async (_, body, ct) =>
    {
        var ids = AdminJson.Strings(body, "user_ids") ?? throw Missing("user_ids");
        var entries = ids.Select(id => tenancy.Directory.FindUser(id) ?? throw NotFound("user_ids", $"no user '{id}'")).ToArray();
        var keys = new List<string>();
        foreach (var e in entries)
        {
            keys.AddRange(await tenancy.DeleteUserAsync(e.Record.UserId, ct));
        }

        return w =>
        {
            AdminWriter.WriteStrings(w, "deleted_users", entries.Select(e => e.Record.UserId));
            AdminWriter.WriteStrings(w, "deleted_keys", keys);
        };
    });

    public Task UserInfo(HttpContext c) => Gate(c, new Route(Access.AnyKey, ReadsBody: false), async (caller, _, ct) =>
    {
        var id = c.Request.Query["user_id"].ToString();
        if (id.Length == 0)
        {
            id = caller.UserId ?? throw Missing("user_id");
        }

        if (id != caller.UserId && !caller.Has(Scopes.Admin))
        {
            throw new AdminFailure(Authenticator.Forbidden(Scopes.Admin) with { Message = "a key may read only its own user; reading another needs the 'admin' scope" });
        }

        // a tenant admin reads its team's members; any other user is answered like one that does not exist
        var entry = tenancy.Directory.FindUser(id) is { } u && (id == caller.UserId || MayManageUser(caller, u.Record)) ? u : throw NotFound("user_id", $"no user '{id}'");
        var user = TenancyService.Live(entry);
        var keys = tenancy.Directory.Keys.Where(k => k.Record.UserId == id).OrderBy(k => k.Record.CreatedAt).ToArray();
        await Task.CompletedTask;
        return w =>
        {
            w.WriteString("user_id", user.UserId);
            w.WritePropertyName("user_info");
            w.WriteStartObject();
            WriteUser(w, user);
            w.WriteEndObject();
            w.WriteStartArray("keys");
            foreach (var k in keys)
            {
                w.WriteStartObject();
                AdminWriter.WriteKey(w, TenancyService.Live(k), null, time.GetUtcNow());
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("teams");
            foreach (var t in user.Teams.Keys.Select(tenancy.Directory.FindTenant).OfType<TenantEntry>())
            {
                w.WriteStartObject();
                AdminWriter.WriteTeam(w, TenancyService.Live(t));
                w.WriteEndObject();
            }

            w.WriteEndArray();
        };
    });

    public Task ListUsers(HttpContext c) => Gate(c, new Route(Access.Admin, ReadsBody: false), async (caller, _, ct) =>
    {
        await Task.CompletedTask;
        var q = c.Request.Query;
        var team = ConfineTeam(caller, q["team_id"].ToString() is { Length: > 0 } t ? t : null);
        var role = q["role"].ToString() is { Length: > 0 } r ? r : null;
        var ids = q["user_ids"].ToString() is { Length: > 0 } list ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal) : null;
        var users = tenancy.Directory.Users
            .Where(u => (team is null || u.Record.Teams.ContainsKey(team)) && (role is null || u.Record.UserRole == role) && (ids is null || ids.Contains(u.Record.UserId)))
            .OrderBy(u => u.Record.CreatedAt).ThenBy(u => u.Record.UserId, StringComparer.Ordinal)
            .Select(TenancyService.Live)
            .ToArray();
        return w =>
        {
            w.WriteStartArray("users");
            foreach (var u in users)
            {
                w.WriteStartObject();
                WriteUser(w, u);
                w.WriteNumber("key_count", tenancy.Directory.Keys.Count(k => k.Record.UserId == u.UserId));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("total", users.Length);
            w.WriteNumber("page", 1);
            w.WriteNumber("page_size", users.Length);
            w.WriteNumber("total_pages", 1);
        };
    });

    public Task AddTeamMembers(HttpContext c) => Gate(c, new Route(Access.Admin), async (caller, body, ct) =>
    {
        var team = FindTeam(ConfineTeam(caller, AdminJson.String(body, "team_id") ?? throw Missing("team_id"))!);
        var members = body["member"] switch
        {
            JsonObject one => [one],
            JsonArray many when many.All(m => m is JsonObject) => many.Select(m => (JsonObject)m!).ToArray(),
            null => throw Missing("member"),
            _ => throw AdminJson.Invalid("member", "an object {role, user_id or user_email} or an array of them"),
        };
        var updated = await AddMembersAsync(team.Record.TenantId, members, "member", ct);
        return w =>
        {
            WriteTeamWithMembers(w, team.Record.TenantId);
            w.WriteStartArray("updated_users");
            foreach (var u in updated)
            {
                w.WriteStartObject();
                WriteUser(w, u);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        };
    });

    public Task DeleteTeamMember(HttpContext c) => Gate(c, new Route(Access.Admin), async (caller, body, ct) =>
    {
        var team = FindTeam(ConfineTeam(caller, AdminJson.String(body, "team_id") ?? throw Missing("team_id"))!).Record.TenantId;
        var user = FindMember(body, "user_id") is { } u && u.Record.Teams.ContainsKey(team)
            ? u.Record
            : throw NotFound("user_id", $"no such member of team '{team}'");
        await tenancy.UpsertUserAsync(user with { Teams = user.Teams.Where(t => t.Key != team).ToDictionary(StringComparer.Ordinal) }, ct);
        return w => WriteTeamWithMembers(w, team);
    });

    /// <summary>
    /// Adds (or re-roles) members of a team; a member named by a user_id or user_email no user has yet becomes a new user
    /// (internal_user), as LiteLLM's member_add does. All members are checked before any is written.
    /// </summary>
    private async Task<IReadOnlyList<UserRecord>> AddMembersAsync(string team, IReadOnlyList<JsonObject> members, string param, CancellationToken ct)
    {
        var changes = new List<UserRecord>();
        for (var i = 0; i < members.Count; i++)
        {
            var m = members[i];
            var path = members.Count == 1 && param == "member" ? param : $"{param}[{i}]";
            var role = Scoped(() => AdminJson.String(m, "role"), path) ?? TeamRoles.User;
            if (!TeamRoles.IsKnown(role))
            {
                throw AdminJson.Invalid($"{path}.role", "'admin' or 'user'");
            }

            var id = Scoped(() => AdminJson.String(m, "user_id"), path);
            var email = Scoped(() => AdminJson.String(m, "user_email"), path);
            if (id is null && email is null)
            {
                throw new AdminFailure(FailureSummary.BadRequest($"'{path}' needs a user_id or a user_email", path + ".user_id", "missing_field"));
            }

            var existing = (id is not null ? tenancy.Directory.FindUser(id) : tenancy.Directory.Users.FirstOrDefault(u => u.Record.UserEmail == email))?.Record
                ?? changes.FirstOrDefault(u => u.UserId == id || (id is null && u.UserEmail == email));
            var user = existing ?? new UserRecord { UserId = id ?? Guid.CreateVersion7().ToString(), UserEmail = email, CreatedAt = time.GetUtcNow() };
            var teams = new Dictionary<string, string>(user.Teams, StringComparer.Ordinal) { [team] = role };
            changes.RemoveAll(u => u.UserId == user.UserId);
            changes.Add(user with { Teams = teams });
        }

        var written = new List<UserRecord>();
        foreach (var u in changes)
        {
            written.Add(await tenancy.UpsertUserAsync(u, ct));
        }

        return written;
    }

    /// <summary>A member object's field errors name the member (member.role, members_with_roles[1].user_id).</summary>
    private static T Scoped<T>(Func<T> read, string path)
    {
        try
        {
            return read();
        }
        catch (Core.Requests.RequestValidationException e)
        {
            throw new Core.Requests.RequestValidationException(e.Message.Replace($"'{e.Param}'", $"'{path}.{e.Param}'", StringComparison.Ordinal), $"{path}.{e.Param}", e.Code);
        }
    }

    /// <summary>The team's fields with its members_with_roles (LiteLLM's shape of a team with members).</summary>
    private void WriteTeamWithMembers(Utf8JsonWriter w, string teamId)
    {
        AdminWriter.WriteTeam(w, TenancyService.Live(FindTeam(teamId)));
        WriteMembers(w, teamId);
    }

    private void WriteMembers(Utf8JsonWriter w, string teamId)
    {
        w.WriteStartArray("members_with_roles");
        foreach (var u in tenancy.Directory.Users.Where(u => u.Record.Teams.ContainsKey(teamId)).OrderBy(u => u.Record.CreatedAt).ThenBy(u => u.Record.UserId, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("user_id", u.Record.UserId);
            w.WriteString("user_email", u.Record.UserEmail);
            w.WriteString("role", u.Record.Teams[teamId]);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    /// <summary>Whether a tenant admin may see this user: a global admin any, a tenant admin its team's members.</summary>
    private static bool MayManageUser(CallerIdentity caller, UserRecord user)
        => caller.IsGlobalAdmin || (caller.AdminTenantId is { } t && user.Teams.ContainsKey(t));

    /// <summary>The user a body names by user_id, else by user_email; a 404 naming the field when there is none.</summary>
    private UserEntry FindUserBy(JsonObject body)
        => FindMember(body, "user_id") ?? throw (AdminJson.String(body, "user_id") is { } id
            ? NotFound("user_id", $"no user '{id}'")
            : AdminJson.String(body, "user_email") is { } email ? NotFound("user_email", $"no user with email '{email}'") : Missing("user_id"));

    private UserEntry? FindMember(JsonObject body, string param)
    {
        if (AdminJson.String(body, param) is { } id)
        {
            return tenancy.Directory.FindUser(id);
        }

        return AdminJson.String(body, "user_email") is { } email ? tenancy.Directory.Users.FirstOrDefault(u => u.Record.UserEmail == email) : null;
    }

    private UserRecord ReadUser(JsonObject body, UserRecord record)
    {
        var role = AdminJson.String(body, "user_role");
        if (role is not null && !UserRoles.All.Contains(role))
        {
            throw new AdminFailure(FailureSummary.BadRequest($"unknown user_role '{role}'; roles are {string.Join(", ", UserRoles.All)}", "user_role", "invalid_value"));
        }

        return record with
        {
            UserEmail = AdminJson.String(body, "user_email") ?? record.UserEmail,
            UserRole = role ?? record.UserRole,
            Models = ModelListCheck.Checked(state.Current.Routes, AdminJson.Strings(body, "models")) ?? record.Models,
            Limits = record.Limits with
            {
                Rpm = AdminJson.Int(body, "rpm_limit") ?? record.Limits.Rpm,
                Tpm = AdminJson.Int(body, "tpm_limit") ?? record.Limits.Tpm,
                MaxParallelRequests = AdminJson.Int(body, "max_parallel_requests") ?? record.Limits.MaxParallelRequests,
                MaxBudget = AdminJson.Money(body, "max_budget") ?? record.Limits.MaxBudget,
                SoftBudget = AdminJson.Money(body, "soft_budget") ?? record.Limits.SoftBudget,
                BudgetDuration = AdminJson.Duration(body, "budget_duration") ?? record.Limits.BudgetDuration,
            },
            MetadataJson = AdminJson.Metadata(body) ?? record.MetadataJson,
        };
    }

    /// <summary>A user as the admin routes answer it (LiteLLM's field names; teams as ids, roles in team_roles).</summary>
    private static void WriteUser(Utf8JsonWriter w, UserRecord u)
    {
        w.WriteString("user_id", u.UserId);
        w.WriteString("user_email", u.UserEmail);
        w.WriteString("user_role", u.UserRole);
        AdminWriter.WriteStrings(w, "teams", u.Teams.Keys.Order(StringComparer.Ordinal));
        w.WriteStartObject("team_roles");
        foreach (var (team, role) in u.Teams.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            w.WriteString(team, role);
        }

        w.WriteEndObject();
        AdminWriter.WriteStrings(w, "models", u.Models);
        AdminWriter.WriteLimits(w, u.Limits);
        w.WriteNumber("spend", u.Spend);
        AdminWriter.WriteTime(w, "budget_reset_at", u.BudgetResetAt);
        AdminWriter.WriteMetadata(w, u.MetadataJson);
        AdminWriter.WriteTime(w, "created_at", u.CreatedAt);
    }
}
