using BenchmarkDotNet.Attributes;
using Switchyard.Core.Caching;
using Switchyard.Core.Requests;

namespace Switchyard.Benchmarks;

/// <summary>
/// What the response cache adds to a request on an agent-sized body (~50 KB, 12 tools; see <see cref="Bodies"/>): the
/// key (one pass over the body, SHA-256 over its canonical fields) and a key plus a hit, against the schema gate on the same body in the local (in-memory) back end.
/// Run: <c>dotnet run -c Release --project bench/Switchyard.Benchmarks -- --filter *ResponseCacheBenchmarks* --job short</c>
/// </summary>
[MemoryDiagnoser]
public class ResponseCacheBenchmarks
{
    private byte[] _body = [];
    private MemoryResponseCache _cache = null!;

    [GlobalSetup]
    public void Setup()
    {
        _body = Bodies.Agent(50 * 1024);
        _cache = new MemoryResponseCache(10_000, 256L * 1024 * 1024, TimeProvider.System);
        var key = Key();
        _cache.SetAsync(key, new CachedAnswer(CachedAnswerKind.Whole, new byte[2048], DateTimeOffset.UnixEpoch, "d"), TimeSpan.FromHours(1), default).AsTask().GetAwaiter().GetResult();
    }

    /// <summary>The schema gate on the same body, every request pays it: the yardstick for the key's cost on a loaded machine.</summary>
    [Benchmark(Baseline = true)]
    public RequestInfo Inspect() => RequestInspector.Inspect(_body, OperationKind.Chat);

    [Benchmark]
    public string Key() => ResponseCacheKey.Compute(_body, "tenant:acme", OperationKind.Chat, "router.default\nrouter.default", null).Key;

    [Benchmark]
    public async Task<bool> KeyAndLocalHit() => (await _cache.GetAsync(Key(), default)).Answer is not null;
}
