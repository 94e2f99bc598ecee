using System.Text;
using Switchyard.Core.Config;

namespace Switchyard.Tests.Config;

/// <summary>litellm_settings.success_callback / failure_callback / callbacks: each name mapped or named as unsupported.</summary>
public sealed class CallbackConfigTests
{
    private const string Models = "model_list:\n  - model_name: a\n    litellm_params: {model: mock/a}\ngeneral_settings:\n  master_key: sk-config-test-key\n";

    private static GatewayConfig Load(string litellmSettings, IDictionary<string, string>? env = null)
        => ConfigLoader.Load(Models + "litellm_settings:\n" + litellmSettings, Path.GetTempPath(), n => env?.TryGetValue(n, out var v) == true ? v : null);

    private static IReadOnlyList<ConfigDiagnostic> Errors(string litellmSettings, IDictionary<string, string>? env = null)
        => Assert.Throws<ConfigException>(() => Load(litellmSettings, env)).Errors;

    [Fact]
    public void Prometheus_IsANoticeNamingMetrics_NotAWarning()
    {
        var config = Load("  success_callback: [\"prometheus\"]\n  failure_callback: [\"prometheus\"]\n");

        Assert.Empty(config.Warnings);
        var notice = Assert.Single(config.Notices, n => n.Path.StartsWith("litellm_settings.", StringComparison.Ordinal));
        Assert.Equal("litellm_settings.success_callback[0]", notice.Path);
        Assert.Contains("/metrics", notice.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Otel_WithLiteLlmEndpointVariables_MapsToATraceExport()
    {
        var config = Load("  callbacks: [\"otel\"]\n", new Dictionary<string, string>
        {
            ["OTEL_EXPORTER"] = "otlp_http", ["OTEL_ENDPOINT"] = "http://collector:4318", ["OTEL_HEADERS"] = "api-key=abc",
        });

        Assert.Empty(config.Warnings);
        var otel = config.Callbacks.Otel!;
        Assert.Equal("http://collector:4318/v1/traces", otel.Endpoint);
        Assert.Equal("api-key=abc", otel.Headers);
        Assert.False(otel.Grpc);

        var grpc = Load("  callbacks: [\"otel\"]\n", new Dictionary<string, string> { ["OTEL_EXPORTER"] = "otlp_grpc", ["OTEL_ENDPOINT"] = "http://collector:4317" });
        Assert.Equal("http://collector:4317", grpc.Callbacks.Otel!.Endpoint);
        Assert.True(grpc.Callbacks.Otel.Grpc);
    }

    [Fact]
    public void Otel_WithStandardVariable_UsesTheBuiltInExporter_WithoutEndpoint_Warns()
    {
        var standard = Load("  callbacks: [\"otel\"]\n", new Dictionary<string, string> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://collector:4318" });
        Assert.Null(standard.Callbacks.Otel);
        Assert.Empty(standard.Warnings);
        Assert.Contains(standard.Notices, n => n.Path == "litellm_settings.callbacks[0]");

        var none = Load("  callbacks: [\"otel\"]\n");
        Assert.Null(none.Callbacks.Otel);
        Assert.Contains("OTEL_EXPORTER_OTLP_ENDPOINT", Assert.Single(none.Warnings).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Langfuse_IsAnOtlpExportToItsEndpoint_WithBasicAuth_AndTheSecretKeptOutOfRenderings()
    {
        var config = Load("  success_callback: [\"langfuse\"]\n", new Dictionary<string, string>
        {
            ["LANGFUSE_PUBLIC_KEY"] = "pk-lf-1", ["LANGFUSE_SECRET_KEY"] = "sk-lf-2", ["LANGFUSE_HOST"] = "https://langfuse.example.com/",
        });

        Assert.Empty(config.Warnings);
        var export = config.Callbacks.Langfuse!;
        Assert.Equal("https://langfuse.example.com/api/public/otel/v1/traces", export.Endpoint);
        Assert.False(export.Grpc);
        Assert.Equal("Authorization=Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("pk-lf-1:sk-lf-2")), export.Headers);
        Assert.Contains("sk-lf-2", config.SecretValues);
        Assert.DoesNotContain("sk-lf", export.ToString(), StringComparison.Ordinal);

        var cloud = Load("  success_callback: [\"langfuse\"]\n", new Dictionary<string, string> { ["LANGFUSE_PUBLIC_KEY"] = "pk", ["LANGFUSE_SECRET_KEY"] = "sk" });
        Assert.Equal("https://cloud.langfuse.com/api/public/otel/v1/traces", cloud.Callbacks.Langfuse!.Endpoint);
    }

    [Fact]
    public void Langfuse_MissingKeys_IsAnErrorNamingEachVariable()
    {
        var errors = Errors("  success_callback: [\"langfuse\"]\n");

        Assert.Contains(errors, e => e.Path == "litellm_settings.success_callback[0]" && e.Message.Contains("LANGFUSE_PUBLIC_KEY", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Message.Contains("LANGFUSE_SECRET_KEY", StringComparison.Ordinal));

        var one = Errors("  success_callback: [\"langfuse\"]\n", new Dictionary<string, string> { ["LANGFUSE_PUBLIC_KEY"] = "pk" });
        Assert.Contains("LANGFUSE_SECRET_KEY", Assert.Single(one).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GenericApi_ReadsTheEndpointAndHeaders_AndWhichOutcomes()
    {
        var env = new Dictionary<string, string> { ["GENERIC_LOGGER_ENDPOINT"] = "https://hooks.example/log", ["GENERIC_LOGGER_HEADERS"] = "Authorization=Bearer x, X-Env=prod" };

        var both = Load("  success_callback: [\"generic_api\"]\n  failure_callback: [\"generic_api\"]\n", env);
        var hook = both.Callbacks.Webhook!;
        Assert.Equal("https://hooks.example/log", hook.Url);
        Assert.True(hook.OnSuccess);
        Assert.True(hook.OnFailure);
        Assert.Equal("Bearer x", hook.Headers["Authorization"]);
        Assert.Equal("prod", hook.Headers["x-env"]);
        Assert.Empty(both.Warnings);

        var failuresOnly = Load("  failure_callback: [\"webhook\"]\n", env).Callbacks.Webhook!;
        Assert.False(failuresOnly.OnSuccess);
        Assert.True(failuresOnly.OnFailure);

        var missing = Errors("  callbacks: [\"generic_api\"]\n");
        Assert.Contains("GENERIC_LOGGER_ENDPOINT", Assert.Single(missing).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("s3", "spend log")]
    [InlineData("datadog", "Datadog agent")]
    [InlineData("lago", "spend logs")]
    [InlineData("langsmith", "OTEL_EXPORTER_OTLP_ENDPOINT")]
    [InlineData("slack", "general_settings.alerting")]
    [InlineData("custom_callbacks.proxy_handler_instance", "does not run Python")]
    [InlineData("something_new", "generic_api")]
    public void Unsupported_IsOneWarningPerName_NamingTheAlternative(string name, string alternative)
    {
        var config = Load($"  success_callback: [\"{name}\"]\n  failure_callback: [\"{name}\"]\n  callbacks: [\"{name}\"]\n");

        var w = Assert.Single(config.Warnings);
        Assert.Equal("litellm_settings.success_callback[0]", w.Path);
        Assert.Contains($"'{name}'", w.Message, StringComparison.Ordinal);
        Assert.Contains(alternative, w.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SeveralNames_EachGetTheirOwnFinding()
    {
        var config = Load("  success_callback: [\"prometheus\", \"s3\", \"datadog\"]\n");

        Assert.Equal(["litellm_settings.success_callback[1]", "litellm_settings.success_callback[2]"], config.Warnings.Select(w => w.Path));
        Assert.Contains(config.Notices, n => n.Path == "litellm_settings.success_callback[0]");
    }

    [Fact]
    public void ConfigShow_RedactsTheWebhookUrlHeadersAndLangfuseAuth()
    {
        var config = Load("  callbacks: [\"generic_api\", \"langfuse\"]\n", new Dictionary<string, string>
        {
            ["GENERIC_LOGGER_ENDPOINT"] = "https://hooks.example/log?token=hook-token-123", ["GENERIC_LOGGER_HEADERS"] = "Authorization=Bearer hook-bearer-456",
            ["LANGFUSE_PUBLIC_KEY"] = "pk-lf-789", ["LANGFUSE_SECRET_KEY"] = "sk-lf-secret-000",
        });

        var shown = System.Text.Encoding.UTF8.GetString(Switchyard.Operations.EffectiveConfig.Render(config));

        Assert.Contains("\"callbacks\"", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("hook-token-123", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("hook-bearer-456", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-lf-secret-000", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("Basic ", shown, StringComparison.Ordinal);
    }
}
