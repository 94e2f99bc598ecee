namespace Switchyard.Core.Caching;

/// <summary>
/// The local back end: answers in this process's memory, bounded by entries and bytes, the least recently used evicted
/// first, each expiring after its ttl (on the injected clock). One lock; lookups and stores are O(1).
/// </summary>
public sealed class MemoryResponseCache(int maxEntries, long maxBytes, TimeProvider time) : IResponseCache
{
    private readonly Dictionary<string, LinkedListNode<Entry>> _map = new(StringComparer.Ordinal);
    private readonly LinkedList<Entry> _lru = new();
    private readonly Lock _lock = new();
    private long _bytes;

    /// <summary>Entries held now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _map.Count;
            }
        }
    }

    /// <summary>Bytes held now (answers plus a fixed overhead per entry).</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Entries evicted to stay within the bounds, since start.</summary>
    public long Evictions { get; private set; }

    public ValueTask<CacheLookup> GetAsync(string key, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_map.TryGetValue(key, out var node))
            {
                return ValueTask.FromResult(CacheLookup.Miss);
            }

            if (node.Value.Expires <= now)
            {
                Remove(node);
                return ValueTask.FromResult(CacheLookup.Miss);
            }

            _lru.Remove(node);
            _lru.AddFirst(node);
            return ValueTask.FromResult(new CacheLookup(node.Value.Answer));
        }
    }

    public ValueTask<bool> SetAsync(string key, CachedAnswer answer, TimeSpan ttl, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var size = answer.Size + key.Length * 2;
        if (size > maxBytes)
        {
            return ValueTask.FromResult(true); // larger than the whole cache: not kept, which is not a failure
        }

        lock (_lock)
        {
            if (_map.TryGetValue(key, out var old))
            {
                Remove(old);
            }

            var node = _lru.AddFirst(new Entry(key, answer, time.GetUtcNow() + ttl, size));
            _map[key] = node;
            _bytes += size;
            while (_map.Count > maxEntries || _bytes > maxBytes)
            {
                Remove(_lru.Last!);
                Evictions++;
            }
        }

        return ValueTask.FromResult(true);
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _lru.Remove(node);
        _map.Remove(node.Value.Key);
        _bytes -= node.Value.Size;
    }

    private sealed record Entry(string Key, CachedAnswer Answer, DateTimeOffset Expires, long Size);
}
