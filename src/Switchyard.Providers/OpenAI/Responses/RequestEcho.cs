using System.Text.Json;

namespace Switchyard.Providers.OpenAI.Responses;

/// <summary>
/// The request fields a Responses <c>response</c> object repeats (instructions, tools, tool_choice, text format,
/// sampling, reasoning, metadata...), kept as the caller's raw JSON so a translated answer echoes them as OpenAI does;
/// a field the caller did not send is written with OpenAI's default.
/// </summary>
internal sealed class RequestEcho
{
    /// <summary>Echoed fields in the order OpenAI writes them, with the default written when the request has none.</summary>
    private static readonly (string Name, string Default)[] Fields =
    [
        ("instructions", "null"),
        ("parallel_tool_calls", "true"),
        ("previous_response_id", "null"),
        ("reasoning", """{"effort":null,"summary":null}"""),
        ("store", "true"),
        ("temperature", "1.0"),
        ("text", """{"format":{"type":"text"}}"""),
        ("tool_choice", "\"auto\""),
        ("tools", "[]"),
        ("top_p", "1.0"),
        ("truncation", "\"disabled\""),
        ("user", "null"),
        ("metadata", "{}"),
    ];

    private readonly string?[] _raw = new string?[Fields.Length];

    public static RequestEcho Empty { get; } = new();

    /// <summary>The echoed fields of a Responses request body; empty for a body that is not a JSON object.</summary>
    public static RequestEcho From(ReadOnlySpan<byte> request)
    {
        if (request.IsEmpty)
        {
            return Empty;
        }

        var echo = new RequestEcho();
        try
        {
            var r = new Utf8JsonReader(request, new JsonReaderOptions { MaxDepth = Core.Requests.RequestInspector.MaxDepth });
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
            {
                return Empty;
            }

            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var index = IndexOf(ref r);
                r.Read();
                if (index < 0)
                {
                    r.Skip();
                    continue;
                }

                using var value = JsonDocument.ParseValue(ref r);
                echo._raw[index] = value.RootElement.GetRawText();
            }
        }
        catch (JsonException)
        {
            return Empty; // the schema gate read this body already; nothing to echo from a body it would refuse
        }

        return echo;
    }

    private static int IndexOf(ref Utf8JsonReader r)
    {
        for (var i = 0; i < Fields.Length; i++)
        {
            if (r.ValueTextEquals(Fields[i].Name))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Writes every echoed field: the caller's value, or OpenAI's default.</summary>
    public void WriteTo(Utf8JsonWriter w)
    {
        for (var i = 0; i < Fields.Length; i++)
        {
            w.WritePropertyName(Fields[i].Name);
            w.WriteRawValue(_raw[i] ?? Fields[i].Default, skipInputValidation: _raw[i] is null);
        }
    }
}
