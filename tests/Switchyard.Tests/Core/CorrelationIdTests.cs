using Microsoft.Extensions.Time.Testing;
using Switchyard.Core.Correlation;

namespace Switchyard.Tests.Core;

public sealed class CorrelationIdTests
{
    private const string Crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));

    [Fact]
    public void New_26CrockfordCharsWithTimePrefix()
    {
        var id = CorrelationId.New(_time);

        Assert.Equal(26, id.Length);
        Assert.All(id, c => Assert.Contains(c, Crockford));
        Assert.StartsWith("01JGFJJZ00", id, StringComparison.Ordinal); // 1735689600000 ms in Crockford base32
    }

    [Fact]
    public void New_LaterMillisecond_SortsAfter()
    {
        var first = CorrelationId.New(_time);
        _time.Advance(TimeSpan.FromMilliseconds(1));
        var second = CorrelationId.New(_time);

        Assert.StartsWith("01JGFJJZ01", second, StringComparison.Ordinal);
        Assert.True(string.CompareOrdinal(first, second) < 0);
    }

    [Fact]
    public void New_SameMillisecond_RandomPartDiffers()
    {
        var ids = Enumerable.Range(0, 100).Select(_ => CorrelationId.New(_time)).ToHashSet();

        Assert.Equal(100, ids.Count);
        Assert.All(ids, id => Assert.StartsWith("01JGFJJZ00", id, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("a", true)]
    [InlineData("thread-42/turn:7", true)]
    [InlineData("~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./", true)]
    [InlineData("", false)]
    [InlineData("has space", false)]
    [InlineData("tab\tinside", false)]
    [InlineData("new\nline", false)]
    [InlineData("ünï", false)]
    [InlineData("del\u007f", false)]
    public void IsValid_PrintableAsciiWithoutSpaces(string value, bool valid)
        => Assert.Equal(valid, CorrelationId.IsValid(value));

    [Fact]
    public void IsValid_LengthBoundary_128Kept129Refused()
    {
        Assert.True(CorrelationId.IsValid(new string('x', 128)));
        Assert.False(CorrelationId.IsValid(new string('x', 129)));
    }

    [Fact]
    public void FromCaller_ValidKept_InvalidOrMissingReplaced()
    {
        Assert.Equal("caller-id", CorrelationId.FromCaller("caller-id", _time));
        Assert.StartsWith("01JGFJJZ00", CorrelationId.FromCaller("bad id", _time), StringComparison.Ordinal);
        Assert.Equal(26, CorrelationId.FromCaller(null, _time).Length);
    }
}
