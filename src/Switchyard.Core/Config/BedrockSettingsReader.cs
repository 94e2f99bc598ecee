using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>
/// The Bedrock side of a model_list entry, as LiteLLM reads it: bare model ids (<c>anthropic.claude-...</c>,
/// <c>amazon.titan-...</c>, <c>us.anthropic.claude-...</c> inference profiles) and <c>bedrock/converse/</c>; the
/// credentials from <c>aws_access_key_id</c>/<c>aws_secret_access_key</c>/<c>aws_session_token</c>, else the profile
/// <c>aws_profile_name</c> (or AWS_PROFILE) of the shared credentials file, else AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/
/// AWS_SESSION_TOKEN; the region from <c>aws_region_name</c>, <c>region_name</c>, AWS_REGION, AWS_DEFAULT_REGION, else
/// us-west-2 (LiteLLM's default); the endpoint <c>https://bedrock-runtime.{region}.amazonaws.com</c> unless
/// <c>aws_bedrock_runtime_endpoint</c> or <c>api_base</c> names another.
/// </summary>
internal static class BedrockSettingsReader
{
    public const string DefaultRegion = "us-west-2";

    /// <summary>litellm_params keys only Bedrock deployments read.</summary>
    public static readonly HashSet<string> Keys =
    [
        "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "aws_region_name", "aws_profile_name", "aws_bedrock_runtime_endpoint",
    ];

    /// <summary>Model providers whose Bedrock model ids LiteLLM routes to Bedrock when written bare (<c>anthropic.claude-...</c>).</summary>
    private static readonly string[] Vendors = ["anthropic.", "amazon.", "meta.", "mistral.", "cohere.", "ai21.", "deepseek.", "writer.", "qwen."];

    /// <summary>Cross-region inference profile prefixes (<c>us.anthropic.claude-...</c>).</summary>
    private static readonly string[] Geographies = ["us.", "eu.", "apac.", "us-gov.", "jp.", "au.", "ca.", "global."];

    /// <summary>Whether a model written without a provider prefix is a Bedrock model id (LiteLLM's bare ids).</summary>
    public static bool IsBareModelId(string model)
    {
        var rest = model;
        foreach (var g in Geographies)
        {
            if (rest.StartsWith(g, StringComparison.Ordinal))
            {
                rest = rest[g.Length..];
                break;
            }
        }

        return Vendors.Any(v => rest.StartsWith(v, StringComparison.Ordinal) && rest.Length > v.Length);
    }

    /// <summary>The model id after <c>bedrock/</c>: LiteLLM's route hints <c>converse/</c> and <c>invoke/</c> are dropped (both are sent through Converse).</summary>
    public static string ModelId(string providerModel)
    {
        foreach (var hint in (ReadOnlySpan<string>)["converse/", "invoke/"])
        {
            if (providerModel.StartsWith(hint, StringComparison.Ordinal))
            {
                return providerModel[hint.Length..];
            }
        }

        return providerModel;
    }

