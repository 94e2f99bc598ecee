namespace Switchyard.Core.Config;

/// <summary>
/// LiteLLM's <c>litellm_settings.success_callback</c>, <c>failure_callback</c> and <c>callbacks</c>, as far as Switchyard
/// has an equivalent (docs/configuration.md, "Callbacks"): prometheus and otel are the built-in exporters, langfuse an
/// extra OTLP trace export, generic_api / webhook a JSON POST per request.
/// </summary>
public sealed record CallbackSettings
{
    /// <summary>generic_api / webhook: one JSON POST per request (null when not configured).</summary>
    public WebhookCallback? Webhook { get; init; }

    /// <summary>langfuse: traces exported to Langfuse's OpenTelemetry endpoint (null when not configured).</summary>
    public OtlpTraceExport? Langfuse { get; init; }

    /// <summary>
    /// otel with LiteLLM's OTEL_ENDPOINT (and OTEL_HEADERS, OTEL_EXPORTER) set: traces exported there. Null when otel is
    /// not listed or the standard OTEL_EXPORTER_OTLP_* variables configure the exporter instead.
    /// </summary>
    public OtlpTraceExport? Otel { get; init; }
}

/// <summary>Where the generic webhook callback posts, and which outcomes it reports.</summary>
public sealed record WebhookCallback(string Url, IReadOnlyDictionary<string, string> Headers, bool OnSuccess, bool OnFailure)
{
    public override string ToString() => $"WebhookCallback {{ OnSuccess = {OnSuccess}, OnFailure = {OnFailure} }}"; // the URL and headers may carry tokens
}

/// <summary>An OTLP trace exporter: the full endpoint URL, headers as OTEL_EXPORTER_OTLP_HEADERS writes them, gRPC or HTTP/protobuf.</summary>
public sealed record OtlpTraceExport(string Endpoint, string Headers, bool Grpc)
{
    public override string ToString() => $"OtlpTraceExport {{ Endpoint = {Endpoint}, Grpc = {Grpc} }}"; // headers carry credentials
}
