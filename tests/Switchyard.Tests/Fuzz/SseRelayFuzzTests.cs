using System.Net.Http.Headers;
using System.Text;
using CsCheck;
using Switchyard.Providers.Sse;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Fuzz;

/// <summary>
/// The SSE relay (OpenAI pass-through and the Anthropic stream translator) under generated upstream streams cut at
/// generated boundaries: the caller gets a 200 stream (completed, or ended with an error event and aborted) or a
/// 502/504 summary; never a 500, never a hang, never an Error log line or an unobserved task exception.
/// </summary>
[Collection(FuzzCollection.Name)]
public sealed class SseRelayFuzzTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Relay_AnyUpstreamStream_AnswersWithoutServerErrorOrHang(bool anthropic)
    {
        await using var upstream = await FakeUpstream.StartAsync();
        byte[][] pieces = [];
        upstream.Handler = async (c, _) =>
        {
            c.Response.ContentType = "text/event-stream";
            await c.Response.Body.FlushAsync();
            foreach (var piece in pieces)
            {
                await c.Response.Body.WriteAsync(piece);
                await c.Response.Body.FlushAsync();
            }
        };
        await using var gw = await GatewayFixture.StartAsync($$"""
            model_list:
              - model_name: chat
                litellm_params:
                  model: {{(anthropic ? "anthropic/claude-sonnet-4-5" : "openai/gpt-4o-mini")}}
                  api_base: {{upstream.BaseUrl}}{{(anthropic ? "" : "/v1")}}
                  api_key: sk-fake-upstream
                  num_retries: 0
            router_settings:
              num_retries: 0
              allowed_fails: 1000
              cooldown_time: 0
            switchyard:
              breaker:
                minimum_calls: 1000
            """);

        await FuzzRun.CheckAsync(SseGen.Stream(anthropic), async stream =>
        {
            pieces = stream;
            using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
            {
                Content = new StringContent(GatewayRequests.ChatBody("chat", stream: true), Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", GatewayFixture.MasterKey);
            using var response = await gw.Bare.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            var status = (int)response.StatusCode;
            string text;
            try
            {
                text = await response.Content.ReadAsStringAsync();
            }
            catch (HttpRequestException) when (status == 200)
            {
                return; // the gateway aborts a stream that broke after its first byte, by contract
            }

            Assert.True(status is 200 or 502 or 504, $"HTTP {status}: {text}");
            if (status != 200)
            {
                FailureAssert.Parse(text);
            }
        }, cases: 120, describe: s => Encoding.UTF8.GetString(s.SelectMany(p => p).ToArray()).Replace("\n", "\\n", StringComparison.Ordinal) + $" ({s.Length} pieces)");

        var loud = gw.Logs.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => e.Message).ToArray();
        Assert.True(loud.Length == 0, string.Join("\n", loud));
    }

    [Fact]
    public Task UsageScanner_AnySplit_SeesWhatTheWholeStreamHolds()
        => FuzzRun.CheckAsync(SseGen.Stream(anthropic: false), pieces =>
        {
            var whole = new SseUsageScanner();
            var wholeDone = whole.Scan(pieces.SelectMany(p => p).ToArray());
            var split = new SseUsageScanner();
            var splitDone = false;
            var framing = new SseFraming();
            foreach (var piece in pieces)
            {
                splitDone = split.Scan(piece);
                framing.Observe(piece);
            }

            Assert.Equal(wholeDone, splitDone);
            Assert.Equal(whole.Usage, split.Usage);
        }, cases: 2000, describe: p => System.Text.Encoding.UTF8.GetString(p.SelectMany(x => x).ToArray()).Replace("\n", "\\n", StringComparison.Ordinal) + $" ({p.Length} pieces)");
}
