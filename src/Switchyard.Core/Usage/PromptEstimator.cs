using System.Text.Json;
using Switchyard.Core.Requests;

namespace Switchyard.Core.Usage;

/// <summary>A request's prompt estimate and the number of completions it asks for (chat <c>n</c>, default 1).</summary>
public readonly record struct PromptEstimate(long PromptTokens, int Choices);

/// <summary>
/// Estimates a request's prompt tokens before the call, for TPM and budget reservations: an upper bound of what the
/// provider will bill, settled to the provider's reported usage afterwards. One forward pass over the body: the JSON
/// reader finds the billed text (chat <c>messages</c>' strings; <c>tools</c>, <c>functions</c>, <c>response_format</c> and
/// <c>tool_choice</c> as their whole JSON; embeddings <c>input</c>, token ids one each) and <see cref="TextTokenBound"/>
/// bounds it in place, without decoding or allocating. Framing comes from the group's <see cref="EstimateProfile"/>.
/// </summary>
/// <remarks>
/// Work is linear in the body and capped: at most <see cref="MaxScannedBytes"/> of text are classified, the rest is
/// charged one token per byte (the hard bound) without being read. The caller's cancellation is checked every 64 KB of
/// text and every 4,096 JSON tokens, so a request whose client has gone stops being counted.
/// </remarks>
public static class PromptEstimator
{
    /// <summary>Completion tokens assumed per choice when the request sets no max_tokens / max_completion_tokens.</summary>
    public const int DefaultCompletionEstimate = 256;

    /// <summary>The most text bytes classified per request.</summary>
    public const int MaxScannedBytes = 16 * 1024 * 1024;

    public static PromptEstimate Estimate(ReadOnlySpan<byte> body, OperationKind operation, EstimateProfile profile, CancellationToken cancellationToken)
    {
        var walk = new Walk(cancellationToken);
        var choices = 1;
        var r = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = 256 });
        if (r.Read() && r.TokenType == JsonTokenType.StartObject)
        {
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                if (operation == OperationKind.Embeddings)
                {
                    if (r.ValueTextEquals("input"u8))
                    {
                        r.Read();
                        walk.Value(ref r, numbersAreTokens: true, out _);
                    }
                    else
                    {
                        r.Read();
                        r.Skip();
                    }
                }
                else if (r.ValueTextEquals("messages"u8))
                {
                    r.Read();
                    walk.Value(ref r, numbersAreTokens: false, out var messages);
                    walk.Framing += (messages * profile.PerMessage) + profile.ReplyPriming;
                }
                else if (r.ValueTextEquals("tools"u8) || r.ValueTextEquals("functions"u8) || r.ValueTextEquals("response_format"u8) || r.ValueTextEquals("tool_choice"u8))
                {
                    // providers render tool schemas into the prompt in their own syntax: the JSON as sent (names, keys,
                    // punctuation) bounds that rendering, plus a per-tool and per-request allowance for the wrapping
                    var isTools = r.ValueTextEquals("tools"u8) || r.ValueTextEquals("functions"u8);
                    r.Read();
                    var start = (int)r.TokenStartIndex;
                    var tools = r.TokenType == JsonTokenType.StartArray ? CountObjects(ref r) : Skip(ref r);
                    walk.Raw(body[start..(int)r.BytesConsumed]);
                    walk.Framing += isTools && tools > 0 ? (tools * profile.PerTool) + profile.ToolsBlock : 0;
                }
                else if (r.ValueTextEquals("n"u8))
                {
                    r.Read();
                    if (r.TokenType == JsonTokenType.Number && r.TryGetInt32(out var n) && n > 1)
                    {
                        choices = n;
                    }
                }
                else
                {
                    r.Read();
                    r.Skip();
                }
            }
        }

        static long Skip(ref Utf8JsonReader r)
        {
            r.Skip();
            return 0;
        }

        static long CountObjects(ref Utf8JsonReader r)
        {
            var depth = r.CurrentDepth;
            long objects = 0;
            while (r.Read() && r.CurrentDepth > depth)
            {
                if (r.TokenType == JsonTokenType.StartObject)
                {
                    objects++;
                    r.Skip();
                }
            }

            return objects;
        }

        var tokens = ((walk.Text + walk.Framing) * profile.FactorThousandths + 999) / 1000;
        if (profile.BytesPerTokenFloor is { } perToken)
        {
            tokens = Math.Max(tokens, body.Length / perToken);
        }

        return new PromptEstimate(Math.Max(1, tokens), choices);
    }

    /// <summary>The running sums of one estimate.</summary>
    private ref struct Walk(CancellationToken cancellationToken)
    {
        private readonly CancellationToken _cancellationToken = cancellationToken;
        private long _scanned;
        private int _sinceCheck;

        public long Text;
        public long Framing;

        /// <summary>
        /// Counts the value the reader is on (a string, number or a whole object/array); <paramref name="items"/> is the
        /// number of objects directly inside it when it is an array (messages, tools).
        /// </summary>
        public void Value(ref Utf8JsonReader r, bool numbersAreTokens, out long items)
        {
            items = 0;
            if (r.TokenType is not (JsonTokenType.StartObject or JsonTokenType.StartArray))
            {
                Leaf(ref r, numbersAreTokens);
                return;
            }

            var depth = r.CurrentDepth;
            var isArray = r.TokenType == JsonTokenType.StartArray;
            while (r.Read() && r.CurrentDepth > depth)
            {
                if (++_sinceCheck == 4096)
                {
                    _sinceCheck = 0;
                    _cancellationToken.ThrowIfCancellationRequested();
                }

                switch (r.TokenType)
                {
                    case JsonTokenType.StartObject when isArray && r.CurrentDepth == depth + 1:
                        items++;
                        break;
                    case JsonTokenType.String or JsonTokenType.Number:
                        Leaf(ref r, numbersAreTokens);
                        break;
                }
            }
        }

        /// <summary>Bounds a stretch of the body as text, JSON syntax included.</summary>
        public void Raw(ReadOnlySpan<byte> json)
        {
            var room = Math.Max(0, MaxScannedBytes - _scanned);
            var scan = (int)Math.Min(json.Length, room);
            Text += TextTokenBound.Count(json[..scan], _cancellationToken) + (json.Length - scan);
            _scanned += scan;
        }

        private void Leaf(ref Utf8JsonReader r, bool numbersAreTokens)
        {
            if (r.TokenType == JsonTokenType.Number && numbersAreTokens)
            {
                Text++; // embeddings input given as token ids
                return;
            }

            if (r.TokenType is not (JsonTokenType.String or JsonTokenType.Number))
            {
                return;
            }

            Raw(r.ValueSpan);
        }
    }
}
