using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>
/// The Vertex AI side of a model_list entry, as LiteLLM reads it: the project from <c>vertex_project</c> (or
/// <c>vertex_ai_project</c>), VERTEXAI_PROJECT, the credentials' own project_id (quota_project_id for gcloud user
/// credentials), else GOOGLE_CLOUD_PROJECT; the location from <c>vertex_location</c> (or <c>vertex_ai_location</c>),
/// <c>region_name</c>, VERTEXAI_LOCATION, VERTEX_LOCATION, else us-central1; the credentials from
/// <c>vertex_credentials</c> (or <c>vertex_ai_credentials</c>, VERTEXAI_CREDENTIALS): a path to a credentials JSON file
/// or the JSON itself (inline, a YAML mapping, or through <c>os.environ/</c>), else Application Default Credentials:
/// GOOGLE_APPLICATION_CREDENTIALS, gcloud's application_default_credentials.json, then the GCE metadata server
/// (GCE_METADATA_HOST, else metadata.google.internal).
/// </summary>
internal static partial class VertexSettingsReader
{
    public const string DefaultLocation = "us-central1";

    /// <summary>litellm_params keys only Vertex AI deployments read.</summary>
    public static readonly HashSet<string> Keys =
    [
        "vertex_project", "vertex_ai_project", "vertex_location", "vertex_ai_location", "vertex_credentials", "vertex_ai_credentials",
    ];

    /// <summary>
    /// Resolves the settings: a missing project is an error; credentials that cannot be read disable the deployment (the
    /// reason returned) while the file loads. <paramref name="raw"/> holds the vertex_* values as written (a mapping as JSON).
    /// </summary>
    public static (VertexSettings? Settings, string Endpoint, string? DisabledReason) Read(
        YamlWalker w, SecretResolver secrets, IReadOnlyDictionary<string, (string Value, YamlNode Node, string Path)> raw, string? regionName,
        string paramsPath, YamlNode paramsNode)
    {
        string? disabled = null;

        (string? Value, string Source) First(params string[] names)
        {
            foreach (var name in names)
            {
                if (raw.TryGetValue(name, out var v))
                {
                    var resolved = secrets.Resolve(v.Value, out var reason);
                    if (resolved is null)
                    {
                        w.Warn(v.Path, v.Node, reason + "; deployment disabled");
                        disabled ??= reason;
                    }

                    return (resolved, name);
                }
            }

            return (null, "");
        }

        string? location;
        string locationSource;
        if (raw.ContainsKey("vertex_location") || raw.ContainsKey("vertex_ai_location"))
        {
            (location, locationSource) = First("vertex_location", "vertex_ai_location");
        }
        else
        {
            (location, locationSource) = regionName is { Length: > 0 } ? (regionName, "region_name")
                : secrets.Variable("VERTEXAI_LOCATION") is { } fromEnv ? (fromEnv, "VERTEXAI_LOCATION")
                : secrets.Variable("VERTEX_LOCATION") is { } fromOther ? (fromOther, "VERTEX_LOCATION")
                : (DefaultLocation, "default");
        }

        location ??= DefaultLocation;
        if (!LocationName().IsMatch(location))
        {
            var (path, node) = raw.TryGetValue(locationSource, out var ln) ? (ln.Path, ln.Node) : (paramsPath, paramsNode);
            w.Error(path, node, $"'{location}' ({locationSource}) is not a Google Cloud location (like us-central1, europe-west4, global)");
            location = DefaultLocation;
        }

        var (json, credentialSource, credentialProblem) = Credentials(secrets, raw, w, paramsPath, paramsNode, ref disabled);
        string? project;
        string projectSource;
        if (raw.ContainsKey("vertex_project") || raw.ContainsKey("vertex_ai_project"))
        {
            (project, projectSource) = First("vertex_project", "vertex_ai_project");
        }
        else
        {
            (project, projectSource) = secrets.Variable("VERTEXAI_PROJECT") is { } fromEnv ? (fromEnv, "VERTEXAI_PROJECT")
                : ProjectOf(json) is { } fromJson ? (fromJson.Project, "credentials " + fromJson.Field)
                : secrets.Variable("GOOGLE_CLOUD_PROJECT") is { } fromCloud ? (fromCloud, "GOOGLE_CLOUD_PROJECT")
                : (null, "");
            if (project is null && disabled is null && credentialProblem is null)
            {
                w.Error(paramsPath, paramsNode, "vertex_ai/ deployments need a project: set vertex_project (or VERTEXAI_PROJECT), or use service-account credentials whose JSON names a project_id");
            }
        }

        var endpoint = VertexSettings.Endpoint(location);
        disabled ??= credentialProblem;
        if (disabled is not null || project is null)
        {
            return (null, endpoint, disabled ?? "no Vertex AI project");
        }

        return (new VertexSettings
        {
            Project = project,
            ProjectSource = projectSource,
            Location = location,
            LocationSource = locationSource,
            CredentialSource = credentialSource,
            CredentialsJson = json,
            MetadataHost = json is null ? secrets.Variable("GCE_METADATA_HOST") ?? "metadata.google.internal" : null,
        }, endpoint, null);
    }

