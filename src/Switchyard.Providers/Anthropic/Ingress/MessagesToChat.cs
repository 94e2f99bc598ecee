using System.Buffers;
using System.Text;
using System.Text.Json;
using Switchyard.Providers.Abstractions;

namespace Switchyard.Providers.Anthropic.Ingress;

/// <summary>
/// An Anthropic Messages request -> an OpenAI Chat Completions request, for deployments that do not speak Messages.
/// What has a chat equivalent is translated; what has none is refused (<see cref="TranslationException"/>,
/// 400 <c>unsupported_value</c> naming the parameter), never dropped, with two documented exceptions:
/// <c>cache_control</c> (a caching hint for Anthropic's prompt cache, meaningless elsewhere) and
/// <c>thinking</c>/<c>redacted_thinking</c> blocks in earlier assistant turns (Anthropic itself strips earlier turns'
/// thinking from the context, and they are signed for Anthropic only).
/// </summary>
internal static class MessagesToChat
{
    /// <summary>Top-level Messages fields translated here; any other field is refused by name.</summary>
    private static readonly HashSet<string> Known =
    [
        "model", "max_tokens", "messages", "system", "stream", "temperature", "top_p", "stop_sequences", "metadata", "tools",
        "tool_choice", "thinking", "output_format", "output_config",
    ];

    /// <summary>
    /// Fields that only steer how Anthropic manages the context window server-side (Claude Code 2.1+ sends
    /// <c>context_management</c> on every call): a Chat deployment sees the whole conversation instead, which changes no
    /// answer's meaning (an over-long context is refused by the provider, not cut silently). Left out and named in
    /// <c>x-switchyard-dropped-params</c>, as <c>cache_control</c> hints are left out.
    /// </summary>
    public static readonly string[] ContextHints = ["context_management"];

    public static byte[] Translate(JsonElement root) => Translate(root, out _);