    /// <summary>
    /// Resolves the settings; a missing credential disables the deployment (the reason returned) while the file loads.
    /// <paramref name="raw"/> holds the aws_* values as written with their nodes.
    /// </summary>
    public static (AwsSettings? Settings, string Region, string Endpoint, string? DisabledReason) Read(
        YamlWalker w, SecretResolver secrets, IReadOnlyDictionary<string, (string Value, YamlNode Node, string Path)> raw, string? regionName,
        string paramsPath, YamlNode paramsNode)
    {
        string? Param(string name, out string? reason)
        {
            reason = null;
            if (!raw.TryGetValue(name, out var v))
            {
                return null;
            }

            var resolved = secrets.Resolve(v.Value, out reason);
            if (resolved is null)
            {
                w.Warn(v.Path, v.Node, reason + "; deployment disabled");
            }

            return resolved;
        }

        var named = Param("aws_region_name", out var regionReason);
        var disabled = raw.ContainsKey("aws_region_name") && named is null ? regionReason : null;
        var (region, regionSource) = named is not null ? (named, "aws_region_name")
            : regionName is { Length: > 0 } ? (regionName, "region_name")
            : secrets.Variable("AWS_REGION") is { } fromRegion ? (fromRegion, "AWS_REGION")
            : secrets.Variable("AWS_DEFAULT_REGION") is { } fromDefault ? (fromDefault, "AWS_DEFAULT_REGION")
            : (DefaultRegion, "default");
        if (!IsRegion(region))
        {
            var (path, node) = raw.TryGetValue("aws_region_name", out var rn) ? (rn.Path, rn.Node) : (paramsPath, paramsNode);
            w.Error(path, node, $"'{region}' ({regionSource}) is not an AWS region name (like us-east-1)");
        }

        var endpoint = Param("aws_bedrock_runtime_endpoint", out var endpointReason);
        disabled ??= raw.ContainsKey("aws_bedrock_runtime_endpoint") && endpoint is null ? endpointReason : null;

        string? key, secret, token;
        string source;
        if (raw.ContainsKey("aws_access_key_id") || raw.ContainsKey("aws_secret_access_key"))
        {
            key = Param("aws_access_key_id", out var r1);
            secret = Param("aws_secret_access_key", out var r2);
            token = Param("aws_session_token", out var r3);
            source = "litellm_params";
            disabled ??= r1 ?? r2 ?? r3;
            if (disabled is null && (key is null || secret is null))
            {
                disabled = key is null ? "aws_secret_access_key is set but aws_access_key_id is not" : "aws_access_key_id is set but aws_secret_access_key is not";
            }
        }
        else if ((Param("aws_profile_name", out var profileReason) ?? secrets.Variable("AWS_PROFILE")) is { } profileName)
        {
            var file = AwsProfileFile.DefaultPath(secrets.Variable);
            var profile = AwsProfileFile.Read(file, profileName);
            secrets.Fingerprint.File(file, profile is { } f ? f.AccessKeyId + "\n" + f.SecretAccessKey + "\n" + f.SessionToken : null);
            (key, secret, token) = profile ?? (null, null, null);
            source = "profile " + profileName;
            disabled ??= profile is null ? $"AWS profile '{profileName}' is not in {file}"
                : key is null || secret is null ? $"AWS profile '{profileName}' in {file} has no aws_access_key_id and aws_secret_access_key" : null;
            foreach (var s in (ReadOnlySpan<string?>)[key, secret, token])
            {
                if (s is not null)
                {
                    secrets.ValuesRead.Add(s);
                }
            }
        }
        else
        {
            disabled ??= profileReason;
            key = secrets.Variable("AWS_ACCESS_KEY_ID");
            secret = secrets.Variable("AWS_SECRET_ACCESS_KEY");
            token = secrets.Variable("AWS_SESSION_TOKEN");
            source = "environment";
            disabled ??= key is null || secret is null
                ? "no AWS credentials: set aws_access_key_id and aws_secret_access_key (os.environ/ references), aws_profile_name, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY"
                : null;
            foreach (var s in (ReadOnlySpan<string?>)[key, secret, token])
            {
                if (s is not null)
                {
                    secrets.ValuesRead.Add(s);
                }
            }
        }

        if (disabled is not null || key is null || secret is null)
        {
            return (null, region, endpoint ?? AwsSettings.RuntimeEndpoint(region), disabled ?? "no AWS credentials");
        }

        return (new AwsSettings
        {
            AccessKeyId = key,
            SecretAccessKey = secret,
            SessionToken = token,
            Region = region,
            CredentialSource = source,
            RegionSource = regionSource,
        }, region, endpoint ?? AwsSettings.RuntimeEndpoint(region), null);
    }

    private static bool IsRegion(string region)
        => region.Length is >= 6 and <= 30 && region.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') && region.Contains('-', StringComparison.Ordinal);
}
