using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchyard.Providers.OpenAI.Responses;

/// <summary>
/// A Responses request as a Chat Completions request. Every top-level parameter is either translated, handled by the
/// gateway (<c>store</c>, <c>previous_response_id</c>), or refused with 400 <c>unsupported_value</c> naming it:
/// nothing is dropped silently. Reasoning items in <c>input</c> (the model's earlier reasoning, replayed by SDKs) have no
/// chat form and are left out; their effect is the model's own scratch work, not the caller's input.
/// </summary>
internal static class ResponsesRequestTranslator
{
    private static readonly HashSet<string> CopiedAsIs =
    [
        "temperature", "top_p", "user", "metadata", "parallel_tool_calls", "top_logprobs", "service_tier",
        "safety_identifier", "prompt_cache_key",
    ];

    /// <summary>
    /// Fields that only describe the calling client (Codex sends <c>client_metadata</c>: its session and turn ids): no
    /// Chat Completions deployment has a use for them and they change no answer. Left out and named in
    /// <c>x-switchyard-dropped-params</c>.
    /// </summary>
    private static readonly string[] ClientHints = ["client_metadata"];

    public static JsonObject Translate(JsonElement root, string model) => Translate(root, model, dropParams: false, out _);

    /// <summary>
    /// As <see cref="Translate(JsonElement, string)"/>; <paramref name="dropParams"/> (the alias's or deployment's
    /// drop_params) leaves out offered built-in tools (<c>web_search</c>, ...) instead of refusing them. Every field left
    /// out is listed in <paramref name="dropped"/>.
    /// </summary>
    public static JsonObject Translate(JsonElement root, string model, bool dropParams, out List<string> dropped)
    {
        dropped = [];
        var chat = new JsonObject { ["model"] = model };
        var messages = new JsonArray();
        if (root.TryGetProperty("instructions", out var instructions) && instructions.ValueKind == JsonValueKind.String)
        {
            messages.Add(new JsonObject { ["role"] = "system", ["content"] = instructions.GetString() });
        }

        var input = root.GetProperty("input");
        if (input.ValueKind == JsonValueKind.String)
        {
            messages.Add(new JsonObject { ["role"] = "user", ["content"] = input.GetString() });
        }
        else
        {
            AddItems(input, messages);
        }

        chat["messages"] = messages;
        foreach (var property in root.EnumerateObject())
        {
            var name = property.Name;
            var value = property.Value;
            switch (name)
            {
                case "model" or "input" or "instructions" or "store" or "previous_response_id":
                    break;
                case "stream":
                    if (value.ValueKind == JsonValueKind.True)
                    {
                        chat["stream"] = true;
                        chat["stream_options"] = new JsonObject { ["include_usage"] = true };
                    }

                    break;
                case "stream_options":
                    break; // include_obfuscation: the gateway's events carry no obfuscation padding either way
                case "max_output_tokens":
                    if (value.ValueKind == JsonValueKind.Number)
                    {
                        chat["max_completion_tokens"] = value.GetInt32();
                    }

                    break;
                case "tools":
                    if (value.ValueKind == JsonValueKind.Array)
                    {
                        chat["tools"] = Tools(value, dropParams, dropped);
                    }

                    break;
                case "tool_choice":
                    if (value.ValueKind != JsonValueKind.Null)
                    {
                        chat["tool_choice"] = ToolChoice(value);
                    }

                    break;
                case "text":
                    Text(value, chat);
                    break;
                case "reasoning":
                    Reasoning(value, chat);
                    break;
                case "include":
                    Include(value);
                    break;
                case "truncation":
                    if (value.ValueKind == JsonValueKind.String && !value.ValueEquals("disabled"))
                    {
                        throw Unsupported("truncation", "'truncation' other than \"disabled\" is not supported on deployments that do not speak the Responses API");
                    }

                    break;
                default:
                    if (ClientHints.Contains(name))
                    {
                        dropped.Add(name);
                    }
                    else if (CopiedAsIs.Contains(name))
                    {
                        if (value.ValueKind != JsonValueKind.Null)
                        {
                            chat[name] = JsonNode.Parse(value.GetRawText());
                        }
                    }
                    else if (value.ValueKind != JsonValueKind.Null)
                    {
                        throw Unsupported(name, $"'{name}' has no Chat Completions equivalent, so it cannot be honoured on deployments that do not speak the Responses API");
                    }

                    break;
            }
        }

        return chat;
    }

