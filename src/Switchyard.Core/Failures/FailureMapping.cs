using Switchyard.Core.Config;

namespace Switchyard.Core.Failures;

/// <summary>Turns a classified upstream failure into the caller-facing summary: status, type, code and a short message.</summary>
public static class FailureMapping
{
    /// <summary>
    /// retry_after_ms of a 502/504 when neither the provider nor the deployments' cooldowns name a wait: the gateway has
    /// already retried within the request, so an immediate retry mostly finds the same fault; a second is about twice the
    /// OpenAI SDKs' first backoff and short enough not to stall an agent (docs/failure-contract.md).
    /// </summary>
    public const long UpstreamRetryHintMs = 1_000;

    public static FailureSummary ToSummary(UpstreamFailure f, DeploymentConfig d, int attempts)
    {
        var where = $"{d.QualifiedModel} (deployment {d.Id})";
        var tries = attempts == 1 ? "" : $" after {attempts} attempts";
        var (status, type, code, message) = f.Kind switch
        {
            FailureKind.RateLimited => (429, FailureType.RateLimited, "upstream_rate_limited", $"{where} is rate limiting requests{tries}"),
            FailureKind.Timeout => (504, FailureType.UpstreamTimeout, "upstream_timeout", $"{where} {f.Detail}{tries}"),
            FailureKind.ConnectionError => (502, FailureType.UpstreamError, "upstream_connection_error", $"{where}: {f.Detail}{tries}"),
            FailureKind.InvalidResponse => (502, FailureType.UpstreamError, "upstream_invalid_response", $"{where}: {f.Detail}{tries}"),
            FailureKind.UpstreamAuth when f.UpstreamStatus is null => (502, FailureType.UpstreamError, "upstream_auth_failed", $"{where}: {f.Detail}"),
            FailureKind.UpstreamAuth => (502, FailureType.UpstreamError, "upstream_auth_failed", $"{where} refused the gateway's provider credentials ({f.UpstreamStatus}); check the deployment's {CredentialKey(d)}"),
            FailureKind.ContextWindowExceeded => (400, FailureType.InvalidRequest, "context_length_exceeded", $"the prompt is longer than {where} accepts and no context_window_fallbacks could take it"),
            FailureKind.CallerError => (f.UpstreamStatus is >= 400 and < 500 and not 401 and not 403 ? f.UpstreamStatus.Value : 400, FailureType.InvalidRequest, f.UpstreamCode ?? "upstream_rejected",
                $"{where} rejected the request ({f.UpstreamStatus}{(f.UpstreamCode is null ? "" : " " + f.UpstreamCode)})"
                + (f.Detail.StartsWith("answered HTTP", StringComparison.Ordinal) ? "" : ": " + f.Detail)
                + (f.UpstreamParam is null ? "" : "; check '" + f.UpstreamParam + "'")),
            FailureKind.Unsupported when f.UpstreamCode is { } upstreamCode => (400, FailureType.InvalidRequest, upstreamCode, $"{where} cannot honour '{f.UpstreamParam}': {f.Detail}"),
            FailureKind.Unsupported => (400, FailureType.InvalidRequest, "operation_not_supported", $"no deployment of this route can do it: {where} {f.Detail}"),
            _ => (502, FailureType.UpstreamError, "upstream_server_error", $"{where} answered {f.UpstreamStatus}{tries}"),
        };
        return new FailureSummary
        {
            Status = status,
            Type = type,
            Code = code,
            Message = message,
            Param = f.Kind is FailureKind.CallerError or FailureKind.Unsupported ? f.UpstreamParam : null,
            ProviderFamily = d.Family,
            RetryAfterMs = status is 502 or 504 ? UpstreamRetryHintMs : null,
        };
    }

    private static string CredentialKey(DeploymentConfig d) => d.Family switch
    {
        ProviderFamilies.VertexAI => "vertex_credentials",
        ProviderFamilies.Bedrock => "AWS credentials",
        _ => "api_key",
    };
}
