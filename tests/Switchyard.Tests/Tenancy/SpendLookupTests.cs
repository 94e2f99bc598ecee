using System.Text.Json;
using OpenAI.Chat;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Tenancy;

/// <summary>
/// A spend row's request_id is the response id the caller saw (chatcmpl-..., msg_..., resp_..., streams too), so
/// <c>/spend/logs?request_id=</c> finds exactly that call; the correlation id stays its own column, and a call no
/// answer carried an id for keeps a generated one.
/// </summary>
public sealed class SpendLookupTests
{
    private const string MockYaml = """
        model_list:
          - model_name: chat
            litellm_params: { model: mock/chat, mock_response: pong }
        """;

    /// <summary>OpenAI's wire format with a new id per answer (chunks of one stream share theirs), as the real API writes it.</summary>
    private static Task Answer(HttpContext c, RecordedRequest r)
    {
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N")[..24];
        if (!r.Body.Contains("\"stream\":true", StringComparison.Ordinal))
        {
            c.Response.ContentType = "application/json";
            return c.Response.WriteAsync(JsonSerializer.Serialize(new
            {
                id,
                @object = "chat.completion",
                created = 1_700_000_000,
                model = "gpt-4o-mini",
                choices = new[] { new { index = 0, message = new { role = "assistant", content = "pong" }, finish_reason = "stop" } },
                usage = new { prompt_tokens = 9, completion_tokens = 1, total_tokens = 10 },
            }));
        }

        return Stream();

        async Task Stream()
        {
            await OpenAIWire.StartStreamAsync(c);
            foreach (var (content, finish) in new (string?, string?)[] { ("po", null), ("ng", null), (null, "stop") })
            {
                await OpenAIWire.WriteRawAsync(c, OpenAIWire.Chunk(content, finish).Replace("chatcmpl-fake1", id, StringComparison.Ordinal));
            }

            await OpenAIWire.WriteRawAsync(c, OpenAIWire.UsageChunk(9, 2).Replace("chatcmpl-fake1", id, StringComparison.Ordinal));
            await OpenAIWire.WriteRawAsync(c, "data: [DONE]\n\n");
        }
    }

    [Fact]
    public async Task Sdk_ChatCompletion_SpendLogsByItsIdReturnsExactlyThatRow()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = Answer;
        await using var gw = await GatewayFixture.StartAsync(OpenAISdkStreamFailureTestsYaml(upstream));
        var chat = gw.Chat("chat");
        var results = new List<System.ClientModel.ClientResult<ChatCompletion>>();
        for (var i = 0; i < 3; i++)
        {
            results.Add(await chat.CompleteChatAsync([new UserChatMessage("ping " + i)]));
        }

        var second = results[1];
        Assert.StartsWith("chatcmpl-", second.Value.Id, StringComparison.Ordinal);
        var rows = await gw.GetAsync("/spend/logs?request_id=" + second.Value.Id);

