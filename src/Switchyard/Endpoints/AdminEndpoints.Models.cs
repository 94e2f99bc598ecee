using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Core.Config;
using Switchyard.Core.Deployments;
using Switchyard.Core.Failures;
using Switchyard.Core.Tenancy;

namespace Switchyard.Endpoints;

/// <summary>
/// Deployment routes: <c>/model/new</c>, <c>/model/update</c>, <c>/model/delete</c> (global admins), <c>/model/info</c> and
/// <c>/v1/model/info</c> (any key, the deployments of the models it may call). Deployments are stored beside the config
/// file's, validated with the config loader's rules, their credentials encrypted at rest and never returned; the file's
/// deployments are read-only here, and a stored one with an id the file declares is not routed (the file wins).
/// </summary>
public sealed partial class AdminEndpoints
{
    public Task NewModel(HttpContext c) => Gate(c, new Route(Access.GlobalAdmin, What: "adding a deployment"), async (_, body, ct) =>
    {
        var modelName = AdminJson.String(body, "model_name") ?? throw Missing("model_name");
        var parameters = Object(body, "litellm_params") ?? throw Missing("litellm_params");
        var info = Object(body, "model_info") ?? [];
        var id = info["id"] is null ? Guid.CreateVersion7().ToString() : AdminJson.String(info, "id") is { Length: > 0 } given ? given : throw AdminJson.Invalid("model_info.id", "a non-empty string");
        Audit.AuditEntry.Of(c)?.Describe(id, detail: $"model_name {modelName}");
        RefuseFileDeployment(id);
        if (state.Current.StoredModels.Any(m => m.Record.ModelId == id))
        {
            throw new AdminFailure(new FailureSummary { Status = 409, Type = FailureType.InvalidRequest, Code = "model_exists", Param = "model_info.id", Message = $"a stored deployment with id '{id}' exists; use /model/update" });
        }

        var now = time.GetUtcNow();
        var record = Validated(id, modelName, parameters, info, now, now, out var warnings);
        await models.SaveAsync(record, ct);
        return w => WriteSaved(w, record, warnings);
    });

    public Task UpdateModel(HttpContext c) => Gate(c, new Route(Access.GlobalAdmin, What: "changing a deployment"), async (_, body, ct) =>
    {
        var info = Object(body, "model_info");
        var id = (info is null ? null : AdminJson.String(info, "id")) ?? AdminJson.String(body, "id") ?? AdminJson.String(body, "model_id") ?? throw Missing("model_info.id");
        RefuseFileDeployment(id);
        var existing = StoredOrNotFound(id);
        var (parameters, storedInfo) = StoredDeployments.Parse(existing);
        Patch(parameters, Object(body, "litellm_params"));
        Patch(storedInfo, info);
        var record = Validated(id, AdminJson.String(body, "model_name") ?? existing.ModelName, parameters, storedInfo, existing.CreatedAt, time.GetUtcNow(), out var warnings);
        await models.SaveAsync(record, ct);
        return w => WriteSaved(w, record, warnings);
    });

    public Task DeleteModel(HttpContext c) => Gate(c, new Route(Access.GlobalAdmin, What: "deleting a deployment"), async (_, body, ct) =>
    {
        var id = AdminJson.String(body, "id") ?? AdminJson.String(body, "model_id") ?? throw Missing("id");
        RefuseFileDeployment(id);
        StoredOrNotFound(id);
        await models.DeleteAsync(id, ct);
        return w => w.WriteString("message", $"Model: {id} deleted successfully");
    });

    public Task ModelInfo(HttpContext c) => Gate(c, new Route(Access.AnyKey, ReadsBody: false), async (caller, _, ct) =>
    {
        await Task.CompletedTask;
        var snapshot = state.Current;
        var only = c.Request.Query["litellm_model_id"].ToString();
        var stored = snapshot.StoredModels.ToDictionary(m => m.Record.ModelId, StringComparer.Ordinal);
        bool Visible(string id, string group) => (only.Length == 0 || only == id) && (caller.IsGlobalAdmin || caller.MayUse(group, group));
        return w =>
        {
            w.WriteStartArray("data");
            foreach (var d in snapshot.Config.Deployments.Where(d => Visible(d.Id, d.ModelName)))
            {
                var state = stored.GetValueOrDefault(d.Id);
                ModelWriter.WriteDeployment(w, d, state);
            }

            foreach (var m in snapshot.StoredModels.Where(m => m.Deployment is null && Visible(m.Record.ModelId, m.Record.ModelName)))
            {
                ModelWriter.WriteUnrouted(w, m);
            }

            w.WriteEndArray();
        };
    });

