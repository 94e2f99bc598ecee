using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Switchyard.Bench.FakeUpstream;

/// <summary>
/// Request bodies for the load benchmark, built deterministically: the 200-byte chat request and an agent-sized one
/// (~48 KB: a ~35 KB English system prompt, 12 function tools with long descriptions and parameter schemas, and a few
/// turns with a tool call and its result), the shape of what coding agents send on every turn.
/// </summary>
internal static class AgentBody
{
    private static readonly string[] Words =
    [
        "the", "agent", "should", "always", "read", "file", "before", "editing", "it", "and", "keep", "changes", "small",
        "when", "user", "asks", "for", "a", "fix", "run", "tests", "first", "then", "explain", "what", "you", "changed",
        "never", "delete", "data", "without", "asking", "prefer", "clear", "short", "answers", "with", "code", "blocks",
        "if", "tool", "fails", "report", "error", "message", "to", "in", "plain", "words", "use", "project", "style",
        "guide", "check", "repository", "layout", "documentation", "is", "part", "of", "every", "change", "commit", "often",
    ];

    private static readonly string[] ToolNames =
    [
        "read_file", "write_file", "edit_file", "list_dir", "grep", "run_shell", "web_fetch", "web_search", "memory_get",
        "memory_set", "send_message", "schedule_task",
    ];

    public static byte[] Small(string model, bool stream) => Encoding.UTF8.GetBytes(
        "{\"model\":\"" + model + "\"," + (stream ? "\"stream\":true," : "") +
        "\"messages\":[{\"role\":\"system\",\"content\":\"You are a helpful assistant.\"},{\"role\":\"user\",\"content\":\"Say hello.\"}],\"max_tokens\":32}");

    public static byte[] Agent(string model)
    {
        var buffer = new ArrayBufferWriter<byte>(52 * 1024);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("model", model);
            w.WriteNumber("max_tokens", 1024);
            w.WriteString("tool_choice", "auto");
            w.WriteStartArray("tools");
            for (var t = 0; t < ToolNames.Length; t++)
            {
                w.WriteStartObject();
                w.WriteString("type", "function");
                w.WriteStartObject("function");
                w.WriteString("name", ToolNames[t]);
                w.WriteString("description", Prose(420, 10 + t));
                w.WriteStartObject("parameters");
                w.WriteString("type", "object");
                w.WriteStartObject("properties");
                for (var p = 0; p < 3; p++)
                {
                    w.WriteStartObject("arg" + p);
                    w.WriteString("type", p == 1 ? "integer" : "string");
                    w.WriteString("description", Prose(70, 100 + t * 7 + p));
                    w.WriteEndObject();
                }

                w.WriteEndObject();
                w.WriteStartArray("required");
                w.WriteStringValue("arg0");
                w.WriteEndArray();
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("messages");
            Message(w, "system", Prose(35 * 1024, 1));
            Message(w, "user", Prose(300, 2));
            w.WriteStartObject();
            w.WriteString("role", "assistant");
            w.WriteNull("content");
            w.WriteStartArray("tool_calls");
            w.WriteStartObject();
            w.WriteString("id", "call_0");
            w.WriteString("type", "function");
            w.WriteStartObject("function");
            w.WriteString("name", "read_file");
            w.WriteString("arguments", "{\"arg0\":\"src/app/main.ts\"}");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteStartObject();
            w.WriteString("role", "tool");
            w.WriteString("tool_call_id", "call_0");
            w.WriteString("content", Prose(2_000, 3));
            w.WriteEndObject();
            Message(w, "user", "Now apply the fix and run the tests.");
            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static void Message(Utf8JsonWriter w, string role, string content)
    {
        w.WriteStartObject();
        w.WriteString("role", role);
        w.WriteString("content", content);
        w.WriteEndObject();
    }

    /// <summary>English-looking sentences of about <paramref name="length"/> characters (a fixed LCG per seed).</summary>
    private static string Prose(int length, int seed)
    {
        var sb = new StringBuilder(length + 32);
        var x = (uint)seed * 2654435761u | 1;
        var sentence = 0;
        while (sb.Length < length)
        {
            x = x * 1664525 + 1013904223;
            var word = Words[(x >> 16) % (uint)Words.Length];
            if (sentence == 0)
            {
                sb.Append(char.ToUpperInvariant(word[0])).Append(word, 1, word.Length - 1);
            }
            else
            {
                sb.Append(' ').Append(word);
            }

            if (++sentence >= 8 + (int)((x >> 8) % 10))
            {
                sb.Append((x & 7) == 0 ? ".\n\n" : ". ");
                sentence = 0;
            }
        }

        return sb.Append('.').ToString();
    }
}
