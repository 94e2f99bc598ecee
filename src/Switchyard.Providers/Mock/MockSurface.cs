using System.Buffers;
using System.IO.Pipelines;
using System.Text.Json;
using Switchyard.Core.Requests;
using Switchyard.Providers.Abstractions;

namespace Switchyard.Providers.Mock;

/// <summary>
/// The mock's answers for legacy Completions (a <c>text_completion</c>, streamed word by word like chat), image
/// generation (a 1x1 PNG as <c>b64_json</c>, or as a data URL when <c>response_format: url</c>) and moderations (one
/// unflagged result per input, flagged when the input contains <see cref="FlagWord"/>).
/// </summary>
internal static class MockSurface
{
    /// <summary>An input containing this word is flagged (category violence), so a moderation gate can be tried offline.</summary>
    public const string FlagWord = "mock-flagged";

    /// <summary>A valid 1x1 PNG.</summary>
    public const string TinyPng = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

    private static readonly string[] Categories =
    [
        "harassment", "harassment/threatening", "hate", "hate/threatening", "illicit", "illicit/violent", "self-harm",
        "self-harm/intent", "self-harm/instructions", "sexual", "sexual/minors", "violence", "violence/graphic",
    ];

    public static string CompletionText(ReadOnlySpan<byte> body, string model, string? fixedReply)
    {
        if (fixedReply is not null)
        {
            return fixedReply;
        }

        var prompt = "";
        var reader = new Utf8JsonReader(body);
        using (var doc = JsonDocument.ParseValue(ref reader))
        {
            if (doc.RootElement.TryGetProperty("prompt", out var p))
            {
                prompt = p.ValueKind == JsonValueKind.String ? p.GetString()! : p.ValueKind == JsonValueKind.Array && p.GetArrayLength() > 0 && p[0].ValueKind == JsonValueKind.String ? p[0].GetString()! : "";
            }
        }

        prompt = prompt.Length > 120 ? prompt[..120] + "..." : prompt;
        return $"This is a mock completion from {model} for: {prompt}";
    }

    public static long Tokens(string text) => Math.Max(1, text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);

    public static byte[] TextCompletion(string id, long created, string model, string text, Usage usage)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + text.Length);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("object", "text_completion");
            w.WriteNumber("created", created);
            w.WriteString("model", model);
            w.WriteStartArray("choices");
            Choice(w, text, "stop");
            w.WriteEndArray();
            MockAdapter.WriteUsage(w, usage);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void Choice(Utf8JsonWriter w, string text, string? finish)
    {
        w.WriteStartObject();
        w.WriteString("text", text);
        w.WriteNumber("index", 0);
        w.WriteNull("logprobs");
        if (finish is null)
        {
            w.WriteNull("finish_reason");
        }
        else
        {
            w.WriteString("finish_reason", finish);
        }

        w.WriteEndObject();
    }

    public static byte[] Images(ReadOnlySpan<byte> body, long created, int count)
    {
        var reader = new Utf8JsonReader(body);
        bool url;
        string prompt;
        using (var doc = JsonDocument.ParseValue(ref reader))
        {
            var root = doc.RootElement;
            url = root.TryGetProperty("response_format", out var f) && f.ValueKind == JsonValueKind.String && f.ValueEquals("url");
            prompt = root.GetProperty("prompt").GetString()!;
        }

        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("created", created);
            w.WriteStartArray("data");
            for (var i = 0; i < count; i++)
            {
                w.WriteStartObject();
                if (url)
                {
                    w.WriteString("url", "data:image/png;base64," + TinyPng);
                }
                else
                {
                    w.WriteString("b64_json", TinyPng);
                }

                w.WriteString("revised_prompt", prompt.Length > 200 ? prompt[..200] : prompt);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Moderation(ReadOnlySpan<byte> body, string id, string model)
    {
        var reader = new Utf8JsonReader(body);
        List<string> inputs = [];
        using (var doc = JsonDocument.ParseValue(ref reader))
        {
            var input = doc.RootElement.GetProperty("input");
            if (input.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in input.EnumerateArray())
                {
                    inputs.Add(item.ValueKind == JsonValueKind.String ? item.GetString()! : item.GetRawText());
                }
            }
            else
            {
                inputs.Add(input.GetString()!);
            }
        }

        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("model", model);
            w.WriteStartArray("results");
            foreach (var input in inputs)
            {
                var flagged = input.Contains(FlagWord, StringComparison.OrdinalIgnoreCase);
                w.WriteStartObject();
                w.WriteBoolean("flagged", flagged);
                w.WriteStartObject("categories");
                foreach (var c in Categories)
                {
                    w.WriteBoolean(c, flagged && c == "violence");
                }

                w.WriteEndObject();
                w.WriteStartObject("category_scores");
                foreach (var c in Categories)
                {
                    w.WriteNumber(c, flagged && c == "violence" ? 0.9 : 0.0001);
                }

                w.WriteEndObject();
                w.WriteStartObject("category_applied_input_types");
                foreach (var c in Categories)
                {
                    w.WriteStartArray(c);
                    w.WriteStringValue("text");
                    w.WriteEndArray();
                }

                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>A legacy Completions stream: a chunk per word, a finish chunk, usage when asked, [DONE].</summary>
    public sealed class CompletionStream : UpstreamResponse
    {
        private readonly string _id;
        private readonly long _created;
        private readonly string _model;
        private readonly string _text;
        private readonly Usage _usage;
        private readonly bool _includeUsage;

        public CompletionStream(string id, long created, string model, string text, Usage usage, bool includeUsage)
        {
            (_id, _created, _model, _text, _usage, _includeUsage) = (id, created, model, text, usage, includeUsage);
            IsStream = true;
        }

        public override async ValueTask<RelayOutcome> RelayAsync(PipeWriter output, CancellationToken cancellationToken)
        {
            var words = _text.Split(' ');
            for (var i = 0; i < words.Length; i++)
            {
                var piece = i == 0 ? words[i] : " " + words[i];
                Chunk(output, w => Choice(w, piece, null));
                if (!await FlushAsync(output, cancellationToken).ConfigureAwait(false))
                {
                    return RelayOutcome.ClientGone;
                }
            }

            Chunk(output, w => Choice(w, "", "stop"));
            if (_includeUsage)
            {
                Chunk(output, null);
            }

            output.Write("data: [DONE]\n\n"u8);
            Usage = _usage;
            return await FlushAsync(output, cancellationToken).ConfigureAwait(false) ? RelayOutcome.Completed : RelayOutcome.ClientGone;
        }

        private void Chunk(PipeWriter output, Action<Utf8JsonWriter>? choice)
        {
            output.Write("data: "u8);
            using (var w = new Utf8JsonWriter(output))
            {
                w.WriteStartObject();
                w.WriteString("id", _id);
                w.WriteString("object", "text_completion");
                w.WriteNumber("created", _created);
                w.WriteString("model", _model);
                w.WriteStartArray("choices");
                choice?.Invoke(w);
                w.WriteEndArray();
                if (choice is null)
                {
                    MockAdapter.WriteUsage(w, _usage);
                }

                w.WriteEndObject();
            }

            output.Write("\n\n"u8);
        }
    }
}