    /// <summary>
    /// The stored form of a deployment: validated exactly as a model_list entry (400 naming every error, nothing
    /// stored), its clear credentials encrypted (refused when no encryption key is set); os.environ/ references and
    /// already-encrypted values are kept as they are.
    /// </summary>
    private StoredDeployment Validated(string id, string modelName, JsonObject parameters, JsonObject info, DateTimeOffset created, DateTimeOffset updated, out IReadOnlyList<ConfigDiagnostic> warnings)
    {
        info["id"] = id;
        var config = state.Current.Config;
        var check = StoredDeployments.Check(modelName, parameters, info, config.Router, Environment.GetEnvironmentVariable);
        if (check.Errors.Count > 0)
        {
            throw new AdminFailure(FailureSummary.BadRequest(
                "invalid deployment: " + string.Join("; ", check.Errors.Select(e => e.ToString())), check.Errors[0].Path, "invalid_deployment"));
        }

        CredentialCipher? cipher = null;
        foreach (var name in parameters.Select(p => p.Key).Where(StoredDeployments.CredentialParams.Contains).ToArray())
        {
            if (parameters[name] is null)
            {
                continue;
            }

            if (parameters[name] is not JsonValue v || !v.TryGetValue<string>(out var value))
            {
                throw AdminJson.Invalid("litellm_params." + name, "a string");
            }

            if (CredentialCipher.IsEncrypted(value) || StoredDeployments.IsEnvironmentReference(value))
            {
                continue;
            }

            cipher ??= config.Store.EncryptionKey is { Length: > 0 } key ? new CredentialCipher(key) : throw new AdminFailure(new FailureSummary
            {
                Status = 400,
                Type = FailureType.InvalidRequest,
                Code = "encryption_key_missing",
                Param = "litellm_params." + name,
                Message = $"storing litellm_params.{name} needs an encryption key, and none is set: set switchyard.store.encryption_key (os.environ/NAME works) "
                    + "or the SWITCHYARD_ENCRYPTION_KEY environment variable (LITELLM_SALT_KEY is read too), or send the credential as an os.environ/NAME reference",
            });
            parameters[name] = cipher.Encrypt(value);
        }

        warnings = check.Warnings;
        var storedInfo = (JsonObject)info.DeepClone();
        storedInfo.Remove("id");
        return new StoredDeployment
        {
            ModelId = id,
            ModelName = modelName,
            LitellmParamsJson = parameters.ToJsonString(),
            ModelInfoJson = storedInfo.ToJsonString(),
            CreatedAt = created,
            UpdatedAt = updated,
        };
    }

    private StoredDeployment StoredOrNotFound(string id)
        => state.Current.StoredModels.FirstOrDefault(m => m.Record.ModelId == id)?.Record ?? throw NotFound("model_info.id", $"no stored deployment with id '{id}'");

    private void RefuseFileDeployment(string id)
    {
        if (state.FileConfig.Deployments.Any(d => d.Id == id))
        {
            throw new AdminFailure(new FailureSummary
            {
                Status = 409,
                Type = FailureType.InvalidRequest,
                Code = "declared_in_config",
                Param = "model_info.id",
                Message = $"deployment '{id}' comes from the config file ({state.FileConfig.SourcePath ?? "the config given at start"}); change it there and reload",
            });
        }
    }

    private static JsonObject? Object(JsonObject body, string name) => body[name] switch
    {
        null => null,
        JsonObject o => (JsonObject)o.DeepClone(),
        _ => throw AdminJson.Invalid(name, "an object"),
    };

    /// <summary>LiteLLM's partial update: a field sent replaces the stored one, a field sent as null removes it.</summary>
    private static void Patch(JsonObject target, JsonObject? patch)
    {
        foreach (var (name, value) in patch ?? [])
        {
            if (value is null)
            {
                target.Remove(name);
            }
            else
            {
                target[name] = value.DeepClone();
            }
        }
    }

    private static void WriteSaved(Utf8JsonWriter w, StoredDeployment record, IReadOnlyList<ConfigDiagnostic> warnings)
    {
        var (parameters, info) = StoredDeployments.Parse(record);
        w.WriteString("model_id", record.ModelId);
        w.WriteString("model_name", record.ModelName);
        w.WritePropertyName("litellm_params");
        ModelWriter.WriteRedacted(w, parameters);
        info["db_model"] = true;
        w.WritePropertyName("model_info");
        info.WriteTo(w);
        AdminWriter.WriteTime(w, "created_at", record.CreatedAt);
        AdminWriter.WriteTime(w, "updated_at", record.UpdatedAt);
        if (warnings.Count > 0)
        {
            AdminWriter.WriteStrings(w, "warnings", warnings.Select(x => x.ToString()));
        }
    }
}
