using System.Net;
using System.Net.Sockets;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Functional;

public sealed class TimeoutTests
{
    private static string Single(FakeUpstream upstream, string parameters = "", string router = "num_retries: 0") => $$"""
        model_list:
          - model_name: chat
            litellm_params:
              model: openai/gpt-4o-mini
              api_base: {{upstream.BaseUrl}}/v1
              {{parameters}}
        router_settings:
          {{router}}
        switchyard:
          retry:
            base_delay: 0
        """;

    [Fact]
    public async Task Timeout_HangingUpstream_Answers504UpstreamTimeout()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.HangAsync(c);
        await using var gw = await GatewayFixture.StartAsync(Single(upstream, "timeout: 0.5"));

        using var response = await gw.ChatAsync("chat");

        var s = await FailureAssert.ReadAsync(response, 504, "upstream_timeout", "upstream_timeout");
        Assert.Equal("chat", s.Route);
        Assert.Equal("openai", s.ProviderFamily);
        Assert.Contains("500 ms", s.Message, StringComparison.Ordinal);
        Assert.Equal(1, upstream.Count);
    }

    [Fact]
    public async Task Timeout_RetryPolicyTimeoutErrorRetries_RetriesTimeoutsOnly()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.HangAsync(c);
        await using var gw = await GatewayFixture.StartAsync(Single(upstream, "timeout: 300ms", """
            num_retries: 0
              retry_policy:
                TimeoutErrorRetries: 1
            """));

        using var response = await gw.ChatAsync("chat");

        var s = await FailureAssert.ReadAsync(response, 504, "upstream_timeout", "upstream_timeout");
        Assert.Contains("after 2 attempts", s.Message, StringComparison.Ordinal);
        Assert.Equal(2, upstream.Count);
    }

    [Fact]
    public async Task StreamTimeout_HeadersButNoEvent_FallsBackBeforeFirstByte()
    {
        await using var stuck = await FakeUpstream.StartAsync();
        await using var spare = await FakeUpstream.StartAsync();
        stuck.Handler = async (c, _) =>
        {
            await OpenAIWire.StartStreamAsync(c);
            await OpenAIWire.HangAsync(c);
        };
        spare.Handler = (c, r) => OpenAIWire.WriteStreamAsync(c, r, "from ", "spare");
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: primary
                litellm_params:
                  model: openai/gpt-4o
                  api_base: {{stuck.BaseUrl}}/v1
                  timeout: 30
                  stream_timeout: 0.5
              - model_name: backup
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: {{spare.BaseUrl}}/v1
            router_settings:
              num_retries: 0
              fallbacks:
                - primary: [backup]
            """);

        using var response = await gw.PostAsync("/v1/chat/completions", GatewayRequests.ChatBody("primary", stream: true), streamResponse: true);

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("2", response.Headers.GetValues("x-switchyard-attempts").Single());
        var data = GatewayRequests.SseData(await response.Content.ReadAsStringAsync());
        Assert.Equal(["from ", "spare"], GatewayRequests.ContentDeltas(data));
        Assert.Equal("[DONE]", data[^1]);
        Assert.DoesNotContain(data, d => d.Contains("\"error\"", StringComparison.Ordinal));
        Assert.Equal(1, stuck.Count);
        Assert.Equal(1, spare.Count);
    }

    [Fact]
    public async Task StreamTimeout_NoHeadersAtAll_Answers504()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.HangAsync(c);
        await using var gw = await GatewayFixture.StartAsync(Single(upstream, "stream_timeout: 400ms"));

        using var response = await gw.PostAsync("/v1/chat/completions", GatewayRequests.ChatBody("chat", stream: true));

        var s = await FailureAssert.ReadAsync(response, 504, "upstream_timeout", "upstream_timeout");
        Assert.Contains("400 ms", s.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallerCancels_UpstreamCallAbortedNotCountedAndNotLeftInFlight()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        upstream.Handler = async (c, _) =>
        {
            received.TrySetResult();
            await OpenAIWire.HangAsync(c);
            aborted.TrySetResult();
        };
        await using var gw = await GatewayFixture.StartAsync(Single(upstream) + "\n  breaker:\n    consecutive_failures: 1\n");
        using var cts = new CancellationTokenSource();

        var call = gw.Http.PostAsync("/v1/chat/completions", new StringContent(GatewayRequests.ChatBody("chat")), cts.Token);
        await received.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        await aborted.Task.WaitAsync(TimeSpan.FromSeconds(10));

        using var health = System.Text.Json.JsonDocument.Parse(await gw.Http.GetStringAsync("/health"));
        var d = health.RootElement.GetProperty("deployments")[0];
        Assert.Equal("closed", d.GetProperty("breaker").GetString());
        Assert.Equal(0, d.GetProperty("in_flight").GetInt64());
    }

    [Fact]
    public async Task ConnectionReset_UpstreamAborts_Answers502ConnectionError()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) =>
        {
            c.Abort();
            return Task.CompletedTask;
        };
        await using var gw = await GatewayFixture.StartAsync(Single(upstream));

        using var response = await gw.ChatAsync("chat");

        var s = await FailureAssert.ReadAsync(response, 502, "upstream_error", "upstream_connection_error");
        Assert.Equal("chat", s.Route);
        Assert.Equal(1_000, s.RetryAfterMs);
        Assert.Equal(1, upstream.Count);
    }

    [Fact]
    public async Task ConnectionRefused_NothingListening_Answers502ConnectionError()
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
        }

        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: chat
                litellm_params:
                  model: openai/gpt-4o-mini
                  api_base: http://127.0.0.1:{{port}}/v1
            router_settings:
              num_retries: 0
            """);

        using var response = await gw.ChatAsync("chat");

        var s = await FailureAssert.ReadAsync(response, 502, "upstream_error", "upstream_connection_error");
        Assert.Contains("refused the connection", s.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidResponse_200WithGarbage_Answers502InvalidResponse()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteGarbageAsync(c);
        await using var gw = await GatewayFixture.StartAsync(Single(upstream));

        using var response = await gw.ChatAsync("chat");

        var s = await FailureAssert.ReadAsync(response, 502, "upstream_error", "upstream_invalid_response");
        Assert.DoesNotContain("surprise", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Contains("not valid JSON", s.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidResponse_200JsonWithoutChoices_Answers502InvalidResponse()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) =>
        {
            c.Response.ContentType = "application/json";
            return c.Response.WriteAsync("{\"id\":\"x\",\"object\":\"chat.completion\"}");
        };
        await using var gw = await GatewayFixture.StartAsync(Single(upstream));

        using var response = await gw.ChatAsync("chat");

        var s = await FailureAssert.ReadAsync(response, 502, "upstream_error", "upstream_invalid_response");
        Assert.Contains("without 'choices'", s.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvalidResponse_StreamClosedBeforeFirstEvent_RetriedThenReported()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, r) => upstream.Count == 1 ? OpenAIWire.StartStreamAsync(c) : OpenAIWire.WriteStreamAsync(c, r, "ok");
        await using var gw = await GatewayFixture.StartAsync(Single(upstream, router: "num_retries: 1"));

        using var response = await gw.PostAsync("/v1/chat/completions", GatewayRequests.ChatBody("chat", stream: true));

        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("2", response.Headers.GetValues("x-switchyard-attempts").Single());
        Assert.Equal(["ok"], GatewayRequests.ContentDeltas(GatewayRequests.SseData(await response.Content.ReadAsStringAsync())));
    }
}
