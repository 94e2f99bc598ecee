using System.Text.Json;
using Switchyard.Core.Tenancy;

namespace Switchyard.Endpoints;

/// <summary>The JSON shapes of keys and teams as the admin routes answer them (LiteLLM field names).</summary>
internal static class AdminWriter
{
    /// <summary>A key as the admin routes answer it; <c>status</c> is <see cref="KeyStatus"/> at <paramref name="now"/>.</summary>
    public static void WriteKey(Utf8JsonWriter w, KeyRecord k, string? token, DateTimeOffset now)
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
        w.WriteString("user_id", k.UserId);
        WriteStrings(w, "models", k.Models);
        WriteAliases(w, "aliases", k.Aliases);
        WriteStrings(w, "scopes", k.Scopes);
        WriteLimits(w, k.Limits);
        w.WriteNumber("spend", k.Spend);
        WriteTime(w, "budget_reset_at", k.BudgetResetAt);
        WriteTime(w, "expires", k.ExpiresAt);
        w.WriteBoolean("blocked", k.Revoked);
        w.WriteString("status", KeyStatus(k, now));
        WriteTime(w, "grace_until", k.GraceUntil);
        w.WriteString("rotated_from", k.RotatedFrom);
        WriteMetadata(w, k.MetadataJson);
        WriteTime(w, "created_at", k.CreatedAt);
    }

    /// <summary>
    /// What the token can do now, in the order the authenticator checks: <c>revoked</c>, <c>expired</c> (its duration
    /// ended), <c>rotated</c> (replaced, still working until grace_until), <c>retired</c> (replaced, grace over) or <c>active</c>.
    /// </summary>
    public static string KeyStatus(KeyRecord k, DateTimeOffset now)
        => k.Revoked ? "revoked" : k.ExpiresAt <= now ? "expired" : k.GraceUntil is { } g ? (g > now ? "rotated" : "retired") : "active";

    public static void WriteTeam(Utf8JsonWriter w, TenantRecord t)
    {
        w.WriteString("team_id", t.TenantId);
        w.WriteString("tenant_id", t.TenantId);
        w.WriteString("team_alias", t.Alias);
        WriteStrings(w, "models", t.Models);
        WriteAliases(w, "model_aliases", t.ModelAliases);
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

    public static void WriteLimits(Utf8JsonWriter w, Limits l)
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

    public static void WriteNumber(Utf8JsonWriter w, string name, int? v)
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

    public static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteStringValue(v);
        }

        w.WriteEndArray();
    }

    public static void WriteAliases(Utf8JsonWriter w, string name, IReadOnlyDictionary<string, string> aliases)
    {
        w.WriteStartObject(name);
        foreach (var (alias, target) in aliases.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            w.WriteString(alias, target);
        }

        w.WriteEndObject();
    }

    public static void WriteTime(Utf8JsonWriter w, string name, DateTimeOffset? t)
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

    public static void WriteMetadata(Utf8JsonWriter w, string? json)
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

}
