using Switchyard.Core.Admission;

namespace Switchyard.Tests.Core;

public sealed class ConcurrencyCounterTests
{
    [Fact]
    public void TryEnter_AtTheLimit_RefusesUntilAnExit()
    {
        var c = new ConcurrencyCounter();
        Assert.True(c.TryEnter(2));
        Assert.True(c.TryEnter(2));
        Assert.False(c.TryEnter(2));
        Assert.Equal(2, c.Current);

        c.Exit();
        Assert.Equal(1, c.Current);
        Assert.True(c.TryEnter(2));
        Assert.False(c.TryEnter(2));
    }

    [Fact]
    public void TryEnter_ZeroLimit_AlwaysRefuses()
    {
        var c = new ConcurrencyCounter();
        Assert.False(c.TryEnter(0));
        Assert.Equal(0, c.Current);
    }

    [Fact]
    public void TryEnter_ParallelCallers_AdmitExactlyTheLimitAndExitsBalance()
    {
        var c = new ConcurrencyCounter();
        var admitted = 0;
        Parallel.For(0, 10_000, _ =>
        {
            if (c.TryEnter(13))
            {
                Interlocked.Increment(ref admitted);
            }
        });

        Assert.Equal(13, admitted);
        Parallel.For(0, 13, _ => c.Exit());
        Assert.Equal(0, c.Current);

        Parallel.For(0, 1000, _ =>
        {
            c.Enter();
            c.Exit();
        });
        Assert.Equal(0, c.Current);
    }
}