    public static byte[] Translate(JsonElement root, out List<string> dropped)
    {
        dropped = [];
        foreach (var property in root.EnumerateObject())
        {
            if (property.Value.ValueKind != JsonValueKind.Null && ContextHints.Contains(property.Name))
            {
                dropped.Add(property.Name);
                continue;
            }

            if (!Known.Contains(property.Name) && property.Value.ValueKind != JsonValueKind.Null)
            {
                throw Unsupported(property.Name, $"'{property.Name}' has no Chat Completions equivalent on this deployment; remove it or route to an Anthropic deployment");
            }
        }

        var buffer = new ArrayBufferWriter<byte>(4096);
        using (var w = new Utf8JsonWriter(buffer, AnthropicJson.WriterOptions))
        {
            w.WriteStartObject();
            w.WriteString("model", AnthropicJson.String(root, "model"));
            w.WriteStartArray("messages");
            if (AnthropicJson.TryGet(root, "system", out var system))
            {
                WriteSystem(w, system);
            }

            var i = 0;
            foreach (var message in root.GetProperty("messages").EnumerateArray())
            {
                WriteMessage(w, message, $"messages[{i}]");
                i++;
            }

            w.WriteEndArray();
            w.WriteNumber("max_tokens", root.GetProperty("max_tokens").GetInt32());
            CopyNumber(w, root, "temperature");
            CopyNumber(w, root, "top_p");
            if (AnthropicJson.TryGet(root, "stop_sequences", out var stop))
            {
                WriteStop(w, stop);
            }

            if (AnthropicJson.TryGet(root, "metadata", out var metadata))
            {
                WriteMetadata(w, metadata);
            }

            if (AnthropicJson.TryGet(root, "tools", out var tools))
            {
                WriteTools(w, tools);
            }

            if (AnthropicJson.TryGet(root, "tool_choice", out var choice))
            {
                WriteToolChoice(w, choice);
            }

            AnthropicJson.TryGet(root, "output_config", out var outputConfig);
            var effort = EffortOf(outputConfig);
            if (AnthropicJson.TryGet(root, "thinking", out var thinking))
            {
                WriteThinking(w, thinking, effort);
            }
            else if (effort is not null)
            {
                w.WriteString("reasoning_effort", effort);
            }

            if (AnthropicJson.TryGet(root, "output_format", out var format))
            {
                WriteOutputFormat(w, format);
            }
            else if (outputConfig.ValueKind == JsonValueKind.Object && AnthropicJson.TryGet(outputConfig, "format", out var configFormat))
            {
                WriteOutputFormat(w, configFormat);
            }

            if (AnthropicJson.Get(root, "stream").ValueKind == JsonValueKind.True)
            {
                w.WriteBoolean("stream", true);
                w.WriteStartObject("stream_options");
                w.WriteBoolean("include_usage", true);
                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The reasoning_effort a thinking budget maps to: under 4,096 tokens low, under 16,384 medium, else high.</summary>
    public static string EffortFor(int budgetTokens) => budgetTokens switch
    {
        < 4096 => "low",
        < 16384 => "medium",
        _ => "high",
    };

    private static TranslationException Unsupported(string param, string message) => new(param, message, "unsupported_value");

    private static void WriteSystem(Utf8JsonWriter w, JsonElement system)
    {
        var text = system.ValueKind == JsonValueKind.String ? system.GetString() : JoinText(system, "system");
        w.WriteStartObject();
        w.WriteString("role", "system");
        w.WriteString("content", text);
        w.WriteEndObject();
    }

    /// <summary>Text blocks joined with blank lines (cache_control dropped); any other block type is refused.</summary>
    private static string JoinText(JsonElement blocks, string path)
    {
        var sb = new StringBuilder();
        var j = 0;
        foreach (var block in blocks.EnumerateArray())
        {
            var type = AnthropicJson.String(block, "type");
            if (type != "text")
            {
                throw Unsupported($"{path}[{j}].type", $"'{path}[{j}]' is a {type} block; only text blocks can be sent to this deployment here");
            }

            if (sb.Length > 0)
            {
                sb.Append("\n\n");
            }

            sb.Append(TextOf(block, $"{path}[{j}]"));
            j++;
        }

        return sb.ToString();
    }

    private static string TextOf(JsonElement block, string path)
        => AnthropicJson.String(block, "text") ?? throw new TranslationException(path + ".text", "a text block needs a string 'text'", "invalid_type");

    private static void WriteMessage(Utf8JsonWriter w, JsonElement message, string path)
    {
        var role = AnthropicJson.String(message, "role");
        var content = message.GetProperty("content");
        if (role == "system" && content.ValueKind == JsonValueKind.Array)
        {
            // a system turn mid-conversation (Claude Code 2.1.3xx): a chat system message at the same place
            w.WriteStartObject();
            w.WriteString("role", "system");
            w.WriteString("content", JoinText(content, path + ".content"));
            w.WriteEndObject();
            return;
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            w.WriteStartObject();
            w.WriteString("role", role);
            w.WriteString("content", content.GetString());
            w.WriteEndObject();
            return;
        }

        if (role == "assistant")
        {
            WriteAssistant(w, content, path + ".content");
        }
        else
        {
            WriteUser(w, content, path + ".content");
        }
    }

    private static void WriteAssistant(Utf8JsonWriter w, JsonElement blocks, string path)
    {
        var text = new StringBuilder();
        var calls = new List<JsonElement>();
        var j = 0;
        foreach (var block in blocks.EnumerateArray())
        {
            switch (AnthropicJson.String(block, "type"))
            {
                case "text":
                    text.Append(TextOf(block, $"{path}[{j}]"));
                    break;
                case "tool_use":
                    if (AnthropicJson.String(block, "id") is null || AnthropicJson.String(block, "name") is null)
                    {
                        throw new TranslationException($"{path}[{j}]", "a tool_use block needs a string 'id' and 'name'", "missing_field");
                    }

                    calls.Add(block);
                    break;
                case "thinking" or "redacted_thinking":
                    break; // earlier turns' reasoning: Anthropic strips it from the context too (documented)
                case var type:
                    throw Unsupported($"{path}[{j}].type", $"'{path}[{j}]' is a {type} block, which has no Chat Completions equivalent");
            }

            j++;
        }

        w.WriteStartObject();
        w.WriteString("role", "assistant");
        if (text.Length > 0 || calls.Count == 0)
        {
            w.WriteString("content", text.ToString());
        }
        else
        {
            w.WriteNull("content");
        }

        if (calls.Count > 0)
        {
            w.WriteStartArray("tool_calls");
            foreach (var call in calls)
            {
                w.WriteStartObject();
                w.WriteString("id", AnthropicJson.String(call, "id"));
                w.WriteString("type", "function");
                w.WriteStartObject("function");
                w.WriteString("name", AnthropicJson.String(call, "name"));
                var input = AnthropicJson.Get(call, "input");
                w.WriteString("arguments", input.ValueKind == JsonValueKind.Object ? input.GetRawText() : "{}");
                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    /// <summary>tool_result blocks become role tool messages (first, as chat wants them right after the calls); the rest one user message.</summary>
    private static void WriteUser(Utf8JsonWriter w, JsonElement blocks, string path)
    {
        var j = 0;
        foreach (var block in blocks.EnumerateArray())
        {
            if (AnthropicJson.String(block, "type") == "tool_result")
            {
                WriteToolResult(w, block, $"{path}[{j}]");
            }

            j++;
        }

        var parts = 0;
        j = 0;
        foreach (var block in blocks.EnumerateArray())
        {
            var type = AnthropicJson.String(block, "type");
            if (type != "tool_result")
            {
                if (parts++ == 0)
                {
                    w.WriteStartObject();
                    w.WriteString("role", "user");
                    w.WriteStartArray("content");
                }

                WritePart(w, block, type, $"{path}[{j}]");
            }

            j++;
        }

        if (parts > 0)
        {
            w.WriteEndArray();
            w.WriteEndObject();
        }
    }

    private static void WriteToolResult(Utf8JsonWriter w, JsonElement block, string path)
    {
        var id = AnthropicJson.String(block, "tool_use_id") ?? throw new TranslationException(path + ".tool_use_id", "a tool_result block needs a string 'tool_use_id'", "missing_field");
        var content = AnthropicJson.Get(block, "content");
        var text = content.ValueKind switch
        {
            JsonValueKind.String => content.GetString(),
            JsonValueKind.Array => JoinText(content, path + ".content"),
            JsonValueKind.Undefined or JsonValueKind.Null => "",
            _ => throw new TranslationException(path + ".content", "a tool_result's content must be a string or text blocks", "invalid_type"),
        };
        if (AnthropicJson.Get(block, "is_error").ValueKind == JsonValueKind.True)
        {
            text = "Error: " + text; // chat tool messages have no error flag; the model still has to see it (documented)
        }

        w.WriteStartObject();
        w.WriteString("role", "tool");
        w.WriteString("tool_call_id", id);
        w.WriteString("content", text);
        w.WriteEndObject();
    }

    private static void WritePart(Utf8JsonWriter w, JsonElement block, string? type, string path)
    {
        switch (type)
        {
            case "text":
                w.WriteStartObject();
                w.WriteString("type", "text");
                w.WriteString("text", TextOf(block, path));
                w.WriteEndObject();
                return;
            case "image":
                WriteImage(w, AnthropicJson.Get(block, "source"), path + ".source");
                return;
            case "document":
                WriteDocument(w, AnthropicJson.Get(block, "source"), path + ".source");
                return;
            default:
                throw Unsupported(path + ".type", $"'{path}' is a {type} block, which has no Chat Completions equivalent");
        }
    }

    private static void WriteImage(Utf8JsonWriter w, JsonElement source, string path)
    {
        string url;
        switch (AnthropicJson.String(source, "type"))
        {
            case "base64":
                url = $"data:{Required(source, "media_type", path)};base64,{Required(source, "data", path)}";
                break;
            case "url":
                url = Required(source, "url", path);
                break;
            case var other:
                throw Unsupported(path + ".type", $"an image source of type '{other}' cannot be sent to this deployment; use base64 or url");
        }

        w.WriteStartObject();
        w.WriteString("type", "image_url");
        w.WriteStartObject("image_url");
        w.WriteString("url", url);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Base64 PDFs become chat file parts, plain-text documents text parts; other sources are refused.</summary>
    private static void WriteDocument(Utf8JsonWriter w, JsonElement source, string path)
    {
        var type = AnthropicJson.String(source, "type");
        var media = AnthropicJson.String(source, "media_type");
        if (type == "base64" && media == "application/pdf")
        {
            w.WriteStartObject();
            w.WriteString("type", "file");
            w.WriteStartObject("file");
            w.WriteString("file_data", $"data:application/pdf;base64,{Required(source, "data", path)}");
            w.WriteEndObject();
            w.WriteEndObject();
            return;
        }

        if (type == "text")
        {
            w.WriteStartObject();
            w.WriteString("type", "text");
            w.WriteString("text", Required(source, "data", path));
            w.WriteEndObject();
            return;
        }

        throw Unsupported(path + ".type", $"a document source of type '{type}' ({media ?? "no media type"}) cannot be sent to this deployment; use a base64 PDF or text");
    }

    private static string Required(JsonElement source, string name, string path)
        => AnthropicJson.String(source, name) ?? throw new TranslationException($"{path}.{name}", $"'{path}.{name}' is required", "missing_field");

    private static void CopyNumber(Utf8JsonWriter w, JsonElement root, string name)
    {
        if (AnthropicJson.TryGet(root, name, out var value))
        {
            w.WritePropertyName(name);
            value.WriteTo(w);
        }
    }

    private static void WriteStop(Utf8JsonWriter w, JsonElement stop)
    {
        w.WriteStartArray("stop");
        foreach (var s in stop.EnumerateArray())
        {
            if (s.ValueKind != JsonValueKind.String)
            {
                throw new TranslationException("stop_sequences", "'stop_sequences' must be an array of strings", "invalid_type");
            }

            w.WriteStringValue(s.GetString());
        }

        w.WriteEndArray();
    }

    private static void WriteMetadata(Utf8JsonWriter w, JsonElement metadata)
    {
        if (metadata.ValueKind != JsonValueKind.Object)
        {
            throw new TranslationException("metadata", "'metadata' must be an object", "invalid_type");
        }

        foreach (var property in metadata.EnumerateObject())
        {
            if (property.Name == "user_id")
            {
                if (property.Value.ValueKind == JsonValueKind.String)
                {
                    w.WriteString("user", property.Value.GetString());
                }
            }
            else if (property.Value.ValueKind != JsonValueKind.Null)
            {
                throw Unsupported("metadata." + property.Name, $"'metadata.{property.Name}' has no Chat Completions equivalent");
            }
        }
    }

    private static void WriteTools(Utf8JsonWriter w, JsonElement tools)
    {
        w.WriteStartArray("tools");
        var i = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            var type = AnthropicJson.String(tool, "type");
            if (type is not (null or "custom"))
            {
                throw Unsupported($"tools[{i}].type", $"'tools[{i}]' is Anthropic's server tool '{type}', which this deployment cannot run");
            }

            w.WriteStartObject();
            w.WriteString("type", "function");
            w.WriteStartObject("function");
            w.WriteString("name", AnthropicJson.String(tool, "name"));
            if (AnthropicJson.String(tool, "description") is { } description)
            {
                w.WriteString("description", description);
            }

            var schema = AnthropicJson.Get(tool, "input_schema");
            if (schema.ValueKind != JsonValueKind.Object)
            {
                throw new TranslationException($"tools[{i}].input_schema", $"'tools[{i}].input_schema' must be a JSON schema object", "invalid_type");
            }

            w.WritePropertyName("parameters");
            schema.WriteTo(w);
            if (AnthropicJson.Get(tool, "strict").ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                w.WriteBoolean("strict", AnthropicJson.Get(tool, "strict").GetBoolean());
            }

            w.WriteEndObject();
            w.WriteEndObject();
            i++;
        }

        w.WriteEndArray();
    }

    private static void WriteToolChoice(Utf8JsonWriter w, JsonElement choice)
    {
        switch (AnthropicJson.String(choice, "type"))
        {
            case "auto":
                w.WriteString("tool_choice", "auto");
                break;
            case "any":
                w.WriteString("tool_choice", "required");
                break;
            case "none":
                w.WriteString("tool_choice", "none");
                break;
            case "tool":
                var name = AnthropicJson.String(choice, "name") ?? throw new TranslationException("tool_choice.name", "tool_choice of type 'tool' needs a 'name'", "missing_field");
                w.WriteStartObject("tool_choice");
                w.WriteString("type", "function");
                w.WriteStartObject("function");
                w.WriteString("name", name);
                w.WriteEndObject();
                w.WriteEndObject();
                break;
            case var other:
                throw new TranslationException("tool_choice.type", $"tool_choice type '{other}' is not one of auto, any, tool, none", "invalid_value");
        }

        if (AnthropicJson.Get(choice, "disable_parallel_tool_use").ValueKind == JsonValueKind.True)
        {
            w.WriteBoolean("parallel_tool_calls", false);
        }
    }

    private static void WriteThinking(Utf8JsonWriter w, JsonElement thinking, string? effort)
    {
        switch (AnthropicJson.String(thinking, "type"))
        {
            case "disabled":
                return;
            case "adaptive":
                // the model decides how much to think, steered by output_config.effort: that effort, else the model's default
                if (effort is not null)
                {
                    w.WriteString("reasoning_effort", effort);
                }

                return;
            case "enabled":
                var budget = AnthropicJson.Get(thinking, "budget_tokens");
                if (budget.ValueKind != JsonValueKind.Number || !budget.TryGetInt32(out var tokens) || tokens < 1)
                {
                    throw new TranslationException("thinking.budget_tokens", "'thinking.budget_tokens' must be a positive integer", "invalid_value");
                }

                w.WriteString("reasoning_effort", EffortFor(tokens));
                return;
            case var other:
                throw Unsupported("thinking.type", $"thinking type '{other}' has no Chat Completions equivalent; use enabled with budget_tokens");
        }
    }

    /// <summary>
    /// <c>output_config</c>: <c>effort</c> (low, medium, high; max as high) steers adaptive thinking and <c>format</c> is
    /// <c>output_format</c>'s newer place; anything else in it is refused by name.
    /// </summary>
    private static string? EffortOf(JsonElement outputConfig)
    {
        if (outputConfig.ValueKind == JsonValueKind.Undefined)
        {
            return null;
        }

        if (outputConfig.ValueKind != JsonValueKind.Object)
        {
            throw new TranslationException("output_config", "'output_config' must be an object", "invalid_type");
        }

        foreach (var property in outputConfig.EnumerateObject())
        {
            if (property.Name is not ("effort" or "format") && property.Value.ValueKind != JsonValueKind.Null)
            {
                throw Unsupported("output_config." + property.Name, $"'output_config.{property.Name}' has no Chat Completions equivalent");
            }
        }

        return AnthropicJson.String(outputConfig, "effort") switch
        {
            null => null,
            "low" => "low",
            "medium" => "medium",
            "high" or "max" => "high",
            var other => throw new TranslationException("output_config.effort", $"output_config.effort '{other}' is not one of low, medium, high, max", "invalid_value"),
        };
    }

    /// <summary>Anthropic structured outputs (<c>{"type":"json_schema","schema":{...}}</c>) -> response_format json_schema.</summary>
    private static void WriteOutputFormat(Utf8JsonWriter w, JsonElement format)
    {
        var schema = AnthropicJson.Get(format, "schema");
        if (AnthropicJson.String(format, "type") != "json_schema" || schema.ValueKind != JsonValueKind.Object)
        {
            throw Unsupported("output_format", "'output_format' must be {\"type\":\"json_schema\",\"schema\":{...}}");
        }

        w.WriteStartObject("response_format");
        w.WriteString("type", "json_schema");
        w.WriteStartObject("json_schema");
        w.WriteString("name", "output");
        w.WritePropertyName("schema");
        schema.WriteTo(w);
        w.WriteBoolean("strict", true);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
