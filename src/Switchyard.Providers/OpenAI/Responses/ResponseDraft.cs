using System.Security.Cryptography;
using System.Text.Json;

namespace Switchyard.Providers.OpenAI.Responses;

/// <summary>
/// A Responses <c>response</c> object being built from a chat answer (whole or streamed) and written in the shape the
/// OpenAI SDKs read: the answer's output items, status and usage.
/// </summary>
internal sealed class ResponseDraft(string id, long createdAt, string model)
{
    public string Id { get; } = id;
    public long CreatedAt { get; } = createdAt;
    public string Model { get; set; } = model;
    public string Status { get; set; } = "in_progress";

    /// <summary>Why the answer stopped short (<c>max_output_tokens</c>, <c>content_filter</c>), with status incomplete.</summary>
    public string? IncompleteReason { get; set; }
    public int? MaxOutputTokens { get; init; }

    /// <summary>The request fields the response repeats (tools, text format, instructions, sampling...).</summary>
    public RequestEcho Echo { get; init; } = RequestEcho.Empty;
    public List<OutputItem> Output { get; } = [];
    public long? InputTokens { get; set; }
    public long OutputTokens { get; set; }
    public long CachedTokens { get; set; }
    public long ReasoningTokens { get; set; }

    /// <summary>A new id with the given prefix (resp_, msg_, fc_, rs_): 24 random bytes in hex, as OpenAI's ids are opaque.</summary>
    public static string NewId(string prefix) => prefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    /// <summary>Applies a chat finish_reason: length and content_filter make the response incomplete.</summary>
    public void Finish(string? finishReason)
    {
        (Status, IncompleteReason) = finishReason switch
        {
            "length" => ("incomplete", "max_output_tokens"),
            "content_filter" => ("incomplete", "content_filter"),
            _ => ("completed", null),
        };
    }

    public void WriteTo(Utf8JsonWriter w, bool withUsage = true)
    {
        w.WriteStartObject();
        w.WriteString("id", Id);
        w.WriteString("object", "response");
        w.WriteNumber("created_at", CreatedAt);
        w.WriteString("status", Status);
        w.WriteNull("error");
        if (IncompleteReason is { } reason)
        {
            w.WriteStartObject("incomplete_details");
            w.WriteString("reason", reason);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("incomplete_details");
        }

        if (MaxOutputTokens is { } max)
        {
            w.WriteNumber("max_output_tokens", max);
        }
        else
        {
            w.WriteNull("max_output_tokens");
        }

        w.WriteString("model", Model);
        w.WriteStartArray("output");
        foreach (var item in Output)
        {
            item.WriteTo(w);
        }

        w.WriteEndArray();
        Echo.WriteTo(w);
        if (withUsage && InputTokens is { } input)
        {
            w.WriteStartObject("usage");
            w.WriteNumber("input_tokens", input);
            w.WriteStartObject("input_tokens_details");
            w.WriteNumber("cached_tokens", CachedTokens);
            w.WriteEndObject();
            w.WriteNumber("output_tokens", OutputTokens);
            w.WriteStartObject("output_tokens_details");
            w.WriteNumber("reasoning_tokens", ReasoningTokens);
            w.WriteEndObject();
            w.WriteNumber("total_tokens", input + OutputTokens);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("usage");
        }

        w.WriteEndObject();
    }

    /// <summary>Reads a chat usage object (the reader on its StartObject) into the draft.</summary>
    public void ReadChatUsage(ref Utf8JsonReader r)
    {
        if (r.TokenType != JsonTokenType.StartObject)
        {
            r.Skip();
            return;
        }

        long prompt = 0;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            if (r.ValueTextEquals("prompt_tokens"u8))
            {
                r.Read();
                r.TryGetInt64(out prompt);
            }
            else if (r.ValueTextEquals("completion_tokens"u8))
            {
                r.Read();
                r.TryGetInt64(out var completion);
                OutputTokens = completion;
            }
            else if (r.ValueTextEquals("prompt_tokens_details"u8) || r.ValueTextEquals("completion_tokens_details"u8))
            {
                var isPrompt = r.ValueTextEquals("prompt_tokens_details"u8);
                r.Read();
                if (r.TokenType != JsonTokenType.StartObject)
                {
                    r.Skip();
                    continue;
                }

                while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                {
                    var wanted = isPrompt ? r.ValueTextEquals("cached_tokens"u8) : r.ValueTextEquals("reasoning_tokens"u8);
                    r.Read();
                    if (wanted && r.TryGetInt64(out var n))
                    {
                        if (isPrompt)
                        {
                            CachedTokens = n;
                        }
                        else
                        {
                            ReasoningTokens = n;
                        }
                    }
                    else
                    {
                        r.Skip();
                    }
                }
            }
            else
            {
                r.Read();
                r.Skip();
            }
        }

        InputTokens = prompt;
    }
}

/// <summary>One item of a response's <c>output</c>.</summary>
internal abstract class OutputItem(string id)
{
    public string Id { get; } = id;
    public string Status { get; set; } = "in_progress";

    public abstract void WriteTo(Utf8JsonWriter w);
}

/// <summary>An assistant message: its text (one output_text part) or a refusal.</summary>
internal sealed class MessageItem(string id) : OutputItem(id)
{
    public System.Text.StringBuilder Text { get; } = new();
    public string? Refusal { get; set; }

    public override void WriteTo(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("id", Id);
        w.WriteString("type", "message");
        w.WriteString("status", Status);
        w.WriteString("role", "assistant");
        w.WriteStartArray("content");
        if (Refusal is not null)
        {
            WriteRefusalPart(w, Refusal);
        }

        if (Text.Length > 0 || Refusal is null)
        {
            WriteTextPart(w, Text.ToString());
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void WriteTextPart(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject();
        w.WriteString("type", "output_text");
        w.WriteString("text", text);
        w.WriteStartArray("annotations");
        w.WriteEndArray();
        w.WriteStartArray("logprobs");
        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void WriteRefusalPart(Utf8JsonWriter w, string refusal)
    {
        w.WriteStartObject();
        w.WriteString("type", "refusal");
        w.WriteString("refusal", refusal);
        w.WriteEndObject();
    }
}

/// <summary>A function tool call the model made.</summary>
internal sealed class FunctionCallItem(string id, string callId, string name) : OutputItem(id)
{
    public string CallId { get; } = callId;
    public string Name { get; set; } = name;
    public System.Text.StringBuilder Arguments { get; } = new();

    public override void WriteTo(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("id", Id);
        w.WriteString("type", "function_call");
        w.WriteString("status", Status);
        w.WriteString("call_id", CallId);
        w.WriteString("name", Name);
        w.WriteString("arguments", Arguments.ToString());
        w.WriteEndObject();
    }
}

/// <summary>The model's reasoning, as a chat answer's <c>reasoning_content</c> carried it: one summary_text part.</summary>
internal sealed class ReasoningItem(string id) : OutputItem(id)
{
    public System.Text.StringBuilder Text { get; } = new();

    public override void WriteTo(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("id", Id);
        w.WriteString("type", "reasoning");
        w.WriteString("status", Status);
        w.WriteStartArray("summary");
        if (Text.Length > 0)
        {
            WriteSummaryPart(w, Text.ToString());
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void WriteSummaryPart(Utf8JsonWriter w, string text)
    {
        w.WriteStartObject();
        w.WriteString("type", "summary_text");
        w.WriteString("text", text);
        w.WriteEndObject();
    }
}
