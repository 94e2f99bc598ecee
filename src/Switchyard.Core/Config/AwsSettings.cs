namespace Switchyard.Core.Config;

/// <summary>
/// A Bedrock deployment's AWS signing material, resolved at load: the key pair (and session token) from
/// litellm_params, a shared-credentials profile or the environment, the region that selects the endpoint, and where the
/// credentials came from (doctor shows it; the secrets themselves are never rendered). A class, not a record, so that
/// no generated ToString ever prints the secret.
/// </summary>
public sealed class AwsSettings
{
    public required string AccessKeyId { get; init; }

    public required string SecretAccessKey { get; init; }

    public string? SessionToken { get; init; }

    /// <summary>The region requests are signed for and, unless an endpoint is set, sent to.</summary>
    public required string Region { get; init; }

    /// <summary>Where the credentials came from: "litellm_params", "profile NAME" or "environment".</summary>
    public required string CredentialSource { get; init; }

    /// <summary>Where the region came from: "aws_region_name", "region_name", "AWS_REGION", "AWS_DEFAULT_REGION" or "default".</summary>
    public required string RegionSource { get; init; }

    /// <summary>The public runtime endpoint of a region: <c>https://bedrock-runtime.{region}.amazonaws.com</c>.</summary>
    public static string RuntimeEndpoint(string region) => $"https://bedrock-runtime.{region}.amazonaws.com";
}
