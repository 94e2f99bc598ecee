namespace Switchyard.Dashboard;

/// <summary>
/// The last <c>capacity</c> items, newest overwriting oldest: one <see cref="Interlocked.Increment(ref long)"/> and one
/// reference store per add, no lock, no growth. Reads copy a snapshot (a concurrent add may or may not be in it).
/// </summary>
internal sealed class BoundedRing<T>(int capacity)
    where T : class
{
    private readonly T?[] _items = new T?[capacity];
    private long _next;

    public int Capacity => capacity;

    /// <summary>How many items were ever added (the ring holds the last <see cref="Capacity"/> of them).</summary>
    public long Added => Interlocked.Read(ref _next);

    public void Add(T item)
    {
        var n = Interlocked.Increment(ref _next) - 1;
        Volatile.Write(ref _items[(int)(n % capacity)], item);
    }

    /// <summary>The items held, newest first.</summary>
    public List<T> NewestFirst()
    {
        var end = Interlocked.Read(ref _next);
        var count = (int)Math.Min(end, capacity);
        var list = new List<T>(count);
        for (var i = 1; i <= count; i++)
        {
            if (Volatile.Read(ref _items[(int)((end - i) % capacity)]) is { } item)
            {
                list.Add(item);
            }
        }

        return list;
    }
}
