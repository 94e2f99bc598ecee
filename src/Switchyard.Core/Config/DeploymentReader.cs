using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>Reads one model_list entry (model_name, litellm_params, model_info) into a deployment.</summary>
internal static class DeploymentReader
{
    private static readonly HashSet<string> EntryKeys = ["model_name", "litellm_params", "model_info"];

    /// <summary>litellm_params keys with their own meaning.</summary>
    private static readonly HashSet<string> ParamKeys =
    [
        "model", "api_base", "base_url", "api_key", "api_version", "timeout", "stream_timeout", "max_retries", "rpm", "tpm",
        "weight", "order", "region_name", "input_cost_per_token", "output_cost_per_token", "input_cost_per_query", "cache_read_input_token_cost",
        "cache_creation_input_token_cost", "cache_creation_input_token_cost_above_1hr", "mock_response", "mock_latency_ms",
        "mock_fail_status", "responses", "drop_params", "tags", "organization", "extra_headers", "custom_llm_provider",
    ];

    /// <summary>litellm_params keys taken as request defaults (added when the caller did not send them).</summary>
    private static readonly HashSet<string> DefaultParamKeys =
    [
        "max_tokens", "max_completion_tokens", "temperature", "top_p", "seed", "stop", "presence_penalty", "frequency_penalty",
        "n", "user", "response_format", "reasoning_effort", "parallel_tool_calls", "logit_bias", "service_tier",
    ];

    private static readonly HashSet<string> InfoKeys =
    [
        "id", "base_model", "max_input_tokens", "max_output_tokens", "max_tokens", "input_cost_per_token", "output_cost_per_token", "input_cost_per_query",
        "cache_read_input_token_cost", "cache_creation_input_token_cost", "cache_creation_input_token_cost_above_1hr", "mode", "offline_standby", "description",
    ];

    /// <summary>model_info keys LiteLLM acts on (access, health checks, tag routing) that Switchyard does not reproduce.</summary>
    private static readonly HashSet<string> ActedOnInfoKeys =
    [
        "access_groups", "team_id", "team_public_model_name", "tier", "health_check_timeout", "health_check_model",
        "health_check_max_tokens", "enable_tag_filtering",
    ];

