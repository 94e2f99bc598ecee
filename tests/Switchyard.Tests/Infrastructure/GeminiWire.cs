using System.Text.Json;
using System.Text.RegularExpressions;

namespace Switchyard.Tests.Infrastructure;

/// <summary>
/// Google's Gemini API (generativelanguage.googleapis.com, v1beta) as the real service speaks it: the method paths,
/// x-goog-api-key checks with Google's answers (403 PERMISSION_DENIED without a key, 400 API_KEY_INVALID with a wrong
/// one), the request checks that bite translators (unknown fields anywhere are refused, roles user/model only, parts
/// never empty, a function response turn answering every call of the call turn), GenerateContentResponse bodies,
/// <c>alt=sse</c> streams (CRLF-framed <c>data:</c> events, no end marker), and errors in Google's shape with
/// <c>google.rpc.RetryInfo</c> / <c>ErrorInfo</c> details.
/// </summary>
public static partial class GeminiWire
{
    public const string Model = "gemini-2.5-flash";

    /// <summary>The fields each request object may carry (the real API refuses any other: "Invalid JSON payload received. Unknown name").</summary>
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["request"] = ["contents", "systemInstruction", "tools", "toolConfig", "generationConfig", "safetySettings", "cachedContent"],
        ["content"] = ["role", "parts"],
        ["part"] = ["text", "inlineData", "fileData", "functionCall", "functionResponse", "thought", "thoughtSignature"],
        ["generationConfig"] = ["temperature", "topP", "topK", "candidateCount", "maxOutputTokens", "stopSequences", "presencePenalty", "frequencyPenalty",
            "seed", "responseMimeType", "responseSchema", "thinkingConfig", "responseLogprobs", "logprobs"],
        ["schema"] = ["type", "format", "description", "nullable", "enum", "maxItems", "minItems", "properties", "required", "items", "anyOf", "minimum",
            "maximum", "minLength", "maxLength", "pattern", "title", "minProperties", "maxProperties", "propertyOrdering", "example"],
    };

    [GeneratedRegex(@"^/v1beta/models/([A-Za-z0-9.\-]+):(generateContent|streamGenerateContent\?alt=sse|embedContent|batchEmbedContents)$")]
    private static partial Regex PathPattern();

    /// <summary>Wraps a handler with the checks the real API makes first; refusals are written in Google's error shape.</summary>
    public static Func<HttpContext, RecordedRequest, Task> Validated(string apiKey, Func<HttpContext, RecordedRequest, Task> handler)
        => async (c, r) =>
        {
            if (Check(r, apiKey) is { } rejection)
            {
                await WriteErrorAsync(c, rejection.Code, rejection.Status, rejection.Message, rejection.Details);
                return;
            }

            await handler(c, r);
        };

    public static (int Code, string Status, string Message, object[]? Details)? Check(RecordedRequest r, string apiKey)
    {
        var path = PathPattern().Match(r.PathAndQuery);
        if (r.Method != "POST" || !path.Success)
        {
            return (404, "NOT_FOUND", "Requested entity was not found.", null);
        }

        if (!r.Headers.TryGetValue("x-goog-api-key", out var key) || key.Length == 0)
        {
            return (403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.", null);
        }

        if (key != apiKey)
        {
            return (400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.",
                [new Dictionary<string, object> { ["@type"] = "type.googleapis.com/google.rpc.ErrorInfo", ["reason"] = "API_KEY_INVALID", ["domain"] = "googleapis.com" }]);
        }

        if (!r.Headers.TryGetValue("content-type", out var type) || !type.StartsWith("application/json", StringComparison.Ordinal))
        {
            return (400, "INVALID_ARGUMENT", "Invalid JSON payload received.", null);
        }

        JsonElement root;
        try
        {
            root = JsonDocument.Parse(r.Body).RootElement;
        }
        catch (JsonException)
        {
            return (400, "INVALID_ARGUMENT", "Invalid JSON payload received. Unexpected token.", null);
        }

        return path.Groups[2].Value is "embedContent" or "batchEmbedContents" ? null : CheckGenerate(root);
    }

    public static (int, string, string, object[]?)? CheckGenerate(JsonElement root)
    {
        if (Unknown(root, "request") is { } bad)
        {
            return bad;
        }

        if (!root.TryGetProperty("contents", out var contents) || contents.ValueKind != JsonValueKind.Array || contents.GetArrayLength() == 0)
        {
            return (400, "INVALID_ARGUMENT", "* GenerateContentRequest.contents: contents is not specified", null);
        }

        var previousCalls = 0;
        var i = 0;
        foreach (var content in contents.EnumerateArray())
        {
            if (Unknown(content, "content") is { } badContent)
            {
                return badContent;
            }

            var role = content.TryGetProperty("role", out var r) ? r.GetString() : "user";
            if (role is not ("user" or "model"))
            {
                return (400, "INVALID_ARGUMENT", $"Please use a valid role: user, model.", null);
            }

            if (!content.TryGetProperty("parts", out var parts) || parts.GetArrayLength() == 0)
            {
                return (400, "INVALID_ARGUMENT", $"* GenerateContentRequest.contents[{i}].parts: contents.parts must not be empty.", null);
            }

            var calls = 0;
            var responses = 0;
            foreach (var part in parts.EnumerateArray())
            {
                if (Unknown(part, "part") is { } badPart)
                {
                    return badPart;
                }

                calls += part.TryGetProperty("functionCall", out _) ? 1 : 0;
                responses += part.TryGetProperty("functionResponse", out var fr) && fr.GetProperty("name").GetString() is { Length: > 0 } && fr.GetProperty("response").ValueKind == JsonValueKind.Object ? 1 : 0;
            }

            if (responses > 0 && responses != previousCalls)
            {
                return (400, "INVALID_ARGUMENT", "Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.", null);
            }

            previousCalls = calls;
            i++;
        }

        if (root.TryGetProperty("generationConfig", out var config))
        {
            if (Unknown(config, "generationConfig") is { } badConfig)
            {
                return badConfig;
            }

            if (config.TryGetProperty("responseSchema", out var schema) && Schema(schema) is { } badSchema)
            {
                return badSchema;
            }
        }

        foreach (var tool in Items(root, "tools"))
        {
            foreach (var f in tool.GetProperty("functionDeclarations").EnumerateArray())
            {
                if (f.TryGetProperty("parameters", out var p))
                {
                    if (Schema(p) is { } badParameters)
                    {
                        return badParameters;
                    }

                    if (p.GetProperty("type").GetString() == "object" && (!p.TryGetProperty("properties", out var props) || !props.EnumerateObject().Any()))
                    {
                        return (400, "INVALID_ARGUMENT", $"* GenerateContentRequest.tools[0].function_declarations[0].parameters.properties: should be non-empty for OBJECT type", null);
                    }
                }
            }
        }

        return null;
    }

    private static (int, string, string, object[]?)? Schema(JsonElement schema)
    {
        if (Unknown(schema, "schema") is { } bad)
        {
            return bad;
        }

        foreach (var p in schema.TryGetProperty("properties", out var props) ? props.EnumerateObject().ToArray() : [])
        {
            if (Schema(p.Value) is { } badProperty)
            {
                return badProperty;
            }
        }

        if (schema.TryGetProperty("items", out var items))
        {
            return Schema(items);
        }

        foreach (var option in Items(schema, "anyOf"))
        {
            if (Schema(option) is { } badOption)
            {
                return badOption;
            }
        }

        return null;
    }

    private static (int, string, string, object[]?)? Unknown(JsonElement element, string kind)
    {
        foreach (var p in element.EnumerateObject())
        {
            if (!Allowed[kind].Contains(p.Name))
            {
                return (400, "INVALID_ARGUMENT", $"Invalid JSON payload received. Unknown name \"{p.Name}\": Cannot find field.", null);
            }
        }

        return null;
    }

    private static JsonElement[] Items(JsonElement element, string name)
        => element.TryGetProperty(name, out var array) && array.ValueKind == JsonValueKind.Array ? [.. array.EnumerateArray()] : [];

    public static object Text(string text) => new { text };

    public static object Thought(string text) => new { text, thought = true };

    public static object Call(string name, object args, string? signature = null)
        => signature is null ? new { functionCall = new { name, args } } : new { functionCall = new { name, args }, thoughtSignature = signature };

    public static object Usage(int prompt = 12, int candidates = 4, int cached = 0, int thoughts = 0)
    {
        var usage = new Dictionary<string, object> { ["promptTokenCount"] = prompt, ["candidatesTokenCount"] = candidates, ["totalTokenCount"] = prompt + candidates + thoughts };
        if (cached > 0)
        {
            usage["cachedContentTokenCount"] = cached;
        }

        if (thoughts > 0)
        {
            usage["thoughtsTokenCount"] = thoughts;
        }

        return usage;
    }

    /// <summary>A GenerateContentResponse with one candidate.</summary>
    public static object Response(object[] parts, string? finishReason = "STOP", object? usage = null)
    {
        var candidate = new Dictionary<string, object> { ["content"] = new { parts, role = "model" }, ["index"] = 0 };
        if (finishReason is not null)
        {
            candidate["finishReason"] = finishReason;
        }

        return new Dictionary<string, object?>
        {
            ["candidates"] = new[] { candidate },
            ["usageMetadata"] = usage ?? Usage(),
            ["modelVersion"] = Model,
            ["responseId"] = "fakeResp01",
        };
    }

    public static Task WriteJsonAsync(HttpContext c, object body)
    {
        c.Response.ContentType = "application/json; charset=UTF-8";
        return c.Response.WriteAsync(JsonSerializer.Serialize(body));
    }

    public static Task WriteResponseAsync(HttpContext c, object[] parts, string finishReason = "STOP", object? usage = null)
        => WriteJsonAsync(c, Response(parts, finishReason, usage));

    /// <summary>Google's error shape: <c>{"error":{"code":…,"message":…,"status":…,"details":[…]}}</c>.</summary>
    public static Task WriteErrorAsync(HttpContext c, int code, string status, string message, object[]? details = null)
    {
        c.Response.StatusCode = code;
        c.Response.ContentType = "application/json; charset=UTF-8";
        var error = new Dictionary<string, object> { ["code"] = code, ["message"] = message, ["status"] = status };
        if (details is not null)
        {
            error["details"] = details;
        }

        return c.Response.WriteAsync(JsonSerializer.Serialize(new { error }));
    }

    public static object RetryInfo(string delay) => new Dictionary<string, object> { ["@type"] = "type.googleapis.com/google.rpc.RetryInfo", ["retryDelay"] = delay };

    /// <summary>An alt=sse stream: each chunk one CRLF-framed data event, flushed apart; the connection closes after the last.</summary>
    public static async Task WriteStreamAsync(HttpContext c, params object[] chunks)
    {
        c.Response.ContentType = "text/event-stream";
        await c.Response.Body.FlushAsync();
        foreach (var chunk in chunks)
        {
            await c.Response.WriteAsync("data: " + (chunk as string ?? JsonSerializer.Serialize(chunk)) + "\r\n\r\n");
            await c.Response.Body.FlushAsync();
        }
    }

    /// <summary>The request body the gateway sent.</summary>
    public static JsonElement Body(RecordedRequest r) => JsonDocument.Parse(r.Body).RootElement;
}
