using System.Text.Json;
using Switchyard.Core.Tenancy;

namespace Switchyard.Endpoints;

/// <summary>The JSON shapes of keys and teams as the admin routes answer them (LiteLLM field names).</summary>
internal static class AdminWriter
{
    public static void WriteKey(Utf8JsonWriter w, KeyRecord k, string? token)
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
        WriteTime(w, "grace_until", k.GraceUntil);
        w.WriteString("rotated_from", k.RotatedFrom);
        WriteMetadata(w, k.MetadataJson);
        WriteTime(w, "created_at", k.CreatedAt);
    }

    public static void WriteTeam(Utf8JsonWriter w, TenantRecord t)
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
