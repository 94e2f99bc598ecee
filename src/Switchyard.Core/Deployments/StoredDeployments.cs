using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Core.Config;
using Switchyard.Core.Tenancy;
using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Deployments;

/// <summary>
/// Deployments added through the admin API (/model/new): read and validated with the config loader's own rules
/// (<see cref="Check"/>), and merged into a config file's snapshot (<see cref="Merge"/>): the file wins on an id both
/// declare, exactly as a tenant declared in the file wins over one set through the API.
/// </summary>
public static class StoredDeployments
{
    /// <summary>litellm_params keys that hold provider credentials: encrypted at rest, never returned.</summary>
    public static readonly IReadOnlySet<string> CredentialParams = new HashSet<string>(StringComparer.Ordinal)
    {
        "api_key", "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "vertex_credentials", "azure_ad_token", "client_secret",
    };

    /// <summary>Variables a stored deployment may not name in an os.environ/ reference: they would send the gateway's own secrets upstream.</summary>
    private static readonly HashSet<string> ForbiddenVariables = ["SWITCHYARD_ENCRYPTION_KEY", "LITELLM_SALT_KEY", "DATABASE_URL", "LITELLM_MASTER_KEY", "SWITCHYARD_MASTER_KEY"];

    private static readonly JsonSerializerOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Reads one deployment (<paramref name="litellmParams"/> with clear credentials) exactly as a model_list entry is read:
    /// unknown provider prefix, missing or malformed api_base, bad numbers and modes are errors with their path
    /// (<c>litellm_params.api_base</c>, ...); unsupported keys are warnings. <c>file:</c> references are refused (an API
    /// caller must not read the gateway's files), and so are references to the gateway's own secrets.
    /// </summary>
    public static DeploymentCheck Check(string modelName, JsonObject litellmParams, JsonObject modelInfo, RouterSettings router, Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(litellmParams);
        ArgumentNullException.ThrowIfNull(modelInfo);
        ArgumentNullException.ThrowIfNull(router);
        var errors = new List<ConfigDiagnostic>();
        foreach (var (name, value) in litellmParams)
        {
            if (value is JsonValue v && v.TryGetValue<string>(out var s) && RefusedReference(s) is { } why)
            {
                errors.Add(new ConfigDiagnostic("litellm_params." + name, why));
            }
        }

        if (errors.Count > 0)
        {
            return new DeploymentCheck(null, errors, []);
        }

        var entry = new JsonObject
        {
            ["model_name"] = modelName,
            ["litellm_params"] = litellmParams.DeepClone(),
            ["model_info"] = modelInfo.DeepClone(),
        };
        var w = new YamlWalker();
        DeploymentConfig? deployment = null;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(entry.ToJsonString(Relaxed)));
            var secrets = new SecretResolver(environment, new Dictionary<string, string>(), Directory.GetCurrentDirectory());
            deployment = DeploymentReader.Read(w, stream.Documents[0].RootNode, "$", secrets, router);
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            w.Errors.Add(new ConfigDiagnostic("$", "cannot be read: " + e.Message));
        }

        var found = w.Errors.Select(Unrooted).ToArray();
        return new DeploymentCheck(found.Length == 0 ? deployment : null, found, w.Warnings.Select(Unrooted).ToArray());
    }

    /// <summary>
    /// The snapshot's config: the file's deployments, then every stored one whose id the file does not declare (decrypted
    /// with <paramref name="cipher"/>; a credential that cannot be decrypted leaves the deployment disabled, saying why).
    /// Offline standbys of groups that now have a real deployment are turned off, as at load.
    /// </summary>
    public static GatewayConfig Merge(GatewayConfig file, IReadOnlyList<StoredDeployment> stored, CredentialCipher? cipher, Func<string, string?> environment, out IReadOnlyList<StoredModelState> states)
    {
        ArgumentNullException.ThrowIfNull(file);
        ArgumentNullException.ThrowIfNull(stored);
        if (stored.Count == 0)
        {
            states = [];
            return file;
        }

        var fileIds = file.Deployments.Select(d => d.Id).ToHashSet(StringComparer.Ordinal);
        var list = new List<StoredModelState>(stored.Count);
        var merged = file.Deployments.ToList();
        var secrets = new HashSet<string>(file.SecretValues, StringComparer.Ordinal);
        foreach (var record in stored)
        {
            if (fileIds.Contains(record.ModelId))
            {
                list.Add(new StoredModelState(record, null, $"the config file declares a deployment with id '{record.ModelId}'; the file's wins") { Shadowed = true });
                continue;
            }

            var (parameters, info) = Parse(record);
            var problem = Decrypt(parameters, cipher, secrets);
            var check = Check(record.ModelName, parameters, info, file.Router, environment);
            if (check.Deployment is not { } d)
            {
                list.Add(new StoredModelState(record, null, problem ?? "not valid under the current config: " + string.Join("; ", check.Errors)) { Undecryptable = problem is not null });
                continue;
            }

            if (problem is not null)
            {
                d = d with { Enabled = false, DisabledReason = problem };
            }

            merged.Add(d);
            list.Add(new StoredModelState(record, d, problem) { Undecryptable = problem is not null });
        }

        var groupsWithReal = merged.Where(d => d.Enabled && !d.OfflineStandby).Select(d => d.ModelName).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < merged.Count; i++)
        {
            if (merged[i].OfflineStandby && merged[i].Enabled && groupsWithReal.Contains(merged[i].ModelName))
            {
                merged[i] = merged[i] with { Enabled = false, DisabledReason = "offline standby: the group has enabled provider deployments" };
            }
        }

        states = list;
        return file with { Deployments = merged, SecretValues = secrets };
    }

    /// <summary>Whether a credential is an os.environ/ reference (stored as written: it names a secret, it is not one).</summary>
    public static bool IsEnvironmentReference(string value) => value.StartsWith(SecretResolver.EnvPrefix, StringComparison.Ordinal);

    /// <summary>A stored record's litellm_params and model_info (its id set to the record's).</summary>
    public static (JsonObject Params, JsonObject Info) Parse(StoredDeployment record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var parameters = JsonNode.Parse(record.LitellmParamsJson) as JsonObject ?? [];
        var info = JsonNode.Parse(record.ModelInfoJson) as JsonObject ?? [];
        info["id"] = record.ModelId;
        return (parameters, info);
    }

    /// <summary>Replaces encrypted credentials with their clear values in place; the problem when one cannot be decrypted (it is removed).</summary>
    private static string? Decrypt(JsonObject parameters, CredentialCipher? cipher, HashSet<string> secrets)
    {
        string? problem = null;
        foreach (var name in parameters.Select(p => p.Key).ToArray())
        {
            if (parameters[name] is not JsonValue v || !v.TryGetValue<string>(out var value) || !CredentialCipher.IsEncrypted(value))
            {
                continue;
            }

            if (cipher is null)
            {
                problem ??= $"litellm_params.{name} is encrypted and no encryption key is set (switchyard.store.encryption_key, SWITCHYARD_ENCRYPTION_KEY or LITELLM_SALT_KEY)";
                parameters.Remove(name);
            }
            else if (cipher.TryDecrypt(value, out var clear))
            {
                parameters[name] = clear;
                if (clear.Length >= 4)
                {
                    secrets.Add(clear);
                }
            }
            else
            {
                problem ??= $"litellm_params.{name} cannot be decrypted: the encryption key is not the one it was stored with";
                parameters.Remove(name);
            }
        }

        return problem;
    }

    private static string? RefusedReference(string value)
    {
        if (value.StartsWith(SecretResolver.FilePrefix, StringComparison.Ordinal))
        {
            return "file: references are not accepted through the admin API (they would read the gateway's files); send the value or an os.environ/ reference";
        }

        return value.StartsWith(SecretResolver.EnvPrefix, StringComparison.Ordinal) && ForbiddenVariables.Contains(value[SecretResolver.EnvPrefix.Length..])
            ? $"'{value}' names one of the gateway's own secrets; it cannot be sent to a provider"
            : null;
    }

    private static ConfigDiagnostic Unrooted(ConfigDiagnostic d) => d with { Path = d.Path.StartsWith("$.", StringComparison.Ordinal) ? d.Path[2..] : d.Path.TrimStart('$'), Line = null };
}