    private static void AddItems(JsonElement input, JsonArray messages)
    {
        var i = 0;
        foreach (var item in input.EnumerateArray())
        {
            var type = item.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : "message";
            switch (type)
            {
                case "message":
                    messages.Add(Message(item, i));
                    break;
                case "function_call":
                    var call = new JsonObject
                    {
                        ["id"] = item.GetProperty("call_id").GetString(),
                        ["type"] = "function",
                        ["function"] = new JsonObject
                        {
                            ["name"] = item.GetProperty("name").GetString(),
                            ["arguments"] = item.GetProperty("arguments").GetString(),
                        },
                    };
                    if (messages.Count > 0 && messages[^1] is JsonObject last && (string?)last["role"] == "assistant")
                    {
                        if (last["tool_calls"] is not JsonArray calls)
                        {
                            calls = [];
                            last["tool_calls"] = calls;
                        }

                        calls.Add(call);
                    }
                    else
                    {
                        messages.Add(new JsonObject { ["role"] = "assistant", ["content"] = null, ["tool_calls"] = new JsonArray(call) });
                    }

                    break;
                case "function_call_output":
                    messages.Add(new JsonObject
                    {
                        ["role"] = "tool",
                        ["tool_call_id"] = item.GetProperty("call_id").GetString(),
                        ["content"] = ToolOutput(item.GetProperty("output"), i),
                    });
                    break;
                case "reasoning":
                    break; // see the class summary
                default:
                    throw Unsupported($"input[{i}].type", $"input items of type '{type}' have no Chat Completions equivalent, so they cannot be sent to deployments that do not speak the Responses API");
            }

            i++;
        }
    }

    private static JsonObject Message(JsonElement item, int i)
    {
        var role = item.GetProperty("role").GetString();
        var content = item.GetProperty("content");
        if (content.ValueKind == JsonValueKind.String)
        {
            return new JsonObject { ["role"] = role, ["content"] = content.GetString() };
        }

        var parts = new JsonArray();
        var text = new System.Text.StringBuilder();
        var textOnly = true;
        var refusal = (string?)null;
        var p = 0;
        foreach (var part in content.EnumerateArray())
        {
            var param = $"input[{i}].content[{p}]";
            var type = part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            switch (type)
            {
                case "input_text" or "output_text" or "text":
                    var s = part.TryGetProperty("text", out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : throw Invalid(param + ".text", "must be a string");
                    parts.Add(new JsonObject { ["type"] = "text", ["text"] = s });
                    text.Append(s);
                    break;
                case "refusal":
                    refusal = part.TryGetProperty("refusal", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : throw Invalid(param + ".refusal", "must be a string");
                    break;
                case "input_image":
                    textOnly = false;
                    if (!part.TryGetProperty("image_url", out var url) || url.ValueKind != JsonValueKind.String)
                    {
                        throw Unsupported(param + ".image_url", "images by file_id have no Chat Completions equivalent; send image_url (a URL or a data: URL)");
                    }

                    var image = new JsonObject { ["url"] = url.GetString() };
                    if (part.TryGetProperty("detail", out var detail) && detail.ValueKind == JsonValueKind.String)
                    {
                        image["detail"] = detail.GetString();
                    }

                    parts.Add(new JsonObject { ["type"] = "image_url", ["image_url"] = image });
                    break;
                case "input_file":
                    textOnly = false;
                    var file = new JsonObject();
                    foreach (var field in (string[])["file_data", "file_id", "filename"])
                    {
                        if (part.TryGetProperty(field, out var f) && f.ValueKind == JsonValueKind.String)
                        {
                            file[field] = f.GetString();
                        }
                    }

                    if (part.TryGetProperty("file_url", out _))
                    {
                        throw Unsupported(param + ".file_url", "files by URL have no Chat Completions equivalent; send file_data or file_id");
                    }

                    parts.Add(new JsonObject { ["type"] = "file", ["file"] = file });
                    break;
                default:
                    throw Unsupported(param + ".type", $"content parts of type '{type}' have no Chat Completions equivalent");
            }

            p++;
        }

        var message = new JsonObject { ["role"] = role };
        if (role != "user" && !textOnly)
        {
            throw Unsupported($"input[{i}].content", $"only text can be sent in {role} messages to deployments that do not speak the Responses API");
        }

        // Text alone reads most portably as one string (every provider and translator takes it); images and files need parts.
        message["content"] = !textOnly ? parts : (refusal is not null && text.Length == 0 ? null : text.ToString());
        if (refusal is not null)
        {
            message["refusal"] = refusal;
        }

        return message;
    }

    private static JsonNode? ToolOutput(JsonElement output, int i)
    {
        if (output.ValueKind == JsonValueKind.String)
        {
            return output.GetString();
        }

        if (output.ValueKind != JsonValueKind.Array)
        {
            throw Invalid($"input[{i}].output", "must be a string or an array of content parts");
        }

        var text = new System.Text.StringBuilder();
        foreach (var part in output.EnumerateArray())
        {
            if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out var t) && t.ValueEquals("input_text") && part.TryGetProperty("text", out var s) && s.ValueKind == JsonValueKind.String)
            {
                text.Append(s.GetString());
            }
            else
            {
                throw Unsupported($"input[{i}].output", "only text parts in a function_call_output can be sent to deployments that do not speak the Responses API");
            }
        }

        return text.ToString();
    }

