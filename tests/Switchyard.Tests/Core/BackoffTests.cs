using Switchyard.Core.Resilience;

namespace Switchyard.Tests.Core;

public sealed class BackoffTests
{
    private static readonly TimeSpan Base = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(5);

    [Theory]
    [InlineData(0, 0.0, 50)]
    [InlineData(0, 1.0, 100)]
    [InlineData(1, 0.5, 150)]
    [InlineData(3, 1.0, 800)]
    [InlineData(3, 0.0, 400)]
    [InlineData(10, 1.0, 5000)]
    [InlineData(10, 0.0, 2500)]
    [InlineData(1000, 1.0, 5000)]
    public void Delay_ExponentialWithEqualJitterCapped(int retry, double random, double expectedMs)
        => Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), Backoff.Delay(retry, Base, Max, TimeSpan.Zero, null, random));

    [Fact]
    public void Delay_MinimumRetryAfterSetting_Floor()
        => Assert.Equal(TimeSpan.FromSeconds(1), Backoff.Delay(0, Base, Max, TimeSpan.FromSeconds(1), null, 0.3));

    [Fact]
    public void Delay_UpstreamRetryAfter_Honoured()
        => Assert.Equal(TimeSpan.FromSeconds(2), Backoff.Delay(0, Base, Max, TimeSpan.Zero, TimeSpan.FromSeconds(2), 0.9));

    [Fact]
    public void Delay_UpstreamRetryAfterShorterThanBackoff_BackoffWins()
        => Assert.Equal(TimeSpan.FromMilliseconds(800), Backoff.Delay(3, Base, Max, TimeSpan.Zero, TimeSpan.FromMilliseconds(10), 1.0));

    [Fact]
    public void Delay_ZeroBase_NoWait()
        => Assert.Equal(TimeSpan.Zero, Backoff.Delay(5, TimeSpan.Zero, Max, TimeSpan.Zero, null, 0.7));
}
