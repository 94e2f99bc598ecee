using Switchyard.Core.Tenancy;

namespace Switchyard.Tests.Core;

public sealed class BudgetDurationTests
{
    [Theory]
    [InlineData("30s", 30, 's', "30s")]
    [InlineData("30m", 30, 'm', "30m")]
    [InlineData("24h", 24, 'h', "24h")]
    [InlineData("30d", 30, 'd', "30d")]
    [InlineData("1mo", 1, 'M', "1mo")]
    [InlineData("12mo", 12, 'M', "12mo")]
    [InlineData(" 7D ", 7, 'd', "7d")]
    [InlineData("1MO", 1, 'M', "1mo")]
    [InlineData("100000s", 100_000, 's', "100000s")]
    public void TryParse_ValidPeriod_ParsesAmountUnitAndRoundTrips(string text, int amount, char unit, string canonical)
    {
        Assert.True(BudgetDuration.TryParse(text, out var d));
        Assert.Equal(new BudgetDuration(amount, unit), d);
        Assert.Equal(canonical, d.ToString());
        Assert.True(BudgetDuration.TryParse(d.ToString(), out var again));
        Assert.Equal(d, again);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("30")]
    [InlineData("s")]
    [InlineData("mo")]
    [InlineData("0s")]
    [InlineData("-5s")]
    [InlineData("+5s")]
    [InlineData("1.5h")]
    [InlineData("1w")]
    [InlineData("1y")]
    [InlineData("30 d")]
    [InlineData("100001s")]
    [InlineData("99999999999d")]
    [InlineData("weekly")]
    public void TryParse_InvalidText_ReturnsFalse(string? text)
    {
        Assert.False(BudgetDuration.TryParse(text, out var d));
        Assert.Equal(default, d);
    }

    [Fact]
    public void Next_EachUnit_AddsThatMuchCalendarTime()
    {
        var t = new DateTimeOffset(2030, 1, 15, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal(t.AddSeconds(30), new BudgetDuration(30, 's').Next(t));
        Assert.Equal(t.AddMinutes(30), new BudgetDuration(30, 'm').Next(t));
        Assert.Equal(t.AddHours(24), new BudgetDuration(24, 'h').Next(t));
        Assert.Equal(t.AddDays(30), new BudgetDuration(30, 'd').Next(t));
        Assert.Equal(new DateTimeOffset(2030, 2, 15, 12, 0, 0, TimeSpan.Zero), new BudgetDuration(1, 'M').Next(t));
        Assert.Equal(new DateTimeOffset(2031, 1, 15, 12, 0, 0, TimeSpan.Zero), new BudgetDuration(12, 'M').Next(t));
    }
}
