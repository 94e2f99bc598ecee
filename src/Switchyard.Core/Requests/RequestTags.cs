using System.Buffers;
using System.Text.Json;

namespace Switchyard.Core.Requests;

/// <summary>
/// A request's routing tags (LiteLLM's request <c>tags</c> and <c>metadata.tags</c>), taken out of the body: they are the
/// gateway's (tag-based routing), not the provider's, which would refuse an unknown <c>tags</c> field. Read only when
/// router_settings.enable_tag_filtering is on.
/// </summary>
public static class RequestTags
{
    /// <summary>
    /// The tags and the body without them (null when it had none). <c>tags</c> that is no array of strings is refused
    /// with a <see cref="RequestValidationException"/> (param <c>tags</c> or <c>metadata.tags</c>).
    /// </summary>
    public static (IReadOnlyList<string> Tags, byte[]? Body) Take(ReadOnlySpan<byte> body)
    {
        if (body.IndexOf("\"tags\""u8) < 0)
        {
            return ([], null); // the common case costs one vectorized search
        }

        var tags = new List<string>();
        var found = false;
        var output = new ArrayBufferWriter<byte>(body.Length);
        using (var w = new Utf8JsonWriter(output))
        {
            var r = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = RequestInspector.MaxDepth });
            r.Read();
            w.WriteStartObject();
            while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
            {
                var name = r.GetString()!;
                r.Read();
                if (name == "tags")
                {
                    found = true;
                    ReadTags(ref r, "tags", tags);
                }
                else if (name == "metadata" && r.TokenType == JsonTokenType.StartObject)
                {
                    w.WritePropertyName(name);
                    w.WriteStartObject();
                    while (r.Read() && r.TokenType == JsonTokenType.PropertyName)
                    {
                        var inner = r.GetString()!;
                        r.Read();
                        if (inner == "tags")
                        {
                            found = true;
                            ReadTags(ref r, "metadata.tags", tags);
                        }
                        else
                        {
                            w.WritePropertyName(inner);
                            CopyValue(ref r, body, w);
                        }
                    }

                    w.WriteEndObject();
                }
                else
                {
                    w.WritePropertyName(name);
                    CopyValue(ref r, body, w);
                }
            }

            w.WriteEndObject();
        }

        return found ? (tags.Distinct(StringComparer.Ordinal).ToArray(), output.WrittenSpan.ToArray()) : ([], null);
    }

    /// <summary>The request's tags with its key's and its team's (LiteLLM merges them the same way).</summary>
    public static IReadOnlyCollection<string> Merge(IReadOnlyList<string> request, IReadOnlyCollection<string>? key, IReadOnlyCollection<string>? team)
    {
        if ((key is null || key.Count == 0) && (team is null || team.Count == 0))
        {
            return request;
        }

        return request.Concat(key ?? []).Concat(team ?? []).Distinct(StringComparer.Ordinal).ToArray();
    }

    private static void ReadTags(ref Utf8JsonReader r, string param, List<string> tags)
    {
        if (r.TokenType == JsonTokenType.Null)
        {
            return;
        }

        if (r.TokenType != JsonTokenType.StartArray)
        {
            throw new RequestValidationException($"'{param}' must be an array of strings", param, "invalid_type");
        }

        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.String)
            {
                throw new RequestValidationException($"'{param}' must be an array of strings", param, "invalid_type");
            }

            tags.Add(r.GetString()!);
        }
    }

    private static void CopyValue(ref Utf8JsonReader r, ReadOnlySpan<byte> body, Utf8JsonWriter w)
    {
        var start = (int)r.TokenStartIndex;
        r.Skip();
        w.WriteRawValue(body[start..(int)r.BytesConsumed], skipInputValidation: true);
    }
}