        var row = Assert.Single(rows.Json.EnumerateArray());
        Assert.Equal(second.Value.Id, row.GetProperty("request_id").GetString());
        Assert.True(second.GetRawResponse().Headers.TryGetValue("x-correlation-id", out var correlation));
        Assert.Equal(correlation, row.GetProperty("correlation_id").GetString()); // the correlation id stays its own column
        Assert.Equal(10, row.GetProperty("total_tokens").GetInt32());
        Assert.Equal(3, (await gw.GetAsync("/spend/logs")).Json.GetArrayLength());
    }

    [Fact]
    public async Task Sdk_ChatStream_SpendLogsByTheChunksIdReturnsThatRow()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = Answer;
        await using var gw = await GatewayFixture.StartAsync(OpenAISdkStreamFailureTestsYaml(upstream));
        string? id = null;
        await foreach (var update in gw.Chat("chat").CompleteChatStreamingAsync([new UserChatMessage("ping")]))
        {
            id ??= update.CompletionId;
        }

        await gw.Chat("chat").CompleteChatAsync([new UserChatMessage("another")]);

        Assert.StartsWith("chatcmpl-", id, StringComparison.Ordinal);
        var row = Assert.Single((await gw.GetAsync("/spend/logs?request_id=" + id)).Json.EnumerateArray());
        Assert.Equal(id, row.GetProperty("request_id").GetString());
        Assert.Equal(11, row.GetProperty("total_tokens").GetInt32()); // the stream's own usage: it is the stream's row
    }

    [Theory]
    [InlineData("/v1/messages", false, "msg_")]
    [InlineData("/v1/messages", true, "msg_")]
    [InlineData("/v1/responses", false, "resp_")]
    [InlineData("/v1/responses", true, "resp_")]
    public async Task MessagesAndResponses_RowFoundByTheIdTheCallerSaw(string path, bool stream, string prefix)
    {
        await using var gw = await GatewayFixture.StartAsync(MockYaml);
        var body = path == "/v1/messages"
            ? JsonSerializer.Serialize(new { model = "chat", max_tokens = 16, stream, messages = new[] { new { role = "user", content = "hi" } } })
            : JsonSerializer.Serialize(new { model = "chat", input = "hi", stream });

        var answer = await gw.SendAsync(HttpMethod.Post, path, GatewayFixture.MasterKey, body);
        await gw.SendAsync(HttpMethod.Post, path, GatewayFixture.MasterKey, body.Replace("hi", "another", StringComparison.Ordinal));

        Assert.True(answer.Status == 200, answer.ToString());
        var id = stream ? FirstStreamId(answer.Body) : answer.Json.GetProperty("id").GetString();
        Assert.StartsWith(prefix, id, StringComparison.Ordinal);
        var row = Assert.Single((await gw.GetAsync("/spend/logs?request_id=" + id)).Json.EnumerateArray());
        Assert.Equal(id, row.GetProperty("request_id").GetString());
    }

    [Fact]
    public async Task UpstreamFailure_RowKeepsAGeneratedIdAndIsFoundByIt()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        upstream.Handler = (c, _) => OpenAIWire.WriteErrorAsync(c, 500, "boom");
        await using var gw = await GatewayFixture.StartAsync(OpenAISdkStreamFailureTestsYaml(upstream));

        var failed = await gw.ChatAsync(GatewayFixture.MasterKey, "chat");

        Assert.True(failed.Status >= 500, failed.ToString());
        var row = Assert.Single((await gw.GetAsync("/spend/logs")).Json.EnumerateArray());
        var id = row.GetProperty("request_id").GetString();
        Assert.Matches("^[0-9a-f]{32}$", id);
        Assert.Equal(failed.Error.GetProperty("correlation_id").GetString(), row.GetProperty("correlation_id").GetString());
        Assert.Single((await gw.GetAsync("/spend/logs?request_id=" + id)).Json.EnumerateArray());
        Assert.Empty((await gw.GetAsync("/spend/logs?request_id=chatcmpl-unknown")).Json.EnumerateArray());
    }

    [Fact]
    public async Task RequestId_AnotherKeysRow_NotVisibleToAKeyReadingItsOwnSpend()
    {
        await using var gw = await GatewayFixture.StartAsync(MockYaml);
        var (mine, _) = await gw.GenerateKeyAsync(new { });
        var (theirs, _) = await gw.GenerateKeyAsync(new { });
        var theirId = (await gw.ChatAsync(theirs, "chat")).Json.GetProperty("id").GetString();
        var myId = (await gw.ChatAsync(mine, "chat", length: 200)).Json.GetProperty("id").GetString();

        Assert.Empty((await gw.GetAsync("/spend/logs?request_id=" + theirId, mine)).Json.EnumerateArray());
        Assert.Single((await gw.GetAsync("/spend/logs?request_id=" + myId, mine)).Json.EnumerateArray());
        Assert.Single((await gw.GetAsync("/spend/logs?request_id=" + theirId)).Json.EnumerateArray()); // the master key reads all
    }

    /// <summary>The first id a stream's events carry (a chat chunk's, message_start's message, response.created's response).</summary>
    private static string? FirstStreamId(string sse)
    {
        foreach (var data in GatewayRequests.SseData(sse))
        {
            using var doc = JsonDocument.Parse(data);
            var root = doc.RootElement;
            foreach (var holder in new[] { "message", "response" })
            {
                if (root.TryGetProperty(holder, out var h) && h.ValueKind == JsonValueKind.Object && h.TryGetProperty("id", out var inner))
                {
                    return inner.GetString();
                }
            }

            if (root.TryGetProperty("id", out var id))
            {
                return id.GetString();
            }
        }

        return null;
    }

    private static string OpenAISdkStreamFailureTestsYaml(FakeUpstream upstream) => Clients.OpenAISdkStreamFailureTests.Single(upstream);
}
