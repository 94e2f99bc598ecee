using System.Globalization;
using System.Text;
using CsCheck;

namespace Switchyard.Tests.Fuzz;

/// <summary>Generated JSON text: strings with every kind of character and escape, hostile numbers, nesting.</summary>
public static class JsonGen
{
    private static (int, IGen<T>) W<T>(int weight, IGen<T> gen) => (weight, gen);

    private static readonly Gen<string> Words = Gen.OneOf("chat", "embed", "gpt-4o", "hi", "", "ü中😀", "Chat", "user", "system", "model", "messages");

    /// <summary>Any string, including lone surrogates, control characters and non-BMP characters.</summary>
    public static readonly Gen<string> Text = Gen.Frequency(W(3, Words), W(2, Gen.String[0, 24]), W(1, Gen.Char.Array[0, 8].Select(c => new string(c))));

    /// <summary>A JSON string literal: characters raw (UTF-8) or escaped, chosen per character.</summary>
    public static Gen<string> Quoted(Gen<string> text) => Gen.Select(text, Gen.Bool.Array[24], (s, escape) =>
    {
        var sb = new StringBuilder("\"");
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (c is '"' or '\\' || c < 0x20 || char.IsSurrogate(c) || escape[i % escape.Length])
            {
                sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.Append('"').ToString();
    });

    public static readonly Gen<string> Number = Gen.Frequency(
        W(3, Gen.Int.Select(i => i.ToString(CultureInfo.InvariantCulture))),
        W(1, Gen.Double.Select(d => double.IsFinite(d) ? d.ToString("R", CultureInfo.InvariantCulture) : "0")),
        W(1, Gen.OneOf("1e999999", "-1e-999999", "123456789012345678901234567890", "-0", "0.0000000000000000000001", "2147483648", "-2147483649")));

    public static Gen<string> Value(int depth)
    {
        var leaf = Gen.Frequency(W(3, Quoted(Text)), W(2, Number), W(1, Gen.OneOf("true", "false", "null")));
        if (depth <= 0)
        {
            return leaf;
        }

        var inner = Value(depth - 1);
        return Gen.Frequency(
            W(4, leaf),
            W(1, inner.Array[0, 4].Select(a => "[" + string.Join(",", a) + "]")),
            W(1, Gen.Select(Quoted(Text), inner, (k, v) => k + ":" + v).Array[0, 4].Select(a => "{" + string.Join(",", a) + "}")));
    }

    /// <summary>A value nested <c>n</c> arrays deep.</summary>
    public static Gen<string> Nested => Gen.Int[0, 80].Select(n => new string('[', n) + "1" + new string(']', n));

    private static readonly Gen<string> Role = Gen.Frequency(W(8, Gen.OneOf("user", "system", "assistant", "tool", "developer")), W(1, Quoted(Text).Select(r => r.Trim('"'))));

    private static readonly Gen<string> Message = Gen.Select(Role, Gen.Frequency(W(4, Quoted(Text)), W(1, Value(2)), W(1, Gen.Const("null"))),
        (role, content) => $"{{\"role\":\"{role}\",\"content\":{content}}}");

    private static readonly Gen<string> ModelValue = Gen.Frequency(W(6, Gen.OneOf("\"chat\"", "\"embed\"")), W(2, Quoted(Text)), W(1, Value(1)));

    public static readonly Gen<string> ChatBody = Gen.Select(ModelValue, Message.Array[0, 4], Gen.Frequency(W(3, Gen.Const("")), W(1, Value(3)), W(1, Nested)), Gen.Bool, Number,
        (model, messages, metadata, stream, maxTokens) =>
            "{\"model\":" + model + ",\"messages\":[" + string.Join(",", messages) + "]"
            + (stream ? ",\"stream\":false" : "") + ",\"max_tokens\":" + maxTokens
            + (metadata.Length > 0 ? ",\"metadata\":" + metadata : "") + "}");

    public static readonly Gen<string> EmbeddingsBody = Gen.Select(ModelValue, Gen.Frequency(W(3, Quoted(Text)), W(2, Quoted(Text).Array[0, 4].Select(a => "[" + string.Join(",", a) + "]")), W(1, Value(3))),
        (model, input) => "{\"model\":" + model + ",\"input\":" + input + "}");

    /// <summary>Bodies: generated chat or embeddings JSON, mutated at the byte level, or random bytes.</summary>
    public static readonly Gen<(bool Chat, byte[] Body)> Body = Gen.Frequency(
        W(4, Gen.Select(Gen.Bool, Gen.Bool).SelectMany(t => Mutations.Mutate((t.Item1 ? ChatBody : EmbeddingsBody).Select(Encoding.UTF8.GetBytes), t.Item2 ? 0 : 4).Select(b => (t.Item1, b)))),
        W(1, Gen.Select(Gen.Bool, Gen.Byte.Array[0, 300])));
}
