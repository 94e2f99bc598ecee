using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Core.Config;
using Switchyard.Core.Deployments;
using Switchyard.Operations;

namespace Switchyard.Endpoints;

/// <summary>
/// Deployments in LiteLLM's /model/info shape (<c>model_name</c>, <c>litellm_params</c>, <c>model_info</c>), with every
/// credential left out and api_base without user info or query.
/// </summary>
internal static class ModelWriter
{
    /// <summary>A deployment of the live route table: from the config file, or stored (<paramref name="stored"/> not null).</summary>
    public static void WriteDeployment(Utf8JsonWriter w, DeploymentConfig d, StoredModelState? stored)
    {
        w.WriteStartObject();
        w.WriteString("model_name", d.ModelName);
        w.WritePropertyName("litellm_params");
        w.WriteStartObject();
        w.WriteString("model", d.QualifiedModel);
        if (d.ApiBase is { } apiBase)
        {
            w.WriteString("api_base", EffectiveConfig.StripCredentials(apiBase));
        }

        if (d.ApiVersion is { } version)
        {
            w.WriteString("api_version", version);
        }

        AdminWriter.WriteNumber(w, "rpm", d.Rpm);
        AdminWriter.WriteNumber(w, "tpm", d.Tpm);
        AdminWriter.WriteNumber(w, "max_retries", d.MaxRetries);
        w.WriteNumber("timeout", d.Timeout.TotalSeconds);
        w.WriteNumber("stream_timeout", d.StreamTimeout.TotalSeconds);
        if (d.Region is { } region)
        {
            w.WriteString("region_name", region);
        }

        w.WriteEndObject();
        w.WritePropertyName("model_info");
        w.WriteStartObject();
        w.WriteString("id", d.Id);
        w.WriteBoolean("db_model", stored is not null);
        w.WriteString("litellm_provider", d.Provider);
        WriteOptional(w, "mode", d.Mode);
        WriteOptional(w, "base_model", d.BaseModel);
        AdminWriter.WriteNumber(w, "max_input_tokens", d.MaxInputTokens);
        WriteCost(w, "input_cost_per_token", d.InputCostPerToken);
        WriteCost(w, "output_cost_per_token", d.OutputCostPerToken);
        WriteCost(w, "input_cost_per_query", d.InputCostPerQuery);
        w.WriteBoolean("enabled", d.Enabled);
        WriteOptional(w, "disabled_reason", d.DisabledReason);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>A stored deployment that is not in the route table (the file declares its id, or it is no longer valid).</summary>
    public static void WriteUnrouted(Utf8JsonWriter w, StoredModelState m)
    {
        var (parameters, info) = StoredDeployments.Parse(m.Record);
        w.WriteStartObject();
        w.WriteString("model_name", m.Record.ModelName);
        w.WritePropertyName("litellm_params");
        WriteRedacted(w, parameters);
        info["db_model"] = true;
        info["enabled"] = false;
        info["disabled_reason"] = m.Problem;
        w.WritePropertyName("model_info");
        info.WriteTo(w);
        w.WriteEndObject();
    }

    /// <summary>Stored litellm_params without credentials (encrypted or not) and with a stripped api_base.</summary>
    public static void WriteRedacted(Utf8JsonWriter w, JsonObject parameters)
    {
        w.WriteStartObject();
        foreach (var (name, value) in parameters)
        {
            if (StoredDeployments.CredentialParams.Contains(name) || (value is JsonValue v && v.TryGetValue<string>(out var s) && CredentialCipher.IsEncrypted(s)))
            {
                continue;
            }

            w.WritePropertyName(name);
            if (name is "api_base" or "base_url" && value is JsonValue b && b.TryGetValue<string>(out var url))
            {
                w.WriteStringValue(EffectiveConfig.StripCredentials(url));
            }
            else if (value is null)
            {
                w.WriteNullValue();
            }
            else
            {
                value.WriteTo(w);
            }
        }

        w.WriteEndObject();
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is not null)
        {
            w.WriteString(name, value);
        }
    }

    private static void WriteCost(Utf8JsonWriter w, string name, decimal? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
    }
}
