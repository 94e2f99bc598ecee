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

        var reply = mock.Response ?? $"This is a mock response from {d.Model} to: {Truncate(LastUserText(body), 120)}";
        var words = reply.Split(' ');
        var usage = new Usage(promptTokens, words.Length);
        if (request.Info.Stream)
        {
#pragma warning disable CA2000 // ownership passes to the caller inside the AttemptResult, which disposes it
            return AttemptResult<UpstreamResponse>.Ok(new MockStream(id, created, d.Model, words, usage, request.Info.IncludeUsage));
#pragma warning restore CA2000
        }

#pragma warning disable CA2000 // ownership passes to the caller inside the AttemptResult, which disposes it
        return AttemptResult<UpstreamResponse>.Ok(new BufferedResponse(Completion(id, created, d.Model, reply, usage), usage));
#pragma warning restore CA2000
    }

    private static byte[] Completion(string id, long created, string model, string reply, Usage usage)
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
            w.WriteString("content", reply);
            w.WriteEndObject();
            w.WriteString("finish_reason", "stop");
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

    private static string LastUserText(ReadOnlySpan<byte> body)
    {
        try
        {
            var reader = new Utf8JsonReader(body);
            using var doc = JsonDocument.ParseValue(ref reader);
            if (doc.RootElement.TryGetProperty("messages", out var messages) && messages.ValueKind == JsonValueKind.Array)
            {
                for (var i = messages.GetArrayLength() - 1; i >= 0; i--)
                {
                    var m = messages[i];
                    if (m.TryGetProperty("role", out var role) && role.ValueEquals("user") && m.TryGetProperty("content", out var content))
                    {
                        return content.ValueKind == JsonValueKind.String ? content.GetString() ?? "" : "(structured content)";
                    }
                }
            }
        }
        catch (JsonException)
        {
        }

        return "";
    }

    private static string Truncate(string s, int max) => s.Length <= max ? s : s[..max] + "...";

    /// <summary>A mock stream: a role chunk, a chunk per word, a finish chunk, usage when asked, [DONE].</summary>
    private sealed class MockStream : UpstreamResponse
    {
        private readonly string _id;
        private readonly long _created;
        private readonly string _model;
        private readonly string[] _words;
        private readonly Usage _usage;
        private readonly bool _includeUsage;

        public MockStream(string id, long created, string model, string[] words, Usage usage, bool includeUsage)
        {
            _id = id;
            _created = created;
            _model = model;
            _words = words;
            _usage = usage;
            _includeUsage = includeUsage;
            IsStream = true;
        }

        public override async ValueTask<RelayOutcome> RelayAsync(PipeWriter output, CancellationToken cancellationToken)
        {
            Write(output, w => w.WriteString("role", "assistant"), null);
            for (var i = 0; i < _words.Length; i++)
            {
                var text = i == 0 ? _words[i] : " " + _words[i];
                Write(output, w => w.WriteString("content", text), null);
                if (!await FlushAsync(output, cancellationToken).ConfigureAwait(false))
                {
                    return RelayOutcome.ClientGone;
                }
            }

            Write(output, _ => { }, "stop");
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