    private static JsonArray Tools(JsonElement tools, bool dropParams, List<string> dropped)
    {
        var result = new JsonArray();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var tool in tools.EnumerateArray())
        {
            var type = tool.GetProperty("type").GetString();
            if (type == "namespace" && tool.TryGetProperty("tools", out var inner) && inner.ValueKind == JsonValueKind.Array)
            {
                // a namespace groups function tools (Codex's multi_agent_v1): offered to chat as those functions, by their own names
                var j = 0;
                foreach (var member in inner.EnumerateArray())
                {
                    if (member.TryGetProperty("type", out var t) && !t.ValueEquals("function"))
                    {
                        throw Unsupported($"tools[{i}].tools[{j}].type", $"a namespace tool can be sent to deployments that do not speak the Responses API only when it holds function tools; this one holds a '{t.GetString()}'");
                    }

                    result.Add(Function(member, $"tools[{i}].tools[{j}]", names));
                    j++;
                }

                i++;
                continue;
            }

            if (type != "function")
            {
                if (dropParams)
                {
                    dropped.Add($"tools[{i}]({type})");
                    i++;
                    continue;
                }

                throw Unsupported($"tools[{i}].type", $"the built-in tool '{type}' runs only on deployments that speak the Responses API natively; offer a function tool instead, or set drop_params on the alias or deployment to leave it out (Codex: web_search = \"disabled\" in its config.toml)");
            }

            result.Add(Function(tool, $"tools[{i}]", names));
            i++;
        }

