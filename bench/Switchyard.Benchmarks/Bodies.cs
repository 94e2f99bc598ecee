using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Switchyard.Benchmarks;

/// <summary>Request bodies used by the benchmarks, built deterministically.</summary>
public static class Bodies
{
    /// <summary>A small chat request (~170 bytes).</summary>
    public static readonly byte[] SmallChat = Encoding.UTF8.GetBytes(
        "{\"model\":\"router.default\",\"messages\":[{\"role\":\"system\",\"content\":\"You are a helpful assistant.\"}," +
        "{\"role\":\"user\",\"content\":\"Say hello.\"}],\"max_tokens\":32}");

    /// <summary>
    /// An agent-style (OpenClaw-like) request of about 60 KB: a long system prompt, 12 function tools with JSON
    /// schemas, and a conversation with tool calls and tool results; streamed with usage.
    /// </summary>
    public static readonly byte[] OpenClawLike = BuildAgentBody(targetBytes: 60 * 1024, tools: 12);

    /// <summary>
    /// An agent-shaped body of about <paramref name="bytes"/>: the OpenClaw-like shape from 16 KB up (system prompt,
    /// 12 tools, turns until the size is reached); below that, a system prompt and a question.
    /// </summary>
    public static byte[] Agent(int bytes) => bytes >= 32 * 1024
        ? BuildAgentBody(bytes, tools: 12)
        : Encoding.UTF8.GetBytes("{\"model\":\"router.default\",\"messages\":[{\"role\":\"system\",\"content\":" + JsonSerializer.Serialize(Prose(bytes - 160, 1))
            + "},{\"role\":\"user\",\"content\":\"Which file holds the config?\"}],\"max_tokens\":256}");

    private static byte[] BuildAgentBody(int targetBytes, int tools)
    {
        var buffer = new ArrayBufferWriter<byte>(targetBytes + 4096);
        using var w = new Utf8JsonWriter(buffer);
        w.WriteStartObject();
        w.WriteString("model", "router.default");
        w.WriteBoolean("stream", true);
        w.WriteStartObject("stream_options");
        w.WriteBoolean("include_usage", true);
        w.WriteEndObject();
        w.WriteNumber("temperature", 0.2);
        w.WriteNumber("max_completion_tokens", 4096);
        w.WriteString("tool_choice", "auto");
        w.WriteBoolean("parallel_tool_calls", true);

        w.WriteStartArray("tools");
        string[] names = ["read_file", "write_file", "edit_file", "list_dir", "grep", "run_shell", "web_fetch", "web_search", "memory_get", "memory_set", "send_message", "schedule_task"];
        for (var t = 0; t < tools; t++)
        {
            w.WriteStartObject();
            w.WriteString("type", "function");
            w.WriteStartObject("function");
            w.WriteString("name", names[t % names.Length]);
            w.WriteString("description", Prose(700, t));
            w.WriteStartObject("parameters");
            w.WriteString("type", "object");
            w.WriteStartObject("properties");
            for (var p = 0; p < 5; p++)
            {
                w.WriteStartObject("arg" + p);
                w.WriteString("type", p % 2 == 0 ? "string" : "integer");
                w.WriteString("description", Prose(90, t * 7 + p));
                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteStartArray("required");
            w.WriteStringValue("arg0");
            w.WriteStringValue("arg1");
            w.WriteEndArray();
            w.WriteBoolean("additionalProperties", false);
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();

        w.WriteStartArray("messages");
        w.WriteStartObject();
        w.WriteString("role", "system");
        w.WriteString("content", Prose(16_000, 1));
        w.WriteEndObject();
        var turn = 0;
        while (buffer.WrittenCount + 2_000 < targetBytes)
        {
            w.WriteStartObject();
            w.WriteString("role", "user");
            w.WriteString("content", Prose(400, 100 + turn));
            w.WriteEndObject();

            w.WriteStartObject();
            w.WriteString("role", "assistant");
            w.WriteNull("content");
            w.WriteStartArray("tool_calls");
            w.WriteStartObject();
            w.WriteString("id", "call_" + turn);
            w.WriteString("type", "function");
            w.WriteStartObject("function");
            w.WriteString("name", names[turn % names.Length]);
            w.WriteString("arguments", "{\"arg0\":\"src/app/module" + turn + ".ts\",\"arg1\":" + turn + "}");
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();

            w.WriteStartObject();
            w.WriteString("role", "tool");
            w.WriteString("tool_call_id", "call_" + turn);
            w.WriteString("content", Prose(1_800, 200 + turn));
            w.WriteEndObject();
            w.Flush();
            turn++;
        }

        w.WriteStartObject();
        w.WriteString("role", "user");
        w.WriteString("content", "Now apply the fix and run the tests.");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        w.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    private static string Prose(int length, int seed)
    {
        string[] words = ["the", "agent", "reads", "file", "config", "returns", "value", "when", "called", "with", "path", "and", "options", "\"quoted\"", "line\nbreak", "tool", "result", "über", "→", "error"];
        var sb = new StringBuilder(length + 16);
        var x = (uint)(seed * 2654435761u) | 1;
        while (sb.Length < length)
        {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            sb.Append(words[x % (uint)words.Length]).Append(' ');
        }

        return sb.ToString(0, length);
    }
}
