using System.Text.Json;

namespace Switchyard.Ingress;

/// <summary>
/// The id of an answer as the caller sees it, read from what the gateway writes: a whole body's top-level <c>id</c>
/// (<c>chatcmpl-...</c>, <c>cmpl-...</c>, <c>msg_...</c>, <c>resp_...</c>), or, in a stream event, that <c>id</c> or the
/// one of its <c>response</c> (Responses' <c>response.created</c>) or <c>message</c> (Messages' <c>message_start</c>).
/// It becomes the spend row's request_id (docs/tenancy.md, Spend logs).
/// </summary>
internal static class ResponseIds
{
    /// <summary>The JSON object's id as described above; null when it has none or is not a JSON object.</summary>
    public static string? Of(ReadOnlySpan<byte> json)
    {
        var r = new Utf8JsonReader(json);
        try
        {
            if (!r.Read() || r.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            string? nested = null;
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var isId = r.ValueTextEquals("id"u8);
                var isHolder = r.ValueTextEquals("response"u8) || r.ValueTextEquals("message"u8);
                r.Read();
                if (isId && r.TokenType == JsonTokenType.String)
                {
                    return r.GetString();
                }

                if (isHolder && r.TokenType == JsonTokenType.StartObject)
                {
                    nested ??= InnerId(ref r);
                }
                else
                {
                    r.Skip();
                }
            }

            return nested;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The id of the object the reader stands at the start of; leaves the reader at its end.</summary>
    private static string? InnerId(ref Utf8JsonReader r)
    {
        string? id = null;
        while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
        {
            var isId = r.ValueTextEquals("id"u8);
            r.Read();
            if (isId && r.TokenType == JsonTokenType.String)
            {
                id ??= r.GetString();
            }
            else
            {
                r.Skip();
            }
        }

        return id;
    }
}
