using System.Text;
using Switchyard.Core.Requests;

namespace Switchyard.Tests.Unit;

/// <summary>The schema gate with long strings elided reaches exactly the verdicts (and errors) of the plain reader.</summary>
public sealed class LongStringElisionTests
{
    // ~3,000 bytes of prose with the escapes agents send (newlines, quotes, a unicode escape, an escaped backslash)
    private static readonly string Long = string.Concat(Enumerable.Repeat("Read the file first.\\n\\nThen \\\"fix\\\" it \\u00e9 \\\\ ok. ", 60));

    public static TheoryData<string, OperationKind> Bodies() => new()
    {
        { $$$"""{"messages":[{"role":"system","content":"{{{Long}}}"},{"role":"user","content":"hi"}],"model":"router.default","max_tokens":9}""", OperationKind.Chat },
        { $$$"""{"model":"router.default","tools":[{"type":"function","function":{"name":"grep","description":"{{{Long}}}"}}],"messages":[{"role":"tool","content":"{{{Long}}}"},{"role":"user","content":"{{{Long}}}"}],"stream":true}""", OperationKind.Chat },
        { $$$"""{"messages":[{"role":"user","content":"{{{Long}}}"}],"model":"{{{Long}}}"}""", OperationKind.Chat },
        { $$$"""{"messages":[{"role":"{{{Long}}}","content":"x"}],"model":"m"}""", OperationKind.Chat },
        { $$$"""{"model":"m","tools":[{"type":"function","function":{"name":"{{{Long}}}"}}],"messages":[{"role":"user","content":"x"}]}""", OperationKind.Chat },
        { $$$"""{"model":"m","tools":[{"type":"{{{Long}}}","function":{"name":""}}],"messages":[{"role":"user","content":"x"}]}""", OperationKind.Chat },
        { $$$"""{"{{{Long}}}":1,"model":"m","messages":[{"role":"user","content":"x"}]}""", OperationKind.Chat },
        { $$$"""{"messages":[{"role":"user","content":"{{{Long}}}" "x"}],"model":"m"}""", OperationKind.Chat },
        { $$$"""{"messages":[{"role":"user","content":"{{{Long}}}"}],"model":"m"} trailing""", OperationKind.Chat },
        { $$$"""{"messages":[{"role":"user","content":"{{{Long}}}\q"}],"model":"m"}""", OperationKind.Chat },
        { $$$"""{"messages":[{"role":"user","content":"{{{Long}}}{{{"\t"}}}"}],"model":"m"}""", OperationKind.Chat },
        { $$$"""{"messages":[{"role":"user","content":"{{{Long}}}\u12"}],"model":"m"}""", OperationKind.Chat },
        { $$$"""{"messages":[{"role":"user","content":"{{{Long}}}""", OperationKind.Chat },
        { $$$"""{"messages":[{"role":"user","content":"{{{Long}}}"}],"model":"m",\"x":1}""", OperationKind.Chat },
        { $$$"""{"messages":[{"role":"user","content":"{{{Long}}}"}],"model":"m","n":0}""", OperationKind.Chat },
        { $$$"""{"input":"{{{Long}}}","model":"text-embedding-3-small"}""", OperationKind.Embeddings },
        { $$$"""{"input":["{{{Long}}}","b"],"model":"text-embedding-3-small","dimensions":8}""", OperationKind.Embeddings },
    };

    [Theory]
    [MemberData(nameof(Bodies))]
    public void Inspect_BodyWithLongStrings_SameVerdictAsPlainReader(string json, OperationKind operation)
    {
        var body = Encoding.UTF8.GetBytes(json);

        var expected = Outcome(() => RequestInspector.InspectOnce(body, operation));
        var actual = Outcome(() => RequestInspector.Inspect(body, operation));

        Assert.Equal(expected, actual);
    }

    [Fact]
    public void Inspect_ModelAfterLongStrings_PointsAtTheModelInTheOriginalBody()
    {
        var body = Encoding.UTF8.GetBytes($$$"""{"messages":[{"role":"system","content":"{{{Long}}}"},{"role":"user","content":"{{{Long}}}"}], "model" : "router.default"}""");

        var info = RequestInspector.Inspect(body, OperationKind.Chat);

        Assert.NotNull(LongStringElisionProbe(body));
        Assert.Equal("\"router.default\"", Encoding.UTF8.GetString(body, info.ModelValueStart, info.ModelValueLength));
    }

    [Theory]
    [InlineData("{\"a\":\"short\"}")]
    [InlineData("{\"a\":\"unterminated")]
    public void TryCreate_NothingLongOrInvalid_ReturnsNull(string json)
        => Assert.Null(LongStringElisionProbe(Encoding.UTF8.GetBytes(json + new string(' ', 3000))));

    [Theory]
    [InlineData("\\ud800 alone")]
    [InlineData("\\udc00 alone")]
    [InlineData("\\ud800\\u0041 not a low half")]
    public void TryCreate_LongStringWithLoneSurrogate_LeavesTheBodyToTheReader(string escape)
    {
        var body = Encoding.UTF8.GetBytes($$$"""{"model":"m","messages":[{"role":"user","content":"{{{Long}}}{{{escape}}}"}]}""");

        Assert.Null(LongStringElisionProbe(body));
        Assert.Equal(Outcome(() => RequestInspector.InspectOnce(body, OperationKind.Chat)), Outcome(() => RequestInspector.Inspect(body, OperationKind.Chat)));
    }

    [Fact]
    public void TryCreate_LongStringWithInvalidUtf8_LeavesTheBodyToTheReader()
    {
        var text = Encoding.UTF8.GetBytes($$$"""{"model":"m","messages":[{"role":"user","content":"{{{Long}}}#"}]}""");
        text[Array.IndexOf(text, (byte)'#')] = 0xFF;

        Assert.Null(LongStringElisionProbe(text));
    }

    [Fact]
    public void TryCreate_LongStringWithSurrogatePair_IsElided()
        => Assert.NotNull(LongStringElisionProbe(Encoding.UTF8.GetBytes($$$"""{"model":"m","messages":[{"role":"user","content":"{{{Long}}}\ud83d\ude00"}]}""")));

    private static int? LongStringElisionProbe(byte[] body)
    {
        using var compact = LongStringElision.TryCreate(body);
        return compact?.Length;
    }

    private static string Outcome(Func<RequestInfo> inspect)
    {
        try
        {
            var info = inspect();
            return (info with { BilledRanges = [] }).ToString() + " billed at " + string.Join(",", info.BilledRanges); // ranges mapped back to the original body
        }
        catch (Exception e)
        {
            return e.GetType().Name + ": " + e.Message;
        }
    }
}
