using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Core.Correlation;
using Switchyard.Core.Requests;

namespace Switchyard.Tests.Unit;

/// <summary>The hot-path shortcuts give the same bytes and values as the general code they bypass.</summary>
public sealed class HotPathEquivalenceTests
{
    private static readonly Dictionary<string, JsonNode?> NoDefaults = [];

    public static TheoryData<string, string> Cases()
    {
        string[] bodies =
        [
            """{"model":"router.default","messages":[{"role":"user","content":"hi"}]}""",
            """{"messages":[{"role":"user","content":"hi"}],"max_tokens":5,"model":"router.default"}""",
            """{ "model" : "router.default" , "messages" : [ { "role" : "user" , "content" : "h\u00e9 \"x\"" } ] }""",
            """{"model":"rout\u0065r.default","stream":true,"messages":[{"role":"user","content":"hi"}]}""",
        ];
        string[] models = ["gpt-4o-mini", "meta-llama/Llama-3-8B-Instruct", "anthropic.claude-3-5-sonnet-20240620-v1:0", "a_b", "x+y", "modèle", "a\"b", "a<b>"];
        var data = new TheoryData<string, string>();
        foreach (var b in bodies)
        {
            foreach (var m in models)
            {
                data.Add(b, m);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rewrite_WithNothingToAdd_EqualsSpliceWithJsonWriter(string bodyText, string model)
    {
        var body = Encoding.UTF8.GetBytes(bodyText);
        var info = RequestInspector.Inspect(body, OperationKind.Chat);

        var rewritten = RequestRewriter.Rewrite(body, info, model, NoDefaults, requestStreamUsage: false);

        var expected = new ArrayBufferWriter<byte>();
        expected.Write(body.AsSpan(0, info.ModelValueStart));
        using (var w = new Utf8JsonWriter(expected))
        {
            w.WriteStringValue(model);
        }

        expected.Write(body.AsSpan(info.ModelValueStart + info.ModelValueLength));
        Assert.Equal(Encoding.UTF8.GetString(expected.WrittenSpan), Encoding.UTF8.GetString(rewritten));
        Assert.Equal(model, JsonNode.Parse(rewritten)!["model"]!.GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Rewrite_StreamAskingForUsage_EqualsSpliceWithJsonWriter(string bodyText, string model)
    {
        var open = bodyText.IndexOf('{', StringComparison.Ordinal) + 1;
        var streamed = bodyText.Contains("\"stream\":true", StringComparison.Ordinal) ? bodyText : bodyText[..open] + "\"stream\":true," + bodyText[open..];
        var body = Encoding.UTF8.GetBytes(streamed);
        var info = RequestInspector.Inspect(body, OperationKind.Chat);

        var rewritten = RequestRewriter.Rewrite(body, info, model, NoDefaults, requestStreamUsage: true);

        var expected = new ArrayBufferWriter<byte>();
        expected.Write(body.AsSpan(0, open));
        expected.Write("\"stream_options\":{\"include_usage\":true},"u8);
        expected.Write(body.AsSpan(open, info.ModelValueStart - open));
        using (var w = new Utf8JsonWriter(expected))
        {
            w.WriteStringValue(model);
        }

        expected.Write(body.AsSpan(info.ModelValueStart + info.ModelValueLength));
        Assert.Equal(Encoding.UTF8.GetString(expected.WrittenSpan), Encoding.UTF8.GetString(rewritten));
        var parsed = JsonNode.Parse(rewritten)!;
        Assert.Equal(model, parsed["model"]!.GetValue<string>());
        Assert.True(parsed["stream_options"]!["include_usage"]!.GetValue<bool>());
    }

    [Fact]
    public void CorrelationId_New_StaysValidUniqueAndSortableAcrossRandomRefills()
    {
        const string alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
        var ids = Enumerable.Range(0, 1000).Select(_ => CorrelationId.New(TimeProvider.System)).ToList();

        Assert.All(ids, id =>
        {
            Assert.Equal(26, id.Length);
            Assert.All(id, c => Assert.Contains(c, alphabet));
            Assert.True(CorrelationId.IsValid(id));
        });
        Assert.Equal(ids.Count, ids.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(ids.Select(i => i[..10]).Order(StringComparer.Ordinal), ids.Select(i => i[..10]));

        // the random part varies across the whole 80 bits, not only in a few positions
        for (var pos = 10; pos < 26; pos++)
        {
            Assert.True(ids.Select(i => i[pos]).Distinct().Count() > 8, $"position {pos} barely varies");
        }
    }
}
