using Switchyard.Core.Admission;

namespace Switchyard.Tests.Core;

public sealed class SlidingWindowTests
{
    // 10.250 s past a minute boundary: bucket arithmetic below is exact
    private static readonly DateTimeOffset T0 = new(2030, 1, 15, 0, 0, 10, 250, TimeSpan.Zero);

    [Fact]
    public void TryAdd_UpToTheLimit_AdmitsExactlyTheLimitAndReportsRemaining()
    {
        var w = new SlidingWindow();
        var remaining = new List<long>();
        for (var i = 0; i < 5; i++)
        {
            Assert.True(w.TryAdd(1, 5, T0, out var retry, out var left));
            Assert.Equal(TimeSpan.Zero, retry);
            remaining.Add(left);
        }

        Assert.Equal([4, 3, 2, 1, 0], remaining);
        Assert.False(w.TryAdd(1, 5, T0, out _, out var after));
        Assert.Equal(0, after);
        Assert.Equal(5, w.Current(T0));
    }

    [Fact]
    public void TryAdd_Rejected_RetryAfterIsWhenEnoughOldestBucketsLeaveTheWindow()
    {
        var w = new SlidingWindow();
        Assert.True(w.TryAdd(3, 5, T0, out _, out _));                       // bucket 00:00:10
        Assert.True(w.TryAdd(2, 5, T0.AddSeconds(20), out _, out _));        // bucket 00:00:30
        var now = T0.AddSeconds(30.5);                                        // 00:00:40.750

        Assert.False(w.TryAdd(1, 5, now, out var one, out var remaining));
        Assert.Equal(0, remaining);
        Assert.Equal(TimeSpan.FromMilliseconds(29_250), one);                // 00:00:10 leaves at 00:01:10.000

        Assert.False(w.TryAdd(4, 5, now, out var four, out _));
        Assert.Equal(TimeSpan.FromMilliseconds(49_250), four);               // needs 00:00:30 gone too: 00:01:30.000

        Assert.True(w.TryAdd(1, 5, new DateTimeOffset(2030, 1, 15, 0, 1, 10, TimeSpan.Zero), out _, out var then));
        Assert.Equal(2, then);                                                // 2 (bucket :30) + 1 of 5
    }

    [Fact]
    public void Current_AfterSixtySeconds_OldBucketsLeave()
    {
        var w = new SlidingWindow();
        Assert.True(w.TryAdd(4, 100, T0, out _, out _));
        Assert.True(w.TryAdd(6, 100, T0.AddSeconds(30), out _, out _));      // bucket 00:00:40

        Assert.Equal(10, w.Current(T0.AddSeconds(59)));                       // 00:01:09.250
        Assert.Equal(6, w.Current(T0.AddSeconds(60)));                        // 00:01:10.250: bucket :10 is out
        Assert.Equal(0, w.Current(T0.AddSeconds(90)));                        // 00:01:40.250: bucket :40 is out
    }

    [Fact]
    public void Adjust_NegativeDelta_RefundsTheBucketItWasAddedTo()
    {
        var w = new SlidingWindow();
        Assert.True(w.TryAdd(200, 1000, T0, out _, out _));
        Assert.True(w.TryAdd(800, 1000, T0.AddSeconds(5), out _, out _));
        Assert.False(w.TryAdd(1, 1000, T0.AddSeconds(6), out _, out _));

        w.Adjust(-99, T0, T0.AddSeconds(6));                                  // settled: reserved 200, used 101

        Assert.Equal(901, w.Current(T0.AddSeconds(6)));
        Assert.True(w.TryAdd(99, 1000, T0.AddSeconds(6), out _, out var remaining));
        Assert.Equal(0, remaining);
        Assert.Equal(800 + 99, w.Current(T0.AddSeconds(60)));                 // the refunded bucket left with 101
    }

    [Fact]
    public void Adjust_PositiveDelta_ChargesUnderEstimatesAndNeverGoesNegative()
    {
        var w = new SlidingWindow();
        Assert.True(w.TryAdd(10, 100, T0, out _, out _));
        w.Adjust(25, T0, T0.AddSeconds(1));
        Assert.Equal(35, w.Current(T0.AddSeconds(1)));

        w.Adjust(-1000, T0, T0.AddSeconds(1));
        Assert.Equal(0, w.Current(T0.AddSeconds(1)));

        w.Adjust(50, T0, T0.AddSeconds(61));                                  // the bucket already left: ignored
        Assert.Equal(0, w.Current(T0.AddSeconds(61)));
    }

    [Fact]
    public void TryAdd_SingleAmountAboveLimitOnEmptyWindow_IsAdmittedAlone()
    {
        var w = new SlidingWindow();
        Assert.True(w.TryAdd(1500, 1000, T0, out _, out var remaining));
        Assert.Equal(0, remaining);
        Assert.False(w.TryAdd(1, 1000, T0, out var retry, out _));
        Assert.Equal(TimeSpan.FromMilliseconds(59_750), retry);
    }

    [Fact]
    public void TryAdd_ParallelCallers_AdmitExactlyTheLimit()
    {
        var w = new SlidingWindow();
        var admitted = 0;
        Parallel.For(0, 10_000, i =>
        {
            if (w.TryAdd(1, 777, T0, out _, out _))
            {
                Interlocked.Increment(ref admitted);
            }
        });

        Assert.Equal(777, admitted);
        Assert.Equal(777, w.Current(T0));
    }
}
