using System.Threading.Channels;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Switchyard.Core.Tenancy;
using Switchyard.Tenancy.Journal;

namespace Switchyard.Benchmarks;

/// <summary>
/// What acknowledging a spend record costs per request: <see cref="SpendJournal.AppendAsync"/> (group commit: one write,
/// and one fsync when on, per group of concurrent appends) from 1 and 64 concurrent request flows, against the
/// in-memory queue the spend writer used before the journal (<c>QueueOnly</c>, the baseline). Each operation is one
/// record; segments are marked committed and checkpointed as the spend writer does, so files stay small.
/// Run: <c>dotnet run -c Release --project bench/Switchyard.Benchmarks -- --filter *SpendJournalBenchmarks* --job short</c>
/// </summary>
[MemoryDiagnoser]
public class SpendJournalBenchmarks
{
    private const int Records = 2048;

    private readonly Channel<SpendRecord> _queue = Channel.CreateUnbounded<SpendRecord>(new UnboundedChannelOptions { SingleReader = true });
    private string _root = null!;
    private SpendJournal _journal = null!;
    private SpendRecord _record = null!;

    [Params(1, 64)]
    public int Writers { get; set; }

    [Params(false, true)]
    public bool Fsync { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _root = Path.Combine(Path.GetTempPath(), "switchyard-bench-journal-" + Guid.NewGuid().ToString("N"));
        _journal = SpendJournal.Open(_root, "bench", Fsync, NullLogger.Instance);
        _record = new SpendRecord
        {
            RequestId = Guid.CreateVersion7().ToString("N"),
            CorrelationId = "01JD0000000000000000000000",
            TenantId = "acme",
            TokenHash = new string('a', 64),
            Alias = "bench.chat",
            Deployment = "bench-upstream",
            ProviderFamily = "openai",
            Model = "openai/gpt-4o-mini",
            PromptTokens = 356,
            CompletionTokens = 12,
            Cost = 0.0000606m,
            Status = 200,
            LatencyMs = 1.234,
            StartTime = new DateTimeOffset(2030, 1, 15, 0, 0, 0, TimeSpan.Zero),
        };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _journal.Dispose();
        Directory.Delete(_root, recursive: true);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Records)]
    public Task QueueOnly() => Fan(() =>
    {
        _queue.Writer.TryWrite(_record);
        _queue.Reader.TryRead(out _);
        return Task.CompletedTask;
    });

    [Benchmark(OperationsPerInvoke = Records)]
    public async Task Journal()
    {
        await Fan(async () => (await _journal.AppendAsync(_record))!.MarkCommitted(1));
        _journal.RequestCheckpoint();
    }

    private Task Fan(Func<Task> append)
    {
        var perWriter = Records / Writers;
        return Task.WhenAll(Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < perWriter; i++)
            {
                await append();
            }
        })));
    }
}
