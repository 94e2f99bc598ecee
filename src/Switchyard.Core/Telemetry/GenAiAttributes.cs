namespace Switchyard.Core.Telemetry;

/// <summary>Attribute names: GenAI semantic conventions v1.41 plus switchyard.*.</summary>
public static class GenAiAttributes
{
    public const string OperationName = "gen_ai.operation.name";
    public const string ProviderName = "gen_ai.provider.name";
    public const string RequestModel = "gen_ai.request.model";
    public const string ResponseModel = "gen_ai.response.model";
    public const string RequestMaxTokens = "gen_ai.request.max_tokens";
    public const string InputTokens = "gen_ai.usage.input_tokens";
    public const string OutputTokens = "gen_ai.usage.output_tokens";
    public const string TokenType = "gen_ai.token.type";
    public const string FinishReasons = "gen_ai.response.finish_reasons";
    public const string InputMessages = "gen_ai.input.messages";
    public const string OutputMessages = "gen_ai.output.messages";
    public const string ErrorType = "error.type";
    public const string ServerAddress = "server.address";
    public const string ServerPort = "server.port";

    public const string Alias = "switchyard.alias";
    public const string TenantId = "switchyard.tenant_id";
    public const string CorrelationId = "switchyard.correlation_id";
    public const string Attempt = "switchyard.attempt";
    public const string FallbackUsed = "switchyard.fallback_used";
    public const string BreakerState = "switchyard.breaker.state";
    public const string Deployment = "switchyard.deployment";
    public const string Status = "http.response.status_code";

    /// <summary>gen_ai.provider.name values for the adapter families.</summary>
    public static string Provider(string family) => family switch
    {
        "openai" => "openai",
        "azure" => "azure.ai.openai",
        "anthropic" => "anthropic",
        "vertex_ai" => "gcp.vertex_ai",
        _ => family,
    };
}
