using System.Text;
using YamlDotNet.RepresentationModel;

namespace Switchyard.Core.Config;

/// <summary>
/// Reads litellm_settings.success_callback, failure_callback and callbacks: one finding per callback name, mapped to the
/// built-in equivalent where there is one, else naming the closest alternative.
/// </summary>
internal static class CallbackConfigReader
{
    public static readonly string[] Keys = ["success_callback", "failure_callback", "callbacks"];

    private const string TracingServices =
        "export OTLP traces to it if it accepts OpenTelemetry (OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_HEADERS), or receive one JSON POST per request with callbacks: [generic_api] and GENERIC_LOGGER_ENDPOINT";

    private const string StorageServices =
        "every request is a spend log row (GET /spend/logs, the store's spend_logs table) and, with switchyard.access_log, a JSON line a log shipper can carry to the bucket; or receive one JSON POST per request with callbacks: [generic_api]";

    /// <summary>Callbacks Switchyard has no equivalent for, with the closest alternative.</summary>
    private static readonly Dictionary<string, string> Alternatives = new(StringComparer.OrdinalIgnoreCase)
    {
        ["s3"] = StorageServices, ["s3_v2"] = StorageServices, ["gcs_bucket"] = StorageServices, ["azure_storage"] = StorageServices,
        ["dynamodb"] = StorageServices, ["supabase"] = StorageServices, ["gcs_pubsub"] = StorageServices, ["sqs"] = StorageServices,
        ["datadog"] = "send OTLP to the Datadog agent (OTEL_EXPORTER_OTLP_ENDPOINT=http://datadog-agent:4318 with its OTLP receiver on) or let the agent scrape /metrics",
        ["datadog_llm_observability"] = "send OTLP to the Datadog agent (OTEL_EXPORTER_OTLP_ENDPOINT=http://datadog-agent:4318 with its OTLP receiver on) or let the agent scrape /metrics",
        ["lago"] = "bill from the spend logs (GET /spend/logs, /global/spend/report) or forward the generic_api webhook's JSON (it carries tokens and response_cost) to Lago's events API",
        ["openmeter"] = "bill from the spend logs (GET /spend/logs) or forward the generic_api webhook's JSON (tokens and response_cost) to OpenMeter",
        ["slack"] = "alerts go to Slack through general_settings.alerting: [slack] with SLACK_WEBHOOK_URL",
        ["sentry"] = "failures are logged, counted in switchyard_requests_total by status and alerted through switchyard.alerts",
        ["langsmith"] = TracingServices, ["helicone"] = TracingServices, ["lunary"] = TracingServices, ["arize"] = TracingServices,
        ["arize_phoenix"] = TracingServices, ["braintrust"] = TracingServices, ["mlflow"] = TracingServices, ["logfire"] = TracingServices,
        ["athina"] = TracingServices, ["opik"] = TracingServices, ["galileo"] = TracingServices, ["literalai"] = TracingServices,
        ["traceloop"] = TracingServices, ["openmeter_otel"] = TracingServices, ["wandb"] = TracingServices, ["humanloop"] = TracingServices,
        ["prometheus_system"] = "the built-in /metrics exporter covers requests, latency, tokens, spend and breakers; Redis and store health show in /health/readiness and switchyard_shared_state_* metrics",
    };

    public static CallbackSettings Read(YamlWalker w, YamlNode? litellmSettings, SecretResolver secrets)
    {
        // name -> (success, failure, path, node); first mention reports, later mentions only widen success/failure
        var names = new Dictionary<string, (bool Success, bool Failure, string Path, YamlNode Node)>(StringComparer.OrdinalIgnoreCase);
        foreach (var key in Keys)
        {
            if (YamlWalker.Child(litellmSettings, "litellm_settings", key) is not { } child || YamlWalker.IsNull(child.Value))
            {
                continue;
            }

            var list = w.StringList(child.Value, child.Path) ?? [];
            for (var i = 0; i < list.Count; i++)
            {
                var name = list[i].Trim();
                var success = key != "failure_callback";
                var failure = key != "success_callback";
                names[name] = names.TryGetValue(name, out var seen)
                    ? (seen.Success || success, seen.Failure || failure, seen.Path, seen.Node)
                    : (success, failure, $"{child.Path}[{i}]", child.Value);
            }
        }

        var settings = new CallbackSettings();
        foreach (var (name, (success, failure, path, node)) in names)
        {
            switch (name.ToLowerInvariant())
            {
                case "prometheus":
                    w.Notice(path, node, "served by the built-in Prometheus exporter at GET /metrics (switchyard.telemetry.prometheus, on by default): requests, latency, tokens, spend per tenant and model");
                    break;
                case "otel" or "opentelemetry":
                    settings = settings with { Otel = Otel(w, path, node, secrets) };
                    break;
                case "langfuse" or "langfuse_otel":
                    settings = settings with { Langfuse = Langfuse(w, path, node, secrets) };
                    break;
                case "generic_api" or "generic" or "webhook":
                    settings = settings with { Webhook = Webhook(w, path, node, secrets, success, failure) ?? settings.Webhook };
                    break;
                default:
                    w.Warn(path, node, Unsupported(name));
                    break;
            }
        }

        return settings;
    }

    private static string Unsupported(string name)
    {
        if (Alternatives.TryGetValue(name, out var alternative))
        {
            return $"callback '{name}' is not supported: {alternative}";
        }

        if (name.Contains('.', StringComparison.Ordinal))
        {
            return $"callback '{name}' is a Python object LiteLLM imports; Switchyard does not run Python. Receive one JSON POST per request instead with callbacks: [generic_api] and GENERIC_LOGGER_ENDPOINT, and run your handler behind that URL";
        }

        return $"callback '{name}' is not supported (supported: prometheus, otel, langfuse, generic_api / webhook): {TracingServices}";
    }