        return result;
    }

    private static JsonObject Function(JsonElement tool, string path, HashSet<string> names)
    {
        var name = tool.TryGetProperty("name", out var n) && n.ValueKind == JsonValueKind.String ? n.GetString()! : throw Invalid(path + ".name", "is required: a function tool needs a string name");
        if (!names.Add(name))
        {
            throw Invalid(path + ".name", $"repeats the tool name '{name}' (a namespace's functions are offered by their own names)");
        }

        var function = new JsonObject { ["name"] = name };
        foreach (var field in (string[])["description", "parameters", "strict"])
        {
            if (tool.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null)
            {
                function[field] = JsonNode.Parse(v.GetRawText());
            }
        }

        return new JsonObject { ["type"] = "function", ["function"] = function };
    }

    private static JsonNode ToolChoice(JsonElement choice)
    {
        if (choice.ValueKind == JsonValueKind.String)
        {
            return choice.GetString() is "auto" or "none" or "required"
                ? JsonValue.Create(choice.GetString())!
                : throw Invalid("tool_choice", "must be auto, none, required or an object");
        }

        if (choice.TryGetProperty("type", out var type) && type.ValueEquals("function") && choice.TryGetProperty("name", out var name) && name.ValueKind == JsonValueKind.String)
        {
            return new JsonObject { ["type"] = "function", ["function"] = new JsonObject { ["name"] = name.GetString() } };
        }

        throw Unsupported("tool_choice", "only auto, none, required and {\"type\":\"function\",\"name\":...} can be sent to deployments that do not speak the Responses API");
    }

    private static void Text(JsonElement text, JsonObject chat)
    {
        if (text.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var property in text.EnumerateObject())
        {
            if (property.NameEquals("verbosity"))
            {
                if (property.Value.ValueKind == JsonValueKind.String)
                {
                    chat["verbosity"] = property.Value.GetString();
                }
            }
            else if (property.NameEquals("format"))
            {
                var format = property.Value;
                if (format.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                switch (format.GetProperty("type").GetString())
                {
                    case "json_object":
                        chat["response_format"] = new JsonObject { ["type"] = "json_object" };
                        break;
                    case "json_schema":
                        var schema = new JsonObject();
                        foreach (var field in (string[])["name", "description", "schema", "strict"])
                        {
                            if (format.TryGetProperty(field, out var v) && v.ValueKind != JsonValueKind.Null)
                            {
                                schema[field] = JsonNode.Parse(v.GetRawText());
                            }
                        }

                        chat["response_format"] = new JsonObject { ["type"] = "json_schema", ["json_schema"] = schema };
                        break;
                }
            }
            else if (property.Value.ValueKind != JsonValueKind.Null)
            {
                throw Unsupported("text." + property.Name, $"'text.{property.Name}' has no Chat Completions equivalent");
            }
        }
    }

    private static void Reasoning(JsonElement reasoning, JsonObject chat)
    {
        if (reasoning.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var property in reasoning.EnumerateObject())
        {
            if (property.NameEquals("effort"))
            {
                if (property.Value.ValueKind == JsonValueKind.String)
                {
                    chat["reasoning_effort"] = property.Value.GetString();
                }
            }
            else if (property.NameEquals("summary") || property.NameEquals("generate_summary"))
            {
                // A display preference: whatever reasoning the deployment returns comes back as a summary item.
            }
            else if (property.Value.ValueKind != JsonValueKind.Null)
            {
                throw Unsupported("reasoning." + property.Name, $"'reasoning.{property.Name}' has no Chat Completions equivalent");
            }
        }
    }

    private static void Include(JsonElement include)
    {
        if (include.ValueKind != JsonValueKind.Array)
        {
            return;
        }

        foreach (var value in include.EnumerateArray())
        {
            // Encrypted reasoning is returned only by deployments that speak Responses; asking for it elsewhere yields none, as
            // with store:true on OpenAI. Anything else asks for output the translation cannot produce.
            if (!value.ValueEquals("reasoning.encrypted_content"))
            {
                throw Unsupported("include", $"include value '{value}' cannot be produced by deployments that do not speak the Responses API");
            }
        }
    }

    private static ResponsesTranslationException Unsupported(string param, string message) => new(param, message, "unsupported_value");

    private static ResponsesTranslationException Invalid(string param, string message) => new(param, $"'{param}' {message}", "invalid_value");
}

/// <summary>A Responses request that cannot be expressed as Chat Completions.</summary>
internal sealed class ResponsesTranslationException(string param, string message, string code) : Exception(message)
{
    public string Param { get; } = param;
    public string Code { get; } = code;
}