    /// <summary>The credentials JSON and where it came from; null JSON means the metadata server. A problem disables the deployment.</summary>
    private static (string? Json, string Source, string? Problem) Credentials(
        SecretResolver secrets, IReadOnlyDictionary<string, (string Value, YamlNode Node, string Path)> raw, YamlWalker w, string paramsPath, YamlNode paramsNode,
        ref string? disabled)
    {
        foreach (var name in (ReadOnlySpan<string>)["vertex_credentials", "vertex_ai_credentials"])
        {
            if (!raw.TryGetValue(name, out var v))
            {
                continue;
            }

            var value = secrets.Resolve(v.Value, out var reason);
            if (value is null)
            {
                w.Warn(v.Path, v.Node, reason + "; deployment disabled");
                disabled ??= reason;
                return (null, name, reason);
            }

            var via = v.Value.StartsWith(SecretResolver.EnvPrefix, StringComparison.Ordinal) ? $"{name} ({v.Value})" : name;
            return Load(secrets, value, via, v.Path, v.Node, w);
        }

        if (secrets.Variable("VERTEXAI_CREDENTIALS") is { } fromEnv)
        {
            secrets.ValuesRead.Add(fromEnv);
            return Load(secrets, fromEnv, "VERTEXAI_CREDENTIALS", paramsPath, paramsNode, w);
        }

        if (secrets.Variable("GOOGLE_APPLICATION_CREDENTIALS") is { } adc)
        {
            return Load(secrets, adc, "GOOGLE_APPLICATION_CREDENTIALS", paramsPath, paramsNode, w, pathOnly: true);
        }

        var gcloud = Path.Combine(
            secrets.Variable("CLOUDSDK_CONFIG") ?? Path.Combine(secrets.Variable("HOME") ?? Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".config", "gcloud"),
            "application_default_credentials.json");
        if (File.Exists(gcloud))
        {
            return Load(secrets, gcloud, "gcloud application default credentials", paramsPath, paramsNode, w, pathOnly: true);
        }

        var host = secrets.Variable("GCE_METADATA_HOST") ?? "metadata.google.internal";
        return (null, $"the GCE metadata server ({host})", null);
    }

    /// <summary>The JSON itself (text starting with '{') or a path to it, checked: a problem is warned about at the key and returned.</summary>
    private static (string? Json, string Source, string? Problem) Load(SecretResolver secrets, string value, string via, string path, YamlNode node, YamlWalker w, bool pathOnly = false)
    {
        string json, source;
        if (!pathOnly && value.TrimStart().StartsWith('{'))
        {
            (json, source) = (value, via + " (inline JSON)");
        }
        else
        {
            var file = secrets.ResolvePath(value.Trim());
            source = $"{via}: file {file}";
            try
            {
                json = File.ReadAllText(file);
                secrets.FilesRead.Add(file);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                secrets.Fingerprint.File(file, null);
                return Problem($"{via}: credentials file {file} cannot be read ({e.GetType().Name})");
            }

            secrets.Fingerprint.File(file, json);
        }

        secrets.ValuesRead.Add(json);
        if (Check(json) is { } problem)
        {
            return Problem($"{source}: {problem}");
        }

        if (PrivateKey(json) is { } key)
        {
            secrets.ValuesRead.Add(key);
        }

        return (json, source, null);

        (string?, string, string?) Problem(string message)
        {
            w.Warn(path, node, message + "; deployment disabled");
            return (null, via, message);
        }
    }

    /// <summary>What is wrong with a credentials JSON (never quoting its secrets), or null.</summary>
    private static string? Check(string json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json);
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return "is not a JSON object";
            }

            var type = root.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            switch (type)
            {
                case "service_account":
                    if (!HasString(root, "client_email") || !HasString(root, "private_key"))
                    {
                        return "a service_account JSON needs client_email and private_key";
                    }

                    try
                    {
                        using var rsa = RSA.Create();
                        rsa.ImportFromPem(root.GetProperty("private_key").GetString());
                    }
                    catch (Exception e) when (e is ArgumentException or CryptographicException)
                    {
                        return "its private_key is not a PEM RSA private key";
                    }

                    return null;
                case "authorized_user":
                    return HasString(root, "client_id") && HasString(root, "client_secret") && HasString(root, "refresh_token")
                        ? null : "an authorized_user JSON needs client_id, client_secret and refresh_token";
                case "external_account" or "impersonated_service_account":
                    return null;
                default:
                    return $"'type' is {(type is null ? "missing" : "'" + type + "'")}; expected service_account, authorized_user or external_account";
            }
        }
        catch (JsonException)
        {
            return "is not valid JSON";
        }
    }

    private static bool HasString(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString()!.Length > 0;

    private static string? PrivateKey(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.TryGetProperty("private_key", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
    }

    /// <summary>The project a credentials JSON names: project_id (service accounts), else quota_project_id (gcloud user credentials).</summary>
    private static (string Project, string Field)? ProjectOf(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(json);
        foreach (var field in (ReadOnlySpan<string>)["project_id", "quota_project_id"])
        {
            if (doc.RootElement.TryGetProperty(field, out var p) && p.ValueKind == JsonValueKind.String && p.GetString() is { Length: > 0 } project)
            {
                return (project, field);
            }
        }

        return null;
    }

    [GeneratedRegex("^[a-z][a-z0-9-]{1,40}$")]
    private static partial Regex LocationName();
}
