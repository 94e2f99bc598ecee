using System.Text.Json.Serialization;

namespace Switchyard.Core.Config;

/// <summary>
/// A Vertex AI deployment's project, location and Google credentials, resolved at load: the project and location that
/// name the model's resource (<c>projects/{project}/locations/{location}/publishers/…</c>) and, for the location, the
/// endpoint; the credentials as a service-account (or other Google credentials) JSON, or none for the metadata server.
/// Where each came from is kept for doctor; the JSON itself is never rendered (a class, not a record, so that no
/// generated ToString prints it).
/// </summary>
public sealed class VertexSettings
{
    /// <summary>The scope every Vertex access token is asked for.</summary>
    public const string Scope = "https://www.googleapis.com/auth/cloud-platform";

    public required string Project { get; init; }

    /// <summary>Where the project came from: "vertex_project", "vertex_ai_project", "VERTEXAI_PROJECT", "credentials project_id", ...</summary>
    public required string ProjectSource { get; init; }

    /// <summary>The location (us-central1, europe-west4, global, us, eu): part of every resource name and, unless api_base is set, of the host.</summary>
    public required string Location { get; init; }

    /// <summary>Where the location came from: "vertex_location", "vertex_ai_location", "region_name", "VERTEXAI_LOCATION", "default".</summary>
    public required string LocationSource { get; init; }

    /// <summary>Where the credentials come from, for doctor and logs (a path, "inline", "metadata server {host}"); never the secret.</summary>
    public required string CredentialSource { get; init; }

    /// <summary>The credentials JSON (service_account, authorized_user or external_account); null: the GCE metadata server.</summary>
    [JsonIgnore]
    public string? CredentialsJson { get; init; }

    /// <summary>The metadata server's host (GCE_METADATA_HOST, else metadata.google.internal) when <see cref="CredentialsJson"/> is null.</summary>
    public string? MetadataHost { get; init; }

    /// <summary>One credentials source, one key: deployments that share it share one credential and its cached token.</summary>
    [JsonIgnore]
    public string CredentialKey => CredentialsJson is { } json
        ? "json:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(json)))
        : "metadata:" + MetadataHost;

    /// <summary>
    /// The public endpoint of a location: <c>https://aiplatform.googleapis.com</c> for <c>global</c>,
    /// <c>https://aiplatform.{geo}.rep.googleapis.com</c> for a multi-region (<c>us</c>, <c>eu</c>), else
    /// <c>https://{location}-aiplatform.googleapis.com</c>.
    /// </summary>
    public static string Endpoint(string location)
        => location == "global" ? "https://aiplatform.googleapis.com"
            : !location.Contains('-', StringComparison.Ordinal) ? $"https://aiplatform.{location}.rep.googleapis.com"
            : $"https://{location}-aiplatform.googleapis.com";
}
