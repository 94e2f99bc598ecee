using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Switchyard.Core.Config;
using Switchyard.Core.Failures;
using Switchyard.Core.Requests;
using Switchyard.Core.Routing;
using Switchyard.Providers.Abstractions;

namespace Switchyard.Providers.Mock;

/// <summary>
/// The built-in offline provider: deterministic answers in OpenAI shapes (chat, streaming, embeddings) with
/// optional latency (mock_latency_ms), a fixed reply (mock_response) and failure injection (mock_fail_status).
/// Agent loops work offline: tool calls when tools are offered, JSON matching a response_format schema, and the
/// same token counts streamed or not (<see cref="MockAnswer"/>).
/// </summary>
public sealed class MockAdapter(TimeProvider time) : IProviderAdapter
{
    public string Family => ProviderFamilies.Mock;

    public async ValueTask<AttemptResult<UpstreamResponse>> SendAsync(ProviderRequest request, CancellationToken cancellationToken)
    {
        var d = request.Deployment;
        var mock = d.Mock ?? new MockSettings();
        if (mock.Latency > TimeSpan.Zero)
        {
            await Task.Delay(mock.Latency, time, cancellationToken).ConfigureAwait(false);
        }

        if (mock.FailStatus is { } status)
        {
            var kind = status switch
            {
                429 => FailureKind.RateLimited,
                401 or 403 => FailureKind.UpstreamAuth,
                >= 500 => FailureKind.ServerError,
                _ => FailureKind.CallerError,
            };
            return new UpstreamFailure(kind, status, $"answered HTTP {status} (mock_fail_status)");
        }

        var body = request.Body.Span;
        var id = "chatcmpl-mock-" + Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 8));
        var created = time.GetUtcNow().ToUnixTimeSeconds();
        var promptTokens = Math.Max(1, body.Length / 4);
        if (request.Info.Operation == OperationKind.Embeddings)
        {
#pragma warning disable CA2000 // ownership passes to the caller inside the AttemptResult, which disposes it
            return AttemptResult<UpstreamResponse>.Ok(new BufferedResponse(Embedding(body, d.Model, promptTokens), new Usage(promptTokens, 0)));
#pragma warning restore CA2000
        }

        if (Surface(request, body, created, promptTokens) is { } surface)
        {
            return surface;
        }

        var answer = MockAnswer.Plan(body, d.Model, mock.Response);
        var usage = new Usage(answer.PromptTokens, answer.CompletionTokens);
        var callId = "call_mock_" + id[^16..];
        if (request.Info.Stream)
        {
#pragma warning disable CA2000 // ownership passes to the caller inside the AttemptResult, which disposes it
            return AttemptResult<UpstreamResponse>.Ok(new MockStream(id, created, d.Model, answer, callId, usage, request.Info.IncludeUsage));
#pragma warning restore CA2000
        }

#pragma warning disable CA2000 // ownership passes to the caller inside the AttemptResult, which disposes it
        return AttemptResult<UpstreamResponse>.Ok(new BufferedResponse(Completion(id, created, d.Model, answer, callId, usage), usage));
#pragma warning restore CA2000
    }

    /// <summary>Legacy completions, image generation, moderations (<see cref="MockSurface"/>) and rerank (<see cref="MockRerank"/>); null for chat.</summary>
    private static AttemptResult<UpstreamResponse>? Surface(ProviderRequest request, ReadOnlySpan<byte> body, long created, long promptTokens)
    {
        var info = request.Info;
        var d = request.Deployment;
        var hash = Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 8));
