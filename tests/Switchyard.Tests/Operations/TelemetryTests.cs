using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Operations;

/// <summary>
/// Listeners on the "Switchyard" ActivitySource and Meter match by name across the process: these tests must not run
/// next to other gateways, or their exporters would also see those gateways' spans and points.
/// </summary>
[CollectionDefinition("telemetry", DisableParallelization = true)]
public sealed class TelemetryCollection;

/// <summary>Spans, span attributes, trace propagation and metrics through OpenTelemetry's in-memory exporters.</summary>
[Collection("telemetry")]
public sealed class TelemetryTests
{
    private static string Yaml(string upstream, string extra = "") => $$"""
        model_list:
          - model_name: gpt-group
            litellm_params:
              model: openai/gpt-4o-mini
              api_base: {{upstream}}/v1
              api_key: sk-upstream
            model_info:
              id: primary-1
        router_settings:
          num_retries: 1
          model_group_alias:
            router.default: gpt-group
        switchyard:
          retry:
            base_delay: 1ms
            max_delay: 5ms
        {{extra}}
        """;

    private static async Task<(int Status, string Body, HttpResponseHeaders Headers)> ChatAsync(GatewayFixture gw, string correlationId, string? token = GatewayFixture.MasterKey,
        string? traceParent = null, string model = "router.default", string content = "ping")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{model}}","messages":[{"role":"user","content":"{{content}}"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("X-Correlation-Id", correlationId);
        if (traceParent is not null)
        {
            request.Headers.Add("traceparent", traceParent);
        }

        using var response = await gw.Bare.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers);
    }

    private static string NewId() => "corr-" + Guid.NewGuid().ToString("N");

    private static object? Tag(Activity a, string name) => a.GetTagItem(name);

    [Fact]
    public async Task Success_RequestSpanAndAttemptSpan_CarryGenAiAndGatewayAttributes()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var capture = new TelemetryCapture();
        await using var gw = await GatewayFixture.StartAsync(Yaml(upstream.BaseUrl, """
              tenants:
                - tenant_id: acme
            """), tracing: capture.Tracing, metrics: capture.Metering);
        var (token, _) = await gw.GenerateKeyAsync(new { team_id = "acme" });
        var id = NewId();

        var (status, body, _) = await ChatAsync(gw, id, token);

        Assert.True(status == 200, body);
        var request = await capture.RequestSpanAsync(id);
        Assert.Equal("chat router.default", request.DisplayName);
        Assert.Equal(ActivityKind.Server, request.Kind);
        Assert.Equal("chat", Tag(request, "gen_ai.operation.name"));
        Assert.Equal("router.default", Tag(request, "gen_ai.request.model"));
        Assert.Equal("openai", Tag(request, "gen_ai.provider.name"));
        Assert.Equal("gpt-4o-mini", Tag(request, "gen_ai.response.model"));
        Assert.Equal(11, Convert.ToInt32(Tag(request, "gen_ai.usage.input_tokens")));
        Assert.Equal(3, Convert.ToInt32(Tag(request, "gen_ai.usage.output_tokens")));
        Assert.Equal("router.default", Tag(request, "switchyard.alias"));
        Assert.Equal(id, Tag(request, "switchyard.correlation_id"));
        Assert.Equal("acme", Tag(request, "switchyard.tenant_id"));
        Assert.NotEqual(ActivityStatusCode.Error, request.Status);
        Assert.Null(Tag(request, "error.type"));
        Assert.Null(Tag(request, "gen_ai.input.messages")); // content capture is off by default

        var attempt = Assert.Single(capture.Attempts(request));
        Assert.Equal("chat gpt-4o-mini", attempt.DisplayName);
        Assert.Equal(ActivityKind.Client, attempt.Kind);
        Assert.Equal("127.0.0.1", Tag(attempt, "server.address"));
        Assert.Equal(new Uri(upstream.BaseUrl).Port, Convert.ToInt32(Tag(attempt, "server.port")));
        Assert.Equal(1, Convert.ToInt32(Tag(attempt, "switchyard.attempt")));
        Assert.Equal("closed", Tag(attempt, "switchyard.breaker.state"));
        Assert.Equal(false, Tag(attempt, "switchyard.fallback_used"));
        Assert.Equal("openai", Tag(attempt, "gen_ai.provider.name"));

        // the upstream is called with the attempt span as parent
        var sent = Assert.Single(upstream.Requests);
        var traceParent = sent.Headers["traceparent"];
        Assert.Equal($"00-{attempt.TraceId.ToHexString()}-{attempt.SpanId.ToHexString()}-01", traceParent);
    }

    [Fact]
    public async Task Streaming_RequestSpanCarriesUsageReportedAtTheEndOfTheStream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, r) => OpenAIWire.WriteStreamAsync(c, r, "Hel", "lo");
        var capture = new TelemetryCapture();
        await using var gw = await GatewayFixture.StartAsync(Yaml(upstream.BaseUrl), tracing: capture.Tracing);
        var id = NewId();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = new StringContent("""{"model":"router.default","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"ping"}]}""", Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GatewayFixture.MasterKey);
        request.Headers.Add("X-Correlation-Id", id);

        using var response = await gw.Bare.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Contains("[DONE]", text, StringComparison.Ordinal);
        var span = await capture.RequestSpanAsync(id);
        Assert.NotNull(Tag(span, "gen_ai.usage.input_tokens"));
        Assert.NotNull(Tag(span, "gen_ai.usage.output_tokens"));
        Assert.Single(capture.Attempts(span));
    }

    [Fact]
    public async Task NoCallerTraceParent_RequestSpanIsTheTraceRoot()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var capture = new TelemetryCapture();
        await using var gw = await GatewayFixture.StartAsync(Yaml(upstream.BaseUrl), tracing: capture.Tracing);
        var id = NewId();

        var (status, body, _) = await ChatAsync(gw, id);

        Assert.True(status == 200, body);
        var request = await capture.RequestSpanAsync(id);
        Assert.Equal(default, request.ParentSpanId);
        Assert.Equal(ActivityTraceFlags.Recorded, request.ActivityTraceFlags & ActivityTraceFlags.Recorded);
    }

    [Fact]
    public async Task CallerTraceParent_IsContinuedToTheUpstream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var capture = new TelemetryCapture();
        await using var gw = await GatewayFixture.StartAsync(Yaml(upstream.BaseUrl), tracing: capture.Tracing);
        var traceId = ActivityTraceId.CreateRandom();
        var callerSpan = ActivitySpanId.CreateRandom();
        var id = NewId();

        var (status, body, _) = await ChatAsync(gw, id, traceParent: $"00-{traceId.ToHexString()}-{callerSpan.ToHexString()}-01");

        Assert.True(status == 200, body);
        var request = await capture.RequestSpanAsync(id);
        Assert.Equal(traceId, request.TraceId);
        Assert.Equal(callerSpan, request.ParentSpanId);
        var attempt = Assert.Single(capture.Attempts(request));
        Assert.Equal(traceId, attempt.TraceId);
        var sent = Assert.Single(upstream.Requests).Headers["traceparent"];
        Assert.Equal($"00-{traceId.ToHexString()}-{attempt.SpanId.ToHexString()}-01", sent);
    }

    [Fact]
    public async Task Retry_TwoAttemptSpans_FirstCarriesUpstreamStatusAsErrorType()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var calls = 0;
        upstream.Handler = (c, _) => Interlocked.Increment(ref calls) == 1
            ? OpenAIWire.WriteErrorAsync(c, 500, "boom")
            : OpenAIWire.WriteCompletionAsync(c, "second time lucky");
        var capture = new TelemetryCapture();
        await using var gw = await GatewayFixture.StartAsync(Yaml(upstream.BaseUrl), tracing: capture.Tracing);
        var id = NewId();

        var (status, body, _) = await ChatAsync(gw, id);

        Assert.True(status == 200, body);
        var request = await capture.RequestSpanAsync(id);
        var attempts = capture.Attempts(request);
        Assert.Equal(2, attempts.Count);
        Assert.Equal(ActivityStatusCode.Error, attempts[0].Status);
        Assert.Equal("500", Tag(attempts[0], "error.type"));
        Assert.Equal(2, Convert.ToInt32(Tag(attempts[1], "switchyard.attempt")));
        Assert.Null(Tag(attempts[1], "error.type"));
        Assert.NotEqual(ActivityStatusCode.Error, request.Status);
        Assert.Equal(2, Convert.ToInt32(Tag(request, "switchyard.attempt")));

        // each upstream call names its own attempt span as parent
        var parents = upstream.Requests.Select(r => r.Headers["traceparent"].Split('-')[2]).ToArray();
        Assert.Equal(attempts.Select(a => a.SpanId.ToHexString()), parents);
    }

    [Fact]
    public async Task Fallback_AttemptOnFallbackGroupIsMarked()
    {
        await using var failing = await FakeUpstream.StartAsync();
        failing.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 500, "primary down");
        await using var backup = await FakeUpstream.StartAsync();
        backup.Handler = (c, _) => OpenAIWire.WriteCompletionAsync(c, "from backup", "backup-model");
        var capture = new TelemetryCapture();
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: primary
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: {{failing.BaseUrl}}/v1
              - model_name: backup
                litellm_params:
                  model: openai/backup-model
                  api_base: {{backup.BaseUrl}}/v1
            router_settings:
              num_retries: 0
              model_group_alias:
                router.default: primary
              fallbacks:
                - router.default: [backup]
            """, tracing: capture.Tracing);
        var id = NewId();

        var (status, body, _) = await ChatAsync(gw, id);

        Assert.True(status == 200, body);
        var request = await capture.RequestSpanAsync(id);
        var attempts = capture.Attempts(request);
        Assert.Equal(2, attempts.Count);
        Assert.Equal(false, Tag(attempts[0], "switchyard.fallback_used"));
        Assert.Equal("500", Tag(attempts[0], "error.type"));
        Assert.Equal("chat backup-model", attempts[1].DisplayName);
        Assert.Equal(true, Tag(attempts[1], "switchyard.fallback_used"));
        Assert.Equal(new Uri(backup.BaseUrl).Port, Convert.ToInt32(Tag(attempts[1], "server.port")));
        Assert.Equal(true, Tag(request, "switchyard.fallback_used"));
        Assert.Equal("backup-model", Tag(request, "gen_ai.response.model"));
    }

    [Fact]
    public async Task Failure_RequestSpanHasErrorStatusAndErrorType()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 503, "overloaded");
        var capture = new TelemetryCapture();
        await using var gw = await GatewayFixture.StartAsync(Yaml(upstream.BaseUrl), tracing: capture.Tracing);
        var id = NewId();

        var (status, body, _) = await ChatAsync(gw, id);

        Assert.True(status >= 500, body);
        var request = await capture.RequestSpanAsync(id);
        Assert.Equal(ActivityStatusCode.Error, request.Status);
        var code = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("code").GetString();
        Assert.Equal(code, Tag(request, "error.type"));
        var attempts = capture.Attempts(request);
        Assert.Equal(2, attempts.Count);
        Assert.All(attempts, a => Assert.Equal("503", Tag(a, "error.type")));
    }

    [Fact]
    public async Task CaptureContent_PutsPromptOnSpanOnlyWhenEnabled()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var capture = new TelemetryCapture();
        await using var gw = await GatewayFixture.StartAsync(Yaml(upstream.BaseUrl, """
              telemetry:
                capture_content: true
            """), tracing: capture.Tracing);
        var id = NewId();

        var (status, body, _) = await ChatAsync(gw, id, content: "the secret prompt");

        Assert.True(status == 200, body);
        var request = await capture.RequestSpanAsync(id);
        Assert.Contains("the secret prompt", Tag(request, "gen_ai.input.messages") as string, StringComparison.Ordinal);
        Assert.Contains("hello from fake", Tag(request, "gen_ai.output.messages") as string, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_TokenUsageDurationRequestsLimiterAndBreaker()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var broken = await FakeUpstream.StartAsync();
        broken.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 500, "always down");
        var capture = new TelemetryCapture();
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: gpt-group
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: {{upstream.BaseUrl}}/v1
              - model_name: broken
                litellm_params:
                  model: openai/broken-model
                  api_base: {{broken.BaseUrl}}/v1
                model_info:
                  id: broken-1
            router_settings:
              num_retries: 0
              model_group_alias:
                router.default: gpt-group
            switchyard:
              breaker:
                consecutive_failures: 1
                open_duration: 10m
            """, metrics: capture.Metering);
        var (limited, _) = await gw.GenerateKeyAsync(new { rpm_limit = 1 });

        Assert.Equal(200, (await ChatAsync(gw, NewId())).Status);
        Assert.Equal(200, (await ChatAsync(gw, NewId(), limited)).Status);
        var rejected = await ChatAsync(gw, NewId(), limited);
        Assert.True(rejected.Status == 429 && rejected.Body.Contains("rpm_limit", StringComparison.Ordinal), rejected.Body);
        Assert.True((await ChatAsync(gw, NewId(), model: "broken")).Status >= 500);

        var metrics = capture.Collect(gw);
        var input = Assert.Single(TelemetryCapture.Points(metrics, "gen_ai.client.token.usage", ("gen_ai.token.type", "input"), ("gen_ai.request.model", "router.default")));
        var output = Assert.Single(TelemetryCapture.Points(metrics, "gen_ai.client.token.usage", ("gen_ai.token.type", "output"), ("gen_ai.request.model", "router.default")));
        Assert.Equal(2, input.GetHistogramCount());
        Assert.Equal(22, input.GetHistogramSum());
        Assert.Equal(6, output.GetHistogramSum());

        var durations = TelemetryCapture.Points(metrics, "gen_ai.client.operation.duration", ("gen_ai.request.model", "router.default"), ("gen_ai.provider.name", "openai"));
        Assert.Equal(2, durations.Sum(p => p.GetHistogramCount()));
        var failedDuration = Assert.Single(TelemetryCapture.Points(metrics, "gen_ai.client.operation.duration", ("gen_ai.request.model", "broken")));
        Assert.True(TelemetryCapture.Tags(failedDuration).ContainsKey("error.type"));

        var ok = TelemetryCapture.Points(metrics, "switchyard.requests", ("switchyard.alias", "router.default"), ("http.response.status_code", 200));
        Assert.Equal(2, ok.Sum(p => p.GetSumLong()));
        var rejections = Assert.Single(TelemetryCapture.Points(metrics, "switchyard.limiter.rejections", ("switchyard.limit", "rpm_limit"), ("switchyard.alias", "router.default")));
        Assert.Equal(1, rejections.GetSumLong());
        var opened = Assert.Single(TelemetryCapture.Points(metrics, "switchyard.breaker.transitions", ("switchyard.deployment", "broken-1"), ("switchyard.breaker.to", "open")));
        Assert.Equal(1, opened.GetSumLong());
    }

    [Fact]
    public async Task PrometheusEndpoint_ServesGenAiDurationAfterARequest()
    {
        await using var gw = await GatewayFixture.StartAsync("""
            model_list:
              - model_name: router.default
                litellm_params:
                  model: mock/gpt-4o-mini
            """);

        Assert.Equal(200, (await gw.ChatAsync(GatewayFixture.MasterKey, "router.default")).Status);
        var scrape = await gw.GetAsync("/metrics", token: null);

        Assert.Equal(200, scrape.Status);
        Assert.Contains("gen_ai_client_operation_duration", scrape.Body, StringComparison.Ordinal);
        Assert.Contains("gen_ai_client_token_usage", scrape.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Logs_RequestLinesCarryCorrelationIdAndAliasScopes()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 500, "down");
        await using var gw = await GatewayFixture.StartAsync(Yaml(upstream.BaseUrl));
        var id = NewId();

        var (status, _, headers) = await ChatAsync(gw, id);

        Assert.True(status >= 500);
        Assert.Equal(id, headers.GetValues("X-Correlation-Id").Single());
        var failed = gw.Logs.Entries.Single(e => e.EventId.Id == 10 && e.Category.EndsWith("InferenceEndpoint", StringComparison.Ordinal));
        Assert.Equal(id, failed.Scope("correlation_id"));
        Assert.Equal("router.default", failed.Scope("alias"));
        // what a production gateway logs (Information and up) while the request runs; framework Debug lines from routing,
        // which runs before the gateway's middleware, have no correlation id and are not logged there
        var duringRequest = gw.Logs.Entries.Where(e => e.Level >= LogLevel.Information && e.Scope("RequestPath") == "/v1/chat/completions").ToArray();
        Assert.NotEmpty(duringRequest);
        Assert.All(duringRequest, e => Assert.Equal(id, e.Scope("correlation_id")));
    }
}
