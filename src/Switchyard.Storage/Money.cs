namespace Switchyard.Storage;

/// <summary>Money is stored as integer nano-dollars so running sums stay exact in SQL.</summary>
internal static class Money
{
    public static long ToNanos(decimal value) => (long)decimal.Round(value * 1_000_000_000m);

    public static decimal FromNanos(long nanos) => nanos / 1_000_000_000m;
}