#pragma warning disable CA2000 // ownership passes to the caller inside the AttemptResult, which disposes it
        switch (info.Operation)
        {
            case OperationKind.Completions:
                var text = MockSurface.CompletionText(body, d.Model, d.Mock?.Response);
                var usage = new Usage(promptTokens, MockSurface.Tokens(text));
                var id = "cmpl-mock-" + hash;
                return info.Stream
                    ? AttemptResult<UpstreamResponse>.Ok(new MockSurface.CompletionStream(id, created, d.Model, text, usage, info.IncludeUsage))
                    : AttemptResult<UpstreamResponse>.Ok(new BufferedResponse(MockSurface.TextCompletion(id, created, d.Model, text, usage), usage));
            case OperationKind.ImageGeneration:
                return AttemptResult<UpstreamResponse>.Ok(new BufferedResponse(MockSurface.Images(body, created, info.Choices), new Usage(0, 0)));
            case OperationKind.Moderations:
                return AttemptResult<UpstreamResponse>.Ok(new BufferedResponse(MockSurface.Moderation(body, "modr-mock-" + hash, d.Model), new Usage(0, 0)));
            case OperationKind.Rerank:
                return MockRerank.Answer(request, promptTokens);
            default:
                return null;
        }
#pragma warning restore CA2000
    }

    private static byte[] Completion(string id, long created, string model, MockAnswer answer, string callId, Usage usage)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("object", "chat.completion");
            w.WriteNumber("created", created);
            w.WriteString("model", model);
            w.WriteStartArray("choices");
            w.WriteStartObject();
            w.WriteNumber("index", 0);
            w.WriteStartObject("message");
            w.WriteString("role", "assistant");
            w.WriteString("content", answer.Text);
            if (answer.ToolName is { } name)
            {
                w.WriteStartArray("tool_calls");
                w.WriteStartObject();
                w.WriteString("id", callId);
                w.WriteString("type", "function");
                w.WriteStartObject("function");
                w.WriteString("name", name);
                w.WriteString("arguments", answer.Arguments);
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndArray();
            }

            w.WriteEndObject();
            w.WriteString("finish_reason", answer.FinishReason);
            w.WriteEndObject();
            w.WriteEndArray();
            WriteUsage(w, usage);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>One deterministic 16-dimension vector per input item; base64 (float32, little-endian) when asked, as OpenAI does.</summary>
    private static byte[] Embedding(ReadOnlySpan<byte> body, string model, long promptTokens)
    {
        var reader = new Utf8JsonReader(body);
        using var doc = JsonDocument.ParseValue(ref reader);
        var root = doc.RootElement;
        var input = root.GetProperty("input");
        var items = input.ValueKind == JsonValueKind.Array && input.GetArrayLength() > 0 && input[0].ValueKind != JsonValueKind.Number
            ? input.EnumerateArray().Select(e => e.GetRawText()).ToArray()
            : [input.GetRawText()];
        var base64 = root.TryGetProperty("encoding_format", out var f) && f.ValueKind == JsonValueKind.String && f.ValueEquals("base64");
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("object", "list");
            w.WriteStartArray("data");
            for (var n = 0; n < items.Length; n++)
            {
                var hash = SHA256.HashData(Encoding.UTF8.GetBytes(items[n]));
                var vector = new float[16];
                for (var i = 0; i < vector.Length; i++)
                {
                    vector[i] = (float)Math.Round((hash[i] / 127.5) - 1, 4);
                }

                w.WriteStartObject();
                w.WriteString("object", "embedding");
                w.WriteNumber("index", n);
                if (base64)
                {
                    w.WriteString("embedding", Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(vector.AsSpan())));
                }
                else
                {
                    w.WriteStartArray("embedding");
                    foreach (var v in vector)
                    {
                        w.WriteNumberValue(v);
                    }

                    w.WriteEndArray();
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteString("model", model);
            w.WriteStartObject("usage");
            w.WriteNumber("prompt_tokens", promptTokens);
            w.WriteNumber("total_tokens", promptTokens);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    internal static void WriteUsage(Utf8JsonWriter w, Usage usage)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", usage.PromptTokens);
        w.WriteNumber("completion_tokens", usage.CompletionTokens);
        w.WriteNumber("total_tokens", usage.TotalTokens);
        w.WriteEndObject();
    }

    /// <summary>
    /// A mock stream: a role chunk, a chunk per word (or, for a tool call, a chunk with its id and name and the arguments
    /// in four pieces), a finish chunk, usage when asked, [DONE].
    /// </summary>
    private sealed class MockStream : UpstreamResponse
    {
        private readonly string _id;
        private readonly long _created;
        private readonly string _model;
        private readonly MockAnswer _answer;
        private readonly string _callId;
        private readonly Usage _usage;
        private readonly bool _includeUsage;

        public MockStream(string id, long created, string model, MockAnswer answer, string callId, Usage usage, bool includeUsage)
        {
            _id = id;
            _created = created;
            _model = model;
            _answer = answer;
            _callId = callId;
            _usage = usage;
            _includeUsage = includeUsage;
            IsStream = true;
        }

        public override async ValueTask<RelayOutcome> RelayAsync(PipeWriter output, CancellationToken cancellationToken)
        {
            Write(output, w => w.WriteString("role", "assistant"), null);
            foreach (var piece in Pieces())
            {
                Write(output, piece, null);
                if (!await FlushAsync(output, cancellationToken).ConfigureAwait(false))
                {
                    return RelayOutcome.ClientGone;
                }
            }

            Write(output, _ => { }, _answer.FinishReason);
            if (_includeUsage)
            {
                WriteChunk(output, w =>
                {
                    w.WriteStartArray("choices");
                    w.WriteEndArray();
                    WriteUsage(w, _usage);
                });
            }

            output.Write("data: [DONE]\n\n"u8);
            Usage = _usage;
            return await FlushAsync(output, cancellationToken).ConfigureAwait(false) ? RelayOutcome.Completed : RelayOutcome.ClientGone;
        }

        private IEnumerable<Action<Utf8JsonWriter>> Pieces()
        {
            if (_answer.ToolName is not { } name)
            {
                var words = _answer.Text!.Split(' ');
                for (var i = 0; i < words.Length; i++)
                {
                    var text = i == 0 ? words[i] : " " + words[i];
                    yield return w => w.WriteString("content", text);
                }

                yield break;
            }

            yield return w => ToolCall(w, _callId, name, "");
            var arguments = _answer.Arguments!;
            var size = Math.Max(1, (arguments.Length + 3) / 4);
            for (var at = 0; at < arguments.Length; at += size)
            {
                var fragment = arguments.Substring(at, Math.Min(size, arguments.Length - at));
                yield return w => ToolCall(w, null, null, fragment);
            }
        }

        private static void ToolCall(Utf8JsonWriter w, string? id, string? name, string arguments)
        {
            w.WriteStartArray("tool_calls");
            w.WriteStartObject();
            w.WriteNumber("index", 0);
            if (id is not null)
            {
                w.WriteString("id", id);
                w.WriteString("type", "function");
            }

            w.WriteStartObject("function");
            if (name is not null)
            {
                w.WriteString("name", name);
            }

            w.WriteString("arguments", arguments);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
        }

        private void Write(PipeWriter output, Action<Utf8JsonWriter> delta, string? finish)
            => WriteChunk(output, w =>
            {
                w.WriteStartArray("choices");
                w.WriteStartObject();
                w.WriteNumber("index", 0);
                w.WriteStartObject("delta");
                delta(w);
                w.WriteEndObject();
                if (finish is null)
                {
                    w.WriteNull("finish_reason");
                }
                else
                {
                    w.WriteString("finish_reason", finish);
                }

                w.WriteEndObject();
                w.WriteEndArray();
            });

        private void WriteChunk(PipeWriter output, Action<Utf8JsonWriter> body)
        {
            output.Write("data: "u8);
            using (var w = new Utf8JsonWriter(output))
            {
                w.WriteStartObject();
                w.WriteString("id", _id);
                w.WriteString("object", "chat.completion.chunk");
                w.WriteNumber("created", _created);
                w.WriteString("model", _model);
                body(w);
                w.WriteEndObject();
            }

            output.Write("\n\n"u8);
        }
    }

    internal static string Utf8(ReadOnlySpan<byte> b) => Encoding.UTF8.GetString(b);
}