    public static DeploymentConfig? Read(YamlWalker w, YamlNode node, string path, SecretResolver secrets, RouterSettings router)
    {
        var map = w.Mapping(node, path);
        if (map is null)
        {
            return null;
        }

        var entry = w.Entries(map, path, EntryKeys).ToDictionary(e => e.Key, e => e);
        var modelName = entry.TryGetValue("model_name", out var mn) ? w.String(mn.Value, mn.Path) : null;
        if (string.IsNullOrWhiteSpace(modelName))
        {
            w.Error(path + ".model_name", node, "is required");
        }

        var paramsPath = path + ".litellm_params";
        var pm = entry.TryGetValue("litellm_params", out var lp) ? w.Mapping(lp.Value, paramsPath) : null;
        if (pm is null)
        {
            w.Error(paramsPath, node, "is required (with at least model: provider/model)");
            return null;
        }

        string? model = null, apiBase = null, apiKeyRaw = null, apiVersion = null, region = null, mockResponse = null, responses = null;
        YamlNode? responsesNode = null;
        TimeSpan? timeout = null, streamTimeout = null, mockLatency = null;
        int? maxRetries = null, rpm = null, tpm = null, order = null, mockFail = null;
        bool? dropParams = null;
        IReadOnlyList<string>? tags = null;
        string? organization = null, customProvider = null;
        var extraHeaders = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var aws = new Dictionary<string, (string Value, YamlNode Node, string Path)>(StringComparer.Ordinal);
        var vertex = new Dictionary<string, (string Value, YamlNode Node, string Path)>(StringComparer.Ordinal);
        double? weight = null;
        decimal? inCost = null, outCost = null, queryCost = null, cacheReadCost = null, cacheWriteCost = null, cacheWrite1hCost = null;
        YamlNode? keyNode = null, modelNode = null;
        var defaults = new Dictionary<string, JsonNode?>(router.DefaultParams.Select(kv => KeyValuePair.Create(kv.Key, kv.Value?.DeepClone())), StringComparer.Ordinal);
        foreach (var (k, v, p) in w.Entries(pm, paramsPath))
        {
            if (DefaultParamKeys.Contains(k))
            {
                defaults[k] = YamlWalker.ToJson(v);
                continue;
            }

            if (BedrockSettingsReader.Keys.Contains(k))
            {
                if (w.Reference(v, p) is { } awsValue)
                {
                    aws[k] = (awsValue, v, p);
                }

                continue;
            }

            if (VertexSettingsReader.Keys.Contains(k))
            {
                // vertex_credentials may be written as a mapping (the JSON itself), as LiteLLM takes a dict
                if ((v is YamlMappingNode ? YamlWalker.ToJson(v)?.ToJsonString() : w.Reference(v, p)) is { } vertexValue)
                {
                    vertex[k] = (vertexValue, v, p);
                }

                continue;
            }

            if (!ParamKeys.Contains(k))
            {
                w.Warn(p, v, "unsupported key, ignored" + YamlWalker.DidYouMean(k, ParamKeys.Concat(DefaultParamKeys).Concat(BedrockSettingsReader.Keys).Concat(VertexSettingsReader.Keys)));
                continue;
            }

            switch (k)
            {
                case "model": model = w.String(v, p); modelNode = v; break;
                case "api_base" or "base_url": apiBase = w.Reference(v, p); break;
                case "api_key":
                    apiKeyRaw = w.Reference(v, p);
                    keyNode = v;
                    if (apiKeyRaw is { Length: > 3 } written && written.StartsWith("${", StringComparison.Ordinal) && written.EndsWith('}'))
                    {
                        w.Warn(p, v, $"'{written}' is sent as the key, as written: LiteLLM does not expand ${{...}} either; write os.environ/{written[2..^1]}");
                    }

                    break;
                case "api_version": apiVersion = secrets.ResolveOrError(w, w.Reference(v, p), p, v); break;
                case "timeout": timeout = w.Duration(v, p); break;
                case "stream_timeout": streamTimeout = w.Duration(v, p); break;
                case "max_retries": maxRetries = w.Int(v, p, 0, 20); break;
                case "rpm": rpm = w.Int(v, p, 1); break;
                case "tpm": tpm = w.Int(v, p, 1); break;
                case "weight": weight = w.Number(v, p, 0, 1_000_000); break;
                case "order": order = w.Int(v, p, 0, 1_000_000); break;
                case "region_name": region = w.String(v, p); break;
                case "input_cost_per_token": inCost = (decimal?)w.Number(v, p, 0); break;
                case "output_cost_per_token": outCost = (decimal?)w.Number(v, p, 0); break;
                case "input_cost_per_query": queryCost = (decimal?)w.Number(v, p, 0); break;
                case "cache_read_input_token_cost": cacheReadCost = (decimal?)w.Number(v, p, 0); break;
                case "cache_creation_input_token_cost": cacheWriteCost = (decimal?)w.Number(v, p, 0); break;
                case "cache_creation_input_token_cost_above_1hr": cacheWrite1hCost = (decimal?)w.Number(v, p, 0); break;
                case "mock_response": mockResponse = w.String(v, p); break;
                case "mock_latency_ms": mockLatency = w.Int(v, p, 0, 600_000) is { } ms ? TimeSpan.FromMilliseconds(ms) : null; break;
                case "mock_fail_status": mockFail = w.Int(v, p, 400, 599); break;
                case "responses": responses = w.String(v, p); responsesNode = v; break;
                case "drop_params": dropParams = w.Bool(v, p); break;
                case "tags": tags = w.StringList(v, p); break;
                case "custom_llm_provider": customProvider = w.String(v, p); break;
                case "organization": organization = secrets.ResolveOrError(w, w.Reference(v, p), p, v); break;
                case "extra_headers":
                    foreach (var (hk, hv, hp) in w.Entries(w.Mapping(v, p), p))
                    {
                        if (secrets.ResolveOrError(w, w.Reference(hv, hp), hp, hv) is { } value)
                        {
                            extraHeaders[hk] = value;
                        }
                    }

                    break;
            }
        }

        string? id = null, baseModel = null;
        YamlNode? idNode = null;
        int? maxInput = null;
        string? mode = null, unservedMode = null;
        var standby = false;
        var infoPath = path + ".model_info";
        foreach (var (k, v, p) in w.Entries(entry.TryGetValue("model_info", out var mi) ? w.Mapping(mi.Value, infoPath) : null, infoPath))
        {
            switch (k)
            {
                case var metadata when !InfoKeys.Contains(metadata):
                    // model_info is free-form in LiteLLM: keys that only describe the model (supports_vision, display_name,
                    // ...) are kept quiet; the ones LiteLLM acts on are reported as not reproduced
                    if (ActedOnInfoKeys.Contains(metadata))
                    {
                        w.Warn(p, v, "unsupported key, ignored (LiteLLM acts on it; Switchyard does not)");
                    }

                    break;
                case "id": id = w.String(v, p); idNode = v; break;
                case "base_model": baseModel = w.String(v, p); break;
                case "max_input_tokens": maxInput = w.Int(v, p, 1); break;
                case "max_output_tokens" or "max_tokens": w.Int(v, p, 1); break;
                case "input_cost_per_token": inCost = (decimal?)w.Number(v, p, 0) ?? inCost; break;
                case "output_cost_per_token": outCost = (decimal?)w.Number(v, p, 0) ?? outCost; break;
                case "input_cost_per_query": queryCost = (decimal?)w.Number(v, p, 0) ?? queryCost; break;
                case "cache_read_input_token_cost": cacheReadCost = (decimal?)w.Number(v, p, 0) ?? cacheReadCost; break;
                case "cache_creation_input_token_cost": cacheWriteCost = (decimal?)w.Number(v, p, 0) ?? cacheWriteCost; break;
                case "cache_creation_input_token_cost_above_1hr": cacheWrite1hCost = (decimal?)w.Number(v, p, 0) ?? cacheWrite1hCost; break;
                case "mode":
                    mode = w.String(v, p);
                    if (mode is not null && !DeploymentModes.Known.Contains(mode))
                    {
                        // LiteLLM's other modes (audio_transcription, audio_speech, batch, ...): the entry is valid there, only not served here
                        w.Warn(p, v, $"'{mode}' is not a mode Switchyard serves (it serves {string.Join(", ", DeploymentModes.Known)}); this deployment is disabled, the others load");
                        unservedMode = mode;
                        mode = null;
                    }

                    break;
                case "description": w.String(v, p); break;
                case "offline_standby": standby = w.Bool(v, p) ?? false; break;
            }
        }

        if (string.IsNullOrWhiteSpace(model))
        {
            w.Error(paramsPath + ".model", modelNode ?? pm, "is required, as provider/model (for example openai/gpt-4o-mini)");
            return null;
        }

        var (prefix, providerModel, explicitPrefix) = ModelProvider.Split(model, customProvider);
        var family = ProviderFamilies.FamilyOf(prefix);
        if (family == ProviderFamilies.Bedrock)
        {
            providerModel = BedrockSettingsReader.ModelId(providerModel);
        }
        else if (family == ProviderFamilies.VertexAI && providerModel.StartsWith("gemini/", StringComparison.Ordinal))
        {
            providerModel = providerModel["gemini/".Length..]; // LiteLLM's vertex_ai/gemini/NAME: a model (or endpoint) called the Gemini way
        }

        if (family is null)
        {
            if (modelName is not null)
            {
                w.RefusedGroups.Add(modelName);
            }

            w.Error(paramsPath + ".model", modelNode, $"provider '{prefix}' is not supported; supported prefixes: {string.Join(", ", ProviderFamilies.Prefixes.Order())}, or any OpenAI-compatible server as openai/ with api_base");
            return null;
        }

        // azure/o_series/o1: "o_series/" is LiteLLM's hint that the deployment (o1) is an o-series reasoning model.
        var oSeries = false;
        if (providerModel.StartsWith(OSeriesHint, StringComparison.Ordinal) && family is ProviderFamilies.Azure or ProviderFamilies.OpenAI)
        {
            providerModel = providerModel[OSeriesHint.Length..];
            oSeries = true;
        }

        oSeries |= family is ProviderFamilies.Azure or ProviderFamilies.OpenAI && IsOSeriesName(providerModel);

        var enabled = true;
        string? disabledReason = null;
        var unusable = false;
        if (unservedMode is not null)
        {
            enabled = false;
            unusable = true;
            disabledReason = $"model_info.mode '{unservedMode}' is not served";
        }
        else if (providerModel.Length == 0)
        {
            enabled = false;
            unusable = true;
            disabledReason = $"litellm_params.model '{model}' names no model after the provider prefix";
            w.Warn(paramsPath + ".model", modelNode, $"names no model after the provider prefix (for {prefix}/ the {(family == ProviderFamilies.Azure ? "deployment name" : "model id")}, e.g. {prefix}/{(family == ProviderFamilies.Azure ? "my-deployment" : "gpt-4o")}); this deployment is disabled, the others load");
        }

        string? apiKey = null;
        if (apiKeyRaw is not null)
        {
            apiKey = secrets.Resolve(apiKeyRaw, out var reason);
            if (apiKey is null)
            {
                enabled = false;
                disabledReason ??= reason;
                w.Warn(paramsPath + ".api_key", keyNode, reason + "; deployment disabled");
            }
        }
        else if (ProviderFamilies.Find(prefix)?.KeyVariables is { Count: > 0 } keyVariables)
        {
            // no api_key: the provider's own variable, as LiteLLM reads it (GROQ_API_KEY, CEREBRAS_API_KEY, ...)
            apiKey = keyVariables.Select(secrets.Variable).FirstOrDefault(v => v is not null);
            if (apiKey is not null)
            {
                secrets.ValuesRead.Add(apiKey);
            }
        }

        if (mockResponse is not null && family != ProviderFamilies.Mock)
        {
            family = ProviderFamilies.Mock; // LiteLLM answers litellm_params.mock_response without calling the provider
        }

        apiBase = secrets.ResolveOrError(w, apiBase, paramsPath + ".api_base", pm);
        apiBase ??= ProviderFamilies.DefaultApiBase(prefix);
        AwsSettings? awsSettings = null;
        if (family == ProviderFamilies.Bedrock && !unusable)
        {
            (awsSettings, region, var endpoint, var awsDisabled) = BedrockSettingsReader.Read(w, secrets, aws, region, paramsPath, pm);
            apiBase ??= endpoint;
            if (awsDisabled is not null && enabled)
            {
                enabled = false;
                disabledReason ??= awsDisabled;
                w.Warn(paramsPath, pm, awsDisabled + "; deployment disabled");
            }
        }
        else
        {
            foreach (var (_, (_, awsNode, awsPath)) in aws)
            {
                w.Warn(awsPath, awsNode, "is read by bedrock/ deployments only; ignored");
            }
        }

        VertexSettings? vertexSettings = null;
        if (family == ProviderFamilies.VertexAI && !unusable)
        {
            (vertexSettings, var endpoint, var vertexDisabled) = VertexSettingsReader.Read(w, secrets, vertex, region, paramsPath, pm);
            apiBase ??= endpoint;
            region = vertexSettings?.Location ?? region;
            if (vertexDisabled is not null && enabled)
            {
                enabled = false;
                disabledReason ??= vertexDisabled;
            }
        }
        else
        {
            foreach (var (_, (_, vertexNode, vertexPath)) in vertex)
            {
                w.Warn(vertexPath, vertexNode, "is read by vertex_ai/ deployments only; ignored");
            }
        }

        if (family == ProviderFamilies.Gemini && ProviderFamilies.IsGeminiOpenAICompatible(apiBase))
        {
            family = ProviderFamilies.OpenAI; // Google's OpenAI-compatible endpoint: the OpenAI wire format, Bearer auth
        }

        if (family == ProviderFamilies.Azure)
        {
            if (apiBase is null)
            {
                w.Error(paramsPath + ".api_base", pm, "azure/ deployments need api_base (https://NAME.openai.azure.com)");
            }

            apiVersion ??= "2024-10-21";
        }

        if (family == ProviderFamilies.OpenAI && apiBase is null)
        {
            w.Error(paramsPath + ".api_base", pm, $"{prefix}/ has no default endpoint; set api_base");
        }

        if (apiBase is not null && family != ProviderFamilies.Mock && !(Uri.TryCreate(apiBase, UriKind.Absolute, out var u) && u.Scheme is "http" or "https"))
        {
            w.Error(paramsPath + ".api_base", pm, $"'{apiBase}' is not an absolute http(s) URL");
        }

        var nativeResponses = responses switch
        {
            // OpenAI itself speaks Responses; OpenAI-compatible servers mostly do not, so they get Chat Completions unless told.
            null => family == ProviderFamilies.OpenAI && apiBase is not null && Uri.TryCreate(apiBase, UriKind.Absolute, out var rb) && rb.Host == "api.openai.com",
            "native" => true,
            "chat" => false,
            _ => false,
        };
        if (responses is not null and not ("native" or "chat"))
        {
            w.Error(paramsPath + ".responses", responsesNode, $"'{responses}' is not one of native, chat");
        }
        else if (responses == "native" && family != ProviderFamilies.OpenAI)
        {
            w.Error(paramsPath + ".responses", responsesNode, $"native Responses pass-through is supported for openai/ deployments only; {prefix}/ deployments are sent Chat Completions");
        }

        var t = timeout ?? router.Timeout;
        id ??= DerivedId(modelName ?? "", model, apiBase, apiKeyRaw ?? (aws.TryGetValue("aws_access_key_id", out var ak) ? ak.Value : null)
            ?? (vertex.TryGetValue("vertex_project", out var vp) ? vp.Value : null));
        w.Refer(NameReferenceKind.DeploymentId, idNode is null ? path : infoPath + ".id", idNode ?? node, id);
        return new DeploymentConfig
        {
            Id = id,
            ModelName = modelName ?? "",
            Provider = prefix,
            Family = family,
            Model = providerModel,
            QualifiedModel = prefix + "/" + providerModel,
            ApiBase = apiBase?.TrimEnd('/'),
            ApiKey = apiKey,
            ApiVersion = apiVersion,
            Timeout = t,
            StreamTimeout = streamTimeout ?? router.StreamTimeout ?? t,
            MaxRetries = maxRetries,
            Rpm = rpm,
            Tpm = tpm,
            Weight = weight ?? (rpm ?? tpm ?? 1),
            Order = order ?? int.MaxValue,
            Region = region,
            Defaults = defaults,
            BaseModel = baseModel,
            MaxInputTokens = maxInput,
            Mode = mode,
            InputCostPerToken = inCost,
            OutputCostPerToken = outCost,
            InputCostPerQuery = queryCost,
            CacheReadCostPerToken = cacheReadCost,
            CacheWriteCostPerToken = cacheWriteCost,
            CacheWrite1hCostPerToken = cacheWrite1hCost,
            OfflineStandby = standby,
            NativeResponses = nativeResponses,
            DropParams = dropParams ?? router.DropParams,
            Enabled = enabled,
            DisabledReason = disabledReason,
            Tags = tags ?? [],
            ProviderFromModel = !explicitPrefix,
            Aws = awsSettings,
            Vertex = vertexSettings,
            Unusable = unusable,
            Organization = organization,
            ExtraHeaders = extraHeaders,
            OSeries = oSeries,
            Mock = family == ProviderFamilies.Mock ? new MockSettings { Response = mockResponse, Latency = mockLatency ?? TimeSpan.Zero, FailStatus = mockFail } : null,
        };
    }

    private const string OSeriesHint = "o_series/";

    /// <summary>o1, o1-mini, o3, o3-mini, o4-mini, ... (what LiteLLM treats as o-series by name).</summary>
    private static bool IsOSeriesName(string model)
        => model.Length >= 2 && model[0] == 'o' && char.IsAsciiDigit(model[1]) && (model.Length == 2 || model[2] == '-' || char.IsAsciiDigit(model[2]));

    /// <summary>
    /// The default id: a hash of the group, the model, the api_base and the api_key as written (the reference, or the
    /// key's own hash when written inline: never the key itself), so that one model and endpoint behind several keys
    /// (LiteLLM's load-balancing pattern) are several deployments. LiteLLM hashes every litellm_params value likewise.
    /// </summary>
    private static string DerivedId(string group, string model, string? apiBase, string? apiKeyAsWritten)
    {
        var text = $"{group}\n{model}\n{apiBase}";
        if (apiKeyAsWritten is not null)
        {
            text += "\n" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(apiKeyAsWritten)));
        }

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(text));
        return Convert.ToHexStringLower(hash.AsSpan(0, 8));
    }
}
