using System.Text;
using Switchyard.Core.Requests;

namespace Switchyard.Tests.Core;

public sealed class JsonTextCheckTests
{
    [Theory]
    [InlineData("{\"a\":\"plain\"}")]
    [InlineData("{\"a\":\"\\ud83d\\ude00 pair, \\u00e9, \\\\ud800 is an escaped backslash\"}")]
    [InlineData("{\"a\":\"\\\\\\\\\"}")]
    [InlineData("{\"a\":\"\\n\\t\\\"\"}")]
    [InlineData("\\")]
    [InlineData("{\"a\":\"x\\")]
    [InlineData("{\"a\":\"\\u12")]
    public void Validate_DecodableText_Passes(string text)
        => JsonTextCheck.Validate(Encoding.UTF8.GetBytes(text));

    [Theory]
    [InlineData("{\"a\":\"\\ud800\"}", 7)]
    [InlineData("{\"a\":\"x\\udfff\"}", 8)]
    [InlineData("{\"a\":\"\\ud83d\\u0041\"}", 7)]
    [InlineData("{\"a\":\"\\\\\\ud800\"}", 9)]
    [InlineData("{\"a\":\"\\ud800", 7)]
    public void Validate_LoneSurrogateEscape_RefusedNamingTheByte(string text, int oneBasedByte)
    {
        var e = Assert.Throws<RequestValidationException>(() => JsonTextCheck.Validate(Encoding.UTF8.GetBytes(text)));

        Assert.Equal("invalid_unicode", e.Code);
        Assert.Contains($"(byte {oneBasedByte})", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_InvalidUtf8_RefusedNamingTheFirstBadByte()
    {
        var e = Assert.Throws<RequestValidationException>(() => JsonTextCheck.Validate([(byte)'{', (byte)'"', 0xc3, 0xa9, 0xc3, 0x28]));

        Assert.Equal("invalid_unicode", e.Code);
        Assert.Contains("(byte 5)", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Found by the request-parser fuzzer: a body ending in a backslash read past its end.</summary>
    [Fact]
    public void Validate_BodyEndingInBackslash_DoesNotReadPastTheEnd()
        => JsonTextCheck.Validate("data: {\"model\":\"embed\"}\\"u8);
}