    /// <summary>
    /// otel: the built-in OpenTelemetry exporter. LiteLLM's OTEL_ENDPOINT / OTEL_HEADERS / OTEL_EXPORTER are honoured when
    /// the standard OTEL_EXPORTER_OTLP_ENDPOINT is not set.
    /// </summary>
    private static OtlpTraceExport? Otel(YamlWalker w, string path, YamlNode node, SecretResolver secrets)
    {
        var standard = secrets.Variable("OTEL_EXPORTER_OTLP_ENDPOINT") ?? secrets.Variable("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
        var endpoint = secrets.Variable("OTEL_ENDPOINT");
        var exporter = secrets.Variable("OTEL_EXPORTER")?.ToLowerInvariant();
        if (standard is not null)
        {
            w.Notice(path, node, "traces and metrics go to the built-in OpenTelemetry exporter (OTEL_EXPORTER_OTLP_ENDPOINT is set)");
            return null;
        }

        if (exporter is "console" or "in_memory")
        {
            w.Warn(path, node, $"OTEL_EXPORTER={exporter} is LiteLLM's debugging exporter; Switchyard exports OTLP only: set OTEL_EXPORTER_OTLP_ENDPOINT to a collector");
            return null;
        }

        if (endpoint is null)
        {
            w.Warn(path, node, "no OpenTelemetry endpoint: set OTEL_EXPORTER_OTLP_ENDPOINT (or LiteLLM's OTEL_ENDPOINT) to a collector; until then no traces are exported");
            return null;
        }

        if (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            w.Error(path, node, $"OTEL_ENDPOINT must be an absolute http(s) URL, got '{endpoint}'");
            return null;
        }

        var grpc = exporter is "otlp_grpc" or "grpc";
        if (!grpc && !uri.AbsolutePath.EndsWith("/v1/traces", StringComparison.Ordinal))
        {
            endpoint = endpoint.TrimEnd('/') + "/v1/traces";
        }

        w.Notice(path, node, $"traces go to the built-in OpenTelemetry exporter at {endpoint} (LiteLLM's OTEL_ENDPOINT; {(grpc ? "gRPC" : "HTTP/protobuf")})");
        return new OtlpTraceExport(endpoint, secrets.Variable("OTEL_HEADERS") ?? "", grpc);
    }

    /// <summary>langfuse: an OTLP trace export to Langfuse's OpenTelemetry endpoint, Basic auth with the project's key pair.</summary>
    private static OtlpTraceExport? Langfuse(YamlWalker w, string path, YamlNode node, SecretResolver secrets)
    {
        var publicKey = secrets.Variable("LANGFUSE_PUBLIC_KEY");
        var secretKey = secrets.Variable("LANGFUSE_SECRET_KEY");
        foreach (var (name, value) in new[] { ("LANGFUSE_PUBLIC_KEY", publicKey), ("LANGFUSE_SECRET_KEY", secretKey) })
        {
            if (value is null)
            {
                w.Error(path, node, $"the langfuse callback needs {name}: the environment variable is not set (Langfuse project settings, API keys)");
            }
        }

        var host = secrets.Variable("LANGFUSE_OTEL_HOST") ?? secrets.Variable("LANGFUSE_HOST") ?? "https://cloud.langfuse.com";
        if (!Uri.TryCreate(host, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            w.Error(path, node, $"LANGFUSE_HOST must be an absolute http(s) URL, got '{host}'");
            return null;
        }

        if (publicKey is null || secretKey is null)
        {
            return null;
        }

        var endpoint = host.TrimEnd('/') + "/api/public/otel/v1/traces";
        secrets.ValuesRead.Add(secretKey);
        w.Notice(path, node, $"traces are exported to Langfuse's OpenTelemetry endpoint {endpoint} (OTLP HTTP/protobuf, LANGFUSE_PUBLIC_KEY / LANGFUSE_SECRET_KEY)");
        var basic = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{publicKey}:{secretKey}"));
        return new OtlpTraceExport(endpoint, $"Authorization=Basic {basic}", Grpc: false);
    }

    /// <summary>generic_api / webhook: GENERIC_LOGGER_ENDPOINT receives one JSON POST per request (GENERIC_LOGGER_HEADERS: k=v,k2=v2).</summary>
    private static WebhookCallback? Webhook(YamlWalker w, string path, YamlNode node, SecretResolver secrets, bool success, bool failure)
    {
        var url = secrets.Variable("GENERIC_LOGGER_ENDPOINT");
        if (url is null)
        {
            w.Error(path, node, "the generic_api callback needs GENERIC_LOGGER_ENDPOINT: the environment variable is not set (the URL that receives one JSON POST per request)");
            return null;
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            w.Error(path, node, $"GENERIC_LOGGER_ENDPOINT must be an absolute http(s) URL, got '{url}'");
            return null;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (secrets.Variable("GENERIC_LOGGER_HEADERS") is { } raw)
        {
            foreach (var pair in raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var eq = pair.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    w.Error(path, node, "GENERIC_LOGGER_HEADERS must be name=value pairs separated by commas");
                    return null;
                }

                headers[pair[..eq].Trim()] = pair[(eq + 1)..].Trim();
                secrets.ValuesRead.Add(pair[(eq + 1)..].Trim());
            }
        }

        w.Notice(path, node, $"one JSON POST per request ({(success && failure ? "successes and failures" : success ? "successes" : "failures")}) to GENERIC_LOGGER_ENDPOINT, sent in the background with retries");
        return new WebhookCallback(url, headers, success, failure);
    }
}
